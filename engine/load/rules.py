"""The ``--rules`` inputs: rule files (templates) and portfolio files, put together.

A path is a rule file, a portfolio file (YAML with ``instances``, or ``.csv``), or a
folder of them (its ``.yaml``, ``.yml`` and ``.csv`` files, in name order, not its
subfolders: ``rules/tests/`` holds rule tests). A rule file that does not load holds
back its own template's instances only: the others are still checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.diagnostics import Diagnostic, InputError, Location
from engine.load.instances import Portfolio, assemble
from engine.load.portfolio import InstanceRow, csv_rows, is_portfolio, yaml_rows
from engine.load.rulefile import template_from
from engine.load.yaml_source import SourceMap, load_yaml_collect
from engine.model import Contract

SUFFIXES = (".yaml", ".yml", ".csv")


def _rule_file(q: Path) -> bool:
    """A rule or portfolio file in a folder: ``.yaml``, ``.yml``, ``.csv`` in any case; a
    broken link is kept (and said when it cannot be read), never passed over."""
    return q.suffix.lower() in SUFFIXES and (q.is_file() or q.is_symlink())


def rule_paths(paths: list[str]) -> list[Path]:
    """The rule and portfolio files named, folders expanded (not recursing into ``tests/``)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.iterdir() if _rule_file(q))
        else:
            found.append(p)
    return found


def _template_id(root: Any) -> str | None:
    """The ``contract.id`` of a rule file that did not load, if it can be read."""
    if isinstance(root, SourceMap) and isinstance(root.get("contract"), dict):
        cid = root["contract"].get("id")
        return cid if isinstance(cid, str) else None
    return None


def _fact_types(root: Any) -> list[str]:
    """The fact types a rule file that did not load declares, if they can be read."""
    facts = root.get("facts") if isinstance(root, SourceMap) else None
    return [name for name in facts if isinstance(name, str)] if isinstance(facts, dict) else []


def load_rules(paths: list[str]) -> Portfolio:
    """Every template and portfolio file of ``paths``, assembled; problems are collected."""
    templates: list[Contract] = []
    rows: list[InstanceRow] = []
    problems: list[Diagnostic] = []
    failed: dict[str, list[Diagnostic]] = {}
    held_types: dict[str, str] = {}
    defined: dict[str, str] = {}
    for p in rule_paths(paths):
        try:
            text = p.read_text("utf-8")
        except OSError as exc:
            problems.append(Diagnostic(Location(str(p)), f"cannot read rule file: {exc.strerror}"))
            continue
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            message = f"cannot read rule file: not UTF-8 text (byte {exc.object[exc.start]:#x})"
            problems.append(Diagnostic(Location(str(p), line), message))
            continue
        if p.suffix.lower() == ".csv":
            found, bad = csv_rows(str(p), text)
            rows, problems = rows + found, problems + bad
            continue
        root = None
        try:
            root, yaml_problems = load_yaml_collect(str(p), text)
            if is_portfolio(root):
                found, bad = yaml_rows(str(p), root)
                rows, problems = rows + found, problems + yaml_problems + bad
                continue
            template = template_from(str(p), root, yaml_problems)
        except InputError as exc:
            problems += exc.diagnostics
            tid = _template_id(root)
            if tid is not None:
                failed[tid] = list(exc.diagnostics)
                held_types.update(dict.fromkeys(_fact_types(root), tid))
            continue
        if template.id in defined:
            message = f"template `{template.id}` is also defined in {defined[template.id]}"
            problems.append(Diagnostic(Location(str(p), 1), message))
            continue
        defined[template.id] = str(p)
        templates.append(template)
    portfolio = assemble(templates, rows, failed)
    portfolio.problems[:0] = problems
    portfolio.held_types = held_types
    return portfolio


def load_contracts(paths: list[str]) -> list[Contract]:
    """Every template with its instances; raise ``InputError`` if anything is wrong."""
    portfolio = load_rules(paths)
    if portfolio.problems:
        raise InputError(portfolio.problems)
    return portfolio.contracts
