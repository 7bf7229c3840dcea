"""Cases and finding patterns of rule tests: ``as_of`` and what is expected then.

``CaseReader`` is the part of the test-file loader (``engine.ruletests.load``) that
reads a test's cases and their patterns, on top of ``Reader``'s state and helpers
(problems collected, unknown keys reported, locations of values).
"""

from __future__ import annotations

import os
from typing import Any

from engine.days.calendars import unsupported
from engine.days.instants import InstantError, parse_date
from engine.diagnostics import Diagnostic, Location, suggest, value_words
from engine.load.yaml_source import SourceList, SourceMap
from engine.model import Contract
from engine.ruletests.model import FIELD_CHECKS, PATTERN_KEYS, Case, Pattern

CASE_KEYS = ("as_of", "expect", "breaches", "findings")
ASSERTIONS = ("expect", "breaches", "findings")


class Reader:
    """One test file being checked: its problems, rule files, rule ids, and shared checks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = os.path.dirname(path)
        self.problems: list[Diagnostic] = []
        self.contracts: list[Contract] | None = None
        self.scope_now: frozenset[str] | None = None  # the `rules` of the test being read
        self.rule_ids: set[str] = set()

    def error(self, loc: Location, message: str) -> None:
        """Report a problem at ``loc``."""
        self.problems.append(Diagnostic(loc, message))

    def value_loc(self, node: SourceMap, key: str) -> Location:
        """Where the value of ``node[key]`` stands."""
        return node.value_locs.get(key, node.loc)

    def keys(
        self, node: Any, allowed: tuple[str, ...], what: str, loc: Location | None = None
    ) -> bool:
        """True if ``node`` (at ``loc``) is a mapping; every unknown key in it is reported."""
        if not isinstance(node, SourceMap):
            loc = getattr(node, "loc", loc or Location(self.path, 1, 1))
            self.error(loc, f"{what} must be a mapping, not {value_words(node)}")
            return False
        for key in node:
            if key not in allowed:
                message = f"unknown key `{key}` in {what} (allowed: {', '.join(allowed)})"
                self.error(node.key_locs[key], message + suggest(key, allowed))
        return True

    def strings(self, node: SourceMap, key: str, what: str) -> list[tuple[str, Location]]:
        """A string or a list of strings at ``node[key]``, each with its location."""
        value, loc = node[key], self.value_loc(node, key)
        if isinstance(value, str) and value:
            return [(value, loc)]
        if isinstance(value, list) and value:
            good = []
            for item, item_loc in zip(value, value.item_locs, strict=True):
                if isinstance(item, str) and item:
                    good.append((item, item_loc))
                else:
                    message = f"`{key}`: each item must be {what}, not {value_words(item)}"
                    self.error(item_loc, message)
            return good
        self.error(loc, f"`{key}` must be {what} or a list of them, not {value_words(value)}")
        return []

    def relative(self, name: str) -> str:
        """A path written in the test file, relative to the file's folder."""
        return os.path.normpath(os.path.join(self.folder, name))

    def rule_id(self, rule: str, loc: Location) -> bool:
        """True if ``rule`` is a rule id of the rule files (reported where it is not)."""
        if self.contracts is None or rule in self.rule_ids:
            return True
        self.error(loc, f"unknown rule id `{rule}`" + suggest(rule, self.rule_ids))
        return False


class CaseReader(Reader):
    """Reads the cases of a test and the finding patterns each case expects."""

    def cases(self, item: SourceMap) -> list[Case]:
        """The cases of a test: its `cases` list, or the test itself as one case."""
        inline = [k for k in CASE_KEYS if k in item]
        if "cases" in item and inline:
            where = item.key_locs[inline[0]]
            self.error(where, f"`{inline[0]}` goes inside `cases` when a test has `cases`")
            return []
        if "cases" not in item:
            case = self.case(item, "a test")
            return [case] if case else []
        value = item["cases"]
        if not isinstance(value, SourceList) or not value:
            message = "`cases` must be a non-empty list of {as_of, expect/breaches/findings}"
            self.error(self.value_loc(item, "cases"), f"{message}, not {value_words(value)}")
            return []
        found = []
        for case_item, loc in zip(value, value.item_locs, strict=True):
            if self.keys(case_item, CASE_KEYS, "a case", loc):
                case = self.case(case_item, "a case")
                if case is not None:
                    found.append(case)
        return found

    def case(self, node: SourceMap, kind: str) -> Case | None:
        """One case: its `as_of` and its assertions (None when it has a problem)."""
        as_of = None
        if "as_of" not in node:
            alternative = " or `cases`" if kind == "a test" else ""
            self.error(node.loc, f"{kind} needs `as_of` (YYYY-MM-DD){alternative}")
        elif not isinstance(node["as_of"], str):
            message = f"`as_of` must be a date YYYY-MM-DD, not {value_words(node['as_of'])}"
            self.error(node.value_locs["as_of"], message)
        else:
            try:
                as_of = parse_date(node["as_of"])
            except InstantError as exc:
                self.error(node.value_locs["as_of"], f"`as_of`: {exc}")
            if as_of is not None and unsupported(as_of):
                self.error(node.value_locs["as_of"], f"`as_of`: {unsupported(as_of)}")
                as_of = None
        given = [k for k in ASSERTIONS if k in node]
        if not given:
            self.error(node.loc, f"{kind} needs `expect`, `breaches` or `findings`")
        lists = {k: self.patterns(node, k) for k in given}
        if as_of is None or not given or any(v is None for v in lists.values()):
            return None
        loc = node.key_locs.get("as_of", node.loc)
        return Case(as_of, loc, **lists)

    def patterns(self, node: SourceMap, key: str) -> tuple[Pattern, ...] | None:
        """The finding patterns of one assertion (None when one has a problem)."""
        value, loc = node[key], self.value_loc(node, key)
        if not isinstance(value, SourceList):
            self.error(loc, f"`{key}` must be a list of findings, not {value_words(value)}")
            return None
        if key == "expect" and not value:
            self.error(
                loc,
                "`expect: []` asserts nothing: write `breaches: []` (nothing breached) "
                "or `findings: []` (no finding at all)",
            )
            return None
        before = len(self.problems)
        found = [
            self.pattern(item, key, at) for item, at in zip(value, value.item_locs, strict=True)
        ]
        if len(self.problems) > before:
            return None
        return tuple(p for p in found if p is not None)

    def pattern(self, item: Any, assertion: str, loc: Location) -> Pattern | None:
        """One finding pattern, each field checked (rule ids against the rule files)."""
        if not self.keys(item, PATTERN_KEYS, f"a finding of `{assertion}`", loc):
            return None
        if not item:
            self.error(item.loc, "an empty pattern `{}` matches any finding: give a field")
        fields: dict[str, Any] = {}
        for key, value in item.items():
            loc = item.value_locs[key]
            check = FIELD_CHECKS.get(key)
            if check is None:
                continue
            problem, normal = check(value)
            if problem:
                self.error(loc, f"`{key}` {problem}")
                continue
            if key == "rule" and not self.rule_id(normal, loc):
                continue
            if key == "rule" and self.scope_now is not None and normal not in self.scope_now:
                shown = ", ".join(sorted(self.scope_now))
                self.error(loc, f"rule `{normal}` is outside the test's `rules` ({shown})")
                continue
            if key == "status" and assertion == "breaches" and normal != "breached":
                self.error(loc, "`breaches` lists breached findings: drop `status` or use `expect`")
                continue
            fields[key] = normal
        return Pattern(fields, item.loc)
