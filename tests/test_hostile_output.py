"""What reaches a terminal or a pipe: escaped, bounded, and never a traceback.

Control characters from facts and rule files are shown escaped in the text outputs and in
diagnostics; a diagnostic quotes a bounded excerpt; a closed pipe ends the run quietly
(exit 141); an internal error exits 3 with one line (the traceback with ``--debug``);
absurd option values are usage errors.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from engine import cli as cli_module
from engine.diagnostics import MAX_MESSAGE, Diagnostic, Location, excerpt, printable
from tests.conftest import ROOT, RULES

CLI = Callable[[Sequence[str]], tuple[int, str, str]]
ESC = "\x1b[2J\x1b[31m"  # clear the screen, then red


def log(tmp_path: Path, *facts: dict | str) -> Path:
    path = tmp_path / "facts.jsonl"
    lines = [f if isinstance(f, str) else json.dumps(f) for f in facts]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


# --- escaping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, café, 5%", "plain text, café, 5%"),
        (ESC, "\\x1b[2J\\x1b[31m"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x00\x07\x7f", "\\x00\\x07\\x7f"),
        ("\x9b31m", "\\x9b31m"),  # the one-byte CSI of C1
        ("x\u2028y\u2029z\x85", "x\\u2028y\\u2029z\\x85"),
        ("\u202etxt.exe", "\\u202etxt.exe"),  # a right-to-left override
    ],
)
def test_printable_escapes_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_can_keep_line_ends() -> None:
    assert printable(f"one\ntwo{ESC}", keep="\n") == "one\ntwo\\x1b[2J\\x1b[31m"


def test_excerpt_is_short_whatever_the_value() -> None:
    nested: list = []
    inner = nested
    for _ in range(5000):
        inner.append([])
        inner = inner[0]
    assert excerpt("A" * 10_000_000) == '"' + "A" * 59 + "... (10,000,002 characters)"
    assert excerpt(nested) == "a list"
    assert excerpt(Decimal("9" * 5000)) == "9" * 60 + "... (5,000 characters)"
    assert excerpt(10**5000) == "a huge number"
    assert excerpt(2.5) == "2.5"


def test_a_diagnostic_is_escaped_and_bounded_keeping_its_end() -> None:
    d = Diagnostic(Location(f"bad{ESC}.jsonl", 3, 7), "x" * 5000 + " the problem")
    text = str(d)
    assert text.startswith("bad\\x1b[2J\\x1b[31m.jsonl:3:7: xxx")
    assert text.endswith("x the problem") and "[... 4,012 characters ...]" in text
    assert len(text) < MAX_MESSAGE + 100


def test_the_text_report_escapes_ids_and_keys(cli: CLI, tmp_path: Path) -> None:
    """A key with a line end cannot forge a line of the report; ESC never reaches it raw."""
    notice = {
        "id": f"n{ESC}",
        "type": "conversion_notice",
        "at": "2000-06-01T10:15",
        "notice_id": "N1\nbreached  2000-01-01  forged-rule",
        "delivery_date": "2000-06-06",
        "amount": 1000,
    }
    facts = log(tmp_path, notice)
    argv = ["--rules", str(RULES), "--facts", str(facts), "--as-of", "2000-06-30"]
    for command in (["check"], ["upcoming", "--days", "5"]):
        code, out, err = cli([*command, *argv])
        assert err == "" and "\x1b" not in out and "\nbreached  2000-01-01" not in out
    code, out, err = cli(["check", *argv])
    assert "N1\\nbreached  2000-01-01  forged-rule" in out and "n\\x1b[2J\\x1b[31m" in out
    code, out, err = cli(["explain", "conversion-delivery", notice["notice_id"], *argv])
    assert code == 0 and "\x1b" not in out and "\nbreached" not in out
    assert "n\\x1b[2J\\x1b[31m  conversion_notice" in out


def test_diagnostics_escape_and_bound_what_they_quote(cli: CLI, tmp_path: Path) -> None:
    facts = log(
        tmp_path,
        {"id": "f-1", "type": f"closing{ESC}", "at": "2000-03-14"},
        {"id": "f-2", "type": "closing_bid", "at": "2000-03-14", "price": "A" * 10_000_000},
        {"id": "f-3", "type": "closing", "at": "2000-03-14", "B" * 10_000_000: 1},
    )
    code, out, err = cli(["validate", str(RULES), str(facts)])
    assert (code, out) == (2, "")
    assert "\x1b" not in err and len(err) < 1000
    lines = err.splitlines()
    shown = "closing\\x1b[2J\\x1b[31m"
    assert lines[0] == f"{facts}:1:23: unknown fact type `{shown}`; did you mean `closing`?"
    assert lines[1].endswith('not "' + "A" * 59 + "... (10,000,002 characters)")
    assert lines[2].startswith(f"{facts}:3:54: `closing` has no field `" + "B" * 100 + "...")


# --- pipes --------------------------------------------------------------------------------


def test_a_closed_pipe_ends_the_run_quietly() -> None:
    """`clausewatch check | head -1`: the reader is gone before the report is written."""
    argv = [sys.executable, "-m", "engine", "check", "--as-of", "2000-12-31"]
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader goes away (as head does after its line)
    err = child.stderr.read()
    assert (child.wait(timeout=60), err) == (141, b"")


# --- exit codes ---------------------------------------------------------------------------


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` fails inside, as a bug would."""

    def run(args: object) -> int:
        raise RuntimeError(f"a bug{ESC}")

    monkeypatch.setattr(cli_module.COMMANDS["check"], "run", run)
    monkeypatch.delenv("CLAUSEWATCH_DEBUG", raising=False)


