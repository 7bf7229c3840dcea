"""Findings of deadlines and rights: met, late, breached, expired or open, with a trace."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from engine.days.dates import effective_day, effective_us
from engine.days.instants import describe, end_of_day, format_due
from engine.days.words import day_text, number, upper_first
from engine.findings.latepay import late_charge
from engine.findings.make import make_finding
from engine.model import Fact, Finding, Kind, Status
from engine.run.state import InstanceState, settle_pending
from engine.run.tracked import Tracked


def as_of_words(as_of: date) -> str:
    """The words of a lapsed deadline's message that name the as-of date: the only part of
    a deadline's finding that moves with it (``engine.findings.horizon.redate``)."""
    return f"none by the as-of date {as_of}."


def _delta(seconds: int) -> str:
    """``5 minutes``, ``2 hours 5 minutes``, ``3 days 1 hour``."""
    minutes = max(1, round(seconds / 60)) if seconds > 0 else 0
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n][:2]
    return " ".join(words) or "less than a minute"


def _due_words(tr: Tracked, tz: str) -> tuple[str | None, str | None]:
    """The JSON ``due`` and the words for it."""
    ob = tr.obligation
    if tr.due_at is None or tr.due_day is None or ob.due is None:
        return None, None
    if ob.due.at:
        return format_due(tr.due_at), describe(tr.due_at, tz)
    return tr.due_day.isoformat(), f"the end of {day_text(tr.due_day)}"


