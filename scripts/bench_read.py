"""Benchmark reading fact logs: the JSON parse alone, and ``FactReader.read`` (not a test).

Takes a portfolio folder (``rules/`` and ``facts/``, as ``scripts/portfolio.py`` writes
it) or generates one, then reports medians over ``--repeat`` runs, in microseconds of this
process's CPU time (steadier than wall time on a shared machine) per non-blank line:

* the raw parse of every line by the standard library (the exact decoder of
  ``FactReader``: ``str`` lines, Python integers), ``orjson`` and ``msgspec`` (``bytes``
  lines);
* ``FactReader.read`` end to end (the files read, every line checked, the facts sorted and
  numbered), and the part of it on top of the raw parse of the library it uses;
* with ``--as-command``, each timed as ``clausewatch check`` reads: with Python's cycle
  collector paused and the facts kept until the timer stops (by default a collection of
  the young facts and their freeing fall inside the timing, which the command never pays
  while it reads);
* with ``--baseline REF``, reading as the command does (``--as-command``), each time in a
  fresh process, by the engine of this tree and by the engine as it was at git ``REF``
  (e.g. ``main``; checked out in a temporary git worktree, removed after): the whole
  engine of each, so that any two versions compare, and a fresh process each, as a
  command reads once (its memos empty).

Each round runs every measurement once, in turn (interleaved, so that a busy spell of a
shared machine falls on all alike).

Run::

    python scripts/portfolio.py --facts 100000 --instances 1000 --out /tmp/pf100k
    python scripts/bench_read.py /tmp/pf100k --repeat 5 --baseline main
    python scripts/bench_read.py --facts 20000     # generates a portfolio in a temporary folder
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _lines(folder: Path) -> list[bytes]:
    """The non-blank lines of every ``.jsonl`` file under ``folder``, as bytes."""
    found: list[bytes] = []
    for path in sorted(folder.rglob("*.jsonl")):
        for line in path.read_bytes().split(b"\n"):
            if line.strip(b" \t\r"):
                found.append(line)
    return found


def _interleaved(
    jobs: dict[str, Callable[[], Any]], count: int, repeat: int, as_command: bool = False
) -> dict[str, float]:
    """The median over ``repeat`` rounds of each job's CPU time, in microseconds per one of
    ``count``; each round runs every job once, in turn, so that a busy spell of the machine
    falls on all of them alike. ``as_command``: timed as ``clausewatch check`` reads, with
    the cycle collector paused and what the job made kept (freed after the timing)."""
    from engine.collector import collector_paused

    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            gc.collect()
            with collector_paused() if as_command else contextlib.nullcontext():
                start = time.process_time()
                made = job()
                if not as_command:
                    made = None  # freed inside the timing
                times[name].append(time.process_time() - start)
            del made
    return {name: statistics.median(t) / count * 1e6 for name, t in times.items()}


_ONE_READ = """
import gc, sys, time
sys.path.insert(0, sys.argv[1])
from engine.collector import collector_paused
from engine.load.facts import FactReader
from engine.load.rules import load_rules
contracts = load_rules([sys.argv[2] + "/rules"]).contracts
gc.collect()
with collector_paused():
    start = time.process_time()
    facts = FactReader(contracts).read([sys.argv[2] + "/facts"])
    print(time.process_time() - start, len(facts))
"""


def _fresh_reads(trees: dict[str, Path], folder: Path, repeat: int) -> dict[str, float]:
    """The median over ``repeat`` rounds of the CPU time per line of reading the facts of
    ``folder`` in a fresh process with the engine of each tree, in turn each round."""
    times: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(repeat):
        for name, tree in trees.items():
            out = subprocess.run(
                [sys.executable, "-c", _ONE_READ, str(tree), str(folder)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            times[name].append(float(out[0]) / int(out[1]) * 1e6)
    return {name: statistics.median(found) for name, found in times.items()}


@contextlib.contextmanager
def _worktree(ref: str) -> Iterator[Path]:
    """The repository as of git ``ref``, in a temporary worktree removed after."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", "-q", str(tree), ref], check=True)
        try:
            yield tree
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], check=True)


def _read(reader_class: type, contracts: list[Any], facts: Path) -> list[Any]:
    """Read every fact of ``facts`` with a fresh reader; the facts."""
    reader = reader_class(contracts)
    try:
        return reader.read([str(facts)])
    except Exception as exc:  # a bad line: the benchmark data must be sound
        raise SystemExit(f"the fact logs have problems: {exc}") from None


def main() -> int:
    """Measure and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", help="a portfolio folder with rules/ and facts/")
    ap.add_argument("--facts", type=int, default=100_000, help="facts to generate (no folder)")
    ap.add_argument("--instances", type=int, default=1000, help="instances to generate")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", help="a git ref whose engine to measure too (fresh processes)")
    ap.add_argument(
        "--as-command",
        action="store_true",
        help="time as the command reads: collector paused, the facts kept until timed",
    )
    args = ap.parse_args()

    import msgspec

    try:
        import orjson  # not a dependency: measured beside msgspec when installed
    except ImportError:
        orjson = None

    from engine.load import facts as current
    from engine.load.fact_line import EXACT, PARSER
    from engine.load.rules import load_rules

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder) if args.folder else Path(tmp) / "portfolio"
        if not args.folder:
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "portfolio.py"),
                    "--facts",
                    str(args.facts),
                    "--instances",
                    str(args.instances),
                    "--out",
                    str(folder),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        raw = _lines(folder / "facts")
        text = [line.decode("utf-8") for line in raw]
        n = len(raw)
        contracts = load_rules([str(folder / "rules")]).contracts
        decoder = msgspec.json.Decoder()
        jobs: dict[str, Callable[[], Any]] = {
            "json": lambda: [EXACT.decode(t) for t in text],
            **({"orjson": lambda: [orjson.loads(b) for b in raw]} if orjson else {}),
            "msgspec": lambda: [decoder.decode(b) for b in raw],
            "current": lambda: _read(current.FactReader, contracts, folder / "facts"),
        }
        us = _interleaved(jobs, n, args.repeat, args.as_command)
        if args.baseline:
            with _worktree(args.baseline) as tree:
                fresh = _fresh_reads({"current": ROOT, "baseline": tree}, folder, args.repeat)
    how = " (as the command reads)" if args.as_command else ""
    print(f"{n:,} lines, median of {args.repeat} runs, microseconds of CPU time per line{how}")
    for lib in [k for k in ("json", "orjson", "msgspec") if k in jobs]:
        print(f"  parse {lib:<8} {us[lib]:7.2f}")
    print(
        f"  FactReader.read {us['current']:7.2f}  ({us['current'] * n / 1e6:6.2f} s in all; "
        f"{us['current'] - us[PARSER]:6.2f} on top of the {PARSER} parse)"
    )
    if args.baseline:
        print(
            f"a fresh process each, as the command reads, median of {args.repeat}, in turn: "
            f"this tree {fresh['current']:.2f}, {args.baseline} {fresh['baseline']:.2f} "
            f"(ratio {fresh['current'] / fresh['baseline']:.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
