"""Run history (issue 5, item 1): new/known/resolved marks, idempotence, locking, JSON.

Every test runs in its own ``tmp_path`` (also the working directory) with
``CLAUSEWATCH_HISTORY`` unset, and records into ``tmp_path/h.sqlite``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
import pytest

from engine.cli import main
from engine.history import store as history_store
from engine.history.compare import ENV_PATH, ENV_TEST_PAUSE, Changes, Resolved, compare
from engine.history.doctext import doc_text
from engine.history.report import json_report_marked
from engine.history.store import Outcome
from engine.model import Finding, Result, Status

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules")
RESERVE = "share-reserve"
LOCKED = "history database is locked by another run; try again"

Check = Callable[..., tuple[int, str, str]]


def reserve(fid: str, at: str, reserved: int) -> dict[str, Any]:
    """A share reserve report; 1.5 x 1,000 + 100 = 1,600 shares are required."""
    return {
        "id": fid,
        "type": "share_reserve_reported",
        "at": at,
        "reserved": reserved,
        "conversion_shares": 1000,
        "warrant_shares": 100,
    }


SHORT = reserve("r1", "2000-10-31", 1500)  # short by 100: a breach from 2000-10-31
STILL_SHORT = reserve("r2", "2000-11-30", 1550)
RESTORED = reserve("r3", "2000-12-08", 1600)
SHORT_AGAIN = reserve("r4", "2001-01-31", 1580)  # a second episode, from 2001-01-31


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_PATH, raising=False)
    monkeypatch.delenv(ENV_TEST_PAUSE, raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "h.sqlite"


@pytest.fixture
def log(tmp_path: Path) -> Callable[..., Path]:
    """Write the fact log (the same file each time, as a nightly log grows)."""
    path = tmp_path / "facts.jsonl"

    def write(*facts: dict[str, Any]) -> Path:
        path.write_text("".join(json.dumps(f) + "\n" for f in facts), encoding="utf-8")
        return path

    return write


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path) -> Check:
    """``check`` on the fact log at an as-of date: exit status, stdout, stderr."""

    def run(as_of: str, *extra: str, history: bool = True) -> tuple[int, str, str]:
        argv = ["check", "--rules", RULES, "--facts", str(tmp_path / "facts.jsonl")]
        argv += ["--as-of", as_of, *(["--history", str(db)] if history else []), *extra]
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def as_json(check: Check, as_of: str, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = check(as_of, "--format", "json", *extra)
    assert err == ""
    return code, json.loads(out)


def ours(doc: dict[str, Any]) -> list[tuple[str | None, str, str | None, str]]:
    """The share-reserve findings: (key, status, cured, change)."""
    found = [f for f in doc["findings"] if f["rule"] == RESERVE]
    return [(f["key"], f["status"], f["cured"], f["change"]) for f in found]


def runs(db: Path) -> list[tuple[int, str, int]]:
    """The recorded runs (number, as-of, finding count), checking each is complete."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT seq, as_of, findings FROM runs ORDER BY seq").fetchall()
        for seq, _, count in rows:
            stored = conn.execute("SELECT COUNT(*) FROM findings WHERE run = ?", (seq,))
            assert stored.fetchone()[0] == count, f"run {seq} is incomplete"
        orphans = conn.execute(
            "SELECT COUNT(*) FROM findings WHERE run NOT IN (SELECT seq FROM runs)"
        ).fetchone()[0]
    conn.close()
    assert orphans == 0, "finding rows of an unrecorded run"
    return [tuple(r) for r in rows]


# --- new / known / resolved across three nights ---------------------------------------


def test_shortfall_new_then_known_then_resolved(check: Check, log: Callable[..., Path]) -> None:
    log(SHORT)
    code, doc = as_json(check, "2000-11-05")
    assert code == 1
    assert ours(doc) == [("2000-10-31", "breached", None, "new")]
    assert all(f["change"] == "new" for f in doc["findings"])
    assert doc["resolved"] == []
    assert doc["history"]["baseline"] is None

    log(SHORT, STILL_SHORT)
    code, doc = as_json(check, "2000-12-05")
    assert code == 1  # still a breach: exit status as interfaces.md
    assert ours(doc) == [("2000-10-31", "breached", None, "known")]
    assert all(f["change"] == "known" for f in doc["findings"])
    assert doc["resolved"] == []

    log(SHORT, STILL_SHORT, RESTORED)
    code, doc = as_json(check, "2000-12-10")
    assert code == 1  # the cured breach is still a breach finding
    assert ours(doc) == [
        ("2000-10-31", "breached", "2000-12-08", "known"),  # the same breach, now ended
    ]  # (issue 10: no extra `met` row for the last passing check; the episode says it all)
    [resolved] = doc["resolved"]
    assert (resolved["rule"], resolved["key"], resolved["resolution"]) == (
        RESERVE,
        "2000-10-31",
        "cured",
    )
    assert resolved["cured"] == "2000-12-08"
    assert (doc["history"]["run"], doc["history"]["baseline"]) == (3, 2)
    assert doc["history"]["baseline_as_of"] == "2000-12-05"


