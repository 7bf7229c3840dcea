"""``clausewatch calendar``: the open deadlines as an iCalendar (.ics) file.

Exit status 0 whatever the findings (a calendar is not a compliance verdict), 2 on bad
usage or input. The file is built by :func:`engine.output.ics.to_ics`; this module wires the
arguments and writes it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from engine.cli.common import EXIT_OK, add_input_arguments, fail, load_and_evaluate
from engine.diagnostics import Diagnostic, Location, shorten
from engine.output.ics import DEFAULT_REMINDERS, offset_text, parse_offset, to_ics

MAX_REMINDER = timedelta(days=366)  # a reminder at most a year before the deadline


def _offset(text: str) -> object:
    if len(text) > 20:
        raise argparse.ArgumentTypeError(f"malformed reminder {shorten(text)!r}: too long")
    try:
        offset = parse_offset(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except OverflowError:
        offset = None
    if offset is None or offset > MAX_REMINDER:
        raise argparse.ArgumentTypeError(
            f"reminder {text!r} is too far before the deadline (at most 366 days)"
        )
    return offset


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
    data = to_ics(
        result.findings,
        inputs.contracts,
        inputs.as_of,
        reminders=args.remind or DEFAULT_REMINDERS,
        include_past=args.include_past,
    )
    problems = write(data, args.out)
    return fail(problems) if problems else EXIT_OK
