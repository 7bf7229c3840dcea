"""The deadline calendar: findings as an RFC 5545 iCalendar file (``clausewatch calendar``).

A pure function of its inputs (findings, contracts, the as-of date, the run's time, the
reminder offsets, and what the last run sent): the same inputs give the same bytes, so
nothing here reads the clock or draws a random number.

- One VEVENT per open deadline (deadlines and rights; a prohibition's window end is not a
  deadline). A deadline at a time of day (``17:00``) is a 15-minute event that **ends**
  at the deadline (16:45-17:00 New York time, ``DTSTART;TZID=...``), so that no one reads
  the block as time still available after it; its reminders are relative to the end
  (``TRIGGER;RELATED=END:-P1D``: a day before the deadline itself; a client that ignores
  ``RELATED`` reminds 15 minutes earlier, never later). A deadline that runs to the end
  of a day is an all-day event (``VALUE=DATE``, ``DTEND`` the next day); its reminders
  are relative to the start of that day.
- ``UID`` is a UUID 5 of (contract instance, rule, key) + ``@clausewatch``: re-importing a
  later file updates an event instead of adding a copy. ``DTSTAMP`` is the time of the
  run, which the command line passes in.
- ``SEQUENCE`` and cancellations (``engine.output.ics_updates``): given what the last run
  sent, an event whose dates changed is sent with its ``SEQUENCE`` raised, and an event
  no longer open (met, breached, waived or gone) is sent once more as
  ``STATUS:CANCELLED``, so that imported copies do not keep stale deadlines.
- A ``VTIMEZONE`` is added for every ``TZID`` used (``add_missing_timezones``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from engine.model import Contract, Finding, Instance, Obligation, Status
from engine.output.deadlines import is_deadline
from engine.output.ics_updates import Published, Sent, cancelled_events, sequence_of

DEFAULT_REMINDERS: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
EVENT_LENGTH = timedelta(minutes=15)
PRODID = "-//ClauseWatch//Deadline calendar//EN"
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "clausewatch")

_OFFSET_RE = re.compile(r"(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?")
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def parse_offset(text: str) -> timedelta:
    """A reminder offset: ``7d``, ``1d``, ``2h``, ``30m``, ``1w``, ``1d12h`` (before the due)."""
    m = _OFFSET_RE.fullmatch(text.strip().lower())
    if not m or not any(m.groups()):
        raise ValueError(f"malformed reminder {text!r}: expected e.g. 7d, 1d, 2h, 30m")
    weeks, days, hours, minutes = (int(g or 0) for g in m.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def offset_text(offset: timedelta) -> str:
    """An offset in words: ``7 days``, ``1 day 12 hours``, ``30 minutes``."""
    seconds, parts = int(offset.total_seconds()), []
    for name, size in _UNITS:
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n} {name}{'s' if n > 1 else ''}")
    return " ".join(parts) or "0 minutes"


def event_uid(contract: str, rule: str, key: str | None) -> str:
    """The stable UID of the event of one obligation instance: same inputs, same UID."""
    name = "\x1f".join((contract, rule, "" if key is None else f"k:{key}"))
    return f"{uuid.uuid5(UID_NAMESPACE, name)}@clausewatch"


def citation(contract_title: str, section: str) -> str:
    """How a lawyer cites a section: ``SPA 1(d)`` for a "... Securities Purchase Agreement".

    The initials of the title's last run of capitalised words when it ends in "Agreement"
    and has at least two such words; otherwise ``§ 1(d)``.
    """
    run: list[str] = []
    for word in reversed(contract_title.split()):
        if len(word) < 2 or not word.isalpha() or not word.istitle():
            break
        run.insert(0, word)
    if len(run) >= 2 and run[-1] == "Agreement":
        return f"{''.join(w[0] for w in run)} {section}"
    return f"§ {section}"


def selected(findings: Iterable[Finding], include_past: bool = False) -> list[Finding]:
    """The deadlines the calendar shows: open ones with a due (and, if asked, all with one)."""
    return [
        f
        for f in findings
        if f.due and is_deadline(f) and (include_past or f.status is Status.OPEN)
    ]


def _owner(contracts: Sequence[Contract], instance_id: str) -> tuple[Contract, Instance]:
    for c in contracts:
        for inst in c.instances:
            if inst.id == instance_id:
                return c, inst
    raise KeyError(f"no contract has an instance {instance_id!r}")


_PREFIX = {Status.MET: "Met: ", Status.BREACHED: "BREACHED: ", Status.EXPIRED: "Expired: "}


def summary(f: Finding, contract: Contract, ob: Obligation, several: bool = False) -> str:
    """The event title: ``Buyer: deposit ... (SPA 1(d))``, the status if not open."""
    cite = citation(contract.title, f.section)
    text = f"{_PREFIX.get(f.status, '')}{ob.title or f.title} ({cite})"
    if f.key:
        text += f" [{f.key}]"
    return f"{text} - {f.contract}" if several else text


def _due_words(f: Finding, tz: str) -> str:
    assert f.due is not None
    if len(f.due) == 10:
        return f"the end of {date.fromisoformat(f.due):%a %Y-%m-%d} ({tz} time)"
    local = datetime.fromisoformat(f.due).astimezone(ZoneInfo(tz))
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()} ({tz} time)"


def description(f: Finding, contract: Contract, inst: Instance, ob: Obligation, as_of: date) -> str:
    """The event text: due, status, the finding's message and facts, the clause, the notes."""
    lines = [
        f"{ob.title or f.title}",
        f"{inst.title} ({f.contract}), section {f.section}; party: {f.party}.",
        f"Due: {_due_words(f, contract.time_zone)}.",
        f"Status as of the end of {as_of:%a %Y-%m-%d}: {f.status.value}.",
        "",
        f.message,
        f"Facts: {', '.join(f.facts) or '-'}.",
        "",
        f"Clause (section {f.section}):",
        ob.clause,
    ]
    if ob.notes:
        lines += ["", f"How ClauseWatch reads it: {ob.notes}"]
    lines += ["", f"Rule: {f.rule}" + (f", key {f.key}." if f.key else ".")]
    return "\n".join(lines)


