"""Parameter values and periods: schedules of values, parameter declarations, periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Step:
    """One value of a parameter schedule, in force from ``start`` (None: from the beginning)."""

    value: Decimal
    start: date | None = None


@dataclass(frozen=True)
class Schedule:
    """A parameter that changes at dates (a covenant's step-down): its steps, in date order."""

    steps: tuple[Step, ...]

    def on(self, day: date) -> Decimal:
        """The value in force on ``day`` (from the start of a step's first day)."""
        value = self.steps[0].value
        for step in self.steps:
            if step.start is None or step.start <= day:
                value = step.value
        return value

    def __str__(self) -> str:
        return "; ".join(
            f"{s.value}" if s.start is None else f"{s.value} from {s.start.isoformat()}"
            for s in self.steps
        )


@dataclass(frozen=True)
class ParameterSpec:
    """A parameter of a template: its type (number, date, text, schedule) and unit."""

    name: str
    type: str = "number"
    unit: str = ""
    section: str = ""
    required: bool = False  # no default: every instance gives its value


@dataclass(frozen=True)
class Period:
    """One period of a schedule: its name (the instances' key), first and last day."""

    schedule: str
    name: str
    start: date
    end: date
    index: int  # 1 for the first period of the schedule
    is_last_of_year: bool

    def names(self) -> dict[str, object]:
        """``period.*`` names for expressions."""
        return {
            "period.name": self.name,
            "period.start": self.start,
            "period.end": self.end,
            "period.index": Decimal(self.index),
            "period.is_last_of_year": self.is_last_of_year,
        }
