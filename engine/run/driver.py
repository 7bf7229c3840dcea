"""The driver: facts and clock ticks fed into durable_rules sessions, in event time.

The engine never reads the clock. Each call runs one part of a run (a batch of
instances, ``engine.run.partition``) on a durable_rules host with one compiled ruleset
per contract (``engine.run.hosts``: reused, its sessions deleted after each part, so no
state passes between runs or parts) and one session per contract instance, then feeds
the part's facts in time order. Before a fact is asserted, a tick at the fact's
instant lets durable_rules see every deadline that has gone by; a last tick at the
end of the as-of day closes the run. A tick is posted only when some open obligation
of the instance fell due before it (``InstanceState.due_before``): the deadline rules
are the only ones joining ticks. Messages go to durable_rules' C engine directly
(``engine.run.calls``). Cost is linear in the number of facts: each fact is asserted
and retracted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.compile.ruleset import CompiledContract, compile_contract
from engine.days.dates import effective_us
from engine.days.instants import end_of_day, epoch_us
from engine.diagnostics import InputError
from engine.model import Contract, Fact
from engine.model.per_contract import PerContract
from engine.run.calls import Session, encode
from engine.run.hosts import borrowed
from engine.run.partition import Part
from engine.run.state import InstanceState, RunState


@dataclass(frozen=True)
class Drive:
    """What the run of a part leaves: each instance's state, in the part's order (the
    problems the facts' data caused are on each state)."""

    states: tuple[InstanceState, ...]


compiled: PerContract[CompiledContract] = PerContract(compile_contract)
"""Each loaded contract is compiled once per process, then reused by every run."""


def _post(session: Session, run: RunState, sid: str, text: str, retract: bool, fact: bool) -> None:
    """Post one message (``text``, as encoded) to session ``sid``; ``fact``: a user fact."""
    if session.post(text, sid, retract) and fact:
        run.matched.add(sid)  # a session a rule looked at: safe to delete
    if run.errors:
        error = run.errors.pop(0)
        if not isinstance(error, InputError):
            raise error
        # Bad data met in the run (a date past the calendars, an amount too large): the
        # instance is held back with its problems; the others go on.
        run.instances[sid].problems.extend(error.diagnostics)
        run.errors.clear()


def _event(session: Session, run: RunState, sid: str, message: dict[str, Any]) -> None:
    """Assert ``message`` into session ``sid``, then retract it (encoded once): every rule
    sees it once."""
    text, fact = encode(message), message["kind"] == "fact"
    _post(session, run, sid, text, retract=False, fact=fact)
    _post(session, run, sid, text, retract=True, fact=fact)


def _durable_value(v: Any) -> Any:
    """A field value as durable_rules takes it: its JSON reader knows no exponents (1e-05,
    1e+16), so a float goes as its text (patterns compare only keys, as text)."""
    if isinstance(v, date):
        return v.isoformat()
    return repr(v) if isinstance(v, float) else v


def _durable_fact(
    fact: Fact, sid: str, at_us: int, matched: frozenset[str] | None
) -> dict[str, Any]:
    """The fact as durable_rules takes it, for session ``sid`` (``at_us``: its instant),
    with the fields some pattern of its ruleset compares (``matched``; None: all): actions
    find the fact itself by ``seq``."""
    fields = {
        f"f_{k}": _durable_value(v)
        for k, v in fact.fields.items()
        if matched is None or k in matched
    }
    return {
        "sid": sid,
        "id": f"f{fact.seq}",
        "kind": "fact",
        "type": fact.type,
        "seq": fact.seq,
        "at_us": at_us,
        **fields,
    }


def _sessions(
    contracts: Sequence[Contract], part: Part, run: RunState, traces: bool
) -> dict[str, Contract]:
    """The part's instances in order, by session id (their instance id); their findings'
    words are kept once for the whole part (``InstanceState.words``)."""
    sessions: dict[str, Contract] = {}
    words: dict[str, str] = {}
    for member in part.members:
        contract = contracts[member.contract]
        instance = contract.instances[member.index]
        sessions[instance.id] = contract
        held = compiled(contract).held_states
        run.instances[instance.id] = InstanceState(
            contract, instance, words=words, held_states=held, traces=traces
        )
    return sessions


def drive(contracts: Sequence[Contract], part: Part, as_of: date, traces: bool = True) -> Drive:
    """Run the part's instances over its facts, as at the end of ``as_of`` (``traces``:
    whether their findings will carry their traces, ``InstanceState.traces``).

    The part's facts are those considered (``engine.run.partition`` decides it for the
    whole run); each goes to the instance it names or (``"*"``) to every instance of the
    part whose contract has its type. Problems the facts' data caused (a second trigger
    for an unkeyed rule, an expression that cannot be computed, a date past the
    calendars) stay on each instance's state; an action's unexpected exception is raised.
    """
    run = RunState()
    sessions = _sessions(contracts, part, run, traces)
    kinds = dict.fromkeys(m.contract for m in part.members)  # contracts of the part, in order
    rulesets = [compiled(contracts[k]) for k in kinds]
    names = {sid: compiled(c).name for sid, c in sessions.items()}
    with borrowed(rulesets, names, run) as host:
        posts = {name: Session(host, host.get_ruleset(name)) for name in set(names.values())}
        _feed(run, sessions, {sid: posts[name] for sid, name in names.items()}, part, as_of)
    return Drive(tuple(run.instances.values()))


def _feed(
    run: RunState,
    sessions: dict[str, Contract],
    posts: dict[str, Session],
    part: Part,
    as_of: date,
) -> None:
    """Post the ticks and facts of the part, in time order, then the last tick.

    A tick goes before a fact only when event time has moved on and some open obligation
    of the instance fell due before it, and the last tick only when one fell due before
    the end of the as-of day: a tick that no deadline rule can join is skipped. So an
    instance with no fact never opens a session (durable_rules could not delete it).
    """
    memos = {sid: compiled(c).memo_types for sid, c in sessions.items()}
    watched = {sid: compiled(c).watched for sid, c in sessions.items()}
    matched = {sid: compiled(c).matched_fields for sid, c in sessions.items()}
    by_type: dict[str, list[str]] = {}
    for sid, c in sessions.items():
        for name in c.fact_types:
            by_type.setdefault(name, []).append(sid)
    ends = {sid: epoch_us(end_of_day(as_of, c.time_zone)) for sid, c in sessions.items()}
    clock = dict.fromkeys(sessions, -(2**62))
    for fact in part.facts:
        at = fact.at_us
        named = fact.contract not in (None, "*")
        targets = [fact.contract] if named else by_type.get(fact.type, [])
        run.facts[fact.seq] = fact
        for sid in (s for s in targets if s in sessions):
            session = posts[sid]
            if at > clock[sid]:
                clock[sid] = at
                if run.instances[sid].due_before(at):
                    run.clock_seq = fact.seq - 1
                    tick = {"sid": sid, "id": f"t{at}", "kind": "tick", "ts": at}
                    _event(session, run, sid, tick)
            message = _durable_fact(fact, sid, at, matched[sid])
            if watched[sid] is None or fact.type in watched[sid]:
                _event(session, run, sid, message)
            if fact.type in memos[sid]:
                eff = effective_us(sessions[sid], fact)
                day = fact.day(sessions[sid].time_zone).toordinal()
                memo = {**message, "id": f"m{fact.seq}", "kind": "memo", "eff": eff, "day": day}
                _post(session, run, sid, encode(memo), retract=False, fact=False)
    run.clock_seq = max(run.facts, default=0)
    for sid, session in posts.items():
        if run.instances[sid].due_before(ends[sid]):
            tick = {"sid": sid, "id": "t-end", "kind": "tick", "ts": ends[sid]}
            _event(session, run, sid, tick)
