"""Findings: the run's state at the as-of date, as statuses, amounts and messages in words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum

from engine.dates import DateContext, day_text
from engine.instants import describe, end_of_day, epoch_us, format_due
from engine.latepay import late_charge
from engine.model import Finding, Kind, Status
from engine.tracking import Episode, InstanceState, Tracked


def _delta(seconds: int) -> str:
    """``5 minutes``, ``2 hours 5 minutes``, ``3 days 1 hour``."""
    minutes = max(1, round(seconds / 60)) if seconds > 0 else 0
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n][:2]
    return " ".join(words) or "less than a minute"


def _finding(
    st: InstanceState,
    tr_rule: str,
    key: str | None,
    status: Status,
    due: str | None,
    due_instant: pendulum.DateTime | None,
    amount: Decimal | None,
    facts: list[str],
    message: str,
) -> Finding:
    ob = next(o for o in st.contract.obligations if o.id == tr_rule)
    unique = list(dict.fromkeys(facts))
    return Finding(
        st.instance.id,
        ob.id,
        key,
        ob.section,
        ob.party,
        status,
        due,
        due_instant,
        amount,
        tuple(unique),
        message,
        ob.title,
        ob.unit,
    )


def deadline_finding(st: InstanceState, tr: Tracked, as_of: date) -> Finding:
    """The finding of a deadline or right instance."""
    ob, tz = tr.obligation, st.contract.time_zone
    assert ob.satisfied_by is not None and ob.due is not None
    label = st.contract.fact_types[ob.satisfied_by.fact].label
    due = due_text = None
    if tr.due_at is not None and tr.due_day is not None:
        due = format_due(tr.due_at) if ob.due.at else tr.due_day.isoformat()
        due_text = describe(tr.due_at, tz) if ob.due.at else f"the end of {day_text(tr.due_day)}"
    how = tr.due_how
    sat = tr.satisfier
    lapse = Status.EXPIRED if ob.kind is Kind.RIGHT else Status.BREACHED
    if sat is not None and not tr.late:
        status = Status.MET
        when = f"due {due_text}: {how}" if due_text else f"due date not yet known: {how}"
        message = f"{label} {describe(sat.at, tz)}, on time ({when})."
    elif sat is not None:
        status = lapse
        assert tr.due_at is not None and tr.due_day is not None
        if ob.due.at:
            late_by = _delta((epoch_us(sat.at) - epoch_us(tr.due_at)) // 1_000_000)
        else:
            late_by = _delta((sat.day(tz) - tr.due_day).days * 86400)
        message = (
            f"{label} {describe(sat.at, tz)}, {late_by} after the deadline {due_text} ({how})."
        )
    elif tr.passed:
        status = lapse
        verb = "lapsed unexercised" if lapse is Status.EXPIRED else "breached"
        message = (
            f"{verb.capitalize()}: no {label} by the deadline {due_text} ({how}); "
            f"none by the as-of date {as_of}."
        )
    elif due_text:
        status = Status.OPEN
        message = f"Due {due_text} ({how}); no {label} yet."
    else:
        status = Status.OPEN
        message = f"Due date not yet known: {how}."
    for fact, reason in tr.rejected:
        message += (
            f" {st.contract.fact_types[fact.type].label} {fact.day(tz)} ({fact.id}) "
            f"did not count: it {reason}."
        )
    amount = tr.amount
    if ob.late_payment is not None and status is Status.BREACHED:
        through = sat.day(tz) if sat is not None else as_of
        base = st.evaluate(ob.late_payment.base, tr.env(), tr.trigger, ob.id)
        ctx = DateContext(st.contract, tr.trigger, tr.anchors)
        charge = late_charge(ob.late_payment, ctx, st.contract, Decimal(base or 0), through)
        if charge is not None:
            amount = charge.amount
            message += f" Late payment: {charge.how}."
    facts = [tr.trigger.id, *(f.id for f in tr.anchor_facts)]
    facts += [f.id for f, _ in tr.rejected] + ([sat.id] if sat is not None else [])
    return _finding(st, ob.id, tr.key, status, due, tr.due_at, amount, facts, message)


def episode_finding(st: InstanceState, ep: Episode, key: str) -> Finding:
    """A breach episode of a standing duty."""
    ob, tz = ep.obligation, st.contract.time_zone
    assert ob.check is not None
    label = st.contract.fact_types[ob.check.fact].label
    first = ep.first
    message = (
        f"{label.capitalize()} {describe(first.at, tz)} ({first.id}) fails "
        f"`{ob.check.require.source}`"
    )
    if ep.shortfall is not None:
        message += f": short by {ep.shortfall:,}"
    if len(ep.failures) > 1:
        message += f"; still short at {len(ep.failures) - 1} later report(s)"
    if ep.cured_by is not None:
        message += f"; restored at the report of {describe(ep.cured_by.at, tz)} ({ep.cured_by.id})"
    else:
        message += "; not restored by the as-of date"
    facts = [f.id for f in ep.failures] + ([ep.cured_by.id] if ep.cured_by else [])
    day = first.day(tz)
    return _finding(
        st,
        ob.id,
        key,
        Status.BREACHED,
        day.isoformat(),
        end_of_day(day, tz),
        ep.shortfall,
        facts,
        message + ".",
    )


def standing_findings(st: InstanceState, rule: str) -> list[Finding]:
    """One breached finding per episode, and a met finding when the last check passed."""
    episodes = st.episodes.get(rule, [])
    findings, keys = [], {}
    for ep in episodes:
        key = ep.first.day(st.contract.time_zone).isoformat()
        keys[key] = keys.get(key, 0) + 1
        findings.append(episode_finding(st, ep, key if keys[key] == 1 else f"{key}#{keys[key]}"))
    last = st.last_check.get(rule)
    if last is not None and last[1]:
        fact, tz = last[0], st.contract.time_zone
        ob = next(o for o in st.contract.obligations if o.id == rule)
        assert ob.check is not None
        label = st.contract.fact_types[ob.check.fact].label
        findings.append(
            _finding(
                st,
                rule,
                None,
                Status.MET,
                None,
                None,
                None,
                [fact.id],
                f"{label.capitalize()} {describe(fact.at, tz)} ({fact.id}) "
                f"meets `{ob.check.require.source}`.",
            )
        )
    return findings


def act_findings(st: InstanceState) -> list[Finding]:
    """A breached finding for every prohibited act."""
    tz, out = st.contract.time_zone, []
    for ob, fact in st.acts:
        label = st.contract.fact_types[fact.type].label
        day = fact.day(tz)
        out.append(
            _finding(
                st,
                ob.id,
                fact.id,
                Status.BREACHED,
                day.isoformat(),
                end_of_day(day, tz),
                None,
                [fact.id],
                f"{label.capitalize()} {describe(fact.at, tz)} ({fact.id}): "
                f"prohibited by section {ob.section}.",
            )
        )
    return out


def instance_findings(st: InstanceState, as_of: date) -> list[Finding]:
    """Every finding of one contract instance."""
    findings = [deadline_finding(st, tr, as_of) for tr in st.tracked.values()]
    for ob in st.contract.obligations:
        if ob.kind is Kind.STANDING:
            findings += standing_findings(st, ob.id)
    return findings + act_findings(st)


def sort_key(f: Finding) -> tuple[int, int, str, str, str]:
    """Sorted by due (unknown last), then contract, rule, key."""
    due = epoch_us(f.due_instant) if f.due_instant is not None else 0
    return (f.due_instant is None, due, f.contract, f.rule, f.key or "")
