"""A portfolio: templates and instances, portfolio files, and bad input held to its own contract."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.cli import main
from engine.diagnostics import InputError
from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts, load_rules

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "rules" / "nhtc-series-j.yaml"
EXAMPLE = ROOT / "examples" / "portfolio"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rules_with(tmp_path: Path, name: str, text: str) -> Path:
    """A rules folder: the seed template and one portfolio (or rule) file."""
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    shutil.copy(SEED, folder / SEED.name)
    (folder / name).write_text(text, "utf-8")
    return folder


def test_the_bundled_csv_portfolio_loads_fifty_instances_of_the_seed_template():
    contracts = load_contracts([str(ROOT / "rules"), str(EXAMPLE / "instances.csv")])
    [contract] = [c for c in contracts if c.id == "nhtc-series-j"]
    ids = [i.id for i in contract.instances]
    # The seed agreement's own instance, declared first, then the 50 generated ones.
    assert ids == ["nhtc-series-j", *(f"nhtc-j-{n:03d}" for n in range(1, 51))]
    first = contract.instances[1]
    assert first.title == "NHTC Series J SPA, Buyer 001"
    assert first.parties == {"buyer": "Buyer 001 LP"}
    assert first.parameters["total_offering"] == Decimal(1000000)  # the template's default
    assert {i.parameters["outstanding_shares"] for i in contract.instances} <= {
        Decimal(7860000), Decimal(8000000), Decimal(9500000)}


def test_a_yaml_portfolio_instance_in_another_time_zone(tmp_path):
    folder = rules_with(tmp_path, "portfolio.yaml", (
        "instances:\n"
        "  - id: london-buyer\n"
        "    template: nhtc-series-j\n"
        "    time_zone: Europe/London\n"
        "    parameters: {outstanding_shares: 5000000}\n"
        "  - id: new-york-buyer\n"
        "    template: nhtc-series-j\n"
    ))
    contracts = load_contracts([str(folder)])
    zones = {i.id: c.time_zone for c in contracts for i in c.instances}
    assert zones == {"london-buyer": "Europe/London", "new-york-buyer": "America/New_York"}
    log = tmp_path / "facts.jsonl"
    # Noon in New York is 17:00 in London: Fri 2000-03-03 in both zones.
    log.write_text(json.dumps({"id": "a", "type": "agreement_accepted",
                               "at": "2000-03-03T12:00:00-05:00", "contract": "*"}) + "\n")
    result = evaluate(contracts, read_facts([str(log)], contracts), date(2000, 3, 31))
    due = {f.contract: f.due for f in result.findings if f.rule == "funding-deadline"}
    # Accepted Fri 2000-03-03: the 3rd NYSE trading day after is Wed 2000-03-08 (Mon 6,
    # Tue 7, Wed 8); 17:00 there: London is on GMT until 26 March 2000, New York on EST.
    assert due == {
        "london-buyer": "2000-03-08T17:00:00+00:00",
        "new-york-buyer": "2000-03-08T17:00:00-05:00",
    }
    # A day with no offset would be a different instant in each zone: refused.
    log.write_text(json.dumps(
        {"id": "a", "type": "agreement_accepted", "at": "2000-03-03", "contract": "*"}) + "\n")
    with pytest.raises(InputError) as caught:
        read_facts([str(log)], contracts)
    assert [str(d) for d in caught.value.diagnostics] == [
        # `{"id": "a", ` (12) + `"type": "agreement_accepted", ` (30) + `"at": ` (6): column 49.
        f"{log}:1:49: `at` has no UTC offset, and the instances that take this fact are in "
        "different time zones (Europe/London, America/New_York): give an offset"
    ]
    # 02:30 on Sun 2000-04-02 is 01:30 BST in London, and no time at all in New York
    # (clocks went from 02:00 EST to 03:00 EDT): refused the same way, not a crash.
    log.write_text(json.dumps({"id": "a", "type": "agreement_accepted",
                               "at": "2000-04-02T02:30", "contract": "*"}) + "\n")
    with pytest.raises(InputError) as caught:
        read_facts([str(log)], contracts)
    assert [str(d) for d in caught.value.diagnostics] == [
        f"{log}:1:49: `at` has no UTC offset, and the instances that take this fact are in "
        "different time zones (Europe/London, America/New_York): give an offset"
    ]


def test_portfolio_rows_are_checked_against_their_template(tmp_path, capsys):
    folder = rules_with(tmp_path, "portfolio.yaml", (
        "instances:\n"
        "  - id: a\n"
        "    template: nhtc-series-k\n"
        "  - id: b\n"
        "    template: nhtc-series-j\n"
        "    parameters: {outstandng_shares: 1}\n"
        "  - id: c\n"
        "    template: nhtc-series-j\n"
        "    parameters: {outstanding_shares: seven}\n"
        "  - id: good\n"
        "    template: nhtc-series-j\n"
    ))
    path = folder / "portfolio.yaml"
    code, out, err = run(capsys, "validate", str(folder))
    assert code == 2
    assert err.splitlines() == [
        f"{path}:3:15: unknown template `nhtc-series-k`; did you mean `nhtc-series-j`?",
        # Line 6 `    parameters: {outstandng_shares: 1}`: the key starts at column 18;
        # line 9's value `seven` at column 38 (18 + len("outstanding_shares: ")).
        f"{path}:6:18: template `nhtc-series-j` has no parameter `outstandng_shares`; "
        "did you mean `outstanding_shares`?",
        f'{path}:9:38: `outstanding_shares` must be a number, not the string "seven"',
    ]


def test_csv_portfolio_problems_at_line_and_column(tmp_path, capsys):
    csv = tmp_path / "instances.csv"
    csv.write_text(
        "id,template,param.outstanding_shares\n"
        "x-1,nhtc-series-j,7860000\n"
        'x-2,nhtc-series-j,"7,860,000"\n'
        "x-1,nhtc-series-j,1\n"
    )
    code, out, err = run(capsys, "validate", str(ROOT / "rules"), str(csv))
    assert code == 2
    # Row 3: the third cell starts at column 19 (after `x-2,nhtc-series-j,`).
    assert err.splitlines() == [
        f'{csv}:3:19: `outstanding_shares` must be a number, not the string "7,860,000"',
        f"{csv}:4:1: duplicate instance `x-1` (first at {csv}:2:1)",
    ]
    csv.write_text("id,templte\nx,nhtc-series-j\n")
    code, out, err = run(capsys, "validate", str(ROOT / "rules"), str(csv))
    assert err.splitlines() == [
        f"{csv}:1: missing column `template`",
        f"{csv}:1:4: unknown column `templte` (columns: id, template, title, time_zone, "
        "party.<role>, param.<name>); did you mean `template`?",
    ]


def test_one_broken_fact_log_never_hides_the_other_contracts(tmp_path, capsys):
    facts = tmp_path / "facts"
    shutil.copytree(EXAMPLE / "facts", facts)
    broken = facts / "nhtc-j-007.jsonl"
    lines = broken.read_text().splitlines()
    bad = json.loads(lines[1])
    assert bad["type"] == "purchase_price_deposited"
    bad["amount"] = "500k"
    lines[1] = json.dumps(bad)
    broken.write_text("\n".join(lines) + "\n")
    column = lines[1].index('"500k"') + 1
    argv = ["check", "--rules", str(ROOT / "rules"), "--rules", str(EXAMPLE / "instances.csv"),
            "--facts", str(facts), "--as-of", "2000-12-31", "--format", "json"]
    code, out, err = run(capsys, *argv)
    problem = f'{broken}:2:{column}: field `amount` must be a number, not "500k"'
    assert code == 2
    assert err.splitlines() == [problem]
    doc = json.loads(out)
    checked = {f["contract"] for f in doc["findings"]}
    # The seed agreement's own instance has no facts here: its findings are those of a
    # contract with no event yet (duties in force), checked all the same.
    assert checked == {"nhtc-series-j", *(f"nhtc-j-{n:03d}" for n in range(1, 51))} - {
        "nhtc-j-007"}
    assert doc["unchecked"] == [
        {"contract": "nhtc-j-007", "template": "nhtc-series-j", "problems": [problem]}
    ]
    code, out, err = run(capsys, *argv[:-2])  # the text report says it too
    assert code == 2
    assert out.splitlines()[-2:] == [
        "1 contracts not checked (bad input; see standard error):",
        f"    nhtc-j-007: {problem}",
    ]


def test_a_rule_file_that_fails_holds_back_its_own_instances_only(tmp_path, capsys):
    text = SEED.read_text().replace("id: nhtc-series-j", "id: broken-template")
    folder = rules_with(tmp_path, "broken.yaml", text.replace("day: XNYS", "day: XNYZ"))
    (folder / "portfolio.yaml").write_text(
        "instances:\n  - {id: b-1, template: broken-template}\n")
    log = tmp_path / "facts.jsonl"
    log.write_text(json.dumps({"id": "a", "type": "agreement_accepted", "at": "2000-03-03"}) + "\n")
    argv = ["check", "--rules", str(folder), "--facts", str(log), "--as-of", "2000-03-31",
            "--format", "json"]
    code, out, err = run(capsys, *argv)
    assert code == 2
    # `  - {id: b-1, template: broken-template}`: the template's value starts at column 25.
    blocked = (f"{folder / 'portfolio.yaml'}:2:25: instance `b-1` is not checked: its template "
               "`broken-template` did not load")
    lines = err.splitlines()
    assert blocked in lines
    assert any(x.startswith(f"{folder / 'broken.yaml'}:") and "unknown calendar `XNYZ`" in x
               for x in lines)
    doc = json.loads(out)
    funding = [f for f in doc["findings"] if f["rule"] == "funding-deadline"]
    # The fact without `contract` has one taker left, the seed's own instance.
    assert [(f["contract"], f["status"], f["due"]) for f in funding] == [
        ("nhtc-series-j", "breached", "2000-03-08T17:00:00-05:00")]
    assert [(u["contract"], u["template"]) for u in doc["unchecked"]] == [
        ("b-1", "broken-template")]


def test_load_rules_collects_instead_of_raising(tmp_path):
    folder = rules_with(tmp_path, "portfolio.yaml", "instances:\n  - {id: z, template: nope}\n")
    portfolio = load_rules([str(folder)])
    assert [c.id for c in portfolio.contracts] == ["nhtc-series-j"]
    assert [i.id for i in portfolio.contracts[0].instances] == ["nhtc-series-j"]
    assert list(portfolio.blocked) == ["z"]
