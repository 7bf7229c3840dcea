"""Tiered late-payment schedules: days late counted on a calendar, priced by tier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, DecimalException

from engine.days.calendars import get_calendar
from engine.days.dates import DateContext
from engine.days.words import counted_days, day_text, number, unit_label, upper_first
from engine.diagnostics import Diagnostic, InputError, Location, excerpt
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


MAX_DIGITS = 18  # a late payment, and its base, are below 10^18 dollars (a quintillion)


def _priced(per_unit: Decimal, base: Decimal, per: Decimal) -> Decimal | None:
    """``per_unit`` per ``per`` on ``base``, to the cent (half up); None if out of range.

    Below the bound, every amount fits the 28 digits of the decimal context exactly.
    """
    limit = Decimal(10) ** MAX_DIGITS
    try:
        amount = (per_unit * base / per).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except DecimalException:  # too many digits for the context, or an overflow
        return None
    return amount if abs(amount) < limit and abs(base) < limit else None


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
    amount = _priced(per_unit, base, schedule.per)
    if amount is None:
        where = ctx.trigger.loc if ctx.trigger is not None else Location(contract.path)
        about = f" (fact {ctx.trigger.id})" if ctx.trigger is not None else ""
        message = (
            f"the late payment{about} cannot be computed to the cent: {number(per_unit)} per "
            f"{number(schedule.per)} on {excerpt(base)} is not below 10^{MAX_DIGITS} dollars"
        )
        raise InputError([Diagnostic(where, message)])
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
