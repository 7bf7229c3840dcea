"""Day calendars for counting "N trading/business days after D".

Three calendars are known (see :data:`CALENDAR_NAMES`):

* ``XNYS`` -- New York Stock Exchange sessions (from ``exchange_calendars``), so unscheduled
  closures such as 11-14 Sep 2001 count as closed; an early close is still a session.
* ``XFED`` -- New York banking days: weekdays that are not Federal Reserve holidays
  (from ``holidays``' Federal Reserve calendar).  The Fed was open on Good Friday and on
  11-14 Sep 2001, and closed on Columbus Day and Veterans Day, unlike the NYSE. The
  package lists the Fed's holidays from 1999 only (its sources start there); its rules
  (the federal holidays, one on a Sunday observed the Monday, one on a Saturday not
  moved: the Reserve Banks are open the Friday) are applied from 1990 too, the holidays
  of those years being the same (Martin Luther King, Jr.'s Birthday since 1986).
* ``calendar`` -- every day.

The exchange and banking calendars cover 1990-01-01..2045-12-31 and are built once per
process, on first use, from the days an earlier run kept on disk when there are
(``engine.days.calendar_cache``: no library imported then); dates outside that range
raise :class:`DateRangeError`. That range is also the range of dates ClauseWatch accepts
in facts and as the as-of date (:func:`unsupported`): a deadline counted in trading or
business days needs the calendar of its days, and ``exchange_calendars`` has the NYSE's
sessions from 1990 on, with the holiday rules projected to 2045.
"""

from __future__ import annotations

import difflib
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from engine.days.calendar_cache import cached_days

CALENDAR_NAMES: tuple[str, ...] = ("XNYS", "XFED", "calendar")

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2045, 12, 31)

_ONE_DAY = timedelta(days=1)


class DateRangeError(ValueError):
    """A date outside the range supported, or date arithmetic that runs past it."""


def unsupported(d: date) -> str:
    """Why ``d`` cannot be an input date (a fact's, the as-of date), or "" when it can."""
    if FIRST_DAY <= d <= LAST_DAY:
        return ""
    return (
        f"{d.isoformat()} is outside the dates supported, {FIRST_DAY.isoformat()} to "
        f"{LAST_DAY.isoformat()} (the range of the trading and business-day calendars)"
    )


class UnknownCalendarError(ValueError):
    """Raised for a calendar name that is not one of :data:`CALENDAR_NAMES`."""

    def __init__(self, name: str) -> None:
        self.name = name
        by_lower = {known.lower(): known for known in CALENDAR_NAMES}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
        hint = f"; did you mean {by_lower[close[0]]!r}?" if close else ""
        known = ", ".join(CALENDAR_NAMES)
        super().__init__(f"unknown calendar {name!r}{hint} (known calendars: {known})")


