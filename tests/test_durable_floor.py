"""``scripts/durable_floor.py``: the C engine's calls of a run, replayed alone, give what
they gave in the run (else the floor it reports would not be the run's), and a replay
that differs is caught."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engine.load.facts import FactReader
from engine.load.rules import load_rules
from engine.run import calls
from engine.run.partition import plan
from tests.conftest import generate_portfolio

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2004, 12, 31)


def test_the_script_replays_a_portfolio_faithfully(tmp_path: Path) -> None:
    argv = [sys.executable, str(ROOT / "scripts" / "durable_floor.py"), "--facts", "1500",
            "--instances", "100", "--parts", "2", "--keep", str(tmp_path)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "every replayed call gave what it gave in the run"
    assert "calls a fact replayed" in done.stdout
    assert any(line.startswith("  assert_fact fact: 1.00 a fact") for line in lines)


def test_a_replay_that_differs_from_the_run_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import durable_floor

    folder = generate_portfolio(tmp_path, "--facts", "600", "--instances", "12")
    loaded = load_rules([str(folder / "rules")])
    facts = FactReader(loaded.contracts, {}, loaded.held_types).read([str(folder / "facts")])
    part = plan(loaded.contracts, facts, AS_OF, jobs=1).parts[0]
    recorder = durable_floor.Recorder()
    monkeypatch.setattr(calls, "_c", recorder)
    durable_floor.evaluate_part(loaded.contracts, part, AS_OF)
    monkeypatch.undo()
    log = recorder.log
    asserts = [i for i, (name, _, _) in enumerate(log) if name == "assert_fact"]
    assert asserts and any(name == "start_action_for_state" for name, _, _ in log)
    assert durable_floor.replay(loaded.contracts, part, log)[2] is None
    # the run's record of one assert says "no rule looks at it" (code 1): the replay's
    # real answer (0: taken) must be told apart
    name, args, (code, state) = log[asserts[0]]
    assert code == 0
    log[asserts[0]] = (name, args, (1, state))
    differs = durable_floor.replay(loaded.contracts, part, log)[2]
    assert differs is not None and differs.startswith("assert_fact(")
    assert f": (1, {state}) in the run, (0, " in differs  # (a fresh session's own state)
