"""``clausewatch validate``: check rule files, portfolio files and fact logs, report nothing else.

It rejects everything ``check`` would reject about the inputs: besides each file on
its own, the facts are run through the rules (as of the day of the last fact) for
what only a run can find: a second trigger for an unkeyed rule, an expression that
the data of a fact cannot compute, a fact that belongs to no instance.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from engine.cli.common import EXIT_OK, fail, no_rules, warn
from engine.cli.options import paragraph
from engine.days.calendars import LAST_DAY
from engine.diagnostics import Diagnostic, InputError, Location
from engine.evaluate import evaluate
from engine.load.fact_files import FactFiles, find_fact_files, is_fact_log
from engine.load.facts import FactReader
from engine.load.rules import load_rules
from engine.load.rules import rule_paths as rule_files

RULE_SUFFIXES = (".yaml", ".yml", ".csv")  # in a folder: rule and portfolio files, or rule tests


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

    A ``.jsonl`` path is a fact log, anything else is a rule or
    portfolio file; a folder may hold
    both: its top-level ``.yaml``/``.yml`` files are rule files. A folder of facts (one
    with no rule file) is read as ``--facts`` reads it, subfolders included, so that
    ``validate`` rejects what ``check`` would; in a folder of rules, only the fact logs
    at its top level are read (its ``tests/`` are rule tests). A folder with neither is
    an error. With no rule file among the paths, the rules of ``rules/`` are used.
    """
    folders = [p for p in args.paths if Path(p).is_dir()]
    rule_inputs = [p for p in args.paths if p in folders or not is_fact_log(Path(p).name)]
    fact_inputs = [p for p in args.paths if p in folders or is_fact_log(Path(p).name)]
    if not rule_files(rule_inputs):
        if not os.path.exists("rules"):
            why = (
                "no rule file (.yaml) among the paths, and no folder rules/ here to check "
                "the fact logs against: pass a rule file or a folder of them too"
            )
            return fail([Diagnostic(Location("rules"), why)])
        rule_inputs = ["rules"]
    problems: list[Diagnostic] = [
        Diagnostic(Location(d), "no rule files (.yaml, .yml) or fact logs (.jsonl) found")
        for d in folders
        if not rule_files([d]) and not find_fact_files([d], empty_ok=True).named
    ]
    portfolio = load_rules(rule_inputs)
    problems += portfolio.problems
    contracts = portfolio.contracts
    if not contracts and not portfolio.problems:
        problems.append(no_rules(rule_inputs))
    files = FactFiles()
    for p in fact_inputs:  # a rules folder's subfolders hold rule tests (`clausewatch test`)
        files.recurse = not (p in folders and rule_files([p]))
        files.add_path(Path(p), empty_ok=True, others=RULE_SUFFIXES)
    warnings = files.warnings
    if fact_inputs and contracts:
        reader = FactReader(contracts, portfolio.blocked, portfolio.held_types)
        try:
            facts = reader.read(fact_inputs, files)
        except InputError:
            facts = reader.facts
        problems += reader.problems
        if facts:
            # What only a run finds (a second trigger, a date past the calendars, a value
            # an expression cannot use), found at the last date supported: every fact
            # considered and every deadline passed, so validate rejects what check would.
            try:
                problems += evaluate(contracts, facts, LAST_DAY).problems
            except InputError as exc:
                problems += exc.diagnostics
    else:
        problems += files.problems
    if problems:
        return fail([*problems, *warnings])
    warn(warnings)
    print(f"ok: {len(rule_files(rule_inputs))} rule file(s), {len(files.paths)} fact log(s)")
    return EXIT_OK
