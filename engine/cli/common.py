"""What the commands share: exit codes, diagnostics output, inputs, the as-of date.

The CLI is the only part of ClauseWatch that reads the clock: ``today`` gives the
default as-of date; the engine is always handed one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pendulum

from engine.cli.progress import progress_bar
from engine.collector import collector_paused, set_aside
from engine.days.calendars import unsupported
from engine.days.instants import InstantError, parse_date
from engine.diagnostics import Diagnostic, InputError, Location, render, shorten
from engine.evaluate import Delta, HeldBack, Memo, evaluate_delta
from engine.executors.choose import executor_for
from engine.executors.local import ExecutorError
from engine.load.fact_files import find_fact_files
from engine.load.facts import FactReader
from engine.load.rules import load_rules
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


def missing_defaults(args: argparse.Namespace) -> list[Diagnostic]:
    """A default folder (``rules/``, ``facts/``) that is not here, and what to pass instead."""
    found = []
    for option, what in (
        ("rules", "a rule file or a folder of them"),
        ("facts", "a fact log (.jsonl) or a folder of them"),
    ):
        if not getattr(args, option, None) and not os.path.exists(option):
            found.append(
                Diagnostic(
                    Location(option),
                    f"no such folder here (the default of --{option}): pass --{option} PATH, "
                    f"{what}, or run from the folder that holds {option}/",
                )
            )
    return found


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
    """Loaded and validated inputs of an evaluating command.

    ``problems`` are those found in the inputs; ``held_back`` the instances they keep
    from being checked (instance -> its template and the problems). The other
    instances are evaluated and reported all the same. ``facts`` is emptied by a run it
    is handed over to (``load_and_evaluate`` without ``keep_facts``).
    """

    contracts: list[Contract]
    facts: list[Fact]
    as_of: date
    problems: tuple[Diagnostic, ...] = ()
    held_back: HeldBack = field(default_factory=dict)


def load_inputs(
    args: argparse.Namespace, prepare: Callable[[list[Contract], date, int], None] | None = None
) -> Inputs | list[Diagnostic]:
    """Rules, facts and as-of from the arguments; only problems when nothing can be checked.

    ``prepare`` is told the contracts, the as-of date and the bytes of the fact logs once
    the rules are read, before the facts are (``Processes.prepare`` starts its workers).
    """
    as_of, problems = parse_as_of(args.as_of)
    missing = missing_defaults(args)
    if missing:
        return [*problems, *missing]
    rules = args.rules or ["rules"]
    portfolio = load_rules(rules)
    if not portfolio.contracts and not portfolio.problems:
        return [*problems, no_rules(rules)]
    if not portfolio.contracts:
        return [*problems, *portfolio.problems]
    contracts = portfolio.contracts
    held = {i: (tid, list(ps)) for i, (tid, ps) in portfolio.blocked.items()}
    day = as_of or today(contracts[0].time_zone)  # the as-of date, if none is given
    logs = find_fact_files(args.facts or ["facts"])
    if prepare is not None and not problems and not unsupported(day):
        prepare(contracts, day, logs.size())
    reader = FactReader(contracts, held, portfolio.held_types)
    with collector_paused():  # the facts are set aside before it runs again, not walked
        try:
            facts = reader.read(args.facts or ["facts"], logs)
        except InputError:
            facts = reader.facts
        set_aside()  # kept until the command ends, or the run they are handed over to
    templates = {i.id: c.id for c in contracts for i in c.instances}
    for instance, blamed in reader.blame.items():
        held.setdefault(instance, (templates.get(instance), []))[1].extend(blamed)
    found = tuple([*portfolio.problems, *reader.problems])
    if found:
        found += tuple(reader.warnings)  # said with the problems, in order of place
    else:
        warn(reader.warnings)
    if problems:
        return [*problems, *found]  # no as-of date: nothing can be checked
    if unsupported(day):  # today, as the default
        return [Diagnostic(Location("--as-of"), f"today: {unsupported(day)}")]
    return Inputs(contracts, facts, day, found, held)


def load_and_evaluate(
    args: argparse.Namespace, keep_facts: bool = False, traces: bool = True
) -> tuple[Inputs, Result] | list[Diagnostic]:
    """Load the inputs and evaluate every instance that can be checked, or the problems.

    The facts are handed over to the run (``evaluate_delta(hand_over=True)``: the
    inputs' list is emptied) unless the command looks at them afterwards (``keep_facts``).
    ``traces=False`` for a command that prints none (``evaluate_delta``).
    """
    outcome = load_and_evaluate_delta(args, keep_facts=keep_facts, traces=traces)
    return outcome if isinstance(outcome, list) else (outcome[0], outcome[1].result)


def load_and_evaluate_delta(
    args: argparse.Namespace,
    memo: Callable[[Inputs], Memo | None] | None = None,
    keep_facts: bool = False,
    traces: bool = True,
) -> tuple[Inputs, Delta] | list[Diagnostic]:
    """``load_and_evaluate``, taking from the memo ``memo(inputs)`` gives (the nightly
    delta: ``engine.evaluate.evaluate_delta``) the instances whose findings still stand;
    ``traces=False`` for a report that prints none (``evaluate_delta``)."""
    inputs: Inputs | list[Diagnostic] | None = None
    try:
        runner = executor_for(args.executor, args.jobs or cores())
    except ExecutorError as exc:
        return _refused(load_inputs(args), exc)  # the inputs' problems said with it
    try:
        with runner:  # before the facts are read: local workers start with the rules alone
            inputs = load_inputs(args, runner.prepare)
            if isinstance(inputs, list):
                return inputs
            total = sum(len(c.instances) for c in inputs.contracts)
            with progress_bar(total, args.quiet) as tick, collector_paused():
                delta = evaluate_delta(
                    inputs.contracts,
                    inputs.facts,
                    inputs.as_of,
                    None if memo is None else memo(inputs),
                    inputs.held_back,
                    executor=runner,
                    progress=tick,
                    hand_over=not keep_facts,
                    traces=traces,
                )
                set_aside()  # the findings are kept until the command ends
    except ExecutorError as exc:
        return _refused(inputs, exc)
    everyone = {i.id for c in inputs.contracts for i in c.instances}
    if everyone <= {u.contract for u in delta.result.unchecked}:
        return sorted({*inputs.problems, *delta.result.problems})  # nothing could be checked
    return inputs, delta


def _refused(inputs: Inputs | list[Diagnostic] | None, exc: ExecutorError) -> list[Diagnostic]:
    """The problems of a run its executor refused: the inputs' (when they could not be
    checked at all, theirs alone, as the executor is not reached then), and the executor's."""
    if isinstance(inputs, list):
        return inputs
    found = list(inputs.problems) if inputs is not None else []
    return [*found, Diagnostic(Location("--executor"), str(exc))]


def finish(inputs: Inputs, result: Result, code: int) -> int:
    """The exit status: ``code``, or 2 (every problem on stderr) if any input was bad.

    The findings of the sound instances have been printed already.
    """
    problems = {*inputs.problems, *result.problems}
    if not problems:
        return code
    return fail(sorted(problems))
