"""``clausewatch explain``: golden files written by hand, JSON output, errors.

The golden texts in tests/golden/ were written by hand from the contract and a
calendar, not captured from the tool:

* funding-2001: accepted Fri 2001-09-07 10:00 EDT; three NYSE trading days after
  7 Sep are Mon 10, Mon 17 and Tue 18 (the NYSE was closed Tue 11 to Fri 14 Sep
  2001 after the attacks); 17:00 EDT is UTC-4, so 21:00 UTC; the deposit at
  17:05 is 5 minutes late.
* conversion-2000: Delivery Date Wed 2000-08-02; three business (NYSE) days after
  it are Thu 3, Fri 4, Mon 7 Aug; the days late through Fri 11 Aug are Tue 8,
  Wed 9, Thu 10, Fri 11 = 4; $100 x 4 = $400 per $10,000, x 3 for $30,000 =
  $1,200.00; delivered 9 calendar days after the 2nd.

Line wrapping is formatting, not content: texts are compared with whitespace
folded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # fact locations print relative to the repository


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        (["funding-deadline", "--facts", "tests/golden/funding-2001.jsonl",
          "--as-of", "2001-12-31"], "explain-funding-2001.txt"),
        (["conversion-delivery", "N1", "--facts", "tests/golden/conversion-2000.jsonl",
          "--as-of", "2000-12-31"], "explain-conversion-2000.txt"),
    ],
)
def test_explain_golden(capsys, args, golden):
    assert main(["explain", *args]) == 0
    out = capsys.readouterr().out
    assert folded(out) == folded((GOLDEN / golden).read_text())


def test_explain_json(capsys):
    code = main(["explain", "funding-deadline", "--facts", "tests/golden/funding-2001.jsonl",
                 "--as-of", "2001-12-31", "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    [one] = doc["explanations"]
    assert doc["as_of"] == "2001-12-31"
    assert one["finding"]["status"] == "breached"
    assert one["finding"]["due"] == "2001-09-18T17:00:00-04:00"
    assert [f["location"] for f in one["facts"]] == [
        "tests/golden/funding-2001.jsonl:1", "tests/golden/funding-2001.jsonl:2"]
    assert one["steps"][2] == ("3rd NYSE trading day after Fri 2001-09-07: Mon 09-10, "
                               "[Tue 09-11 to Fri 09-14: NYSE closed], Mon 09-17, Tue 09-18.")
    assert one["clause"].startswith("Not later than 5:00 p.m., New York time")


def test_check_json_carries_the_same_trace(capsys):
    main(["check", "--facts", "tests/golden/funding-2001.jsonl", "--as-of", "2001-12-31",
          "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    [f] = [f for f in doc["findings"] if f["rule"] == "funding-deadline"]
    assert f["trace"][-1] == "Status: breached."
    assert "= 21:00 UTC" in f["trace"][3]


def test_explain_unknown_rule_suggests(capsys):
    code = main(["explain", "funding-dedline", "--facts", "tests/golden/funding-2001.jsonl",
                 "--as-of", "2001-12-31"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no finding of rule `funding-dedline`" in err
    assert "did you mean `funding-deadline`?" in err


def test_explain_unknown_key_lists_keys(capsys):
    code = main(["explain", "conversion-delivery", "N9", "--facts",
                 "tests/golden/conversion-2000.jsonl", "--as-of", "2000-12-31"])
    assert code == 2
    assert "its keys: N1" in capsys.readouterr().err
