"""Tests for engine.days.calendars, and the days a count went through in words
(engine.days.words.counted_days).

Every expected date below was worked out by hand from a printed calendar and the published
NYSE / Federal Reserve holiday lists, never by running the code.  Weekday anchors used:
1 Jan 2000 was a Saturday, so 3 Mar 2000 was a Friday (Feb 2000 had 29 days); Easter 2000 was
23 Apr, so Good Friday was 21 Apr; 11 Sep 2001 was a Tuesday (NYSE shut 11-14 Sep and
reopened Mon 17 Sep; the Fed stayed open); 4 Jul 2000 was a Tuesday, so 2 Aug 2000 was a
Wednesday; 1 Jan 1990 was a Monday; 1 Jan 2045 is a Sunday (16437 days after Sat 1 Jan 2000,
16437 = 7 * 2348 + 1), so 2045, a common year, also ends on a Sunday (31 Dec).
"""

from datetime import date, timedelta

import pytest

from engine.days.calendars import CALENDAR_NAMES, DayCalendar, UnknownCalendarError, get_calendar
from engine.days.words import counted_days

D = date


@pytest.fixture(scope="module")
def xnys() -> DayCalendar:
    return get_calendar("XNYS")


@pytest.fixture(scope="module")
def xfed() -> DayCalendar:
    return get_calendar("XFED")


@pytest.fixture(scope="module")
def cal() -> DayCalendar:
    return get_calendar("calendar")


def test_names_and_labels(xnys, xfed, cal):
    assert CALENDAR_NAMES == ("XNYS", "XFED", "calendar")
    assert (xnys.name, xnys.label) == ("XNYS", "NYSE trading day")
    assert (xfed.name, xfed.label) == ("XFED", "New York banking day")
    assert (cal.name, cal.label) == ("calendar", "calendar day")


def test_cached():
    assert get_calendar("XNYS") is get_calendar("XNYS")
    assert get_calendar("XFED") is get_calendar("XFED")


def test_unknown_calendar():
    with pytest.raises(UnknownCalendarError) as info:
        get_calendar("XNSY")
    msg = str(info.value)
    assert "'XNSY'" in msg and "did you mean 'XNYS'" in msg
    assert "XNYS, XFED, calendar" in msg
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnknownCalendarError, match="did you mean 'XNYS'"):
        get_calendar("xnys")
    with pytest.raises(UnknownCalendarError) as info:
        get_calendar("LSE")
    assert "did you mean" not in str(info.value)


# --- XNYS -----------------------------------------------------------------------------


def test_xnys_ordinary_week(xnys):
    # Fri 3 Mar 2000 + 3 trading days: Mon 6, Tue 7, Wed 8.
    assert xnys.nth_after(D(2000, 3, 3), 3) == D(2000, 3, 8)
    assert xnys.nth_after(D(2000, 3, 3), 1) == D(2000, 3, 6)


def test_xnys_september_2001_closure(xnys):
    # Fri 7 Sep 2001 + 3: Mon 10, (closed Tue 11 - Fri 14), Mon 17, Tue 18.
    assert xnys.nth_after(D(2001, 9, 7), 3) == D(2001, 9, 18)
    assert not xnys.is_day(D(2001, 9, 11))
    assert xnys.is_day(D(2001, 9, 17))


def test_xnys_good_friday(xnys):
    # Thu 20 Apr 2000 + 1: Good Friday 21 Apr closed, weekend, so Mon 24 Apr.
    assert xnys.nth_after(D(2000, 4, 20), 1) == D(2000, 4, 24)
    assert not xnys.is_day(D(2000, 4, 21))


def test_xnys_anchor_on_weekend_or_holiday(xnys):
    # Sat 4 Mar 2000 + 1 -> Mon 6 Mar; Good Friday 21 Apr 2000 + 1 -> Mon 24 Apr;
    # Sun 24 Dec 2000 + 1 -> Tue 26 Dec (Christmas fell on Monday 25 Dec 2000).
    assert xnys.nth_after(D(2000, 3, 4), 1) == D(2000, 3, 6)
    assert xnys.nth_after(D(2000, 4, 21), 1) == D(2000, 4, 24)
    assert xnys.nth_after(D(2000, 12, 24), 1) == D(2000, 12, 26)
    # Sat 4 Mar 2000 + 3 -> Mon 6, Tue 7, Wed 8.
    assert xnys.nth_after(D(2000, 3, 4), 3) == D(2000, 3, 8)


def test_xnys_early_close_is_a_session(xnys):
    # Fri 24 Nov 2000 (day after Thanksgiving, Thu 23 Nov) closed at 1 pm: still a session.
    assert xnys.is_day(D(2000, 11, 24))
    assert not xnys.is_day(D(2000, 11, 23))


