"""What the commands share: exit codes, diagnostics output, inputs, the as-of date.

The CLI is the only part of ClauseWatch that reads the clock: ``today`` gives the
default as-of date; the engine is always handed one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pendulum

from engine.cli.progress import progress_bar
from engine.days.instants import InstantError, parse_date
from engine.diagnostics import Diagnostic, InputError, Location, render
from engine.evaluate import evaluate
from engine.executors.choose import executor_for
from engine.executors.local import ExecutorError
from engine.load.facts import read_facts
from engine.load.rulefile import load_contracts
from engine.model import Contract, Fact, Result

EXIT_OK, EXIT_BREACH, EXIT_INPUT = 0, 1, 2


def today(tz: str) -> date:
    """Today in the contract's time zone: the CLI's default as-of date."""
    now = pendulum.now(tz)  # clock-ok: the CLI alone knows today
    return date(now.year, now.month, now.day)


def fail(diagnostics: Sequence[Diagnostic]) -> int:
    """Print every problem, sorted, as ``path:line[:col]: message``; exit status 2."""
    print(render(diagnostics), file=sys.stderr)
    return EXIT_INPUT


def parse_as_of(text: str | None) -> tuple[date | None, list[Diagnostic]]:
    """The ``--as-of`` date given (None if not given), or the problem with it."""
    if text is None:
        return None, []
    try:
        return parse_date(text), []
    except InstantError as exc:
        return None, [Diagnostic(Location("--as-of"), str(exc))]


def no_rules(paths: Sequence[str]) -> Diagnostic:
    """The problem of a run with no rule file."""
    return Diagnostic(Location(", ".join(paths)), "no rule files (.yaml, .yml) found")


def cores() -> int:
    """The cores this process may run on: the default of ``--jobs``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {n}")
    return n


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--rules``, ``--facts`` and ``--as-of``, as every evaluating command takes them,
    and how to run: ``--jobs``, ``--executor``, ``--quiet``."""
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
    parser.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="worker processes evaluating the contract instances in batches "
        f"(default: the cores available, {cores()} here); the output does not depend on it",
    )
    parser.add_argument(
        "--executor",
        metavar="WHERE",
        help="local (default: this machine, --jobs processes) or dask://HOST:PORT "
        "(the workers of a Dask scheduler; needs clausewatch[dask])",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar on standard error")


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
    try:
        facts = read_facts(args.facts or ["facts"], contracts)
    except InputError as exc:
        return [*problems, *exc.diagnostics]
    if problems:
        return problems
    return Inputs(contracts, facts, as_of or today(contracts[0].time_zone))


def load_and_evaluate(args: argparse.Namespace) -> tuple[Inputs, Result] | list[Diagnostic]:
    """Load the inputs and evaluate them, or every problem found."""
    inputs = load_inputs(args)
    if isinstance(inputs, list):
        return inputs
    jobs = args.jobs or cores()
    try:
        runner = executor_for(args.executor, jobs)
    except ExecutorError as exc:
        return [Diagnostic(Location("--executor"), str(exc))]
    total = sum(len(c.instances) for c in inputs.contracts)
    try:
        with progress_bar(total, args.quiet) as tick:
            result = evaluate(
                inputs.contracts, inputs.facts, inputs.as_of, executor=runner, progress=tick
            )
    except InputError as exc:
        return list(exc.diagnostics)
    except ExecutorError as exc:
        return [Diagnostic(Location("--executor"), str(exc))]
    return inputs, result
