"""The report a legal team works from (issue 10): the summary first, filters, CSV, --help,
and what to pass when run from a folder with no rules/.

Expected values are those of facts/README.md, worked by hand from the agreement: as of
2000-12-31 the sample facts give 17 findings: breached conversion-delivery N2 (due
2000-09-01, $9,000.00, delivered 2000-09-22), stockholder-meeting (2000-09-26),
share-reserve 2000-10-31 (67,680 shares, restored 2000-12-08) and conversion-delivery N3
(2000-12-15, $3,000.00); open conversion-delivery N4 (due 2001-01-03), rofr-notice (in
force through 2001-01-11), restricted-period (through 2001-02-21), warrant-expiry
(2005-02-28) and use-of-proceeds (no end); 7 met; rofr-exercise O-1 expired. The Buyer is
bound by funding-deadline, rofr-exercise, restricted-period and warrant-expiry.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.cli import COMMANDS, main, parser
from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Finding, Result, Status
from engine.output import report, spreadsheet
from engine.output.spreadsheet import COLUMNS, to_csv

ROOT = Path(__file__).resolve().parent.parent
CLI = Callable[[Sequence[str]], tuple[int, str, str]]
CHECK_2000 = ["check", "--as-of", "2000-12-31"]


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the bundled rules/ and facts/, as the README runs them
    monkeypatch.delenv("CLAUSEWATCH_HISTORY", raising=False)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# --- the summary -------------------------------------------------------------------------


def test_text_report_opens_with_the_summary(cli: CLI) -> None:
    code, out, err = cli(CHECK_2000)
    assert (code, err) == (1, "")
    assert out.splitlines()[:6] == [
        "ClauseWatch check as of 2000-12-31 (end of day)",
        "",
        "Summary: 17 findings: 4 breached, 5 open, 7 met, 1 expired, 0 waived.",
        "",
        "CONTRACT       BREACHED  OPEN  NEXT DEADLINE",
        "nhtc-series-j         4     5  2001-01-03  conversion-delivery N4",
    ]


def test_json_summary_is_an_addition(cli: CLI) -> None:
    _, out, _ = cli([*CHECK_2000, "--format", "json"])
    doc = json.loads(out)
    assert list(doc) == ["as_of", "findings", "facts_considered", "facts_after_as_of", "summary"]
    assert doc["summary"] == {
        "counts": {"breached": 4, "open": 5, "met": 7, "expired": 1, "waived": 0},
        "contracts": [
            {
                "contract": "nhtc-series-j",
                "template": "nhtc-series-j",
                "breached": 4,
                "open": 5,
                # rofr-notice's window end (2001-01-11) comes later and is no deadline
                "next_deadline": {"rule": "conversion-delivery", "key": "N4", "due": "2001-01-03"},
            }
        ],
    }


# --- filters -----------------------------------------------------------------------------


def shown(cli: CLI, *filters: str) -> tuple[int, list[tuple[str, str | None, str]]]:
    code, out, err = cli([*CHECK_2000, "--format", "json", *filters])
    assert err == ""
    return code, [(f["rule"], f["key"], f["status"]) for f in json.loads(out)["findings"]]


def test_filter_by_status(cli: CLI) -> None:
    assert shown(cli, "--status", "breached") == (
        1,
        [
            ("conversion-delivery", "N2", "breached"),
            ("stockholder-meeting", None, "breached"),
            ("share-reserve", "2000-10-31", "breached"),
            ("conversion-delivery", "N3", "breached"),
        ],
    )
    code, found = shown(cli, "--status", "met", "--status", "expired")  # repeatable: either
    assert code == 0  # no breach among the findings shown
    assert len(found) == 8 and {s for _, _, s in found} == {"met", "expired"}


def test_filter_by_party_rule_contract_template(cli: CLI) -> None:
    assert shown(cli, "--party", "buyer") == (
        0,
        [
            ("funding-deadline", None, "met"),
            ("rofr-exercise", "O-1", "expired"),
            ("restricted-period", None, "open"),
            ("warrant-expiry", None, "open"),
        ],
    )
    assert shown(cli, "--rule", "conversion-delivery", "--status", "breached") == (
        1,
        [("conversion-delivery", "N2", "breached"), ("conversion-delivery", "N3", "breached")],
    )
    code, found = shown(cli, "--contract", "nhtc-series-j", "--template", "nhtc-series-j")
    assert (code, len(found)) == (1, 17)


def test_filtered_text_summary_counts_what_is_shown(cli: CLI) -> None:
    _, out, _ = cli([*CHECK_2000, "--party", "buyer"])
    assert "Summary: 4 findings: 0 breached, 2 open, 1 met, 1 expired, 0 waived." in out
    assert "nhtc-series-j         0     2  2005-02-28  warrant-expiry" in out


def test_a_filter_value_that_names_nothing_is_a_usage_error(cli: CLI) -> None:
    code, out, err = cli(
        [*CHECK_2000, "--contract", "nhtc-seris-j", "--party", "compny", "--status", "late"]
    )
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "--contract: no contract instance `nhtc-seris-j` in the rules read; "
        "did you mean `nhtc-series-j`?",
        "--party: no party `compny` in the rules read; did you mean `company`?",
        "--status: no status `late`; known: breached, expired, met, open, waived",
    ]
    for command in (["upcoming"], ["calendar"]):
        code, _, err = cli([*command, "--as-of", "2000-12-31", "--rule", "funding-deadlin"])
        assert code == 2
        assert err == (
            "--rule: no rule `funding-deadlin` in the rules read; "
            "did you mean `funding-deadline`?\n"
        )


def test_filters_on_upcoming_and_calendar(cli: CLI) -> None:
    base = ["--as-of", "2000-12-31", "--format", "json"]
    _, out, _ = cli(["upcoming", *base, "--party", "company"])
    doc = json.loads(out)
    assert [(d["rule"], d["key"]) for d in doc["deadlines"]] == [("conversion-delivery", "N4")]
    _, out, _ = cli(["upcoming", *base, "--party", "buyer", "--days", "2000"])
    assert [d["rule"] for d in json.loads(out)["deadlines"]] == ["warrant-expiry"]
    code, out, _ = cli(["calendar", "--as-of", "2000-12-31", "--rule", "warrant-expiry"])
    assert code == 0 and out.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Buyer: exercise the Warrants before they expire (SPA 4(h))" in out


def test_filters_are_views_the_history_records_everything(cli: CLI, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    code, out, _ = cli([*CHECK_2000, "--history", str(db), "--status", "breached"])
    assert code == 1
    words = " ".join(out.split())
    assert "History: run 1 recorded in" in words and "4 new, 0 known" in words
    code, out, _ = cli([*CHECK_2000, "--history", str(db), "--format", "json"])
    doc = json.loads(out)
    assert doc["history"]["recorded"] is False  # the same inputs and findings as run 1
    assert len(doc["findings"]) == 17


# --- CSV -----------------------------------------------------------------------------------


def test_csv_one_row_per_finding(cli: CLI) -> None:
    code, out, err = cli([*CHECK_2000, "--format", "csv"])
    assert (code, err) == (1, "")
    assert out.count("\r\n") == 18 and out.endswith("\r\n")  # RFC 4180 line ends
    table = rows(out)
    assert table[0] == list(COLUMNS) == [
        "contract", "template", "rule", "key", "section", "party", "status", "due",
        "amount", "unit", "cured", "facts", "message",
    ]  # fmt: skip
    assert len(table) == 18
    n2 = next(r for r in table if r[2:4] == ["conversion-delivery", "N2"])
    assert n2[:12] == [
        "nhtc-series-j", "nhtc-series-j", "conversion-delivery", "N2", "5(c)", "company",
        "breached", "2000-09-01", "9000.00", "USD", "2000-09-22", "f-22 f-23",
    ]  # fmt: skip
    assert n2[12].startswith("conversion shares delivered 2000-09-22 11:15 EDT, 21 days after")
    reserve = next(r for r in table if r[2] == "share-reserve")
    assert reserve[7:12] == ["2000-10-31", "67680", "shares", "2000-12-08", "f-27 f-28 f-29"]
    closing = next(r for r in table if r[2] == "closing-date")
    assert closing[4] == "6(a), 6(b)" and '"6(a), 6(b)"' in out  # quoted: it has a comma
    proceeds = next(r for r in table if r[2] == "use-of-proceeds")
    assert proceeds[7:11] == ["", "", "", ""]  # no due, amount, unit or cure


def test_csv_quotes_and_line_breaks() -> None:
    f = Finding(
        "c-1", "r", None, "2", "company", Status.OPEN, None, None, Decimal("1.5"),
        ("a", "b"), 'He said "now",\nthen left.', unit="shares", template="t",
    )  # fmt: skip
    text = to_csv([f])
    assert text.splitlines()[1] == 'c-1,t,r,,2,company,open,,1.5,shares,,a b,"He said ""now"",'
    assert rows(text)[1][12] == 'He said "now",\nthen left.'


def test_csv_with_history_adds_a_change_column(cli: CLI, tmp_path: Path) -> None:
    args = [*CHECK_2000, "--format", "csv", "--history", str(tmp_path / "h.sqlite")]
    _, out, _ = cli(args)
    table = rows(out)
    assert table[0] == [*COLUMNS, "change"]
    assert {r[13] for r in table[1:]} == {"new"}


def test_upcoming_csv(cli: CLI) -> None:
    code, out, _ = cli(["upcoming", "--as-of", "2000-12-31", "--format", "csv"])
    table = rows(out)
    assert code == 0 and table[0] == list(COLUMNS)
    assert [(r[2], r[3], r[7]) for r in table[1:]] == [("conversion-delivery", "N4", "2001-01-03")]


# --- --help and the missing default folders ------------------------------------------------


def subparsers() -> dict[str, argparse.ArgumentParser]:
    top = parser()
    action = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_describes_every_option_its_default_and_the_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "exit status:" in out and " 0 " in out and " 2 " in out
    for action in subparsers()[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{command} {action.dest}: no help"
        name = action.option_strings[0] if action.option_strings else action.metavar or action.dest
        assert str(name) in out
        if action.default not in (None, False, [], argparse.SUPPRESS):
            assert (
                f"default {action.default}" in out
                or f"({action.default})" in out
                or (f"{action.default} (default)" in out)
            ), f"{command} {name}: default {action.default} not said"


def test_top_level_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "COMMAND --help" in out and "exit status" in out
    assert all(name in out for name in COMMANDS)


NO_RULES = (
    "rules: no such folder here (the default of --rules): pass --rules PATH, a rule file or "
    "a folder of them, or run from the folder that holds rules/"
)
NO_FACTS = (
    "facts: no such folder here (the default of --facts): pass --facts PATH, a fact log "
    "(.jsonl) or a folder of them, or run from the folder that holds facts/"
)


@pytest.mark.parametrize(
    "command", [["check"], ["upcoming"], ["calendar"], ["explain", "funding-deadline"]]
)
def test_run_from_a_folder_with_no_rules(
    command: list[str], cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli([*command, "--as-of", "2000-12-31"])
    assert (code, out) == (2, "")
    assert err.splitlines() == [NO_FACTS, NO_RULES]
    code, _, err = cli([*command, "--as-of", "2000-12-31", "--rules", str(ROOT / "rules")])
    assert (code, err.splitlines()) == (2, [NO_FACTS])


def test_validate_from_a_folder_with_no_rules(
    cli: CLI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.jsonl").write_text("", encoding="utf-8")
    code, out, err = cli(["validate", "f.jsonl"])
    assert (code, out) == (2, "")
    assert err == (
        "rules: no rule file (.yaml) among the paths, and no folder rules/ here to check the "
        "fact logs against: pass a rule file or a folder of them too\n"
    )


def test_the_text_report_is_written_in_pieces_of_whole_lines(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check --format text`` prints the report a batch of lines at a time: the same
    text as in one piece, whatever the batch (here 3 lines: the bundled report's 84
    lines in many pieces)."""
    _, whole, _ = cli(CHECK_2000)
    monkeypatch.setattr(report, "TEXT_BATCH", 3)
    pieces = list(report.text_pieces(evaluated_2000()))
    assert len(pieces) > 20 and pieces[1] == "\n" and pieces[0].count("\n") == 2
    assert "".join(pieces) + "\n" == whole
    _, batched, _ = cli(CHECK_2000)
    assert batched == whole


