"""Roll conventions: a date that is not a business day moved to one, and why, in words.

* ``following``: the next business day;
* ``modified_following``: the next business day, unless it falls in the next calendar
  month, then the preceding one (interest payment dates, maturity dates);
* ``preceding``: the business day before;
* ``modified_preceding``: the business day before, unless it falls in the previous
  calendar month, then the following one.

A business day is not moved.
"""

from __future__ import annotations

from datetime import date

from engine.days.calendars import DayCalendar

CONVENTIONS = ("following", "modified_following", "preceding", "modified_preceding")


def _day(d: date) -> str:
    return f"{d:%a} {d.isoformat()}"


def roll(cal: DayCalendar, d: date, convention: str) -> tuple[date, str]:
    """The rolled day, and a sentence saying how (empty when ``d`` is not moved)."""
    if cal.is_day(d):
        return d, ""
    after, before = cal.nth_after(d, 1), cal.nth_before(d, 1)
    name = convention.replace("_", " ")
    if convention == "following":
        to, why = after, ""
    elif convention == "preceding":
        to, why = before, ""
    elif convention == "modified_following":
        to, why = (
            (after, "")
            if after.month == d.month
            else (before, f"{_day(after)} is in the next month")
        )
    else:
        to, why = (
            (before, "")
            if before.month == d.month
            else (after, f"{_day(before)} is in the previous month")
        )
    return to, f"{_day(d)} rolled to {_day(to)} ({name}{': ' + why if why else ''})."
