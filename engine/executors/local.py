"""Local executors: the parts of a run in this process, or in worker processes.

``Serial`` evaluates the parts one after the other in this process, each with a fresh
durable_rules host (the default of ``evaluate``). ``Processes`` spreads them over ``jobs``
worker processes (forked where the platform allows, so that the contracts and facts are
inherited, not copied), biggest parts first; results come back in part order whatever
the order they finish in. A run of one part never starts a process.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Protocol

from engine.days.calendars import get_calendar
from engine.executors.work import PartResult, evaluate_part
from engine.model import Contract
from engine.run.driver import compiled
from engine.run.partition import Plan

Progress = Callable[[int], None]  # told how many instances each finished part held


class ExecutorError(Exception):
    """The executor cannot be used: unknown, not installed, or its scheduler unreachable."""


class Executor(Protocol):
    """Where parts are evaluated: a context (``with``) whose ``jobs`` is its parallelism."""

    jobs: int

    def __enter__(self) -> Executor: ...  # noqa: D105

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...  # noqa: D105

    def map(
        self, contracts: Sequence[Contract], plan: Plan, as_of: date, progress: Progress | None
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        ...


@dataclass
class Serial:
    """The parts one after the other, in this process."""

    jobs: int = 1

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self, contracts: Sequence[Contract], plan: Plan, as_of: date, progress: Progress | None
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        results = []
        for part in plan.parts:
            results.append(evaluate_part(contracts, part, as_of))
            if progress is not None:
                progress(part.size)
        return results


_RUN: tuple[Sequence[Contract], Plan, date] | None = None  # set in each worker process


def _install(contracts: Sequence[Contract], plan: Plan, as_of: date) -> None:
    """Worker start: keep the run (inherited when forked, unpickled when spawned)."""
    global _RUN
    _RUN = (contracts, plan, as_of)


def _evaluate(index: int) -> PartResult:
    """Worker task: evaluate one part of the installed run."""
    assert _RUN is not None, "worker started without a run"
    contracts, plan, as_of = _RUN
    return evaluate_part(contracts, plan.parts[index], as_of)


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


@dataclass
class Processes:
    """The parts spread over ``jobs`` worker processes."""

    jobs: int

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self, contracts: Sequence[Contract], plan: Plan, as_of: date, progress: Progress | None
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        workers = min(self.jobs, len(plan.parts))
        if workers <= 1:
            return Serial().map(contracts, plan, as_of, progress)
        warm(contracts)
        order = sorted(range(len(plan.parts)), key=lambda i: -len(plan.parts[i].facts))
        results: dict[int, PartResult] = {}
        with _context().Pool(workers, _install, (contracts, plan, as_of)) as pool:
            for result in pool.imap_unordered(_evaluate, order):
                results[result.index] = result
                if progress is not None:
                    progress(result.instances)
        return [results[i] for i in range(len(plan.parts))]
