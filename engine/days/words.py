"""Dates and numbers in the words findings and traces use: ``Fri 2001-09-07``, ``786,000``,
``the 3rd business day (NYSE trading day)``, the days a count went through."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from engine.days.calendars import DayCalendar, get_calendar
from engine.model import Contract

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


def number(value: object) -> str:
    """A number for messages: ``786,000``, ``2.75``, ``1,234.5`` (no trailing zeros)."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        d = Decimal(str(value))
        if d == d.to_integral_value():
            return f"{int(d):,}"
        return f"{d.normalize():,f}"
    return str(value)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@lru_cache(maxsize=1 << 14)
def day_text(d: date) -> str:
    """``Fri 2001-09-07`` (memoized: findings name the same few thousand days again and again)."""
    return f"{d:%a} {d.isoformat()}"


def day_ranges(days: list[date]) -> str:
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


def upper_first(text: str) -> str:
    """``text`` with its first letter upper case (``str.capitalize`` lowers the rest)."""
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1 << 14)
def short_day(d: date) -> str:
    """``Mon 09-10`` (memoized, as ``day_text``)."""
    return f"{d:%a %m-%d}"


_SHOWN, _FIRST, _LAST = 12, 4, 3  # over 12 items: the first 4, "...", the last 3 shown
# 40 calendar days hold at least 28 weekdays, at most 4 of them closed in a row (11-14 Sep
# 2001): more than 4 items at either end of a longer span, so the items shown are whole.
_WINDOW = timedelta(days=40)


@lru_cache(maxsize=1 << 14)
def counted_days(cal: DayCalendar, start: date, end: date) -> str:
    """The days counted from ``start`` to ``end`` (either way), closures in brackets; over
    12 items, the first 4, ``...`` and the last 3.

    Memoized: instances of one template count the same spans again and again (calendars
    are one object per name: ``engine.days.calendars.get_calendar``). A span of over twice
    ``_WINDOW`` (a late payment's, from its due date to the as-of date, years for some)
    holds over 12 items: only the days of its two ends are looked at.
    """
    lo, hi = sorted((start, end))
    back = start > end
    if hi - lo <= 2 * _WINDOW:
        items = _items(cal, back, lo, hi, lo, hi)
    else:  # the two ends alone: each holds more items than are shown of it
        items = [
            *_items(cal, back, lo, hi, lo, lo + _WINDOW),
            *_items(cal, back, lo, hi, hi - _WINDOW, hi),
        ]
    if back:
        items.reverse()
    if len(items) > _SHOWN:
        items = [*items[:_FIRST], "...", *items[-_LAST:]]
    return ", ".join(items)


def _items(
    cal: DayCalendar, back: bool, lo: date, hi: date, first: date, last: date
) -> list[str]:
    """The items of the days counted from ``lo`` to ``hi`` (``back``: from ``hi`` to ``lo``)
    that fall from ``first`` to ``last``, earliest first: a day counted, or a run of
    closures in brackets (a run cut by ``first`` or ``last`` shows only its part within)."""
    after = lo if first == lo else first - timedelta(days=1)  # (days count after ``lo``)
    days = cal.days_after(after, last)
    if back:  # counted back: the day reached counts, the last day before hi does not
        days = [*(days[:-1] if last == hi else days), *([lo] if first == lo else [])]
    closed = set(cal.closures(after, last))
    word = CLOSED_WORDS.get(cal.name, f"{cal.name} closed")
    items: list[str] = []
    run: list[date] = []

    def flush() -> None:
        if run:
            span = short_day(run[0]) if len(run) == 1 else f"{short_day(run[0])} to "
            span += short_day(run[-1]) if len(run) > 1 else ""
            items.append(f"[{span}: {word}]")
            run.clear()

    for day in sorted({*days, *closed} - {hi if back else lo}):
        if day in closed:
            run.append(day)
            continue
        flush()
        items.append(short_day(day))
    flush()
    return items
