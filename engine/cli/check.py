"""``clausewatch check``: evaluate rules against facts at an as-of date."""

from __future__ import annotations

import argparse

from engine.cli.common import EXIT_BREACH, EXIT_OK, add_input_arguments, fail, load_and_evaluate
from engine.report import to_json, to_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser("check", help="evaluate rules against facts at an as-of date")
    add_input_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    """Every problem with the arguments and inputs (exit 2), or the findings (exit 0/1)."""
    outcome = load_and_evaluate(args)
    if isinstance(outcome, list):
        return fail(outcome)
    _, result = outcome
    print(to_json(result) if args.format == "json" else to_text(result))
    return EXIT_BREACH if result.breached else EXIT_OK
