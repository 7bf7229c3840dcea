"""``clausewatch upcoming``: the open deadlines of the next N days, and the undated ones.

Exit status 0 whatever the findings, 2 on bad usage or input.
"""

from __future__ import annotations

import argparse
import sys

from engine.cli.common import EXIT_OK, add_input_arguments, fail, finish, load_and_evaluate
from engine.cli.options import add_filter_arguments, paragraph, selection_of
from engine.diagnostics import shorten
from engine.output.spreadsheet import to_csv
from engine.output.upcoming import DEFAULT_DAYS, to_json, to_text, upcoming

EXIT_CODES = """\
exit status:
  0  the list was printed (whatever the findings: a list of dates is not a verdict)
  2  bad usage or bad input: every problem on standard error as path:line[:col]: message"""

MAX_DAYS = 36_525  # a hundred years


def _days(text: str) -> int:
    try:
        n = int(text) if len(text) <= 20 else None
    except ValueError:
        n = None
    if n is None:
        shown = shorten(text)
        raise argparse.ArgumentTypeError(f"not a whole number of days: {shown!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"days must be 0 or more, not {n}")
    if n > MAX_DAYS:
        why = f"days must be at most {MAX_DAYS:,} (100 years), not {n:,}"
        raise argparse.ArgumentTypeError(why)
    return n


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "upcoming",
        help="open deadlines due in the next N days",
        description=paragraph(
            "List the open deadlines due from the as-of day through the as-of day "
            "plus N days, both included, sorted by due; then the open deadlines whose due date "
            "is not yet known. Deadlines only: a prohibition (a duty not to act) has none."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--days",
        type=_days,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"the window: from the as-of day through as-of + N days, inclusive "
        f"(default {DEFAULT_DAYS})",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="text (default); json: {as_of, days, through, deadlines, undated}; csv: the "
        "columns of check --format csv, the dated deadlines first",
    )
    add_filter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Every problem with the arguments and inputs (exit 2), or the deadlines (exit 0)."""
    outcome = load_and_evaluate(args, traces=args.format == "json")  # text and CSV: none
    if isinstance(outcome, list):
        return fail(outcome)
    inputs, result = outcome
    selection, bad = selection_of(args, inputs.contracts)
    if bad:
        return fail([*bad, *inputs.problems, *result.problems])
    up = upcoming(selection.findings(result.scheduled), inputs.as_of, args.days)
    if args.format == "json":
        print(to_json(up))
    elif args.format == "csv":
        sys.stdout.write(to_csv([*up.deadlines, *up.undated]))
    else:
        zones = {i.id: c.time_zone for c in inputs.contracts for i in c.instances}
        print(to_text(up, zones=zones))
    return finish(inputs, result, EXIT_OK)
