"""Roll conventions on the XFED calendar (New York banking days), worked by hand.

Calendar facts used (Federal Reserve holidays; weekdays from a 2028/2029 calendar):
Labor Day Mon 2028-09-04; Columbus Day Mon 2028-10-09; Thanksgiving Thu 2028-11-23;
New Year's Day Mon 2029-01-01; Independence Day Tue 2028-07-04 (Mon 07-03 is open).
Sat 2028-09-30, Sun 2028-12-31, Sat 2028-07-01 are weekend days.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.days.calendars import get_calendar
from engine.days.rolls import roll

XFED = get_calendar("XFED")


@pytest.mark.parametrize(
    ("day", "convention", "rolled", "words"),
    [
        # Month end on a Saturday: following leaves the month, modified following does not.
        (date(2028, 9, 30), "following", date(2028, 10, 2),
         "Sat 2028-09-30 rolled to Mon 2028-10-02 (following)."),
        (date(2028, 9, 30), "modified_following", date(2028, 9, 29),
         "Sat 2028-09-30 rolled to Fri 2028-09-29 (modified following: Mon 2028-10-02 is in "
         "the next month)."),
        # Sun 2028-12-31: the next business day is Tue 2029-01-02 (1 January a holiday).
        (date(2028, 12, 31), "following", date(2029, 1, 2),
         "Sun 2028-12-31 rolled to Tue 2029-01-02 (following)."),
        (date(2028, 12, 31), "modified_following", date(2028, 12, 29),
         "Sun 2028-12-31 rolled to Fri 2028-12-29 (modified following: Tue 2029-01-02 is in "
         "the next month)."),
        # Over a holiday inside the month.
        (date(2028, 11, 23), "following", date(2028, 11, 24),
         "Thu 2028-11-23 rolled to Fri 2028-11-24 (following)."),
        (date(2028, 11, 23), "modified_following", date(2028, 11, 24),
         "Thu 2028-11-23 rolled to Fri 2028-11-24 (modified following)."),
        (date(2028, 9, 4), "preceding", date(2028, 9, 1),
         "Mon 2028-09-04 rolled to Fri 2028-09-01 (preceding)."),
        (date(2028, 9, 4), "modified_preceding", date(2028, 9, 1),
         "Mon 2028-09-04 rolled to Fri 2028-09-01 (modified preceding)."),
        # Month start on a Saturday: preceding leaves the month, modified preceding does not.
        (date(2028, 7, 1), "preceding", date(2028, 6, 30),
         "Sat 2028-07-01 rolled to Fri 2028-06-30 (preceding)."),
        (date(2028, 7, 1), "modified_preceding", date(2028, 7, 3),
         "Sat 2028-07-01 rolled to Mon 2028-07-03 (modified preceding: Fri 2028-06-30 is in "
         "the previous month)."),
        # Columbus Day is a bank holiday (an NYSE session).
        (date(2028, 10, 9), "following", date(2028, 10, 10),
         "Mon 2028-10-09 rolled to Tue 2028-10-10 (following)."),
    ],
)
def test_roll(day, convention, rolled, words):
    assert roll(XFED, day, convention) == (rolled, words)


@pytest.mark.parametrize("convention", ["following", "modified_following", "preceding",
                                        "modified_preceding"])
def test_a_business_day_is_not_moved(convention):
    assert roll(XFED, date(2028, 9, 29), convention) == (date(2028, 9, 29), "")


def test_an_explicit_list_of_dates_is_a_schedule():
    from engine.days.periods import periods

    # every: dates: the `also` dates alone, after `after` and through `through`, by date.
    found = periods("rent", "dates", 12, "date", date(2028, 1, 15), date(2028, 12, 31),
                    also=(date(2028, 6, 1), date(2028, 1, 15), date(2028, 3, 1),
                          date(2029, 1, 1)))
    assert [(p.name, p.start, p.end, p.index) for p in found] == [
        ("2028-03-01", date(2028, 3, 1), date(2028, 3, 1), 1),
        ("2028-06-01", date(2028, 6, 1), date(2028, 6, 1), 2),
    ]
