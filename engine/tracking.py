"""Run-time state of one evaluation: obligation instances, breach episodes, prohibited acts.

durable_rules decides *which* facts meet *which* obligation (type, key, order,
time); the objects here keep what each match established, so that findings can
cite the facts and explain the dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pendulum

from engine.dates import DateContext, deadline_instant
from engine.diagnostics import Diagnostic
from engine.expressions import Expression, ExpressionError
from engine.instants import end_of_day, epoch_us
from engine.model import Anchor, Contract, Fact, Instance, Obligation

NEVER_US = 2**53 - 1  # "no due date yet": no tick is ever later than this


def fact_env(prefix: str, fact: Fact | None) -> dict[str, Any]:
    """Expression names for a fact's fields: ``{prefix}.{field}``."""
    if fact is None:
        return {}
    return {f"{prefix}.{name}": value for name, value in fact.fields.items()}


@dataclass
class Tracked:
    """One obligation instance (a rule and a key) as the run has seen it so far."""

    obligation: Obligation
    key: str | None
    trigger: Fact
    params: dict[str, Decimal]
    anchors: dict[Anchor, tuple[date, str]] = field(default_factory=dict)
    anchor_facts: list[Fact] = field(default_factory=list)
    totals: dict[Anchor, Decimal] = field(default_factory=dict)
    satisfier: Fact | None = None
    passed: bool = False  # the deadline went by unsatisfied (seen by a tick)
    rejected: list[tuple[Fact, str]] = field(default_factory=list)
    due_day: date | None = None
    due_at: pendulum.DateTime | None = None
    due_how: str = ""
    amount: Decimal | None = None
    durable: dict[str, Any] = field(default_factory=dict)  # the fact asserted in durable_rules

    def env(self, fact: Fact | None = None) -> dict[str, Any]:
        """Names an expression of this obligation can use."""
        env: dict[str, Any] = {f"param.{k}": v for k, v in self.params.items()}
        env.update(fact_env("trigger", self.trigger))
        env.update(fact_env("fact", fact))
        env["obligation.amount"] = self.amount
        return env

    def resolve_due(self, contract: Contract) -> None:
        """Recompute the due date from the trigger and the anchors known now."""
        assert self.obligation.due is not None
        resolved = DateContext(contract, self.trigger, self.anchors).resolve(self.obligation.due)
        self.due_day, self.due_how = resolved.day, resolved.how
        self.due_at = None
        if resolved.day is not None:
            self.due_at = deadline_instant(contract, self.obligation.due, resolved.day)

    @property
    def late_after_us(self) -> int:
        """The last on-time instant in epoch microseconds (``NEVER_US`` while unknown)."""
        return epoch_us(self.due_at) if self.due_at is not None else NEVER_US

    @property
    def late(self) -> bool:
        """Whether the satisfying fact (if any) came after the deadline."""
        if self.satisfier is None or self.due_at is None:
            return False
        return epoch_us(self.satisfier.at) > epoch_us(self.due_at)


@dataclass
class Episode:
    """A run of failed checks of a standing duty, from its first failure to its cure."""

    obligation: Obligation
    first: Fact
    shortfall: Decimal | None
    failures: list[Fact] = field(default_factory=list)
    cured_by: Fact | None = None


@dataclass
class InstanceState:
    """Everything one contract instance (one durable_rules session) accumulates in a run."""

    contract: Contract
    instance: Instance
    tracked: dict[tuple[str, str | None], Tracked] = field(default_factory=dict)
    episodes: dict[str, list[Episode]] = field(default_factory=dict)
    last_check: dict[str, tuple[Fact, bool]] = field(default_factory=dict)
    acts: list[tuple[Obligation, Fact]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def evaluate(self, expr: Expression, env: dict[str, Any], fact: Fact, rule: str) -> Any:
        """Evaluate ``expr``; a data problem becomes a diagnostic at the fact's line."""
        try:
            return expr.evaluate(env)
        except ExpressionError as exc:
            self.problems.append(
                Diagnostic(
                    fact.loc, f"rule {rule}: {exc.message} in `{expr.source}` (fact {fact.id})"
                )
            )
            return None

    def params_env(self) -> dict[str, Any]:
        """``param.*`` names of this instance."""
        return {f"param.{k}": v for k, v in self.instance.parameters.items()}

    def end_of(self, as_of: date) -> pendulum.DateTime:
        """The end of the as-of day in the contract's time zone."""
        return end_of_day(as_of, self.contract.time_zone)