def evaluated_2000() -> Result:
    """The bundled rules and facts, as of 2000-12-31."""
    contracts = load_contracts([str(ROOT / "rules")])  # as the command's default
    facts = read_facts([str(ROOT / "facts")], contracts)
    return evaluate(contracts, facts, date(2000, 12, 31))


def test_the_csv_is_written_in_pieces_of_whole_rows(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check --format csv`` prints a batch of rows at a time (here 2: the header and the
    17 findings in 9 pieces), the same bytes as in one piece."""
    _, whole, _ = cli([*CHECK_2000, "--format", "csv"])
    monkeypatch.setattr(spreadsheet, "CSV_BATCH", 2)
    findings = evaluated_2000().findings
    pieces = list(spreadsheet.csv_pieces(findings))
    assert len(findings) == 17 and len(pieces) == 9 and pieces[0].count("\r\n") == 2
    assert "".join(pieces) == whole == to_csv(findings)
    _, batched, _ = cli([*CHECK_2000, "--format", "csv"])
    assert batched == whole


def test_the_text_report_with_history_is_the_same_in_any_pieces(
    cli: CLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two nights with a run history (the second resolves findings of the first), printed
    with the default batch and with batches of 3 lines: the same text."""

    def nights(db: Path) -> list[str]:
        outs = [cli(["check", "--as-of", day, "--history", str(db)])[1]
                for day in ("2000-12-31", "2001-06-30")]  # fmt: skip
        return [out.replace(str(db), "DB") for out in outs]

    whole = nights(tmp_path / "a.sqlite")
    assert "Resolved since the last run" in whole[1]
    monkeypatch.setattr(report, "TEXT_BATCH", 3)
    assert nights(tmp_path / "b.sqlite") == whole
