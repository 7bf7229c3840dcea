"""A run whose report prints no trace (``check`` or ``upcoming`` as text or CSV, ``check``
without a run history; ``calendar``) leaves the traces out: the same findings, every other
field equal, none with a trace. JSON, a run history and ``explain`` keep them.

No date is worked out here: each run is compared with the same run keeping its traces.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import engine.cli.common as common
from engine.cli import main
from engine.evaluate import Memo, evaluate_delta
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Finding, Status
from tests.conftest import portfolio_module

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2004, 12, 31)
OTHER = [f.name for f in fields(Finding) if f.name != "trace"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """3,000 facts over 60 instances, half of them term loans (waivers, late payments)."""
    gen = portfolio_module()
    text, facts = gen.portfolio(3_000, 60, seed=7, shared=0.01, credit=0.5)
    rules, logs = gen.write(tmp_path_factory.mktemp("mixed"), text, facts)
    return str(rules), str(logs)


def findings(rules: str, logs: str, traces: bool, jobs: int) -> list[Finding]:
    contracts = load_contracts([rules])
    result = evaluate_delta(
        contracts, read_facts([logs], contracts), AS_OF, None, jobs=jobs, traces=traces
    ).result
    return [*result.findings, *result.ahead]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_same_findings_without_their_traces(mixed: tuple[str, str], jobs: int) -> None:
    kept, left = findings(*mixed, True, jobs), findings(*mixed, False, jobs)
    assert len(kept) == len(left) > 2000
    for k, f in zip(kept, left, strict=True):
        assert [getattr(f, n) for n in OTHER] == [getattr(k, n) for n in OTHER]
        assert k.trace and f.trace == ()
    # the paths that add to a trace are taken: waivers, late payments, covenant tests
    assert sum(f.status is Status.WAIVED for f in left) >= 10
    assert sum("Late payment:" in f.message for f in left) >= 10
    assert {"deadline", "test"} <= {f.kind for f in left}


def test_commands_ask_for_traces_only_where_they_print_or_record_them(
    mixed: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[bool] = []
    real = common.evaluate_delta

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["traces"])
        return real(*args, **kwargs)

    monkeypatch.setattr(common, "evaluate_delta", spy)
    rules, logs = mixed
    check = ["check", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31", "--quiet"]
    history = ["--history", str(tmp_path / "h.sqlite")]
    for extra in (["--format", "text"], ["--format", "csv"], ["--format", "json"], history):
        assert main([*check, *extra]) == 1
    assert main(["explain", "funding-deadline", "--as-of", "2000-12-31"]) == 0  # bundled
    assert asked == [False, False, True, True, True]
    upcoming = ["upcoming", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31"]
    for extra in (["--format", "text"], ["--format", "csv"], ["--format", "json"]):
        assert main([*upcoming, *extra]) == 0
    out = str(tmp_path / "deadlines.ics")
    assert main(["calendar", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31",
                 "--out", out]) == 0  # fmt: skip
    assert asked[5:] == [False, False, True, False]


def test_a_history_recorded_by_a_text_run_keeps_the_traces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Night one prints text and records; night two, the same as-of date, takes every
    instance from the record and prints JSON: the traces are there, as in a plain run."""
    check = ["check", "--as-of", "2000-12-31", "--quiet"]
    db = ["--history", str(tmp_path / "h.sqlite")]
    assert main([*check, *db]) == 1
    capsys.readouterr()
    assert main([*check, *db, "--format", "json"]) == 1
    recorded = json.loads(capsys.readouterr().out)["findings"]
    assert main([*check, "--format", "json"]) == 1
    plain = json.loads(capsys.readouterr().out)["findings"]
    assert [f["trace"] for f in recorded] == [f["trace"] for f in plain]
    assert all(f["trace"] for f in plain)


def test_a_run_recording_a_memo_without_traces_is_refused(mixed: tuple[str, str]) -> None:
    """A memo's entries are recorded, traces included, for a later night's JSON."""
    rules, logs = mixed
    contracts = load_contracts([rules])
    facts = read_facts([logs], contracts)
    with pytest.raises(ValueError, match="needs their traces"):
        evaluate_delta(contracts, facts, AS_OF, Memo({}, {}), traces=False)
