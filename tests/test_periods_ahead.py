"""Periods are known in advance: `upcoming` lists the coming quarters' deadlines of both
credit instances before any fact about those quarters (issue 9, "done means").

Both loans funded, nothing else: meridian-term-loan on Thu 2023-06-01 (calendar fiscal
year), harbor-term-loan on Mon 2024-12-02 (fiscal year ending 30 June). As of Sun
2025-06-01, the next 120 days run through Mon 2025-09-29. Worked by hand (XFED: Fri
2025-07-04 a holiday; Mon 2025-09-29 a Business Day):

- interest, both loans: scheduled Mon 2025-06-30, a Business Day: due 2025-06-30; its
  grace, the 3rd Business Day after: Tue 07-01, Wed 07-02, Thu 2025-07-03.
- meridian 2025-Q2 (ends Mon 2025-06-30): statements 45 days later, Thu 2025-08-14 (July
  has 31 days: 07-31 is day 31, 08-14 day 45); the certificate shows that date until the
  statements come; the Cure Deadline, 10 Business Days after Thu 08-14: Fri 15, Mon 18,
  Tue 19, Wed 20, Thu 21, Fri 22, Mon 25, Tue 26, Wed 27, Thu 2025-08-28.
- harbor 2025-Q4 (the fiscal year's last, ends Mon 2025-06-30): annual statements 90 days
  later, Sun 2025-09-28 (07-31 day 31, 08-31 day 62, 09-28 day 90), extended to Mon
  2025-09-29; the certificate shows it too; its Cure Deadline falls in October.
- Not listed: interest scheduled Tue 2025-09-30 (after 09-29); the 2025-Q1 (meridian) and
  2025-Q3 (harbor) deadlines, all before 2025-06-01.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_upcoming_lists_the_coming_periods_of_both_credit_instances(tmp_path, capsys):
    log = tmp_path / "funded.jsonl"
    log.write_text(
        json.dumps({"id": "m-fund", "type": "term_loan_funded", "at": "2023-06-01",
                    "contract": "meridian-term-loan", "amount": 250000000}) + "\n"
        + json.dumps({"id": "h-fund", "type": "term_loan_funded", "at": "2024-12-02",
                      "contract": "harbor-term-loan", "amount": 75000000}) + "\n"
    )
    code = main(["upcoming", "--rules", str(ROOT / "rules"), "--facts", str(log),
                 "--as-of", "2025-06-01", "--days", "120", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    doc = json.loads(out)
    assert doc["through"] == "2025-09-29"
    listed = [(f["due"], f["contract"], f["rule"], f["key"]) for f in doc["deadlines"]]
    assert listed == [
        ("2025-06-30", "harbor-term-loan", "interest-payment", "2025-06-30"),
        ("2025-06-30", "meridian-term-loan", "interest-payment", "2025-06-30"),
        ("2025-07-03", "harbor-term-loan", "interest-default", "2025-06-30"),
        ("2025-07-03", "meridian-term-loan", "interest-default", "2025-06-30"),
        ("2025-08-14", "meridian-term-loan", "compliance-certificate", "2025-Q2"),
        ("2025-08-14", "meridian-term-loan", "financial-statements", "2025-Q2"),
        ("2025-08-28", "meridian-term-loan", "leverage-ratio", "2025-Q2"),
        ("2025-09-29", "harbor-term-loan", "compliance-certificate", "2025-Q4"),
        ("2025-09-29", "harbor-term-loan", "financial-statements", "2025-Q4"),
    ]
    assert all(f["status"] == "open" for f in doc["deadlines"])


def test_check_lists_a_period_from_its_last_day(tmp_path, capsys):
    log = tmp_path / "funded.jsonl"
    log.write_text(json.dumps({"id": "m-fund", "type": "term_loan_funded", "at": "2023-06-01",
                               "contract": "meridian-term-loan", "amount": 250000000}) + "\n")
    argv = ["check", "--rules", str(ROOT / "rules"), "--facts", str(log), "--format", "json",
            "--contract", "meridian-term-loan", "--rule", "financial-statements"]
    main([*argv, "--as-of", "2023-09-29"])
    keys = [f["key"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert keys == ["2023-Q2"]  # 2023-Q3 ends Sat 2023-09-30: not listed yet
    main([*argv, "--as-of", "2023-09-30"])
    keys = [f["key"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert keys == ["2023-Q2", "2023-Q3"]


def test_a_number_of_days_that_is_not_whole_is_refused_at_the_fact(tmp_path, capsys):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    path = rules / "credit-agreement.yaml"
    text = path.read_text()
    days = 'add: {days: "90 if period.is_last_of_year else 45"}'
    assert days in text
    path.write_text(text.replace(days, 'add: {days: "45.5"}'))
    log = tmp_path / "funded.jsonl"
    log.write_text(json.dumps({"id": "fund", "type": "term_loan_funded", "at": "2023-06-01",
                               "contract": "meridian-term-loan", "amount": 1}) + "\n")
    code = main(["check", "--rules", str(rules), "--facts", str(log), "--as-of", "2023-12-31"])
    # Only meridian had a fact: harbor is checked and printed; meridian is held back.
    assert code == 2
    assert capsys.readouterr().err == f"{log}:1: `45.5` gives 45.5, not a whole number of days\n"
