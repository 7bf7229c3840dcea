"""Instants, time zones and calendar arithmetic, on top of pendulum.

Dates are plain :class:`datetime.date`; instants are time-zone-aware
:class:`pendulum.DateTime`.  Nothing here reads the clock.  Naive local times that do not
exist (spring-forward gap) or exist twice (fall-back hour) are rejected rather than guessed.
"""

from __future__ import annotations

import re
import zoneinfo
from calendar import monthrange
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache, lru_cache

import pendulum

from engine.days.calendars import DateRangeError

_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INSTANT_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
# "HH:MM" of a day: its hour, minute and microseconds since midnight
_CLOCK = {f"{h:02}:{m:02}": (h, m, (h * 60 + m) * 60_000_000) for h in range(24) for m in range(60)}
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_minus = datetime.__sub__
_US = timedelta(microseconds=1)
_OFFSET_US: dict[timedelta, int] = {}  # a UTC offset in microseconds (a zone has a few)


class InstantError(ValueError):
    """A date, time or instant that cannot be parsed or does not exist; message is for users."""


@cache
def zone_names() -> frozenset[str]:
    """The IANA time zone names this machine knows, read once (``zoneinfo`` walks the time
    zone database's directory each time it is asked: 10,000 instances asked 10,000 times)."""
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1024)  # kept: pendulum keeps a zone only while something refers to it
def _zone(tz: str) -> pendulum.Timezone:
    try:
        return pendulum.timezone(tz)
    except (ValueError, KeyError) as e:
        raise InstantError(f"unknown time zone {tz!r}") from e


def _date(y: str, m: str, d: str) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError as e:
        raise InstantError(f"impossible date {y}-{m}-{d}: {e}") from None


