"""The run history database: SQLite (stdlib ``sqlite3``), one transaction per run.

Tables (schema version 4, in ``meta``):

- ``runs``: one row per recorded run: ``seq`` (the run number, increasing), the sorted
  contract ids (JSON), ``as_of``, a ``fingerprint`` of the run's inputs and findings
  (unique: an identical run is never recorded twice), the ``baseline`` run it was
  compared with, the rule and fact files read with their sha256 (JSON), the number of
  findings, ``recorded_at`` (wall-clock time given by the CLI, or null) and ``adhoc``
  (1: back-dated, never a baseline; see ``engine.history.compare``).
- ``findings``: the run's findings in report order: identity, status, cured, the mark
  (``new``/``known``) and the finding as JSON.
- ``resolved``: the findings of the baseline run resolved by this run: how
  (``resolution``), why in words, and the finding as JSON.
- ``calendars`` and ``calendar_events``: what each deadline calendar sent last
  (``engine.history.sent``).
- ``memo``: each instance's findings as the last nightly run that evaluated it made
  them, for the nightly delta (``engine.history.memo``).

A version 1 database (before ad-hoc runs) is upgraded in place: its runs are all taken
as nightly runs. A version 2 database (before the memo) is upgraded in place by adding
the empty ``memo`` table: the next run evaluates every instance and fills it. A version 3
database (every release wrote its fingerprints as the standard library's JSON) is
upgraded in place: its runs keep their fingerprints, and ``meta``'s
``legacy_fingerprints`` holds the number of its last run; a run with the contracts and
as-of of one of those, not found by its fingerprint, is also looked up by its
fingerprint made the old way (``compare.legacy_fingerprint``), so that re-running it
still records nothing and shows the same marks; the run found then takes the new
fingerprint. A fingerprint depends on msgspec's JSON: a release of msgspec writing
numbers otherwise would make a re-run of an earlier run record it again (its marks
then compared with that run's).

Concurrency: a run takes the write lock (``BEGIN IMMEDIATE``) before it reads anything
and keeps it until it commits, so two runs never interleave; a run that cannot get the
lock within ``BUSY_TIMEOUT`` seconds fails with ``HistoryLocked`` instead of waiting
on. A run killed halfway leaves its transaction uncommitted: SQLite rolls it back the
next time the file is opened, and the runs before it are intact. Nothing here reads
the clock.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.evaluate import Entry
from engine.history import memo
from engine.history.compare import (
    Changes,
    FindingDoc,
    Resolved,
    compare,
    fingerprint,
    legacy_fingerprint,
    why,
)
from engine.history.doctext import doc_text

SCHEMA_VERSION = "4"
BUSY_TIMEOUT = 2.0  # seconds a run waits for another run's write to finish

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        contracts TEXT NOT NULL,
        as_of TEXT NOT NULL,
        fingerprint TEXT NOT NULL UNIQUE,
        baseline INTEGER REFERENCES runs (seq),
        inputs TEXT NOT NULL,
        findings INTEGER NOT NULL,
        recorded_at TEXT,
        adhoc INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS runs_by_contracts ON runs (contracts, as_of, seq)",
    """CREATE TABLE IF NOT EXISTS findings (
        run INTEGER NOT NULL REFERENCES runs (seq),
        pos INTEGER NOT NULL,
        contract TEXT NOT NULL,
        rule TEXT NOT NULL,
        key TEXT,
        status TEXT NOT NULL,
        cured TEXT,
        change TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (run, pos))""",
    """CREATE TABLE IF NOT EXISTS resolved (
        run INTEGER NOT NULL REFERENCES runs (seq),
        pos INTEGER NOT NULL,
        resolution TEXT NOT NULL,
        doc TEXT NOT NULL,
        why TEXT,
        PRIMARY KEY (run, pos))""",
)
_SCHEMA += (  # what each deadline calendar sent last (engine.history.sent)
    """CREATE TABLE IF NOT EXISTS calendars (
        calendar TEXT PRIMARY KEY,
        as_of TEXT NOT NULL,
        sent_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS calendar_events (
        calendar TEXT NOT NULL,
        uid TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        dates TEXT NOT NULL,
        state TEXT NOT NULL,
        last_day TEXT NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (calendar, uid))""",
    memo.TABLE,
)
_UPGRADE_1_TO_2 = (
    "ALTER TABLE runs ADD COLUMN adhoc INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE resolved ADD COLUMN why TEXT",
)


class HistoryError(Exception):
    """The history database cannot be used; ``str()`` is ``path: message``."""

    def __init__(self, path: Path, message: str) -> None:
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


class HistoryLocked(HistoryError):
    """Another run holds the history database's write lock."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "history database is locked by another run; try again")


@dataclass(frozen=True)
class Run:
    """What one ``check`` run hands the history."""

    contracts: tuple[str, ...]  # the contract ids of the rule files read
    as_of: str  # YYYY-MM-DD
    inputs: dict[str, list[dict[str, str]]]  # {"rules"|"facts": [{"path", "sha256"}]}
    findings: list[FindingDoc]  # compare.history_doc of each finding, in report order
    recorded_at: str | None = None  # wall-clock time, taken by the CLI
    memo: Mapping[str, Entry] = field(default_factory=dict)  # instances evaluated: to keep


@dataclass(frozen=True)
class Outcome:
    """The run as recorded (or as recorded before, for an identical run) and its marks."""

    run: int  # the run's number
    recorded: bool  # False: identical to run ``run``, not recorded again
    baseline: int | None  # the run compared with (None: the first for these contracts)
    baseline_as_of: str | None
    changes: Changes
    adhoc: bool = False  # back-dated: never the baseline of a later run
    latest_as_of: str | None = None  # for an ad-hoc run: the latest as-of recorded before it


def _locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def record(
    path: Path, run: Run, timeout: float | None = None, test_pause: str | None = None
) -> Outcome:
    """Record ``run`` (unless an identical run is recorded) and mark its findings.

    Everything happens in one ``transaction``. ``test_pause`` (tests only,
    ``SECONDS:MARKER``) sleeps halfway through writing the findings, after creating the
    file ``MARKER``, so that a test can kill the run mid-write.
    """
    with transaction(path, timeout) as db:
        return _record(db, run, test_pause)


@contextmanager
def transaction(path: Path, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
    """The history database, its schema ensured, in one ``BEGIN IMMEDIATE`` transaction.

    Committed when the block ends, rolled back if it raises. Raises ``HistoryLocked``
    when another run holds the lock for longer than ``timeout`` (``BUSY_TIMEOUT``), and
    ``HistoryError`` when the file cannot be used.
    """
    wait = BUSY_TIMEOUT if timeout is None else timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=wait, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(path, f"cannot open the history database: {exc}") from exc
    try:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _locked(exc):
                raise HistoryLocked(path) from exc
            raise
        try:
            _ensure_schema(db, path)
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as exc:
        if _locked(exc):
            raise HistoryLocked(path) from exc
        raise HistoryError(path, f"history database error: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise HistoryError(path, f"not a usable history database: {exc}") from exc
    finally:
        db.close()


def _ensure_schema(db: sqlite3.Connection, path: Path) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "meta" not in tables:
        raise HistoryError(path, "not a ClauseWatch history database (it has other tables)")
    row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() if tables else None
    if row is not None and row[0] not in ("1", "2", "3", SCHEMA_VERSION):
        raise HistoryError(
            path, f"history schema version {row[0]}; this ClauseWatch reads {SCHEMA_VERSION}"
        )
    for statement in _SCHEMA:
        db.execute(statement)
    if row is not None and row[0] != SCHEMA_VERSION:  # upgrade in place, in this transaction
        if row[0] == "1":
            for statement in _UPGRADE_1_TO_2:
                db.execute(statement)
        db.execute(  # the runs recorded before, with fingerprints made the old way
            "INSERT OR REPLACE INTO meta (name, value) VALUES"
            " ('legacy_fingerprints', (SELECT COALESCE(MAX(seq), 0) FROM runs))"
        )
        db.execute("UPDATE meta SET value = ? WHERE name = 'schema'", (SCHEMA_VERSION,))
    elif row is None:
        db.execute("INSERT INTO meta (name, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))


def _as_of(db: sqlite3.Connection, seq: int | None) -> str | None:
    if seq is None:
        return None
    row = db.execute("SELECT as_of FROM runs WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else str(row[0])


def _replay(db: sqlite3.Connection, seq: int, baseline: int | None, adhoc: bool) -> Outcome:
    rows = db.execute("SELECT change FROM findings WHERE run = ? ORDER BY pos", (seq,))
    marks = [r[0] for r in rows]
    rows = db.execute(
        "SELECT resolution, doc, why FROM resolved WHERE run = ? ORDER BY pos", (seq,)
    )
    resolved = []
    for resolution, doc, words in rows:
        finding = json.loads(doc)
        resolved.append(Resolved(resolution, finding, words or why(resolution, finding)))
    changes = Changes(tuple(marks), tuple(resolved))
    return Outcome(seq, False, baseline, _as_of(db, baseline), changes, adhoc)


def _baseline(db: sqlite3.Connection, contracts: str, as_of: str) -> tuple[int, str] | None:
    """The nightly run with the latest as-of on or before ``as_of`` (the highest number)."""
    row = db.execute(
        "SELECT seq, as_of FROM runs WHERE contracts = ? AND as_of <= ? AND adhoc = 0"
        " ORDER BY as_of DESC, seq DESC LIMIT 1",
        (contracts, as_of),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _identical(
    db: sqlite3.Connection, run: Run, contracts: str, print_: str
) -> tuple[int, int | None, int] | None:
    """The run recorded with ``run``'s fingerprint (seq, baseline, adhoc), or None; among
    the runs of a version 3 database with its contracts and as-of, by the old fingerprint
    (the run found is given the new one: found at once the next time)."""
    find = "SELECT seq, baseline, adhoc FROM runs WHERE fingerprint = ?"
    same = db.execute(find, (print_,)).fetchone()
    legacy = db.execute("SELECT value FROM meta WHERE name = 'legacy_fingerprints'").fetchone()
    if same is None and legacy is not None and int(legacy[0]) > 0:
        older = db.execute(
            "SELECT 1 FROM runs WHERE contracts = ? AND as_of = ? AND seq <= ? LIMIT 1",
            (contracts, run.as_of, int(legacy[0])),
        ).fetchone()
        if older is not None:
            old = legacy_fingerprint(run.contracts, run.as_of, run.inputs, run.findings)
            same = db.execute(find, (old,)).fetchone()
            if same is not None:
                db.execute("UPDATE runs SET fingerprint = ? WHERE seq = ?", (print_, same[0]))
    return same


def _record(db: sqlite3.Connection, run: Run, test_pause: str | None) -> Outcome:
    contracts = json.dumps(sorted(run.contracts))
    print_ = fingerprint(run.contracts, run.as_of, run.inputs, run.findings)
    same = _identical(db, run, contracts, print_)
    if same is not None:
        return _replay(db, same[0], same[1], bool(same[2]))
    latest = db.execute("SELECT MAX(as_of) FROM runs WHERE contracts = ?", (contracts,))
    latest_as_of = latest.fetchone()[0]
    adhoc = latest_as_of is not None and run.as_of < latest_as_of
    last = _baseline(db, contracts, run.as_of)
    previous: list[dict[str, Any]] | None = None
    if last is not None:
        rows = db.execute("SELECT doc FROM findings WHERE run = ? ORDER BY pos", (last[0],))
        previous = [json.loads(r[0]) for r in rows]
    changes = compare(previous, run.findings, run.as_of)
    seq = db.execute(
        "INSERT INTO runs (contracts, as_of, fingerprint, baseline, inputs, findings,"
        " recorded_at, adhoc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            contracts,
            run.as_of,
            print_,
            None if last is None else last[0],
            json.dumps(run.inputs, ensure_ascii=False),
            len(run.findings),
            run.recorded_at,
            int(adhoc),
        ),
    ).lastrowid
    assert seq is not None
    _insert_findings(db, seq, run.findings, changes.marks, test_pause)
    if not adhoc:
        memo.save(db, run.contracts, run.memo)
    db.executemany(
        "INSERT INTO resolved (run, pos, resolution, doc, why) VALUES (?, ?, ?, ?, ?)",
        [
            (seq, i, r.resolution, json.dumps(r.finding, ensure_ascii=False), r.why)
            for i, r in enumerate(changes.resolved)
        ],
    )
    baseline, baseline_as_of = last if last is not None else (None, None)
    return Outcome(
        seq, True, baseline, baseline_as_of, changes, adhoc, latest_as_of if adhoc else None
    )


def _insert_findings(
    db: sqlite3.Connection,
    seq: int,
    findings: Sequence[FindingDoc],
    marks: Sequence[str],
    test_pause: str | None,
) -> None:
    rows = [
        (
            seq,
            i,
            f["contract"],
            f["rule"],
            f.get("key"),
            f["status"],
            f.get("cured"),
            mark,
            doc_text(f, f.get("amount")),
        )
        for i, (f, mark) in enumerate(zip(findings, marks, strict=True))
    ]
    half = len(rows) // 2
    insert = (
        "INSERT INTO findings (run, pos, contract, rule, key, status, cured, change, doc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    db.executemany(insert, rows[:half])
    if test_pause:
        seconds, _, marker = test_pause.partition(":")
        if marker:
            Path(marker).write_text("mid-write\n", encoding="utf-8")
        time.sleep(float(seconds))
    db.executemany(insert, rows[half:])
