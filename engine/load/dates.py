"""Date rules in a rule file: anchors, offsets, the earliest of several, named dates and cycles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from engine.diagnostics import suggest
from engine.load.parts import NUMERIC, Parts, Scope
from engine.model import Anchor, DateSpec, FactType


class DateParts(Parts):
    """Dates: ``from`` an anchor, ``add``, ``then``, ``at``; ``earliest``; named dates."""

    def anchor(self, spec: Any, jp: list, rule: str, trigger: FactType | None) -> Anchor:
        """Where a date comes from: the trigger, a date field of it, a named date, a later fact."""
        if isinstance(spec, str):
            head, _, field_name = spec.partition(".")
            if head in ("period", "param"):
                return self._value_anchor(head, field_name, jp, rule)
            if head != "trigger":
                known_names = {*self.local_dates, *self.dates, *self.period_dates}
                if field_name or head not in known_names:
                    known = sorted(known_names)
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
        if "rule" in spec:
            self.rule_refs.append((rule, spec["rule"], [*jp, "rule"]))
            return Anchor("rule", field=spec["rule"])
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

    def _value_anchor(self, head: str, name: str, jp: list, rule: str) -> Anchor:
        """``period.start``/``period.end``, or ``param.<name>`` of a date parameter."""
        if head == "period":
            if not self.in_period:
                self.error(jp, f"`period.{name}` needs a period: the rule's `per`", rule)
            elif name not in ("start", "end"):
                hint = suggest(name, ["start", "end"])
                self.error(
                    jp,
                    f"a period's date is `period.start` or `period.end`, not `period.{name}`{hint}",
                    rule,
                )
            return Anchor("period", field=name)
        spec = self.param_specs.get(name)
        if not self.known_param(name):
            self.error(jp, f"unknown parameter `{name}`{suggest(name, self.param_specs)}", rule)
        elif spec is not None and spec.type != "date":
            self.error(jp, f"parameter `{name}` is a {spec.type}, not a date", rule)
        return Anchor("param", field=name)

    def _add(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> tuple[str, Any]:
        """``add``: a unit and a whole number, or an expression giving one."""
        unit, n = next(iter((spec.get("add") or {"": 0}).items()))
        if isinstance(n, str):
            n = self.expression(n, [*jp, "add", unit], rule, self.scope(trigger))
        return unit, n if n is not None else 0

    def date(self, spec: Any, jp: list, rule: str, trigger: FactType | None) -> DateSpec:
        """A date rule: `from` an anchor, `add`, `then`, `at`; or the earliest of several.

        A bare name (``closing_date``, ``period.end``) is short for ``{from: name}``.
        """
        if isinstance(spec, str):
            spec = {"from": spec}
        if ("from" in spec) == ("earliest" in spec):
            self.error(jp, "a date needs exactly one of `from` and `earliest`", rule)
            return DateSpec()
        add_unit, add_n = self._add(spec, jp, rule, trigger)
        if "earliest" in spec:
            items = tuple(
                self.date(s, [*jp, "earliest", i], rule, trigger)
                for i, s in enumerate(spec["earliest"])
            )
            return DateSpec(earliest=items, at=spec.get("at", ""), roll=spec.get("roll", ""))
        anchor = self.anchor(spec["from"], [*jp, "from"], rule, trigger)
        return DateSpec(
            anchor,
            add_unit,
            add_n,
            spec.get("then", ""),
            spec.get("at", ""),
            roll=spec.get("roll", ""),
        )

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


def _cycle(start: str, specs: dict[str, DateSpec]) -> list[str]:
    """A path of named dates from ``start`` back to itself, or [] if there is none."""

    def named(name: str) -> list[str]:
        return [a.field for a in specs[name].anchors() if a.kind == "named" and a.field in specs]

    return cycle_from(start, named)


def cycle_from(start: str, successors: Callable[[str], Iterable[str]]) -> list[str]:
    """A path from ``start`` back to itself along ``successors``, or [] if there is none
    (named dates that use each other, rules that refer to each other)."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for nxt in successors(name):
            if nxt == start:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []
