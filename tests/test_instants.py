"""Tests for engine.days.instants.

Expected values were worked out by hand, not by running the code: US Eastern time in 2000-2001
was EST (UTC-5) except from the first Sunday of April at 02:00 to the last Sunday of October
at 02:00, EDT (UTC-4).  In 2000 those Sundays were 2 Apr and 29 Oct (1 Jan 2000 was a
Saturday, so 2 Apr and 1 Oct were Sundays).  Epoch arithmetic: 1970..1999 is 30 years with
7 leap years (72, 76, 80, 84, 88, 92, 96), i.e. 10957 days = 946684800 s to 2000-01-01T00:00Z.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pendulum
import pytest

from engine.days.instants import (
    InstantError,
    add_days,
    add_months,
    add_years,
    describe,
    end_of_day,
    end_of_month,
    epoch_us,
    format_due,
    local_time,
    parse_date,
    parse_instant,
    start_of_day,
)

NY = "America/New_York"
H = timedelta(hours=1)


# --- parse_date -----------------------------------------------------------------------


def test_parse_date():
    d = parse_date("2000-02-29")
    assert d == date(2000, 2, 29) and type(d) is date


def test_parse_date_impossible():
    with pytest.raises(InstantError, match=r"^impossible date 2001-02-29: "):
        parse_date("2001-02-29")
    with pytest.raises(InstantError, match="impossible date 2000-13-01"):
        parse_date("2000-13-01")


@pytest.mark.parametrize("text", ["2000-2-4", "20000204", "2000-02-04T00:00", " 2000-02-04", ""])
def test_parse_date_malformed(text):
    with pytest.raises(InstantError, match="malformed date"):
        parse_date(text)


# --- parse_instant --------------------------------------------------------------------


def test_parse_instant_date_only_is_local_midnight():
    dt = parse_instant("2000-02-04", NY)
    assert isinstance(dt, pendulum.DateTime)
    assert (dt.year, dt.month, dt.day, dt.hour, dt.minute) == (2000, 2, 4, 0, 0)
    assert dt.utcoffset() == -5 * H
    assert format_due(dt) == "2000-02-04T00:00:00-05:00"


def test_parse_instant_naive_times():
    assert format_due(parse_instant("2000-02-04T17:05", NY)) == "2000-02-04T17:05:00-05:00"
    assert format_due(parse_instant("2000-02-04T17:05:30", NY)) == "2000-02-04T17:05:30-05:00"
    assert format_due(parse_instant("2000-07-04T17:05", NY)) == "2000-07-04T17:05:00-04:00"
    assert parse_instant("2000-02-04T17:05:30.25", NY).microsecond == 250000


def test_parse_instant_with_offsets():
    z = parse_instant("2000-02-04T22:05:00Z", NY)
    assert z.utcoffset() == timedelta(0)
    # 22:05Z is 17:05 EST.
    assert z == parse_instant("2000-02-04T17:05", NY)
    given = parse_instant("2000-02-04T17:05:00-05:00", NY)
    assert given.utcoffset() == -5 * H and given == z
    india = parse_instant("2000-02-05T03:35:00+05:30", NY)
    assert india.utcoffset() == 5 * H + timedelta(minutes=30) and india == z


def test_parse_instant_spring_forward_gap():
    # 2 Apr 2000: 02:00 EST -> 03:00 EDT, so 02:30 never happened on New York clocks.
    with pytest.raises(InstantError, match=r"nonexistent local time 2000-04-02T02:30.*sprang"):
        parse_instant("2000-04-02T02:30", NY)
    with pytest.raises(InstantError, match="give an offset"):
        parse_instant("2000-04-02T02:00:00", NY)
    # With an offset it is a real instant: 02:30-05:00 = 07:30Z = 03:30 EDT.
    dt = parse_instant("2000-04-02T02:30:00-05:00", NY)
    assert describe(dt, NY) == "2000-04-02 03:30 EDT"
    # Either side of the gap is fine.
    assert parse_instant("2000-04-02T01:59", NY).utcoffset() == -5 * H
    assert parse_instant("2000-04-02T03:00", NY).utcoffset() == -4 * H


def test_parse_instant_fall_back_ambiguous():
    # 29 Oct 2000: 02:00 EDT -> 01:00 EST, so 01:30 happened twice.
    with pytest.raises(
        InstantError, match=r"ambiguous local time 2000-10-29T01:30.*give an offset"
    ):
        parse_instant("2000-10-29T01:30", NY)
    first = parse_instant("2000-10-29T01:30:00-04:00", NY)
    second = parse_instant("2000-10-29T01:30:00-05:00", NY)
    assert second - first == H
    assert describe(first, NY) == "2000-10-29 01:30 EDT"
    assert describe(second, NY) == "2000-10-29 01:30 EST"
    assert parse_instant("2000-10-29T00:59", NY).utcoffset() == -4 * H
    assert parse_instant("2000-10-29T02:00", NY).utcoffset() == -5 * H


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("2000-02-30", "impossible date 2000-02-30"),
        ("2000-02-30T10:00", "impossible date 2000-02-30"),
        ("2001-02-29T10:00:00Z", "impossible date 2001-02-29"),
        ("2000-02-04T25:00", "impossible time"),
        ("2000-02-04T17:60", "impossible time"),
        ("2000-02-04T17:05:00+24:00", "impossible offset"),
        ("2000-02-04Z", "malformed"),
        ("2000-02-04 17:05", "malformed"),
        ("2000-02-04T17", "malformed"),
        ("4 Feb 2000", "malformed"),
        ("2000-02-04T17:05:00-0500", "malformed"),
    ],
)
def test_parse_instant_rejects(text, pattern):
    with pytest.raises(InstantError, match=pattern):
        parse_instant(text, NY)


def test_unknown_time_zone():
    with pytest.raises(InstantError, match="unknown time zone 'Mars/Olympus'"):
        parse_instant("2000-02-04", "Mars/Olympus")


# --- local_time, start/end of day -----------------------------------------------------


def test_local_time_winter_and_summer():
    assert local_time(date(2000, 1, 14), "17:00", NY).utcoffset() == -5 * H
    assert format_due(local_time(date(2000, 1, 14), "17:00", NY)) == "2000-01-14T17:00:00-05:00"
    assert local_time(date(2000, 7, 14), "17:00", NY).utcoffset() == -4 * H
    assert format_due(local_time(date(2000, 7, 14), "17:00", NY)) == "2000-07-14T17:00:00-04:00"


def test_local_time_on_switch_days():
    # 17:00 on both switch days is after the 02:00 switch.
    assert local_time(date(2000, 4, 2), "17:00", NY).utcoffset() == -4 * H
    assert local_time(date(2000, 10, 29), "17:00", NY).utcoffset() == -5 * H
    assert local_time(date(2000, 4, 2), "01:00", NY).utcoffset() == -5 * H
    assert local_time(date(2000, 10, 29), "00:30", NY).utcoffset() == -4 * H
    with pytest.raises(InstantError, match="nonexistent"):
        local_time(date(2000, 4, 2), "02:30", NY)
    with pytest.raises(InstantError, match="ambiguous"):
        local_time(date(2000, 10, 29), "01:30", NY)


@pytest.mark.parametrize("bad", ["5pm", "17:0", "24:00", "17:60", "17:00:00"])
def test_local_time_malformed(bad):
    with pytest.raises(InstantError, match="malformed time of day"):
        local_time(date(2000, 1, 14), bad, NY)


def test_start_and_end_of_day():
    s = start_of_day(date(2000, 1, 14), NY)
    e = end_of_day(date(2000, 1, 14), NY)
    assert format_due(s) == "2000-01-14T00:00:00-05:00"
    assert (e.hour, e.minute, e.second, e.microsecond) == (23, 59, 59, 999999)
    assert e.utcoffset() == -5 * H
    assert e - s == 24 * H - timedelta(microseconds=1)


def test_day_lengths_on_switch_days():
    # Spring-forward day has 23 hours, fall-back day 25.
    s, e = start_of_day(date(2000, 4, 2), NY), end_of_day(date(2000, 4, 2), NY)
    assert (s.utcoffset(), e.utcoffset()) == (-5 * H, -4 * H)
    assert epoch_us(e) - epoch_us(s) == 23 * 3600 * 10**6 - 1
    s, e = start_of_day(date(2000, 10, 29), NY), end_of_day(date(2000, 10, 29), NY)
    assert (s.utcoffset(), e.utcoffset()) == (-4 * H, -5 * H)
    assert epoch_us(e) - epoch_us(s) == 25 * 3600 * 10**6 - 1


def test_start_of_day_when_midnight_is_skipped():
    # Brazil moved clocks from 00:00 to 01:00 on Sun 4 Nov 2018: the day starts at 01:00 -02:00.
    s = start_of_day(date(2018, 11, 4), "America/Sao_Paulo")
    assert format_due(s) == "2018-11-04T01:00:00-02:00"


# --- date arithmetic ------------------------------------------------------------------


def test_add_days():
    assert add_days(date(2000, 2, 28), 2) == date(2000, 3, 1)
    assert add_days(date(2000, 3, 1), -1) == date(2000, 2, 29)


def test_add_years_anniversary():
    assert add_years(date(2000, 2, 29), 5) == date(2005, 2, 28)
    assert add_years(date(2000, 2, 29), 4) == date(2004, 2, 29)
    assert add_years(date(2000, 3, 15), 5) == date(2005, 3, 15)
    assert type(add_years(date(2000, 2, 29), 5)) is date


def test_add_months_clamps():
    assert add_months(date(2000, 1, 31), 1) == date(2000, 2, 29)
    assert add_months(date(2001, 1, 31), 1) == date(2001, 2, 28)
    assert add_months(date(2000, 3, 31), -1) == date(2000, 2, 29)
    assert add_months(date(2000, 11, 15), 3) == date(2001, 2, 15)
    assert type(add_months(date(2000, 1, 31), 1)) is date


def test_end_of_month():
    assert end_of_month(date(2000, 2, 10)) == date(2000, 2, 29)
    assert end_of_month(date(2005, 2, 1)) == date(2005, 2, 28)
    assert end_of_month(date(1900, 2, 1)) == date(1900, 2, 28)  # 1900 not a leap year
    assert end_of_month(date(2000, 12, 31)) == date(2000, 12, 31)
    assert end_of_month(add_years(date(2000, 3, 15), 5)) == date(2005, 3, 31)
    assert type(end_of_month(date(2000, 2, 10))) is date


# --- epoch_us, format_due, describe ---------------------------------------------------


def test_epoch_us_exact():
    assert epoch_us(parse_instant("1970-01-01T00:00:00Z", NY)) == 0
    assert epoch_us(parse_instant("2000-01-01T00:00:00Z", NY)) == 946684800 * 10**6
    # One microsecond past; float seconds (946684800.000001) cannot hold this exactly.
    one = parse_instant("2000-01-01T00:00:00.000001Z", NY)
    assert epoch_us(one) == 946684800 * 10**6 + 1
    # The same instant written in New York time (19:00 EST the day before).
    assert epoch_us(parse_instant("1999-12-31T19:00:00.000001", NY)) == 946684800 * 10**6 + 1
    assert epoch_us(end_of_day(date(1970, 1, 1), "UTC")) == 86400 * 10**6 - 1
    assert epoch_us(parse_instant("1969-12-31T23:59:59.999999Z", NY)) == -1
    assert isinstance(epoch_us(one), int)


def test_format_due():
    assert format_due(local_time(date(2000, 3, 8), "17:00", NY)) == "2000-03-08T17:00:00-05:00"
    assert format_due(parse_instant("2000-02-04T22:05:00Z", NY)) == "2000-02-04T22:05:00+00:00"
    # Seconds precision: microseconds are dropped, not rounded up into the next second.
    assert format_due(end_of_day(date(2000, 3, 8), NY)) == "2000-03-08T23:59:59-05:00"


def test_describe():
    assert describe(local_time(date(2001, 9, 18), "17:05", NY), NY) == "2001-09-18 17:05 EDT"
    # 22:00Z on 14 Jan 2000 is 17:00 EST.
    assert describe(parse_instant("2000-01-14T22:00:00Z", "UTC"), NY) == "2000-01-14 17:00 EST"
    assert describe(parse_instant("2000-01-14T17:00:30", NY), NY) == "2000-01-14 17:00:30 EST"
    assert describe(end_of_day(date(2000, 1, 14), NY), NY) == "2000-01-14 23:59:59.999999 EST"
    assert describe(local_time(date(2000, 1, 14), "17:00", NY), "UTC") == "2000-01-14 22:00 UTC"


def test_never_reads_the_clock():
    src = Path(__file__).resolve().parents[1] / "engine"
    forbidden = re.compile(r"\b(now|today|utcnow|time\.time|time\.monotonic|localtime)\s*\(")
    for name in ("days/instants.py", "days/calendars.py"):
        assert not forbidden.search((src / name).read_text()), name
