"""What is due next (``clausewatch upcoming``, engine/upcoming.py).

Expected values worked by hand from rules/nhtc-series-j.yaml and a printed calendar:

- conversion-delivery (5(c)) is due the end of the notice's delivery_date, which a fact
  log may set to any day: it is how these tests put a deadline on a chosen day.
- As of Fri 2000-12-01 with --days 10 the window is Fri 2000-12-01 through Mon 2000-12-11;
  with the default 30 days it ends Sun 2000-12-31.
- Accepted Fri 2000-12-01: the funding deadline (1(d)) is 17:00 EST on the 3rd NYSE
  trading day after it: Mon 4, Tue 5, Wed 6 Dec -> Wed 2000-12-06 17:00 EST.
- With no agreement_accepted, closing or effective_date fact, the three prohibitions that
  need no trigger (rofr-notice 4(j)(i), restricted-period 2(b), use-of-proceeds 4(f)) are
  open with no end date known; no share reserve report means no share-reserve finding.
  Issue 10: a prohibition is not a deadline, so `upcoming` lists none of them (before, the
  three were listed every day as "due date not yet known").
- rofr-notice is in force through 240 days after the Effective Date: effective Tue
  2000-05-16, +15 to 31 May, +30 June (45), +31 July (76), +31 Aug (107), +30 Sep (137),
  +31 Oct (168), +30 Nov (198), +31 Dec (229), +11 = Thu 2001-01-11: the last day of a
  window, not a deadline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.output.upcoming import upcoming

RULES = str(Path(__file__).resolve().parent.parent / "rules")
CLI = Callable[..., tuple[int, str, str]]
PROHIBITIONS = {"rofr-notice", "restricted-period", "use-of-proceeds"}


def notice(fid: str, key: str, delivery: str, at: str = "2000-12-01T09:00") -> dict[str, Any]:
    return {
        "id": fid,
        "type": "conversion_notice",
        "at": at,
        "notice_id": key,
        "delivery_date": delivery,
        "amount": 10000,
    }


BOUNDARY = [
    notice("n0", "N0", "2000-12-01"),  # the as-of day itself: included
    notice("n1", "N1", "2000-12-11"),  # as-of + 10: included
    notice("n2", "N2", "2000-12-12"),  # as-of + 11: excluded
]


def command(facts: Path, *extra: str) -> list[str]:
    return ["upcoming", "--rules", RULES, "--facts", str(facts), "--as-of", "2000-12-01", *extra]


def test_window_boundaries_json(cli: CLI, write_facts: Callable[..., Path]) -> None:
    code, out, err = cli(command(write_facts(BOUNDARY), "--days", "10", "--format", "json"))
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert list(doc) == ["as_of", "days", "through", "deadlines", "undated"]
    assert (doc["as_of"], doc["days"], doc["through"]) == ("2000-12-01", 10, "2000-12-11")
    assert [(d["key"], d["due"]) for d in doc["deadlines"]] == [
        ("N0", "2000-12-01"),
        ("N1", "2000-12-11"),
    ]
    first = doc["deadlines"][1]
    assert {k: first[k] for k in ("contract", "rule", "section", "party", "status")} == {
        "contract": "nhtc-series-j",
        "rule": "conversion-delivery",
        "section": "5(c)",
        "party": "company",
        "status": "open",
    }
    assert (first["amount"], first["facts"]) == (None, ["n1"])
    assert first["message"].startswith("Due the end of Mon 2000-12-11")
    assert doc["undated"] == []  # issue 10: the prohibitions in force are not deadlines


def test_deadline_objects_are_those_of_check_json(
    cli: CLI, write_facts: Callable[..., Path]
) -> None:
    facts = write_facts(BOUNDARY)
    _, out, _ = cli(command(facts, "--days", "10", "--format", "json"))
    _, checked, _ = cli(
        [
            "check",
            "--rules",
            RULES,
            "--facts",
            str(facts),
            "--as-of",
            "2000-12-01",
            "--format",
            "json",
        ]
    )
    findings = json.loads(checked)["findings"]
    doc = json.loads(out)
    assert doc["deadlines"] and all(d in findings for d in doc["deadlines"] + doc["undated"])


def test_default_window_is_30_days(cli: CLI, write_facts: Callable[..., Path]) -> None:
    facts = write_facts([notice("a", "N30", "2000-12-31"), notice("b", "N31", "2001-01-01")])
    code, out, _ = cli(command(facts, "--format", "json"))
    doc = json.loads(out)
    assert (code, doc["days"], doc["through"]) == (0, 30, "2000-12-31")
    assert [d["key"] for d in doc["deadlines"]] == ["N30"]


def test_zero_days_is_the_as_of_day_only(cli: CLI, write_facts: Callable[..., Path]) -> None:
    _, out, _ = cli(command(write_facts(BOUNDARY), "--days", "0", "--format", "json"))
    assert [d["key"] for d in json.loads(out)["deadlines"]] == ["N0"]


def test_text_sorted_by_due_with_weekday_and_undated_section(
    cli: CLI, write_facts: Callable[..., Path]
) -> None:
    facts = write_facts(
        [
            {"id": "acc", "type": "agreement_accepted", "at": "2000-12-01"},
            notice("n1", "N1", "2000-12-11"),
            notice("n0", "N0", "2000-12-01"),
        ]
    )
    code, out, err = cli(command(facts, "--days", "10"))
    assert (code, err) == (0, "")
    rows = [line.split() for line in out.splitlines() if line[:4] == "2000"]
    assert [" ".join(r[:-3]) for r in rows] == [
        "2000-12-01 end of day Fri today",
        "2000-12-06 17:00 EST Wed 5 days",
        "2000-12-11 end of day Mon 10 days",
    ]
    assert [r[-3:] for r in rows] == [
        ["conversion-delivery", "N0", "nhtc-series-j"],
        ["funding-deadline", "-", "nhtc-series-j"],
        ["conversion-delivery", "N1", "nhtc-series-j"],
    ]
    assert "    Buyer: deposit the Purchase Price with the Escrow Agent [1(d)]" in out
    dated, undated = out.split("Due date not yet known", 1)
    assert "certificates-delivery" in undated and "certificates-delivery" not in dated
    assert not PROHIBITIONS & set(out.split())  # issue 10: not deadlines, not listed
    assert "3 open deadlines from 2000-12-01 through 2000-12-11" in out


def test_empty_window(cli: CLI, write_facts: Callable[..., Path]) -> None:
    facts = write_facts([notice("n9", "N9", "2001-03-01")])
    code, out, _ = cli(command(facts, "--days", "10", "--format", "json"))
    assert code == 0 and json.loads(out)["deadlines"] == []
    code, out, _ = cli(command(facts, "--days", "10"))
    assert code == 0 and "No open deadlines in this window." in out
    assert "0 open deadlines from 2000-12-01 through 2000-12-11" in out


def test_exit_0_despite_a_breach_and_2_on_bad_input(
    cli: CLI, write_facts: Callable[..., Path]
) -> None:
    # N0 was due the end of Thu 2000-11-30 and nothing was delivered: breached, not listed.
    facts = write_facts([notice("n0", "N0", "2000-11-30", at="2000-11-28T09:00")])
    code, out, _ = cli(command(facts, "--format", "json"))
    assert code == 0 and json.loads(out)["deadlines"] == []
    code, out, err = cli(command(facts, "--days", "-1"))
    assert (code, out) == (2, "") and "days must be 0 or more" in err
    code, _, err = cli(["upcoming", "--rules", RULES, "--facts", str(facts), "--as-of", "x"])
    assert code == 2 and err.startswith("--as-of: ")


def test_pure_function_keeps_only_open_findings(
    run: Callable[..., Any], write_facts: Callable[..., Path]
) -> None:
    result = run([*BOUNDARY, notice("n8", "N8", "2000-11-30", at="2000-11-28T09:00")], "2000-12-01")
    up = upcoming(result.findings, result.as_of, 10)
    assert [f.key for f in up.deadlines] == ["N0", "N1"]
    assert up.undated == ()  # issue 10: the three prohibitions in force are not deadlines


def test_a_prohibition_window_end_is_not_a_deadline(
    cli: CLI, write_facts: Callable[..., Path]
) -> None:
    # As of Fri 2001-01-05, rofr-notice's window ends Thu 2001-01-11 (6 days later): not
    # listed. Notice N5, due the end of Tue 2001-01-09, is.
    facts = write_facts(
        [
            {"id": "acc", "type": "agreement_accepted", "at": "2000-02-04"},
            {"id": "eff", "type": "effective_date", "at": "2000-05-16"},
            notice("n5", "N5", "2001-01-09", at="2001-01-02T09:00"),
        ]
    )
    argv = ["upcoming", "--rules", RULES, "--facts", str(facts), "--as-of", "2001-01-05"]
    code, out, _ = cli([*argv, "--days", "10", "--format", "json"])
    doc = json.loads(out)
    assert code == 0
    assert [(d["rule"], d["due"]) for d in doc["deadlines"]] == [
        ("conversion-delivery", "2001-01-09")
    ]
    assert {u["rule"] for u in doc["undated"]} & PROHIBITIONS == set()
    _, checked, _ = cli(["check", *argv[1:], "--format", "json"])
    [window] = [f for f in json.loads(checked)["findings"] if f["rule"] == "rofr-notice"]
    assert (window["status"], window["due"]) == ("open", "2001-01-11")  # check still says it
