"""Findings of limits: each fact of the limited type counted against caps over earlier ones.

Facts are taken in time order. A fact is refused when, before it, the counted facts
reach a cap: ``reach`` other periods among any ``periods`` consecutive periods that
include its own, or ``reach`` facts in all. A fact counts when it is not refused and
was received in its window (after ``counts.after`` and by ``counts.by`` of its period).
A refused fact is a breach dated at the fact; a permitted one has no finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.days.instants import describe, end_of_day
from engine.days.words import day_text, number, upper_first
from engine.findings.make import make_finding
from engine.model import Cap, Fact, Finding, Obligation, Period, Status
from engine.run.state import InstanceState


@dataclass(frozen=True)
class Verdict:
    """What a limit decided about one fact: its period, whether it counts, why it is refused."""

    fact: Fact
    period: Period | None
    counted: bool
    refused: str = ""  # why, in words ("" when permitted)


def _in_window(st: InstanceState, ob: Obligation, fact: Fact, period: Period) -> bool:
    """Whether a fact was received after ``counts.after`` and by ``counts.by`` of its period."""
    assert ob.limit is not None
    ctx = st.period_context(ob.limit.per, period.name)
    assert ctx is not None
    day = fact.day(st.contract.time_zone)
    after = ctx.resolve(ob.limit.counts_after).day if ob.limit.counts_after else None
    by = ctx.resolve(ob.limit.counts_by).day if ob.limit.counts_by else None
    return (after is None or day > after) and (by is None or day <= by)


def _refusal(
    cap: Cap, fact: Fact, period: Period, order: list[str], counted: list[tuple[Fact, Period]]
) -> str:
    """Why a cap refuses ``fact`` of ``period`` ('' if it does not)."""
    if cap.days:
        since = fact.at.subtract(days=cap.days)
        recent = [f.id for f, _ in counted if f.at > since]
        if len(recent) < cap.reach:
            return ""
        detail = f"{', '.join(recent)} within the {cap.days} days before it"
        return f"{cap.says} ({detail})" if cap.says else f"{len(recent)} counted ({detail})"
    if not cap.periods:
        if len(counted) < cap.reach:
            return ""
        return cap.says or f"{len(counted)} counted before it (at most {cap.reach - 1})"
    here = order.index(period.name)
    seen = {p.name for _, p in counted} - {period.name}
    for start in range(max(0, here - cap.periods + 1), here + 1):
        window = order[start : start + cap.periods]
        others = [name for name in window if name in seen]
        if len(others) >= cap.reach:
            span = f"{window[0]} to {window[-1]}"
            detail = f"{', '.join(others)} within {span}"
            return (
                f"{cap.says} ({detail})"
                if cap.says
                else (
                    f"{len(others)} other periods counted within {cap.periods} consecutive periods "
                    f"({detail})"
                )
            )
    return ""


def verdicts(st: InstanceState, ob: Obligation) -> list[Verdict]:
    """The verdict on every fact of a limit rule, in time order."""
    assert ob.limit is not None
    schedule = st.periods.get(ob.limit.per, [])
    order = [p.name for p in schedule]
    by_name = {p.name: p for p in schedule}
    counted: list[tuple[Fact, Period]] = []
    found = []
    for fact in st.limited.get(ob.id, []):
        period = by_name.get(str(fact.fields.get(ob.key)))
        if period is None:
            found.append(Verdict(fact, None, False))
            continue
        refusals = (_refusal(cap, fact, period, order, counted) for cap in ob.limit.caps)
        refused = next((r for r in refusals if r), "")
        counts = not refused and _in_window(st, ob, fact, period)
        if counts:
            counted.append((fact, period))
        found.append(Verdict(fact, period, counts, refused))
    return found


def refused_facts(st: InstanceState, rule: str) -> set[str]:
    """The ids of the facts a limit rule refuses (worked out once per instance)."""
    found = st.refused.get(rule)
    if found is None:
        ob = st.contract.ob(rule)
        found = st.refused[rule] = {v.fact.id for v in verdicts(st, ob) if v.refused}
    return found


def limit_findings(st: InstanceState, ob: Obligation) -> list[Finding]:
    """A breach for every refused fact, keyed by its period, dated at the fact."""
    tz, out = st.contract.time_zone, []
    for v in (v for v in verdicts(st, ob) if v.refused):
        day = v.fact.day(tz)
        label = upper_first(st.contract.fact_types[v.fact.type].label)
        amount = v.fact.fields.get("amount")
        what = f" of {number(amount)}" if amount is not None else ""
        assert v.period is not None
        message = (
            f"{label}{what} {describe(v.fact.at, tz)} ({v.fact.id}) for {v.period.name} is not "
            f"permitted: {v.refused}."
        )
        trace = (
            f"{label} {v.fact.id} on {day_text(day)} for {v.period.name}.",
            f"Refused: {v.refused}.",
            "Status: breached.",
        )
        out.append(
            make_finding(
                st,
                ob.id,
                v.period.name,
                Status.BREACHED,
                day.isoformat(),
                end_of_day(day, tz),
                None,
                [v.fact.id],
                message,
                trace=trace,
            )
        )
    return out
