"""Rule unit tests: ``clausewatch test``, the YAML test file format, and pytest collection.

Fixtures in tests/ruletests/: a one-clause contract (mini.yaml: pay by 17:00 on the 3rd
NYSE trading day after signing) and suites that pass, fail, hold no test, or are
malformed. Signed Fri 2000-03-03, payment is due Wed 2000-03-08 17:00 EST (Mon 6, Tue 7,
Wed 8), worked by hand.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from engine.cli import main
from engine.model import Finding, Status
from engine.ruletests.load import load_test_file
from engine.ruletests.run import differences, pair

ROOT = Path(__file__).resolve().parent.parent
SUITES = ROOT / "tests" / "ruletests"
DUE = "2000-03-08T17:00:00-05:00"


@pytest.fixture(autouse=True)
def at_root() -> Iterator[None]:
    """Run from the repository root, as a user would: paths print relative to it."""
    before = os.getcwd()
    os.chdir(ROOT)
    yield
    os.chdir(before)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["test", *argv])
    return code, out.getvalue(), err.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A temporary folder with the one-clause contract in it."""
    shutil.copy(SUITES / "mini.yaml", tmp_path / "mini.yaml")
    return tmp_path


# --- the runner on the fixture suites ----------------------------------------------------


def test_passing_suite():
    code, out, err = cli("tests/ruletests/passing")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "tests/ruletests/passing/payment.yaml::open-then-breached ... PASSED" in lines
    assert "tests/ruletests/passing/payment.yaml::paid-on-time ... PASSED" in lines
    assert "tests/ruletests/passing/payment.yaml::paid-late-from-a-fact-log ... PASSED" in lines
    assert lines[-1] == "3 passed, 0 failed"


def test_failing_suite_shows_a_diff():
    code, out, _ = cli("tests/ruletests/failing")
    assert code == 1
    lines = out.splitlines()
    assert "tests/ruletests/failing/payment.yaml::right ... PASSED" in lines
    assert "tests/ruletests/failing/payment.yaml::wrong ... FAILED" in lines
    assert lines[-1] == "1 passed, 1 failed"
    # Case 1: the due date differs; the nearest finding and the differing field are shown.
    assert "tests/ruletests/failing/payment.yaml:16:9: as of 2000-03-07:" in out
    assert '- expected (line 17): {status: open, due: "2000-03-08T17:00:00-04:00"}' in out
    assert f'nearest: {{rule: payment, key: null, status: open, due: "{DUE}"' in out
    assert f'due: expected "2000-03-08T17:00:00-04:00", got "{DUE}"' in out
    # Case 2: `breaches: []` but the payment was breached at the end of Thu 9 Mar.
    assert "tests/ruletests/failing/payment.yaml:18:9: as of 2000-03-09:" in out
    assert "breaches (exactly these breached findings): 0 expected, 1 found, 0 matched" in out
    assert f'+ unexpected: {{rule: payment, key: null, status: breached, due: "{DUE}"' in out
    # The findings at that date, written as patterns, with their messages.
    assert "findings at the end of 2000-03-09:" in out
    assert "# Breached: no price paid by the deadline 2000-03-08 17:00 EST" in out


def test_empty_suite_fails_with_a_message():
    code, out, err = cli("tests/ruletests/empty")
    assert code == 1
    assert out.splitlines()[-1] == "0 passed, 0 failed"
    assert "no tests ran" in err
    assert "holding no test" in err


def test_folder_without_test_files_fails(tmp_path: Path):
    code, out, err = cli(str(tmp_path))
    assert code == 1
    assert out.splitlines()[-1] == "0 passed, 0 failed"
    assert f"no tests ran: no test files (.yaml, .yml) in {tmp_path}" in err


def test_run_selects_by_regex():
    code, out, _ = cli("tests/ruletests/failing", "--run", "::right$")
    assert code == 0
    assert "::right ... PASSED" in out
    assert "::wrong" not in out
    assert out.splitlines()[-1] == "1 passed, 0 failed"


def test_run_matching_nothing_fails():
    code, out, err = cli("tests/ruletests/passing", "--run", "no-such-test")
    assert code == 1
    assert out.splitlines()[-1] == "0 passed, 0 failed"
    assert "no test id matches --run 'no-such-test' (3 tests)" in err


def test_run_bad_regex_is_bad_usage():
    code, _, err = cli("tests/ruletests/passing", "--run", "(")
    assert code == 2
    assert err.startswith("--run: not a regular expression")


def test_malformed_file_exit_2():
    code, out, err = cli("tests/ruletests/malformed")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "tests/ruletests/malformed/bad.yaml:7:21: unknown rule id `paymnet`; "
        "did you mean `payment`?",
        "tests/ruletests/malformed/bad.yaml:7:38: `status` must be one of "
        + ", ".join(s.value for s in Status)
        + ', not the string "opne"',
    ]


