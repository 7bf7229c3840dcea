"""Running rule unit tests: each case evaluated at its as-of date, findings matched, diffs shown.

Test files are loaded and checked by :mod:`engine.ruletests.load`. A case passes when every
assertion it makes holds (see that module for ``expect``, ``breaches`` and ``findings``).
Patterns and findings are paired one to one (a bipartite matching), so two identical
patterns need two findings. A failure says, for every pattern left unpaired, the nearest
finding and the fields that differ; for every finding left over, that it was not expected;
then lists the findings in scope, written as patterns, ready to paste into the test.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from engine.diagnostics import Diagnostic, InputError, render
from engine.evaluate import evaluate
from engine.model import Finding
from engine.ruletests.load import find_test_files, load_test_file
from engine.ruletests.model import Case, Pattern, RuleTest

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.()/-]*|\d{4}-\d{2}-\d{2}")
_WORDS = ("null", "true", "false", "yes", "no", "on", "off", "~")


@dataclass(frozen=True)
class Outcome:
    """The result of one test: a text block per failed case (none: it passed)."""

    test: RuleTest
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True if every case held."""
        return not self.failures


def _scalar(value: Any) -> str:
    """A value as YAML flow text that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if not isinstance(value, str):
        return str(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow(fields: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in fields.items()) + "}"


def finding_fields(f: Finding, with_contract: bool = False) -> dict[str, Any]:
    """A finding as the pattern that matches it exactly (``cured`` only when set)."""
    fields = {
        "contract": f.contract,
        "rule": f.rule,
        "key": f.key,
        "status": f.status.value,
        "due": f.due,
        "amount": f.amount,
        "facts": list(f.facts),
        "cured": f.cured,
    }
    if not with_contract:
        del fields["contract"]
    if f.cured is None:
        del fields["cured"]
    return fields


def differences(fields: dict[str, Any], f: Finding) -> list[str]:
    """Each given field of a pattern that ``f`` does not have, in words (empty: it matches)."""
    found = []
    for key, want in fields.items():
        if key == "message_contains":
            if want not in f.message:
                found.append(f"message_contains: {_scalar(want)} not in the message")
            continue
        if key == "facts_include":
            missing = [i for i in want if i not in f.facts]
            if missing:
                found.append(f"facts_include: {_scalar(missing)} not among {_scalar(f.facts)}")
            continue
        got: Any = getattr(f, key)
        if key == "status":
            got = got.value
        elif key == "facts":
            got = tuple(got)
        if got != want:
            found.append(f"{key}: expected {_scalar(want)}, got {_scalar(got)}")
    return found


def pair(patterns: Sequence[dict[str, Any]], findings: Sequence[Finding]) -> dict[int, int]:
    """A largest one-to-one pairing of patterns with findings they match: {pattern: finding}."""
    fits = [[j for j, f in enumerate(findings) if not differences(p, f)] for p in patterns]
    owner: dict[int, int] = {}  # finding -> pattern

    def place(i: int, seen: set[int]) -> bool:
        for j in fits[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or place(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(patterns)):
        place(i, set())
    return {i: j for j, i in owner.items()}


def _assertion(
    name: str, patterns: tuple[Pattern, ...], scoped: list[Finding], contracts: bool
) -> list[str]:
    """Lines saying what is wrong with one assertion of a case (empty: it holds)."""
    implied = {"status": "breached"} if name == "breaches" else {}
    wanted = [{**p.fields, **implied} for p in patterns]
    exact = name != "expect"
    targets = [f for f in scoped if f.status.value == "breached"] if implied else scoped
    pairs = pair(wanted, targets)
    used = set(pairs.values())
    in_targets = {id(f) for f in targets}
    others = [f for f in scoped if id(f) not in in_targets]  # nearest candidates too
    lines, shown = [], set()
    for i, p in enumerate(patterns):
        if i in pairs:
            continue
        lines.append(f"    - expected (line {p.loc.line}): {_flow(p.fields)}")
        free = [f for j, f in enumerate(targets) if j not in used] + others
        if not free:
            lines.append("        nearest: none (no finding left to match)")
            continue
        nearest = min(free, key=lambda f: len(differences(wanted[i], f)))
        shown.add(id(nearest))
        lines.append(f"        nearest: {_flow(finding_fields(nearest, contracts))}")
        lines += [f"        {d}" for d in differences(wanted[i], nearest)]
    if exact:
        for j, f in enumerate(targets):
            if j not in used and id(f) not in shown:
                lines.append(f"    + unexpected: {_flow(finding_fields(f, contracts))}")
    if lines:
        what = {
            "expect": "each pattern must match a finding of its own",
            "breaches": "exactly these breached findings",
            "findings": "exactly these findings",
        }[name]
        count = f"{len(patterns)} expected, {len(targets)} found, {len(pairs)} matched"
        lines.insert(0, f"  {name} ({what}): {count}")
    return lines


def check_case(test: RuleTest, case: Case, findings: Iterable[Finding]) -> str:
    """What is wrong with the findings at the case's as-of date (empty: the case holds)."""
    scoped = [f for f in findings if test.rules is None or f.rule in test.rules]
    contracts = len({i.id for c in test.contracts for i in c.instances}) > 1
    lines = []
    for name in ("expect", "breaches", "findings"):
        patterns = getattr(case, name)
        if patterns is not None:
            lines += _assertion(name, patterns, scoped, contracts)
    if not lines:
        return ""
    scope = f" (rules: {', '.join(sorted(test.rules))})" if test.rules is not None else ""
    lines.insert(0, f"{case.loc}: as of {case.as_of}:")
    lines.append(f"  findings at the end of {case.as_of}{scope}:")
    for f in scoped:
        lines.append(f"    {_flow(finding_fields(f, contracts))}")
        lines.append(f"      # {f.message}")
    if not scoped:
        lines.append("    (none)")
    return "\n".join(lines)


