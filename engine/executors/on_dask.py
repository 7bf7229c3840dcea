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
    """Parts evaluated by the workers of the Dask scheduler at ``address`` (tcp://...)."""

    address: str
    timeout: float = CONNECT_SECONDS  # seconds to reach the scheduler
    jobs: int = 1  # worker threads of the cluster, known once connected
    _client: Any = field(default=None, repr=False)

    def __enter__(self) -> Dask:
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
        self.jobs = max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def prepare(self, contracts: Sequence[Contract], as_of: date) -> None:
        """Nothing to get ready: the contracts go to the workers with the first run."""

    def map(
        self, contracts: Sequence[Contract], plan: Plan, as_of: date, progress: Progress | None
    ) -> list[PartResult]:
        """Every part's result, in part order."""
        from distributed import as_completed

        client = self._client
        if client is None:
            raise ExecutorError("the Dask executor is used outside `with`")
        if not plan.parts:
            return []
        run = uuid.uuid4().hex
        [shared] = client.scatter([tuple(contracts)], broadcast=True, hash=False)
        parts = client.scatter(list(plan.parts), hash=False)
        futures = [
            client.submit(evaluate_part, shared, part, as_of, key=f"clausewatch-{run}-{i}")
            for i, part in enumerate(parts)
        ]
        results: dict[int, PartResult] = {}
        for _, result in as_completed(futures, loop=client.loop, with_results=True):
            results[result.index] = result
            if progress is not None:
                progress(result.instances)
        return [results[i] for i in range(len(plan.parts))]
