"""Local executors: the parts of a run in this process, or in worker processes.

``Serial`` evaluates the parts one after the other in this process, each with a fresh
durable_rules host (the default of ``evaluate``). ``Processes`` spreads them over ``jobs``
worker processes, biggest parts first; results come back in part order whatever the
order they finish in. Workers are forked where the platform allows, so that the
contracts are inherited, not copied, and for a large portfolio before the facts are read
(``Processes.prepare``); each part goes to its worker with its facts, pickled (compactly:
``engine.executors.work``). Facts inherited would not stay shared: touching a fact writes
its reference count, and so copies its page, and a part's facts lie all over the
parent's memory (in time order, every contract's mixed): at a million facts each worker
copied most of them (about 700 MB). A run of one part is evaluated in this process
(workers ``prepare`` started stay idle). A worker that dies (killed, out of memory, a
crash in native code) fails the run with ``ExecutorError``, never a hang.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import NoReturn, Protocol

from engine.collector import collector_paused
from engine.days.calendars import get_calendar
from engine.executors.results import Shared
from engine.executors.work import PartResult, evaluate_part
from engine.model import Contract
from engine.run import partition
from engine.run.driver import compiled
from engine.run.partition import Part, Plan

Progress = Callable[[int], None]  # told how many instances each finished part held


class ExecutorError(Exception):
    """The executor cannot be used: unknown, not installed, or its scheduler unreachable."""


class Executor(Protocol):
    """Where parts are evaluated: a context (``with``) whose ``jobs`` is its parallelism.
    It is used inside its ``with`` block: what it starts ends there."""

    @property
    def jobs(self) -> int:
        """How many parts it evaluates at once."""
        ...

    def __enter__(self) -> Executor: ...  # noqa: D105

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...  # noqa: D105

    def prepare(self, contracts: Sequence[Contract], as_of: date, size: int) -> None:
        """Get ready for runs of ``contracts`` at ``as_of``, before their facts are read
        (``size``: the bytes of the fact logs)."""
        ...

    def map(
        self,
        contracts: Sequence[Contract],
        plan: Plan,
        as_of: date,
        progress: Progress | None,
        traces: bool = True,
    ) -> list[PartResult]:
        """Every part's result, in part order (``traces``: ``evaluate_part``'s). An
        executor sending the parts away lets their facts go (``Plan.let_go``): a plan is
        mapped once."""
        ...


@dataclass
class Serial:
    """The parts one after the other, in this process."""

    jobs: int = 1

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def prepare(self, contracts: Sequence[Contract], as_of: date, size: int) -> None:
        """Nothing to get ready."""

    def map(
        self,
        contracts: Sequence[Contract],
        plan: Plan,
        as_of: date,
        progress: Progress | None,
        traces: bool = True,
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        results = []
        for part in plan.parts:
            results.append(evaluate_part(contracts, part, as_of, traces))
            if progress is not None:
                progress(part.size)
        return results


_RUN: tuple[Sequence[Contract], date] | None = None  # set in each worker process
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def _install(contracts: Sequence[Contract], as_of: date) -> None:
    """Worker start: keep the run's contracts and as-of date (inherited when forked,
    unpickled when spawned), out of the collector's reach like all it inherits (so that
    its pages stay shared); leave an interrupt (Ctrl-C reaches the whole process group)
    to the parent, which ends the workers; and end with the parent if it dies (Linux),
    rather than wait for work forever."""
    global _RUN
    _RUN = (contracts, as_of)
    gc.freeze()
    gc.enable()  # (forked while the parent's was paused; ``_evaluate`` pauses it per part)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now (an error or an interrupt in this process)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()


def _pickled(value: Part | PartResult) -> bytes:
    """A part as it goes to a worker, or its result as it comes back: pickled here, not by
    the pool (the part in the command's process, the result in the worker), so that the
    process receiving it unpickles it while its collector is paused (``_evaluate``,
    ``Processes.map``)."""
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _ready() -> None:
    """Worker task: nothing (a forked pool makes all its workers at its first task)."""


def _evaluate(shipped: bytes, traces: bool) -> bytes:
    """Worker task: evaluate one part (pickled) of the installed run; its result, pickled.

    The collector stays paused from the part's unpickling to its result's pickling, and
    neither the part nor the result is alive when it runs again, so no collection walks
    them. (Before, with the collector paused only while the part was unpickled and while
    it was evaluated, collections walked its facts, then its findings as the pool pickled
    them: 3% of a worker's time.)"""
    assert _RUN is not None, "worker started without a run"
    contracts, as_of = _RUN
    with collector_paused():  # a part's facts and findings are many objects
        part = pickle.loads(shipped)
        result = evaluate_part(contracts, part, as_of, traces)
        del part  # (its facts freed now)
        back = _pickled(result)
        del result
    return back


def warm(contracts: Sequence[Contract]) -> None:
    """Compile the rulesets and build the calendars once, before workers are forked."""
    for contract in contracts:
        compiled(contract)
        for name in set(contract.calendars.values()):
            get_calendar(name)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe and available (Linux); spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    name = "fork" if "fork" in methods and sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(name)


EARLY = 8 << 20  # bytes of fact logs (about 60,000 facts) from which workers start early;
# below, what they would save is small, and a run needing none (one part, bad inputs)
# would still pay for starting them (a tenth of a second).

_DIED = (
    "a worker process died (killed, out of memory or crashed); --jobs 1 evaluates in this process"
)


@dataclass
class Processes:
    """The parts spread over at most ``jobs`` worker processes, inside ``with``: started by
    ``prepare`` (or by ``map``), ended with the block."""

    jobs: int
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)
    _run: tuple[Sequence[Contract], date] | None = field(default=None, repr=False)
    _entered: bool = field(default=False, repr=False)

    def __enter__(self) -> Processes:
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._entered = False
        self._close()

    def prepare(self, contracts: Sequence[Contract], as_of: date, size: int) -> None:
        """Start the workers now, with the contracts alone, if the fact logs are large
        (``EARLY``): before the facts are read, so that they share none of the facts'
        memory. Forked later, a worker's own objects land in the holes between the facts
        (what reading freed) and copy those pages: about 250 MB each at a million facts.
        As many as the parts the instances will make at most (one part: none)."""
        instances = sum(len(c.instances) for c in contracts)
        workers = min(self.jobs, partition.part_count(instances, self.jobs))
        if self._entered and self._pool is None and workers > 1 and size >= EARLY:
            self._start(contracts, as_of, workers)

    def _start(
        self, contracts: Sequence[Contract], as_of: date, workers: int
    ) -> ProcessPoolExecutor:
        """``workers`` processes for a run of ``contracts`` at ``as_of``, made now."""
        warm(contracts)
        pool = ProcessPoolExecutor(
            workers, _context(), initializer=_install, initargs=(contracts, as_of)
        )
        self._pool, self._run = pool, (contracts, as_of)
        try:
            pool.submit(_ready).result()  # the workers are made now
        except BrokenProcessPool:
            self._died()
        return pool

    def _died(self) -> NoReturn:
        """A worker died: the pool is broken."""
        self._close()
        raise ExecutorError(_DIED) from None

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._run = None

    def map(
        self,
        contracts: Sequence[Contract],
        plan: Plan,
        as_of: date,
        progress: Progress | None,
        traces: bool = True,
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        workers = min(self.jobs, len(plan.parts))
        if workers <= 1:
            return Serial().map(contracts, plan, as_of, progress, traces)
        order = sorted(range(len(plan.parts)), key=lambda i: -len(plan.parts[i].facts))
        results: dict[int, PartResult] = {}
        pool = self._pool
        try:
            ran = self._run
            if pool is None or ran is None or ran[0] is not contracts or ran[1] != as_of:
                self._close()  # none yet (not prepared), or started for another run
                pool = self._start(contracts, as_of, workers)
            # each part pickled as it is handed over: the first is being evaluated meanwhile
            # (no list of the futures is kept: each, holding its part's result pickled, is
            # let go once read)
            done = as_completed(
                [pool.submit(_evaluate, _pickled(plan.parts[i]), traces) for i in order]
            )
            plan.let_go()
            shared = Shared()  # the findings' texts, each once for the whole run
            for future in done:
                result = shared.result(future.result())  # (see ``_evaluate``)
                results[result.index] = result
                if progress is not None:
                    progress(result.instances)
        except BrokenProcessPool:
            self._died()
        except BaseException:
            if pool is not None:
                _stop(pool)  # nothing the workers are computing is wanted any more
            self._close()
            raise
        finally:
            if not self._entered:
                self._close()  # used outside ``with``: nothing would end them
        return [results[i] for i in range(len(plan.parts))]
