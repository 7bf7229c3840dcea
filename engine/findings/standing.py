"""Findings of standing duties: one breach per episode of failed checks; met while none.

A standing duty is checked at every fact of its type. Each run of failed checks (an
episode, from its first failure to the passing check that cures it) is one ``breached``
finding, keyed and dated by its first failure, with its cure. A duty that has held at
every check so far is one ``met`` finding; once it has failed, its episodes say it all
(no extra ``met`` for the last passing check). Messages put the requirement in words
with the check's figures (``engine.findings.requirement``), never the expression.
"""

from __future__ import annotations

from decimal import Decimal

from engine.days.instants import describe, end_of_day
from engine.days.words import number, upper_first
from engine.findings.make import make_finding
from engine.findings.requirement import requirement_words
from engine.model import Fact, Finding, Obligation, Status
from engine.run.state import InstanceState
from engine.run.tracked import Episode


def quantity(value: Decimal, unit: str) -> str:
    """An amount with its unit: ``$1,200.00``, ``67,680 shares``."""
    if unit == "USD":
        return f"${value:,.2f}"
    return f"{number(value)} {unit}".rstrip()


def _reports(n: int) -> str:
    return f"{n} later report{'s' if n != 1 else ''}"


def _check_words(st: InstanceState, ob: Obligation, fact: Fact) -> tuple[bool, str]:
    """Whether the check of ``fact`` holds, and the fact and requirement in words."""
    assert ob.check is not None
    env = st.fact_names(fact)
    ok = bool(st.evaluate(ob.check.require, env, fact, ob.id))
    label = upper_first(st.contract.fact_types[fact.type].label)
    when = describe(fact.at, st.contract.time_zone)
    return ok, f"{label} {when} ({fact.id}): {requirement_words(ob.check.require, env, ok)}"


def episode_finding(st: InstanceState, ep: Episode, key: str) -> Finding:
    """A breach episode of a standing duty."""
    ob, tz = ep.obligation, st.contract.time_zone
    assert ob.check is not None
    first = ep.first
    message = _check_words(st, ob, first)[1]
    if ep.shortfall is not None:
        message += f": short by {quantity(ep.shortfall, ob.unit)}"
    later = len(ep.failures) - 1
    if later:
        still = "still short" if ep.shortfall is not None else "still not met"
        message += f"; {still} at {_reports(later)}"
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
    """One check of a standing duty in words: the figures it read and the verdict."""
    assert ob.check is not None
    ok, words = _check_words(st, ob, fact)
    verdict = "holds" if ok else "fails"
    if not ok and ob.check.shortfall is not None:
        env = st.fact_names(fact)
        short = st.evaluate(ob.check.shortfall, env, fact, ob.id)
        if isinstance(short, Decimal):
            verdict += f" (short by {quantity(short, ob.unit)})"
    return f"{words}: {verdict}."


def standing_findings(st: InstanceState, rule: str) -> list[Finding]:
    """One breached finding per episode; one met finding if every check so far held."""
    episodes = st.episodes.get(rule, [])
    findings, keys = [], {}
    for ep in episodes:
        key = ep.first.day(st.contract.time_zone).isoformat()
        keys[key] = keys.get(key, 0) + 1
        findings.append(episode_finding(st, ep, key if keys[key] == 1 else f"{key}#{keys[key]}"))
    last = st.last_check.get(rule)
    if not episodes and last is not None and last[1]:
        fact = last[0]
        ob = st.contract.ob(rule)
        message = f"{_check_words(st, ob, fact)[1]}; held at every report so far."
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
                message,
                trace=(check_step(st, ob, fact),),
            )
        )
    return findings
