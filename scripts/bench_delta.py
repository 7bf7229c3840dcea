"""Benchmark the nightly delta: night 1 with ``--history``, then 10,000 new facts, night 2.

Generates a portfolio (``scripts/portfolio.py``: N facts over M instances) and holds its
``--new`` latest facts out; runs ``clausewatch check --history DB --format json`` as of
the day of the latest fact left (night 1), appends the held-out facts re-dated to the
next day (what arrived that day) and runs night 2 as of that day, ``--repeat`` times
each way, each in a fresh process and on a fresh copy of the night-1 database:
the delta (default) and ``--full``. Reports the median wall times, how many instances
the delta evaluated, and whether the two outputs are the same byte for byte. Run::

    python scripts/bench_delta.py --facts 100000 --instances 1000 --new 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def check(folder: Path, db: Path, as_of: str, *extra: str) -> tuple[float, str, str]:
    """One ``check`` in a fresh process: wall seconds, stdout, stderr."""
    argv = [sys.executable, "-m", "engine", "check", "--rules", str(folder / "rules")]
    argv += ["--facts", str(folder / "facts"), "--as-of", as_of, "--format", "json"]
    argv += ["--history", str(db), "--debug", *extra]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, done.stdout, done.stderr


def hold_out(folder: Path, count: int) -> tuple[date, list[dict]]:
    """Take the ``count`` latest facts (by ``at``) out of the generated logs: the day of
    the latest fact left (night 1's as-of), and the facts taken, in their order."""
    logs = sorted((folder / "facts").glob("*.jsonl"))
    rows = [(p, n, line) for p in logs for n, line in enumerate(p.read_text().splitlines())]
    order = sorted(range(len(rows)), key=lambda k: (json.loads(rows[k][2])["at"][:16], k))
    late = set(order[len(order) - count :])
    kept: dict[Path, list[str]] = {p: [] for p in logs}
    for k, (p, _, line) in enumerate(rows):
        if k not in late:
            kept[p].append(line)
    for p, lines in kept.items():
        p.write_text("".join(x + "\n" for x in lines))
    last = max(json.loads(line)["at"][:10] for lines in kept.values() for line in lines)
    return date.fromisoformat(last), [json.loads(rows[k][2]) for k in sorted(late)]


def append_news(folder: Path, news: list[dict], day: date) -> int:
    """Append the held-out facts as one night's arrivals, re-dated to ``day`` (the same
    time of day, or none); the number of instances they name (``*``: all its takers)."""
    with (folder / "facts" / "zz-night-2.jsonl").open("w", encoding="utf-8") as out:
        for fact in news:
            out.write(json.dumps({**fact, "at": day.isoformat() + fact["at"][10:]}) + "\n")
    return len({f.get("contract") for f in news})


def main(argv: list[str] | None = None) -> int:
    """Generate, run both nights, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--instances", type=int, default=1_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temp dir")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-delta-"))
    folder = work / "portfolio"
    if folder.exists():
        shutil.rmtree(folder)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "portfolio.py"), "--facts", str(args.facts),
         "--instances", str(args.instances), "--seed", str(args.seed), "--out", str(folder)],
        check=True, capture_output=True,
    )  # fmt: skip
    as_of, news = hold_out(folder, args.new)
    night1 = work / "night1.sqlite"
    night1.unlink(missing_ok=True)
    took1, _, _ = check(folder, night1, as_of.isoformat())
    day2 = as_of + timedelta(days=1)
    touched = append_news(folder, news, day2)
    times: dict[str, list[float]] = {"delta": [], "full": []}
    outputs: dict[str, str] = {}
    evaluated = ""
    for _ in range(args.repeat):
        for how, extra in (("delta", ()), ("full", ("--full",))):
            db = work / f"night2-{how}.sqlite"
            shutil.copy(night1, db)
            took, out, err = check(folder, db, day2.isoformat(), *extra)
            times[how].append(took)
            outputs[how] = out.replace(str(db), "DB")
            if how == "delta":
                found = re.search(r"run history: .*", err)
                evaluated = found.group(0) if found else "?"
    print(f"portfolio: {args.facts:,} facts over {args.instances:,} instances; night 1 as of "
          f"{as_of}: {took1:.1f} s (full, --history)")  # fmt: skip
    print(f"night 2 as of {day2}: the {args.new:,} latest facts, re-dated to that day "
          f"({touched:,} distinct values of `contract`, `*` among them if any)")  # fmt: skip
    for how, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"  {how:5}: median {statistics.median(values):.2f} s wall ({shown})")
    print(f"  delta: {evaluated}")
    print(f"  same output (JSON, history marks included): {outputs['delta'] == outputs['full']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
