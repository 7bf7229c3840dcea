"""The driver: facts and clock ticks fed into durable_rules sessions, in event time.

The engine never reads the clock. Each call builds its own durable_rules host
(no shared state between runs), registers one compiled ruleset per contract and
one session per contract instance, then feeds the facts in time order. Before a
fact is asserted, a tick at the fact's instant lets durable_rules see every
deadline that has gone by; a last tick at the end of the as-of day closes the run.
Cost is linear in the number of facts: each fact is asserted and retracted once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from durable import engine as durable_engine

from engine.compile.ruleset import CompiledContract, compile_contract
from engine.days.dates import effective_instant
from engine.days.instants import end_of_day, epoch_us
from engine.diagnostics import InputError
from engine.model import Contract, Fact
from engine.run.actions import bind
from engine.run.state import InstanceState, RunState


class _Host(durable_engine.Host):
    """A durable_rules host with no background threads: nothing runs on a timer."""

    run: RunState

    def _run(self) -> None:
        """Start nothing (the stock host polls queues and timers every 0.2 s)."""


@dataclass(frozen=True)
class Drive:
    """What a run leaves: each instance's state, and which facts it considered."""

    states: tuple[InstanceState, ...]
    considered: int  # facts evaluated
    after_as_of: tuple[Fact, ...]  # facts dated after the as-of day, not evaluated


_COMPILED: OrderedDict[int, tuple[Contract, CompiledContract]] = OrderedDict()
_COMPILED_KEPT = 64  # loaded contracts whose compiled rulesets are kept (most recent)


def compiled(contract: Contract) -> CompiledContract:
    """Each loaded contract is compiled once per process, then reused by every run."""
    entry = _COMPILED.get(id(contract))
    if entry is None or entry[0] is not contract:
        entry = _COMPILED[id(contract)] = (contract, compile_contract(contract))
        while len(_COMPILED) > _COMPILED_KEPT:
            _COMPILED.popitem(last=False)
    _COMPILED.move_to_end(id(contract))
    return entry[1]


def _post(host: _Host, run: RunState, ruleset: str, message: dict[str, Any], retract: bool) -> None:
    call = host.retract_fact if retract else host.assert_fact
    try:
        call(ruleset, message)
    except durable_engine.MessageNotHandledException:
        pass  # no rule of this contract looks at this kind of fact
    if run.errors:
        error = run.errors.pop(0)
        if not isinstance(error, InputError):
            raise error
        # Bad data met in the run (a date past the calendars, an amount too large): the
        # instance is held back with its problems; the others go on.
        run.instances[message["sid"]].problems.extend(error.diagnostics)
        run.errors.clear()


def _durable_value(v: Any) -> Any:
    """A field value as durable_rules takes it: its JSON reader knows no exponents (1e-05,
    1e+16), so a float goes as its text (patterns compare only keys, as text)."""
    if isinstance(v, date):
        return v.isoformat()
    return repr(v) if isinstance(v, float) else v


def _durable_fact(fact: Fact, sid: str) -> dict[str, Any]:
    fields = {f"f_{k}": _durable_value(v) for k, v in fact.fields.items()}
    return {
        "sid": sid,
        "id": f"f{fact.seq}",
        "kind": "fact",
        "type": fact.type,
        "seq": fact.seq,
        "at_us": epoch_us(fact.at),
        **fields,
    }


def _targets(fact: Fact, sessions: dict[str, tuple[str, Contract]]) -> Iterable[str]:
    """The sessions a fact goes to: the instance it names, or (``*``) every one taking it."""
    if fact.contract is not None and fact.contract != "*":
        return [fact.contract] if fact.contract in sessions else []
    return [sid for sid, (_, c) in sessions.items() if fact.type in c.fact_types]


def drive(
    contracts: list[Contract], facts: list[Fact], as_of: date, skip: Collection[str] = ()
) -> Drive:
    """Run every contract instance (but those in ``skip``) over the facts, as at ``as_of``.

    Problems the facts' data causes (a second trigger for an unkeyed rule, an expression
    that cannot be computed on a fact's values) stay on each instance's state
    (``InstanceState.problems``).
    """
    host, run = _Host(), RunState()
    host.run = run
    sessions: dict[str, tuple[str, Contract]] = {}
    memos: dict[str, frozenset[str]] = {}
    for contract in contracts:
        rules = compiled(contract)
        host.register_rulesets(rules.definition(bind))
        for inst in (i for i in contract.instances if i.id not in skip):
            sessions[inst.id] = (rules.name, contract)
            memos[inst.id] = rules.memo_types
            run.instances[inst.id] = InstanceState(contract, inst)
    ends = {sid: epoch_us(end_of_day(as_of, c.time_zone)) for sid, (_, c) in sessions.items()}
    clock = dict.fromkeys(sessions, -(2**62))
    considered, later = 0, []
    for fact in facts:
        at = epoch_us(fact.at)
        targets = list(_targets(fact, sessions))
        if targets and all(at > ends[sid] for sid in targets):
            later.append(fact)
            continue
        considered += 1
        run.facts[fact.seq] = fact
        for sid in targets:
            ruleset = sessions[sid][0]
            if at > clock[sid]:
                clock[sid] = at
                run.clock_seq = fact.seq - 1
                tick = {"sid": sid, "id": f"t{at}", "kind": "tick", "ts": at}
                _post(host, run, ruleset, tick, retract=False)
                _post(host, run, ruleset, tick, retract=True)
            message = _durable_fact(fact, sid)
            _post(host, run, ruleset, message, retract=False)
            _post(host, run, ruleset, message, retract=True)
            if fact.type in memos[sid]:
                eff = epoch_us(effective_instant(sessions[sid][1], fact))
                day = fact.day(sessions[sid][1].time_zone).toordinal()
                memo = {**message, "id": f"m{fact.seq}", "kind": "memo", "eff": eff, "day": day}
                _post(host, run, ruleset, memo, retract=False)
    run.clock_seq = max(run.facts, default=0)
    for sid, (ruleset, _) in sessions.items():
        tick = {"sid": sid, "id": "t-end", "kind": "tick", "ts": ends[sid]}
        _post(host, run, ruleset, tick, retract=False)
        _post(host, run, ruleset, tick, retract=True)
    return Drive(tuple(run.instances.values()), considered, tuple(later))