def test_xnys_nth_before(xnys):
    # Wed 15 Mar 2000 - 1 -> Tue 14 Mar; Mon 24 Apr 2000 - 1 -> Thu 20 Apr (Good Friday shut).
    assert xnys.nth_before(D(2000, 3, 15), 1) == D(2000, 3, 14)
    assert xnys.nth_before(D(2000, 4, 24), 1) == D(2000, 4, 20)
    # Tue 18 Sep 2001 - 2 -> Mon 17, Mon 10 Sep.
    assert xnys.nth_before(D(2001, 9, 18), 2) == D(2001, 9, 10)
    # From a Sunday: Sun 5 Mar 2000 - 1 -> Fri 3 Mar.
    assert xnys.nth_before(D(2000, 3, 5), 1) == D(2000, 3, 3)


def test_xnys_closures(xnys):
    assert xnys.closures(D(2001, 9, 7), D(2001, 9, 18)) == [
        D(2001, 9, 11),
        D(2001, 9, 12),
        D(2001, 9, 13),
        D(2001, 9, 14),
    ]
    # Weekends are not closures; Good Friday is.
    assert xnys.closures(D(2000, 4, 20), D(2000, 4, 24)) == [D(2000, 4, 21)]
    assert xnys.closures(D(2000, 3, 3), D(2000, 3, 8)) == []
    assert xnys.closures(D(2000, 3, 8), D(2000, 3, 3)) == []


def test_xnys_days_after_boundaries(xnys):
    # Strictly after Fri 3 Mar 2000 through Wed 8 Mar: Mon 6, Tue 7, Wed 8.
    assert xnys.days_after(D(2000, 3, 3), D(2000, 3, 8)) == [
        D(2000, 3, 6),
        D(2000, 3, 7),
        D(2000, 3, 8),
    ]
    assert xnys.days_after(D(2000, 3, 6), D(2000, 3, 6)) == []
    assert xnys.days_after(D(2000, 3, 8), D(2000, 3, 3)) == []
    assert xnys.days_after(D(2000, 3, 3), D(2000, 3, 5)) == []  # only a weekend
    assert xnys.days_after(D(2000, 3, 5), D(2000, 3, 6)) == [D(2000, 3, 6)]


def test_conversion_example(xnys):
    # Wed 2 Aug 2000 + 3: Thu 3, Fri 4, Mon 7 Aug.  Then Tue 8 - Fri 11 Aug: 4 sessions.
    assert xnys.nth_after(D(2000, 8, 2), 3) == D(2000, 8, 7)
    assert xnys.days_after(D(2000, 8, 7), D(2000, 8, 11)) == [
        D(2000, 8, 8),
        D(2000, 8, 9),
        D(2000, 8, 10),
        D(2000, 8, 11),
    ]


def test_xnys_range(xnys):
    # Mon 1 Jan 1990 was New Year's Day, so the first session after it is Tue 2 Jan.
    assert xnys.nth_after(D(1990, 1, 1), 1) == D(1990, 1, 2)
    assert not xnys.is_day(D(1990, 1, 1))
    # Sun 31 Dec 2045 - 1 -> Fri 29 Dec 2045; nothing after Fri 29 Dec within the range.
    assert xnys.nth_before(D(2045, 12, 31), 1) == D(2045, 12, 29)
    assert xnys.is_day(D(2045, 12, 29))
    with pytest.raises(ValueError, match="range"):
        xnys.nth_after(D(2045, 12, 29), 1)
    with pytest.raises(ValueError, match="1989-12-29 is outside the XNYS calendar's range"):
        xnys.is_day(D(1989, 12, 29))
    with pytest.raises(ValueError, match="outside"):
        xnys.nth_after(D(1989, 12, 29), 1)
    with pytest.raises(ValueError, match="outside"):
        xnys.days_after(D(2000, 1, 3), D(2046, 1, 2))
    with pytest.raises(ValueError, match="range"):
        xnys.nth_before(D(1990, 1, 2), 1)


def test_n_must_be_positive(xnys, xfed, cal):
    for c in (xnys, xfed, cal):
        for bad in (0, -1):
            with pytest.raises(ValueError, match=">= 1"):
                c.nth_after(D(2000, 3, 3), bad)
            with pytest.raises(ValueError, match=">= 1"):
                c.nth_before(D(2000, 3, 3), bad)


# --- XFED -----------------------------------------------------------------------------


