"""A breach that starts another obligation (the rule language, issue 9, item 5).

A rule added to a copy of the credit template: when an interest payment is missed (its
deadline passes unmet), the Borrower must notify the Agent within 5 Business Days, keyed
like the payment (`trigger: {breach_of: interest-payment}`).

harbor-term-loan funded Mon 2028-07-03; interest scheduled Sat 2028-09-30 is due on Fri
2028-09-29 (modified following: Mon 2028-10-02 is in October). Unpaid, it is breached
when Fri 09-29 ends; the notice is then due on the 5th Business Day after: Mon 10-02,
Tue 10-03, Wed 10-04, Thu 10-05, Fri 2028-10-06 (Columbus Day, Mon 10-09, is later).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts

ROOT = Path(__file__).resolve().parent.parent
RULE = """
  - id: missed-interest-notice
    section: 6.03(a)
    party: borrower
    kind: deadline
    title: "Borrower: tell the Agent of a missed interest payment"
    clause: Within five Business Days after any failure to pay interest when due, notice thereof.
    trigger: {breach_of: interest-payment}
    key: period
    due: {from: trigger, add: {business_days: 5}}
    satisfied_by: {fact: missed_interest_notice_delivered}
"""
FACT_TYPE = """facts:
  missed_interest_notice_delivered:
    label: notice of missed interest delivered
    fields:
      period: {type: string}
"""


def notice_finding(tmp_path: Path, as_of: date, notice_at: str | None = None) -> tuple:
    rules = tmp_path / f"rules-{as_of}"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    path = rules / "credit-agreement.yaml"
    text = path.read_text()
    path.write_text(text.replace("facts:\n", FACT_TYPE, 1) + RULE)
    facts = [{"id": "fund", "type": "term_loan_funded", "at": "2028-07-03",
              "amount": 75000000, "contract": "harbor-term-loan"}]
    if notice_at:
        facts.append({"id": "note", "type": "missed_interest_notice_delivered",
                      "at": notice_at, "period": "2028-09-30", "contract": "harbor-term-loan"})
    log = rules / "facts.jsonl"
    log.write_text("".join(json.dumps(f) + "\n" for f in facts))
    names = ("credit-agreement.yaml", "portfolio.yaml")
    contracts = load_contracts([str(rules / n) for n in names])
    result = evaluate(contracts, read_facts([str(log)], contracts), as_of)
    return [(f.key, f.status.value, f.due) for f in result.findings
            if f.rule == "missed-interest-notice"]


def test_no_notice_is_owed_before_the_breach(tmp_path):
    assert notice_finding(tmp_path, date(2028, 9, 29)) == []


def test_the_breach_starts_the_notice_due_5_business_days_later(tmp_path):
    assert notice_finding(tmp_path, date(2028, 9, 30)) == [("2028-09-30", "open", "2028-10-06")]
    assert notice_finding(tmp_path, date(2028, 10, 6)) == [("2028-09-30", "open", "2028-10-06")]
    assert notice_finding(tmp_path, date(2028, 10, 7)) == [
        ("2028-09-30", "breached", "2028-10-06")]


def test_a_notice_on_the_last_day_is_met(tmp_path):
    assert notice_finding(tmp_path, date(2028, 10, 31), "2028-10-06T16:00:00-04:00") == [
        ("2028-09-30", "met", "2028-10-06")]
