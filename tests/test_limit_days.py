"""A limit over a rolling window of days, at the window's edges (issue 9, item 6).

The credit template's equity-cure-limit with one cap instead of its own: a cure is
refused when a counted cure was received in the 365 days before it. Meridian funded
2023-06-01; the first cure, for 2023-Q3, received 2023-11-20 (after the quarter's end
Sat 2023-09-30 and by its Cure Deadline Wed 2023-11-29): counted. 365 days after
2023-11-20 is 2024-11-19 (2024 is a leap year: 2023-11-20 + 366 days = 2024-11-20).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts

ROOT = Path(__file__).resolve().parent.parent
CAPS = (
    "      refused_when:\n"
    "        - reach: 2\n"
    "          periods: 4\n"
    "          says: cures were already made for two other fiscal quarters within four "
    "consecutive fiscal quarters that include this one\n"
    "        - reach: 5\n"
    "          says: five cures were already made in the life of the loan\n"
)


def cure(fid: str, at: str, period: str) -> dict:
    return {"id": fid, "type": "equity_cure_received", "at": at, "period": period,
            "amount": 6000000, "contract": "meridian-term-loan"}


@pytest.mark.parametrize(
    ("second", "refused"),
    [("2024-11-18", True), ("2024-11-19", False)],  # 364 days after: within; 365: not
)
def test_a_cure_within_365_days_of_a_counted_one_is_refused(tmp_path, second, refused):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    text = (rules / "credit-agreement.yaml").read_text()
    assert CAPS in text
    (rules / "credit-agreement.yaml").write_text(text.replace(
        CAPS, "      refused_when:\n        - {reach: 1, days: 365}\n"))
    log = tmp_path / "facts.jsonl"
    facts = [
        {"id": "fund", "type": "term_loan_funded", "at": "2023-06-01", "amount": 250000000,
         "contract": "meridian-term-loan"},
        cure("c1", "2023-11-20", "2023-Q3"),
        cure("c2", second, "2024-Q3"),
    ]
    log.write_text("".join(json.dumps(f) + "\n" for f in facts))
    contracts = load_contracts([str(rules)])
    result = evaluate(contracts, read_facts([str(log)], contracts), date(2024, 12, 31))
    found = [(f.key, f.status.value, f.due, f.facts) for f in result.findings
             if f.rule == "equity-cure-limit"]
    assert found == ([("2024-Q3", "breached", second, ("c2",))] if refused else [])
