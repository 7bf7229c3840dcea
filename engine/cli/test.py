"""``clausewatch test``: run the rule unit tests (YAML files beside the rules)."""

from __future__ import annotations

import argparse
import os
import re
import sys

from engine.cli.common import EXIT_BREACH, fail
from engine.cli.options import paragraph
from engine.diagnostics import Diagnostic, Location
from engine.ruletests.run import run_rule_tests

DEFAULT = "rules/tests"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "test",
        help="run rule unit tests: facts, as-of dates and the findings expected",
        description=paragraph(
            "Run the rule unit tests (YAML files beside the rules: facts, as-of dates and "
            "the findings expected); print a line per test, then `N passed, M failed`."
        ),
        epilog="exit status:\n  0  every test passed\n  1  a test failed, or no test ran\n"
        "  2  a malformed test file (path:line:col: message on standard error)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"test file (.yaml) or folder, searched recursively (default {DEFAULT})",
    )
    parser.add_argument(
        "--run",
        metavar="REGEX",
        help="run only the tests whose id `path::name` this regular expression matches",
    )


def run(args: argparse.Namespace) -> int:
    """Run the tests; exit 0, 1 (a failure, or no test ran) or 2 (bad test file)."""
    select = None
    if args.run is not None:
        try:
            select = re.compile(args.run)
        except re.error as exc:
            return fail([Diagnostic(Location("--run"), f"not a regular expression: {exc}")])
    paths = args.paths
    if not paths:
        paths = [DEFAULT] if os.path.isdir(DEFAULT) else []
    if not paths:
        print(f"error: no tests ran: no folder {DEFAULT} (give PATH)", file=sys.stderr)
        print("0 passed, 0 failed")
        return EXIT_BREACH  # the status of a failed test run too
    return run_rule_tests(paths, select, sys.stdout, sys.stderr)
