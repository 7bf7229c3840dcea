"""Date rules of obligations: resolve a ``DateSpec`` to a deadline and say how, in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pendulum

from engine.calendars import get_calendar
from engine.instants import add_days, add_months, add_years, end_of_day, end_of_month, local_time
from engine.model import Anchor, Contract, DateSpec, Fact

CLOSED_WORDS = {"XNYS": "NYSE closed", "XFED": "New York banks closed"}


def unit_label(contract: Contract, unit: str, plural: bool = False) -> str:
    """How a counted day reads: ``NYSE trading day``, ``business day (NYSE trading day)``."""
    cal = get_calendar(contract.calendar_for(unit))
    s = "s" if plural else ""
    if unit.startswith("business") and cal.name != "calendar":
        return f"business day{s} ({cal.label}{s})"
    if unit.startswith("business"):
        return f"business day{s}"
    return cal.label + s


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def day_text(d: date) -> str:
    """``Fri 2001-09-07``."""
    return f"{d:%a} {d.isoformat()}"


def _ranges(days: list[date]) -> str:
    """Consecutive dates folded: ``Tue 2001-09-11 to Fri 2001-09-14, Fri 2001-11-23``."""
    parts: list[str] = []
    start = prev = days[0]
    for d in [*days[1:], None]:
        if d is not None and (d - prev).days == 1:
            prev = d
            continue
        parts.append(day_text(start) if start == prev else f"{day_text(start)} to {day_text(prev)}")
        if d is not None:
            start = prev = d
    return ", ".join(parts)


@dataclass(frozen=True)
class Resolved:
    """A resolved date rule: the day (None while unknown) and the reasoning in words."""

    day: date | None
    how: str


class DateContext:
    """What a date rule can see: the contract, the trigger fact and the anchors found so far."""

    def __init__(
        self,
        contract: Contract,
        trigger: Fact | None,
        anchors: Mapping[Anchor, tuple[date, str]],
    ) -> None:
        self.contract, self.trigger, self.anchors = contract, trigger, anchors

    def label(self, fact_type: str) -> str:
        """The vocabulary label of a fact type."""
        ftype = self.contract.fact_types.get(fact_type)
        return ftype.label if ftype else fact_type

    def anchor(self, anchor: Anchor) -> Resolved:
        """The date an anchor stands for, if known yet."""
        tz = self.contract.time_zone
        if anchor.kind == "trigger":
            assert self.trigger is not None
            d = self.trigger.day(tz)
            return Resolved(d, f"{self.label(self.trigger.type)} on {day_text(d)}")
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
            return Resolved(min(p.day for p in known) if known else None, how)
        assert spec.anchor is not None
        base = self.anchor(spec.anchor)
        if base.day is None:
            return base
        d, how = base.day, base.how
        if spec.add_unit:
            d, how = self._add(d, spec.add_unit, spec.add_n, how)
        if spec.then == "end_of_month":
            d = end_of_month(d)
            how = f"the last day of the month of {how}"
        return Resolved(d, how)

    def _add(self, d: date, unit: str, n: int, how: str) -> tuple[date, str]:
        if unit == "days":
            return add_days(d, n), f"{n} days after {how}"
        if unit == "months":
            return add_months(d, n), f"{n} months after {how}"
        if unit == "years":
            return add_years(d, n), f"the {ordinal(n)} anniversary of {how}"
        cal = get_calendar(self.contract.calendar_for(unit))
        if n == 0:
            return d, how
        result = cal.nth_after(d, n)
        text = f"the {ordinal(n)} {unit_label(self.contract, unit)} after {how}"
        closed = cal.closures(d, result)
        if closed:
            text += f" [{CLOSED_WORDS.get(cal.name, cal.name + ' closed')} {_ranges(closed)}]"
        return result, text


def deadline_instant(contract: Contract, spec: DateSpec, day: date) -> pendulum.DateTime:
    """The last on-time instant: ``at`` on that day, else the end of the day."""
    if spec.at:
        return local_time(day, spec.at, contract.time_zone)
    return end_of_day(day, contract.time_zone)