def test_missing_path_exit_2():
    code, _, err = cli("tests/ruletests/nowhere")
    assert code == 2
    assert "tests/ruletests/nowhere: no such test file or folder" in err


def test_default_path_is_rules_tests():
    # (The seed rule tests themselves run as pytest items; one is enough here.)
    code, out, _ = cli("--run", "funding-deadline.yaml::accepted-friday$")
    assert code == 0, out
    assert "rules/tests/funding-deadline.yaml::accepted-friday ... PASSED" in out
    assert out.splitlines()[-1] == "1 passed, 0 failed"


def test_rules_folder_skips_rule_files_and_finds_its_tests():
    code, out, _ = cli("rules", "--run", "closing-date.yaml::conditions-before-good-friday$")
    assert code == 0, out
    assert "rules/tests/closing-date.yaml::conditions-before-good-friday ... PASSED" in out


def test_a_rule_file_named_is_not_a_test_file():
    code, _, err = cli("tests/ruletests/mini.yaml")
    assert code == 2
    assert "mini.yaml:2:1: a rule file, not a test file" in err


# --- facts: inline or from a fact log ----------------------------------------------------

TWO_WAYS = """\
    rule_files: [mini.yaml]
    tests:
      - name: inline
        facts:
          - {id: s, type: signed, at: "2000-03-03T10:00"}
          - {id: p, type: paid, at: "2000-03-08T17:01", amount: 100}
        as_of: 2000-03-31
        breaches: [{rule: payment, due: "2000-03-08T17:00:00-05:00", facts: [s, p]}]
      - name: from-a-log
        facts: facts/late.jsonl
        as_of: 2000-03-31
        breaches: [{rule: payment, due: "2000-03-08T17:00:00-05:00", facts: [s, p]}]
"""


def test_inline_facts_and_fact_log_give_the_same_result(suite: Path):
    write(suite, "t.yaml", TWO_WAYS)
    log = suite / "facts" / "late.jsonl"
    log.parent.mkdir()
    log.write_text(
        '{"id": "s", "type": "signed", "at": "2000-03-03T10:00"}\n'
        '{"id": "p", "type": "paid", "at": "2000-03-08T17:01", "amount": 100}\n'
    )
    code, out, _ = cli(str(suite / "t.yaml"))
    assert code == 0, out
    assert out.splitlines()[-1] == "2 passed, 0 failed"


def test_file_facts_are_shared_and_test_facts_added(suite: Path):
    path = write(
        suite,
        "t.yaml",
        """\
        rule_files: [mini.yaml]
        facts: [{id: s, type: signed, at: "2000-03-03T10:00"}]
        tests:
          - name: shared-only
            as_of: 2000-03-31
            breaches: [{rule: payment}]
          - name: with-payment
            facts: [{id: p, type: paid, at: "2000-03-07", amount: 1}]
            as_of: 2000-03-31
            breaches: []
        """,
    )
    loaded = load_test_file(str(path))
    assert [[f.id for f in t.facts] for t in loaded.tests] == [["s"], ["s", "p"]]
    assert [[f.seq for f in t.facts] for t in loaded.tests] == [[1], [1, 2]]
    assert cli(str(path))[0] == 0


def test_inline_fact_problems_point_into_the_yaml(suite: Path):
    path = write(
        suite,
        "t.yaml",
        """\
        rule_files: [mini.yaml]
        tests:
          - name: x
            facts:
              - {id: s, type: signd, at: "2000-03-03T10:00"}
              - {id: p, type: paid, at: "2000-03-08", amount: -1, colour: red}
              - {id: p, type: paid, at: "2000-03-09", amount: 1}
            as_of: 2000-03-31
            breaches: []
        """,
    )
    code, _, err = cli(str(path))
    assert code == 2
    assert err.splitlines() == [
        f"{path}:5:23: unknown fact type `signd`; did you mean `signed`?",
        f"{path}:6:55: field `amount` must be at least 0, not -1",
        f"{path}:6:59: `paid` has no field `colour`",
        f"{path}:7:14: duplicate fact id `p` (first at line 6)",
    ]


def test_fact_log_problems_point_into_the_log(suite: Path):
    write(suite, "t.yaml", "rule_files: [mini.yaml]\nfacts: f.jsonl\ntests: []\n")
    (suite / "f.jsonl").write_text('{"type": "signed"}\n')
    code, _, err = cli(str(suite / "t.yaml"))
    assert code == 2
    assert f"{suite / 'f.jsonl'}:1: fact has no `at`" in err


