"""Periods of a schedule: the months, quarters or years of a (fiscal) year between two dates.

A fiscal year ends on a month's last day (``12-31``, ``06-30``) and is named by the
calendar year in which it ends: for a 30 June year end, the quarter ending 2027-09-30 is
``2028-Q1``. Periods are named ``2028-Q1`` (quarters), ``FY2028`` (years), ``2028-09``
(months), or by their last day (``2028-09-30``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from engine.days.instants import end_of_month
from engine.model import Period

MONTHS = {"month": 1, "quarter": 3, "year": 12}
_YEAR_END = re.compile(r"(\d\d)-(\d\d)")


def year_end_month(text: str) -> int | None:
    """The month a fiscal year ends in, from ``MM-DD`` naming a month's last day; or None."""
    found = _YEAR_END.fullmatch(text.strip())
    if not found:
        return None
    month, day = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(2001, month)[1]  # a common year: 02-28 (02-29 accepted too)
    return month if day == last or (month == 2 and day == 29) else None


def _month_ends(first: date, last: date, months: int, year_end: int) -> list[date]:
    """Every period end from ``first``'s month through ``last``, ``months`` apart."""
    ends, d = [], end_of_month(date(first.year, first.month, 1))
    while d <= end_of_month(last):
        if (d.month - year_end) % months == 0:
            ends.append(d)
        d = end_of_month(d + timedelta(days=1))
    return ends


def _name(end: date, every: str, year_end: int, names: str) -> str:
    if names == "date":
        return end.isoformat()
    fiscal_year = end.year if end.month <= year_end else end.year + 1
    if every == "quarter":
        return f"{fiscal_year}-Q{((end.month - year_end - 1) % 12) // 3 + 1}"
    if every == "year":
        return f"FY{fiscal_year}"
    return f"{end:%Y-%m}"


@lru_cache(maxsize=1 << 12)
def periods(
    schedule: str,
    every: str,
    year_end: int,
    names: str,
    after: date,
    through: date,
    until: date | None = None,
    also: tuple[date, ...] = (),
) -> tuple[Period, ...]:
    """The periods ending after ``after``, on or before ``through`` (and ``until``), in order,
    with a one-day period at each ``also`` date in the same range (``every: dates``: those
    alone, an explicit list of dates).

    Worked out once for the same arguments (a portfolio's instances of a template share
    their schedules): the same call gives the same tuple, shared by all its callers."""
    last = min(through, until) if until is not None else through
    months = MONTHS.get(every, 0)  # `dates`: the ``also`` dates alone
    found: dict[str, tuple[date, date, bool]] = {}
    for end in _month_ends(after, last, months, year_end) if months else []:
        if after < end <= last:
            start = date(end.year, end.month, 1) - timedelta(days=1)
            for _ in range(months - 1):
                start = date(start.year, start.month, 1) - timedelta(days=1)
            found[_name(end, every, year_end, names)] = (
                start + timedelta(days=1),
                end,
                end.month == year_end,
            )
    for day in also:
        if after < day <= last:
            found.setdefault(_name(day, every, year_end, "date"), (day, day, False))
    ordered = sorted(found.items(), key=lambda item: item[1][1])
    return tuple(
        Period(schedule, name, start, end, index, last_of_year)
        for index, (name, (start, end, last_of_year)) in enumerate(ordered, start=1)
    )
