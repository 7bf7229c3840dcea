"""``clausewatch validate``: check rule files and fact logs, report no findings.

The facts are run (at the last date supported, so that every fact is considered), for
the problems only a run can find; the findings are not reported.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.common import EXIT_OK, fail, no_rules, warn
from engine.days.calendars import LAST_DAY
from engine.diagnostics import Diagnostic, InputError, Location
from engine.evaluate import evaluate
from engine.load.fact_files import FactFiles, find_fact_files, is_fact_log
from engine.load.facts import FactReader
from engine.load.rulefile import load_contracts
from engine.load.rulefile import rule_paths as rule_files

RULE_SUFFIXES = (".yaml", ".yml")  # in a folder: rule files (top level) or rule tests


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser("validate", help="check rule files and fact logs, evaluate nothing")
    parser.add_argument("paths", nargs="+", metavar="PATH")


def run(args: argparse.Namespace) -> int:
    """Rule files first, then fact logs against them.

    A ``.jsonl`` path is a fact log, anything else is a rule file; a folder may hold
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
        rule_inputs = ["rules"]
    problems: list[Diagnostic] = [
        Diagnostic(Location(d), "no rule files (.yaml, .yml) or fact logs (.jsonl) found")
        for d in folders
        if not rule_files([d]) and not find_fact_files([d], empty_ok=True).named
    ]
    contracts = []
    try:
        contracts = load_contracts(rule_inputs)
        if not contracts:
            problems.append(no_rules(rule_inputs))
    except InputError as exc:
        problems += exc.diagnostics
    files = FactFiles()
    for p in fact_inputs:  # a rules folder's subfolders hold rule tests (`clausewatch test`)
        files.recurse = not (p in folders and rule_files([p]))
        files.add_path(Path(p), empty_ok=True, others=RULE_SUFFIXES)
    warnings = files.warnings
    if fact_inputs and contracts:
        reader = FactReader(contracts)
        try:
            facts = reader.read(fact_inputs, files)
            # What only a run finds (a second trigger, a date past the calendars, a value
            # an expression cannot use), found at the last date supported: every fact
            # considered and every deadline passed, so validate rejects what check would.
            evaluate(contracts, facts, LAST_DAY)
        except InputError as exc:
            problems += exc.diagnostics
    else:
        problems += files.problems
    if problems:
        return fail([*problems, *warnings])
    warn(warnings)
    print(f"ok: {len(contracts)} rule file(s), {len(files.paths)} fact log(s)")
    return EXIT_OK
