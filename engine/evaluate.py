"""Evaluate: the run, then its findings, at an as-of date passed in (never the clock).

The one call the commands, the rule tests and the benchmarks make. The run is split by
contract instance into parts (``engine.run.partition``: batches of instances, each with
the facts it needs, the counts of facts made once for the whole run); an executor
(``engine.executors``) evaluates each part: ``engine.run`` drives its facts through the
compiled rulesets, ``engine.findings`` reads each instance's state as findings. The
parts' findings are sorted by due date, contract, rule and key, as one run would sort
them: the result does not depend on the executor or the number of jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from engine.diagnostics import Diagnostic
from engine.executors.local import Executor, Processes, Serial
from engine.findings.make import sort_key
from engine.model import Contract, Fact, Finding, Result, Status, Unchecked
from engine.run.partition import plan

HeldBack = Mapping[str, tuple[str | None, Sequence[Diagnostic]]]  # instance -> template, why


def evaluate(
    contracts: list[Contract],
    facts: list[Fact],
    as_of: date,
    held_back: HeldBack | None = None,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Evaluate every contract instance against the facts, as at the end of ``as_of``.

    Instances in ``held_back`` (bad input of their own) are not run; an instance whose
    facts' data cause a problem in the run is dropped too. Both are listed in
    ``Result.unchecked``, with their problems; every other instance's findings stand.
    ``jobs``: worker processes on this machine (1: this process alone); ``executor``
    overrides it (e.g. ``engine.executors.on_dask.Dask``). ``progress`` is called with
    the number of instances of each part as it finishes.
    """
    held = dict(held_back or {})
    runner = executor if executor is not None else Serial() if jobs <= 1 else Processes(jobs)
    with runner as ex:
        split = plan(contracts, facts, as_of, jobs=ex.jobs, skip=held.keys())
        results = ex.map(contracts, split, as_of, progress)
    unchecked = [
        Unchecked(instance, template, tuple(sorted(set(problems))))
        for instance, (template, problems) in held.items()
    ]
    unchecked += [u for r in results for u in r.unchecked]
    ordered = sorted((f for r in results for f in r.findings), key=sort_key)
    ahead = tuple(f for f in ordered if _ahead(f, as_of))
    now = tuple(f for f in ordered if not _ahead(f, as_of))
    by_id = tuple(sorted(unchecked, key=lambda u: u.contract))
    return Result(as_of, now, split.considered, split.after_as_of, by_id, ahead)


def _ahead(finding: Finding, as_of: date) -> bool:
    """An open finding of a period that has not ended by the as-of date: listed by
    ``upcoming`` and the calendar, not yet by ``check``."""
    return (
        finding.status is Status.OPEN
        and finding.listed_from is not None
        and finding.listed_from > as_of
    )
