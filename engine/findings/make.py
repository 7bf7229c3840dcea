"""A finding of one obligation of a contract instance, and the order findings are listed in."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from engine.days.instants import epoch_us
from engine.model import Finding, Status
from engine.run.state import InstanceState


def make_finding(
    st: InstanceState,
    tr_rule: str,
    key: str | None,
    status: Status,
    due: str | None,
    due_instant: pendulum.DateTime | None,
    amount: Decimal | None,
    facts: list[str],
    message: str,
    cured: str | None = None,
    trace: tuple[str, ...] = (),
    late_payment: bool = False,
) -> Finding:
    """A finding of one obligation of this instance, its facts listed once each.

    ``late_payment``: the amount is a late payment owed under the rule's schedule.
    ``trace`` is left out in a run without traces (``InstanceState.traces``).
    Its words are kept once per part (``InstanceState.words``): findings repeat them (in
    a portfolio, about one trace line in five and one message in three is new), so that a
    part holds each text once, and its result sends it once (pickle shares an object).
    """
    ob = st.contract.ob(tr_rule)
    once = st.words.setdefault
    unique = list(dict.fromkeys(facts))
    tracked = st.tracked.get((ob.id, key))
    period = tracked.period if tracked is not None else None
    return Finding(
        st.instance.id,
        ob.id,
        key,
        ob.section,
        ob.party,
        status,
        due if due is None else once(due, due),
        due_instant,
        amount,
        tuple(unique),
        once(message, message),
        ob.title,
        ob.unit,
        cured,
        tuple([once(step, step) for step in trace]) if st.traces else (),
        st.contract.id,
        ob.kind.value,
        late_payment,
        period.end if period is not None else None,
    )


def sort_key(f: Finding) -> tuple[int, int, str, str, str]:
    """Sorted by due (unknown last), then contract, rule, key."""
    due = epoch_us(f.due_instant) if f.due_instant is not None else 0
    return (f.due_instant is None, due, f.contract, f.rule, f.key or "")
