"""Findings of covenant tests: a period's figure against its limit, cured or not by the deadline.

``open`` while the period's figures are not in (the test cannot be judged) or while a
failed test may still be cured; ``met`` when it passes, or when a permitted cure
received in its window makes it pass (deemed met by the cure); ``breached`` when it
fails with no such cure once the deadline (the cure deadline) has passed.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.days.instants import describe
from engine.days.words import day_text, number
from engine.findings.limit import refused_facts
from engine.findings.make import make_finding
from engine.model import Fact, Finding, Obligation, Status
from engine.run.state import InstanceState
from engine.run.tracked import Tracked, fact_env


def figure(value: Any, unit: str) -> str:
    """A figure in words: a ratio as ``3.73:1.00``, other numbers as usual."""
    if unit == "ratio" and isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}:1.00"
    return number(value)


def _passes(value: Any, limit: Any, at_most: bool) -> bool:
    return (
        isinstance(value, Decimal)
        and isinstance(limit, Decimal)
        and (value <= limit if at_most else value >= limit)
    )


def _cure_problem(
    st: InstanceState, tr: Tracked, cure: Fact, reading: Fact, refused: set[str]
) -> tuple[str, Any]:
    """Why a cure does not save the test ('' if it does), and the figure it gives."""
    ob = tr.obligation
    assert ob.cure is not None and ob.test is not None
    ctx, day = st.date_context(tr, explain=False), cure.day(st.contract.time_zone)
    after = ctx.resolve(ob.cure.after).day if ob.cure.after else None
    by = ctx.resolve(ob.cure.by).day if ob.cure.by else tr.due_day
    env = {**tr.env(), **fact_env("test", reading), **fact_env("cure", cure)}
    value = st.evaluate(ob.cure.value, env, cure, ob.id)
    limit = st.evaluate(ob.test.limit, {**tr.env(), **fact_env("fact", reading)}, cure, ob.id)
    if after is not None and day <= after:
        return f"received on or before {day_text(after)}", value
    if by is not None and day > by:
        return f"received after the deadline {day_text(by)}", value
    if cure.id in refused:
        return f"not permitted (rule {ob.cure.unless_refused_by})", value
    if not _passes(value, limit, ob.test.at_most):
        return f"not enough: {figure(value, ob.unit)}", value
    return "", value


def _limit_words(ob: Obligation, limit: Any, on: date) -> str:
    assert ob.test is not None
    word = "maximum" if ob.test.at_most else "minimum"
    return f"the {word} {figure(limit, ob.unit)} in force on {on.isoformat()}"


def test_finding(st: InstanceState, tr: Tracked, as_of: date) -> Finding:
    """The finding of one period's test."""
    ob, tz = tr.obligation, st.contract.time_zone
    assert ob.test is not None and tr.period is not None
    says = ob.test.says or ob.id
    due = tr.due_day.isoformat() if tr.due_day else None
    facts = [tr.trigger.id]

    def finding(status: Status, message: str, steps: list[str]) -> Finding:
        trace = (*steps, f"Status: {status.value}.")
        return make_finding(
            st, ob.id, tr.key, status, due, tr.due_at, None, facts, message, trace=trace
        )

    if not tr.readings:
        label = st.contract.fact_types[ob.test.fact].label
        message = (
            f"No {label} for {tr.period.name} yet: the {says} cannot be judged "
            f"(cure deadline {due or 'not yet known'}: {tr.due_how})."
        )
        return finding(Status.OPEN, message, [message])
    reading = tr.readings[-1]
    env = {**tr.env(), **fact_env("fact", reading)}
    value = st.evaluate(ob.test.value, env, reading, ob.id)
    limit = st.evaluate(ob.test.limit, env, reading, ob.id)
    facts.append(reading.id)
    bound = _limit_words(ob, limit, tr.period.end)
    passes = _passes(value, limit, ob.test.at_most)
    verb = "is within" if passes else "exceeds" if ob.test.at_most else "is below"
    said = f"{says} {figure(value, ob.unit)} ({reading.id}) {verb} {bound}"
    steps = [
        f"{says} for {tr.period.name}: `{' '.join(ob.test.value.source.split())}` = "
        f"{number(value)} ({reading.id}); {bound}."
    ]
    if passes:
        return finding(Status.MET, said + ".", steps)
    cure_rule = ob.cure.unless_refused_by if ob.cure else ""
    refused = refused_facts(st, cure_rule) if cure_rule and tr.cures else set()
    notes = []
    for cure in tr.cures:
        facts.append(cure.id)
        problem, cured = _cure_problem(st, tr, cure, reading, refused)
        when = describe(cure.at, tz)
        if not problem:
            steps.append(f"Cure {cure.id} ({when}): {number(cured)}, permitted and in time.")
            message = (
                f"{said}; deemed met by the cure {cure.id} received {when}: "
                f"{figure(cured, ob.unit)}."
            )
            return finding(Status.MET, message, steps)
        notes.append(f"cure {cure.id} ({when}) does not count: {problem}")
        steps.append(f"Cure {cure.id} ({when}): does not count: {problem}.")
    tail = f"; {'; '.join(notes)}" if notes else ""
    if tr.passed:
        message = f"{said}; no permitted cure by the cure deadline {due} ({tr.due_how}){tail}."
        return finding(Status.BREACHED, message, steps)
    message = f"{said}; it may still be cured by {due} ({tr.due_how}){tail}."
    return finding(Status.OPEN, message, steps)
