"""How long an instance's findings stand: the horizon of the nightly delta.

With the same facts (the same digest, ``engine.run.digest``), an instance's findings at a
later as-of date can differ from tonight's in two ways only, and this module bounds both:

1. **The run.** The only input of the run that moves with the as-of date is the last
   clock tick, at the end of the as-of day (``engine.run.driver``). A tick changes the
   state only through the deadline rules, which join a tick later than an open
   obligation's last on-time instant (``InstanceState.due``, the heap the driver's own
   ticks rely on). So the run is the same for every as-of day whose end is not later
   than the earliest last on-time instant of an obligation still open; the first day
   after it may pass a deadline (a breach, a lapsed right, a cure deadline gone by, the
   rules a breach starts).
2. **The findings.** ``instance_findings(state, as_of)`` reads the as-of date in these
   places, by building block:

   * deadline and right: a deadline passed with nothing done says "none by the as-of
     date D." (``deadline.as_of_words``): those words alone are re-dated (``redate``),
     the rest does not move; a late payment still running (a breach with no act: it
     accrues to the as-of day) grows every day: the horizon is the next day;
   * prohibition in force (no trigger): ``open`` through its last day, then ``met`` (or
     only its breaches): the horizon is the day after its last day in force;
   * covenant test, prohibition opened by a trigger, standing duty, limit: the as-of
     date is not read (their changes come from facts, or a tick: case 1).

   Which findings are listed by ``check`` and which are still ahead (``listed_from``)
   is decided by ``engine.evaluate`` at each run's own as-of date, so it needs no
   horizon. A building block not listed here is re-evaluated every day.

An instance whose facts' data caused a problem is never memoised (it is re-evaluated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pendulum

from engine.days.instants import end_of_day, epoch_us
from engine.findings.deadline import as_of_words
from engine.findings.prohibition import last_day_in_force
from engine.model import Finding, Kind
from engine.run.state import InstanceState

# building blocks whose use of the as-of date is accounted for above (a new one is not,
# until it is added here: its instances are evaluated every day)
_KNOWN = frozenset(
    {Kind.DEADLINE, Kind.RIGHT, Kind.STANDING, Kind.PROHIBITION, Kind.TEST, Kind.LIMIT}
)


def _earliest_open_us(st: InstanceState) -> int | None:
    """The earliest last on-time instant of an obligation still open (heap entries of
    replaced durable_rules facts do not count)."""
    live = [
        late_after
        for late_after, fact_id, key in st.due
        if (tr := st.tracked.get(key)) is not None and tr.durable.get("id") == fact_id
    ]
    return min(live, default=None)


def first_day_past(instant_us: int, tz: str) -> date:
    """The first day whose end (in ``tz``) is later than ``instant_us``: the first as-of
    day whose last tick passes a deadline whose last on-time instant it is."""
    day = pendulum.from_timestamp(instant_us // 1_000_000, tz=tz).date() - timedelta(days=1)
    day = date(day.year, day.month, day.day)
    while epoch_us(end_of_day(day, tz)) <= instant_us:
        day += timedelta(days=1)
    return day


def horizon(st: InstanceState, as_of: date) -> date | None:
    """The first as-of day after ``as_of`` on which the instance's findings could differ
    with the same facts (None: no such day), besides the as-of words ``redate`` moves.

    Call it after ``instance_findings`` (which settles pending candidates)."""
    tomorrow = as_of + timedelta(days=1)
    days: list[date] = []
    earliest = _earliest_open_us(st)
    if earliest is not None:
        days.append(first_day_past(earliest, st.contract.time_zone))
    for tr in st.tracked.values():
        ob = tr.obligation
        if ob.kind not in (Kind.PROHIBITION, Kind.TEST) and ob.late_payment is not None:
            if tr.satisfier is None and (tr.passed or tr.rejected or tr.pending):
                return tomorrow  # a late payment running to the as-of day
    for ob in st.contract.obligations:
        if ob.kind not in _KNOWN:
            return tomorrow
        if ob.kind is Kind.PROHIBITION and ob.trigger is None:
            last, _ = last_day_in_force(st, ob)
            if last is not None and as_of <= last:
                days.append(last + timedelta(days=1))
    found = min(days, default=None)
    return None if found is None else max(found, tomorrow)


def redate(findings: Sequence[Finding], old: date, new: date) -> tuple[Finding, ...] | None:
    """The findings made as of ``old``, as of ``new``: the as-of words of lapsed deadlines
    re-dated. None if the words are found where they cannot be told apart (more than once
    in a message, or in a trace): the instance is then evaluated again."""
    if old == new:
        return tuple(findings)
    was, now = as_of_words(old), as_of_words(new)
    out = []
    for f in findings:
        count = f.message.count(was)
        if any(was in step for step in f.trace) or count > 1:
            return None
        out.append(replace(f, message=f.message.replace(was, now)) if count else f)
    return tuple(out)