# --- the format: malformed files -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "rule_files: [nope.yaml]\ntests: []\n",
            "1:14: rule file `nope.yaml` not found",
            id="missing-rule-file",
        ),
        pytest.param("tests: []\n", "1:1: missing required key `rule_files`", id="no-rule-files"),
        pytest.param(
            "rule_files: [mini.yaml]\ntest: []\n",
            "2:1: unknown key `test` in a test file (allowed: rule_files, rules, facts, tests); "
            "did you mean `tests`?",
            id="unknown-key",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\nrules: [paymnt]\ntests: []\n",
            "2:9: unknown rule id `paymnt`; did you mean `payment`?",
            id="unknown-rule-id",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - {name: a, as_of: 2000-02-30, breaches: []}\n",
            "3:22: `as_of`: impossible date",
            id="impossible-as-of",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - {name: a, as_of: 2000-03-01, expect: []}\n",
            "3:42: `expect: []` asserts nothing: write `breaches: []` (nothing breached) or "
            "`findings: []` (no finding at all)",
            id="empty-expect",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - {name: a, as_of: 2000-03-01}\n",
            "3:5: a test needs `expect`, `breaches` or `findings`",
            id="no-assertion",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - {name: a, breaches: []}\n",
            "3:5: a test needs `as_of` (YYYY-MM-DD) or `cases`",
            id="no-as-of",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n"
            "  - {name: a, as_of: 2000-03-01, breaches: [{status: met}]}\n",
            "3:54: `breaches` lists breached findings: drop `status` or use `expect`",
            id="status-in-breaches",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n"
            "  - {name: a, as_of: 2000-03-01, findings: [{due: 2000-03-08 17:00}]}\n",
            "3:51: `due` must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an offset",
            id="bad-due",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n"
            "  - {name: a, as_of: 2000-03-01, breaches: []}\n"
            "  - {name: a, as_of: 2000-03-02, breaches: []}\n",
            "4:12: duplicate test name `a` (first at line 3)",
            id="duplicate-name",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n"
            "  - name: a\n    as_of: 2000-03-01\n    cases: [{as_of: 2000-03-02, breaches: []}]\n",
            "4:5: `as_of` goes inside `cases` when a test has `cases`",
            id="cases-and-as-of",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - name: a\n    as_of: [2000\n",
            "5:1: invalid YAML",
            id="yaml-syntax",
        ),
        pytest.param("# nothing here\n", "1: empty test file", id="empty-file"),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - just a string\n",
            '3:5: a test must be a mapping, not the string "just a string"',
            id="test-not-a-mapping",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - {name: a, as_of: 2000, breaches: []}\n",
            "3:22: `as_of` must be a date YYYY-MM-DD, not 2000",
            id="as-of-a-number",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests:\n  - {name: a, cases: [[]]}\n",
            "3:23: a case must be a mapping, not a list",
            id="case-not-a-mapping",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\nrules: 7\ntests: []\n",
            "2:8: `rules` must be a rule id or a list of them, not 7",
            id="rules-not-strings",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\nfacts: {type: signed}\ntests: []\n",
            "2:8: `facts` must be a list of facts or the path of a fact log (.jsonl), "
            "not a mapping",
            id="facts-a-mapping",
        ),
        pytest.param(
            "rule_files: [mini.yaml]\ntests: [{name: a, as_of: 2000-03-01, findings: [{}]}]\n",
            "2:49: an empty pattern `{}` matches any finding: give a field",
            id="empty-pattern",
        ),
    ],
)
def test_malformed(suite: Path, text: str, expected: str):
    path = write(suite, "t.yaml", text)
    code, out, err = cli(str(path))
    assert (code, out) == (2, "")
    assert f"{path}:{expected}" in err, err


def test_every_problem_is_reported_sorted(suite: Path):
    path = write(
        suite,
        "t.yaml",
        """\
        rule_files: [mini.yaml]
        tests:
          - {name: a, as_of: 2000-13-01, breaches: []}
          - {name: b b, as_of: 2000-03-01, findings: [{amount: lots}]}
        """,
    )
    code, _, err = cli(str(path))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines == sorted(lines, key=lambda s: [int(n) for n in s.split(":")[1:3]])


# --- matching semantics ------------------------------------------------------------------


def finding(rule: str = "payment", status: Status = Status.BREACHED, **kw) -> Finding:
    fields = {
        "contract": "mini",
        "rule": rule,
        "key": None,
        "section": "1",
        "party": "buyer",
        "status": status,
        "due": DUE,
        "due_instant": None,
        "amount": None,
        "facts": ("s",),
        "message": "Breached: no price paid.",
    }
    fields.update(kw)
    return Finding(**fields)


