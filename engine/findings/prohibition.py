"""Findings of prohibitions: breached acts, acts allowed, and the duty still in force."""

from __future__ import annotations

from datetime import date, timedelta

from engine.days.instants import describe, end_of_day
from engine.days.words import day_text, upper_first
from engine.findings.make import make_finding
from engine.model import Finding, Obligation, Status
from engine.run.state import InstanceState
from engine.run.tracked import Tracked


def _labels(st: InstanceState, ob: Obligation) -> str:
    return ", ".join(dict.fromkeys(st.contract.fact_types[f.match.fact].label for f in ob.forbids))


def _words(text: str) -> str:
    """Text from a rule file as one line: YAML's folded lines and indents become one space."""
    return " ".join(text.split())


def _act_message(st: InstanceState, fact_id: str, reason: str) -> str:
    tz = st.contract.time_zone
    fact = next(a.fact for a in st.acts if a.fact.id == fact_id)
    label = st.contract.fact_types[fact.type].label
    return f"{upper_first(label)} {describe(fact.at, tz)} ({fact.id}): {_words(reason)}"


def last_day_in_force(st: InstanceState, ob: Obligation) -> tuple[date | None, str]:
    """The last day the prohibition applies (None: no end known), and words for it."""
    ctx = st.date_context(None, explain=False)
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
        words.append(end.how if window.end_inclusive else f"the day before {end.how}")
    return max(ends), "; ".join(dict.fromkeys(words))


def window_steps(st: InstanceState, ob: Obligation, tr: Tracked | None) -> list[str]:
    """The date arithmetic of the prohibition's windows, in words."""
    ctx = st.date_context(tr)
    for forbid in ob.forbids:
        if forbid.window is not None:
            for spec in (forbid.window.start, forbid.window.end):
                if spec is not None:
                    ctx.resolve(spec)
    return list(dict.fromkeys(ctx.steps))


def prohibition_findings(st: InstanceState, ob: Obligation, as_of: date) -> list[Finding]:
    """A breach for every forbidden act, and whether the duty is still in force (``open``,
    listing the acts checked and allowed) or over with none forbidden (``met``)."""
    tz = st.contract.time_zone
    acts = [a for a in st.acts if a.obligation is ob]
    out = []
    for act in acts:
        day = act.fact.day(tz)
        trace = (
            f"Checked {act.fact.id} against section {ob.section}: {_words(act.reason)}.",
            *window_steps(st, ob, None),
            "Status: breached.",
        )
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
                trace=trace,
            )
        )
    allowed = st.allowed.get((ob.id, None), [])
    last, words = last_day_in_force(st, ob)
    forbidden = {a.fact.id for a in acts}
    allowed = [f for f in allowed if f.id not in forbidden]
    checked = (
        f"{len(acts)} forbidden {_labels(st, ob)}" if acts else f"no forbidden {_labels(st, ob)}"
    )
    if acts:
        checked += f" ({', '.join(sorted(forbidden))}, each its own finding)"
    if allowed:
        checked += f"; {len(allowed)} checked and allowed: {', '.join(f.id for f in allowed)}"
    ids = [f.id for f in allowed]
    if last is not None and as_of > last and acts:
        return out  # over, and breached: the breaches say it all
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
                trace=(*window_steps(st, ob, None), f"{upper_first(checked)}.", "Status: met."),
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
    trace = (*window_steps(st, ob, None), f"{upper_first(checked)} so far.", "Status: open.")
    return [
        *out,
        make_finding(st, ob.id, None, Status.OPEN, due, instant, None, ids, message, trace=trace),
    ]


def guarded_finding(st: InstanceState, tr: Tracked) -> Finding:
    """A prohibition opened by a trigger: breached by a forbidden act, met by an allowed one."""
    ob, tz = tr.obligation, st.contract.time_zone
    acts = [a for a in st.acts if a.obligation is ob and a.key == tr.key]
    allowed = st.allowed.get((ob.id, tr.key), [])
    facts = [tr.trigger.id, *(f.id for f in tr.anchor_facts), *(f.id for f in st.cited(tr))]
    label = upper_first(st.label(tr.trigger.type))
    steps = (
        f"Started by {label} {describe(tr.trigger.at, tz)} ({tr.trigger.id}).",
        *window_steps(st, ob, tr),
    )
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
            trace=(
                *steps,
                *(f"{a.fact.id}: {_words(a.reason)}." for a in acts),
                "Status: breached.",
            ),
        )
    if allowed:
        fact = allowed[0]
        label = upper_first(st.contract.fact_types[fact.type].label)
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
            trace=(*steps, f"{fact.id}: allowed.", "Status: met."),
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
        trace=(*steps, "Status: open."),
    )
