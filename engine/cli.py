"""Command line: ``clausewatch check|validate``. The only module that knows today's date."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

import pendulum

from engine.diagnostics import Diagnostic, InputError, Location, render
from engine.evaluate import evaluate
from engine.facts import FactReader, read_facts
from engine.instants import InstantError, parse_date
from engine.report import to_json, to_text
from engine.rulefile import load_contracts

EXIT_OK, EXIT_BREACH, EXIT_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clausewatch", description="Check contracts' obligations against dated facts."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="evaluate rules against facts at an as-of date")
    check.add_argument(
        "--rules",
        action="append",
        metavar="PATH",
        help="rule file or folder (repeatable; default rules/)",
    )
    check.add_argument(
        "--facts",
        action="append",
        metavar="PATH",
        help="fact log (.jsonl) or folder (repeatable; default facts/)",
    )
    check.add_argument(
        "--as-of",
        metavar="DATE",
        help="YYYY-MM-DD; the check is made at the end of that day "
        "(default: today in the contract's time zone)",
    )
    check.add_argument("--format", choices=("text", "json"), default="text")
    validate = sub.add_parser("validate", help="check rule files and fact logs, evaluate nothing")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    return parser


def _today(tz: str) -> date:
    """Today in the contract's time zone: the CLI's default as-of date."""
    now = pendulum.now(tz)
    return date(now.year, now.month, now.day)


def _fail(diagnostics: Sequence[Diagnostic]) -> int:
    print(render(diagnostics), file=sys.stderr)
    return EXIT_INPUT


def run_check(args: argparse.Namespace) -> int:
    """``clausewatch check``."""
    try:
        contracts = load_contracts(args.rules or ["rules"])
    except InputError as exc:
        return _fail(exc.diagnostics)
    if not contracts:
        return _fail(
            [Diagnostic(Location(",".join(args.rules or ["rules"])), "no rule files found")]
        )
    try:
        as_of = parse_date(args.as_of) if args.as_of else _today(contracts[0].time_zone)
    except InstantError as exc:
        return _fail([Diagnostic(Location("--as-of"), str(exc))])
    try:
        facts = read_facts(args.facts or ["facts"], contracts)
        result = evaluate(contracts, facts, as_of)
    except InputError as exc:
        return _fail(exc.diagnostics)
    print(to_json(result) if args.format == "json" else to_text(result))
    return EXIT_BREACH if result.breached else EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    """``clausewatch validate``: rule files first, then fact logs against them."""
    rule_paths = [p for p in args.paths if not p.endswith(".jsonl")]
    fact_paths = [p for p in args.paths if p.endswith(".jsonl")]
    problems: list[Diagnostic] = []
    contracts = []
    try:
        contracts = load_contracts(rule_paths or ["rules"])
    except InputError as exc:
        problems += exc.diagnostics
    if fact_paths and contracts:
        reader = FactReader(contracts)
        try:
            reader.read(fact_paths)
        except InputError as exc:
            problems += exc.diagnostics
    if problems:
        return _fail(problems)
    print(f"ok: {len(contracts)} rule file(s), {len(fact_paths)} fact log(s)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_INPUT if exc.code else EXIT_OK
    if args.command == "check":
        return run_check(args)
    return run_validate(args)


if __name__ == "__main__":
    sys.exit(main())
