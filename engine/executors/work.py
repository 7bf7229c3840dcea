"""The unit of work of every executor: one part of a run, evaluated to its findings.

It runs where the executor sends it (this process, a forked worker, a Dask worker). What
it is given pickles (contracts included: an ``Expression`` travels as its source and is
parsed again on arrival), and it returns only plain, picklable values: the part's findings
in the order a single run lists them (instance by instance), and the instances the facts'
data held back.
"""

from __future__ import annotations

import copyreg
import dataclasses
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pendulum

from engine.collector import collector_paused
from engine.diagnostics import InputError, Location
from engine.expressions import Expression, parse_expression
from engine.findings.horizon import horizon
from engine.findings.instance import instance_findings
from engine.model import Contract, Fact, Finding, Unchecked
from engine.run.driver import drive
from engine.run.partition import Part


def _by_source(expression: Expression) -> tuple[object, tuple[str]]:
    """Pickle an expression as its source: the receiving process parses it again (its
    compiled form is made of closures, which ``pickle`` cannot carry)."""
    return parse_expression, (expression.source,)


copyreg.pickle(Expression, _by_source)  # contracts can go to spawned and Dask workers


def _fact_fields(fact: Fact) -> tuple[object, tuple[object, ...]]:
    """Pickle a fact as its values: a part's facts travel to the worker evaluating it.

    By default a slotted dataclass pickles its slots as a dict, set back one by one, and
    its ``Location`` as a named tuple: about 14 µs a fact there and back, against about
    8 µs this way (measured over 50,000 facts of a portfolio)."""
    path, line, col = fact.loc
    values = (fact.id, fact.type, fact.at, fact.fields, path, line, col, fact.seq, fact.contract)
    return _fact, (*values, fact.at_us)


def _fact(
    fact_id: str,
    fact_type: str,
    at: pendulum.DateTime,
    fields: dict[str, Any],
    path: str,
    line: int,
    col: int,
    seq: int,
    contract: str | None,
    at_us: int,
) -> Fact:
    """A fact made again from :func:`_fact_fields`' values."""
    return Fact(
        fact_id, fact_type, at, fields, Location(path, line, col), seq, contract, at_us=at_us
    )


copyreg.pickle(Fact, _fact_fields)  # a part's facts go to worker processes

_FINDING_VALUES = operator.attrgetter(*(f.name for f in dataclasses.fields(Finding)))


def _finding_fields(made: Finding) -> tuple[object, tuple[object, ...]]:
    """Pickle a finding as its values, in the order ``Finding`` takes them: a part's
    findings come back from its worker (by default, each one's slots as a dict, set back
    one by one), made by :func:`finding` (or by the run's own maker:
    ``engine.executors.results``)."""
    return finding, _FINDING_VALUES(made)


def finding(*values: Any) -> Finding:
    """A finding made again from :func:`_finding_fields`' values."""
    return Finding(*values)


copyreg.pickle(Finding, _finding_fields)


@dataclass(frozen=True)
class Span:
    """The findings of one sound instance among its part's (``count`` of them, in order)
    and their horizon (``engine.findings.horizon``; None: none)."""

    instance: str
    count: int
    horizon: date | None


@dataclass(frozen=True)
class PartResult:
    """What one part gives back: the findings of its sound instances, and the instances
    the facts' data held back (with their problems); ``spans`` say whose findings are
    whose, instance by instance."""

    index: int
    instances: int
    findings: tuple[Finding, ...]
    unchecked: tuple[Unchecked, ...]
    spans: tuple[Span, ...] = ()


def evaluate_part(
    contracts: Sequence[Contract], part: Part, as_of: date, traces: bool = True
) -> PartResult:
    """Run the part's instances over its facts and read their findings; an instance whose
    facts' data caused a problem (in the run, or in a figure of its findings) has none.
    ``traces``: whether the findings carry their traces (a report that prints none, with
    no history recorded, needs none).

    Python's cycle collector is paused meanwhile (``engine.collector``).
    """
    with collector_paused():
        return _evaluated(contracts, part, as_of, traces)


def _evaluated(contracts: Sequence[Contract], part: Part, as_of: date, traces: bool) -> PartResult:
    done = drive(contracts, part, as_of, traces)
    findings: list[Finding] = []
    unchecked: list[Unchecked] = []
    spans: list[Span] = []
    for st in done.states:
        mine: list[Finding] = []
        try:
            mine = [] if st.problems else instance_findings(st, as_of)
            until = None if st.problems else horizon(st, as_of)
        except InputError as exc:  # a figure the data make impossible (an amount too large)
            st.problems.extend(exc.diagnostics)
        if st.problems:
            problems = tuple(sorted(set(st.problems)))
            unchecked.append(Unchecked(st.instance.id, st.contract.id, problems))
        else:
            findings += mine
            spans.append(Span(st.instance.id, len(mine), until))
    return PartResult(part.index, part.size, tuple(findings), tuple(unchecked), tuple(spans))