def run_test(test: RuleTest) -> Outcome:
    """Evaluate the test's facts at each case's as-of date and check the findings."""
    failures = []
    for case in test.cases:
        result = evaluate(list(test.contracts), list(test.facts), case.as_of)
        if result.unchecked:
            text = textwrap.indent(render(result.problems), "    ")
            failures.append(f"{case.loc}: as of {case.as_of}: evaluation failed:\n{text}")
            continue
        problem = check_case(test, case, result.findings)
        if problem:
            failures.append(problem)
    return Outcome(test, tuple(failures))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def load_tests(paths: list[str]) -> tuple[list[RuleTest], int, list[Diagnostic]]:
    """Every test of the files named, the number of files, and every problem found."""
    files, problems = find_test_files(paths)
    tests: list[RuleTest] = []
    for path in files:
        try:
            tests += load_test_file(path).tests
        except InputError as exc:
            problems += exc.diagnostics
    return tests, len(files), problems


def run_rule_tests(
    paths: list[str], select: re.Pattern[str] | None, out: TextIO, err: TextIO
) -> int:
    """Load, select (``re.search`` on ``path::name``), run and report; the exit status.

    0: every test passed; 1: a test failed, or no test ran; 2: a test file (or a rule
    file or fact log it names) has problems, printed as ``path:line:col: message``.
    """
    tests, n_files, problems = load_tests(paths)
    if problems:
        print(render(problems), file=err)
        return EXIT_INPUT
    chosen = [t for t in tests if select is None or select.search(t.id)]
    head = f"collected {_count(len(tests), 'test')} from {_count(n_files, 'file')}"
    if select is not None:
        head += f", {len(chosen)} selected by --run"
    print(head, file=out)
    outcomes = []
    for test in chosen:
        outcome = run_test(test)
        outcomes.append(outcome)
        print(f"{test.id} ... {'PASSED' if outcome.passed else 'FAILED'}", file=out, flush=True)
    failed = [o for o in outcomes if not o.passed]
    if failed:
        print("\n" + " FAILURES ".center(80, "="), file=out)
        for o in failed:
            print(f" {o.test.id} ".center(80, "_"), file=out)
            print("\n\n".join(o.failures), file=out)
    if not chosen:
        where = ", ".join(paths)
        if not n_files:
            why = f"no test files (.yaml, .yml) in {where}"
        elif not tests:
            why = f"{_count(n_files, 'test file')} in {where}, holding no test"
        else:
            why = f"no test id matches --run {select.pattern!r} ({_count(len(tests), 'test')})"
        print(f"error: no tests ran: {why}", file=err)
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed", file=out)
    return EXIT_FAILED if failed or not chosen else EXIT_OK
