"""Tiered late-payment schedules: days late counted on a calendar, priced by tier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from engine.days.calendars import get_calendar
from engine.days.dates import DateContext, counted_days, day_text, unit_label, upper_first
from engine.model import Contract, LatePayment


@dataclass(frozen=True)
class LateCharge:
    """A computed late payment and the words that justify it."""

    amount: Decimal
    days_late: int
    how: str
    steps: tuple[str, ...] = ()


def tier_days(schedule: LatePayment, days_late: int) -> list[tuple[int, Decimal]]:
    """(days, rate) for each tier the late days reach: day 1..through at the first rate..."""
    used, counted = [], 0
    for tier in schedule.tiers:
        upto = days_late if tier.through is None else min(days_late, tier.through)
        if upto > counted:
            used.append((upto - counted, tier.rate))
            counted = upto
    return used


def tier_total(schedule: LatePayment, days_late: int) -> Decimal:
    """Sum of the tier rates over the late days."""
    return sum((rate * days for days, rate in tier_days(schedule, days_late)), Decimal(0))


def late_charge(
    schedule: LatePayment, ctx: DateContext, contract: Contract, base: Decimal, through: date
) -> LateCharge | None:
    """The late payment for days late up to and including ``through``; None if unknown."""
    start = ctx.resolve(schedule.after)
    if start.day is None:
        return None
    cal = get_calendar(contract.calendar_for(schedule.count_unit))
    unit = unit_label(contract, schedule.count_unit, plural=True)
    late_days = cal.days_after(start.day, through)
    per_unit = tier_total(schedule, len(late_days))
    amount = (per_unit * base / schedule.per).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if late_days:
        span = f"{day_text(late_days[0])} to {day_text(late_days[-1])}"
        if len(late_days) == 1:
            span = day_text(late_days[0])
        closed = cal.closures(late_days[0], late_days[-1])
        if closed:
            span += f"; not counted: {', '.join(day_text(d) for d in closed)}"
        how = (
            f"{len(late_days)} {unit} late after {start.how} ({span}): "
            f"${per_unit:,.2f} per ${schedule.per:,.0f} on ${base:,.2f} = ${amount:,.2f}"
        )
    else:
        how = (
            f"no late payment yet: none of the {unit} after {start.how} "
            f"has passed by {day_text(through)}"
        )
    steps = [
        *ctx.steps,
        f"{upper_first(unit)} late: after {day_text(start.day)} through {day_text(through)}: "
        + (
            f"{counted_days(cal, start.day, through)} = {len(late_days)}." if late_days else "none."
        ),
        f"Schedule: {tier_words(schedule, len(late_days))} = ${per_unit:,.2f} per "
        f"${schedule.per:,.0f}; x ${base:,.2f} / ${schedule.per:,.0f} = ${amount:,.2f} "
        "(to the cent, half up).",
    ]
    return LateCharge(amount, len(late_days), how, tuple(steps))


def tier_words(schedule: LatePayment, days_late: int) -> str:
    """``10 x $100 + 1 x $200``: the tiers applied to the days late."""
    parts = [f"{days} x ${rate:,.0f}" for days, rate in tier_days(schedule, days_late)]
    return " + ".join(parts) or "0 days"
