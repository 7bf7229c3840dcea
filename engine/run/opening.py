"""Obligation instances opened in a session (by a trigger or a period) and their facts swapped.

An instance is a ``Tracked`` in the run's state and a ``kind: obl`` fact in the
durable_rules session; every change of its state replaces that fact (a new id), so
that durable_rules matches it afresh. A fact in a state no pattern of the ruleset
matches (``compile.ruleset.held_states``: a met deadline's "closed", mostly) is not sent:
durable_rules would not keep it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.model import Fact, Obligation, Period
from engine.run.state import InstanceState, RunState
from engine.run.tracked import Tracked


def replace_durable(c: Any, tr: Tracked, **changes: Any) -> None:
    """Swap the obligation's durable_rules fact for one with ``changes`` (and a new id)."""
    old = tr.durable
    if all(old.get(k) == v for k, v in changes.items()):
        return
    st = c.host.run.instances[c.s.sid]
    new = {**old, **changes, "id": c.host.run.durable_id("o")}
    tr.durable = new
    if st.holds(old):
        c.retract_fact(old)
    if st.holds(new):  # (a state no pattern looks at, "closed" mostly: not sent)
        c.assert_fact(new)
    st.watch(tr)


def open_instance(
    run: RunState,
    st: InstanceState,
    c: Any,
    ob: Obligation,
    key: str | None,
    fact: Fact,
    period: Period | None = None,
) -> Tracked:
    """Open an instance of ``ob`` for ``key``, started by ``fact`` (its trigger, or the fact
    that opened its period), with its due date if known."""
    tr = Tracked(ob, key, fact, st.params, st.contract.time_zone, period=period)
    if ob.amount is not None:
        value = st.evaluate(ob.amount, st.values(tr)[0], fact, ob.id)
        tr.amount = value if isinstance(value, Decimal) else None
    st.resolve_due(tr)
    st.tracked[(ob.id, key)] = tr
    tr.durable = {
        "sid": c.s.sid,
        "id": run.durable_id("o"),
        "kind": "obl",
        "rule": ob.id,
        "key": key or "",
        "state": "open",
        "late_after": tr.late_after_us,
        "tseq": fact.seq,
        "tday": fact.day(st.contract.time_zone).toordinal(),
        **{f"a{i}": fact.seq for i in range(len(ob.fact_anchors()))},
    }
    if st.holds(tr.durable):
        c.assert_fact(tr.durable)
    st.watch(tr)
    return tr
