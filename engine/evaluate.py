"""Evaluate: the run, then its findings, at an as-of date passed in (never the clock).

The one call the commands, the rule tests and the benchmarks make: ``engine.run``
drives the facts through the compiled rulesets, ``engine.findings`` reads each
instance's state as findings, sorted by due date, contract, rule and key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from engine.diagnostics import Diagnostic, InputError
from engine.findings.instance import instance_findings
from engine.findings.make import sort_key
from engine.model import Contract, Fact, Finding, Result, Status, Unchecked
from engine.run.driver import drive

HeldBack = Mapping[str, tuple[str | None, Sequence[Diagnostic]]]  # instance -> template, why


def evaluate(
    contracts: list[Contract], facts: list[Fact], as_of: date, held_back: HeldBack | None = None
) -> Result:
    """Evaluate every contract instance against the facts, as at the end of ``as_of``.

    Instances in ``held_back`` (bad input of their own) are not run; an instance whose
    facts' data cause a problem in the run is dropped too. Both are listed in
    ``Result.unchecked``, with their problems; every other instance's findings stand.
    """
    held = dict(held_back or {})
    done = drive(contracts, facts, as_of, skip=held.keys())
    findings = []
    for st in done.states:
        try:
            mine = [] if st.problems else instance_findings(st, as_of)
        except InputError as exc:  # a figure the data make impossible (an amount too large)
            st.problems.extend(exc.diagnostics)
        if st.problems:
            held[st.instance.id] = (st.contract.id, st.problems)
        else:
            findings += mine
    unchecked = tuple(
        Unchecked(instance, template, tuple(sorted(set(problems))))
        for instance, (template, problems) in sorted(held.items())
    )
    ordered = sorted(findings, key=sort_key)
    ahead = tuple(f for f in ordered if _ahead(f, as_of))
    now = tuple(f for f in ordered if not _ahead(f, as_of))
    return Result(as_of, now, done.considered, done.after_as_of, unchecked, ahead)


def _ahead(finding: Finding, as_of: date) -> bool:
    """An open finding of a period that has not ended by the as-of date: listed by
    ``upcoming`` and the calendar, not yet by ``check``."""
    return (
        finding.status is Status.OPEN
        and finding.listed_from is not None
        and finding.listed_from > as_of
    )
