"""The memo of the nightly delta: each instance's findings as the last nightly run made them.

Table ``memo`` of the history database (schema version 3 on, ``engine.history.store``): one
row per set of contracts (``contracts``, as in ``runs``) and instance: the ``digest`` of
its inputs (``engine.run.digest``), the ``as_of`` its findings were made at, their
``horizon`` (``engine.findings.horizon``; null: none) and the findings themselves,
losslessly (every field of ``Finding``, the instant of a due date with its time zone,
amounts as decimal text), as zlib-compressed JSON.

A nightly run (not ad hoc) writes the rows of the instances it evaluated, in the
transaction that records it; the rows of the instances it took from the memo stay (they
stand for tonight too). A row is a pure memo: it is used only for the same digest and an
as-of date from its own to the day before its horizon (``engine.evaluate.Entry.stands``),
so a back-dated run, changed facts, a changed rule file or portfolio row, or another
version of the engine evaluate the instance again, and a row left by any run is never
wrong. ``check --full`` does not read it (and still writes it).

Read with its own short read-only connection, before the run is evaluated; a database
that cannot be read gives an empty memo (a full run), never an error.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pendulum

from engine.evaluate import Entry, EntryUnreadable, Memo
from engine.history.compare import digest
from engine.history.doctext import doc_text
from engine.model import Contract, Finding, Status

TABLE = """CREATE TABLE IF NOT EXISTS memo (
    contracts TEXT NOT NULL,
    instance TEXT NOT NULL,
    digest TEXT NOT NULL,
    as_of TEXT NOT NULL,
    horizon TEXT,
    findings BLOB NOT NULL,
    PRIMARY KEY (contracts, instance))"""


def contracts_key(contracts: Iterable[str]) -> str:
    """The set of contracts of a run, as the ``runs`` table writes it."""
    return json.dumps(sorted(set(contracts)))


def finding_doc(f: Finding) -> list[Any]:
    """A finding as JSON, losslessly (``finding_of`` gives it back equal in every field)."""
    due_at = None
    if f.due_instant is not None:
        due_at = [f.due_instant.isoformat(), f.due_instant.timezone_name]
    return [
        f.contract,
        f.rule,
        f.key,
        f.section,
        f.party,
        f.status.value,
        f.due,
        due_at,
        None if f.amount is None else str(f.amount),
        list(f.facts),
        f.message,
        f.title,
        f.unit,
        f.cured,
        list(f.trace),
        f.template,
        f.kind,
        f.late_payment,
        None if f.listed_from is None else f.listed_from.isoformat(),
    ]


def finding_of(doc: Sequence[Any]) -> Finding:
    """The finding ``finding_doc`` wrote; ``TypeError`` for a value of another type (a row
    damaged: its findings would not be what a run makes, nor print as one's)."""
    (contract, rule, key, section, party, status, due, due_at, amount, facts, message,
     title, unit, cured, trace, template, kind, late_payment, listed_from) = doc  # fmt: skip
    texts = (contract, rule, section, party, status, message, title, unit, template, kind)
    maybe = (key, due, amount, cured, listed_from)
    if not (
        type(facts) is list
        and type(trace) is list
        and all(type(v) is str for v in (*texts, *facts, *trace))
        and all(v is None or type(v) is str for v in maybe)
        and type(late_payment) is bool
        and (due_at is None or (type(due_at) is list and len(due_at) == 2))
    ):
        raise TypeError("a finding of the run history holds a value of another type")
    instant = None if due_at is None else _instant(*due_at)
    return Finding(
        contract,
        rule,
        key,
        section,
        party,
        Status(status),
        due,
        instant,
        None if amount is None else Decimal(amount),
        tuple(facts),
        message,
        title,
        unit,
        cured,
        tuple(trace),
        template,
        kind,
        late_payment,
        None if listed_from is None else date.fromisoformat(listed_from),
    )


@lru_cache(maxsize=1 << 14)
def _instant(text: str, zone: str | None) -> pendulum.DateTime:
    """A due instant as ``finding_doc`` wrote it (memoized: the instances of a template
    share their due dates, about ten findings each, and pendulum's parser takes 45 µs)."""
    parsed = pendulum.parse(text)
    assert isinstance(parsed, pendulum.DateTime)
    return parsed.in_timezone(zone) if zone else parsed


def _pack(findings: Sequence[Finding]) -> bytes:
    text = doc_text([finding_doc(f) for f in findings])  # (no float: amounts as text)
    return zlib.compress(text.encode("utf-8"), 1)


def _unpack(blob: bytes) -> tuple[Finding, ...]:
    return tuple(finding_of(d) for d in json.loads(zlib.decompress(blob).decode("utf-8")))


class Packed(Sequence[Finding]):
    """An entry's findings as stored, decoded when first read: most entries are not
    (their instance received a fact, or reached its horizon, and is evaluated again).
    A row that cannot be decoded raises ``EntryUnreadable`` (the instance is evaluated)."""

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        self._found: tuple[Finding, ...] | None = None

    def _all(self) -> tuple[Finding, ...]:
        if self._found is None:
            try:
                self._found = _unpack(self._blob)
            except (ValueError, TypeError, KeyError, zlib.error) as exc:
                raise EntryUnreadable(str(exc)) from None
            self._blob = b""
        return self._found

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def templates_of(contracts: Sequence[Contract]) -> dict[str, str]:
    """The sha256 of every rule file the contracts were read from, by path."""
    return {c.path: digest(Path(c.path)) for c in {c.path: c for c in contracts if c.path}.values()}


def load(
    path: Path, contracts: Sequence[Contract], read: bool = True, timeout: float = 2.0
) -> Memo | None:
    """The memo for these contracts in the history database at ``path``: empty when there
    is no database yet, when it cannot be read, or when ``read`` is false (``--full``: the
    run evaluates every instance, and its entries are still kept). None when a rule file
    cannot be read (no entries are made)."""
    try:
        templates = templates_of(contracts)
    except OSError:
        return None
    if not read or not path.is_file():
        return Memo({}, templates)
    key = contracts_key(c.id for c in contracts)
    entries: dict[str, Entry] = {}
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
        try:
            rows = db.execute(
                "SELECT instance, digest, as_of, horizon, findings FROM memo WHERE contracts = ?",
                (key,),
            ).fetchall()
        finally:
            db.close()
        for instance, dig, as_of, horizon, blob in rows:
            until = None if horizon is None else date.fromisoformat(horizon)
            entries[instance] = Entry(dig, date.fromisoformat(as_of), until, Packed(blob))
    except (sqlite3.Error, ValueError, TypeError, zlib.error, KeyError):
        return Memo({}, templates)  # no memo (an older schema, a damaged row): a full run
    return Memo(entries, templates)


def save(db: sqlite3.Connection, contracts: Iterable[str], entries: Mapping[str, Entry]) -> None:
    """Keep the entries of the instances a nightly run evaluated (replacing their rows)."""
    key = contracts_key(contracts)
    db.executemany(
        "INSERT OR REPLACE INTO memo (contracts, instance, digest, as_of, horizon, findings)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                key,
                instance,
                e.digest,
                e.as_of.isoformat(),
                None if e.horizon is None else e.horizon.isoformat(),
                _pack(e.findings),
            )
            for instance, e in entries.items()
        ],
    )
