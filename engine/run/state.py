"""Run-time state of one evaluation: the run and its instances (the records of what their
matches established: ``engine.run.tracked``).

durable_rules decides *which* facts meet *which* obligation (type, key, order,
time); the objects here keep what each match established, so that findings can
cite the facts and explain the dates.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pendulum

from engine.days.dates import DateContext, Resolved, deadline_us, effective_us
from engine.days.instants import end_of_day
from engine.days.period_dues import period_due
from engine.diagnostics import Diagnostic
from engine.expressions import Expression, ExpressionError
from engine.model import Anchor, Contract, Fact, Instance, Obligation, Period
from engine.run.fact_anchors import named_fact_anchors
from engine.run.tracked import NEVER_US, Act, Episode, Tracked, fact_env, param_names


@dataclass
class InstanceState:
    """Everything one contract instance (one durable_rules session) accumulates in a run."""

    contract: Contract
    instance: Instance
    tracked: dict[tuple[str, str | None], Tracked] = field(default_factory=dict)
    episodes: dict[str, list[Episode]] = field(default_factory=dict)
    last_check: dict[str, tuple[Fact, bool]] = field(default_factory=dict)
    acts: list[Act] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    anchors: dict[Anchor, tuple[date, str]] = field(default_factory=dict)  # contract-wide dates
    anchor_facts: dict[Anchor, Fact] = field(default_factory=dict)  # the facts that fixed them
    totals: dict[Anchor, Decimal] = field(default_factory=dict)
    index: dict[str, list[Fact]] = field(default_factory=dict)  # facts kept for lookups
    allowed: dict[tuple[str, str | None], list[Fact]] = field(default_factory=dict)
    waivers: list[Fact] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # current values (amendments)
    periods: dict[str, list[Period]] = field(default_factory=dict)  # by schedule, once opened
    limited: dict[str, list[Fact]] = field(default_factory=dict)  # a limit rule's facts
    # Open obligations by their last on-time instant (a heap; entries of replaced
    # durable_rules facts are dropped as they come up): see ``due_before``.
    due: list[tuple[int, str, tuple[str, str | None]]] = field(default_factory=list)
    # A limit rule's refused facts by rule, once findings are made (every fact is in by
    # then): each failed covenant test with a cure asks (``engine.findings.limit``).
    refused: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)
    # The words of the findings made so far, each once: shared by the instances of a part
    # (``engine.findings.make``).
    words: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Whether findings carry their traces: a run whose report prints none, and records no
    # history, leaves them out (``engine.findings.make``; the deadline's is not built).
    traces: bool = field(default=True, repr=False, compare=False)
    # By rule, the states of its instances some pattern of the ruleset matches (None: any;
    # ``compile.ruleset.held_states``); None: every state of every rule.
    held_states: Mapping[str, frozenset[str] | None] | None = field(
        default=None, repr=False, compare=False
    )

    def holds(self, fact: dict[str, Any]) -> bool:
        """Whether durable_rules keeps an obligation's fact in its state: some pattern
        matches it (else it takes it for nothing, and matches it to nothing)."""
        if self.held_states is None:
            return True
        rule = fact["rule"]
        if rule not in self.held_states:
            return False
        states = self.held_states[rule]
        return states is None or fact["state"] in states

    def watch(self, tr: Tracked) -> None:
        """Note ``tr``'s durable_rules fact, just made, if open with a due date (a tick after
        it can fire its deadline rule)."""
        fact = tr.durable
        if fact["state"] == "open" and fact["late_after"] < NEVER_US:
            heapq.heappush(self.due, (fact["late_after"], fact["id"], (tr.obligation.id, tr.key)))

    def due_before(self, at_us: int) -> bool:
        """Whether an open obligation's last on-time instant is before ``at_us``: only then
        can a tick at ``at_us`` fire a rule (the deadline rules alone join ticks)."""
        while self.due:
            late_after, fact_id, key = self.due[0]
            tr = self.tracked.get(key)
            if tr is not None and tr.durable.get("id") == fact_id:
                return late_after < at_us
            heapq.heappop(self.due)
        return False

    def __post_init__(self) -> None:
        self.params = dict(self.instance.parameters)

    def cited(self, tr: Tracked) -> list[Fact]:
        """The facts behind an instance's dates and values: contract dates it uses, lookups."""
        facts = [
            self.anchor_facts[a]
            for a in named_fact_anchors(self.contract, tr.obligation)
            if a in self.anchor_facts
        ]
        if tr.obligation.lookups:
            ctx = self.date_context(tr, explain=False)
            for name in tr.obligation.lookups:
                found, _ = self.lookup(tr, name, ctx)
                if found is not None:
                    facts.append(found)
        return facts

    def date_context(self, tr: Tracked | None, explain: bool = True) -> DateContext:
        """Dates as known now, for one obligation instance (the contract-wide anchors,
        then its own) or the contract as a whole (``explain``: keep each step in words,
        for a trace)."""
        if tr is None:
            env = param_names(self.params, None)
            return DateContext(self.contract, None, self.anchors, env=env, explain=explain)
        return DateContext(
            self.contract,
            tr.trigger,
            {**self.anchors, **tr.anchors},
            tr.obligation.dates,
            tr.period,
            lambda: param_names(tr.params, tr.test_day()),
            partial(self.due_of, tr.key),
            explain,
        )

    def due_of(self, key: str | None, rule: str) -> tuple[date | None, str] | None:
        """The due date of another rule's instance for the same key, and how it is got."""
        other = self.tracked.get((rule, key))
        return (other.due_day, other.due_how) if other is not None else None

    def resolve_due(self, tr: Tracked) -> None:
        """Recompute an instance's due date from its trigger and the anchors known now."""
        if tr.obligation.due is not None:
            tr.set_due(self.contract, self.due_resolved(tr)[0])

    def due_resolved(self, tr: Tracked, explain: bool = False) -> tuple[Resolved, tuple[str, ...]]:
        """An instance's due date as known now and, if ``explain``, its steps in words (a
        recurring duty's shared by the template's instances where its period alone fixes
        it: ``engine.days.period_dues``)."""
        due = tr.obligation.due
        assert due is not None
        if tr.period is None:
            ctx = self.date_context(tr, explain)
            return ctx.resolve(due), tuple(ctx.steps)
        context = partial(self.date_context, tr)
        return period_due(self.contract, tr.obligation, tr.period, context, explain)

    def label(self, fact_type: str) -> str:
        """How a fact type reads: its vocabulary label (a breach of a rule: as it is named)."""
        ftype = self.contract.fact_types.get(fact_type)
        return ftype.label if ftype else fact_type

    def period_context(self, schedule: str, name: str) -> DateContext | None:
        """The dates of one period of a schedule (None if it has no such period)."""
        found = next((p for p in self.periods.get(schedule, []) if p.name == name), None)
        if found is None:
            return None
        env = param_names(self.params, found.end)
        return DateContext(self.contract, None, self.anchors, None, found, env)

    def lookup(self, tr: Tracked, name: str, ctx: DateContext) -> tuple[Fact | None, str]:
        """The fact a lookup names (None if not recorded), and words saying which."""
        spec = tr.obligation.lookups[name]
        label = self.contract.fact_types[spec.fact].label
        facts = self.index.get(spec.fact, [])
        ob, ftype = tr.obligation, self.contract.fact_types[spec.fact]
        if ob.key and ob.key in ftype.fields:
            facts = [f for f in facts if str(f.fields.get(ob.key)) == tr.key]
        if spec.by is not None:
            limit = ctx.resolve(spec.by)
            if limit.day is None:
                return None, f"no {label} known to be in time ({limit.how})"
            last = deadline_us(self.contract, spec.by, limit.day)[1]
            facts = [f for f in facts if effective_us(self.contract, f) <= last]
        if spec.on is None:
            return (facts[-1], f"{label} {facts[-1].id}") if facts else (None, f"no {label}")
        day = ctx.resolve(spec.on)
        if day.day is None:
            return None, f"{label} on {day.how}"
        tz = self.contract.time_zone
        found = [f for f in facts if f.day(tz) == day.day]
        if not found:
            return None, f"no {label} recorded for {day.how}"
        return found[-1], f"{label} {found[-1].id} of {day.how}"

    def values(self, tr: Tracked, fact: Fact | None = None) -> tuple[dict[str, Any], list[str]]:
        """The environment with lookups and computed values, and notes on what is missing."""
        env, notes = tr.env(fact), []
        ctx = self.date_context(tr, explain=False)
        for name in tr.obligation.lookups:
            found, how = self.lookup(tr, name, ctx)
            env.update(fact_env(f"lookup.{name}", found))
            if found is None:
                notes.append(how)
        for name, expr in tr.obligation.values.items():
            try:
                env[f"value.{name}"] = expr.evaluate(env)
            except ExpressionError:
                env[f"value.{name}"] = None
        return env, notes

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

    def fact_names(self, fact: Fact) -> dict[str, Any]:
        """``param.*`` and ``fact.*`` names: what a check of one fact can use."""
        return {**self.params_env(fact), **fact_env("fact", fact)}

    def params_env(self, fact: Fact) -> dict[str, Any]:
        """``param.*`` names of this instance, as amended so far, on the day of ``fact``."""
        return param_names(self.params, fact.day(self.contract.time_zone))

    def end_of(self, as_of: date) -> pendulum.DateTime:
        """The end of the as-of day in the contract's time zone."""
        return end_of_day(as_of, self.contract.time_zone)


