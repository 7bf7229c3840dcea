"""Bad input gets `path:line[:col]: message` on stderr and exit 2, every problem, sorted.

The cases are the files of ``tests/bad_inputs/`` (one problem a file, plus files with
several); their expected diagnostics are the table ``tests/bad_inputs/expected.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
BAD = ROOT / "tests" / "bad_inputs"
EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "expected.yaml").read_text("utf-8"))
RULE_CASES = sorted(k for k in EXPECTED if k.startswith("rules/"))
FACT_CASES = sorted(k for k in EXPECTED if k.startswith("facts/"))
GOOD_FACT = '{"id": "g-1", "type": "agreement_accepted", "at": "2000-03-03"}\n'
_LOCATION = re.compile(r"(.*?):(\d+)(?::(\d+))?: ")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sort_key(line: str) -> tuple[str, int, int]:
    m = _LOCATION.match(line)
    assert m, f"not `path:line[:col]: message`: {line!r}"
    return m[1], int(m[2]), int(m[3] or 0)


def assert_diagnostics(err: str, path: str, expected: list[str]) -> None:
    """Every expected diagnostic is printed, in this order, and nothing else is."""
    lines = err.splitlines()
    assert lines, "nothing on stderr"
    assert lines == sorted(lines, key=sort_key), "diagnostics not sorted by location"
    matched: list[int] = []
    for entry in expected:
        where, _, fragment = entry.partition(": ")
        prefix = f"{path}:{where}: "
        hits = [i for i, line in enumerate(lines) if line.startswith(prefix) and fragment in line]
        assert hits, f"missing `{prefix}...{fragment}` in:\n{err}"
        matched.append(hits[0])
    assert matched == sorted(matched), f"expected order {expected} differs from:\n{err}"
    unexpected = [line for i, line in enumerate(lines) if i not in matched]
    assert not unexpected, f"diagnostics not in expected.yaml: {unexpected}"


def test_every_bad_input_file_has_an_entry() -> None:
    files = {f"{p.parent.name}/{p.name}" for p in BAD.glob("*/*") if p.is_file()}
    assert files == set(EXPECTED)
    assert all(EXPECTED[name] for name in EXPECTED)


@pytest.mark.parametrize("case", RULE_CASES)
def test_validate_bad_rule_file(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(BAD / case)
    code, out, err = run(capsys, "validate", path)
    assert code == 2
    assert out == ""
    assert_diagnostics(err, path, EXPECTED[case])


@pytest.mark.parametrize("case", RULE_CASES)
def test_check_bad_rule_file(case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    facts = tmp_path / "good.jsonl"
    facts.write_text(GOOD_FACT, "utf-8")
    path = str(BAD / case)
    argv = ["check", "--rules", path, "--facts", str(facts), "--as-of", "2000-12-31"]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert_diagnostics(err, path, EXPECTED[case])


@pytest.mark.parametrize("case", FACT_CASES)
def test_validate_bad_fact_log(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(BAD / case)
    code, out, err = run(capsys, "validate", str(RULES), path)
    assert code == 2
    assert out == ""
    assert_diagnostics(err, path, EXPECTED[case])


@pytest.mark.parametrize("case", FACT_CASES)
def test_check_bad_fact_log(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(BAD / case)
    argv = ["check", "--rules", str(RULES), "--facts", path, "--as-of", "2000-12-31"]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert_diagnostics(err, path, EXPECTED[case])


def test_all_bad_rule_files_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    """A folder of broken rule files: the problems of every file, sorted by path."""
    code, out, err = run(capsys, "validate", str(BAD / "rules"))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines == sorted(lines, key=sort_key)
    for case in RULE_CASES:
        path = str(BAD / case)
        assert_diagnostics(
            "\n".join(x for x in lines if x.startswith(f"{path}:")), path, EXPECTED[case]
        )


# --- files that cannot be read ------------------------------------------------------


def test_missing_rule_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.yaml")
    code, out, err = run(capsys, "validate", missing)
    assert code == 2
    assert out == ""
    assert err.strip() == f"{missing}: cannot read rule file: No such file or directory"


def test_missing_fact_log(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.jsonl")
    argv = ["check", "--rules", str(RULES), "--facts", missing, "--as-of", "2000-12-31"]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.strip() == f"{missing}: cannot read fact log: No such file or directory"


def test_fact_log_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "latin1.jsonl"
    log.write_bytes(GOOD_FACT.encode() + b'{"id": "caf\xe9", "type": "closing"}\n')
    code, out, err = run(capsys, "validate", str(RULES), str(log))
    assert code == 2
    assert err.strip() == f"{log}:2: cannot read fact log: not UTF-8 text (byte 0xe9)"


def test_folder_without_rule_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "check", "--rules", str(tmp_path), "--as-of", "2000-12-31")
    assert code == 2
    assert out == ""
    assert err.strip() == f"{tmp_path}: no rule files (.yaml, .yml) found"


def test_misnamed_fact_log_in_folder_is_not_skipped_silently(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "a.jsonl").write_text(GOOD_FACT, "utf-8")
    (tmp_path / "b.json").write_text(GOOD_FACT, "utf-8")
    code, out, err = run(capsys, "validate", str(RULES), str(tmp_path))
    assert code == 2
    assert err.strip() == f"{tmp_path / 'b.json'}: not read: a fact log's name must end in .jsonl"


def test_validate_folder_of_fact_logs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A folder given to validate has its fact logs checked (against rules/)."""
    (tmp_path / "a.jsonl").write_text(GOOD_FACT + '{"type": "closing"}\n', "utf-8")
    code, out, err = run(capsys, "validate", str(tmp_path))
    assert code == 2
    assert err.strip() == f"{tmp_path / 'a.jsonl'}:2: fact has no `at` (its date or date-time)"


