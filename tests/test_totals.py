"""Sums of satisfying facts (``total.*``) kept only for the rules whose expressions read
them (``engine.run.totals``), found however deep the expression sits."""

from __future__ import annotations

from pathlib import Path

from engine.load.rules import load_contracts
from engine.run.totals import uses_totals

ROOT = Path(__file__).resolve().parent.parent


def test_the_bundled_rules_that_read_totals():
    # rules/credit-agreement.yaml: maturity-repayment is met once `total.amount` reaches the
    # principal, and owes the rest; rules/nhtc-series-j.yaml: mandatory-purchase is met
    # once `total.amount` reaches `obligation.amount`. No other rule names `total.`.
    found = {
        (c.id, o.id)
        for c in load_contracts([str(ROOT / "rules")])
        for o in c.obligations
        if uses_totals(c, o)
    }
    assert found == {
        ("credit-agreement", "maturity-repayment"),
        ("nhtc-series-j", "mandatory-purchase"),
    }
