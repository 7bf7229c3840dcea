"""Findings of prohibitions: breached acts, acts allowed, and the duty still in force."""

from __future__ import annotations

from datetime import date, timedelta

from engine.dates import day_text
from engine.instants import describe, end_of_day
from engine.model import Finding, Obligation, Status
from engine.tracking import InstanceState, Tracked


def _labels(st: InstanceState, ob: Obligation) -> str:
    return ", ".join(dict.fromkeys(st.contract.fact_types[f.match.fact].label for f in ob.forbids))


def _act_message(st: InstanceState, fact_id: str, reason: str) -> str:
    tz = st.contract.time_zone
    fact = next(a.fact for a in st.acts if a.fact.id == fact_id)
    label = st.contract.fact_types[fact.type].label
    return f"{label.capitalize()} {describe(fact.at, tz)} ({fact.id}): {reason}"


def last_day_in_force(st: InstanceState, ob: Obligation) -> tuple[date | None, str]:
    """The last day the prohibition applies (None: no end known), and words for it."""
    ctx = st.date_context(None)
    ends: list[date] = []
    words: list[str] = []
    for forbid in ob.forbids:
        window = forbid.window
        if window is None or window.end is None or window.outside:
            return None, "no end"
        end = ctx.resolve(window.end)
        if end.day is None:
            return None, f"until {end.how}"
        ends.append(end.day if window.end_inclusive else end.day - timedelta(days=1))
        words.append(end.how)
    return max(ends), "; ".join(dict.fromkeys(words))


def prohibition_findings(st: InstanceState, ob: Obligation, as_of: date) -> list[Finding]:
    """A breach for every forbidden act; with none, whether the duty is still in force."""
    from engine.findings import make_finding

    tz = st.contract.time_zone
    acts = [a for a in st.acts if a.obligation is ob]
    out = []
    for act in acts:
        day = act.fact.day(tz)
        out.append(
            make_finding(
                st,
                ob.id,
                act.key or act.fact.id,
                Status.BREACHED,
                day.isoformat(),
                end_of_day(day, tz),
                None,
                [act.fact.id],
                _act_message(st, act.fact.id, act.reason) + ".",
            )
        )
    if acts:
        return out
    allowed = st.allowed.get((ob.id, None), [])
    last, words = last_day_in_force(st, ob)
    checked = f"no forbidden {_labels(st, ob)}"
    if allowed:
        checked += f" ({len(allowed)} checked and allowed: {', '.join(f.id for f in allowed)})"
    ids = [f.id for f in allowed]
    if last is not None and as_of > last:
        message = f"In force through {day_text(last)} ({words}): {checked}."
        return [
            make_finding(
                st,
                ob.id,
                None,
                Status.MET,
                last.isoformat(),
                end_of_day(last, tz),
                None,
                ids,
                message,
            )
        ]
    if last is not None:
        through, due, instant = (
            f"through {day_text(last)} ({words})",
            last.isoformat(),
            end_of_day(last, tz),
        )
    else:
        through, due, instant = ("with no end date" if words == "no end" else words), None, None
    message = f"In force {through}: {checked} so far."
    return [make_finding(st, ob.id, None, Status.OPEN, due, instant, None, ids, message)]


def guarded_finding(st: InstanceState, tr: Tracked) -> Finding:
    """A prohibition opened by a trigger: breached by a forbidden act, met by an allowed one."""
    from engine.findings import make_finding

    ob, tz = tr.obligation, st.contract.time_zone
    acts = [a for a in st.acts if a.obligation is ob and a.key == tr.key]
    allowed = st.allowed.get((ob.id, tr.key), [])
    facts = [tr.trigger.id, *(f.id for f in tr.anchor_facts)]
    if acts:
        day = acts[0].fact.day(tz)
        message = "; ".join(_act_message(st, a.fact.id, a.reason) for a in acts)
        return make_finding(
            st,
            ob.id,
            tr.key,
            Status.BREACHED,
            day.isoformat(),
            end_of_day(day, tz),
            tr.amount,
            facts + [a.fact.id for a in acts],
            message + ".",
        )
    if allowed:
        fact = allowed[0]
        label = st.contract.fact_types[fact.type].label.capitalize()
        return make_finding(
            st,
            ob.id,
            tr.key,
            Status.MET,
            None,
            None,
            tr.amount,
            facts + [fact.id],
            f"{label} {describe(fact.at, tz)} ({fact.id}): as section {ob.section} allows.",
        )
    return make_finding(
        st,
        ob.id,
        tr.key,
        Status.OPEN,
        None,
        None,
        tr.amount,
        facts,
        f"Started by {tr.trigger.id} on {day_text(tr.trigger.day(tz))}; no {_labels(st, ob)} yet.",
    )
