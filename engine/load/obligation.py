"""One obligation of a rule file, every part checked: the blocks put together.

``ObligationParts`` is the rule-file builder's base (``engine.load.rulefile``): one
mixin per building block, each in its own module, and ``obligation`` here, which
reads an obligation's parts in order and checks its key against every fact it names.
"""

from __future__ import annotations

from engine.diagnostics import suggest
from engine.load.latepay import LatePaymentParts
from engine.load.prohibition import ProhibitionParts
from engine.load.standing import StandingParts
from engine.load.values import ValueParts
from engine.load.yaml_source import SourceMap
from engine.model import Kind, Obligation


class ObligationParts(LatePaymentParts, ProhibitionParts, ValueParts, StandingParts):
    """Builds obligations from their parts; the host class provides the state and ``error``."""

    def obligation(self, spec: SourceMap, index: int) -> Obligation:
        """One obligation of the file, every part checked."""
        jp: list[str | int] = ["obligations", index]
        rid = spec["id"]
        trigger_type = None
        trigger = due = satisfied = amount = late = check = None
        self.has_trigger = "trigger" in spec
        self.local_dates, self.lookups, self.values = dict(spec.get("dates") or {}), {}, []
        if "trigger" in spec:
            trigger = self.match(spec["trigger"], [*jp, "trigger"], rid, {})
            trigger_type = self.fact_types.get(trigger.fact) if trigger else None
        dates = self.named_dates(self.local_dates, [*jp, "dates"], rid, trigger_type)
        lookups = self.lookup_specs(spec.get("lookups") or {}, [*jp, "lookups"], rid, trigger_type)
        values = self.value_specs(spec.get("values") or {}, [*jp, "values"], rid, trigger_type)
        scope = self.scope(trigger_type)
        if "due" in spec:
            due = self.date(spec["due"], [*jp, "due"], rid, trigger_type)
        if "amount" in spec:
            amount = self.expression(spec["amount"], [*jp, "amount"], rid, scope)
        if "satisfied_by" in spec:
            paid = self.fact_types.get(spec["satisfied_by"]["fact"])
            satisfied = self.match(
                spec["satisfied_by"],
                [*jp, "satisfied_by"],
                rid,
                {**scope, "obligation": None, "total": paid},
            )
        if "late_payment" in spec:
            late = self.late_payment(spec["late_payment"], [*jp, "late_payment"], rid, trigger_type)
        if "check" in spec:
            check = self.standing_check(spec["check"], [*jp, "check"], rid)
        forbids = tuple(
            f
            for i, item in enumerate(spec.get("forbids") or [])
            if (f := self.forbid(item, [*jp, "forbids", i], rid, trigger_type)) is not None
        )
        key = spec.get("key", "")
        if key:
            keyed = [("trigger", trigger), ("satisfied_by", satisfied)]
            keyed += [("forbids", f.match) for f in forbids]
            for part, m in keyed:
                ftype = self.fact_types.get(m.fact) if m else None
                if ftype is not None and key not in ftype.fields:
                    hint = suggest(key, ftype.fields)
                    message = f"key `{key}` is not a field of `{ftype.name}` ({part}){hint}"
                    self.error([*jp, "key"], message, rid)
        return Obligation(
            id=rid,
            section=spec["section"],
            party=spec["party"],
            kind=Kind(spec["kind"]),
            title=spec["title"],
            clause=" ".join(spec["clause"].split()),
            notes=spec.get("notes", ""),
            key=key,
            trigger=trigger,
            due=due,
            satisfied_by=satisfied,
            amount=amount,
            late_payment=late,
            check=check,
            forbids=forbids,
            unit=spec.get("unit", "USD"),
            loc=self.at(jp),  # type: ignore[attr-defined]
            dates=dates,
            lookups=lookups,
            values=values,
        )