def test_xfed_open_on_good_friday(xfed):
    # The Fed does not close for Good Friday: Thu 20 Apr 2000 + 1 -> Fri 21 Apr.
    assert xfed.nth_after(D(2000, 4, 20), 1) == D(2000, 4, 21)


def test_xfed_open_september_2001(xfed):
    # Fri 7 Sep 2001 + 3 banking days: Mon 10, Tue 11, Wed 12.
    assert xfed.nth_after(D(2001, 9, 7), 3) == D(2001, 9, 12)
    assert xfed.closures(D(2001, 9, 7), D(2001, 9, 18)) == []


def test_xfed_columbus_and_veterans_day(xfed, xnys):
    # Columbus Day Mon 9 Oct 2000: Fed shut, NYSE open.
    assert xfed.nth_after(D(2000, 10, 6), 1) == D(2000, 10, 10)
    assert xnys.nth_after(D(2000, 10, 6), 1) == D(2000, 10, 9)
    # Veterans Day Sun 11 Nov 2001, observed Mon 12 Nov by the Fed; NYSE open.
    assert xfed.closures(D(2001, 11, 9), D(2001, 11, 13)) == [D(2001, 11, 12)]
    assert xnys.closures(D(2001, 11, 9), D(2001, 11, 13)) == []


def test_xfed_holidays_before_1999(xfed):
    # The holidays package lists the Fed's holidays from 1999 only: before this was
    # fixed, every weekday of 1990-1998 counted as a banking day. Worked from a calendar
    # of those years and the federal holidays: Christmas Mon 25 Dec 1995 shut, so Fri 22
    # Dec + 1 -> Tue 26 Dec; Veterans Day Sun 11 Nov 1990 observed Mon 12 Nov; Martin
    # Luther King, Jr.'s Birthday the third Monday of January (1 Jan 1990 a Monday: the
    # 15th); Thanksgiving the fourth Thursday of November (Thu 28 Nov 1996); Columbus Day
    # the second Monday of October (Mon 13 Oct 1997). Independence Day Sat 4 Jul 1998 is
    # not moved: the Reserve Banks open on Fri 3 Jul.
    assert xfed.nth_after(D(1995, 12, 22), 1) == D(1995, 12, 26)
    assert xfed.closures(D(1990, 11, 9), D(1990, 11, 13)) == [D(1990, 11, 12)]
    for shut in (D(1990, 1, 15), D(1996, 11, 28), D(1997, 10, 13), D(1995, 12, 25)):
        assert not xfed.is_day(shut)
    assert xfed.is_day(D(1998, 7, 3))
    # 1998's weekday holidays (Sat 4 Jul is none)
    assert xfed.closures(D(1997, 12, 31), D(1998, 12, 31)) == [
        D(1998, 1, 1),
        D(1998, 1, 19),
        D(1998, 2, 16),
        D(1998, 5, 25),
        D(1998, 9, 7),
        D(1998, 10, 12),
        D(1998, 11, 11),
        D(1998, 11, 26),
        D(1998, 12, 25),
    ]


def test_xfed_weekends_and_range(xfed):
    assert not xfed.is_day(D(2000, 3, 4))  # Saturday
    assert xfed.nth_after(D(2000, 3, 4), 1) == D(2000, 3, 6)
    assert xfed.nth_before(D(2000, 3, 15), 1) == D(2000, 3, 14)
    assert xfed.nth_after(D(1990, 1, 1), 1) == D(1990, 1, 2)
    assert not xfed.is_day(D(1990, 1, 1))  # New Year's Day, a Monday
    assert xfed.nth_before(D(2045, 12, 31), 1) == D(2045, 12, 29)
    with pytest.raises(ValueError, match="outside"):
        xfed.is_day(D(1989, 6, 1))


# --- calendar days --------------------------------------------------------------------


def test_calendar_days(cal):
    # 2000 is a leap year: Mon 28 Feb + 2 -> Wed 1 Mar.
    assert cal.nth_after(D(2000, 2, 28), 2) == D(2000, 3, 1)
    assert cal.nth_before(D(2000, 3, 1), 1) == D(2000, 2, 29)
    assert cal.is_day(D(2000, 3, 4))
    assert cal.days_after(D(2000, 2, 27), D(2000, 3, 1)) == [
        D(2000, 2, 28),
        D(2000, 2, 29),
        D(2000, 3, 1),
    ]
    assert cal.days_after(D(2000, 3, 1), D(2000, 3, 1)) == []
    assert cal.closures(D(2001, 9, 7), D(2001, 9, 18)) == []
    # No 1990..2045 limit for plain calendar days.
    assert cal.nth_after(D(1950, 12, 31), 1) == D(1951, 1, 1)


# --- the days a count went through, in words (engine.days.words.counted_days) ----------


