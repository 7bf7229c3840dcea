"""The parts of a run on a Dask cluster (``dask.distributed``), by its scheduler's address.

Install with ``pip install 'clausewatch[dask]'`` here and on every worker (the workers run
``engine.executors.work.evaluate_part``, so they need the same ClauseWatch). The
contracts go to every worker once (an ``Expression`` travels as its source, parsed again
there); each part travels with the facts it needs; the findings come back. Workers keep
their durable_rules hosts between parts (``engine.run.hosts``), one part at a time per
worker process: run workers with one thread each and as many processes as cores
(``dask worker tcp://host:8786 --nworkers auto --nthreads 1``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.executors.local import ExecutorError, Progress
from engine.executors.work import PartResult, evaluate_part
from engine.model import Contract
from engine.run.partition import Plan

CONNECT_SECONDS = 10.0


@dataclass
class Dask:
    """Parts evaluated by the workers of the Dask scheduler at ``address`` (tcp://...),
    reached when a run first needs it (its ``jobs``, its first ``map``), inside ``with``:
    a command whose inputs cannot be checked at all never waits for a scheduler."""

    address: str
    timeout: float = CONNECT_SECONDS  # seconds to reach the scheduler
    _client: Any = field(default=None, repr=False)
    _threads: int = field(default=0, repr=False)
    _entered: bool = field(default=False, repr=False)

    def __enter__(self) -> Dask:
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._entered = False
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def jobs(self) -> int:
        """The worker threads of the cluster."""
        self._connected()
        return self._threads

    def _connected(self) -> Any:
        """The client of the scheduler, connected now if not yet."""
        if not self._entered:
            raise ExecutorError("the Dask executor is used outside `with`")
        if self._client is not None:
            return self._client
        try:
            from distributed import Client
        except ImportError as exc:
            raise ExecutorError(
                f"dask is not installed ({exc.name}): pip install 'clausewatch[dask]'"
            ) from None
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {self.address}: {exc}"
            ) from None
        self._threads = max(1, sum(self._client.nthreads().values()))
        return self._client

    def prepare(self, contracts: Sequence[Contract], as_of: date, size: int) -> None:
        """Nothing to get ready: the contracts go to the workers with the first run."""

    def map(
        self,
        contracts: Sequence[Contract],
        plan: Plan,
        as_of: date,
        progress: Progress | None,
        traces: bool = True,
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        from distributed import as_completed

        client = self._connected()
        if not plan.parts:
            return []
        run = uuid.uuid4().hex
        [shared] = client.scatter([tuple(contracts)], broadcast=True, hash=False)
        parts = client.scatter(list(plan.parts), hash=False)
        plan.let_go()
        futures = [
            client.submit(evaluate_part, shared, part, as_of, traces, key=f"clausewatch-{run}-{i}")
            for i, part in enumerate(parts)
        ]
        results: dict[int, PartResult] = {}
        for _, result in as_completed(futures, loop=client.loop, with_results=True):
            results[result.index] = result
            if progress is not None:
                progress(result.instances)
        return [results[i] for i in range(len(plan.parts))]
