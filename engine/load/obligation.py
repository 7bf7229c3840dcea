"""One obligation of a rule file, every part checked: the blocks put together.

``ObligationParts`` is the rule-file builder's base (``engine.load.rulefile``): one
mixin per building block, each in its own module, and ``obligation`` here, which
reads an obligation's parts in order and checks its key against every fact it names.
"""

from __future__ import annotations

from engine.diagnostics import suggest, value_words
from engine.load.covenant import CovenantParts
from engine.load.latepay import LatePaymentParts
from engine.load.limit import LimitParts
from engine.load.periods import PeriodParts
from engine.load.prohibition import ProhibitionParts
from engine.load.standing import StandingParts
from engine.load.values import ValueParts
from engine.load.yaml_source import SourceMap
from engine.model import Kind, Obligation


class ObligationParts(
    LatePaymentParts,
    ProhibitionParts,
    ValueParts,
    StandingParts,
    PeriodParts,
    CovenantParts,
    LimitParts,
):
    """Builds obligations from their parts; the host class provides the state and ``error``."""

    roles: list[str] | None  # the contract's parties (None: not known, unchecked)

    def obligation(self, spec: SourceMap, index: int) -> Obligation:
        """One obligation of the file, every part checked."""
        jp: list[str | int] = ["obligations", index]
        rid = spec["id"]
        trigger_type = None
        trigger = due = satisfied = amount = late = check = None
        self.has_trigger = "trigger" in spec
        self.local_dates, self.lookups, self.values = dict(spec.get("dates") or {}), {}, []
        per = self.per(spec, jp, rid)
        self.check_party(spec["party"], [*jp, "party"], rid)
        breach_of = (spec.get("trigger") or {}).get("breach_of", "")
        if breach_of:
            self.rule_refs.append((rid, breach_of, [*jp, "trigger", "breach_of"]))
        elif "trigger" in spec:
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
        blocks = self.kind_blocks(spec, jp, rid, per, {**scope, "total": paid_type(self, spec)})
        forbids = tuple(
            f
            for i, item in enumerate(spec.get("forbids") or [])
            if (f := self.forbid(item, [*jp, "forbids", i], rid, trigger_type)) is not None
        )
        key = spec.get("key", "")
        self.in_period, self.period_dates = False, {}
        if key:
            keyed = [
                ("trigger", trigger and trigger.fact),
                ("satisfied_by", satisfied and satisfied.fact),
            ]
            keyed += [("forbids", f.match.fact) for f in forbids]
            keyed += [
                (part, getattr(blocks.get(part), "fact", None))
                for part in ("test", "cure", "limit")
            ]
            for part, fact_type in keyed:
                ftype = self.fact_types.get(fact_type) if fact_type else None
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
            per=per,
            after_breach_of=breach_of,
            **blocks,
        )

    def check_party(self, party: str, jp: list, rid: str) -> None:
        """The party an obligation binds must be one of the contract's."""
        roles = self.roles
        if roles is not None and party not in roles:
            message = f"`party` must be one of {', '.join(roles)}, not {value_words(party)}"
            self.error(jp, message + suggest(party, roles), rid)

    def per(self, spec: SourceMap, jp: list, rid: str) -> str:
        """The rule's period schedule (``per``), its dates and ``period.*`` put in scope."""
        per = spec.get("per", "")
        if not per:
            return ""
        schedule = self.period_specs.get(per)
        declared = per in (self.root.get("periods") or {})  # declared, but broken: said there
        if schedule is None and not declared and self.usable(("periods",)):  # type: ignore[attr-defined]
            hint = suggest(per, self.period_specs)
            self.error([*jp, "per"], f"unknown period schedule `{per}`{hint}", rid)
        self.in_period = True
        raw = (self.root.get("periods") or {}).get(per) or {}
        self.period_dates = dict(raw.get("dates") or {}) if isinstance(raw, dict) else {}
        return per

    def kind_blocks(self, spec: SourceMap, jp: list, rid: str, per: str, scope: dict) -> dict:
        """The parts of the newer building blocks: shown due, owed, test, cure, limit."""
        blocks: dict = {}
        if "shown_due" in spec:
            blocks["shown_due"] = self.date(spec["shown_due"], [*jp, "shown_due"], rid, None)
        if "owed" in spec:
            blocks["owed"] = self.expression(spec["owed"], [*jp, "owed"], rid, scope)
        if "test" in spec:
            blocks["test"] = self.measure(spec["test"], [*jp, "test"], rid)
        if "cure" in spec:
            tested = (spec.get("test") or {}).get("fact", "")
            blocks["cure"] = self.cure(spec["cure"], [*jp, "cure"], rid, tested)
        if "limit" in spec:
            blocks["limit"] = self.limit(spec["limit"], [*jp, "limit"], rid, per)
        needs = {"test": ("per", "due", "test"), "limit": ("per", "key", "limit")}
        for part in needs.get(spec["kind"], ()):
            if part not in spec:
                self.error(jp, f"a rule of kind `{spec['kind']}` needs `{part}`", rid)
        return blocks


def paid_type(parts: ObligationParts, spec: SourceMap) -> object:
    """The satisfying fact type, for ``total.<field>`` names (None when there is none)."""
    satisfied = spec.get("satisfied_by")
    return parts.fact_types.get(satisfied["fact"]) if isinstance(satisfied, dict) else None
