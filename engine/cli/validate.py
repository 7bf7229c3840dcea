"""``clausewatch validate``: check rule files, portfolio files and fact logs, report nothing else.

It rejects everything ``check`` would reject about the inputs: besides each file on
its own, the facts are run through the rules (as of the day of the last fact) for
what only a run can find: a second trigger for an unkeyed rule, an expression that
the data of a fact cannot compute, a fact that belongs to no instance.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path

from engine.cli.common import EXIT_OK, fail, no_rules
from engine.cli.options import paragraph
from engine.diagnostics import Diagnostic, InputError, Location
from engine.evaluate import evaluate
from engine.load.facts import FactReader
from engine.load.facts import fact_paths as fact_files
from engine.load.rules import load_rules
from engine.load.rules import rule_paths as rule_files


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "validate",
        help="check rule, portfolio and fact files without reporting findings",
        description=paragraph(
            "Check rule files (shape against the JSON Schema, then meaning: fact types, "
            "fields, parameters, calendars, dates, expressions), portfolio files and fact "
            "logs (against the rule files given, or those of rules/; a dry run finds what "
            "check would reject in the data), and report every problem at once."
        ),
        epilog="exit status:\n  0  no problem (`ok: N rule file(s), M fact log(s)`)\n"
        "  2  every problem on standard error as path:line[:col]: message, sorted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a rule or portfolio file, a fact log (.jsonl), or a folder holding them "
        "(repeatable); with no rule file among them, the rules of rules/ are used",
    )


def run(args: argparse.Namespace) -> int:
    """Rule and portfolio files first, then fact logs against them, then a dry run.

    A ``.jsonl`` path is a fact log, a folder may hold both, anything else is a rule or
    portfolio file. With no rule file among the paths, the rules of ``rules/`` are used.
    """
    rule_inputs = [p for p in args.paths if not p.endswith(".jsonl")]
    fact_inputs = [p for p in args.paths if p.endswith(".jsonl") or Path(p).is_dir()]
    if not rule_files(rule_inputs):
        if not os.path.exists("rules"):
            why = (
                "no rule file (.yaml) among the paths, and no folder rules/ here to check "
                "the fact logs against: pass a rule file or a folder of them too"
            )
            return fail([Diagnostic(Location("rules"), why)])
        rule_inputs = ["rules"]
    portfolio = load_rules(rule_inputs)
    problems: list[Diagnostic] = list(portfolio.problems)
    contracts = portfolio.contracts
    if not contracts and not problems:
        problems.append(no_rules(rule_inputs))
    logs = fact_files(fact_inputs)
    if fact_inputs and contracts:
        reader = FactReader(contracts, portfolio.blocked, portfolio.held_types)
        try:
            facts = reader.read(fact_inputs)
        except InputError:
            facts = reader.facts
        problems += reader.problems
        if facts:
            last = max(f.at for f in facts).date() + timedelta(days=1)
            problems += evaluate(contracts, facts, last).problems
    if problems:
        return fail(problems)
    print(f"ok: {len(rule_files(rule_inputs))} rule file(s), {len(logs)} fact log(s)")
    return EXIT_OK
