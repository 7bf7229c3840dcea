"""What happens when a durable_rules rule fires: record the match in the run's state.

Each handler gets the run, the instance (session) state, the durable_rules
closure ``c`` (``c.m``, or ``c.o``/``c.f``/``c.t`` for joins) and the obligation.
Handlers never raise into durable_rules (it would swallow the error): ``dispatch``
keeps the exception on the run, and the driver re-raises it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from engine.compile.patterns import Fire, Handler
from engine.days.dates import DateContext, effective_day
from engine.days.period_dues import fixed_by_period
from engine.days.words import day_text, number
from engine.model import Anchor, Fact, Forbid, Kind, Obligation, Window
from engine.run.opening import open_instance, replace_durable
from engine.run.periods import open_periods
from engine.run.state import InstanceState, RunState, holds, rejection
from engine.run.totals import uses_totals
from engine.run.tracked import NEVER_US, Act, Episode, Tracked, fact_env


def dispatch(c: Any, handler: Callable[..., None], *args: Any) -> None:
    """Run ``handler`` for session ``c.s.sid``; keep any exception for the driver.

    The run is the host's ``run`` attribute (a ``RunState``), set by the driver.
    """
    run: RunState = c.host.run
    try:
        handler(run, run.instances[c.s.sid], c, *args)
    except Exception as exc:  # noqa: BLE001 - re-raised by the driver after the post
        run.errors.append(exc)


def _tracked(st: InstanceState, c: Any, ob: Obligation) -> Tracked:
    return st.tracked[(ob.id, c.o["key"] or None)]


def on_trigger(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A trigger fact: open an obligation instance for its key, with its due date if known."""
    assert ob.trigger is not None
    fact = run.fact(c.m)
    env = st.fact_names(fact)
    if not holds(st, ob.trigger.where, env, fact, ob.id):
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
    open_instance(run, st, c, ob, key, fact)


def _fix_anchor(
    st: InstanceState,
    anchor: Anchor,
    fact: Fact,
    anchors: dict[Anchor, tuple[date, str]],
    totals: dict[Anchor, Decimal],
    env: dict[str, Any],
    rule: str,
) -> bool:
    """Let ``fact`` fix ``anchor`` if it qualifies; True once the anchor is fixed."""
    if anchor in anchors:
        return True
    label = st.contract.fact_types[anchor.fact_type].label
    if anchor.kind == "first":
        if not holds(st, anchor.where, {**env, **fact_env("fact", fact)}, fact, rule):
            return False
        day, how = effective_day(st.contract, fact)
        anchors[anchor] = (day, f"the first {label} on {how}")
        return True
    assert anchor.reaches is not None
    total = totals.get(anchor, Decimal(0)) + Decimal(str(fact.fields[anchor.field]))
    totals[anchor] = total
    level = st.evaluate(anchor.reaches, env, fact, rule)
    if isinstance(level, Decimal) and total >= level:
        day = fact.day(st.contract.time_zone)
        anchors[anchor] = (
            day,
            f"{label} reaching {number(total)} {anchor.field} in total "
            f"(threshold {number(level)}) on {day_text(day)}",
        )
        return True
    return False


def on_anchor(
    run: RunState, st: InstanceState, c: Any, ob: Obligation, anchor: Anchor, index: int
) -> None:
    """A fact that may fix an obligation's own derived date (first X; a running total)."""
    tr = _tracked(st, c, ob)
    fact = run.fact(c.f)
    fixed = _fix_anchor(st, anchor, fact, tr.anchors, tr.totals, tr.env(), ob.id)
    if fixed or anchor.kind == "running_total":
        tr.anchor_facts.append(fact)
    st.resolve_due(tr)
    replace_durable(
        c, tr, **{f"a{index}": NEVER_US if fixed else fact.seq, "late_after": tr.late_after_us}
    )


