"""durable_rules hosts, kept per process and reused run after run, part after part.

durable_rules 2.0.28 never gives back the C memory of a host it is done with (about
1 MiB per session, even after ``delete_ruleset``), and allows at most 1,024 live sessions
per ruleset. Deleting a session's state does free its memory and its slot. So a process
keeps one host per set of compiled rulesets, lends it to one part at a time, and deletes
the sessions of the part when it gives it back: memory stays flat whatever the number of
instances, and no state passes from one run or part to the next (session ids are
instance ids, each opened afresh).

But ``delete_state`` crashes the process (a double free) for a session in which no rule
ever took a message (an instance that saw only clock ticks). Those sessions are never
deleted: they stay on the host, counted, and a host that holds ``_UNDELETED_MAX`` of them
is given up for a fresh one, well before the 1,024 sessions a ruleset allows.

One part at a time per process (a lock): durable_rules is not known to be safe across
threads, and its calls hold the GIL anyway, so threads (a Dask worker's) lose nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import durable_rules_engine
from durable import engine as durable_engine

from engine.compile.ruleset import CompiledContract
from engine.run.actions import bind
from engine.run.state import RunState

_KEPT = 4  # hosts kept per process (sets of rulesets, most recently used)
_UNDELETED_MAX = 512  # sessions left on a host (never deletable) before it is given up


class Host(durable_engine.Host):
    """A durable_rules host with no background threads: nothing runs on a timer."""

    run: RunState
    undeleted: int = 0  # sessions left on it that could not be deleted safely

    def _run(self) -> None:
        """Start nothing (the stock host polls queues and timers every 0.2 s)."""


_LOCK = threading.Lock()
_HOSTS: OrderedDict[tuple[int, ...], tuple[tuple[CompiledContract, ...], Host]] = OrderedDict()


def _new_host(rulesets: Sequence[CompiledContract]) -> Host:
    host = Host()
    for rules in rulesets:
        host.register_rulesets(rules.definition(bind))
    return host


def _close(sessions: Mapping[str, str], matched: set[str], host: Host) -> bool:
    """Delete the sessions opened on the host in which a rule took a message (the others
    cannot be deleted safely, and are counted on the host); whether the host is clean."""
    ok = True
    for sid, ruleset in sessions.items():
        if sid not in matched:
            host.undeleted += 1
            continue
        try:
            host.delete_state(ruleset, sid)
        except Exception:  # noqa: BLE001 - a host that cannot be cleaned is not kept
            ok = False
    return ok and host.undeleted < _UNDELETED_MAX


def _drop(host: Host) -> None:
    """Give up a host: free what durable_rules frees of its rulesets."""
    for ruleset in list(host._ruleset_directory.values()):
        handle = getattr(ruleset, "_handle", None)
        if handle is not None:
            ruleset._handle = None
            durable_rules_engine.delete_ruleset(handle)


@contextmanager
def borrowed(
    rulesets: Sequence[CompiledContract], sessions: Mapping[str, str], run: RunState
) -> Iterator[Host]:
    """A host with ``rulesets`` registered, for one part whose ``sessions`` (session id to
    ruleset name) are all deleted when it is given back; ``run`` is what actions reach."""
    key = tuple(id(r) for r in rulesets)
    with _LOCK:
        entry = _HOSTS.pop(key, None)
        if entry is None:
            entry = (tuple(rulesets), _new_host(rulesets))
        host = entry[1]
        host.run = run
        try:
            yield host
        finally:
            matched, host.run = run.matched, RunState()
            if _close(sessions, matched, host):
                _HOSTS[key] = entry
                while len(_HOSTS) > _KEPT:
                    _drop(_HOSTS.popitem(last=False)[1][1])
            else:
                _drop(host)
