"""Evaluate: the run, then its findings, at an as-of date passed in (never the clock).

The one call the commands, the rule tests and the benchmarks make. The run is split by
contract instance into parts (``engine.run.partition``: batches of instances, each with
the facts it needs, the counts of facts made once for the whole run); an executor
(``engine.executors``) evaluates each part: ``engine.run`` drives its facts through the
compiled rulesets, ``engine.findings`` reads each instance's state as findings. The
parts' findings are sorted by due date, contract, rule and key, as one run would sort
them: the result does not depend on the executor or the number of jobs.

**The nightly delta** (``evaluate_delta``, with a ``Memo`` of the last nightly run's
entries, kept by ``engine.history.memo``): an instance is evaluated again only if the
digest of its inputs changed (``engine.run.digest``: engine, template file, instance row,
the facts routed to it) or the as-of date is outside the span its last findings stand
for (from the as-of they were made at, before their horizon: ``engine.findings.horizon``);
otherwise its stored findings are taken, their as-of words re-dated. The plan (and so the
counts of facts considered and after the as-of day) is the whole run's; only its parts
lose the instances taken from the memo. Findings are merged and sorted as one run sorts
them: within an instance their order is the run's, and no two instances' findings tie
(the sort key holds the instance id), so the output is the same byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from engine.diagnostics import Diagnostic
from engine.executors.local import Executor, Processes, Serial
from engine.executors.work import PartResult
from engine.findings.horizon import redate
from engine.findings.make import sort_key
from engine.model import Contract, Fact, Finding, Result, Status, Unchecked
from engine.run.digest import instance_digests, without
from engine.run.partition import plan

HeldBack = Mapping[str, tuple[str | None, Sequence[Diagnostic]]]  # instance -> template, why


@dataclass(frozen=True)
class Entry:
    """One instance's findings as a run made them, and the as-of days they stand for:
    from ``as_of`` to the day before ``horizon`` (None: no end), with the same ``digest``."""

    digest: str
    as_of: date
    horizon: date | None
    findings: Sequence[Finding]  # may decode on first read: see ``EntryUnreadable``

    def stands(self, digest: str, as_of: date) -> bool:
        """Whether these findings are the instance's with inputs ``digest`` at ``as_of``."""
        return (
            self.digest == digest
            and self.as_of <= as_of
            and (self.horizon is None or as_of < self.horizon)
        )


class EntryUnreadable(Exception):
    """An entry's stored findings could not be read back: its instance is evaluated."""


@dataclass(frozen=True)
class Memo:
    """What a run may take instead of evaluating: entries by instance id, and the sha256
    of each rule file by its path (a template whose file has none given is evaluated)."""

    entries: Mapping[str, Entry]
    templates: Mapping[str, str]


@dataclass(frozen=True)
class Delta:
    """A run with a memo: its result, the entries of the instances it evaluated (to keep
    for the next run), and how many instances it evaluated and took from the memo."""

    result: Result
    entries: dict[str, Entry] = field(default_factory=dict)
    evaluated: int = 0
    reused: int = 0


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
    overrides it (e.g. ``engine.executors.on_dask.Dask``), entered by the caller (``with``)
    and left to it. ``progress`` is called with the number of instances of each part as
    it finishes.
    """
    return evaluate_delta(
        contracts, facts, as_of, None, held_back, jobs=jobs, executor=executor, progress=progress
    ).result


def evaluate_delta(
    contracts: list[Contract],
    facts: list[Fact],
    as_of: date,
    memo: Memo | None,
    held_back: HeldBack | None = None,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    hand_over: bool = False,
    traces: bool = True,
) -> Delta:
    """``evaluate``, taking from ``memo`` the findings of the instances whose inputs are
    unchanged and whose findings still stand at ``as_of`` (None: evaluate every one).

    The result is the one ``evaluate`` gives, byte for byte. ``hand_over``: the caller
    has no more use for ``facts``, which the run empties once its plan holds them; an
    executor sending the parts away lets their facts go then (``Plan.let_go``), so that
    the findings coming back take the memory the facts leave (at a million facts, each
    about half of this process's). ``traces=False``: the findings carry no trace, for a
    report that prints none; a caller recording a run history (its entries) asks for them.
    """
    if executor is None:
        with Serial() if jobs <= 1 else Processes(jobs) as own:
            return evaluate_delta(
                contracts, facts, as_of, memo, held_back, executor=own, progress=progress,
                hand_over=hand_over, traces=traces,
            )  # fmt: skip
    held = dict(held_back or {})
    taken: dict[str, tuple[Finding, ...]] = {}
    digests: dict[str, str] = {}
    split = plan(contracts, facts, as_of, jobs=executor.jobs, skip=held.keys())
    if hand_over:
        facts.clear()  # the plan's parts hold them now
    work = split
    if memo is not None:
        digests = instance_digests(contracts, split, memo.templates)
        for instance, digest in digests.items():
            entry = memo.entries.get(instance)
            if entry is not None and entry.stands(digest, as_of):
                try:
                    found = redate(entry.findings, entry.as_of, as_of)
                except EntryUnreadable:
                    found = None
                if found is not None:
                    taken[instance] = found
        if taken:
            work = without(split, contracts, taken.keys())
            if progress is not None:
                progress(len(taken))
    considered, after_as_of, evaluated = split.considered, split.after_as_of, work.instances
    del split  # (its parts hold every fact: only ``work``'s may be let go)
    if memo is not None and not traces:
        raise ValueError("a run with a memo records its findings: it needs their traces")
    results = executor.map(contracts, work, as_of, progress, traces)
    entries = _entries(results, digests, as_of)
    result = _result(results, taken, held, considered, after_as_of, as_of)
    return Delta(result, entries, evaluated, len(taken))


def _entries(
    results: list[PartResult], digests: Mapping[str, str], as_of: date
) -> dict[str, Entry]:
    """The entries of the evaluated instances that have a digest."""
    entries = {}
    for r in results:
        start = 0
        for span in r.spans:
            mine = r.findings[start : start + span.count]
            start += span.count
            if span.instance in digests:
                entries[span.instance] = Entry(digests[span.instance], as_of, span.horizon, mine)
    return entries


def _result(
    results: list[PartResult],
    taken: Mapping[str, tuple[Finding, ...]],
    held: HeldBack,
    considered: int,
    after_as_of: tuple[Fact, ...],
    as_of: date,
) -> Result:
    unchecked = [
        Unchecked(instance, template, tuple(sorted(set(problems))))
        for instance, (template, problems) in held.items()
    ]
    unchecked += [u for r in results for u in r.unchecked]
    fresh = [f for r in results for f in r.findings]
    ordered = sorted(fresh + [f for found in taken.values() for f in found], key=sort_key)
    ahead = tuple(f for f in ordered if _ahead(f, as_of))
    now = tuple(f for f in ordered if not _ahead(f, as_of))
    by_id = tuple(sorted(unchecked, key=lambda u: u.contract))
    return Result(as_of, now, considered, after_as_of, by_id, ahead)


def _ahead(finding: Finding, as_of: date) -> bool:
    """An open finding of a period that has not ended by the as-of date: listed by
    ``upcoming`` and the calendar, not yet by ``check``."""
    return (
        finding.status is Status.OPEN
        and finding.listed_from is not None
        and finding.listed_from > as_of
    )