def test_validate_good_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("\ufeff" + GOOD_FACT + "\n", "utf-8")  # BOM, blank line
    code, out, err = run(capsys, "validate", str(RULES), str(tmp_path / "a.jsonl"))
    assert (code, err) == (0, "")
    assert out.startswith("ok: 1 rule file(s), 1 fact log(s)")


# --- arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2000-02-30", "--as-of: impossible date 2000-02-30"),
        ("2001-02-29", "--as-of: impossible date 2001-02-29"),
        ("2000/12/31", "--as-of: malformed date '2000/12/31': expected YYYY-MM-DD"),
        ("", "--as-of: malformed date ''"),
    ],
)
def test_bad_as_of(
    as_of: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    facts = tmp_path / "good.jsonl"
    facts.write_text(GOOD_FACT, "utf-8")
    argv = ["check", "--rules", str(RULES), "--facts", str(facts), "--as-of", as_of]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert len(err.splitlines()) == 1


def test_bad_as_of_and_bad_facts_are_both_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(BAD / "facts" / "dst-gap.jsonl")
    argv = ["check", "--rules", str(RULES), "--facts", path, "--as-of", "2000-02-30"]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("--as-of: impossible date 2000-02-30")
    assert lines[1].startswith(f"{path}:2:40: `at`: nonexistent local time")
    assert len(lines) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--format", "xml"],
        ["check", "--as-of"],
        ["validate"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "error:" in err


# --- validate catches what check rejects ------------------------------------------


@pytest.mark.parametrize("case", RULE_CASES + FACT_CASES)
def test_validate_and_check_report_the_same_problems(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every bad input: `validate` prints exactly what `check` prints, both exit 2."""
    facts = tmp_path / "good.jsonl"
    facts.write_text(GOOD_FACT, "utf-8")
    path = str(BAD / case)
    rules, log = (path, str(facts)) if case.startswith("rules/") else (str(RULES), path)
    check = run(capsys, "check", "--rules", rules, "--facts", log, "--as-of", "2000-12-31")
    validate = run(capsys, "validate", rules, log)
    assert check[0] == validate[0] == 2
    assert check[2] == validate[2]
    assert_diagnostics(validate[2], path, EXPECTED[case])