def test_counted_days_in_full_up_to_twelve_items(xnys):
    # After Fri 7 Sep 2001: Mon 10, the closure Tue 11 to Fri 14, then two full weeks
    # (17-21, 24-28 Sep): 1 + 1 + 5 + 5 = 12 items, all shown.
    assert counted_days(xnys, D(2001, 9, 7), D(2001, 9, 28)) == (
        "Mon 09-10, [Tue 09-11 to Fri 09-14: NYSE closed], Mon 09-17, Tue 09-18, "
        "Wed 09-19, Thu 09-20, Fri 09-21, Mon 09-24, Tue 09-25, Wed 09-26, Thu 09-27, "
        "Fri 09-28"
    )
    # One day more (Mon 1 Oct) makes 13: the first 4, then the last 3.
    assert counted_days(xnys, D(2001, 9, 7), D(2001, 10, 1)) == (
        "Mon 09-10, [Tue 09-11 to Fri 09-14: NYSE closed], Mon 09-17, Tue 09-18, ..., "
        "Thu 09-27, Fri 09-28, Mon 10-01"
    )


def test_counted_days_over_months_both_ways(xnys):
    # Fri 31 Aug to Fri 28 Dec 2001 (119 days): Labor Day was Mon 3 Sep (8 days before
    # Tue 11 Sep), Christmas a Tuesday (105 = 7 x 15 days after 11 Sep); Mon 24 Dec was a
    # session (an early close).
    assert counted_days(xnys, D(2001, 8, 31), D(2001, 12, 28)) == (
        "[Mon 09-03: NYSE closed], Tue 09-04, Wed 09-05, Thu 09-06, ..., "
        "Wed 12-26, Thu 12-27, Fri 12-28"
    )
    # Counted back from Fri 28 Dec to Fri 31 Aug: the latest first, the day reached last.
    assert counted_days(xnys, D(2001, 12, 28), D(2001, 8, 31)) == (
        "Thu 12-27, Wed 12-26, [Tue 12-25: NYSE closed], Mon 12-24, ..., "
        "Tue 09-04, [Mon 09-03: NYSE closed], Fri 08-31"
    )


def test_counted_days_either_side_of_the_two_ends_rule(xnys):
    # Fri 31 Aug + 80 days = Mon 19 Nov 2001 (30 to 30 Sep, 61 to 31 Oct, 80 to 19 Nov; 70
    # days after Tue 11 Sep, 10 weeks, is Tue 20 Nov). 80 days: every day looked at; 81
    # days: only the two ends. No NYSE closure from 17 Sep to 20 Nov (Columbus Day and
    # Veterans Day were sessions; Thanksgiving was 22 Nov).
    head = "[Mon 09-03: NYSE closed], Tue 09-04, Wed 09-05, Thu 09-06, ..., "
    assert counted_days(xnys, D(2001, 8, 31), D(2001, 11, 19)) == (
        head + "Thu 11-15, Fri 11-16, Mon 11-19"
    )
    assert counted_days(xnys, D(2001, 8, 31), D(2001, 11, 20)) == (
        head + "Fri 11-16, Mon 11-19, Tue 11-20"
    )
    # Counted back: the day counted from is not an item, the day reached is.
    tail = ", ..., Tue 09-04, [Mon 09-03: NYSE closed], Fri 08-31"
    assert counted_days(xnys, D(2001, 11, 19), D(2001, 8, 31)) == (
        "Fri 11-16, Thu 11-15, Wed 11-14, Tue 11-13" + tail
    )
    assert counted_days(xnys, D(2001, 11, 20), D(2001, 8, 31)) == (
        "Mon 11-19, Fri 11-16, Thu 11-15, Wed 11-14" + tail
    )


@pytest.mark.parametrize("name", CALENDAR_NAMES)
def test_counted_days_two_ends_as_every_day(name, monkeypatch):
    # The two ends of a long span give what looking at every one of its days gives (a
    # window wider than the calendars' range makes every count look at every day).
    import random

    from engine.days import words

    cal, rng = get_calendar(name), random.Random(5)
    spans = []
    for _ in range(300):
        a = D(1990, 1, 2) + timedelta(days=rng.randrange(17_000))  # (b before 2045)
        b = a + timedelta(days=rng.choice([81, 82, 120, 400, 3_000]))
        spans += [(a, b), (b, a)]
    ends = [words.counted_days.__wrapped__(cal, a, b) for a, b in spans]
    monkeypatch.setattr(words, "_WINDOW", timedelta(days=30_000))
    assert [words.counted_days.__wrapped__(cal, a, b) for a, b in spans] == ends
