"""Shared helpers: write facts as JSON lines to a temporary file, evaluate, pick findings.

Evaluations run in the test process. (durable_rules, native code underneath, once
crashed at random on a pattern shape the compiler no longer emits: see
``engine.compile.ruleset.closing_guard``. A crash now fails the run loudly, as it should.)
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from engine.cli import main
from engine.diagnostics import InputError
from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Contract, Finding, Result

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"

FactLine = dict[str, Any] | str  # a fact object, or a raw line written as is

# The calendars' days kept on disk (engine.days.calendar_cache) go to a folder of the test
# session's own, never the user's: the first use builds them, later ones (commands run in
# child processes too) read them back.
_CACHE = tempfile.mkdtemp(prefix="cw-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture(scope="session")
def contracts() -> list[Contract]:
    """The repository's rule files, loaded once.

    The compiled rulesets and the day calendars are cached per process: warm them once.
    """
    loaded = load_contracts([str(RULES)])
    with contextlib.suppress(Exception):  # only a speed-up: never fail the session here
        from engine.days.calendars import get_calendar
        from engine.run.driver import compiled

        for contract in loaded:
            compiled(contract)
            for name in contract.calendars.values():
                get_calendar(name).days_after(date(2000, 1, 3), date(2000, 1, 10))
    return loaded


@pytest.fixture
def write_facts(tmp_path: Path) -> Callable[[Iterable[FactLine]], Path]:
    """Write facts, one JSON object a line, in the order given; returns the file."""
    counter = itertools.count(1)

    def write(facts: Iterable[FactLine]) -> Path:
        path = tmp_path / f"facts-{next(counter)}.jsonl"
        lines = [f if isinstance(f, str) else json.dumps(f) for f in facts]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def _evaluate(contracts: list[Contract], path: str, as_of: date) -> Result:
    result = evaluate(contracts, read_facts([path], contracts), as_of)
    if result.unchecked:
        raise InputError(result.problems)
    return result


@pytest.fixture
def run(
    contracts: list[Contract], write_facts: Callable[[Iterable[FactLine]], Path]
) -> Callable[[Iterable[FactLine], date | str], Result]:
    """Evaluate the repository's rules against ``facts`` as at the end of ``as_of``."""

    def _run(facts: Iterable[FactLine], as_of: date | str) -> Result:
        day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        path = write_facts(facts)
        return _evaluate(contracts, str(path), day)

    return _run


@pytest.fixture
def findings(
    run: Callable[[Iterable[FactLine], date | str], Result],
) -> Callable[[str, Iterable[FactLine], date | str], list[Finding]]:
    """The findings of one rule id."""

    def _findings(rule: str, facts: Iterable[FactLine], as_of: date | str) -> list[Finding]:
        return [f for f in run(facts, as_of).findings if f.rule == rule]

    return _findings


@pytest.fixture
def finding(
    findings: Callable[[str, Iterable[FactLine], date | str], list[Finding]],
) -> Callable[[str, Iterable[FactLine], date | str], Finding]:
    """The single finding of one rule id (fails if there is not exactly one)."""

    def _finding(rule: str, facts: Iterable[FactLine], as_of: date | str) -> Finding:
        found = findings(rule, facts, as_of)
        assert len(found) == 1, f"expected one {rule} finding, got {found}"
        return found[0]

    return _finding


def _main(argv: Sequence[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli() -> Callable[[Sequence[str]], tuple[int, str, str]]:
    """Run ``engine.cli.main(argv)``: exit status, standard output, standard error."""

    def _cli(argv: Sequence[str]) -> tuple[int, str, str]:
        return _main(list(argv))

    return _cli


def portfolio_module() -> ModuleType:
    """``scripts/portfolio.py`` (the seeded portfolio generator), imported."""
    spec = importlib.util.spec_from_file_location("portfolio", ROOT / "scripts" / "portfolio.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("portfolio", module)
    spec.loader.exec_module(module)
    return module


def generate_portfolio(out: Path, *args: str) -> Path:
    """A portfolio generated into ``out`` by ``scripts/portfolio.py ARGS`` in a child process."""
    script = ROOT / "scripts" / "portfolio.py"
    argv = [sys.executable, str(script), *args, "--out", str(out)]
    subprocess.run(argv, check=True, capture_output=True)
    return out