ONE_LINE = (
    "clausewatch: internal error, please report it with the command that caused it: "
    "RuntimeError: a bug\\x1b[2J\\x1b[31m"
)


@pytest.mark.usefixtures("broken")
def test_an_internal_error_exits_3_with_one_line(cli: CLI) -> None:
    code, out, err = cli(["check", "--as-of", "2000-12-31"])
    assert (code, out) == (3, "")
    hint = " (run again with --debug, or CLAUSEWATCH_DEBUG=1, for the traceback)"
    assert err == ONE_LINE + hint + "\n"


@pytest.mark.usefixtures("broken")
@pytest.mark.parametrize("argv", [["--debug", "check"], ["check", "--debug"]])
def test_debug_shows_the_traceback(cli: CLI, argv: list[str]) -> None:
    code, out, err = cli(argv)
    assert code == 3
    assert err.startswith("Traceback (most recent call last):")
    assert "RuntimeError: a bug" in err and err.endswith(ONE_LINE + "\n")


@pytest.mark.usefixtures("broken")
def test_the_environment_shows_the_traceback(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEWATCH_DEBUG", "1")
    code, out, err = cli(["check"])
    assert code == 3 and err.startswith("Traceback") and err.endswith(ONE_LINE + "\n")


@pytest.mark.parametrize("error", [MemoryError(), RecursionError("deep"), KeyError("k")])
def test_any_exception_is_exit_3_never_1(
    cli: CLI, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def run(args: object) -> int:
        raise error

    monkeypatch.setattr(cli_module.COMMANDS["validate"], "run", run)
    code, out, err = cli(["validate", "rules"])
    assert code == 3 and len(err.splitlines()) == 1


def test_an_interruption_exits_130(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module.COMMANDS["validate"], "run", run)
    assert cli(["validate", "rules"]) == (130, "", "clausewatch: interrupted\n")


# --- option values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["upcoming", "--days", "99999999999"], "days must be at most 36,525 (100 years)"),
        (["upcoming", "--days", "36526"], "days must be at most 36,525 (100 years), not 36,526"),
        (["upcoming", "--days", "9" * 5000], "not a whole number of days: '99999"),
        (["calendar", "--remind", "1000000000d"], "reminder '1000000000d' is too far before"),
        (["calendar", "--remind", "367d"], "reminder '367d' is too far before the deadline"),
        (["calendar", "--remind", "53w"], "reminder '53w' is too far before the deadline"),
        (["calendar", "--remind", "9" * 5000 + "d"], "too long"),
    ],
)
def test_absurd_option_values_are_usage_errors(cli: CLI, option: list[str], message: str) -> None:
    code, out, err = cli([*option, "--as-of", "2000-12-31"])
    assert (code, out) == (2, "")
    assert message in err and len(err) < 1000


@pytest.mark.parametrize(
    "option", [["upcoming", "--days", "36525"], ["calendar", "--remind", "366d"]]
)
def test_the_largest_option_values_are_taken(cli: CLI, option: list[str]) -> None:
    code, out, err = cli([*option, "--as-of", "2000-12-31"])
    assert (code, err) == (0, "")