def _lateness(st: InstanceState, tr: Tracked, sat: Fact) -> str:
    assert tr.due_at is not None and tr.due_day is not None and tr.obligation.due is not None
    if tr.obligation.due.at:
        return _delta((effective_us(st.contract, sat) - tr.late_after_us) // 1_000_000)
    day = effective_day(st.contract, sat)[0]
    return _delta((day - tr.due_day).days * 86400)


def _when(st: InstanceState, fact: Fact) -> str:
    """When a fact happened, and when it counts if it is a notice deemed given later."""
    tz = st.contract.time_zone
    day, how = effective_day(st.contract, fact)
    words = describe(fact.at, tz)
    return words if day == fact.day(tz) and "deemed" not in how else f"{words}, {how}"


def _values_words(st: InstanceState, tr: Tracked) -> str:
    """`` Computed: warrant shares 36,363; exercise price 2.75.`` for rules with values."""
    if not tr.obligation.values:
        return ""
    env, missing = st.values(tr)
    parts = []
    for name in tr.obligation.values:
        value = env.get(f"value.{name}")
        words = name.replace("_", " ")
        parts.append(f"{words} {number(value)}" if value is not None else f"{words} not yet known")
    note = f" ({'; '.join(missing)})" if missing else ""
    return f" Computed: {'; '.join(parts)}{note}."


def value_steps(st: InstanceState, tr: Tracked) -> list[str]:
    """The facts looked up and the values computed from them, in words."""
    ob = tr.obligation
    if not ob.lookups and not ob.values:
        return []
    steps = []
    ctx = st.date_context(tr, explain=False)
    for name in ob.lookups:
        found, how = st.lookup(tr, name, ctx)
        fields = ", ".join(f"{k} {number(v)}" for k, v in found.fields.items()) if found else ""
        steps.append(f"Lookup `{name}`: {how}" + (f" ({fields})." if found else "."))
    env, _ = st.values(tr)
    for name, expr in ob.values.items():
        value = env.get(f"value.{name}")
        shown = number(value) if value is not None else "not yet known"
        steps.append(f"Value `{name}` = `{expr.source}` = {shown}.")
    return steps


def deadline_trace(st: InstanceState, tr: Tracked, late: bool, sat_when: str) -> tuple[str, ...]:
    """Each step from the trigger to the status, in words (``late``: whether the satisfying
    fact came late; ``sat_when``: when it happened, in words)."""
    ob, tz = tr.obligation, st.contract.time_zone
    trigger_label = st.label(tr.trigger.type)
    steps = [f"Started by {trigger_label} {_when(st, tr.trigger)} ({tr.trigger.id})."]
    if ob.due is not None:
        steps += st.due_resolved(tr, explain=True)[1]
    if tr.due_at is not None and tr.due_day is not None and ob.due is not None:
        if ob.due.at:
            utc = datetime.astimezone(tr.due_at, UTC)  # (pendulum's own is slower)
            steps.append(
                f"{ob.due.at} {tz} on {day_text(tr.due_day)} = {format_due(tr.due_at)} "
                f"= {utc:%H:%M} UTC{'' if utc.date() == tr.due_day else ' next day'}."
            )
        else:
            steps.append(
                f"Runs to the end of {day_text(tr.due_day)} in {tz} ({describe(tr.due_at, tz)})."
            )
    steps += value_steps(st, tr)
    for fact, reason in tr.rejected:
        steps.append(
            f"{upper_first(st.contract.fact_types[fact.type].label)} "
            f"{describe(fact.at, tz)} ({fact.id}) {reason}."
        )
    sat = tr.satisfier
    if sat is not None:
        label = st.contract.fact_types[sat.type].label
        verdict = f"{_lateness(st, tr, sat)} after the deadline: late" if late else "on time"
        steps.append(f"{upper_first(label)} {sat_when} ({sat.id}): {verdict}.")
    elif tr.passed:
        steps.append("Nothing satisfied it before the deadline passed.")
    return tuple(steps)


def deadline_finding(st: InstanceState, tr: Tracked, as_of: date) -> Finding:
    """The finding of a deadline or right instance."""
    ob, tz = tr.obligation, st.contract.time_zone
    assert ob.satisfied_by is not None
    settle_pending(st, tr)
    label = st.contract.fact_types[ob.satisfied_by.fact].label
    due, due_text = _due_words(tr, tz)
    how, sat = tr.due_how, tr.satisfier
    lapse = Status.EXPIRED if ob.kind is Kind.RIGHT else Status.BREACHED
    rejected = list(tr.rejected)
    late = tr.late(st.contract)
    sat_when = _when(st, sat) if sat is not None else ""
    if sat is None and tr.pending:
        status = Status.OPEN
        fact = tr.pending[0]
        _, missing = st.values(tr, fact)
        message = (
            f"{label} {describe(fact.at, tz)} ({fact.id}) cannot be checked yet: "
            f"{'; '.join(missing)} (due {due_text or 'date not yet known'}: {how})."
        )
    elif (
        ob.satisfied_by.mismatch == "breach" and rejected and (sat is None or late)
    ):
        status = lapse
        fact, reason = rejected.pop(0)
        message = (
            f"{label} {describe(fact.at, tz)} ({fact.id}) {reason}: a breach "
            f"(due {due_text or 'date not yet known'}: {how})."
        )
    elif sat is not None and not late:
        status = Status.MET
        when = f"due {due_text}: {how}" if due_text else f"due date not yet known: {how}"
        message = f"{label} {sat_when}, on time ({when})."
    elif sat is not None:
        status = lapse
        message = (
            f"{label} {sat_when}, {_lateness(st, tr, sat)} after the "
            f"deadline {due_text} ({how})."
        )
    elif tr.passed:
        status = lapse
        verb = "Lapsed unexercised" if lapse is Status.EXPIRED else "Breached"
        message = f"{verb}: no {label} by the deadline {due_text} ({how}); " + as_of_words(as_of)
    elif due_text:
        status, message = Status.OPEN, f"Due {due_text} ({how}); no {label} yet."
    else:
        status, message = Status.OPEN, f"Due date not yet known: {how}."
    shown = _shown_due(st, tr) if due is None else None
    if shown is not None:
        due, due_at = shown[0].isoformat(), end_of_day(shown[0], tz)
        message = message.rstrip(".") + f"; shown until then: {shown[1]}, {day_text(shown[0])}."
    else:
        due_at = tr.due_at
    for fact, reason in rejected:
        message += (
            f" {st.contract.fact_types[fact.type].label} {fact.day(tz)} ({fact.id}) "
            f"did not count: it {reason}."
        )
    message += _values_words(st, tr)
    trace = deadline_trace(st, tr, late, sat_when) if st.traces else ()
    amount, owed = tr.amount, False
    if ob.late_payment is not None and status is Status.BREACHED:
        through = sat.day(tz) if sat is not None else as_of
        base = st.evaluate(ob.late_payment.base, tr.env(), tr.trigger, ob.id)
        charge = late_charge(
            ob.late_payment, st.date_context(tr), st.contract, Decimal(base or 0), through
        )
        if charge is not None:
            amount, owed = charge.amount, True
            message += f" Late payment: {charge.how}."
            trace += charge.steps
    trace += (f"Status: {status.value}.",)
    facts = [tr.trigger.id, *(f.id for f in tr.anchor_facts), *(f.id for f in st.cited(tr))]
    facts += [f.id for f, _ in tr.rejected] + ([sat.id] if sat is not None else [])
    cured = None
    if status is Status.BREACHED and sat is not None:
        cured = effective_day(st.contract, sat)[0].isoformat()
    return make_finding(
        st, ob.id, tr.key, status, due, due_at, amount, facts, message, cured, trace, owed
    )


def _shown_due(st: InstanceState, tr: Tracked) -> tuple[date, str] | None:
    """The date shown (not enforced) while the due date is not known, and how it is got."""
    if tr.obligation.shown_due is None:
        return None
    resolved = st.date_context(tr, explain=False).resolve(tr.obligation.shown_due)
    return (resolved.day, resolved.how) if resolved.day is not None else None
