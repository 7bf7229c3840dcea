"""What the commands share: exit codes, diagnostics output, inputs, the as-of date.

The CLI is the only part of ClauseWatch that reads the clock: ``today`` gives the
default as-of date; the engine is always handed one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pendulum

from engine.days.calendars import unsupported
from engine.days.instants import InstantError, parse_date
from engine.diagnostics import Diagnostic, InputError, Location, render, shorten
from engine.evaluate import evaluate
from engine.load.facts import FactReader
from engine.load.rulefile import load_contracts
from engine.model import Contract, Fact, Result

EXIT_OK, EXIT_BREACH, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def today(tz: str) -> date:
    """Today in the contract's time zone: the CLI's default as-of date."""
    now = pendulum.now(tz)  # clock-ok: the CLI alone knows today
    return date(now.year, now.month, now.day)


def fail(diagnostics: Sequence[Diagnostic]) -> int:
    """Print every problem, sorted, as ``path:line[:col]: message``; exit status 2."""
    print(render(diagnostics), file=sys.stderr)
    return EXIT_INPUT


def warn(diagnostics: Sequence[Diagnostic]) -> None:
    """Print warnings (files skipped...), sorted, as ``path: message``; the run goes on."""
    if diagnostics:
        print(render(diagnostics), file=sys.stderr)


def parse_as_of(text: str | None) -> tuple[date | None, list[Diagnostic]]:
    """The ``--as-of`` date given (None if not given), or the problem with it."""
    if text is None:
        return None, []
    try:
        day = parse_date(text)
    except InstantError as exc:
        return None, [Diagnostic(Location("--as-of"), shorten(str(exc), 200))]
    if unsupported(day):
        return None, [Diagnostic(Location("--as-of"), unsupported(day))]
    return day, []


def no_rules(paths: Sequence[str]) -> Diagnostic:
    """The problem of a run with no rule file."""
    return Diagnostic(Location(", ".join(paths)), "no rule files (.yaml, .yml) found")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--rules``, ``--facts`` and ``--as-of``, as every evaluating command takes them."""
    parser.add_argument(
        "--rules",
        action="append",
        metavar="PATH",
        help="rule file or folder (repeatable; default rules/)",
    )
    parser.add_argument(
        "--facts",
        action="append",
        metavar="PATH",
        help="fact log (.jsonl) or folder (repeatable; default facts/)",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="YYYY-MM-DD; the check is made at the end of that day "
        "(default: today in the contract's time zone)",
    )


@dataclass(frozen=True)
class Inputs:
    """Loaded and validated inputs of an evaluating command."""

    contracts: list[Contract]
    facts: list[Fact]
    as_of: date


def load_inputs(args: argparse.Namespace) -> Inputs | list[Diagnostic]:
    """Rules, facts and as-of from the arguments, or every problem found with them."""
    as_of, problems = parse_as_of(args.as_of)
    rules = args.rules or ["rules"]
    try:
        contracts = load_contracts(rules)
    except InputError as exc:
        return [*problems, *exc.diagnostics]
    if not contracts:
        return [*problems, no_rules(rules)]
    reader = FactReader(contracts)
    try:
        facts = reader.read(args.facts or ["facts"])
    except InputError as exc:
        return [*problems, *exc.diagnostics]
    warn(reader.warnings)
    if problems:
        return problems
    as_of = as_of or today(contracts[0].time_zone)
    if unsupported(as_of):  # today, as the default
        return [Diagnostic(Location("--as-of"), f"today: {unsupported(as_of)}")]
    return Inputs(contracts, facts, as_of)


def load_and_evaluate(args: argparse.Namespace) -> tuple[Inputs, Result] | list[Diagnostic]:
    """Load the inputs and evaluate them, or every problem found."""
    inputs = load_inputs(args)
    if isinstance(inputs, list):
        return inputs
    try:
        return inputs, evaluate(inputs.contracts, inputs.facts, inputs.as_of)
    except InputError as exc:
        return list(exc.diagnostics)
