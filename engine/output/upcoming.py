"""What is due next (``clausewatch upcoming``): the open deadlines of a window of days.

Deadlines only: the dates by which a party must act (deadlines, and rights that lapse).
A prohibition is not a deadline: the last day of its window is when a duty to refrain
ends, and one in force with no end date is not "due" on any day, so neither is listed.

The window runs from the as-of day through the as-of day plus N days, both included. A
deadline's day is its calendar date in the contract's time zone (the date part of ``due``,
which carries the contract's own offset). An end-of-day deadline on the as-of day is still
open (the check is made at the end of that day) and is listed as due today; a deadline at a
time of day on the as-of day has passed by then and so is never open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.diagnostics import printable
from engine.findings.make import sort_key
from engine.model import Finding, Status
from engine.output.deadlines import is_deadline
from engine.output.jsontext import json_text
from engine.output.report import finding_json
from engine.output.wrap import wrap

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Upcoming:
    """The open deadlines due from ``as_of`` through ``through``, and those with no due yet."""

    as_of: date
    days: int
    through: date
    deadlines: tuple[Finding, ...]
    undated: tuple[Finding, ...]


def due_day(f: Finding) -> date:
    """The calendar date of a finding's due, in its contract's time zone."""
    if f.due is None:
        raise ValueError(f"{f.contract}/{f.rule}: no due date")
    return date.fromisoformat(f.due[:10])


def upcoming(findings: Iterable[Finding], as_of: date, days: int = DEFAULT_DAYS) -> Upcoming:
    """The open findings due from ``as_of`` through ``as_of + days`` (inclusive), by due."""
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    through = as_of + timedelta(days=days)
    open_ = [f for f in findings if f.status is Status.OPEN and is_deadline(f)]
    due = [f for f in open_ if f.due is not None and as_of <= due_day(f) <= through]
    undated = [f for f in open_ if f.due is None]
    return Upcoming(
        as_of,
        days,
        through,
        tuple(sorted(due, key=sort_key)),
        tuple(sorted(undated, key=sort_key)),
    )


def to_json(up: Upcoming) -> str:
    """``{"as_of", "days", "through", "deadlines": [...], "undated": [...]}``."""
    doc: dict[str, Any] = {
        "as_of": up.as_of.isoformat(),
        "days": up.days,
        "through": up.through.isoformat(),
        "deadlines": [finding_json(f) for f in up.deadlines],
        "undated": [finding_json(f) for f in up.undated],
    }
    return json_text(doc)


def due_text(f: Finding, tz: str = "America/New_York") -> str:
    """``2000-04-05 17:00 EDT`` for a deadline at a time of day, ``2000-04-05 end of day``."""
    if f.due is None:
        return "(not yet known)"
    if len(f.due) == 10:
        return f"{f.due} end of day"
    local = datetime.fromisoformat(f.due)
    try:
        local = local.astimezone(ZoneInfo(tz))
        zone = local.tzname() or ""
    except (KeyError, ValueError):
        zone = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def _in(days: int) -> str:
    return "today" if days == 0 else f"{days} day" + ("s" if days > 1 else "")


def _body(f: Finding, width: int) -> list[str]:
    indent = " " * 4
    lines = wrap(f"{f.title or f.rule} [{f.section}]", width, indent)
    text = f"{f.message} Facts: {', '.join(f.facts) or '-'}."
    return lines + wrap(text, width, " " * 6)


def to_text(up: Upcoming, width: int = 100, zones: dict[str, str] | None = None) -> str:
    """A table a person reads: one block per deadline, then the undated open findings.

    ``zones`` maps a contract instance id to its time zone, for the zone names shown
    (default New York).
    """
    zones = zones or {}
    head = [
        f"ClauseWatch upcoming as of {up.as_of} (end of day)",
        f"Open deadlines due from {up.as_of:%a %Y-%m-%d} through {up.through:%a %Y-%m-%d} "
        f"(the next {up.days} day{'s' if up.days != 1 else ''})",
    ]
    lines = [*head, ""]
    header = f"{'DUE':<21} {'DAY':<3} {'IN':<8} {'RULE':<30} {'KEY':<12} CONTRACT"
    if up.deadlines:
        lines += [header, "-" * len(header)]
    else:
        lines.append("No open deadlines in this window.")
    for f in up.deadlines:
        day = due_day(f)
        shown = due_text(f, zones.get(f.contract, "America/New_York"))
        lines.append(
            f"{shown:<21} {day:%a} {_in((day - up.as_of).days):<8} {f.rule:<30} "
            f"{(f.key or '-'):<12} {f.contract}"
        )
        lines += _body(f, width)
    if up.undated:
        lines += ["", "Due date not yet known (it depends on a fact still to come):", ""]
        for f in up.undated:
            lines.append(
                f"{'(not yet known)':<21} {'':<3} {'':<8} {f.rule:<30} "
                f"{(f.key or '-'):<12} {f.contract}"
            )
            lines += _body(f, width)
    n, m = len(up.deadlines), len(up.undated)
    lines += [
        "",
        f"{n} open deadline{'s' if n != 1 else ''} from {up.as_of} through {up.through}; "
        f"{m} open with no due date.",
    ]
    return "\n".join(map(printable, lines))  # text from facts never reaches a terminal raw
