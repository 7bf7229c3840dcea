"""Rule unit tests: the value types of a test file, and what a finding pattern may say.

A test file names the rule files under test, facts, and tests; each test has one or
more cases: an as-of date and what the findings must be at the end of that day. The
format is in the README ("Authoring rules"); in short::

    rule_files: [../nhtc-series-j.yaml]   # relative to this file
    rules: [funding-deadline]             # optional: the rule ids the tests look at
    facts: [{id: acc, type: agreement_accepted, at: "2000-03-03T10:00"}]   # or a .jsonl
    tests:
      - name: accepted-friday
        facts: [...]                      # added to the file's facts
        as_of: 2000-03-07                 # one case, or `cases: [{as_of, ...}, ...]`
        expect: [{status: open, due: "2000-03-08T17:00:00-05:00"}]

Assertions of a case, each a list of finding patterns (a pattern matches on the fields
it gives; ``message_contains`` by substring; ``facts_include`` as a subset):

- ``expect``: each pattern matches a finding of its own; other findings may exist.
  ``expect: []`` is refused, as it would assert nothing.
- ``breaches``: exactly the breached findings; ``breaches: []``: nothing breached.
- ``findings``: exactly the findings, whatever their status; ``findings: []``: none.

A test's (or the file's) ``rules`` narrows every assertion to the findings of those rule
ids; without it, every finding of the rule files counts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from engine.diagnostics import Location, value_words
from engine.model import Contract, Fact, Status

STRING_FIELDS = ("contract", "rule", "section", "party", "message_contains")
NULLABLE_FIELDS = ("key", "due", "cured")
PATTERN_KEYS = (
    "contract", "rule", "key", "section", "party", "status", "due", "amount",
    "facts", "facts_include", "message_contains", "cured",
)  # fmt: skip
STATUSES = tuple(s.value for s in Status)
_DUE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?")


@dataclass(frozen=True)
class Pattern:
    """One expected finding: the fields given, each compared only when given."""

    fields: dict[str, Any]  # amount as Decimal (or None), facts as tuples
    loc: Location


@dataclass(frozen=True)
class Case:
    """The findings asserted at the end of one as-of day (None: that assertion not made)."""

    as_of: date
    loc: Location
    expect: tuple[Pattern, ...] | None = None
    breaches: tuple[Pattern, ...] | None = None
    findings: tuple[Pattern, ...] | None = None


@dataclass(frozen=True)
class RuleTest:
    """One named test: rules, facts and the cases to check."""

    file: str
    name: str
    loc: Location
    contracts: tuple[Contract, ...]
    facts: tuple[Fact, ...]
    rules: frozenset[str] | None  # the rule ids looked at (None: every rule)
    cases: tuple[Case, ...]

    @property
    def id(self) -> str:
        """``path::name``, as printed and as matched by ``--run``."""
        return f"{self.file}::{self.name}"


@dataclass(frozen=True)
class RuleTestFile:
    """A loaded test file: its tests in file order."""

    path: str
    tests: tuple[RuleTest, ...]


def display_path(path: str | Path) -> str:
    """``path`` relative to the working folder when it is inside it, else absolute."""
    rel = os.path.relpath(os.path.abspath(path))
    return os.path.abspath(path) if rel == ".." or rel.startswith("../") else rel


def _string(value: Any) -> tuple[str, Any]:
    if isinstance(value, str):
        return "", value
    return f"must be a string, not {value_words(value)} (quote it)", None


def _nullable(value: Any) -> tuple[str, Any]:
    return ("", None) if value is None else _string(value)


def _due(value: Any) -> tuple[str, Any]:
    problem, normal = _nullable(value)
    if not problem and normal is not None and not _DUE_RE.fullmatch(normal):
        problem = "must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an offset (-05:00), or null"
    return problem, normal


def _status(value: Any) -> tuple[str, Any]:
    if value in STATUSES:
        return "", value
    return f"must be one of {', '.join(STATUSES)}, not {value_words(value)}", None


def _amount(value: Any) -> tuple[str, Any]:
    if value is None:
        return "", None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).replace("_", ""))
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return "", number
    return f"must be a number or null, not {value_words(value)}", None


def _ids(value: Any) -> tuple[str, Any]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "", tuple(value)
    return f"must be a list of fact ids, not {value_words(value)}", None


FIELD_CHECKS: dict[str, Callable[[Any], tuple[str, Any]]] = {
    **dict.fromkeys(STRING_FIELDS, _string),
    **dict.fromkeys(NULLABLE_FIELDS, _nullable),
    "due": _due,
    "status": _status,
    "amount": _amount,
    "facts": _ids,
    "facts_include": _ids,
}
