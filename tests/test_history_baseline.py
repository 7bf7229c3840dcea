"""Run history (issue 10): the baseline survives back-dated runs; "resolved" says why.

Every test runs in its own ``tmp_path`` (also the working directory) with
``CLAUSEWATCH_HISTORY`` unset, records into ``tmp_path/h.sqlite`` and evaluates the
repository's rules against a fact log written by the test.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.history.compare import ENV_PATH, ENV_TEST_PAUSE

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules" / "nhtc-series-j.yaml")  # the seed template alone

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
    """``check --history`` on the fact log at an as-of date: exit status, stdout, stderr."""

    def run(as_of: str, *extra: str) -> tuple[int, str, str]:
        argv = ["check", "--rules", RULES, "--facts", str(tmp_path / "facts.jsonl")]
        argv += ["--as-of", as_of, "--history", str(db), *extra]
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def as_json(check: Check, as_of: str) -> dict[str, Any]:
    code, out, err = check(as_of, "--format", "json")
    assert err == "" and code in (0, 1)
    return json.loads(out)


def marks(doc: dict[str, Any], rule: str) -> list[tuple[str | None, str, str | None, str]]:
    """(key, status, cured, change) of one rule's findings."""
    return [
        (f["key"], f["status"], f["cured"], f["change"])
        for f in doc["findings"]
        if f["rule"] == rule
    ]


def resolved(doc: dict[str, Any]) -> list[tuple[str, str | None, str, str]]:
    """(rule, key, resolution, why) of the resolved list."""
    return [(r["rule"], r["key"], r["resolution"], r["why"]) for r in doc["resolved"]]


