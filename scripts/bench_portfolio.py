"""Benchmark a portfolio end to end: the CLI on N facts over M instances (not a test).

Generates the portfolio with ``scripts/portfolio.py`` (seeded: the same files every
time; ``--credit`` the share of credit-agreement instances, as there; ``--keep DIR``
keeps them for the next run, regenerated when an option differs), then runs
``clausewatch check --format json`` on it once per ``--jobs`` value and ``--repeat``
times (interleaved), each in a fresh process (``scripts/cli_phases.py``: the command
line itself, with its phases timed), and reports medians of:

* the phases: read (rule files and fact logs), evaluate (worker processes included),
  report (JSON rendered and printed), and the wall time of the whole process (interpreter
  start and imports included);
* microseconds per fact, of the wall time and of the evaluation;
* peak memory of all processes together (the command and its workers), sampled every
  0.1 s: the sum of RSS, and the sum of PSS (pages shared by forked workers counted once),
  and the largest worker's own peak (``RUSAGE_CHILDREN``).

It checks that every run printed the same bytes. Run from anywhere::

    python scripts/bench_portfolio.py --facts 100000 --instances 1000 --jobs 1 2 --repeat 3
    python scripts/bench_portfolio.py --facts 1000000 --instances 10000 --jobs 2 \\
        --keep /tmp/pf-1m
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import portfolio
from treemem import TreeMemory

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def ready(args: argparse.Namespace, folder: Path) -> tuple[Path, Path, float]:
    """The portfolio's rules and facts folders in ``folder`` (generated unless already
    there with the same parameters) and the seconds generating took."""
    wanted = {k: getattr(args, k) for k in ("facts", "instances", "seed", "shared", "credit")}
    manifest = folder / "portfolio.json"
    rules, logs = folder / "rules", folder / "facts"
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return rules, logs, 0.0
    start = time.perf_counter()
    files, facts = portfolio.portfolio(
        args.facts, args.instances, args.seed, args.shared, args.credit
    )
    portfolio.write(folder, files, facts)
    manifest.write_text(json.dumps(wanted))
    return rules, logs, time.perf_counter() - start


def run_once(rules: Path, logs: Path, args: argparse.Namespace, jobs: int) -> dict[str, Any]:
    """One end-to-end run of the command line; its figures."""
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        timings, out = Path(tmp) / "timings.json", Path(tmp) / "stdout.json"
        command = [
            "check", "--rules", str(rules), "--facts", str(logs), "--as-of", args.as_of,
            "--format", "json", "--jobs", str(jobs), "--quiet",
        ]  # fmt: skip
        launch = [sys.executable, str(HERE / "cli_phases.py"), str(timings), *command]
        start = time.perf_counter()
        with out.open("wb") as fh:
            proc = subprocess.Popen(launch, stdout=fh, stderr=subprocess.PIPE, cwd=ROOT)
            with TreeMemory(proc.pid) as memory:
                try:
                    _, err = proc.communicate(timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.communicate()
                    return {"jobs": jobs, "failed": f"timed out after {args.timeout} s"}
        wall = time.perf_counter() - start
        if not timings.exists():
            tail = err.decode(errors="replace")[-1500:]
            return {"jobs": jobs, "failed": f"exit {proc.returncode}: {tail}"}
        figures = json.loads(timings.read_text())
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        findings = len(json.loads(out.read_text())["findings"])
    return {
        "jobs": jobs,
        "wall": wall,
        **{k: v for k, v in figures["phases"].items()},
        "exit": figures["exit"],
        "findings": findings,
        "sha256": digest,
        "rss_sum_mib": memory.peak_rss_kib / 1024,
        "pss_sum_mib": memory.peak_pss_kib / 1024,
        "processes": memory.most_processes,
        "self_maxrss_mib": figures["self_maxrss_mib"],
        "child_maxrss_mib": figures["children_maxrss_mib"],
        "cpu_s": figures["cpu_self_s"] + figures["cpu_children_s"],
        "command": "clausewatch " + shlex.join(command),
    }


def median(runs: list[dict[str, Any]], key: str) -> float:
    """The median of a figure over repeated runs."""
    return statistics.median(r.get(key, 0.0) for r in runs)


def report(rows: list[list[dict[str, Any]]], n: int) -> None:
    """One line per --jobs value: medians over its runs."""
    head = (
        f"{'jobs':>4}{'runs':>5}{'wall s':>8}{'read s':>8}{'eval s':>8}{'report s':>9}"
        f"{'us/fact':>9}{'eval us/f':>10}{'cpu s':>8}{'RSS sum MiB':>12}{'PSS sum MiB':>12}"
        f"{'worker MiB':>11}{'procs':>6}{'exit':>5}"
    )
    print(head)
    print("-" * len(head))
    for runs in rows:
        ok = [r for r in runs if "failed" not in r]
        if not ok:
            print(f"{runs[0]['jobs']:>4}  FAILED: {runs[0]['failed']}")
            continue
        wall, evaluate = median(ok, "wall"), median(ok, "evaluate")
        print(
            f"{ok[0]['jobs']:>4}{len(ok):>5}{wall:>8.2f}{median(ok, 'read'):>8.2f}"
            f"{evaluate:>8.2f}{median(ok, 'report'):>9.2f}{wall / n * 1e6:>9.1f}"
            f"{evaluate / n * 1e6:>10.1f}{median(ok, 'cpu_s'):>8.1f}"
            f"{max(r['rss_sum_mib'] for r in ok):>12.0f}{max(r['pss_sum_mib'] for r in ok):>12.0f}"
            f"{max(r['child_maxrss_mib'] for r in ok):>11.0f}{max(r['processes'] for r in ok):>6}"
            f"{ok[0]['exit']:>5}"
        )
    digests = {r["sha256"] for runs in rows for r in runs if "failed" not in r}
    same = "yes" if len(digests) == 1 else f"NO ({len(digests)} different outputs)"
    print(
        "\nmedians over the runs; memory: the highest peak of the runs (RSS sum counts pages "
        "shared by forked workers once per process, PSS sum divides them).\n"
        f"same JSON output in every run: {same}"
    )


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the portfolio, run the CLI on it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000, metavar="N")
    parser.add_argument("--instances", type=int, default=1_000, metavar="M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shared", type=float, default=0.0, metavar="FRACTION",
                        help="fraction of facts without `contract` (default 0)")
    parser.add_argument("--credit", type=float, default=portfolio.CREDIT_SHARE,
                        metavar="FRACTION",
                        help="fraction of the instances of the credit-agreement template "
                        f"(default {portfolio.CREDIT_SHARE})")
    parser.add_argument("--as-of", default=portfolio.AS_OF)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3, metavar="K")
    parser.add_argument("--timeout", type=float, default=3600, metavar="SECONDS")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and reuse it")
    parser.add_argument("--json", metavar="FILE", help="also write every run's figures here")
    args = parser.parse_args(argv)
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]), flush=True)
    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores available, load average "
        f"{os.getloadavg()[0]:.2f}; {args.facts:,} facts over {args.instances:,} instances "
        f"(seed {args.seed}, {args.credit:.0%} of them credit agreements, {args.shared:.1%} "
        f"of the facts without contract), as of {args.as_of}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cw-portfolio-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        rules, logs, seconds = ready(args, folder)
        print(f"portfolio in {folder} ({seconds:.1f} s to generate)\n", flush=True)
        rows: list[list[dict[str, Any]]] = [[] for _ in args.jobs]
        for _ in range(max(1, args.repeat)):  # interleaved: every --jobs sees the same noise
            for runs, jobs in zip(rows, args.jobs, strict=True):
                runs.append(run_once(rules, logs, args, jobs))
                wall = runs[-1].get("wall", 0)
                print(f"  --jobs {jobs}: {wall:.2f} s", file=sys.stderr, flush=True)
        report(rows, args.facts)
        print(f"\n$ {rows[0][0].get('command', '')}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0 if all("failed" not in r for runs in rows for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
