"""durable_rules hosts: one per part of a run, given up after it.

durable_rules 2.0.28 allows at most 1,024 live sessions per ruleset (a part holds at most
256), and never gives back all the C memory of a host it is done with (about 1 MiB per
session). Deleting a session's state would free it, but crashes the process (a double
free) for a session that saw only clock ticks, so sessions are never deleted and hosts are
never reused: no state passes from one run or part to the next.

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


class Host(durable_engine.Host):
    """A durable_rules host with no background threads: nothing runs on a timer."""

    run: RunState

    def _run(self) -> None:
        """Start nothing (the stock host polls queues and timers every 0.2 s)."""


_LOCK = threading.Lock()
_HOSTS: OrderedDict[tuple[int, ...], tuple[tuple[CompiledContract, ...], Host]] = OrderedDict()


def _new_host(rulesets: Sequence[CompiledContract]) -> Host:
    host = Host()
    for rules in rulesets:
        host.register_rulesets(rules.definition(bind))
    return host


def _close(sessions: Mapping[str, str], host: Host) -> bool:
    """Delete every session opened on the host; whether all went."""
    ok = True
    for sid, ruleset in sessions.items():
        try:
            host.delete_state(ruleset, sid)
        except Exception:  # noqa: BLE001 - a host that cannot be cleaned is not kept
            ok = False
    return ok


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
    """A fresh host with ``rulesets`` registered, for one part (``sessions``: session id to
    ruleset name); ``run`` is what actions reach. The host is given up after the part.

    Hosts are not reused: durable_rules 2.0.28 crashes (a double free) when deleting the
    state of a session that saw only clock ticks, so no session is ever deleted; a part
    holds at most 256 instances, well under the 1,024 sessions a ruleset allows.
    """
    with _LOCK:
        host = _new_host(rulesets)
        host.run = run
        try:
            yield host
        finally:
            host.run = RunState()
            _drop(host)