def _alarm(offset: timedelta, title: str, timed: bool) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Due in {offset_text(offset)}: {title}")
    alarm.add("trigger", -offset, parameters={"RELATED": "END"} if timed else {})
    return alarm


def _event(
    f: Finding,
    contracts: Sequence[Contract],
    as_of: date,
    now: datetime,
    reminders: Sequence[timedelta],
    several: bool,
) -> Event:
    assert f.due is not None
    contract, inst = _owner(contracts, f.contract)
    ob = contract.ob(f.rule)
    event = Event()
    event.add("uid", event_uid(f.contract, f.rule, f.key))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", 0)
    title = summary(f, contract, ob, several)
    event.add("summary", title)
    timed = len(f.due) > 10
    if timed:
        end = datetime.fromisoformat(f.due).astimezone(ZoneInfo(contract.time_zone))
        start = (end.astimezone(UTC) - EVENT_LENGTH).astimezone(end.tzinfo)
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        day = date.fromisoformat(f.due)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    event.add("description", description(f, contract, inst, ob, as_of))
    event.add("categories", ["ClauseWatch", f.contract, f.status.value])
    event.add("transp", "TRANSPARENT")
    if f.status is Status.OPEN:
        for offset in sorted(set(reminders), reverse=True):
            event.add_component(_alarm(offset, title, timed))
    return event


def publish(
    findings: Iterable[Finding],
    contracts: Sequence[Contract],
    as_of: date,
    now: datetime,
    reminders: Sequence[timedelta] = DEFAULT_REMINDERS,
    include_past: bool = False,
    previous: Mapping[str, Sent] | None = None,
) -> Published:
    """The calendar of the findings' deadlines, and what it sent for the next run.

    Open deadlines with a due date (with ``include_past``, also met, breached and expired
    ones; they carry their status in the title and no reminders), in the order given;
    ``now`` (an aware datetime: the run's time) is every event's ``DTSTAMP``. With
    ``previous`` (what the last run sent), sequences are raised for changed dates and
    the events no longer open are sent cancelled (``engine.output.ics_updates``).
    """
    findings = list(findings)
    chosen = selected(findings, include_past)
    several = len({f.contract for f in chosen}) > 1
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "ClauseWatch deadlines")
    seen: dict[str, int] = {}
    sent: dict[str, Sent] = {}
    years: list[int] = []
    for f in chosen:
        event = _event(f, contracts, as_of, now, reminders, several)
        uid = str(event["uid"])
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:  # never expected: one finding per instance and key
            uid = uid.replace("@", f"-{seen[uid]}@", 1)
            event["uid"] = uid
        sent[uid] = sequence_of(event, uid, previous or {})
        cal.add_component(event)
        years.append(int(str(f.due)[:4]))
    now_of = {event_uid(f.contract, f.rule, f.key): f for f in findings}
    for uid, event, record in cancelled_events(previous or {}, sent, now_of, as_of, now):
        sent[uid] = record
        cal.add_component(event)
        years.append(int(record.last_day[:4]))
    if years:
        cal.add_missing_timezones(date(min(years), 1, 1), date(max(years) + 1, 1, 1))
    return Published(cal.to_ical(), sent)


def to_ics(
    findings: Iterable[Finding],
    contracts: Sequence[Contract],
    as_of: date,
    reminders: Sequence[timedelta] = DEFAULT_REMINDERS,
    include_past: bool = False,
    *,
    now: datetime,
) -> bytes:
    """The calendar of the findings' deadlines, as iCalendar bytes (CRLF lines, UTF-8),
    with no memory of an earlier run (every ``SEQUENCE`` 0, nothing cancelled)."""
    return publish(findings, contracts, as_of, now, reminders, include_past).data
