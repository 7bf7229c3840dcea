"""Dates and numbers in the words findings and traces use: ``Fri 2001-09-07``, ``786,000``,
``the 3rd business day (NYSE trading day)``, the days a count went through."""

from __future__ import annotations

from datetime import date
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


@lru_cache(maxsize=1 << 14)
def counted_days(cal: DayCalendar, start: date, end: date) -> str:
    """The days counted from ``start`` to ``end`` (either way), closures in brackets.

    Memoized: instances of one template count the same spans again and again (calendars
    are one object per name: ``engine.days.calendars.get_calendar``).
    """
    lo, hi = sorted((start, end))
    days = cal.days_after(lo, hi) if start < end else [*cal.days_after(lo, hi)[:-1], lo]
    closed = set(cal.closures(lo, hi))
    word = CLOSED_WORDS.get(cal.name, f"{cal.name} closed")
    items: list[str] = []
    run: list[date] = []

    def flush() -> None:
        if run:
            span = short_day(run[0]) if len(run) == 1 else f"{short_day(run[0])} to "
            span += short_day(run[-1]) if len(run) > 1 else ""
            items.append(f"[{span}: {word}]")
            run.clear()

    for day in sorted({*days, *closed} - {start}):
        if day in closed:
            run.append(day)
            continue
        flush()
        items.append(short_day(day))
    flush()
    if start > end:
        items.reverse()
    if len(items) > 12:
        items = [*items[:4], "...", *items[-3:]]
    return ", ".join(items)
