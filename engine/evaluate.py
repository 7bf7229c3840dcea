"""Evaluate: the run, then its findings, at an as-of date passed in (never the clock).

The one call the commands, the rule tests and the benchmarks make. The run is split by
contract instance into parts (``engine.run.partition``: batches of instances, each with
the facts it needs, the counts of facts made once for the whole run); an executor
(``engine.executors``) evaluates each part: ``engine.run`` drives its facts through the
compiled rulesets, ``engine.findings`` reads each instance's state as findings. The
parts' findings, in part order, are sorted by due date, contract, rule and key, as one
run would sort them: the result does not depend on the executor or the number of jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from engine.diagnostics import InputError
from engine.executors.local import Executor, Processes, Serial
from engine.findings.make import sort_key
from engine.model import Contract, Fact, Result
from engine.run.partition import plan


def evaluate(
    contracts: list[Contract],
    facts: list[Fact],
    as_of: date,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Evaluate every contract instance against the facts, as at the end of ``as_of``.

    ``jobs``: worker processes on this machine (1: this process alone); ``executor``
    overrides it (e.g. ``engine.executors.on_dask.Dask``). ``progress`` is called with
    the number of instances of each part as it finishes. Raises ``InputError`` with every
    problem the facts' data caused.
    """
    runner = executor if executor is not None else Serial() if jobs <= 1 else Processes(jobs)
    with runner as ex:
        split = plan(contracts, facts, as_of, jobs=ex.jobs)
        results = ex.map(contracts, split, as_of, progress)
    problems = [p for r in results for p in r.problems]
    if problems:
        raise InputError(problems)
    findings = [f for r in results for f in r.findings]
    return Result(as_of, tuple(sorted(findings, key=sort_key)), split.considered, split.after_as_of)