@dataclass(frozen=True, eq=False)
class DayCalendar:
    """A set of "days" (sessions, banking days or all days) that deadlines are counted in.

    ``days`` is the sorted tuple of member days within ``first``..``last``; ``None`` means
    every date is a day (the ``calendar`` calendar), with no range limit. One object per
    name (``get_calendar``), in every process (pickled as its name): equal and hashed as
    itself, so that a memo keyed by it (the words of counted days, its closures) does not
    hash its fields each time.
    """

    name: str
    label: str
    days: tuple[date, ...] | None = field(default=None, repr=False)
    first: date = date.min
    last: date = date.max

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return get_calendar, (self.name,)

    def _check(self, *ds: date) -> None:
        for d in ds:
            if not self.first <= d <= self.last:
                raise DateRangeError(
                    f"date {d.isoformat()} is outside the {self.name} calendar's range "
                    f"{self.first.isoformat()}..{self.last.isoformat()}"
                )

    def _beyond(self, d: date, n: int, direction: str) -> DateRangeError:
        return DateRangeError(
            f"counting {n} {self.label}(s) {direction} {d.isoformat()} runs past the "
            f"{self.name} calendar's range {self.first.isoformat()}..{self.last.isoformat()}"
        )

    def is_day(self, d: date) -> bool:
        """Whether ``d`` is a day of this calendar (a session, a banking day, ...)."""
        self._check(d)
        if self.days is None:
            return True
        i = bisect_left(self.days, d)
        return i < len(self.days) and self.days[i] == d

    def nth_after(self, d: date, n: int) -> date:
        """The ``n``-th day of this calendar strictly after ``d`` (``d`` need not be a day)."""
        _check_n(n)
        self._check(d)
        if self.days is None:
            try:
                return d + timedelta(days=n)
            except OverflowError:
                raise self._beyond(d, n, "after") from None
        i = bisect_right(self.days, d) + n - 1
        if i >= len(self.days):
            raise self._beyond(d, n, "after")
        return self.days[i]

    def nth_before(self, d: date, n: int) -> date:
        """The ``n``-th day of this calendar strictly before ``d`` (``d`` need not be a day)."""
        _check_n(n)
        self._check(d)
        if self.days is None:
            try:
                return d - timedelta(days=n)
            except OverflowError:
                raise self._beyond(d, n, "before") from None
        i = bisect_left(self.days, d) - n
        if i < 0:
            raise self._beyond(d, n, "before")
        return self.days[i]

    def days_after(self, after: date, through: date) -> list[date]:
        """The days strictly after ``after`` up to and including ``through``, in order."""
        self._check(after, through)
        if through <= after:
            return []
        if self.days is None:
            return [after + timedelta(days=k) for k in range(1, (through - after).days + 1)]
        return list(self.days[bisect_right(self.days, after) : bisect_right(self.days, through)])

    def closures(self, after: date, through: date) -> list[date]:
        """Weekdays strictly after ``after`` through ``through`` that are not days here.

        These are the holidays and special closures that explain why a count of days runs
        longer than the weekdays alone would suggest.
        """
        self._check(after, through)
        if self.days is None or through <= after:
            return []
        closed = _closures(self)
        return list(closed[bisect_right(closed, after) : bisect_right(closed, through)])


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of days to count must be an integer >= 1, not {n!r}")


def _xnys_days() -> tuple[date, ...]:
    import exchange_calendars

    with warnings.catch_warnings():
        # pandas deprecation noise from inside exchange_calendars; nothing we can act on.
        warnings.simplefilter("ignore")
        cal = exchange_calendars.get_calendar(
            "XNYS", start=FIRST_DAY.isoformat(), end=LAST_DAY.isoformat()
        )
        return tuple(date(d.year, d.month, d.day) for d in cal.sessions.date)


def _xfed_days() -> tuple[date, ...]:
    from holidays.financial.federal_reserve import XFED

    class FromFirstDay(XFED):  # (the package's own rules, from 1990 instead of 1999)
        start_year = FIRST_DAY.year

    closed = FromFirstDay(years=range(FIRST_DAY.year, LAST_DAY.year + 1))
    out: list[date] = []
    d = FIRST_DAY
    while d <= LAST_DAY:
        if d.weekday() < 5 and d not in closed:
            out.append(d)
        d += _ONE_DAY
    return tuple(out)


@cache
def _closures(cal: DayCalendar) -> tuple[date, ...]:
    """Every weekday of the calendar's range that is not one of its days, in order: worked
    out once per calendar, so that the closures of any span are a slice of it (a late
    payment's span runs from its due date to the as-of date, years for some)."""
    assert cal.days is not None
    open_days = set(cal.days)
    out: list[date] = []
    d = cal.first
    while d <= cal.last:
        if d.weekday() < 5 and d not in open_days:
            out.append(d)
        d += _ONE_DAY
    return tuple(out)


@cache
def get_calendar(name: str) -> DayCalendar:
    """The calendar called ``name`` (one of :data:`CALENDAR_NAMES`), built once per process.

    Raises :class:`UnknownCalendarError` for any other name.
    """
    if name == "XNYS":
        # (exchange_calendars' holiday rules use pandas' and dateutil's: Good Friday, ...)
        libraries = ("exchange_calendars", "pandas", "python-dateutil")
        days = cached_days("XNYS", libraries, FIRST_DAY, LAST_DAY, _xnys_days)
        return DayCalendar("XNYS", "NYSE trading day", days, FIRST_DAY, LAST_DAY)
    if name == "XFED":
        days = cached_days("XFED", ("holidays",), FIRST_DAY, LAST_DAY, _xfed_days)
        return DayCalendar("XFED", "New York banking day", days, FIRST_DAY, LAST_DAY)
    if name == "calendar":
        return DayCalendar("calendar", "calendar day")
    raise UnknownCalendarError(name)
