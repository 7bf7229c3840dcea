"""Due dates that follow from a period alone, resolved once per rule and period.

Most deadlines of a template's recurring duties are fixed by the period and the
calendar only (statements 45 days after the quarter's end, rolled; interest on the
scheduled date, rolled): every instance of the template with that period has the same
due date, reached the same way. A portfolio holds thousands of such instances, so the
day and its words are worked out once per process and shared. A rule whose date uses
anything else (a parameter, a fact, another rule's due date, the trigger) is resolved
for each instance, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from operator import attrgetter

from engine.days.dates import DateContext, Resolved
from engine.expressions import Expression
from engine.model import Contract, DateSpec, Obligation, Period
from engine.model.per_contract import PerContract


class _Shared:
    """One contract's shared due dates, and which of its rules have them."""

    def __init__(self, contract: Contract) -> None:
        # (rule id, schedule): the period's fields its due date follows from alone, as a
        # getter (None: not alone)
        self.alone: dict[tuple[str, str], Callable[[Period], object] | None] = {}
        self.dues: dict[tuple[object, ...], tuple[Resolved, tuple[str, ...]]] = {}


_UNKNOWN = object()  # a rule not yet looked at
_shared = PerContract(_Shared)  # for the 64 contracts used last, as compiled rulesets
_PERIOD_FIELDS = frozenset(f.name for f in dataclasses.fields(Period))


def period_fields(
    spec: DateSpec, local: Mapping[str, DateSpec], contract: Contract, seen: frozenset[str]
) -> frozenset[str] | None:
    """The fields of the period ``spec`` depends on, None if it depends on anything but
    the period and the calendars: its anchors must be the period's days or named dates
    that are so themselves, its day counts numbers or expressions over ``period.*``."""
    if spec.earliest:
        parts = [period_fields(s, local, contract, seen) for s in spec.earliest]
        known = [part for part in parts if part is not None]
        return frozenset().union(*known) if len(known) == len(parts) else None
    anchor = spec.anchor
    if anchor is None:
        return None
    fields = {"name", "start", "end"}  # a period anchor's words name the period
    if anchor.kind == "named":
        inner = local.get(anchor.field) or contract.dates.get(anchor.field)
        if inner is None or anchor.field in seen:
            return None
        used = period_fields(inner, local, contract, seen | {anchor.field})
        if used is None:
            return None
        fields |= used
    elif anchor.kind != "period":
        return None
    if isinstance(spec.add_n, Expression):
        if not spec.add_n.roots() <= {"period"}:
            return None
        fields |= {name.split(".", 1)[1] for name in spec.add_n.names}
    return frozenset(fields) if fields <= _PERIOD_FIELDS else None


def _dates_seen(contract: Contract, ob: Obligation, schedule: str) -> Mapping[str, DateSpec]:
    """The named dates a rule sees first in a period of ``schedule``: the schedule's, then
    its own (as ``engine.days.dates.DateContext`` looks them up). The schedule is the
    period's, which is not always the rule's ``per``: a rule started by a breach of
    another is opened with that rule's period."""
    found = contract.periods.get(schedule)
    return {**(found.dates if found else {}), **ob.dates}


def period_due(
    contract: Contract,
    ob: Obligation,
    period: Period,
    context: Callable[[bool], DateContext],
    explain: bool = False,
) -> tuple[Resolved, tuple[str, ...]]:
    """The due date of ``ob`` for ``period`` and, if ``explain``, its steps in words: worked
    out in ``context(explain)`` (a fresh date context) once per process when it follows
    from the period alone, else each time."""
    assert ob.due is not None
    shared = _shared(contract)
    fields = _alone(shared, contract, ob, period.schedule)
    if fields is None:
        ctx = context(explain)
        return ctx.resolve(ob.due), tuple(ctx.steps)
    key = (ob.id, period.schedule, explain, fields(period))
    found = shared.dues.get(key)
    if found is None:
        ctx = context(explain)
        found = shared.dues[key] = (ctx.resolve(ob.due), tuple(ctx.steps))
    return found


def fixed_by_period(contract: Contract, ob: Obligation, schedule: str) -> bool:
    """Whether ``ob``'s due date in a period of ``schedule`` follows from the period alone
    (so no other date found later can move it)."""
    return ob.due is not None and _alone(_shared(contract), contract, ob, schedule) is not None


def _alone(
    shared: _Shared, contract: Contract, ob: Obligation, schedule: str
) -> Callable[[Period], object] | None:
    """The getter of the period's fields ``ob``'s due date follows from alone (None: it
    follows from more), found once per rule and schedule."""
    assert ob.due is not None
    rule = (ob.id, schedule)
    fields = shared.alone.get(rule, _UNKNOWN)
    if fields is _UNKNOWN:
        used = period_fields(ob.due, _dates_seen(contract, ob, schedule), contract, frozenset())
        fields = shared.alone[rule] = attrgetter(*sorted(used)) if used is not None else None
    return fields  # type: ignore[return-value]
