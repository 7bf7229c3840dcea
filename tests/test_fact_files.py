"""Which files `--facts` reads: folders walked, each file once, every file not read said.

The rules are those of ``engine/load/fact_files.py`` (and README, "Which files are read").
``validate`` must reject what ``check`` rejects: each error case runs both.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.conftest import RULES

CLI = Callable[[Sequence[str]], tuple[int, str, str]]

# Accepted Fri 2000-03-03: trading days Mon 6, Tue 7, Wed 8 -> the funding deadline is
# Wed 2000-03-08 17:00 EST (worked by hand); the deposit at 16:00 that day meets it.
ACCEPTED = {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03"}
DEPOSIT = {"id": "dep", "type": "purchase_price_deposited", "at": "2000-03-08T16:00", "amount": 1}


def write(path: Path, *facts: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f if isinstance(f, str) else json.dumps(f) for f in facts]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def check(cli: CLI, *facts: Path | str) -> tuple[int, str, str]:
    argv = ["check", "--rules", str(RULES), "--as-of", "2000-12-31", "--format", "json"]
    for f in facts:
        argv += ["--facts", str(f)]
    return cli(argv)


def funding(out: str) -> dict:
    doc = json.loads(out)
    return next(f for f in doc["findings"] if f["rule"] == "funding-deadline")


def test_subfolders_and_any_case_of_jsonl_are_read(cli: CLI, tmp_path: Path) -> None:
    write(tmp_path / "2000" / "march" / "accepted.jsonl", ACCEPTED)
    write(tmp_path / "2000" / "DEPOSIT.JSONL", DEPOSIT)
    code, out, err = check(cli, tmp_path)
    assert (code, err) == (0, "")  # no breach: the funding deadline is met
    found = funding(out)
    assert (found["status"], found["facts"]) == ("met", ["acc", "dep"])
    assert json.loads(out)["facts_considered"] == 2
    code, out, err = cli(["validate", str(tmp_path)])
    # rules/ holds three files: the seed template, the credit template and its portfolio.
    assert (code, out, err) == (0, "ok: 3 rule file(s), 2 fact log(s)\n", "")


def test_files_not_read_are_said_and_the_run_goes_on(cli: CLI, tmp_path: Path) -> None:
    write(tmp_path / "facts.jsonl", ACCEPTED, DEPOSIT)
    write(tmp_path / "README.md", "# how these facts were collected")  # documentation: silent
    write(tmp_path / "notes.txt", "deposit confirmed by phone")
    write(tmp_path / "facts.jsonl~", ACCEPTED)  # an editor's backup
    write(tmp_path / ".draft.jsonl", ACCEPTED)
    write(tmp_path / ".git" / "objects.jsonl", ACCEPTED)  # a hidden folder is not entered
    code, out, err = check(cli, tmp_path)
    assert code == 0 and funding(out)["status"] == "met"
    assert err.splitlines() == [
        f"{tmp_path / '.draft.jsonl'}: skipped: hidden (its name starts with `.`)",
        f"{tmp_path / '.git'}: skipped: hidden (its name starts with `.`)",
        f"{tmp_path / 'facts.jsonl~'}: skipped: not a fact log (its name does not end in .jsonl)",
        f"{tmp_path / 'notes.txt'}: skipped: not a fact log (its name does not end in .jsonl)",
    ]
    code, out, v_err = cli(["validate", str(tmp_path)])
    assert (code, v_err) == (0, err)


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"README.md": "# no facts yet"},
        {"2000/notes.txt": "none"},
        {"2000/README": "none"},
    ],
    ids=["empty", "readme-only", "text-in-subfolder", "readme-in-subfolder"],
)
def test_a_folder_without_fact_logs_is_an_error(
    cli: CLI, tmp_path: Path, layout: dict[str, str]
) -> None:
    folder = tmp_path / "facts"
    folder.mkdir()
    for name, text in layout.items():
        write(folder / name, text)
    code, out, err = check(cli, folder)
    assert (code, out) == (2, "")
    assert f"{folder}: no fact log (a file named *.jsonl) in this folder or below" in err
    code, out, err = cli(["validate", str(folder)])
    assert (code, out) == (2, "")
    assert f"{folder}: no rule files (.yaml, .yml) or fact logs (.jsonl) found" in err


def test_a_dangling_link_named_as_a_fact_log_is_an_error(cli: CLI, tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", ACCEPTED)
    gone = tmp_path / "archive" / "2001.jsonl"
    (tmp_path / "b.jsonl").symlink_to(gone)
    (tmp_path / "c.txt").symlink_to(gone)  # not a fact log's name: only said
    code, out, err = check(cli, tmp_path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{tmp_path / 'b.jsonl'}: cannot read fact log: a dangling symbolic link to {gone}",
        f"{tmp_path / 'c.txt'}: skipped: a dangling symbolic link to {gone}",
    ]
    code, out, v_err = cli(["validate", str(tmp_path)])
    assert (code, out, v_err) == (2, "", err)


def test_link_loops_end(cli: CLI, tmp_path: Path) -> None:
    """A folder linking back to its parent is walked once; a link to itself is an error."""
    write(tmp_path / "a.jsonl", ACCEPTED, DEPOSIT)
    (tmp_path / "again").symlink_to(tmp_path)
    code, out, err = check(cli, tmp_path)
    assert code == 0 and json.loads(out)["facts_considered"] == 2
    assert err == f"{tmp_path / 'again'}: skipped: the same folder as {tmp_path}, already read\n"
    (tmp_path / "self.jsonl").symlink_to(tmp_path / "self.jsonl")
    code, out, err = check(cli, tmp_path)
    assert (code, out) == (2, "")
    assert f"{tmp_path / 'self.jsonl'}: cannot read fact log: Too many levels of symbolic" in err
    assert cli(["validate", str(tmp_path)])[0] == 2


def test_a_special_file_named_as_a_fact_log_is_refused_not_waited_on(
    cli: CLI, tmp_path: Path
) -> None:
    write(tmp_path / "a.jsonl", ACCEPTED)
    os.mkfifo(tmp_path / "pipe.jsonl")  # reading it would wait for a writer for ever
    code, out, err = check(cli, tmp_path)
    assert (code, out) == (2, "")
    assert err == f"{tmp_path / 'pipe.jsonl'}: cannot read fact log: not a regular file\n"


NO_IDS = [  # without ids a fact is named path:line: read twice, it would count twice
    {"type": "agreement_accepted", "at": "2000-03-03"},
    {"type": "common_stock_issued", "at": "2000-04-03", "shares": 400000},
]


def same_file_twice(tmp_path: Path, case: str) -> tuple[list[Path | str], list[str]]:
    folder = tmp_path / "facts"
    log = write(folder / "a.jsonl", *NO_IDS)
    (folder / "b.jsonl").symlink_to(log)
    hard = tmp_path / "hard.jsonl"
    os.link(log, hard)
    again = f"{folder}/../facts/a.jsonl"
    said = f"skipped: the same file as {log}, already read"
    return {
        "named twice": ([log, log], [f"{log}: {said}"]),
        "hard link": ([log, hard], [f"{hard}: {said}"]),
        "link in its folder": ([folder], [f"{folder / 'b.jsonl'}: {said}"]),
        "file, then its folder": (
            [log, folder],
            [f"{log}: {said}", f"{folder / 'b.jsonl'}: {said}"],
        ),
        "another path to it": ([log, again], [f"{again}: {said}"]),
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "named twice",
        "hard link",
        "link in its folder",
        "file, then its folder",
        "another path to it",
    ],
)
def test_the_same_file_is_read_once_and_said(cli: CLI, tmp_path: Path, case: str) -> None:
    """400,000 shares issued once is 5.09% of 7,860,000 (no 10% trigger); twice it would
    be 10.2% and start the 75-day Meeting Date count. Read once: the meeting stays undated."""
    paths, said = same_file_twice(tmp_path, case)
    code, out, err = check(cli, *paths)
    doc = json.loads(out)
    assert doc["facts_considered"] == 2
    meeting = next(f for f in doc["findings"] if f["rule"] == "stockholder-meeting")
    assert (meeting["status"], meeting["due"]) == ("open", None)
    assert err.splitlines() == said
