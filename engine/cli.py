"""Command line: ``clausewatch check|validate``. The only module that knows today's date."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pendulum

from engine.diagnostics import Diagnostic, InputError, Location, render
from engine.evaluate import evaluate
from engine.facts import FactReader, read_facts
from engine.facts import fact_paths as fact_files
from engine.instants import InstantError, parse_date
from engine.report import to_json, to_text
from engine.rulefile import load_contracts
from engine.rulefile import rule_paths as rule_files

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


def _as_of(text: str | None) -> tuple[date | None, list[Diagnostic]]:
    """The ``--as-of`` date given (None if not given), or the problem with it."""
    if text is None:
        return None, []
    try:
        return parse_date(text), []
    except InstantError as exc:
        return None, [Diagnostic(Location("--as-of"), str(exc))]


def _no_rules(paths: Sequence[str]) -> Diagnostic:
    return Diagnostic(Location(", ".join(paths)), "no rule files (.yaml, .yml) found")


def run_check(args: argparse.Namespace) -> int:
    """``clausewatch check``: every problem with the arguments and inputs, or the findings."""
    as_of, problems = _as_of(args.as_of)
    try:
        contracts = load_contracts(args.rules or ["rules"])
    except InputError as exc:
        return _fail([*problems, *exc.diagnostics])
    if not contracts:
        return _fail([*problems, _no_rules(args.rules or ["rules"])])
    try:
        facts = read_facts(args.facts or ["facts"], contracts)
    except InputError as exc:
        return _fail([*problems, *exc.diagnostics])
    if problems:
        return _fail(problems)
    try:
        result = evaluate(contracts, facts, as_of or _today(contracts[0].time_zone))
    except InputError as exc:
        return _fail(exc.diagnostics)
    print(to_json(result) if args.format == "json" else to_text(result))
    return EXIT_BREACH if result.breached else EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    """``clausewatch validate``: rule files first, then fact logs against them.

    A ``.jsonl`` path is a fact log, a folder may hold both, anything else is a rule
    file. With no rule file among the paths, the rules of ``rules/`` are used.
    """
    rule_inputs = [p for p in args.paths if not p.endswith(".jsonl")]
    fact_inputs = [p for p in args.paths if p.endswith(".jsonl") or Path(p).is_dir()]
    if not rule_files(rule_inputs):
        rule_inputs = ["rules"]
    problems: list[Diagnostic] = []
    contracts = []
    try:
        contracts = load_contracts(rule_inputs)
        if not contracts:
            problems.append(_no_rules(rule_inputs))
    except InputError as exc:
        problems += exc.diagnostics
    logs = fact_files(fact_inputs)
    if fact_inputs and contracts:
        try:
            FactReader(contracts).read(fact_inputs)
        except InputError as exc:
            problems += exc.diagnostics
    if problems:
        return _fail(problems)
    print(f"ok: {len(contracts)} rule file(s), {len(logs)} fact log(s)")
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