def test_text_marks_and_resolved_section(check: Check, log: Callable[..., Path], db: Path) -> None:
    log(SHORT)
    _, first, _ = check("2000-11-05")
    log(SHORT, STILL_SHORT, RESTORED)
    _, text, _ = check("2000-12-10")
    assert "CHANGE STATUS" in first
    assert [ln for ln in first.splitlines() if RESERVE in ln][0].startswith("NEW    breached")
    rows = [ln for ln in text.splitlines() if RESERVE in ln]
    assert rows[0].startswith("KNOWN  breached")
    assert [r.split()[0] for r in rows] == ["KNOWN", "CURED"]  # issue 10: no extra `met` row
    section = text[text.index("Resolved since the last run, run 1 (as of 2000-11-05): 1") :]
    assert section.splitlines()[1].split() == ["CURED", RESERVE, "2000-10-31", "nhtc-series-j"]
    assert "cured 2000-12-08" in section
    assert f"History: run 2 recorded in {db}" in text


def test_status_change_is_new_and_a_gone_finding_is_resolved() -> None:
    def doc(rule: str, status: str, key: str | None = None, cured: str | None = None) -> dict:
        return {"contract": "c", "rule": rule, "key": key, "status": status, "cured": cured}

    before = [doc("a", "open"), doc("b", "breached"), doc("c", "open"), doc("d", "met")]
    after = [doc("a", "breached"), doc("b", "met"), doc("c", "open"), doc("e", "open")]
    changes = compare(before, after)
    assert changes.marks == ("new", "new", "known", "new")
    assert [(r.resolution, r.finding["rule"]) for r in changes.resolved] == [
        ("changed", "b"),  # an ongoing breach that is not one any more
        ("gone", "d"),
    ]
    assert compare(None, after).marks == ("new",) * 4


# --- idempotence ------------------------------------------------------------------------


def test_rerun_of_the_same_as_of_is_not_recorded_again(
    check: Check, log: Callable[..., Path], db: Path
) -> None:
    log(SHORT, STILL_SHORT)
    first = check("2000-11-05")
    again = check("2000-11-05")
    assert again[0] == first[0]
    assert again[1].split("History:")[0] == first[1].split("History:")[0]
    assert "not recorded again" in again[1]
    assert [r[:2] for r in runs(db)] == [(1, "2000-11-05")]

    check("2000-12-05")  # run 2: the shortfall is known
    _, doc = as_json(check, "2000-11-05")  # run 1 again: as it was, everything new
    assert ours(doc) == [("2000-10-31", "breached", None, "new")]
    assert (doc["history"]["run"], doc["history"]["recorded"]) == (1, False)
    _, doc = as_json(check, "2000-12-05")
    assert ours(doc) == [("2000-10-31", "breached", None, "known")]
    assert [r[:2] for r in runs(db)] == [(1, "2000-11-05"), (2, "2000-12-05")]


def test_changed_facts_on_the_same_as_of_are_a_new_run(
    check: Check, log: Callable[..., Path], db: Path
) -> None:
    log(STILL_SHORT)
    check("2000-12-05")
    log(SHORT, STILL_SHORT)  # a report found late: the episode now starts on 31 Oct
    _, doc = as_json(check, "2000-12-05")
    assert ours(doc) == [("2000-10-31", "breached", None, "new")]
    assert [(r["key"], r["resolution"]) for r in doc["resolved"]] == [("2000-11-30", "gone")]
    assert [r[:2] for r in runs(db)] == [(1, "2000-12-05"), (2, "2000-12-05")]


def test_a_later_as_of_is_never_the_baseline(check: Check, log: Callable[..., Path]) -> None:
    log(SHORT, STILL_SHORT)
    check("2000-12-05")
    _, doc = as_json(check, "2000-11-05")  # back-dated: compared with nothing
    assert doc["history"]["baseline"] is None
    assert ours(doc) == [("2000-10-31", "breached", None, "new")]


# --- --only-new and --fail-on-new -------------------------------------------------------


