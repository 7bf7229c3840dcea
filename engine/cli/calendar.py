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
from datetime import UTC, datetime, timedelta

from engine.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    Inputs,
    add_input_arguments,
    fail,
    finish,
    load_and_evaluate,
)
from engine.cli.options import add_filter_arguments, add_history_arguments, paragraph, selection_of
from engine.diagnostics import Diagnostic, Location, shorten
from engine.history.compare import settings
from engine.history.sent import publish_with_history
from engine.history.store import HistoryError
from engine.output.ics import DEFAULT_REMINDERS, offset_text, parse_offset, publish
from engine.output.ics_updates import Published, Sent
from engine.output.select import Selection

EXIT_CODES = """\
exit status:
  0  the calendar was written (whatever the findings: a calendar is not a verdict)
  2  bad usage or bad input: every problem on standard error as path:line[:col]: message;
     the file --out cannot be written; or the history database locked or unusable"""

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
        description=paragraph(
            "Write every open deadline with a known due date as an RFC 5545 "
            "calendar: a 15-minute event ending at a deadline with a time of day, an all-day "
            "event for a deadline that runs to the end of a day. Event UIDs are stable, so "
            "importing a newer file updates the events; DTSTAMP is the time of the run. "
            "Deadlines only: a prohibition's window end is not one."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--out", metavar="FILE.ics", help="write the calendar here (default: standard output)"
    )
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
    add_filter_arguments(parser)
    add_history_arguments(
        parser,
        "remember what this calendar sent in the run history: a changed deadline is sent "
        "with a higher SEQUENCE, one met or gone as STATUS:CANCELLED",
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
    outcome = load_and_evaluate(args, traces=False)  # an event says no trace
    if isinstance(outcome, list):
        return fail(outcome)
    inputs, result = outcome
    selection, bad = selection_of(args, inputs.contracts)
    if bad:
        return fail([*bad, *inputs.problems, *result.problems])
    findings = selection.findings(result.scheduled)
    now = datetime.now(UTC).replace(microsecond=0)  # clock-ok: DTSTAMP, the run's time
    path = settings(args.history, args.no_history, False, False, os.environ).path

    def make(previous: dict[str, Sent]) -> Published:
        return publish(
            findings,
            inputs.contracts,
            inputs.as_of,
            now,
            reminders=args.remind or DEFAULT_REMINDERS,
            include_past=args.include_past,
            previous=previous,
        )

    if path is not None and (inputs.problems or result.unchecked):
        # the events of the instances not checked would look gone and be cancelled
        print("calendar history not used: some contracts could not be checked", file=sys.stderr)
        path = None
    if path is None:
        data = make({}).data
    else:
        try:
            data = publish_with_history(
                path,
                _calendar_name(inputs, selection, args),
                inputs.as_of.isoformat(),
                now.isoformat(),
                make,
            ).data
        except HistoryError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_INPUT
    problems = write(data, args.out)
    return fail(problems) if problems else finish(inputs, result, EXIT_OK)


def _calendar_name(inputs: Inputs, selection: Selection, args: argparse.Namespace) -> str:
    """What selects the calendar's events: its memory in the run history is kept by it."""
    name = {
        "contracts": sorted({c.id for c in inputs.contracts}),
        "filters": selection.to_json(),
        "include_past": bool(args.include_past),
    }
    return json.dumps(name, sort_keys=True)
