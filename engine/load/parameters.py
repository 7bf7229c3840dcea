"""Parameter values: a number, a date, text, or a schedule (a value that changes at dates).

The same reading serves a template's defaults, its inline instances and portfolio rows
(YAML values or CSV cells). A schedule is written as a list of steps in YAML::

    max_leverage: [{value: 3.50}, {value: 3.25, from: 2025-07-01}]

or, in a CSV cell, ``3.50; 3.25 from 2025-07-01``. A step is in force from the start of
its ``from`` day; the first step has no ``from``; the ``from`` days go up.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.days.instants import InstantError, parse_date
from engine.diagnostics import value_words
from engine.model import Schedule, Step

TYPES = ("number", "date", "text", "schedule")


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return Decimal(str(raw))
    if isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _date(raw: Any) -> tuple[date | None, str]:
    if isinstance(raw, date):
        return raw, ""
    if not isinstance(raw, str):
        return None, f"must be a date YYYY-MM-DD, not {value_words(raw)}"
    try:
        return parse_date(raw.strip()), ""
    except InstantError as exc:
        return None, str(exc)


def _steps(raw: Any) -> list[tuple[Any, Any]]:
    """(value, from) pairs of a schedule as written (YAML list or CSV text)."""
    if isinstance(raw, str):
        pairs = []
        for part in raw.split(";"):
            value, _, start = part.strip().partition(" from ")
            pairs.append((value.strip(), start.strip() or None))
        return pairs
    if isinstance(raw, list):
        return [
            (item.get("value"), item.get("from")) if isinstance(item, dict) else (item, None)
            for item in raw
        ]
    return []


def _schedule(raw: Any) -> tuple[Schedule | None, str]:
    pairs = _steps(raw)
    if not pairs:
        shape = "a list of {value, from} steps (CSV: `3.50; 3.25 from 2025-07-01`)"
        return None, f"must be {shape}, not {value_words(raw)}"
    steps: list[Step] = []
    for i, (value, start) in enumerate(pairs):
        number = _number(value)
        if number is None:
            return None, f"step {i + 1}: the value must be a number, not {value_words(value)}"
        if (i == 0) != (start is None):
            return None, f"step {i + 1}: every step but the first needs `from` (a date)"
        day = None
        if start is not None:
            day, problem = _date(start)
            if day is None:
                return None, f"step {i + 1}: `from` {problem}"
            if steps[-1].start is not None and day <= steps[-1].start:
                return None, f"step {i + 1}: `from` {day} does not come after {steps[-1].start}"
        steps.append(Step(number, day))
    return Schedule(tuple(steps)), ""


def convert(kind: str, raw: Any) -> tuple[Any, str]:
    """The value of a parameter of type ``kind``, or None and what is wrong with it."""
    if kind == "number":
        number = _number(raw)
        return (
            (number, "")
            if number is not None
            else (None, f"must be a number, not {value_words(raw)}")
        )
    if kind == "date":
        return _date(raw)
    if kind == "text":
        if isinstance(raw, str) and raw.strip():
            return raw.strip(), ""
        return None, f"must be text, not {value_words(raw)}"
    return _schedule(raw)
