"""Rule unit tests: YAML test files loaded, checked strictly, and turned into value types.

The format and its meaning are described in :mod:`engine.ruletests.model`. The checks run
in two layers, as for rule files: the shape (known keys, the right kinds of values), then
the meaning (rule files that load, rule ids they define, facts valid for their
vocabulary, dates that exist). Every problem is collected and reported as
``path:line:col: message``; nothing runs until a file is clean.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.diagnostics import Diagnostic, InputError, Location, value_words
from engine.load.facts import FactReader
from engine.load.rules import load_contracts
from engine.load.yaml_source import SourceList, SourceMap, load_yaml
from engine.model import Contract, Fact
from engine.ruletests.cases import CaseReader
from engine.ruletests.model import (
    RuleTest,
    RuleTestFile,
    display_path,
)

FILE_KEYS = ("rule_files", "rules", "facts", "tests")
TEST_KEYS = ("name", "rules", "facts", "as_of", "cases", "expect", "breaches", "findings")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")

_CONTRACTS: dict[tuple[tuple[str, int], ...], list[Contract]] = {}


def _contracts(paths: list[str]) -> list[Contract]:
    """Rule files loaded once per process (again if a file changed): compiled rules are reused."""
    key = tuple((p, os.stat(p).st_mtime_ns) for p in paths)
    if key not in _CONTRACTS:
        _CONTRACTS[key] = load_contracts(paths)
    return _CONTRACTS[key]


class _Loader(CaseReader):
    """Checks one test file and builds its tests, collecting every problem."""

    # -- the file ------------------------------------------------------------
    def load(self, root: Any) -> RuleTestFile:
        if not isinstance(root, SourceMap):
            where = getattr(root, "loc", Location(self.path, 1, 1))
            message = "a test file must be a mapping with keys rule_files and tests"
            self.error(where, f"{message}, not {value_words(root)}")
            return RuleTestFile(self.path, ())
        if is_rule_file(root):
            message = "a rule file, not a test file (a test file has rule_files and tests)"
            self.error(root.loc, message)
            return RuleTestFile(self.path, ())
        self.keys(root, FILE_KEYS, "a test file")
        for key in ("rule_files", "tests"):
            if key not in root:
                self.error(root.loc, f"missing required key `{key}`")
        if "rule_files" in root:
            self.load_rules(root)
        scope = self.scope(root) if "rules" in root else None
        if "facts" in root:
            self.facts([], (root, "facts"))  # checked on its own, in case there is no test
        tests: list[RuleTest] = []
        items = root.get("tests")
        if "tests" in root and not isinstance(items, list):
            message = f"`tests` must be a list, not {value_words(items)}"
            self.error(self.value_loc(root, "tests"), message)
        elif isinstance(items, SourceList):
            names: dict[str, Location] = {}
            for item, loc in zip(items, items.item_locs, strict=True):
                test = self.test(item, loc, root, scope, names)
                if test is not None:
                    tests.append(test)
        return RuleTestFile(self.path, tuple(tests))

    def load_rules(self, root: SourceMap) -> None:
        paths = []
        for name, loc in self.strings(root, "rule_files", "a path to a rule file or folder"):
            path = self.relative(name)
            if not os.path.exists(path):
                self.error(loc, f"rule file `{name}` not found (looked for {path})")
            paths.append(path)
        if not paths or len(paths) != len({*paths}) or not all(map(os.path.exists, paths)):
            return
        try:
            self.contracts = _contracts(paths)
        except InputError as exc:
            self.problems += exc.diagnostics
            return
        if not self.contracts:
            self.error(self.value_loc(root, "rule_files"), "no rule files (.yaml, .yml) found")
            self.contracts = None
            return
        self.rule_ids = {o.id for c in self.contracts for o in c.obligations}

    def scope(self, node: SourceMap) -> frozenset[str]:
        found = self.strings(node, "rules", "a rule id")
        return frozenset(rule for rule, loc in found if self.rule_id(rule, loc))

    # -- facts ---------------------------------------------------------------
    def facts(
        self, facts: list[Fact], source: tuple[SourceMap, str], reader: FactReader | None = None
    ) -> list[Fact]:
        """Append the facts of ``source`` (inline list or a fact log path) to ``facts``."""
        node, key = source
        value, loc = node[key], self.value_loc(node, key)
        if self.contracts is None:
            reader = None
        elif reader is None:
            reader = FactReader(self.contracts)
        if isinstance(value, str) and value:
            path = self.relative(value)
            if not os.path.exists(path):
                self.error(loc, f"fact log `{value}` not found (looked for {path})")
            elif reader is not None:
                try:
                    facts += reader.read([path])
                except InputError:
                    pass  # the problems stay in reader.problems
        elif isinstance(value, list):
            for item, item_loc in zip(value, value.item_locs, strict=True):
                if not isinstance(item, SourceMap):
                    self.error(item_loc, f"a fact must be a mapping, not {value_words(item)}")
                elif reader is not None:
                    fact = self.inline_fact(reader, item)
                    if fact is not None:
                        facts.append(fact)
        else:
            message = "`facts` must be a list of facts or the path of a fact log (.jsonl)"
            self.error(loc, f"{message}, not {value_words(value)}")
        if reader is not None and reader.problems:
            self.problems += reader.problems
            reader.problems = []
        return facts

    def inline_fact(self, reader: FactReader, item: SourceMap) -> Fact | None:
        """A fact written in YAML, read as the JSON line it stands for; problems at its keys."""
        text, where = "{", {}
        for key, value in item.items():
            text += ", " if len(text) > 1 else ""
            where[len(text) + 1] = item.key_locs[key]
            text += json.dumps(key) + ": "
            where[len(text) + 1] = item.value_locs[key]
            try:
                text += json.dumps(value)
            except (TypeError, ValueError):
                self.error(item.value_locs[key], f"`{key}` is not a JSON value")
                return None
        before = len(reader.problems)
        fact = reader.parse_line(Location(self.path, item.loc.line), text + "}")
        for i in range(before, len(reader.problems)):
            d = reader.problems[i]
            reader.problems[i] = Diagnostic(where.get(d.location.col, item.loc), d.message)
        return fact

    # -- tests and cases ----------------------------------------------------
    def test(
        self,
        item: Any,
        loc: Location,
        root: SourceMap,
        scope: frozenset[str] | None,
        names: dict[str, Location],
    ) -> RuleTest | None:
        if not self.keys(item, TEST_KEYS, "a test", loc):
            return None
        before = len(self.problems)
        name = item.get("name")
        if "name" not in item:
            self.error(item.loc, "a test needs a `name`")
        elif not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            self.error(
                self.value_loc(item, "name"),
                f"`name` must be letters, digits and `_.+-` (no spaces), not {value_words(name)}",
            )
        elif name in names:
            message = f"duplicate test name `{name}` (first at line {names[name].line})"
            self.error(self.value_loc(item, "name"), message)
        else:
            names[name] = self.value_loc(item, "name")
        if "rules" in item:
            scope = self.scope(item)
        self.scope_now = scope
        reader = FactReader(self.contracts) if self.contracts is not None else None
        facts: list[Fact] = []
        for node in (root, item):
            if "facts" in node:
                self.facts(facts, (node, "facts"), reader)
        cases = self.cases(item)
        if len(self.problems) > before or self.contracts is None:
            return None
        facts.sort(key=lambda f: f.at_us)  # stable: ties keep the order written
        numbered = tuple(replace(f, seq=n) for n, f in enumerate(facts, start=1))
        return RuleTest(
            self.path, name, item.loc, tuple(self.contracts), numbered, scope, tuple(cases)
        )


def is_rule_file(root: Any) -> bool:
    """True for a loaded rule file (``contract`` and ``obligations``, no ``tests``)."""
    return isinstance(root, dict) and {"contract", "obligations"} <= root.keys() - {"tests"}


def _looks_like_rule_file(path: str) -> bool:
    """True for a rule file (top-level ``contract:`` and ``obligations:``) or a portfolio
    file (``instances:``), neither of which has ``tests:``."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    keys = set(re.findall(r"^([a-z_]+):", text, flags=re.MULTILINE))
    rules = {"contract", "obligations"} <= keys or "instances" in keys
    return rules and "tests" not in keys


