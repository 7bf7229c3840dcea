"""How a deadline calendar updates the copies imported from the last one: SEQUENCE, cancels.

A calendar client keeps an imported event by its ``UID`` and replaces it with a copy whose
``SEQUENCE`` is higher. So, given what the last run sent (the run history keeps it):

- An event sent before with the same dates (``DTSTART``, ``DTEND``) keeps its
  ``SEQUENCE``; one whose dates changed (an amendment, a notice deemed given later), or
  that was closed and is open again, is sent with ``SEQUENCE`` one higher.
- An event of the last run that this run does not list any more is sent once more, with
  ``SEQUENCE`` one higher and no reminders:

  - met, waived, or no longer reported (its facts corrected, its due date no longer
    known): ``STATUS:CANCELLED``, titled "Cancelled: ...", its description saying why;
  - breached or expired: kept (it did fall due), titled "BREACHED: ..." or "Expired: ...".

  Such a closed event is sent again, unchanged but for ``DTSTAMP``, by every later run
  until the as-of date passes its day; then it is forgotten.

Pure: the run's time (``DTSTAMP``) and the last run's events are passed in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from icalendar import Event

from engine.model import Finding, Status

OPEN, CANCELLED, CLOSED = "open", "cancelled", "closed"
_CLOSED_TITLE = {Status.BREACHED: "BREACHED: ", Status.EXPIRED: "Expired: "}


@dataclass(frozen=True)
class Sent:
    """One event as a run sent it: what the next run needs to update it."""

    uid: str
    sequence: int
    dates: str  # DTSTART and DTEND as sent: a change raises the sequence
    state: str  # open | cancelled | closed (breached or expired, sent with its status)
    last_day: str  # YYYY-MM-DD, the event's day: a closed event is re-sent until it passes
    event: str  # the VEVENT as sent (iCalendar text)


@dataclass(frozen=True)
class Published:
    """A calendar file and the events it sent."""

    data: bytes
    sent: dict[str, Sent]


def _dates(event: Event) -> str:
    parts = []
    for name in ("DTSTART", "DTEND"):
        prop = event[name]
        zone = prop.params.get("TZID", "")
        parts.append(f"{zone}:{prop.to_ical().decode()}")
    return "/".join(parts)


def _last_day(event: Event) -> str:
    start = event["DTSTART"].dt
    if isinstance(start, datetime):
        return event["DTEND"].dt.date().isoformat()
    assert isinstance(start, date)
    return start.isoformat()


def _set(event: Event, name: str, value: object) -> None:
    event.pop(name, None)
    event.add(name, value)


def sequence_of(event: Event, uid: str, previous: Mapping[str, Sent]) -> Sent:
    """Give an open event its ``SEQUENCE`` against the last run's; what it sends."""
    dates = _dates(event)
    old = previous.get(uid)
    sequence = 0
    if old is not None:
        sequence = old.sequence + (0 if old.state == OPEN and old.dates == dates else 1)
    _set(event, "sequence", sequence)
    return Sent(uid, sequence, dates, OPEN, _last_day(event), event.to_ical().decode())


def _why(f: Finding | None, as_of: date) -> str:
    """Why an event is no longer listed as an open deadline, in words."""
    end = f"the end of {as_of:%a %Y-%m-%d}"
    if f is None:
        return f"No longer reported as of {end} (its facts or rules changed)."
    if f.status is Status.OPEN:
        return f"Its due date is no longer known as of {end}."
    return f"No longer open as of {end}: {f.status.value}."


def _close(old: Sent, f: Finding | None, as_of: date, now: datetime) -> tuple[Event, Sent]:
    """The last run's open event, sent once more: cancelled, or with its final status."""
    event = Event.from_ical(old.event)
    event.subcomponents = []  # no reminders
    prefix = _CLOSED_TITLE.get(f.status) if f is not None else None
    state = CLOSED if prefix else CANCELLED
    _set(event, "summary", f"{prefix or 'Cancelled: '}{event['SUMMARY']}")
    _set(event, "description", f"{_why(f, as_of)}\n\n{event['DESCRIPTION']}")
    if state == CANCELLED:
        _set(event, "status", "CANCELLED")
    _set(event, "sequence", old.sequence + 1)
    _set(event, "dtstamp", now.astimezone(UTC))
    sent = Sent(old.uid, old.sequence + 1, old.dates, state, old.last_day, "")
    return event, replace(sent, event=event.to_ical().decode())


def cancelled_events(
    previous: Mapping[str, Sent],
    sent: Mapping[str, Sent],
    findings: Mapping[str, Finding],
    as_of: date,
    now: datetime,
) -> Iterator[tuple[str, Event, Sent]]:
    """The last run's events this run does not list, to send closed (by day, then UID).

    ``findings`` maps each UID to this run's finding of it, if any.
    """
    for uid, old in sorted(previous.items(), key=lambda item: (item[1].last_day, item[0])):
        if uid in sent:
            continue
        if old.state == OPEN:
            event, record = _close(old, findings.get(uid), as_of, now)
            yield uid, event, record
        elif as_of.isoformat() <= old.last_day:  # closed before: sent again until its day
            event = Event.from_ical(old.event)
            _set(event, "dtstamp", now.astimezone(UTC))
            yield uid, event, old
