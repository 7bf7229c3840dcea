"""``clausewatch check``: evaluate rules against facts at an as-of date.

With a run history (``--history [PATH]`` or ``CLAUSEWATCH_HISTORY``; see
``engine.history.compare``), each run is recorded and its findings are marked new or known
against the last run, with what was resolved since. Without one, nothing is written and
the output is unchanged. Filters (``--contract`` ...) choose what is shown and what the
exit status counts; the run history always records every finding.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from engine.cli.common import (
    EXIT_BREACH,
    EXIT_INPUT,
    EXIT_OK,
    Inputs,
    add_input_arguments,
    fail,
    finish,
    load_and_evaluate_delta,
)
from engine.cli.options import add_filter_arguments, add_history_arguments, paragraph, selection_of
from engine.collector import collector_paused
from engine.diagnostics import Diagnostic, Location, printable
from engine.evaluate import Delta
from engine.history.compare import NEW, Changes, Settings, file_digests, history_doc, settings
from engine.history.memo import load as load_memo
from engine.history.report import csv_marked_pieces, json_report_marked, text_marked_pieces
from engine.history.store import HistoryError, Outcome, Run, record
from engine.load.fact_files import fact_paths
from engine.model import Result
from engine.output.report import json_report, text_pieces
from engine.output.select import Selection, fields_of
from engine.output.spreadsheet import csv_pieces

EXIT_CODES = """\
exit status:
  0  no breach among the findings shown (with --fail-on-new: no new breach)
  1  at least one finding shown is breached (with --fail-on-new: a breach the last run
     did not report)
  2  bad usage or bad input: every problem on standard error as path:line[:col]: message;
     or the history database locked by another run, or unusable"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "check",
        help="evaluate rules against facts at an as-of date",
        description=paragraph(
            "Evaluate the rules against the facts as of the end of the as-of day "
            "and print the findings: a summary (counts by status; per contract its breaches "
            "and next deadline), then one block per finding."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="text (default): the table a person reads; json: the document of "
        "interfaces.md; csv: one row per finding for a spreadsheet (columns in the README)",
    )
    add_filter_arguments(parser)
    add_history_arguments(
        parser, "record the run in a history database and mark each finding new or known"
    )
    parser.add_argument(
        "--only-new",
        action="store_true",
        help="list only the new findings and the resolved ones (needs a run history)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="with a run history: evaluate every instance, taking none from the last "
        "nightly run (by default an instance whose inputs are unchanged and whose findings "
        "still stand is not evaluated again; the output is the same either way)",
    )
    parser.add_argument(
        "--fail-on-new",
        action="store_true",
        help="exit 1 only for a breach that is new since the last run (needs a run history)",
    )


def _record(inputs: Inputs, delta: Delta, args: argparse.Namespace, opts: Settings) -> Outcome:
    """Record the run in the history database; raises HistoryError."""
    assert opts.path is not None
    result = delta.result
    try:
        files = {
            "rules": file_digests(c.path for c in inputs.contracts if c.path),
            "facts": file_digests(fact_paths(args.facts or ["facts"])),
        }
    except OSError as exc:
        raise HistoryError(opts.path, f"cannot digest an input file: {exc}") from exc
    run = Run(
        contracts=tuple(sorted({c.id for c in inputs.contracts})),
        as_of=result.as_of.isoformat(),
        inputs=files,
        findings=[history_doc(f) for f in result.findings],
        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),  # clock-ok: CLI only
        memo=delta.entries,
    )
    return record(opts.path, run, test_pause=opts.test_pause)


def _selected(result: Result, history: Outcome, selection: Selection) -> tuple[Result, Outcome]:
    """The findings the filters choose, with their marks and the resolved ones they choose."""
    if not selection.active:
        return result, history
    pairs = zip(result.findings, history.changes.marks, strict=True)
    kept = [(f, m) for f, m in pairs if selection.matches(fields_of(f))]
    resolved = tuple(r for r in history.changes.resolved if selection.matches(r.finding))
    changes = Changes(tuple(m for _, m in kept), resolved)
    shown = dataclasses.replace(result, findings=tuple(f for f, _ in kept))
    return shown, dataclasses.replace(history, changes=changes)


def _terminal(args: argparse.Namespace) -> bool:
    """Whether progress is shown: standard error is a terminal and not ``--quiet``."""
    return not args.quiet and sys.stderr.isatty()


def _print(pieces: Iterable[str]) -> None:
    """A report written piece by piece (never joined: it can be hundreds of MB), ending
    with a line break."""
    last = ""
    for piece in pieces:
        sys.stdout.write(piece)
        last = piece or last
    if not last.endswith("\n"):
        sys.stdout.write("\n")


def run(args: argparse.Namespace) -> int:
    """Every problem with the arguments and inputs (exit 2), or the findings (exit 0/1)."""
    opts = settings(args.history, args.no_history, args.only_new, args.fail_on_new, os.environ)
    problems = [Diagnostic(Location(flag), message) for flag, message in opts.problems]
    path = opts.path
    outcome = load_and_evaluate_delta(
        args,
        (lambda inputs: load_memo(path, inputs.contracts, not args.full)) if path else None,
        traces=args.format == "json" or path is not None,  # text and CSV print none
    )
    if isinstance(outcome, list) or problems:
        return fail([*problems, *(outcome if isinstance(outcome, list) else [])])
    inputs, delta = outcome
    result = delta.result
    if path is not None and (getattr(args, "debug", False) or _terminal(args)):
        total = delta.evaluated + delta.reused
        print(
            f"run history: {delta.evaluated:,} of {total:,} instances evaluated, "
            f"{delta.reused:,} unchanged taken from the last nightly run",
            file=sys.stderr,
        )
    selection, bad = selection_of(args, inputs.contracts)
    if bad:
        return fail([*bad, *inputs.problems, *result.problems])
    if opts.path is None or inputs.problems or result.unchecked:
        shown = selection.result(result)
        renderers = {
            "json": json_report,  # in pieces: a report can be hundreds of MB
            "csv": lambda r: csv_pieces(r.findings),  # in pieces, as JSON
            "text": text_pieces,  # in pieces, as JSON
        }
        with collector_paused():  # rendering keeps nothing: no collection is worth its walk
            _print(renderers[args.format](shown))
        if opts.path is not None:
            print("run history not recorded: some contracts could not be checked", file=sys.stderr)
        return finish(inputs, result, EXIT_BREACH if shown.breached else EXIT_OK)
    try:
        history = _record(inputs, delta, args, opts)
    except HistoryError as exc:
        print(printable(str(exc)), file=sys.stderr)
        return EXIT_INPUT
    shown, history = _selected(result, history, selection)
    with collector_paused():  # as above
        if args.format == "json":  # in pieces, as above
            _print(json_report_marked(shown, history, opts.path, opts.only_new))
        elif args.format == "csv":
            _print(csv_marked_pieces(shown, history, opts.path, opts.only_new))
        else:
            pieces = text_marked_pieces(shown, history, opts.path, opts.only_new)
            # printable escapes one character at a time: piece by piece as on the whole
            _print(printable(piece, keep="\n") for piece in pieces)
    if opts.fail_on_new:
        pairs = zip(shown.findings, history.changes.marks, strict=True)
        new_breach = any(m == NEW and f.status.value == "breached" for f, m in pairs)
        return EXIT_BREACH if new_breach else EXIT_OK
    return EXIT_BREACH if shown.breached else EXIT_OK
