"""``clausewatch check``: evaluate rules against facts at an as-of date.

With a run history (``--history [PATH]`` or ``CLAUSEWATCH_HISTORY``; see
``engine.history.compare``), each run is recorded and its findings are marked new or known
against the last run, with what was resolved since. Without one, nothing is written and
the output is unchanged.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from engine.cli.common import (
    EXIT_BREACH,
    EXIT_INPUT,
    EXIT_OK,
    Inputs,
    add_input_arguments,
    fail,
    load_and_evaluate,
)
from engine.diagnostics import Diagnostic, Location, printable
from engine.history.compare import DEFAULT_PATH, ENV_PATH, NEW, Settings, file_digests, settings
from engine.history.report import to_json_marked, to_text_marked
from engine.history.store import HistoryError, Outcome, Run, record
from engine.load.fact_files import fact_paths
from engine.model import Result
from engine.output.report import finding_json, to_json, to_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser("check", help="evaluate rules against facts at an as-of date")
    add_input_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--history",
        nargs="?",
        const="",
        metavar="PATH",
        help=f"record the run in a history database and mark findings new/known "
        f"(default PATH {DEFAULT_PATH}; also set by {ENV_PATH})",
    )
    where.add_argument(
        "--no-history", action="store_true", help=f"record nothing, even if {ENV_PATH} is set"
    )
    parser.add_argument(
        "--only-new", action="store_true", help="list only new findings and resolved ones"
    )
    parser.add_argument(
        "--fail-on-new", action="store_true", help="exit 1 only for a breach that is new"
    )


def _record(inputs: Inputs, result: Result, args: argparse.Namespace, opts: Settings) -> Outcome:
    """Record the run in the history database; raises HistoryError."""
    assert opts.path is not None
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
        findings=[finding_json(f) for f in result.findings],
        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),  # clock-ok: CLI only
    )
    return record(opts.path, run, test_pause=opts.test_pause)


def run(args: argparse.Namespace) -> int:
    """Every problem with the arguments and inputs (exit 2), or the findings (exit 0/1)."""
    opts = settings(args.history, args.no_history, args.only_new, args.fail_on_new, os.environ)
    problems = [Diagnostic(Location(flag), message) for flag, message in opts.problems]
    outcome = load_and_evaluate(args)
    if isinstance(outcome, list) or problems:
        return fail([*problems, *(outcome if isinstance(outcome, list) else [])])
    inputs, result = outcome
    if opts.path is None:
        print(to_json(result) if args.format == "json" else to_text(result))
        return EXIT_BREACH if result.breached else EXIT_OK
    try:
        history = _record(inputs, result, args, opts)
    except HistoryError as exc:
        print(printable(str(exc)), file=sys.stderr)
        return EXIT_INPUT
    render = to_json_marked if args.format == "json" else to_text_marked
    print(printable(render(result, history, opts.path, opts.only_new), keep="\n"))
    marks = history.changes.marks
    if opts.fail_on_new:
        pairs = zip(result.findings, marks, strict=True)
        new_breach = any(m == NEW and f.status.value == "breached" for f, m in pairs)
        return EXIT_BREACH if new_breach else EXIT_OK
    return EXIT_BREACH if result.breached else EXIT_OK
