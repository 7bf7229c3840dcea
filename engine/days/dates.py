"""Date rules of obligations: resolve a ``DateSpec`` to a deadline and say how, in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import pendulum

from engine.days.calendars import DateRangeError, get_calendar
from engine.days.instants import (
    add_days,
    add_months,
    add_years,
    end_of_month,
    epoch_us,
    last_instant,
    start_of_day,
)
from engine.days.rolls import roll
from engine.days.words import (
    CLOSED_WORDS,
    counted_days,
    day_ranges,
    day_text,
    ordinal,
    unit_label,
    upper_first,
)
from engine.diagnostics import Diagnostic, InputError, Location
from engine.expressions import Expression, ExpressionError
from engine.model import Anchor, Contract, DateSpec, Fact, Period


def out_of_range(exc: DateRangeError, fact: Fact | None, contract: Contract) -> InputError:
    """A date a fact leads to that cannot be computed, as a problem at the fact's line.

    Without a fact (a date of the whole contract), the problem is the rule file's.
    """
    where = fact.loc if fact is not None else Location(contract.path or contract.id)
    about = f" (fact {fact.id})" if fact is not None else ""
    return InputError([Diagnostic(where, f"a date cannot be computed{about}: {exc}")])


class Resolved(NamedTuple):
    """A resolved date rule: the day (None while unknown) and the reasoning in words (a
    named tuple: a run makes hundreds of thousands)."""

    day: date | None
    how: str


def effective_day(contract: Contract, fact: Fact) -> tuple[date, str]:
    """The day a fact takes effect, and how: a notice is "deemed given" by delivery method."""
    day = fact.day(contract.time_zone)
    method = _notice_method(contract, fact)
    if method is None:
        return day, day_text(day)
    assert contract.notices is not None
    unit, n = contract.notices.methods[method]
    words = method.replace("_", " ")
    if n == 0:
        return day, f"{day_text(day)} (given by {words}: deemed given that day)"
    try:
        if unit == "days":
            deemed, label = add_days(day, n), "day"
        else:
            deemed = get_calendar(contract.calendar_for(unit)).nth_after(day, n)
            label = unit_label(contract, unit)
    except DateRangeError as exc:
        raise out_of_range(exc, fact, contract) from None
    return deemed, (
        f"{day_text(deemed)} (sent by {words} on {day_text(day)}: deemed given "
        f"the {ordinal(n)} {label} after)"
    )


def _notice_method(contract: Contract, fact: Fact) -> str | None:
    """How a notice was sent (its delivery method field); None for a fact that is no
    notice, or says no method: it counts when it happens."""
    rule = contract.notices
    if rule is None:
        return None
    ftype = contract.fact_types.get(fact.type)
    return fact.fields.get(rule.field) if ftype is not None and ftype.notice else None


def _deemed_later(contract: Contract, fact: Fact) -> date | None:
    """The day a notice is deemed given, when it is not the day it was sent (None: the
    fact counts when it happens)."""
    if _notice_method(contract, fact) is None:
        return None
    day, _ = effective_day(contract, fact)
    return None if day == fact.day(contract.time_zone) else day


def effective_us(contract: Contract, fact: Fact) -> int:
    """When a fact counts as done, in epoch microseconds: its ``at_us``, or the start of the
    day a notice is deemed given, when that is a later day."""
    day = _deemed_later(contract, fact)
    return fact.at_us if day is None else epoch_us(start_of_day(day, contract.time_zone))


class DateContext:
    """What a date rule can see: the contract, the trigger, named dates and anchors so far."""

    def __init__(
        self,
        contract: Contract,
        trigger: Fact | None,
        anchors: Mapping[Anchor, tuple[date, str]],
        local: Mapping[str, DateSpec] | None = None,
        period: Period | None = None,
        env: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
        due_of: Callable[[str], tuple[date | None, str] | None] | None = None,
        explain: bool = True,
    ) -> None:
        self.contract, self.trigger, self.anchors = contract, trigger, anchors
        self.period = period
        self.due_of = due_of  # another rule's due date for the same key, and how
        self._env = env  # a mapping, or a function giving it when first needed (``env``)
        schedule = contract.periods.get(period.schedule) if period is not None else None
        self.local = {**(schedule.dates if schedule else {}), **(local or {})}
        self._named: dict[str, Resolved] = {}
        self.steps: list[str] = []  # each step of the arithmetic, in words, in order
        self.explain = explain  # False: the days and how they are got, no steps (a run's)

    @property
    def env(self) -> Mapping[str, Any]:
        """``param.*`` (and ``period.*``) names, for ``param`` anchors and `add` expressions
        (given as a function: made on first use, as most date rules need none)."""
        if callable(self._env):
            self._env = self._env()
        return self._env or {}

    def named(self, name: str) -> Resolved:
        """A named date: the obligation's own ``dates`` first, then the contract's."""
        if name not in self._named:
            spec = self.local.get(name) or self.contract.dates[name]
            inner = self.resolve(spec)
            words = name.replace("_", " ")
            shown = day_text(inner.day) if inner.day else "not yet known"
            if self.explain:
                self.steps.append(f"{upper_first(words)}: {shown}.")
            how = f"the {words} ({inner.how})" if inner.day else f"the {words}: {inner.how}"
            self._named[name] = Resolved(inner.day, how)
        return self._named[name]

    def label(self, fact_type: str) -> str:
        """The vocabulary label of a fact type."""
        ftype = self.contract.fact_types.get(fact_type)
        return ftype.label if ftype else fact_type

    def anchor(self, anchor: Anchor) -> Resolved:
        """The date an anchor stands for, if known yet."""
        if anchor.kind == "trigger":
            assert self.trigger is not None
            d, how = effective_day(self.contract, self.trigger)
            return Resolved(d, f"{self.label(self.trigger.type)} on {how}")
        if anchor.kind == "named":
            return self.named(anchor.field)
        if anchor.kind == "period":
            assert self.period is not None
            d = self.period.start if anchor.field == "start" else self.period.end
            if self.period.name == d.isoformat():  # a period named by its date
                return Resolved(d, f"the scheduled date {day_text(d)}")
            word = "first" if anchor.field == "start" else "last"
            return Resolved(d, f"the {word} day of {self.period.name} ({day_text(d)})")
        if anchor.kind == "rule":
            found = self.due_of(anchor.field) if self.due_of else None
            if found is None or found[0] is None:
                return Resolved(None, f"the due date of {anchor.field} (not yet known)")
            return Resolved(found[0], f"the due date of {anchor.field} ({found[1]})")
        if anchor.kind == "param":
            d = self.env.get(f"param.{anchor.field}")
            name = anchor.field.replace("_", " ")
            if not isinstance(d, date):
                return Resolved(None, f"the {name} (not given)")
            return Resolved(d, f"the {name} {day_text(d)}")
        if anchor.kind == "trigger_field":
            assert self.trigger is not None
            d = self.trigger.fields.get(anchor.field)
            name = anchor.field.replace("_", " ")
            if d is None:
                return Resolved(None, f"the {name} of the {self.label(self.trigger.type)}")
            return Resolved(d, f"the {name} {day_text(d)} of the {self.label(self.trigger.type)}")
        if anchor in self.anchors:
            d, how = self.anchors[anchor]
            return Resolved(d, how)
        if anchor.kind == "first":
            return Resolved(None, f"the first {self.label(anchor.fact_type)} (none yet)")
        return Resolved(
            None,
            f"the day {self.label(anchor.fact_type)} reaches the threshold in total (not yet)",
        )

    def resolve(self, spec: DateSpec) -> Resolved:
        """The day a date rule gives, or None while something it needs is unknown."""
        if spec.earliest:
            parts = [self.resolve(s) for s in spec.earliest]
            known = [p for p in parts if p.day is not None]
            letters = "xyzuvw"
            how = "the earlier of " + "; ".join(
                f"({letters[i]}) {p.how}" for i, p in enumerate(parts)
            )
            found = min(p.day for p in known) if known else None
            if self.explain:
                shown = ", ".join(
                    f"({letters[i]}) {day_text(p.day) if p.day else 'not yet known'}"
                    for i, p in enumerate(parts)
                )
                result = f"the earliest known is {day_text(found)}" if found else "none known yet"
                self.steps.append(f"Earlier of {shown}: {result}.")
            return Resolved(found, how)
        assert spec.anchor is not None
        base = self.anchor(spec.anchor)
        if self.explain and spec.anchor.kind != "named":
            shown = day_text(base.day) if base.day else "not yet known"
            known = base.day and shown not in base.how
            self.steps.append(f"From {base.how}: {shown}." if known else f"From {base.how}.")
        if base.day is None:
            return base
        d, how = base.day, base.how
        if spec.add_unit:
            d, how = self._add(d, spec.add_unit, self._count(spec.add_n), how)
        if spec.then == "end_of_month":
            if self.explain:
                self.steps.append(f"Last day of {d:%B %Y}: {day_text(end_of_month(d))}.")
            d = end_of_month(d)
            how = f"the last day of the month of {how}"
        if spec.roll:
            return self._roll(d, spec.roll, how)
        return Resolved(d, how)

    def _roll(self, d: date, convention: str, how: str) -> Resolved:
        """Move ``d`` to a business day by a roll convention, saying so."""
        cal = get_calendar(self.contract.calendar_for("business_days"))
        try:
            rolled, words = roll(cal, d, convention)
        except DateRangeError as exc:
            raise out_of_range(exc, self.trigger, self.contract) from None
        if not words:
            return Resolved(d, how)
        if self.explain:
            self.steps.append(words)
        name = convention.replace("_", " ")
        return Resolved(rolled, f"{how}, rolled to {day_text(rolled)} ({name})")

    def _count(self, n: int | Expression) -> int:
        """How many days to add: a number, or an expression over ``period.*`` and ``param.*``."""
        if isinstance(n, int):
            return n
        names = {**self.env, **(self.period.names() if self.period else {})}
        try:
            value = n.evaluate(names)
        except ExpressionError as exc:
            value = exc.message
        if not isinstance(value, Decimal) or value != value.to_integral_value():
            where = self.trigger.loc if self.trigger is not None else Location(self.contract.path)
            message = f"`{n.source}` gives {value}, not a whole number of days"
            raise InputError([Diagnostic(where, message)])
        if self.explain:
            self.steps.append(f"`{' '.join(n.source.split())}`: {int(value)}.")
        return int(value)

    def _add(self, d: date, unit: str, n: int, how: str) -> tuple[date, str]:
        try:
            return self._add_days(d, unit, n, how)
        except DateRangeError as exc:
            raise out_of_range(exc, self.trigger, self.contract) from None

    def _add_days(self, d: date, unit: str, n: int, how: str) -> tuple[date, str]:
        if n == 0:
            return d, how
        before = "after" if n > 0 else "before"
        if unit in ("days", "months", "years"):
            adder = {"days": add_days, "months": add_months, "years": add_years}[unit]
            result = adder(d, n)
            word = unit if abs(n) != 1 else unit[:-1]
            if self.explain:
                self.steps.append(
                    f"{day_text(d)} {'+' if n > 0 else '-'} {abs(n)} calendar {word}: "
                    f"{day_text(result)} (not rolled)."
                )
            if unit == "years" and n > 0:
                return result, f"the {ordinal(n)} anniversary of {how}"
            return result, f"{abs(n)} {word} {before} {how}"
        cal = get_calendar(self.contract.calendar_for(unit))
        result = cal.nth_after(d, n) if n > 0 else cal.nth_before(d, -n)
        text = f"the {ordinal(abs(n))} {unit_label(self.contract, unit)} {before} {how}"
        if self.explain:
            self.steps.append(
                f"{upper_first(ordinal(abs(n)))} {unit_label(self.contract, unit)} "
                f"{before} {day_text(d)}: {counted_days(cal, d, result)}."
            )
        closed = cal.closures(*sorted((d, result)))
        if closed:
            text += f" [{CLOSED_WORDS.get(cal.name, cal.name + ' closed')} {day_ranges(closed)}]"
        return result, text


def deadline_us(contract: Contract, spec: DateSpec, day: date) -> tuple[pendulum.DateTime, int]:
    """The last on-time instant (``at`` on that day, else the end of the day) and its
    epoch microseconds."""
    return last_instant(day, spec.at, contract.time_zone)