def test_differences_in_words():
    f = finding(amount=Decimal("1200.00"), facts=("s", "p"))
    assert differences({"amount": Decimal("1200.0"), "facts": ("s", "p")}, f) == []
    assert differences({"status": "met", "key": "N1"}, f) == [
        "status: expected met, got breached",
        "key: expected N1, got null",
    ]
    assert differences({"message_contains": "paid", "facts_include": ("p",)}, f) == []
    assert differences({"message_contains": "late", "facts_include": ("x",)}, f) == [
        "message_contains: late not in the message",
        "facts_include: [x] not among [s, p]",
    ]
    assert differences({"amount": None}, f) == ["amount: expected null, got 1200.00"]


def test_pairing_is_one_to_one_and_finds_the_best():
    a, b = finding(key="N1"), finding(key="N2")
    # The loose pattern could take either finding; the tight one only N1: both are paired.
    assert pair([{"rule": "payment"}, {"key": "N1"}], [a, b]) == {0: 1, 1: 0}
    # Two identical patterns need two findings.
    assert pair([{"key": "N1"}, {"key": "N1"}], [a, b]) == {0: 0}


EXPECT_SUBSET = """\
    rule_files: [mini.yaml]
    facts: [{id: s, type: signed, at: "2000-03-03T10:00"}]
    tests:
      - name: expect-ignores-other-findings
        as_of: 2000-03-07
        expect: [{status: open}]
      - name: breaches-empty-allows-open-findings
        as_of: 2000-03-07
        breaches: []
      - name: findings-empty-means-none
        as_of: 2000-03-07
        findings: []
"""


def test_assertion_semantics(suite: Path):
    write(suite, "t.yaml", EXPECT_SUBSET)
    code, out, _ = cli(str(suite / "t.yaml"))
    assert code == 1
    results = dict(line.rsplit(" ... ", 1) for line in out.splitlines() if " ... " in line)
    results = {k.split("::")[1]: v for k, v in results.items()}
    assert results == {
        "expect-ignores-other-findings": "PASSED",
        "breaches-empty-allows-open-findings": "PASSED",
        "findings-empty-means-none": "FAILED",
    }


# --- pytest collection -------------------------------------------------------------------


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "engine.pytest_plugin", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pytest_collects_and_runs_yaml_tests(tmp_path: Path):
    shutil.copy(SUITES / "mini.yaml", tmp_path / "mini.yaml")
    (tmp_path / "rules" / "tests").mkdir(parents=True)
    shutil.copy(SUITES / "failing" / "payment.yaml", tmp_path / "rules" / "tests" / "pay.yaml")
    text = (tmp_path / "rules" / "tests" / "pay.yaml").read_text()
    (tmp_path / "rules" / "tests" / "pay.yaml").write_text(
        text.replace("../mini.yaml", "../../mini.yaml")
    )
    (tmp_path / "other.yaml").write_text("not: a test file\n")  # outside rules/tests
    done = pytest_in(tmp_path, "-q", "-rA", "-p", "no:cacheprovider")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PASSED rules/tests/pay.yaml::right" in done.stdout
    assert "FAILED rules/tests/pay.yaml::wrong" in done.stdout
    assert 'due: expected "2000-03-08T17:00:00-04:00", got "2000-03-08T17:00:00-05:00"' in (
        done.stdout
    )
    assert "1 failed, 1 passed" in done.stdout


def test_pytest_reports_a_malformed_file_as_a_collection_error(tmp_path: Path):
    shutil.copy(SUITES / "mini.yaml", tmp_path / "mini.yaml")
    write(tmp_path, "rules/tests/bad.yaml", "rule_files: [../../mini.yaml]\ntests: 3\n")
    done = pytest_in(tmp_path, "-q", "-p", "no:cacheprovider")
    assert done.returncode == 2
    assert "ERROR collecting rules/tests/bad.yaml" in done.stdout
    assert "rules/tests/bad.yaml:2:8: `tests` must be a list, not 3" in done.stdout


def test_repository_pytest_config_collects_rules_tests():
    done = pytest_in(ROOT, "--collect-only", "-q", "-p", "no:cacheprovider", "rules/tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rules/tests/funding-deadline.yaml::accepted-friday" in done.stdout
    assert "rules/tests/conversion-delivery.yaml::worked-example" in done.stdout


def test_pattern_rule_outside_the_test_rules(suite: Path):
    seed = ROOT / "rules" / "nhtc-series-j.yaml"
    path = write(
        suite,
        "t.yaml",
        f"""\
        rule_files: [{seed}]
        rules: [funding-deadline]
        tests: [{{name: a, as_of: 2000-03-01, findings: [{{rule: closing-date}}]}}]
        """,
    )
    code, _, err = cli(str(path))
    assert code == 2
    assert (
        f"{path}:3:56: rule `closing-date` is outside the test's `rules` (funding-deadline)" in err
    )
