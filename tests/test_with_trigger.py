"""A satisfying fact that comes with its trigger counts (the rule language, issue 9, item 8).

The seed's funding deadline: the Purchase Price deposited after the Company accepted the
Agreement. A deposit earlier the same day as the acceptance came with it and counts; one
the day before does not, unless the rule says ``concurrently: true``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Status

SEED = Path(__file__).resolve().parent.parent / "rules" / "nhtc-series-j.yaml"
DUE = "2000-03-08T17:00:00-05:00"  # accepted Fri 2000-03-03: Mon 6, Tue 7, Wed 8 at 17:00


def funding(tmp_path: Path, rules: Path, deposit_at: str) -> tuple[Status, tuple[str, ...]]:
    log = tmp_path / "facts.jsonl"
    log.write_text(
        json.dumps({"id": "dep", "type": "purchase_price_deposited", "at": deposit_at,
                    "amount": 1000000}) + "\n"
        + json.dumps({"id": "acc", "type": "agreement_accepted", "at": "2000-03-03T17:00"})
        + "\n"
    )
    contracts = load_contracts([str(rules)])
    result = evaluate(contracts, read_facts([str(log)], contracts), date(2000, 3, 31))
    [f] = [f for f in result.findings if f.rule == "funding-deadline"]
    assert f.due == DUE
    return f.status, f.facts


def test_five_minutes_before_the_trigger_the_same_day_counts(tmp_path):
    assert funding(tmp_path, SEED, "2000-03-03T16:55") == (Status.MET, ("acc", "dep"))


def test_the_day_before_does_not_count_without_concurrently(tmp_path):
    # Nothing after the acceptance: breached at Wed 17:00, the early deposit not counted.
    assert funding(tmp_path, SEED, "2000-03-02T16:55") == (Status.BREACHED, ("acc",))


def test_the_day_before_counts_when_the_rule_says_concurrently(tmp_path):
    text = SEED.read_text()
    plain = "    satisfied_by: {fact: purchase_price_deposited}\n"
    assert plain in text
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace(
        plain, "    satisfied_by: {fact: purchase_price_deposited, concurrently: true}\n"))
    assert funding(tmp_path, rules, "2000-03-02T16:55") == (Status.MET, ("acc", "dep"))
