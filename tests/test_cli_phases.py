"""``scripts/cli_phases.py``, the benchmark's way of running the command with its phases
timed: the command's own output and exit status, every phase timed, in every format (it
wraps the report functions by name, so a renamed one must fail here, not in a benchmark).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("form", ["text", "csv", "json"])
def test_the_command_timed_by_phase_prints_what_it_prints(
    form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv = ["check", "--as-of", "2000-12-31", "--format", form]
    assert main(argv) == 1  # the bundled example has breaches
    expected = capsys.readouterr().out
    timings = tmp_path / "timings.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_phases.py"), str(timings), *argv],
        capture_output=True, cwd=ROOT, check=False,
    )  # fmt: skip (bytes: the CSV's line ends as written)
    assert (done.returncode, done.stdout.decode()) == (1, expected), done.stderr
    figures = json.loads(timings.read_text())
    assert figures["exit"] == 1
    assert {"read", "evaluate", "report", "total"} <= figures["phases"].keys()
    assert all(t > 0 for t in figures["phases"].values())