def _localize(naive: datetime, tz: str, strict: bool, later: bool = False) -> pendulum.DateTime:
    """``naive`` wall time in ``tz``.

    ``strict`` rejects nonexistent and ambiguous wall times; otherwise a nonexistent time is
    moved forward by the size of the gap and an ambiguous one takes the earlier (or, with
    ``later``, the later) of its two instants.
    """
    zone = _zone(tz)
    wall = (naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second)
    first = datetime(*wall, naive.microsecond, zone, fold=0)  # (``replace`` costs far more)
    second = datetime(*wall, naive.microsecond, zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        shown = naive.isoformat(timespec="minutes" if not naive.second else "seconds")
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back != naive:  # the wall time does not survive a round trip: it is in a gap
            if strict:
                raise InstantError(
                    f"nonexistent local time {shown} in {tz} (clocks sprang forward); "
                    "give an offset"
                )
            return pendulum.instance(first.astimezone(UTC)).in_timezone(tz)
        if strict:
            raise InstantError(
                f"ambiguous local time {shown} in {tz} (clocks fell back, so it happened "
                "twice); give an offset"
            )
        return pendulum.instance(second if later else first)
    # What ``pendulum.instance(first)`` gives for a wall time that exists once (it shifts
    # nothing then, and keeps the zone and fold 0), without its cost.
    return pendulum.DateTime(*wall, naive.microsecond, zone, fold=0)


def parse_date(text: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` date."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise InstantError(f"malformed date {text!r}: expected YYYY-MM-DD")
    return _date(*m.groups())


def parse_instant(text: str, tz: str) -> pendulum.DateTime:
    """Parse a date, a local date-time in ``tz``, or a date-time with an offset or ``Z``.

    ``YYYY-MM-DD`` is midnight in ``tz``; ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` is that wall time in
    ``tz`` (rejected if it does not exist or is ambiguous there); with a ``Z`` or ``+HH:MM``
    suffix it is that exact instant, kept in the offset given.
    """
    quick = _quick_local(text, tz)
    if quick is not None:
        return quick[0]
    m = _INSTANT_RE.fullmatch(text)
    if not m:
        raise InstantError(
            f"malformed date/time {text!r}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] "
            "or either with an offset such as Z or -05:00"
        )
    try:
        instant = _instant(text, tz, m)
        if instant.year in (1, 9999):  # an offset (under a day) moves no other year out
            instant.astimezone(UTC)  # it must exist as a UTC instant too (not past year 9999)
    except OverflowError:
        raise InstantError(f"{text} is out of range: not an instant in years 1 to 9999") from None
    return instant


def parse_instant_us(text: str, tz: str) -> tuple[pendulum.DateTime, int]:
    """``parse_instant(text, tz)`` and its :func:`epoch_us`, worked out together."""
    quick = _quick_local(text, tz)
    if quick is not None:
        return quick
    at = parse_instant(text, tz)
    return at, epoch_us(at)


def _quick_local(text: str, tz: str) -> tuple[pendulum.DateTime, int] | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` when that wall time exists once in ``tz``, and
    its epoch microseconds.

    What the general way (``_instant``, ``_localize``) gives for it, built in one step with
    what the day's date gives kept (:func:`_local_day`), and checked on plain datetimes (a
    pendulum one is slow to ask its offset). None for any other text (another form, an
    impossible date or time, an unknown zone, a wall time in a gap or there twice, years 1
    and 9999): the general way then says what it is.
    """
    size = len(text)
    if size == 16 and text[10] == "T":
        clock = _CLOCK.get(text[11:])
        if clock is None:
            return None
        hour, minute, clock_us = clock
    elif size == 10:
        hour = minute = clock_us = 0
    else:
        return None
    day = _local_day(text[:10], tz)  # (its pattern takes ASCII digits only)
    if day is None:
        return None
    year, month, mday, zone, midnight_us = day
    first = datetime(year, month, mday, hour, minute, 0, 0, zone)
    offset = first.utcoffset()
    second = datetime(year, month, mday, hour, minute, 0, 0, zone, fold=1)
    if offset is None or offset != second.utcoffset():
        return None
    offset_us = _OFFSET_US.get(offset)
    if offset_us is None:
        offset_us = _OFFSET_US[offset] = offset // _US
    us = midnight_us + clock_us - offset_us
    return pendulum.DateTime(year, month, mday, hour, minute, 0, 0, zone), us


@lru_cache(maxsize=4096)
def _local_day(text: str, tz: str) -> tuple[int, int, int, pendulum.Timezone, int] | None:
    """Year, month, day, zone and the naive epoch microseconds of midnight of a date
    ``YYYY-MM-DD`` in ``tz``; None if it is not one, or in years 1 and 9999."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        return None
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
        zone = _zone(tz)
    except ValueError:  # (InstantError too: an unknown zone)
        return None
    if day.year in (1, 9999):
        return None
    return day.year, day.month, day.day, zone, (day - _EPOCH.date()).days * 86_400_000_000


def _instant(text: str, tz: str, m: re.Match[str]) -> pendulum.DateTime:
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    day = _date(y, mo, d)
    if hh is None:
        return _localize(datetime(day.year, day.month, day.day), tz, strict=True)
    try:
        clock = time(int(hh), int(mi), int(ss or 0), int((frac or "0").ljust(6, "0")))
    except ValueError as e:
        raise InstantError(f"impossible time in {text}: {e}") from None
    naive = datetime.combine(day, clock)
    if off is None:
        return _localize(naive, tz, strict=True)
    if off == "Z":
        return pendulum.instance(naive.replace(tzinfo=UTC))
    sign = -1 if off[0] == "-" else 1
    oh, om = int(off[1:3]), int(off[4:6])
    if oh > 23 or om > 59:
        raise InstantError(f"impossible offset {off} in {text}")
    offset = timezone(sign * timedelta(hours=oh, minutes=om))
    return pendulum.instance(naive.replace(tzinfo=offset))


@lru_cache(maxsize=1 << 14)
def local_time(d: date, hhmm: str, tz: str) -> pendulum.DateTime:
    """Wall time ``hhmm`` (``"17:00"``) on ``d`` in ``tz``, with that day's UTC offset.

    Raises :class:`InstantError` if the time is malformed, or does not exist or is
    ambiguous on that day (a DST switch). Memoized, as ``start_of_day``, ``end_of_day``
    and ``last_instant``: a portfolio's instances of a template share their deadlines,
    and an instant is immutable (an error is raised afresh each time, never kept).
    """
    clock = _CLOCK.get(hhmm)
    if clock is None:
        raise InstantError(f"malformed time of day {hhmm!r}: expected HH:MM (00:00..23:59)")
    naive = datetime(d.year, d.month, d.day, clock[0], clock[1])
    return _localize(naive, tz, strict=True)


@lru_cache(maxsize=1 << 14)
def start_of_day(d: date, tz: str) -> pendulum.DateTime:
    """The first instant of ``d`` in ``tz`` (midnight, or the end of a gap at midnight)."""
    return _localize(datetime(d.year, d.month, d.day), tz, strict=False)


@lru_cache(maxsize=1 << 14)
def end_of_day(d: date, tz: str) -> pendulum.DateTime:
    """The last instant of ``d`` in ``tz``: 23:59:59.999999 local time."""
    naive = datetime(d.year, d.month, d.day, 23, 59, 59, 999999)
    return _localize(naive, tz, strict=False, later=True)


@lru_cache(maxsize=1 << 14)
def last_instant(d: date, hhmm: str | None, tz: str) -> tuple[pendulum.DateTime, int]:
    """A deadline's last on-time instant on ``d`` in ``tz`` (``hhmm``, else the end of the
    day) and its :func:`epoch_us`, worked out once (a template's instances share their
    deadlines; an error is raised afresh each time, never kept)."""
    instant = local_time(d, hhmm, tz) if hhmm else end_of_day(d, tz)
    return instant, epoch_us(instant)


def _plain(d: date) -> date:
    return date(d.year, d.month, d.day)


def _ymd(d: date) -> tuple[int, int, int]:
    return d.year, d.month, d.day


# Dates that arithmetic may reach: a day's margin inside Python's range, so that any
# instant of the day, in any time zone, still exists.
_LOWEST, _HIGHEST = date(1, 1, 2), date(9999, 12, 30)


def _within(d: date, n: int, unit: str, compute: Callable[[], date]) -> date:
    """``compute()``, or :class:`DateRangeError` if it runs past the dates Python has."""
    try:
        result = compute()
    except (OverflowError, ValueError):
        result = None
    if result is None or not _LOWEST <= result <= _HIGHEST:
        raise DateRangeError(
            f"{d.isoformat()} {'+' if n >= 0 else '-'} {abs(n)} {unit} is not a date "
            f"(before {_LOWEST.isoformat()} or after {_HIGHEST.isoformat()})"
        )
    return result


def add_days(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar days (``n`` may be negative)."""
    return _within(d, n, "days", lambda: _plain(d) + timedelta(days=n))


def add_months(d: date, n: int) -> date:
    """``d`` plus ``n`` months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    return _within(d, n, "months", lambda: _plain(pendulum.date(*_ymd(d)).add(months=n)))


def add_years(d: date, n: int) -> date:
    """The ``n``-th anniversary of ``d``; Feb 29 falls back to Feb 28 in common years."""
    return _within(d, n, "years", lambda: _plain(pendulum.date(*_ymd(d)).add(years=n)))


def end_of_month(d: date) -> date:
    """The last day of ``d``'s month."""
    return date(d.year, d.month, monthrange(d.year, d.month)[1])


def epoch_us(dt: pendulum.DateTime) -> int:
    """Exact integer microseconds since 1970-01-01T00:00Z (no floating point)."""
    try:
        # datetime's own subtraction (pendulum's makes an interval): exact, in C
        return _minus(dt, _EPOCH_UTC) // _US
    except TypeError:  # a naive date-time, or no date-time at all
        raise ValueError(f"epoch_us needs an aware date-time, got {dt!r}") from None


def format_due(dt: pendulum.DateTime) -> str:
    """ISO 8601 in ``dt``'s own offset, to the second: ``2000-03-08T17:00:00-05:00``."""
    return dt.isoformat(timespec="seconds")


def describe(dt: pendulum.DateTime, tz: str) -> str:
    """``dt`` in ``tz`` for messages: ``2001-09-18 17:05 EDT``.

    Seconds (and microseconds) are shown only when non-zero, so that e.g. an end-of-day
    deadline reads ``23:59:59.999999`` rather than being rounded to look earlier.
    """
    return _described(dt, tz)


@lru_cache(maxsize=1 << 16)
def _described(dt: pendulum.DateTime, tz: str) -> str:
    """``describe`` worked out (memoized: findings describe the same instants again)."""
    # in that zone already (a fact read there: as ``engine.model.Fact.day`` takes it)
    if getattr(dt.tzinfo, "name", None) == tz:
        local = dt
    else:
        local = pendulum.instance(dt).in_timezone(_zone(tz))
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.microsecond:
        clock += f":{local.second:02d}.{local.microsecond:06d}"
    elif local.second:
        clock += f":{local.second:02d}"
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {clock} {local.tzname()}"
