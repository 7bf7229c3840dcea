"""Evaluate: the run, then its findings, at an as-of date passed in (never the clock).

The one call the commands, the rule tests and the benchmarks make: ``engine.run``
drives the facts through the compiled rulesets, ``engine.findings`` reads each
instance's state as findings, sorted by due date, contract, rule and key.
"""

from __future__ import annotations

from datetime import date

from engine.findings.instance import instance_findings
from engine.findings.make import sort_key
from engine.model import Contract, Fact, Result
from engine.run.driver import drive


def evaluate(contracts: list[Contract], facts: list[Fact], as_of: date) -> Result:
    """Evaluate every contract instance against the facts, as at the end of ``as_of``."""
    done = drive(contracts, facts, as_of)
    findings = [f for st in done.states for f in instance_findings(st, as_of)]
    return Result(as_of, tuple(sorted(findings, key=sort_key)), done.considered, done.after_as_of)