def test_only_new(check: Check, log: Callable[..., Path]) -> None:
    log(SHORT)
    check("2000-11-05")
    log(SHORT, STILL_SHORT)
    code, text, _ = check("2000-12-05", "--only-new")
    assert code == 1
    assert "KNOWN" not in text and RESERVE not in text
    assert "Resolved since the last run, run 1 (as of 2000-11-05): none" in text
    log(SHORT, STILL_SHORT, RESTORED)
    code, text, _ = check("2000-12-10", "--only-new")
    rows = [ln for ln in text.splitlines() if ln.startswith(("NEW", "KNOWN", "CURED"))]
    assert [ln.split()[:3] for ln in rows] == [  # issue 10: no `met` row beside the episode
        ["CURED", RESERVE, "2000-10-31"],
    ]
    _, doc = as_json(check, "2000-12-10", "--only-new")
    assert ours(doc) == []
    assert [r["resolution"] for r in doc["resolved"]] == ["cured"]
    assert doc["history"]["only_new"] is True


def test_fail_on_new(check: Check, log: Callable[..., Path]) -> None:
    log(SHORT)
    assert check("2000-11-05", "--fail-on-new")[0] == 1  # a new breach
    log(SHORT, STILL_SHORT)
    assert check("2000-12-05", "--fail-on-new")[0] == 0  # the same breach, known
    assert check("2000-12-05")[0] == 1  # without the option: any breach
    log(SHORT, STILL_SHORT, RESTORED)
    assert check("2000-12-10", "--fail-on-new")[0] == 0  # cured: no new breach
    log(SHORT, STILL_SHORT, RESTORED, SHORT_AGAIN)
    assert check("2001-02-01", "--fail-on-new")[0] == 1  # a second episode: new


# --- options and defaults ---------------------------------------------------------------


def test_no_history_by_default(check: Check, log: Callable[..., Path], tmp_path: Path) -> None:
    log(SHORT)
    code, out, _ = check("2000-11-05", "--format", "json", history=False)
    assert code == 1
    doc = json.loads(out)
    assert "resolved" not in doc and all("change" not in f for f in doc["findings"])
    assert list(tmp_path.iterdir()) == [tmp_path / "facts.jsonl"]


def test_environment_and_default_path(
    check: Check, log: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log(SHORT)
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "env.sqlite"))
    check("2000-11-05", history=False)
    assert (tmp_path / "env.sqlite").is_file()
    check("2000-11-06", "--no-history", history=False)
    assert len(runs(tmp_path / "env.sqlite")) == 1
    monkeypatch.setenv(ENV_PATH, "off")
    check("2000-11-07", history=False)
    assert len(runs(tmp_path / "env.sqlite")) == 1
    monkeypatch.setenv(ENV_PATH, "on")
    check("2000-11-08", history=False)
    assert len(runs(tmp_path / ".clausewatch" / "history.sqlite")) == 1
    monkeypatch.delenv(ENV_PATH)
    check("2000-11-09", "--history", history=False)
    assert len(runs(tmp_path / ".clausewatch" / "history.sqlite")) == 2


def test_history_options_need_a_history(check: Check, log: Callable[..., Path]) -> None:
    log(SHORT)
    for option in ("--only-new", "--fail-on-new"):
        code, out, err = check("2000-11-05", option, history=False)
        assert (code, out) == (2, "")
        assert err.startswith(f"{option}: needs a run history")


def test_not_a_history_database(check: Check, log: Callable[..., Path], db: Path) -> None:
    log(SHORT)
    db.write_bytes(b"this is not a database, just some bytes " * 100)
    code, out, err = check("2000-11-05")
    assert (code, out) == (2, "")
    assert err.startswith(f"{db}: not a usable history database")


# --- JSON additions ---------------------------------------------------------------------


def test_json_only_adds(check: Check, log: Callable[..., Path]) -> None:
    log(SHORT, STILL_SHORT)
    check("2000-11-05")
    _, plain, _ = check("2000-12-05", "--format", "json", history=False)
    _, doc = as_json(check, "2000-12-05")
    base = json.loads(plain)
    assert set(doc) == set(base) | {"resolved", "history"}
    assert list(doc)[: len(base)] == list(base)  # existing keys first, in their order
    assert {k: v for k, v in doc.items() if k in base and k != "findings"} == {
        k: v for k, v in base.items() if k != "findings"
    }
    for marked, plain_finding in zip(doc["findings"], base["findings"], strict=True):
        assert marked.pop("change") in ("new", "known")
        assert marked == plain_finding
    assert set(doc["history"]) >= {"path", "run", "baseline", "new", "known", "resolved"}


# --- concurrent and interrupted runs ----------------------------------------------------


