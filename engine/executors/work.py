"""The unit of work of every executor: one part of a run, evaluated to its findings.

It runs where the executor sends it (this process, a forked worker, a Dask worker). What
it is given pickles (contracts included: an ``Expression`` travels as its source and is
parsed again on arrival), and it returns only plain, picklable values: the part's findings
in the order a single run lists them (instance by instance), or the problems the facts'
data caused.
"""

from __future__ import annotations

import copyreg
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from engine.diagnostics import Diagnostic
from engine.expressions import Expression, parse_expression
from engine.findings.instance import instance_findings
from engine.model import Contract, Finding
from engine.run.driver import drive
from engine.run.partition import Part


def _by_source(expression: Expression) -> tuple[object, tuple[str]]:
    """Pickle an expression as its source: the receiving process parses it again (its
    compiled form is made of closures, which ``pickle`` cannot carry)."""
    return parse_expression, (expression.source,)


copyreg.pickle(Expression, _by_source)  # contracts can go to spawned and Dask workers


@dataclass(frozen=True)
class PartResult:
    """What one part gives back: its findings, or the problems its facts caused."""

    index: int
    instances: int
    findings: tuple[Finding, ...]
    problems: tuple[Diagnostic, ...]


def evaluate_part(contracts: Sequence[Contract], part: Part, as_of: date) -> PartResult:
    """Run the part's instances over its facts and read their findings (none if the facts'
    data caused problems: the run then fails with every problem of every part)."""
    done = drive(contracts, part, as_of)
    if done.problems:
        return PartResult(part.index, part.size, (), done.problems)
    findings = tuple(f for st in done.states for f in instance_findings(st, as_of))
    return PartResult(part.index, part.size, findings, ())
