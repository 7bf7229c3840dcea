"""Every example of the README is reproducible from the bundled files (issue 10).

Each fenced ```console block of README.md is run: a line ``$ clausewatch ARGS`` is run
from the repository root through ``engine.cli.main`` (the same as the console script),
and what it prints (standard output, then standard error) must match the lines under it,
up to the next ``$`` line or the end of the block:

- a line ``...`` stands for any number of lines (none included);
- a line ending in ``...`` stands for one line starting with what comes before;
- any other line must be equal (trailing spaces aside).

The annotated rule test of the README must equal the first test of
``rules/tests/funding-deadline.yaml`` (comments aside).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[a-z]*)\s*$")


@dataclass(frozen=True)
class Example:
    """One ``$`` command of a console block and the lines expected under it."""

    line: int  # of the command in README.md
    command: str
    expected: tuple[str, ...]


def blocks(lang: str) -> list[tuple[int, list[str]]]:
    """Every fenced block of a language: (line of its first body line, its lines)."""
    found, current, indent, start = [], None, "", 0
    for n, line in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        m = FENCE.match(line)
        if current is None and m and m["lang"] == lang:
            current, indent, start = [], m["indent"], n + 1
        elif current is not None and m and m["indent"] == indent and not m["lang"]:
            found.append((start, current))
            current = None
        elif current is not None:
            current.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
    assert current is None, f"README.md:{start}: a ```{lang} block is not closed"
    return found


def examples() -> list[Example]:
    found = []
    for start, lines in blocks("console"):
        commands = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        assert commands and commands[0] == 0, f"README.md:{start}: a console block starts with $"
        for i, end in zip(commands, [*commands[1:], len(lines)], strict=True):
            found.append(Example(start + i, lines[i][2:], tuple(lines[i + 1 : end])))
    return found


def matches(expected: tuple[str, ...], actual: tuple[str, ...]) -> bool:
    """Whether ``actual`` lines fit the ``expected`` pattern lines."""
    if not expected:
        return not actual
    head, rest = expected[0].rstrip(), expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    line = actual[0].rstrip()
    ok = line.startswith(head[:-3]) if head.endswith("...") else line == head
    return ok and matches(rest, actual[1:])


def run(command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "clausewatch", f"not a clausewatch command: {command}"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(argv[1:])
    return out.getvalue() + err.getvalue()


EXAMPLES = examples()


def test_the_readme_has_its_examples() -> None:
    commands = " ".join(e.command for e in EXAMPLES)
    for needed in ("check", "explain", "upcoming", "validate", "test", "--format json",
                   "--format csv", "--status"):  # fmt: skip
        assert needed in commands


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
def test_readme_example(example: Example, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CLAUSEWATCH_HISTORY", raising=False)
    actual = tuple(run(example.command).splitlines())
    assert matches(example.expected, actual), (
        f"README.md:{example.line}: `{example.command}` printed:\n" + "\n".join(actual)
    )


def test_the_annotated_rule_test_is_the_bundled_one() -> None:
    [shown] = [lines for _, lines in blocks("yaml") if any("accepted-friday" in x for x in lines)]
    readme = yaml.safe_load("\n".join(shown))
    bundled = yaml.safe_load((ROOT / "rules/tests/funding-deadline.yaml").read_text())
    assert {k: readme[k] for k in ("rule_files", "rules")} == {
        k: bundled[k] for k in ("rule_files", "rules")
    }
    assert readme["tests"] == bundled["tests"][:1]


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (("a", "...", "d"), ("a", "b", "c", "d"), True),
        (("a", "...", "d"), ("a", "d"), True),
        (("a", "b..."), ("a", "bcd"), True),
        (("a", "b..."), ("a", "xb"), False),
        (("a",), ("a", "b"), False),
        (("a", "..."), ("a",), True),
    ],
)
def test_the_matching_rules(expected: tuple[str, ...], actual: tuple[str, ...], ok: bool) -> None:
    assert matches(expected, actual) is ok