def adhoc_column(db: Path) -> list[tuple[int, str, int]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT seq, as_of, adhoc FROM runs ORDER BY seq").fetchall()
    conn.close()
    return [tuple(r) for r in rows]


# --- the baseline survives a back-dated run ---------------------------------------------


def test_back_dated_run_between_nightly_runs_marks_nothing_known_as_new(
    check: Check, log: Callable[..., Path], db: Path
) -> None:
    log(SHORT, STILL_SHORT)
    night1 = as_json(check, "2000-11-05")  # run 1: the shortfall of 31 Oct is new
    assert marks(night1, "share-reserve") == [("2000-10-31", "breached", None, "new")]
    night2 = as_json(check, "2000-12-05")  # run 2: known
    assert marks(night2, "share-reserve") == [("2000-10-31", "breached", None, "known")]

    # Someone asks what was known on 15 October (before the short report of 31 Oct) and
    # records it: an ad-hoc run, with no nightly run on or before 15 Oct to compare with.
    adhoc = as_json(check, "2000-10-15")
    assert marks(adhoc, "share-reserve") == []
    assert (adhoc["history"]["run"], adhoc["history"]["adhoc"]) == (3, True)
    assert adhoc["history"]["baseline"] is None

    # The next nightly run is compared with run 2 (as of 5 Dec), not with the back-dated
    # run 3 (the most recently recorded): nothing already known is new, nothing resolved.
    night3 = as_json(check, "2000-12-06")
    assert (night3["history"]["baseline"], night3["history"]["baseline_as_of"]) == (
        2,
        "2000-12-05",
    )
    assert night3["history"]["adhoc"] is False
    assert [f for f in night3["findings"] if f["change"] == "new"] == []
    assert marks(night3, "share-reserve") == [("2000-10-31", "breached", None, "known")]
    assert night3["resolved"] == []
    assert adhoc_column(db) == [
        (1, "2000-11-05", 0),
        (2, "2000-12-05", 0),
        (3, "2000-10-15", 1),
        (4, "2000-12-06", 0),
    ]


def test_back_dated_runs_compare_with_the_latest_earlier_nightly_run(
    check: Check, log: Callable[..., Path], db: Path
) -> None:
    log(SHORT, STILL_SHORT)
    check("2000-11-05")  # run 1
    check("2000-12-05")  # run 2
    first = as_json(check, "2000-11-20")  # run 3: ad hoc, against run 1 (5 Nov)
    assert (first["history"]["baseline"], first["history"]["adhoc"]) == (1, True)
    assert marks(first, "share-reserve") == [("2000-10-31", "breached", None, "known")]
    second = as_json(check, "2000-11-25")  # run 4: ad hoc too, against run 1, never run 3
    assert (second["history"]["baseline"], second["history"]["adhoc"]) == (1, True)
    _, text, _ = check("2000-11-26")  # run 5: the text says why it is set apart
    words = "as an ad-hoc run (its as-of date is before 2000-12-05, the latest recorded)"
    assert words in " ".join(text.split())
    assert [r[2] for r in adhoc_column(db)] == [0, 0, 1, 1, 1]
    again = as_json(check, "2000-11-25")  # the same inputs again: replayed, still ad hoc
    assert (again["history"]["run"], again["history"]["recorded"]) == (4, False)
    assert again["history"]["adhoc"] is True
    # A re-run of the latest night with changed facts is not back-dated: a nightly run.
    log(SHORT, STILL_SHORT, reserve("r3", "2000-12-05", 1000))
    rerun = as_json(check, "2000-12-05")
    assert (rerun["history"]["baseline"], rerun["history"]["adhoc"]) == (2, False)


def test_a_version_1_history_is_upgraded_in_place(
    check: Check, log: Callable[..., Path], db: Path
) -> None:
    # The tables as ClauseWatch wrote them before ad-hoc runs (schema version 1), with
    # one recorded run whose only finding is the ongoing shortfall of 31 Oct.
    conn = sqlite3.connect(db)
    conn.executescript(
        """
        CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema', '1');
        CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, contracts TEXT NOT NULL,
            as_of TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE,
            baseline INTEGER REFERENCES runs (seq), inputs TEXT NOT NULL,
            findings INTEGER NOT NULL, recorded_at TEXT);
        CREATE INDEX runs_by_contracts ON runs (contracts, as_of, seq);
        CREATE TABLE findings (run INTEGER NOT NULL REFERENCES runs (seq),
            pos INTEGER NOT NULL, contract TEXT NOT NULL, rule TEXT NOT NULL, key TEXT,
            status TEXT NOT NULL, cured TEXT, change TEXT NOT NULL, doc TEXT NOT NULL,
            PRIMARY KEY (run, pos));
        CREATE TABLE resolved (run INTEGER NOT NULL REFERENCES runs (seq),
            pos INTEGER NOT NULL, resolution TEXT NOT NULL, doc TEXT NOT NULL,
            PRIMARY KEY (run, pos));
        """
    )
    doc = {
        "contract": "nhtc-series-j",
        "rule": "share-reserve",
        "key": "2000-10-31",
        "status": "breached",
        "cured": None,
    }
    conn.execute(
        "INSERT INTO runs VALUES (1, ?, '2000-11-05', 'old', NULL, '{}', 1, NULL)",
        (json.dumps(["nhtc-series-j"]),),
    )
    conn.execute(
        "INSERT INTO findings VALUES (1, 0, 'nhtc-series-j', 'share-reserve', '2000-10-31',"
        " 'breached', NULL, 'new', ?)",
        (json.dumps(doc),),
    )
    conn.commit()
    conn.close()
    log(SHORT, STILL_SHORT)
    night = as_json(check, "2000-12-05")
    assert night["history"]["baseline"] == 1
    assert marks(night, "share-reserve") == [("2000-10-31", "breached", None, "known")]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() == ("4",)
    conn.close()
    assert adhoc_column(db) == [(1, "2000-11-05", 0), (2, "2000-12-05", 0)]


def test_a_newer_schema_is_refused(check: Check, log: Callable[..., Path], db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema', '9');"
    )
    conn.close()
    log(SHORT)
    assert check("2000-11-05") == (
        2,
        "",
        f"{db}: history schema version 9; this ClauseWatch reads 4\n",
    )


# --- "resolved" says why ------------------------------------------------------------------

# Notice N1 (as tests/golden/conversion-2000.jsonl): Delivery Date Wed 2000-08-02, $30,000
# converted. The late payment runs from the 3rd business day after it (Mon 08-07): as of
# Fri 08-04 nothing is owed yet; delivered Fri 08-11, it owes 4 days x $100 per $10,000
# x 3 = $1,200.00.
NOTICE = {
    "id": "n-1",
    "type": "conversion_notice",
    "at": "2000-07-28",
    "notice_id": "N1",
    "delivery_date": "2000-08-02",
    "amount": 30000,
}
DELIVERED = {
    "id": "d-1",
    "type": "conversion_shares_delivered",
    "at": "2000-08-11T12:00",
    "notice_id": "N1",
}
WAIVER = {
    "id": "w-1",
    "type": "waiver",
    "at": "2000-08-18",
    "rule": "conversion-delivery",
    "key": "N1",
    "party": "buyer",
    "clause": "letter of 18 August 2000",
}


def test_late_delivery_that_owes_a_late_payment_is_not_resolved(
    check: Check, log: Callable[..., Path]
) -> None:
    log(NOTICE)
    night1 = as_json(check, "2000-08-04")
    assert marks(night1, "conversion-delivery") == [("N1", "breached", None, "new")]
    log(NOTICE, DELIVERED)
    night2 = as_json(check, "2000-08-15")
    [n1] = [f for f in night2["findings"] if f["rule"] == "conversion-delivery"]
    assert (n1["cured"], n1["amount"]) == ("2000-08-11", 1200.0)
    assert "Late payment: 4 business days" in n1["message"]
    assert n1["change"] == "known"  # the same breach: old news
    assert resolved(night2) == []  # delivered, but the $1,200.00 is still owed
    log(NOTICE, DELIVERED, WAIVER)  # the Buyer waives it: now resolved, and why
    night3 = as_json(check, "2000-08-20")
    assert marks(night3, "conversion-delivery") == [("N1", "waived", "2000-08-11", "new")]
    assert resolved(night3) == [
        (
            "conversion-delivery",
            "N1",
            "waived",
            "was breached (due 2000-08-02); now waived (see above)",
        )
    ]


def test_late_delivery_within_the_grace_days_is_cured(
    check: Check, log: Callable[..., Path]
) -> None:
    # Delivered Mon 2000-08-07, the 3rd business day after the Delivery Date: late, but no
    # late payment accrues (it counts business days after Mon 08-07): cured, nothing owed.
    log(NOTICE)
    check("2000-08-04")
    log(NOTICE, {**DELIVERED, "at": "2000-08-07T12:00"})
    night = as_json(check, "2000-08-08")
    assert marks(night, "conversion-delivery") == [("N1", "breached", "2000-08-07", "known")]
    assert resolved(night) == [
        (
            "conversion-delivery",
            "N1",
            "cured",
            "breach (due 2000-08-02) cured 2000-08-07: nothing is owed for it",
        )
    ]


# rofr-notice (4(j)(i)): in force from the agreement date (Fri 2000-02-04) through 240
# days after the Effective Date Tue 2000-05-16: 15 days to 31 May, +30 June (45), +31
# July (76), +31 Aug (107), +30 Sep (137), +31 Oct (168), +30 Nov (198), +31 Dec (229),
# +11 Jan = 240: Thu 2001-01-11.
ACCEPTED = {"id": "a-1", "type": "agreement_accepted", "at": "2000-02-04T10:00"}
EFFECTIVE = {"id": "e-1", "type": "effective_date", "at": "2000-05-16"}
UNOFFERED = {
    "id": "t-1",
    "type": "new_transaction_consummated",
    "at": "2001-01-09T10:00",
    "offer_id": "D-1",
    "underwritten": False,
    "more_favorable_terms": False,
}
WINDOW_WHY = "in force through 2001-01-11; its window has ended"


def test_prohibition_window_ended(check: Check, log: Callable[..., Path]) -> None:
    log(ACCEPTED, EFFECTIVE)
    night1 = as_json(check, "2001-01-11")  # the last day in force
    assert marks(night1, "rofr-notice") == [(None, "open", None, "new")]
    night2 = as_json(check, "2001-01-12")
    assert marks(night2, "rofr-notice") == [(None, "met", None, "new")]
    assert [r for r in resolved(night2) if r[0] == "rofr-notice"] == [
        ("rofr-notice", None, "window_ended", WINDOW_WHY)
    ]
    _, text, _ = check("2001-01-12")  # replayed: the same words in the text
    section = text[text.index("Resolved since the last run") :]
    assert section.splitlines()[1].split() == ["ENDED", "rofr-notice", "-", "nhtc-series-j"]
    assert "In force through 2001-01-11; its window has ended." in " ".join(section.split())


def test_prohibition_window_ended_after_a_breach(check: Check, log: Callable[..., Path]) -> None:
    # A New Transaction on 2001-01-09 with no offer to the Buyer: a breach. After the
    # window, the breach says it all: the "in force" finding is no longer listed.
    log(ACCEPTED, EFFECTIVE, UNOFFERED)
    night1 = as_json(check, "2001-01-10")
    assert marks(night1, "rofr-notice") == [  # by due: the act (01-09), then the window (01-11)
        ("D-1", "breached", None, "new"),
        (None, "open", None, "new"),
    ]
    night2 = as_json(check, "2001-01-12")
    assert marks(night2, "rofr-notice") == [("D-1", "breached", None, "known")]
    assert [r for r in resolved(night2) if r[0] == "rofr-notice"] == [
        ("rofr-notice", None, "window_ended", WINDOW_WHY)
    ]


def test_a_fingerprint_is_the_sha256_of_the_run_as_json_keys_sorted() -> None:
    # Written out by hand: the contracts sorted, the files' sha256 by kind, the findings
    # with their keys sorted; msgspec's JSON has no spaces, the standard library's (the
    # way history schema 3 wrote it) a space after each ":" and ",".
    from engine.history.compare import fingerprint, legacy_fingerprint

    inputs = {"rules": [{"path": "x.yaml", "sha256": "r1"}],
              "facts": [{"path": "f", "sha256": "f1"}]}
    args = (["b", "a"], "2000-12-31", inputs, [{"z": 1, "a": "é"}])
    new = '{"as_of":"2000-12-31","contracts":["a","b"],"files":{"facts":["f1"],"rules":["r1"]},'
    new += '"findings":[{"a":"é","z":1}]}'
    old = '{"as_of": "2000-12-31", "contracts": ["a", "b"], "files": {"facts": ["f1"], '
    old += '"rules": ["r1"]}, "findings": [{"a": "é", "z": 1}]}'
    assert fingerprint(*args) == hashlib.sha256(new.encode()).hexdigest()
    assert legacy_fingerprint(*args) == hashlib.sha256(old.encode()).hexdigest()


def test_a_run_recorded_by_schema_3_is_found_again_by_its_old_fingerprint(
    check: Check, log: Callable[..., Path], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Schema 3 fingerprinted a run as the standard library's JSON: run 1 recorded that way
    # in a version 3 database, then run again by this version. It must still be the same
    # run (not recorded again, the same marks, the same exit status: every finding new),
    # and the old fingerprint is worked out only for a run with the as-of of an old one.
    from engine.history import compare, store

    monkeypatch.setattr(store, "fingerprint", compare.legacy_fingerprint)
    log(SHORT, STILL_SHORT)
    first = check("2000-12-05", "--fail-on-new")
    assert first[0] == 1 and "run 1 recorded" in first[1]
    monkeypatch.setattr(store, "fingerprint", compare.fingerprint)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '3' WHERE name = 'schema'")
        conn.execute("DELETE FROM meta WHERE name = 'legacy_fingerprints'")
    conn.close()
    asked: list[str] = []

    def old_way(*args: Any) -> str:
        asked.append(args[1])
        return compare.legacy_fingerprint(*args)

    monkeypatch.setattr(store, "legacy_fingerprint", old_way)
    again = check("2000-12-05", "--fail-on-new")
    assert again[0] == 1 and "not recorded again" in again[1]
    assert asked == ["2000-12-05"]
    again = check("2000-12-05", "--fail-on-new")  # run 1 now has the new fingerprint
    assert again[0] == 1 and "not recorded again" in again[1]
    assert asked == ["2000-12-05"]
    later = check("2000-12-06", "--fail-on-new")  # a new as-of: no old way needed
    assert later[0] == 0 and "run 2 recorded" in later[1]
    rerun = check("2000-12-06", "--fail-on-new")  # found by its own fingerprint
    assert (rerun[0], "not recorded again" in rerun[1]) == (0, True)
    log(SHORT, STILL_SHORT, reserve("r3", "2000-12-06", 1000))  # a run 2 with other facts:
    other = check("2000-12-06")  # only run 2 has this as-of, recorded after the upgrade
    assert "run 3 recorded" in other[1] and asked == ["2000-12-05"]
    with sqlite3.connect(db) as conn:
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        runs = conn.execute("SELECT seq, as_of FROM runs ORDER BY seq").fetchall()
    conn.close()
    assert (meta["schema"], meta["legacy_fingerprints"]) == ("4", "1")
    assert runs == [(1, "2000-12-05"), (2, "2000-12-06"), (3, "2000-12-06")]