@dataclass
class RunState:
    """One evaluation's state: instances by session id, facts by ``seq``, errors from actions.

    It is what the actions durable_rules calls are given: they reach the run through
    it, never through the driver.
    """

    instances: dict[str, InstanceState] = field(default_factory=dict)
    facts: dict[int, Fact] = field(default_factory=dict)
    errors: list[Exception] = field(default_factory=list)
    versions: Iterator[int] = field(default_factory=itertools.count)
    clock_seq: int = 0  # the last fact asserted before event time moved on (a tick)
    matched: set[str] = field(default_factory=set)  # sessions in which a rule took a fact

    def durable_id(self, prefix: str) -> str:
        """A fresh identity for a durable_rules fact (never its content hash, which can collide)."""
        return f"{prefix}{next(self.versions)}"

    def fact(self, matched: Any) -> Fact:
        """The Fact behind a durable_rules match."""
        return self.facts[matched["seq"]]

    def problem(self, fact: Fact, message: str) -> Diagnostic:
        """A diagnostic at a fact's line."""
        return Diagnostic(fact.loc, message)


def holds(
    st: InstanceState, expr: Expression | None, env: dict[str, Any], fact: Fact, rule: str
) -> bool:
    """Whether an optional condition holds (no condition: it does)."""
    return expr is None or bool(st.evaluate(expr, env, fact, rule))


def rejection(ob: Obligation) -> str:
    """Why a fact of the satisfying type did not satisfy."""
    assert ob.satisfied_by is not None and ob.satisfied_by.where is not None
    return f"does not meet `{ob.satisfied_by.where.source}`"


def settle_pending(st: InstanceState, tr: Tracked) -> None:
    """Decide the candidates that waited for values (e.g. a closing bid recorded later).

    Those whose values are still unknown stay pending: the finding is then open,
    awaiting the data, rather than judged on what is missing.
    """
    ob = tr.obligation
    assert ob.satisfied_by is not None
    undecided = []
    for fact in tr.pending:
        env, missing = st.values(tr, fact)
        if holds(st, ob.satisfied_by.where, env, fact, ob.id):
            if tr.satisfier is None:
                tr.satisfier = fact
        elif missing:
            undecided.append(fact)  # still waiting for the data it needs
        else:
            tr.rejected.append((fact, rejection(ob)))
    tr.pending[:] = undecided if tr.satisfier is None else []
