"""What a run's matches establish, one record each: an obligation instance (``Tracked``), a
breach episode of a standing duty (``Episode``), a forbidden act (``Act``), and the names
an expression of an obligation can use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pendulum

from engine.days.dates import Resolved, deadline_us, effective_us
from engine.model import Anchor, Contract, Fact, Obligation, Period, Schedule

NEVER_US = 2**53 - 1  # "no due date yet": no tick is ever later than this


def param_names(params: dict[str, Any], day: date | None) -> dict[str, Any]:
    """``param.*`` names; a schedule gives its value in force on ``day`` (the test day)."""
    return {
        f"param.{name}": value.on(day or date.min) if isinstance(value, Schedule) else value
        for name, value in params.items()
    }


def fact_env(prefix: str, fact: Fact | None) -> dict[str, Any]:
    """Expression names for a fact's fields: ``{prefix}.{field}``."""
    if fact is None:
        return {}
    return {f"{prefix}.{name}": value for name, value in fact.fields.items()}


@dataclass(slots=True)
class Tracked:
    """One obligation instance (a rule and a key) as the run has seen it so far (slotted:
    a portfolio's run opens one or two for each fact)."""

    obligation: Obligation
    key: str | None
    trigger: Fact
    params: dict[str, Any]
    tz: str  # the instance's time zone
    anchors: dict[Anchor, tuple[date, str]] = field(default_factory=dict)
    anchor_facts: list[Fact] = field(default_factory=list)
    totals: dict[Anchor, Decimal] = field(default_factory=dict)
    satisfier: Fact | None = None
    passed: bool = False  # the deadline went by unsatisfied (seen by a tick)
    rejected: list[tuple[Fact, str]] = field(default_factory=list)
    pending: list[Fact] = field(default_factory=list)  # undecidable yet: values still unknown
    totals_paid: dict[str, Decimal] = field(default_factory=dict)  # sums over satisfying facts
    due_day: date | None = None
    due_at: pendulum.DateTime | None = None
    due_how: str = ""
    late_after_us: int = NEVER_US  # ``due_at`` in epoch microseconds (``NEVER_US``: unknown)
    amount: Decimal | None = None
    # its fact in durable_rules (asserted if the session holds it: ``InstanceState.holds``)
    durable: dict[str, Any] = field(default_factory=dict)
    period: Period | None = None  # the period of a rule run per period
    readings: list[Fact] = field(default_factory=list)  # a test's figures for its period
    cures: list[Fact] = field(default_factory=list)  # facts offered to cure a failed test

    def env(self, fact: Fact | None = None) -> dict[str, Any]:
        """Names an expression of this obligation can use (lookups and values: see ``values``)."""
        env = param_names(self.params, self.test_day())
        env.update(self.period.names() if self.period else {})
        env.update(fact_env("trigger", self.trigger))
        env.update(fact_env("fact", fact))
        env.update({f"total.{k}": v for k, v in self.totals_paid.items()})
        env["obligation.amount"] = self.amount
        return env

    def test_day(self) -> date:
        """The day the rule tests (a period's last day, else its trigger's): a schedule
        parameter takes its value in force then."""
        return self.period.end if self.period else self.trigger.day(self.tz)

    def add_to_totals(self, fact: Fact) -> None:
        """Count a satisfying-type fact's numbers into ``total.<field>`` (instalments)."""
        for name, value in fact.fields.items():
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                self.totals_paid[name] = self.totals_paid.get(name, Decimal(0)) + Decimal(
                    str(value)
                )

    def set_due(self, contract: Contract, resolved: Resolved) -> None:
        """Take the due date resolved from the trigger and the anchors known now."""
        assert self.obligation.due is not None
        self.due_day, self.due_how = resolved.day, resolved.how
        self.due_at, self.late_after_us = None, NEVER_US
        if resolved.day is not None:
            due = deadline_us(contract, self.obligation.due, resolved.day)
            self.due_at, self.late_after_us = due

    def late(self, contract: Contract) -> bool:
        """Whether the satisfying fact (if any) came after the deadline (notices: deemed given)."""
        if self.satisfier is None or self.due_at is None:
            return False
        return effective_us(contract, self.satisfier) > self.late_after_us


@dataclass
class Episode:
    """A run of failed checks of a standing duty, from its first failure to its cure."""

    obligation: Obligation
    first: Fact
    shortfall: Decimal | None
    failures: list[Fact] = field(default_factory=list)
    cured_by: Fact | None = None


@dataclass(frozen=True)
class Act:
    """A forbidden act found: the rule, the fact, why, and the instance it belongs to."""

    obligation: Obligation
    fact: Fact
    reason: str
    key: str | None = None