def load_test_file(path: str) -> RuleTestFile:
    """Load and check one test file; raise ``InputError`` listing every problem."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read test file: {getattr(exc, 'strerror', None) or exc}"
        raise InputError([Diagnostic(Location(path), message)]) from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise InputError([Diagnostic(Location(path, 1), "empty test file")])
    root = load_yaml(path, text)
    loader = _Loader(path)
    loaded = loader.load(root)
    if loader.problems:
        raise InputError(loader.problems)
    return loaded


def find_test_files(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """The test files named, and a problem for each path that does not exist.

    Folders are searched recursively, in name order, for ``.yaml``/``.yml`` files; rule files
    found there are passed over (so ``clausewatch test rules`` runs ``rules/tests``), while a
    rule file named on its own is reported as not being a test file.
    """
    found: list[str] = []
    problems: list[Diagnostic] = []
    for p in paths:
        if os.path.isdir(p):
            for folder, dirs, files in os.walk(p):
                dirs.sort()
                found += [
                    display_path(os.path.join(folder, f))
                    for f in sorted(files)
                    if f.endswith((".yaml", ".yml"))
                    and not _looks_like_rule_file(os.path.join(folder, f))
                ]
        elif os.path.isfile(p):
            found.append(display_path(p))
        else:
            problems.append(Diagnostic(Location(p), "no such test file or folder"))
    return list(dict.fromkeys(found)), problems
