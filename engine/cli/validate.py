"""``clausewatch validate``: check rule files and fact logs without evaluating."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from engine.cli.common import EXIT_OK, fail, no_rules
from engine.cli.options import paragraph
from engine.diagnostics import Diagnostic, InputError, Location
from engine.load.facts import FactReader
from engine.load.facts import fact_paths as fact_files
from engine.load.rulefile import load_contracts
from engine.load.rulefile import rule_paths as rule_files


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "validate",
        help="check rule files and fact logs, evaluate nothing",
        description=paragraph(
            "Check rule files (shape against the JSON Schema, then meaning: fact types, "
            "fields, parameters, calendars, dates, expressions) and fact logs (against the "
            "rule files given, or those of rules/), and report every problem at once."
        ),
        epilog="exit status:\n  0  no problem (`ok: N rule file(s), M fact log(s)`)\n"
        "  2  every problem on standard error as path:line[:col]: message, sorted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a rule file (.yaml), a fact log (.jsonl), or a folder holding either "
        "(repeatable); with no rule file among them, the rules of rules/ are used",
    )


def run(args: argparse.Namespace) -> int:
    """Rule files first, then fact logs against them.

    A ``.jsonl`` path is a fact log, a folder may hold both, anything else is a rule
    file. With no rule file among the paths, the rules of ``rules/`` are used.
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
    problems: list[Diagnostic] = []
    contracts = []
    try:
        contracts = load_contracts(rule_inputs)
        if not contracts:
            problems.append(no_rules(rule_inputs))
    except InputError as exc:
        problems += exc.diagnostics
    logs = fact_files(fact_inputs)
    if fact_inputs and contracts:
        try:
            FactReader(contracts).read(fact_inputs)
        except InputError as exc:
            problems += exc.diagnostics
    if problems:
        return fail(problems)
    print(f"ok: {len(contracts)} rule file(s), {len(logs)} fact log(s)")
    return EXIT_OK
