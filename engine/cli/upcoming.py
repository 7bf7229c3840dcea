"""``clausewatch upcoming``: the open deadlines of the next N days, and the undated ones.

Exit status 0 whatever the findings, 2 on bad usage or input.
"""

from __future__ import annotations

import argparse

from engine.cli.common import EXIT_OK, add_input_arguments, fail, load_and_evaluate
from engine.diagnostics import shorten
from engine.output.upcoming import DEFAULT_DAYS, to_json, to_text, upcoming

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
        description="List the open deadlines due from the as-of day through the as-of day "
        "plus N days, both included, sorted by due; then the open findings whose due date "
        "is not yet known. Exit status 0 (2 on bad input).",
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
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    """Every problem with the arguments and inputs (exit 2), or the deadlines (exit 0)."""
    outcome = load_and_evaluate(args)
    if isinstance(outcome, list):
        return fail(outcome)
    inputs, result = outcome
    up = upcoming(result.findings, inputs.as_of, args.days)
    if args.format == "json":
        print(to_json(up))
    else:
        zones = {i.id: c.time_zone for c in inputs.contracts for i in c.instances}
        print(to_text(up, zones=zones))
    return EXIT_OK
