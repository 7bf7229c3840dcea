"""What happens when a durable_rules rule fires: record the match in the run's state.

Each handler gets the run, the instance (session) state, the durable_rules
closure ``c`` (``c.m``, or ``c.o``/``c.f``/``c.t`` for joins) and the obligation.
Handlers never raise into durable_rules (it would swallow the error): ``dispatch``
keeps the exception on the run, and the driver re-raises it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from durable.engine import MessageNotHandledException

from engine.model import Anchor, Fact, Obligation
from engine.tracking import NEVER_US, Episode, InstanceState, Tracked, fact_env

if TYPE_CHECKING:
    from engine.evaluate import RunState


def dispatch(c: Any, handler: Callable[..., None], ob: Obligation, *args: Any) -> None:
    """Run ``handler`` for session ``c.s.sid``; keep any exception for the driver."""
    run: RunState = c.host.run
    try:
        handler(run, run.instances[c.s.sid], c, ob, *args)
    except Exception as exc:  # noqa: BLE001 - re-raised by the driver after the post
        run.errors.append(exc)


def _tracked(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> Tracked:
    key = c.o["key"] or None
    return st.tracked[(ob.id, key)]


def _quietly(call: Callable[[dict[str, Any]], Any], fact: dict[str, Any]) -> None:
    try:
        call(fact)
    except MessageNotHandledException:
        pass  # no rule looks at an obligation in this state any more


def _replace(c: Any, tr: Tracked, **changes: Any) -> None:
    """Swap the obligation's durable_rules fact for one with ``changes``."""
    old, new = tr.durable, {**tr.durable, **changes}
    tr.durable = new
    _quietly(c.retract_fact, old)
    _quietly(c.assert_fact, new)


def _holds(st: InstanceState, expr: Any, env: dict[str, Any], fact: Fact, rule: str) -> bool:
    return expr is None or bool(st.evaluate(expr, env, fact, rule))


def on_trigger(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A trigger fact: open an obligation instance for its key, with its due date if known."""
    assert ob.trigger is not None and ob.due is not None
    fact = run.fact(c.m)
    env = {**st.params_env(), **fact_env("fact", fact)}
    if not _holds(st, ob.trigger.where, env, fact, ob.id):
        return
    key = str(fact.fields[ob.key]) if ob.key else None
    existing = st.tracked.get((ob.id, key))
    if existing is not None:
        first = existing.trigger
        what = f"key `{key}`" if key else "this contract"
        st.problems.append(
            run.problem(
                fact,
                f"rule {ob.id}: a second {fact.type} for {what}; "
                f"already started by {first.id} ({first.loc})",
            )
        )
        return
    tr = Tracked(ob, key, fact, st.instance.parameters)
    if ob.amount is not None:
        value = st.evaluate(ob.amount, tr.env(), fact, ob.id)
        tr.amount = value if isinstance(value, Decimal) else None
    tr.resolve_due(st.contract)
    st.tracked[(ob.id, key)] = tr
    anchors = [a for a in ob.due.anchors() if a.kind in ("first", "running_total")]
    tr.durable = {
        "sid": c.s.sid,
        "kind": "obl",
        "rule": ob.id,
        "key": key or "",
        "state": "open",
        "late_after": tr.late_after_us,
        "tseq": fact.seq,
        **{f"a{i}": fact.seq for i in range(len(anchors))},
    }
    _quietly(c.assert_fact, tr.durable)


def on_anchor(
    run: RunState, st: InstanceState, c: Any, ob: Obligation, anchor: Anchor, index: int
) -> None:
    """A fact that may fix a derived date (the first X; a running total reaching a level)."""
    tr = _tracked(run, st, c, ob)
    fact = run.fact(c.f)
    label = st.contract.fact_types[anchor.fact_type].label
    seen = fact.seq
    if anchor.kind == "first":
        env = {**tr.env(fact)}
        if _holds(st, anchor.where, env, fact, ob.id):
            tr.anchors[anchor] = (
                fact.day(st.contract.time_zone),
                f"the first {label} on {fact.day(st.contract.time_zone)}",
            )
            tr.anchor_facts.append(fact)
            seen = NEVER_US  # fixed: no later fact can change it
    else:
        assert anchor.reaches is not None
        total = tr.totals.get(anchor, Decimal(0)) + Decimal(str(fact.fields[anchor.field]))
        tr.totals[anchor] = total
        tr.anchor_facts.append(fact)
        level = st.evaluate(anchor.reaches, tr.env(), fact, ob.id)
        if isinstance(level, Decimal) and total >= level:
            day = fact.day(st.contract.time_zone)
            tr.anchors[anchor] = (
                day,
                f"{label} reaching {total:,} {anchor.field} in total "
                f"(threshold {level:,}) on {day}",
            )
            seen = NEVER_US
    tr.resolve_due(st.contract)
    _replace(c, tr, **{f"a{index}": seen, "late_after": tr.late_after_us})


def on_satisfy(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A fact of the satisfying type for this key: it meets the obligation if its test holds."""
    assert ob.satisfied_by is not None
    tr = _tracked(run, st, c, ob)
    fact = run.fact(c.f)
    if any(f is fact for f, _ in tr.rejected):
        return
    if not _holds(st, ob.satisfied_by.where, tr.env(fact), fact, ob.id):
        tr.rejected.append((fact, f"does not satisfy `{ob.satisfied_by.where.source}`"))
        return
    tr.satisfier = fact
    _replace(c, tr, state="closed")


def on_deadline(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """Event time passed the deadline with the obligation still open."""
    tr = _tracked(run, st, c, ob)
    tr.passed = True
    _replace(c, tr, state="overdue")


def on_check(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A report a standing duty is checked at: open, extend or cure a breach episode."""
    assert ob.check is not None
    fact = run.fact(c.m)
    env = {**st.params_env(), **fact_env("fact", fact)}
    ok = bool(st.evaluate(ob.check.require, env, fact, ob.id))
    episodes = st.episodes.setdefault(ob.id, [])
    current = episodes[-1] if episodes and episodes[-1].cured_by is None else None
    if not ok and current is not None:
        current.failures.append(fact)
    elif not ok:
        shortfall = None
        if ob.check.shortfall is not None:
            value = st.evaluate(ob.check.shortfall, env, fact, ob.id)
            shortfall = value if isinstance(value, Decimal) else None
        episodes.append(Episode(ob, fact, shortfall, [fact]))
    elif current is not None:
        current.cured_by = fact
    st.last_check[ob.id] = (fact, ok)


def on_forbidden(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A fact of a forbidden type: a breach if its condition holds."""
    assert ob.forbids is not None
    fact = run.fact(c.m)
    env = {**st.params_env(), **fact_env("fact", fact)}
    if _holds(st, ob.forbids.where, env, fact, ob.id):
        st.acts.append((ob, fact))
