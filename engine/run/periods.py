"""Periods opened in a session: every instance of the rules run per period, known in advance.

A schedule opens once its bounds are known (``after``, e.g. the closing date fixed by
the funding fact, and ``through``): each rule with ``per`` gets an instance per period,
keyed by the period's name and started by the fact that opened the schedule, so that
``upcoming`` and the calendar list the coming periods' deadlines before any fact about
them. Once ``until`` is known (the loan repaid in full), periods ending after it close.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.days.periods import periods, year_end_month
from engine.diagnostics import Diagnostic
from engine.model import Fact, Obligation, PeriodSchedule
from engine.run.opening import open_instance
from engine.run.state import InstanceState, RunState


def _year_end(st: InstanceState, schedule: PeriodSchedule) -> int | None:
    """The month the schedule's fiscal year ends in (a problem reported if it is no month end)."""
    text = schedule.year_end
    if text.startswith("param."):
        text = str(st.params.get(text.split(".", 1)[1], ""))
    month = year_end_month(text)
    if month is None:
        message = (
            f"contract `{st.instance.id}`: the fiscal year end `{text}` of `{schedule.name}` is "
            "not a month's last day written MM-DD"
        )
        st.problems.append(Diagnostic(st.instance.loc, message))
    return month


def open_periods(run: RunState, st: InstanceState, c: Any, fact: Fact) -> None:
    """Open each schedule whose bounds are now known; close periods past a known ``until``."""
    ctx = st.date_context(None, explain=False)
    for name, schedule in st.contract.periods.items():
        until = ctx.resolve(schedule.until).day if schedule.until is not None else None
        if name in st.periods:
            if until is not None:
                _close_after(st, c, name, until)
            continue
        after, through = ctx.resolve(schedule.after).day, ctx.resolve(schedule.through).day
        if after is None or through is None:
            continue
        month = _year_end(st, schedule)
        if month is None:
            continue
        also = tuple(d for spec in schedule.also if (d := ctx.resolve(spec).day) is not None)
        found = periods(name, schedule.every, month, schedule.names, after, through, until, also)
        st.periods[name] = list(found)
        for ob in referred_first(o for o in st.contract.obligations if o.per == name):
            for period in found:
                open_instance(run, st, c, ob, period.name, fact, period)


def referred_first(obligations: Iterable[Obligation]) -> list[Obligation]:
    """Rules run per period, each after the rules its dates refer to (no cycle: checked
    when the rule file is loaded); limits have no instances of their own."""
    todo = [o for o in obligations if o.limit is None]
    done: list[Obligation] = []
    while todo:
        pending = {o.id for o in todo}
        ready = [o for o in todo if not (_refers(o) & pending) - {o.id}]
        done += ready or todo  # a cycle cannot be loaded; keep the order if one slipped in
        todo = [o for o in todo if o not in done]
    return done


def _refers(ob: Obligation) -> set[str]:
    return {a.field for spec in ob.date_specs() for a in spec.anchors() if a.kind == "rule"}


def _close_after(st: InstanceState, c: Any, schedule: str, until: Any) -> None:
    """Close the instances of periods ending after ``until`` (none is owed any more)."""
    gone = {p.name for p in st.periods[schedule] if p.end > until}
    if not gone:
        return
    st.periods[schedule] = [p for p in st.periods[schedule] if p.name not in gone]
    for key, tr in list(st.tracked.items()):
        if tr.period is not None and tr.period.schedule == schedule and tr.period.name in gone:
            if st.holds(tr.durable):
                c.retract_fact(tr.durable)
            del st.tracked[key]
