"""Hosts reused run after run: sessions that saw only clock ticks are never deleted.

durable_rules 2.0.28 aborts the process (a double free) when deleting the state of a
session in which no rule took a message. Run in a child process, so that a crash fails
this test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
from datetime import date
from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.run import hosts

seed = load_contracts(["rules/nhtc-series-j.yaml"])
for _ in range(3):  # no fact at all: every session saw only ticks
    assert evaluate(seed, [], date(2000, 12, 31)).considered == 0
every = load_contracts(["rules"])  # the credit instances see only ticks here
facts = read_facts(["facts/nhtc-series-j-2000.jsonl"], every)
runs = [evaluate(every, facts, date(2000, 12, 31)).findings for _ in range(3)]
assert runs[0] == runs[1] == runs[2] and len(runs[0]) == 17
print(*(host.undeleted for _, host in hosts._HOSTS.values()))
"""


def test_runs_with_sessions_that_saw_only_ticks_do_not_crash():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    # The seed's host: three runs of one tick-only session; the host of every template:
    # three runs, each leaving its two credit sessions (ticks only) undeleted.
    assert done.stdout == "3 6\n"
