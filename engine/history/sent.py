"""The deadline calendar's memory in the run history: what each calendar sent last.

``clausewatch calendar`` with a run history reads what the same calendar sent last
(``calendar_events``), builds the new file against it (``engine.output.ics.publish``:
sequences raised, events no longer open sent cancelled) and stores what it sent, in one
transaction of the history database (``engine.history.store.transaction``).

A calendar is named by what selects its events (the contracts, the filters, whether past
deadlines are included), so two different calendars kept in one database do not cancel
each other's events. Like a back-dated ``check``, a calendar made as of a date earlier
than the last one made for the same selection is built against it but not stored: it
never becomes what the nightly calendar is compared with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from engine.history.store import transaction
from engine.output.ics_updates import Published, Sent


def _load(db: sqlite3.Connection, calendar: str) -> dict[str, Sent]:
    rows = db.execute(
        "SELECT uid, sequence, dates, state, last_day, event FROM calendar_events"
        " WHERE calendar = ? ORDER BY uid",
        (calendar,),
    )
    return {r[0]: Sent(r[0], int(r[1]), r[2], r[3], r[4], r[5]) for r in rows}


def _save(
    db: sqlite3.Connection, calendar: str, as_of: str, sent_at: str | None, sent: dict[str, Sent]
) -> None:
    db.execute("DELETE FROM calendar_events WHERE calendar = ?", (calendar,))
    db.executemany(
        "INSERT INTO calendar_events (calendar, uid, sequence, dates, state, last_day, event)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (calendar, s.uid, s.sequence, s.dates, s.state, s.last_day, s.event)
            for s in sent.values()
        ],
    )
    db.execute(
        "INSERT INTO calendars (calendar, as_of, sent_at) VALUES (?, ?, ?)"
        " ON CONFLICT (calendar) DO UPDATE SET as_of = excluded.as_of, sent_at = excluded.sent_at",
        (calendar, as_of, sent_at),
    )


def publish_with_history(
    path: Path,
    calendar: str,
    as_of: str,
    sent_at: str | None,
    make: Callable[[dict[str, Sent]], Published],
) -> Published:
    """``make`` the calendar against what ``calendar`` sent last, and remember what it sends.

    Raises ``HistoryError`` (or ``HistoryLocked``) when the database cannot be used.
    """
    with transaction(path) as db:
        previous = _load(db, calendar)
        published = make(previous)
        last = db.execute("SELECT as_of FROM calendars WHERE calendar = ?", (calendar,))
        row = last.fetchone()
        if row is None or as_of >= str(row[0]):
            _save(db, calendar, as_of, sent_at, published.sent)
        return published
