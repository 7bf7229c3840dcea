"""A pytest plugin collecting rule unit tests (YAML files beside the rules) as pytest items.

Load it with ``-p engine.ruletests.pytest_plugin`` (the project's ``pyproject.toml`` does, in
``addopts``, and lists ``rules/tests`` in ``testpaths``). Files whose path relative to
the rootdir matches a pattern of the ``ruletest_files`` ini option (default
``rules/tests/*.yaml`` and ``rules/tests/*.yml``; ``*`` also crosses ``/``) are test files;
each test in them is an item ``path::name``, with the same failure text as
``clausewatch test``. A malformed test file is a collection error listing every problem
as ``path:line:col: message``.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from engine.diagnostics import InputError, render
from engine.ruletests.load import load_test_file
from engine.ruletests.model import RuleTest, display_path
from engine.ruletests.run import run_test

DEFAULT_PATTERNS = ["rules/tests/*.yaml", "rules/tests/*.yml"]


class RuleTestFailed(Exception):
    """A rule test whose findings were not those expected; the text says how."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``ruletest_files`` ini option."""
    parser.addini(
        "ruletest_files",
        type="linelist",
        default=DEFAULT_PATTERNS,
        help="glob patterns, relative to the rootdir, of ClauseWatch rule test files",
    )


def is_rule_test_file(file_path: Path, config: pytest.Config) -> bool:
    """True if ``file_path`` matches one of the ``ruletest_files`` patterns."""
    if file_path.suffix not in (".yaml", ".yml"):
        return False
    try:
        rel = file_path.resolve().relative_to(config.rootpath.resolve()).as_posix()
    except ValueError:
        return False
    return any(fnmatch(rel, pattern) for pattern in config.getini("ruletest_files"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a rule test file."""
    if is_rule_test_file(file_path, parent.config):
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestFile(pytest.File):
    """A YAML file of rule tests."""

    def collect(self) -> Iterator[RuleTestItem]:
        """One item per test; every problem of the file as a collection error."""
        try:
            loaded = load_test_file(display_path(self.path))
        except InputError as exc:
            raise self.CollectError(render(exc.diagnostics)) from None
        for test in loaded.tests:
            yield RuleTestItem.from_parent(self, name=test.name, test=test)


class RuleTestItem(pytest.Item):
    """One rule test: its cases evaluated and checked."""

    def __init__(self, *, test: RuleTest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test

    def runtest(self) -> None:
        """Evaluate every case; raise :class:`RuleTestFailed` with the diff if one fails."""
        outcome = run_test(self.test)
        if not outcome.passed:
            raise RuleTestFailed("\n\n".join(outcome.failures))

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        """The diff of expected and actual findings, without a Python traceback."""
        if isinstance(excinfo.value, RuleTestFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the test is written (0-based line), and its id."""
        return self.path, self.test.loc.line - 1, f"rule test {self.test.id}"
