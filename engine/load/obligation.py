"""The parts of an obligation in a rule file: expressions, dates, matches, schedules.

A mixin of the rule-file builder (``engine.load.rulefile``): each method turns one part
of an obligation (already shape-checked) into its model value, and reports what is
wrong with its meaning at the part's line and column.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from engine.diagnostics import Diagnostic, Location, suggest
from engine.expressions import Expression, ExpressionError, parse_expression
from engine.load.yaml_source import SourceMap, offset_location
from engine.model import (
    Anchor,
    DateSpec,
    FactMatch,
    FactType,
    Forbid,
    Kind,
    LatePayment,
    Lookup,
    Obligation,
    StandingCheck,
    Tier,
    Window,
)

NUMERIC = ("integer", "number")
Scope = dict[str, Any]  # expression root -> FactType (fields checked) or None (unchecked)


class ObligationParts:
    """Builds obligations; the host class provides the state and ``error``/``fact_type``."""

    path: str
    root: SourceMap
    problems: list[Diagnostic]
    fact_types: dict[str, FactType]
    parameters: dict[str, Decimal]
    has_trigger: bool
    dates: dict[str, Any]  # the file's named date specs (raw), for name checks
    local_dates: dict[str, Any]  # the obligation's own named dates (raw)
    lookups: dict[str, str]  # lookup name -> fact type, of the obligation being built
    values: list[str]  # value names defined so far in the obligation being built

    def error(self, json_path: list[str | int], message: str, rule: str = "") -> None:
        """Report a problem at a JSON path of the file (provided by the builder)."""
        raise NotImplementedError

    def fact_type(self, name: str, json_path: list[str | int], rule: str) -> FactType | None:
        """The fact type of that name, reporting an unknown one (provided by the builder)."""
        raise NotImplementedError

    def known_param(self, name: str) -> bool:
        """Whether a parameter exists or may exist (provided by the builder)."""
        raise NotImplementedError

    # -- expressions --------------------------------------------------------
    def expression(
        self, source: str, json_path: list[str | int], rule: str, scope: Scope
    ) -> Expression | None:
        """Parse ``source``; names must be fields of the fact types, lookups or values in scope."""
        roots = [*scope, "param"]
        shown = " ".join(source.split())
        fallback = Location(self.path, 1, 1)

        def report(offset: int, message: str) -> None:
            where = offset_location(self.root, json_path, offset, fallback)
            self.problems.append(Diagnostic(where, f"rule {rule}: {message}"))

        try:
            expr = parse_expression(source, allowed_roots=roots)
        except ExpressionError as exc:
            report(exc.col - 1, f"in `{shown}`: {exc.message}")
            return None
        for name in sorted(expr.names):
            root, _, rest = name.partition(".")
            found = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source)
            offset = found.start() if found else 0
            problem = self._name_problem(root, rest, name, scope)
            if problem:
                report(offset, problem)
        return expr

    def _name_problem(self, root: str, rest: str, name: str, scope: Scope) -> str:
        """What is wrong with one dotted name of an expression ('' if nothing)."""
        if root == "param":
            if not self.known_param(rest):
                return f"unknown parameter `{rest}`{suggest(rest, self.parameters)}"
            return ""
        if root == "obligation":
            return "" if rest == "amount" else f"unknown name `{name}` (only obligation.amount)"
        if root == "value":
            if rest in scope["value"]:
                return ""
            hint = suggest(rest, scope["value"])
            return f"unknown value `{rest}` (values are computed in order){hint}"
        if root == "lookup":
            lookup, _, field = rest.partition(".")
            if lookup not in scope["lookup"]:
                return f"unknown lookup `{lookup}`{suggest(lookup, scope['lookup'])}"
            ftype = self.fact_types.get(scope["lookup"][lookup])
            if ftype is not None and field not in ftype.fields:
                return (
                    f"fact type `{ftype.name}` has no field `{field}`{suggest(field, ftype.fields)}"
                )
            return ""
        ftype = scope.get(root)
        if ftype is not None and rest not in ftype.fields:
            return f"fact type `{ftype.name}` has no field `{rest}`{suggest(rest, ftype.fields)}"
        return ""

    def scope(self, trigger: FactType | None, fact: FactType | None = None) -> Scope:
        """The expression roots of the obligation being built."""
        scope: Scope = {"trigger": trigger} if self.has_trigger else {}
        if fact is not None or "fact" in scope:
            scope["fact"] = fact
        scope["lookup"], scope["value"] = dict(self.lookups), list(self.values)
        if not self.lookups:
            del scope["lookup"]
        if not self.values:
            del scope["value"]
        return scope

    def match(self, spec: dict, jp: list, rule: str, scope: Scope) -> FactMatch | None:
        """A fact type with an optional `where` condition."""
        ftype = self.fact_type(spec["fact"], [*jp, "fact"], rule)
        where = None
        if "where" in spec:
            where = self.expression(spec["where"], [*jp, "where"], rule, {**scope, "fact": ftype})
        return FactMatch(spec["fact"], where, spec.get("mismatch", "ignore"))

    def anchor(self, spec: Any, jp: list, rule: str, trigger: FactType | None) -> Anchor:
        """Where a date comes from: the trigger, a date field of it, a named date, a later fact."""
        if isinstance(spec, str):
            head, _, field_name = spec.partition(".")
            if head != "trigger":
                if field_name or (head not in self.local_dates and head not in self.dates):
                    known = sorted({*self.local_dates, *self.dates})
                    self.error(
                        jp,
                        f"`{spec}` is not `trigger`, `trigger.<field>` or a named "
                        f"date{suggest(spec, known)}",
                        rule,
                    )
                return Anchor("named", field=head)
            if not self.has_trigger:
                self.error(jp, f"`{spec}` needs a `trigger` in the rule", rule)
            if not field_name:
                return Anchor("trigger")
            if trigger is not None:
                fspec = trigger.fields.get(field_name)
                if fspec is None:
                    hint = suggest(field_name, trigger.fields)
                    message = f"fact type `{trigger.name}` has no field `{field_name}`{hint}"
                    self.error(jp, message, rule)
                elif fspec.type != "date":
                    self.error(jp, f"`{spec}` is a {fspec.type} field, not a date", rule)
            return Anchor("trigger_field", field=field_name)
        scope: Scope = {"trigger": trigger} if self.has_trigger else {}
        if "first" in spec:
            ftype = self.fact_type(spec["first"], [*jp, "first"], rule)
            where = None
            if "where" in spec:
                where = self.expression(
                    spec["where"], [*jp, "where"], rule, {**scope, "fact": ftype}
                )
            return Anchor("first", fact_type=spec["first"], where=where)
        total = spec["running_total"]
        tjp = [*jp, "running_total"]
        ftype = self.fact_type(total["fact"], [*tjp, "fact"], rule)
        if ftype is not None:
            fspec = ftype.fields.get(total["field"])
            if fspec is None:
                hint = suggest(total["field"], ftype.fields)
                message = f"fact type `{ftype.name}` has no field `{total['field']}`{hint}"
                self.error([*tjp, "field"], message, rule)
            elif fspec.type not in NUMERIC:
                self.error([*tjp, "field"], f"`{total['field']}` is not a number field", rule)
        reaches = self.expression(total["reaches"], [*tjp, "reaches"], rule, scope)
        return Anchor("running_total", total["fact"], total["field"], reaches=reaches)

    def date(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> DateSpec:
        """A date rule: `from` an anchor, `add`, `then`, `at`; or the earliest of several."""
        if ("from" in spec) == ("earliest" in spec):
            self.error(jp, "a date needs exactly one of `from` and `earliest`", rule)
            return DateSpec()
        add_unit, add_n = next(iter((spec.get("add") or {"": 0}).items()))
        if "earliest" in spec:
            items = tuple(
                self.date(s, [*jp, "earliest", i], rule, trigger)
                for i, s in enumerate(spec["earliest"])
            )
            return DateSpec(earliest=items, at=spec.get("at", ""))
        anchor = self.anchor(spec["from"], [*jp, "from"], rule, trigger)
        return DateSpec(anchor, add_unit, add_n, spec.get("then", ""), spec.get("at", ""))

    def named_dates(
        self, specs: dict, jp: list, rule: str, trigger: FactType | None
    ) -> dict[str, DateSpec]:
        """Named dates (a file's ``dates`` or an obligation's), with cycles reported."""
        built = {name: self.date(spec, [*jp, name], rule, trigger) for name, spec in specs.items()}
        for name in built:
            cycle = _cycle(name, built)
            if cycle and name == min(cycle):  # report each cycle once, at its first name
                self.error(
                    [*jp, name],
                    "dates depend on each other in a cycle: " + " -> ".join(cycle + [name]),
                    rule,
                )
        return built

    def late_payment(
        self, spec: dict, jp: list, rule: str, trigger: FactType | None
    ) -> LatePayment:
        """A tiered late-payment schedule."""
        tiers: list[Tier] = []
        for i, tier in enumerate(spec["tiers"]):
            through, before = tier.get("through"), tiers[-1].through if tiers else None
            if (i == len(spec["tiers"]) - 1) != (through is None):
                message = "every tier but the last needs `through`; the last has none"
                self.error([*jp, "tiers", i], message, rule)
            if through is not None and before is not None and through <= before:
                message = f"tiers must go up: `through: {through}` is not above {before}"
                self.error([*jp, "tiers", i, "through"], message, rule)
            tiers.append(Tier(Decimal(str(tier["rate"])), through))
        days = spec["days_late"]
        return LatePayment(
            count_unit=days["count"],
            after=self.date(days["after"], [*jp, "days_late", "after"], rule, trigger),
            base=self.expression(spec["base"], [*jp, "base"], rule, self.scope(trigger)),
            per=Decimal(str(spec["per"])),
            tiers=tuple(tiers),
        )

    def window(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> Window:
        """The days an act is forbidden in (or, `outside`, out of)."""
        if "through" in spec and "until" in spec:
            self.error(jp, "a window has `through` or `until`, not both", rule)
        end_key = "until" if "until" in spec else "through"
        return Window(
            start=self.date(spec["from"], [*jp, "from"], rule, trigger) if "from" in spec else None,
            end=self.date(spec[end_key], [*jp, end_key], rule, trigger)
            if end_key in spec
            else None,
            end_inclusive=end_key == "through",
            outside=bool(spec.get("outside", False)),
        )

    def forbid(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> Forbid | None:
        """One forbidden act: a fact type, a condition, a window, an exemption."""
        match = self.match(spec, jp, rule, self.scope(trigger))
        window = (
            self.window(spec["window"], [*jp, "window"], rule, trigger)
            if "window" in spec
            else None
        )
        preceded = spec.get("unless_preceded_by", "")
        if preceded:
            self.fact_type(preceded, [*jp, "unless_preceded_by"], rule)
        if match is None:
            return None
        return Forbid(match, window, preceded, spec.get("says", ""))

    def lookup_specs(
        self, specs: dict, jp: list, rule: str, trigger: FactType | None
    ) -> dict[str, Lookup]:
        """The facts an obligation reads values from."""
        found = {}
        for name, spec in specs.items():
            self.fact_type(spec["fact"], [*jp, name, "fact"], rule)
            on = self.date(spec["on"], [*jp, name, "on"], rule, trigger) if "on" in spec else None
            by = self.date(spec["by"], [*jp, name, "by"], rule, trigger) if "by" in spec else None
            found[name] = Lookup(spec["fact"], on, by)
            self.lookups[name] = spec["fact"]
        return found

    def value_specs(
        self, specs: dict, jp: list, rule: str, trigger: FactType | None
    ) -> dict[str, Expression]:
        """Named computations, in order: each may use the lookups and the values before it."""
        found = {}
        for name, source in specs.items():
            expr = self.expression(source, [*jp, name], rule, self.scope(trigger))
            self.values.append(name)
            if expr is not None:
                found[name] = expr
        return found

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

    def standing_check(self, c: dict, jp: list, rid: str) -> StandingCheck | None:
        """The condition of a standing duty."""
        ftype = self.fact_type(c["fact"], [*jp, "fact"], rid)
        cscope: Scope = {"fact": ftype}
        require = self.expression(c["require"], [*jp, "require"], rid, cscope)
        shortfall = None
        if "shortfall" in c:
            shortfall = self.expression(c["shortfall"], [*jp, "shortfall"], rid, cscope)
        return StandingCheck(c["fact"], require, shortfall) if require else None


def _cycle(start: str, specs: dict[str, DateSpec]) -> list[str]:
    """A path of named dates from ``start`` back to itself, or [] if there is none."""

    def named(spec: DateSpec) -> list[str]:
        return [a.field for a in spec.anchors() if a.kind == "named" and a.field in specs]

    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for nxt in named(specs[name]):
            if nxt == start:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []
