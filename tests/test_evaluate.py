"""Evaluation across contracts and runs: one compiled ruleset, a session per contract
instance, no state shared between runs, facts routed by their ``contract`` field.

Expected values, worked by hand: accepted Fri 2000-03-03, the funding deadline is the
3rd NYSE trading day after it, Wed 2000-03-08 at 17:00 EST (Mon 6, Tue 7, Wed 8).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Status
from engine.run.driver import compiled

ROOT = Path(__file__).resolve().parent.parent
DUE = "2000-03-08T17:00:00-05:00"


def two_buyers(tmp_path: Path) -> Path:
    """The seed rule file with two signed instances, one per Buyer."""
    text = (ROOT / "rules" / "nhtc-series-j.yaml").read_text()
    text = text.replace(
        "  notices:\n",
        "  instances:\n"
        "    - {id: nhtc-j-buyer-a, parameters: {outstanding_shares: 7860000}}\n"
        "    - {id: nhtc-j-buyer-b}\n"
        "  notices:\n",
        1,
    )
    path = tmp_path / "two-buyers.yaml"
    path.write_text(text)
    return path


def write(tmp_path: Path, facts: list[dict]) -> str:
    path = tmp_path / "facts.jsonl"
    path.write_text("".join(json.dumps(f) + "\n" for f in facts))
    return str(path)


def test_facts_route_to_their_contract_instance(tmp_path):
    contracts = load_contracts([str(two_buyers(tmp_path))])
    facts = read_facts([write(tmp_path, [
        # `"contract": "*"`: both Buyers' agreements were accepted that day.
        {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03T10:00", "contract": "*"},
        # Only Buyer A deposits, on time.
        {"id": "dep-a", "type": "purchase_price_deposited", "at": "2000-03-08T16:00",
         "amount": 500000, "contract": "nhtc-j-buyer-a"},
    ])], contracts)
    result = evaluate(contracts, facts, date(2000, 3, 31))
    funding = {f.contract: f for f in result.findings if f.rule == "funding-deadline"}
    assert set(funding) == {"nhtc-j-buyer-a", "nhtc-j-buyer-b"}
    assert (funding["nhtc-j-buyer-a"].status, funding["nhtc-j-buyer-a"].due) == (Status.MET, DUE)
    assert funding["nhtc-j-buyer-a"].facts == ("acc", "dep-a")
    assert (funding["nhtc-j-buyer-b"].status, funding["nhtc-j-buyer-b"].due) == (
        Status.BREACHED, DUE)
    assert funding["nhtc-j-buyer-b"].facts == ("acc",)


def test_one_compiled_ruleset_serves_every_instance_and_run(tmp_path):
    [contract] = load_contracts([str(two_buyers(tmp_path))])
    assert compiled(contract) is compiled(contract)  # compiled once, reused


def test_two_runs_in_one_process_share_no_state(tmp_path):
    contracts = load_contracts([str(ROOT / "rules")])
    late = read_facts([write(tmp_path, [
        {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03T10:00"},
        {"id": "dep", "type": "purchase_price_deposited", "at": "2000-03-08T17:01",
         "amount": 1},
    ])], contracts)
    first = evaluate(contracts, late, date(2000, 3, 31))
    empty = evaluate(contracts, [], date(2000, 3, 31))
    again = evaluate(contracts, late, date(2000, 3, 31))
    assert [f for f in empty.findings if f.rule == "funding-deadline"] == []
    assert first.findings == again.findings
    [f] = [f for f in again.findings if f.rule == "funding-deadline"]
    assert (f.status, f.due, f.message.split(",")[1].strip()) == (
        Status.BREACHED, DUE, "1 minute after the deadline 2000-03-08 17:00 EST (the 3rd NYSE "
        "trading day after Agreement accepted by the Company on Fri 2000-03-03)."
    )


def test_a_fact_for_an_unknown_instance_is_rejected(tmp_path, capsys):
    from engine.cli import main

    path = write(tmp_path, [{"id": "x", "type": "closing", "at": "2000-03-03",
                             "contract": "nhtc-j-buyer-c"}])
    code = main(["check", "--rules", str(two_buyers(tmp_path)), "--facts", path,
                 "--as-of", "2000-03-31"])
    assert code == 2
    assert f"{path}:1:" in capsys.readouterr().err


def test_a_fact_without_contract_that_several_instances_take_is_an_error(tmp_path, capsys):
    from engine.cli import main

    path = write(tmp_path, [{"id": "acc", "type": "agreement_accepted", "at": "2000-03-03"}])
    code = main(["check", "--rules", str(two_buyers(tmp_path)), "--facts", path,
                 "--as-of", "2000-03-31"])
    assert code == 2
    # Column 23: where the value of `type` starts in the line json.dumps writes
    # (`{"id": "acc", ` is 14 characters, `"type": ` 8 more).
    assert capsys.readouterr().err == (
        f"{path}:1:23: fact type `agreement_accepted` is used by 2 instances "
        "(nhtc-j-buyer-a, nhtc-j-buyer-b): name its `contract` "
        '(or `"contract": "*"` for all of them)\n'
    )


def test_a_fact_for_a_type_its_instance_lacks_is_an_error(tmp_path, capsys):
    from engine.cli import main

    path = write(tmp_path, [{"id": "x", "type": "nonesuch", "at": "2000-03-03",
                             "contract": "nhtc-j-buyer-a"}])
    code = main(["check", "--rules", str(two_buyers(tmp_path)), "--facts", path,
                 "--as-of", "2000-03-31"])
    assert code == 2
    assert "unknown fact type `nonesuch`" in capsys.readouterr().err
