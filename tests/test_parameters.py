"""Parameter values: numbers, dates, text and schedules (a value that changes at dates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.load.parameters import convert
from engine.model import Schedule, Step

NEEDS_FROM = "every step but the first needs `from` (a date)"
STEP_DOWN = Schedule((Step(Decimal("3.50")), Step(Decimal("3.25"), date(2025, 7, 1))))


def test_a_schedule_takes_the_value_in_force_on_the_day():
    # The leverage step-down: 3.50 for quarters ending on or before 2025-06-30, 3.25 after.
    assert STEP_DOWN.on(date(2025, 6, 30)) == Decimal("3.50")
    assert STEP_DOWN.on(date(2025, 7, 1)) == Decimal("3.25")
    assert STEP_DOWN.on(date(2025, 9, 30)) == Decimal("3.25")
    assert str(STEP_DOWN) == "3.50; 3.25 from 2025-07-01"


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("number", 250000000, Decimal(250000000)),
        ("number", "3.5", Decimal("3.5")),
        ("date", "2026-05-31", date(2026, 5, 31)),
        ("text", " 06-30 ", "06-30"),
        ("schedule", [{"value": 3.5}, {"value": 3.25, "from": "2025-07-01"}], STEP_DOWN),
        ("schedule", "3.50; 3.25 from 2025-07-01", STEP_DOWN),
        ("schedule", "4.00", Schedule((Step(Decimal("4.00")),))),
    ],
)
def test_values_of_each_type(kind, raw, value):
    assert convert(kind, raw) == (value, "")


@pytest.mark.parametrize(
    ("kind", "raw", "problem"),
    [
        ("number", True, "must be a number, not true"),
        ("number", "1,000", 'must be a number, not the string "1,000"'),
        ("date", "2026-02-30", "impossible date 2026-02-30: day is out of range for month"),
        ("date", 20260531, "must be a date YYYY-MM-DD, not 20260531"),
        ("text", "", 'must be text, not the string ""'),
        ("schedule", "3.50 from 2025-01-01", f"step 1: {NEEDS_FROM}"),
        ("schedule", "3.50; 3.25", f"step 2: {NEEDS_FROM}"),
        ("schedule", "3.5; 3.25 from 2025-07-01; 3 from 2025-07-01",
         "step 3: `from` 2025-07-01 does not come after 2025-07-01"),
        ("schedule", "3.5; x from 2025-07-01",
         'step 2: the value must be a number, not the string "x"'),
    ],
)
def test_bad_values_say_what_is_wrong(kind, raw, problem):
    assert convert(kind, raw) == (None, problem)
