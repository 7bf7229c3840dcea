"""Findings of standing duties: a breach per episode of failed checks, or met at the last."""

from __future__ import annotations

from engine.days.dates import number, upper_first
from engine.days.instants import describe, end_of_day
from engine.findings.make import make_finding
from engine.model import Fact, Finding, Obligation, Status
from engine.run.state import Episode, InstanceState


def episode_finding(st: InstanceState, ep: Episode, key: str) -> Finding:
    """A breach episode of a standing duty."""
    ob, tz = ep.obligation, st.contract.time_zone
    assert ob.check is not None
    label = st.contract.fact_types[ob.check.fact].label
    first = ep.first
    message = (
        f"{upper_first(label)} {describe(first.at, tz)} ({first.id}) fails "
        f"`{ob.check.require.source}`"
    )
    if ep.shortfall is not None:
        message += f": short by {number(ep.shortfall)}"
    if len(ep.failures) > 1:
        message += f"; still short at {len(ep.failures) - 1} later report(s)"
    if ep.cured_by is not None:
        message += f"; restored at the report of {describe(ep.cured_by.at, tz)} ({ep.cured_by.id})"
    else:
        message += "; not restored by the as-of date"
    facts = [f.id for f in ep.failures] + ([ep.cured_by.id] if ep.cured_by else [])
    day = first.day(tz)
    return make_finding(
        st,
        ob.id,
        key,
        Status.BREACHED,
        day.isoformat(),
        end_of_day(day, tz),
        ep.shortfall,
        facts,
        message + ".",
        ep.cured_by.day(tz).isoformat() if ep.cured_by is not None else None,
        tuple(check_step(st, ob, f) for f in [*ep.failures, *filter(None, [ep.cured_by])]),
    )


def check_step(st: InstanceState, ob: Obligation, fact: Fact) -> str:
    """One check of a standing duty in words: the fields it read and the verdict."""
    assert ob.check is not None
    names = sorted(n.split(".", 1)[1] for n in ob.check.require.names if n.startswith("fact."))
    values = ", ".join(f"{n} {number(fact.fields.get(n))}" for n in names)
    env = st.fact_names(fact)
    ok = bool(st.evaluate(ob.check.require, env, fact, ob.id))
    verdict = "holds" if ok else "fails"
    if not ok and ob.check.shortfall is not None:
        verdict += f" (shortfall {number(st.evaluate(ob.check.shortfall, env, fact, ob.id))})"
    label = st.contract.fact_types[fact.type].label
    return (
        f"{upper_first(label)} {describe(fact.at, st.contract.time_zone)} ({fact.id}): "
        f"{values}: `{ob.check.require.source}` {verdict}."
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
            make_finding(
                st,
                rule,
                None,
                Status.MET,
                None,
                None,
                None,
                [fact.id],
                f"{upper_first(label)} {describe(fact.at, tz)} ({fact.id}) "
                f"meets `{ob.check.require.source}`.",
                trace=(check_step(st, ob, fact),),
            )
        )
    return findings
