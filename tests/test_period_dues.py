"""Due dates of recurring duties shared between instances only when the period alone fixes
them (``engine.days.period_dues``): a date that also uses a parameter is each instance's.

Worked by hand from rules/credit-agreement.yaml: statements are due 45 days (90 at the
fiscal year's end) after the quarter's last day, rolled following; the Cure Deadline
counts 10 Business Days from there; interest is due on the scheduled date, rolled
modified following, and its grace is 3 Business Days more. None of them uses a
parameter or a fact; the certificate is due when the statements are delivered (the
first such fact), so it is worked out for each instance.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.cli import main
from engine.days.period_dues import _dates_seen, fixed_by_period, period_fields
from engine.load.rules import load_contracts

ROOT = Path(__file__).resolve().parent.parent


def _credit():
    return next(c for c in load_contracts([str(ROOT / "rules")]) if c.id == "credit-agreement")


def test_which_credit_rules_depend_on_the_period_alone():
    contract = _credit()
    used = {}
    for ob in contract.obligations:
        if ob.per and ob.due is not None:
            seen = _dates_seen(contract, ob, ob.per)
            found = period_fields(ob.due, seen, contract, frozenset())
            used[ob.id] = sorted(found) if found is not None else None
    assert used == {
        "financial-statements": ["end", "is_last_of_year", "name", "start"],
        "compliance-certificate": None,
        "leverage-ratio": ["end", "is_last_of_year", "name", "start"],
        "interest-payment": ["end", "name", "start"],
        "interest-default": ["end", "name", "start"],
    }


def test_rules_dated_by_their_period_alone_are_not_dated_again():
    # The same rules as above: a contract-wide date fixed later (the closing date, when
    # the loan is funded) cannot move their due dates, so it does not re-date them; the
    # certificate's is re-dated.
    contract = _credit()
    fixed = {o.id for o in contract.obligations if o.per and fixed_by_period(contract, o, o.per)}
    assert fixed == {
        "financial-statements",
        "leverage-ratio",
        "interest-payment",
        "interest-default",
    }
    assert not fixed_by_period(contract, contract.ob("compliance-certificate"), "fiscal_quarters")


def test_a_due_date_using_a_parameter_is_not_shared_between_instances(tmp_path, capsys):
    """Two loans with the same quarters; the statements' days become a parameter, 45 for
    meridian and 30 for its twin. Quarter 2025-Q2 ends Mon 2025-06-30: meridian's
    statements are due Thu 2025-08-14 (07-31 is day 31, 08-14 day 45), the twin's Wed
    2025-07-30 (day 30; a Business Day, so no roll). Each loan's Cure Deadline follows its
    own: the twin's 10th Business Day after Wed 07-30 is Wed 2025-08-13 (Thu 31, Fri 1,
    Mon 4 ... Fri 8, Mon 11, Tue 12, Wed 13); meridian's Thu 2025-08-28."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    template = rules / "credit-agreement.yaml"
    text = template.read_text()
    days = 'add: {days: "90 if period.is_last_of_year else 45"}'
    params = "  parameters:\n"
    assert days in text and params in text
    text = text.replace(days, 'add: {days: "90 if period.is_last_of_year else param.days"}')
    text = text.replace(params, params + "    days:\n      type: number\n      default: 45\n", 1)
    template.write_text(text)
    portfolio = rules / "portfolio.yaml"
    twin = """
  - id: meridian-twin
    template: credit-agreement
    title: Meridian's twin, reporting sooner
    parties:
      borrower: Meridian Twin, Inc.
      administrative_agent: First Hudson Bank, N.A.
    parameters:
      principal: 250000000
      maturity_date: "2026-05-31"
      fiscal_year_end: "12-31"
      max_leverage: 3.50
      days: 30
"""
    portfolio.write_text(portfolio.read_text().rstrip("\n") + "\n" + twin)
    log = tmp_path / "funded.jsonl"
    log.write_text("".join(
        json.dumps({"id": f"{name}-fund", "type": "term_loan_funded", "at": "2023-06-01",
                    "contract": name, "amount": 250000000}) + "\n"
        for name in ("meridian-twin", "meridian-term-loan")
    ))
    code = main(["upcoming", "--rules", str(rules), "--facts", str(log), "--as-of",
                 "2025-07-01", "--days", "60", "--format", "json", "--jobs", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    listed = {(f["contract"], f["rule"]): f["due"] for f in doc["deadlines"]
              if f["key"] == "2025-Q2"}
    assert listed == {
        ("meridian-twin", "financial-statements"): "2025-07-30",
        ("meridian-twin", "compliance-certificate"): "2025-07-30",
        ("meridian-twin", "leverage-ratio"): "2025-08-13",
        ("meridian-term-loan", "financial-statements"): "2025-08-14",
        ("meridian-term-loan", "compliance-certificate"): "2025-08-14",
        ("meridian-term-loan", "leverage-ratio"): "2025-08-28",
    }