def on_contract_anchor(run: RunState, st: InstanceState, c: Any, anchor: Anchor) -> None:
    """A fact that may fix a contract-wide date; every open deadline is re-dated (but for
    those of periods that their period alone dates)."""
    if anchor in st.anchors:
        return
    fact = run.fact(c.m)
    env = st.params_env(fact)
    if not _fix_anchor(st, anchor, fact, st.anchors, st.totals, env, "dates"):
        return
    st.anchor_facts[anchor] = fact
    for tr in st.tracked.values():
        period = tr.period
        if period is not None and fixed_by_period(st.contract, tr.obligation, period.schedule):
            continue  # its due date follows from its period alone
        st.resolve_due(tr)
        replace_durable(c, tr, late_after=tr.late_after_us)
    open_periods(run, st, c, fact)


def on_index(run: RunState, st: InstanceState, c: Any, fact_type: str) -> None:
    """Keep a fact that some obligation looks values up in."""
    st.index.setdefault(fact_type, []).append(run.fact(c.m))


def on_satisfy(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A fact of the satisfying type for this key: it meets the obligation if its test holds."""
    assert ob.satisfied_by is not None
    tr = _tracked(st, c, ob)
    fact = run.fact(c.f)
    if any(f is fact for f, _ in tr.rejected):
        return
    if uses_totals(st.contract, ob):
        tr.add_to_totals(fact)
    where = ob.satisfied_by.where
    if where is not None or ob.lookups:  # (else nothing to look up, nor to test)
        env, missing = st.values(tr, fact)  # (a lookup's date may not be computable now)
        if not holds(st, where, env, fact, ob.id):
            if missing:
                tr.pending.append(fact)  # decided when the values it needs are known
            else:
                tr.rejected.append((fact, rejection(ob)))
            return
    tr.satisfier = fact
    replace_durable(c, tr, state="closed")


def on_deadline(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """Event time passed the deadline with the obligation still open (``owed``: what is
    still owed then becomes the finding's amount)."""
    tr = _tracked(st, c, ob)
    tr.passed = True
    if ob.owed is not None:
        value = st.evaluate(ob.owed, tr.env(), tr.trigger, ob.id)
        tr.amount = value if isinstance(value, Decimal) else None
    if ob.kind is not Kind.RIGHT:
        start_after_breach(run, st, c, tr)
    replace_durable(c, tr, state="overdue")


def on_check(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A report a standing duty is checked at: open, extend or cure a breach episode."""
    assert ob.check is not None
    fact = run.fact(c.m)
    env = st.fact_names(fact)
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


def in_window(window: Window, ctx: DateContext, day: date) -> tuple[bool, str]:
    """Whether ``day`` falls in the window (an unknown start: not yet; unknown end: open).

    The words name the window's days (``Thu 2001-01-11 through Wed 2001-01-31``); the
    arithmetic behind them is in the finding's trace.
    """
    words = []
    inside = True
    if window.start is not None:
        start = ctx.resolve(window.start)
        words.append(f"from {day_text(start.day)}" if start.day else f"from {start.how}")
        inside = start.day is not None and day >= start.day
    if window.end is not None:
        end = ctx.resolve(window.end)
        word = "through" if window.end_inclusive else "before"
        words.append(f"{word} {day_text(end.day)}" if end.day else f"{word} {end.how}")
        if end.day is not None:
            inside = inside and (day <= end.day if window.end_inclusive else day < end.day)
    return inside, " ".join(words)


def _forbidden(
    st: InstanceState, forbid: Forbid, fact: Fact, env: dict[str, Any], ctx: DateContext, rule: str
) -> str | None:
    """Why ``fact`` is forbidden, or None if it is allowed."""
    if not holds(st, forbid.match.where, env, fact, rule):
        return None
    reason = forbid.says or "forbidden"
    if forbid.window is not None:
        inside, words = in_window(forbid.window, ctx, fact.day(st.contract.time_zone))
        if inside == forbid.window.outside:
            return None
        where = "outside the window" if forbid.window.outside else "within the window"
        reason += f" ({where} {words})"
    if forbid.unless_preceded_by:
        label = st.contract.fact_types[forbid.unless_preceded_by].label
        reason += f"; no earlier {label} for it"
    return reason


def on_forbidden(run: RunState, st: InstanceState, c: Any, ob: Obligation, index: int) -> None:
    """A fact of a forbidden type (with no permitting earlier fact): a breach if it qualifies."""
    forbid = ob.forbids[index]
    if ob.trigger is not None:
        tr = _tracked(st, c, ob)
        fact = run.fact(c.f)
        env, _ = st.values(tr, fact)
        ctx = st.date_context(tr, explain=False)
        key = tr.key
    else:
        fact = run.fact(c.f)
        env = st.fact_names(fact)
        ctx = st.date_context(None, explain=False)
        key = str(fact.fields[ob.key]) if ob.key else None
    reason = _forbidden(st, forbid, fact, env, ctx, ob.id)
    if reason is not None:
        st.acts.append(Act(ob, fact, reason, key))
    else:
        slot = st.allowed.setdefault((ob.id, key if ob.trigger is not None else None), [])
        if fact not in slot:
            slot.append(fact)


def on_waiver(run: RunState, st: InstanceState, c: Any) -> None:
    """A waiver: kept, and applied to the findings it names."""
    st.waivers.append(run.fact(c.m))


def on_parameter_changed(run: RunState, st: InstanceState, c: Any) -> None:
    """An amendment: the parameter has its new value from now on."""
    fact = run.fact(c.m)
    st.params[fact.fields["parameter"]] = Decimal(str(fact.fields["value"]))


def on_permitted(run: RunState, st: InstanceState, c: Any, ob: Obligation, index: int) -> None:
    """A fact of a forbidden type that an earlier fact permits (an offer made first)."""
    fact = run.fact(c.f)
    key = _tracked(st, c, ob).key if ob.trigger is not None else None
    slot = st.allowed.setdefault((ob.id, key), [])
    if fact not in slot:
        slot.append(fact)


def start_after_breach(run: RunState, st: InstanceState, c: Any, tr: Tracked) -> None:
    """Open the rules a breach of ``tr`` starts (same key), dated at its deadline."""
    ob = tr.obligation
    followers = [o for o in st.contract.obligations if o.after_breach_of == ob.id]
    if not followers or tr.due_at is None:
        return
    breach = Fact(
        tr.trigger.id,
        f"breach of {ob.id}",
        tr.due_at,
        {},
        tr.trigger.loc,
        run.clock_seq,
        tr.trigger.contract,
        at_us=tr.late_after_us,
    )
    for follower in followers:
        if (follower.id, tr.key) not in st.tracked:
            open_instance(run, st, c, follower, tr.key, breach, tr.period)


def on_reading(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """The figures a test reads for its period (a compliance certificate)."""
    _tracked(st, c, ob).readings.append(run.fact(c.f))


def on_cure(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A fact offered to cure a period's test (an equity cure)."""
    _tracked(st, c, ob).cures.append(run.fact(c.f))


def on_limited(run: RunState, st: InstanceState, c: Any, ob: Obligation) -> None:
    """A fact a limit counts (an equity cure), kept in time order for its rule."""
    st.limited.setdefault(ob.id, []).append(run.fact(c.m))


HANDLERS: dict[Handler, Callable[..., None]] = {
    Handler.TRIGGER: on_trigger,
    Handler.ANCHOR: on_anchor,
    Handler.CONTRACT_ANCHOR: on_contract_anchor,
    Handler.INDEX: on_index,
    Handler.SATISFY: on_satisfy,
    Handler.DEADLINE: on_deadline,
    Handler.CHECK: on_check,
    Handler.FORBIDDEN: on_forbidden,
    Handler.PERMITTED: on_permitted,
    Handler.WAIVER: on_waiver,
    Handler.PARAMETER_CHANGED: on_parameter_changed,
    Handler.READING: on_reading,
    Handler.CURE: on_cure,
    Handler.LIMITED: on_limited,
}


def bind(action: Fire) -> Callable[[Any], None]:
    """The durable_rules action for a compiled rule's ``Fire``: its handler, dispatched."""
    handler, args = HANDLERS[action.handler], action.args

    def run(c: Any) -> None:
        dispatch(c, handler, *args)

    run.__name__ = handler.__name__
    return run