def test_locked_by_another_run(
    check: Check, log: Callable[..., Path], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log(SHORT, STILL_SHORT)
    check("2000-11-05")
    monkeypatch.setattr(history_store, "BUSY_TIMEOUT", 0.2)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another run, mid-write
    try:
        started = time.monotonic()
        code, out, err = check("2000-12-05")
        assert time.monotonic() - started < 10  # it does not wait for ever
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (code, out, err) == (2, "", f"{db}: {LOCKED}\n")
    assert [r[:2] for r in runs(db)] == [(1, "2000-11-05")]
    assert check("2000-12-05")[0] == 1
    assert [r[:2] for r in runs(db)] == [(1, "2000-11-05"), (2, "2000-12-05")]


def test_killed_mid_write_leaves_the_last_complete_run(
    check: Check, log: Callable[..., Path], db: Path, tmp_path: Path
) -> None:
    log(SHORT, STILL_SHORT, RESTORED)
    check("2000-11-05")
    complete = runs(db)
    marker = tmp_path / "mid-write"
    env = {**os.environ, ENV_TEST_PAUSE: f"60:{marker}", "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "engine", "check", "--rules", RULES]
    argv += ["--facts", str(tmp_path / "facts.jsonl"), "--as-of", "2000-12-10"]
    argv += ["--history", str(db)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), f"the run never reached mid-write: {proc.stderr}"
        with sqlite3.connect(db, timeout=0.1) as peek:  # rows are written, not committed
            assert peek.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
        peek.close()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert Path(f"{db}-journal").exists()  # killed with its transaction open
    assert runs(db) == complete  # no partial run visible; the last complete one intact
    _, doc = as_json(check, "2000-12-10")  # and the next run works, against run 1
    assert (doc["history"]["run"], doc["history"]["baseline"]) == (2, 1)
    assert [r["resolution"] for r in doc["resolved"]] == ["cured"]


@pytest.mark.parametrize(
    ("doc", "amount", "text"),
    [
        # msgspec's compact text: no spaces, a float in its fewest digits, UTF-8 kept
        ({"rule": "r", "amount": 1.5e-05, "facts": ["é"]}, 1.5e-05,
         '{"rule":"r","amount":0.000015,"facts":["é"]}'),
        ({"amount": 1e16, "key": None, "late": True}, 1e16,
         '{"amount":1e16,"key":null,"late":true}'),
        # the standard library's where msgspec would write null for it, or cannot encode
        ({"amount": float("nan")}, float("nan"), '{"amount": NaN}'),
        ({"id": "a\ud800b"}, None, '{"id": "a\ud800b"}'),
    ],
)  # fmt: skip
def test_stored_text_reads_back_as_the_document(doc: Any, amount: Any, text: str) -> None:
    assert doc_text(doc, amount) == text
    back = json.loads(text)
    assert json.dumps(back, ensure_ascii=False) == json.dumps(doc, ensure_ascii=False)


@pytest.mark.parametrize("only_new", [False, True])
def test_report_with_changes_is_the_standard_librarys_text(only_new: bool) -> None:
    # 300 findings: more than one batch of the report written in pieces; amounts Python
    # writes with an exponent (1e+16, 1.5e-05) where msgspec would not.
    at = pendulum.datetime(2000, 3, 8, 17, tz="America/New_York")
    amounts = [None, Decimal("1E+16"), Decimal("0.000015"), Decimal("2.75")]
    found = tuple(
        Finding(
            f"c{i % 7}", "rule", f"k{i}", "1(a)", "Buyer", Status.BREACHED,
            "2000-03-08T17:00:00-05:00", at, amounts[i % 4], (f"f{i}",), f"message {i} é\n",
            "T", "USD", None, ("step",), "tmpl", "deadline", False, None,
        )
        for i in range(300)
    )  # fmt: skip
    marks = tuple("new" if i % 3 else "known" for i in range(300))
    gone = {"contract": "c1", "rule": "rule", "amount": 1e16, "message": "cured"}
    outcome = Outcome(5, True, 4, "2000-12-30", Changes(marks, (Resolved("cured", gone, "x"),)))
    result = Result(date(2000, 12, 31), found, 300, ())
    text = "".join(json_report_marked(result, outcome, Path("h.db"), only_new))
    doc = json.loads(text)
    assert json.dumps(doc, indent=2, ensure_ascii=False) == text
    shown = [m for m in marks if m == "new" or not only_new]
    assert [f["change"] for f in doc["findings"]] == shown
    assert [f["message"] for f in doc["findings"]][:2] == (
        ["message 1 é\n", "message 2 é\n"] if only_new else ["message 0 é\n", "message 1 é\n"]
    )
    assert list(doc)[-2:] == ["resolved", "history"]
    assert doc["history"]["new"] == 200 and doc["history"]["only_new"] is only_new
