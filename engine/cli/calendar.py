"""``clausewatch calendar``: the open deadlines as an iCalendar (.ics) file.

Exit status 0 whatever the findings (a calendar is not a compliance verdict), 2 on bad
usage or input. The file is built by :func:`engine.output.ics.to_ics`; this module wires the
arguments and writes it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime

from engine.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    Inputs,
    add_input_arguments,
    fail,
    load_and_evaluate,
)
from engine.diagnostics import Diagnostic, Location
from engine.history.compare import DEFAULT_PATH, ENV_PATH, settings
from engine.history.sent import publish_with_history
from engine.history.store import HistoryError
from engine.model import Result
from engine.output.ics import DEFAULT_REMINDERS, offset_text, parse_offset, publish
from engine.output.ics_updates import Published, Sent


def _offset(text: str) -> object:
    try:
        return parse_offset(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    defaults = " and ".join(offset_text(d) for d in DEFAULT_REMINDERS)
    parser = sub.add_parser(
        "calendar",
        help="open deadlines as an iCalendar (.ics) file",
        description="Write every open deadline with a known due date as an RFC 5545 "
        "calendar: a 15-minute event ending at a deadline with a time of day, an all-day "
        "event for a deadline that runs to the end of a day. Event UIDs are stable, so "
        "importing a newer file updates the events. Exit status 0 (2 on bad input).",
    )
    add_input_arguments(parser)
    parser.add_argument("--out", metavar="FILE.ics", help="write here (default: standard output)")
    parser.add_argument(
        "--remind",
        action="append",
        type=_offset,
        metavar="OFFSET",
        help=f"a reminder this long before each deadline: 7d, 1d, 2h, 30m (repeatable; "
        f"default {defaults})",
    )
    parser.add_argument(
        "--include-past",
        action="store_true",
        help="also met, breached and expired findings with a due date (no reminders)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--history",
        nargs="?",
        const="",
        metavar="PATH",
        help=f"remember what this calendar sent in the run history (default PATH "
        f"{DEFAULT_PATH}; also set by {ENV_PATH}): a changed deadline gets a higher SEQUENCE, "
        f"one no longer open is sent as STATUS:CANCELLED",
    )
    where.add_argument(
        "--no-history", action="store_true", help=f"remember nothing, even if {ENV_PATH} is set"
    )


def write(data: bytes, out: str | None) -> list[Diagnostic]:
    """Write ``data`` to the file ``out`` or to standard output; the problem, if any."""
    if out is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text stream (tests capture standard output as text)
            sys.stdout.write(data.decode("utf-8"))
        else:
            sys.stdout.flush()
            buffer.write(data)
            buffer.flush()
        return []
    try:
        with open(out, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        return [Diagnostic(Location(out), f"cannot write the calendar: {exc.strerror or exc}")]
    return []


def run(args: argparse.Namespace) -> int:
    """Every problem with the arguments and inputs (exit 2), or the calendar (exit 0)."""
    outcome = load_and_evaluate(args)
    if isinstance(outcome, list):
        return fail(outcome)
    inputs, result = outcome
    now = datetime.now(UTC).replace(microsecond=0)  # clock-ok: DTSTAMP, the run's time
    path = settings(args.history, args.no_history, False, False, os.environ).path

    def make(previous: dict[str, Sent]) -> Published:
        return publish(
            result.findings,
            inputs.contracts,
            inputs.as_of,
            now,
            reminders=args.remind or DEFAULT_REMINDERS,
            include_past=args.include_past,
            previous=previous,
        )

    if path is None:
        data = make({}).data
    else:
        try:
            data = publish_with_history(
                path,
                _calendar_name(inputs, result, args),
                inputs.as_of.isoformat(),
                now.isoformat(),
                make,
            ).data
        except HistoryError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_INPUT
    problems = write(data, args.out)
    return fail(problems) if problems else EXIT_OK


def _calendar_name(inputs: Inputs, result: Result, args: argparse.Namespace) -> str:
    """What selects the calendar's events: its memory in the run history is kept by it."""
    selection = {
        "contracts": sorted({c.id for c in inputs.contracts}),
        "include_past": bool(args.include_past),
    }
    return json.dumps(selection, sort_keys=True)
