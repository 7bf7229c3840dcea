"""Benchmark ClauseWatch on a large generated fact log for the seed contract (not a test).

Generates N facts for ``nhtc-series-j`` (one deal, then years of conversion notices with
on-time, late and missing deliveries, share reserve reports, Common Stock issuances and
closing bids, spread over 2000-2004) into a temporary ``.jsonl``, then measures wall time
and memory of each engine phase, in a fresh child process that does nothing else:

* import the engine, load rules (``load_contracts``), read and validate facts
  (``read_facts``), evaluate (``evaluate``, durable_rules included), render JSON
  (``to_json``);

and of the whole ``clausewatch check`` command line, as a subprocess, on the sample
``facts/`` folder. Times are wall and CPU seconds (CPU time is steadier on a busy
machine). Memory is the measuring process's resident-set high-water mark (``VmHWM`` on
Linux, else ``ru_maxrss``): it includes durable_rules' C allocations, which
``tracemalloc`` cannot see. ``--tracemalloc`` adds the Python-heap peak of each phase
(slower: the times then include the tracing overhead). ``--repeat K`` keeps each phase's
best time of K runs.

``--scaling`` runs 10k, 50k and 100k facts, each measured in a fresh process, and
prints the cost per fact so that non-linear growth shows. The span of dates is fixed, so
a larger N also means more facts per day (more obligations open at once).

Run from anywhere::

    python scripts/bench.py                 # 100,000 facts
    python scripts/bench.py --facts 20000 --tracemalloc
    python scripts/bench.py --scaling --repeat 3
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import random
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCALING_SIZES = (10_000, 50_000, 100_000)
FIRST_DAY, LAST_DAY = date(2000, 2, 23), date(2004, 12, 31)
MIB = 1024 * 1024


def _engine() -> None:
    """Make the repository's ``engine`` package importable from this script."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# -- fact generation ---------------------------------------------------------------------


def _trading_days(first: date, last: date) -> list[date]:
    """NYSE sessions ``first``..``last`` from the engine's own calendar."""
    _engine()
    from engine.days.calendars import get_calendar

    xnys = get_calendar("XNYS")
    return xnys.days_after(first - timedelta(days=1), last)


def _stamp(day: date, minute: int) -> str:
    """A New York wall time during the session (09:30 + ``minute``), no offset."""
    moment = datetime(day.year, day.month, day.day, 9, 30) + timedelta(minutes=minute)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _deal_facts() -> list[dict[str, Any]]:
    """The one-off facts of the deal: acceptance, funding, closing, warrants, meeting."""
    return [
        {"type": "agreement_accepted", "at": "2000-02-04"},
        {"type": "purchase_price_deposited", "at": "2000-02-09T16:40", "amount": 500000},
        {"type": "certificates_delivered", "at": "2000-02-17T15:30"},
        {"type": "registration_rights_agreement_signed", "at": "2000-02-17T15:45"},
        {"type": "closing_conditions_satisfied", "at": "2000-02-18T11:00"},
        {"type": "closing_bid", "at": "2000-02-18T16:00", "price": 3.5},
        {"type": "closing", "at": "2000-02-22T11:30"},
        {
            "type": "warrants_issued",
            "at": "2000-02-22T11:30",
            "shares": 25974,
            "exercise_price": 3.85,
        },
        {"type": "effective_date", "at": "2000-05-16"},
        {"type": "stockholders_meeting", "at": "2000-10-19T10:00", "authorization_vote": True},
    ]


def generate_facts(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` facts for the seed contract, in time order, with ids ``b-000001``...

    Per event drawn: 30% a conversion notice (delivered on time 80%, late 15%, never 5%,
    a delivery usually followed by a Common Stock issuance), 30% a share reserve report
    (5% short), 25% a closing bid, 15% another Common Stock issuance.
    """
    rng = random.Random(seed)
    days = _trading_days(FIRST_DAY, LAST_DAY + timedelta(days=60))
    last_index = max(i for i, d in enumerate(days) if d <= LAST_DAY)
    out = _deal_facts()[: max(n, 0)]
    notices = 0
    price = 3.5
    while len(out) < n:
        i = rng.randint(0, last_index)
        day, minute = days[i], rng.randint(0, 389)
        draw = rng.random()
        if draw < 0.30:
            notices += 1
            nid = f"N{notices}"
            delivery = days[i + 3]
            out.append(
                {
                    "type": "conversion_notice",
                    "at": _stamp(day, minute),
                    "notice_id": nid,
                    "delivery_date": delivery.isoformat(),
                    "amount": rng.choice((5000, 10000, 25000, 30000, 50000, 75000)),
                }
            )
            fate = rng.random()
            if fate < 0.95:
                later = rng.randint(1, 3) if fate < 0.80 else 3 + rng.randint(1, 25)
                when = _stamp(days[i + later], rng.randint(0, 389))
                out.append({"type": "conversion_shares_delivered", "at": when, "notice_id": nid})
                if rng.random() < 0.7:
                    out.append(
                        {
                            "type": "common_stock_issued",
                            "at": when,
                            "shares": rng.randint(2_000, 60_000),
                        }
                    )
        elif draw < 0.60:
            conversion = rng.randint(100_000, 400_000)
            needed = int(1.5 * conversion) + 25974
            reserved = needed + rng.randint(1, 400_000)
            if rng.random() < 0.05:
                reserved = max(0, needed - rng.randint(1, 100_000))
            out.append(
                {
                    "type": "share_reserve_reported",
                    "at": day.isoformat(),
                    "reserved": reserved,
                    "conversion_shares": conversion,
                    "warrant_shares": 25974,
                }
            )
        elif draw < 0.85:
            price = max(0.0625, round(price * rng.uniform(0.95, 1.05) * 16) / 16)
            out.append({"type": "closing_bid", "at": f"{day.isoformat()}T16:00", "price": price})
        else:
            out.append(
                {
                    "type": "common_stock_issued",
                    "at": _stamp(day, minute),
                    "shares": rng.randint(1_000, 100_000),
                }
            )
    del out[n:]
    out.sort(key=lambda f: f["at"] if "T" in f["at"] else f["at"] + "T00:00")
    for k, fact in enumerate(out, start=1):
        fact["id"] = f"b-{k:06d}"
    return out


def write_jsonl(facts: list[dict[str, Any]], path: Path) -> None:
    """One fact per line, ``id`` first."""
    with path.open("w", encoding="utf-8") as fh:
        for fact in facts:
            fh.write(json.dumps({"id": fact["id"], **fact}) + "\n")


# -- measuring ---------------------------------------------------------------------------


def maxrss_mib(usage: resource.struct_rusage | None = None) -> float:
    """A resident-set high-water mark in MiB (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    usage = usage or resource.getrusage(resource.RUSAGE_SELF)
    scale = 1 if sys.platform == "darwin" else 1024
    return usage.ru_maxrss * scale / MIB


def peak_rss_mib() -> float:
    """This process's own resident-set high-water mark in MiB.

    On Linux, ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` of a child process also
    counts the parent's memory at the time of the fork, which would hide the child's own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / MIB
    except OSError:
        pass
    return maxrss_mib()


@dataclass
class Phase:
    """Figures for one measured step."""

    name: str
    seconds: float = 0.0  # wall time
    cpu_seconds: float = 0.0  # this process's CPU time: steadier on a busy machine
    rss_mib: float = 0.0  # process high-water mark after the step
    rss_growth_mib: float = 0.0  # how much the step raised it
    py_peak_mib: float | None = None  # tracemalloc peak during the step
    items: int = 0  # facts handled, for a rate


@contextmanager
def measure(phase: Phase, trace: bool) -> Iterator[Phase]:
    """Time a step and record the memory high-water marks around it."""
    gc.collect()
    before = peak_rss_mib()
    if trace:
        tracemalloc.reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    yield phase
    phase.seconds = time.perf_counter() - start
    phase.cpu_seconds = time.process_time() - cpu
    if trace:
        phase.py_peak_mib = tracemalloc.get_traced_memory()[1] / MIB
    phase.rss_mib = peak_rss_mib()
    phase.rss_growth_mib = phase.rss_mib - before


def run_engine(path: Path, n: int, as_of: date, rules: str, trace: bool) -> dict[str, Any]:
    """Run the engine phases in this process on the fact log at ``path``."""
    _engine()
    if trace:
        tracemalloc.start()
    baseline = peak_rss_mib()
    phases: list[Phase] = []

    def step(name: str, items: int, work: Callable[[], Any]) -> Any:
        phase = Phase(name, items=items)
        with measure(phase, trace):
            value = work()
        phases.append(phase)
        return value

    def imports() -> tuple[Any, ...]:
        names = (
            "engine.load.rules",
            "engine.load.facts",
            "engine.evaluate",
            "engine.output.report",
        )
        rulefile, facts, evaluate, report = map(importlib.import_module, names)
        return rulefile.load_contracts, facts.read_facts, evaluate.evaluate, report.to_json

    load_contracts, read_facts, evaluate, to_json = step("import engine", 0, imports)
    contracts = step("load rules", 0, lambda: load_contracts([rules]))
    facts = step("read + validate facts", n, lambda: read_facts([str(path)], contracts))
    result = step("evaluate", n, lambda: evaluate(contracts, facts, as_of))
    text = step("render JSON", len(result.findings), lambda: to_json(result))
    if trace:
        tracemalloc.stop()
    statuses: dict[str, int] = {}
    for f in result.findings:
        statuses[f.status.value] = statuses.get(f.status.value, 0) + 1
    return {
        "facts": n,
        "considered": result.considered,
        "after_as_of": len(result.after_as_of),
        "findings": len(result.findings),
        "statuses": statuses,
        "json_bytes": len(text.encode()),
        "baseline_rss_mib": baseline,
        "phases": [asdict(p) for p in phases],
    }


def cli_command(as_of: str) -> list[str]:
    """``clausewatch check`` on the sample facts; ``python -m engine`` if not installed."""
    script = Path(sys.executable).with_name("clausewatch")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "engine"]
    return [*head, "check", "--as-of", as_of, "--format", "json"]


# Runs a command and reports its own peak RSS. It is started as a small fresh process, so
# that the fork-time memory counted in the command's ru_maxrss is only this launcher's
# (a few MiB), never the benchmark's generated facts.
_LAUNCHER = """
import json, os, subprocess, sys, time
out, cwd, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as fh:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "exit": os.waitstatus_to_exitcode(status),
                  "maxrss": usage.ru_maxrss, "stderr": err.decode(errors="replace")[-500:]}))
"""


def run_cli(as_of: str) -> dict[str, Any]:
    """Time the whole command line as a subprocess, from the repository root."""
    cmd = cli_command(as_of)
    with tempfile.TemporaryDirectory(prefix="cw-bench-cli-") as tmp:
        out = Path(tmp) / "stdout.json"
        launch = [sys.executable, "-c", _LAUNCHER, str(out), str(ROOT), *cmd]
        done = subprocess.run(launch, capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout)
        stdout = out.read_text("utf-8")
    scale = 1 if sys.platform == "darwin" else 1024
    findings = json.loads(stdout)["findings"] if stdout.strip() else []
    return {
        "command": shlex.join(cmd),
        "cwd": str(ROOT),
        "seconds": figures["seconds"],
        "rss_mib": figures["maxrss"] * scale / MIB,
        "exit": figures["exit"],
        "findings": len(findings),
        "stderr": figures["stderr"].strip(),
    }


# -- reporting ---------------------------------------------------------------------------


def _rate(items: int, seconds: float) -> str:
    return f"{items / seconds:,.0f}" if items and seconds > 0 else "-"


def print_single(report: dict[str, Any], cli: dict[str, Any] | None) -> None:
    """The table of one run."""
    trace = any(p["py_peak_mib"] is not None for p in report["phases"])
    head = f"{'phase':<24}{'wall s':>9}{'cpu s':>8}{'facts/s':>10}{'RSS peak MiB':>14}{'+MiB':>8}"
    head += f"{'py peak MiB':>13}" if trace else ""
    print(head)
    print("-" * len(head))
    gen = report["generate_seconds"]
    print(f"{'(generate + write)':<24}{gen:>9.3f}{'':>8}{_rate(report['facts'], gen):>10}")
    print(f"{'(interpreter start)':<24}{'':>27}{report['baseline_rss_mib']:>14.1f}")
    wall = cpu = 0.0
    for p in report["phases"]:
        wall, cpu = wall + p["seconds"], cpu + p["cpu_seconds"]
        line = (
            f"{p['name']:<24}{p['seconds']:>9.3f}{p['cpu_seconds']:>8.3f}"
            f"{_rate(p['items'], p['seconds']):>10}"
            f"{p['rss_mib']:>14.1f}{p['rss_growth_mib']:>8.1f}"
        )
        if trace:
            line += f"{p['py_peak_mib']:>13.1f}"
        print(line)
    print(f"{'engine total':<24}{wall:>9.3f}{cpu:>8.3f}{_rate(report['facts'], wall):>10}")
    print(
        f"\n{report['facts']:,} facts, {report['considered']:,} considered, "
        f"{report['after_as_of']:,} after the as-of date; {report['findings']:,} findings "
        f"({', '.join(f'{v:,} {k}' for k, v in sorted(report['statuses'].items()))}); "
        f"JSON {report['json_bytes'] / MIB:.1f} MiB.\n"
        f"facts/s: per wall second (findings per second for render JSON). RSS: the "
        f"measuring process's high-water mark after the phase; +MiB: the phase's share.\n"
        f"evaluate includes the one-off XNYS calendar build "
        f"({report['calendar_seconds']:.2f} s in the parent process)."
    )
    if cli is not None:
        print(
            f"\nCLI subprocess on the sample facts: {cli['seconds']:.3f} s wall, "
            f"{cli['rss_mib']:.1f} MiB peak RSS, exit {cli['exit']}, {cli['findings']} findings"
            f"\n  $ cd {cli['cwd']} && {cli['command']}"
        )
        if cli["exit"] not in (0, 1):
            print(f"  stderr: {cli['stderr']}")


def print_scaling(rows: list[dict[str, Any]]) -> None:
    """Per-size cost, and whether the cost per fact stays flat (judged on CPU time)."""
    head = (
        f"{'facts':>9}{'read s':>8}{'eval s':>8}{'json s':>8}{'wall s':>8}{'facts/s':>9}"
        f"{'cpu s':>8}{'cpu f/s':>9}{'eval cpu f/s':>13}{'cpu us/fact':>12}{'RSS MiB':>9}"
    )
    print(head)
    print("-" * len(head))
    per_fact = []
    for row in rows:
        wall = {p["name"]: p["seconds"] for p in row["phases"]}
        cpu = {p["name"]: p["cpu_seconds"] for p in row["phases"]}
        scaled = ("read + validate facts", "evaluate", "render JSON")
        n = row["facts"]
        per_fact.append(sum(cpu[k] for k in scaled) / n * 1e6)
        rss = max(p["rss_mib"] for p in row["phases"])
        print(
            f"{n:>9,}{wall[scaled[0]]:>8.2f}{wall[scaled[1]]:>8.2f}{wall[scaled[2]]:>8.2f}"
            f"{sum(wall.values()):>8.2f}{_rate(n, sum(wall.values())):>9}"
            f"{sum(cpu.values()):>8.2f}{_rate(n, sum(cpu.values())):>9}"
            f"{_rate(n, cpu['evaluate']):>13}{per_fact[-1]:>12.1f}{rss:>9.1f}"
        )
    growth = per_fact[-1] / per_fact[0]
    if growth > 1.5:
        verdict = "NOT linear: the cost per fact grows with N"
    elif growth < 1 / 1.5:
        verdict = "linear or better: fixed costs (calendar build) spread over more facts"
    else:
        verdict = "linear"
    print(
        "\nwall s and cpu s include imports and loading rules; "
        "cpu us/fact = CPU of (read + evaluate + render JSON) / facts.\n"
        f"cpu us/fact at {rows[-1]['facts']:,} / at {rows[0]['facts']:,}: {growth:.2f} ({verdict})"
    )


# -- command line ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--facts",
        type=int,
        default=100_000,
        metavar="N",
        help="number of facts to generate (default 100,000)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--as-of", default="2004-12-31", help="as-of date (default 2004-12-31)")
    parser.add_argument("--rules", default=str(ROOT / "rules"), help="rule file or folder")
    parser.add_argument(
        "--cli-as-of",
        default="2000-12-31",
        help="as-of date of the CLI run on facts/ (default 2000-12-31)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report each phase's Python-heap peak (slower)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="run 10k, 50k and 100k facts, each measured in a fresh process",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="K",
        help="measure K times and keep each phase's best time (default 1)",
    )
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess")
    parser.add_argument("--keep", metavar="FILE", help="also keep the generated .jsonl here")
    parser.add_argument("--measure", metavar="FILE", help=argparse.SUPPRESS)
    return parser


class ChildFailedError(RuntimeError):
    """The measuring child process died or failed."""


def measure_in_child(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Measure the engine phases on ``path`` in a fresh process; its figures as a dict.

    A fresh process per measurement keeps each high-water mark its own and keeps this
    process's allocations (the generated facts) out of the engine's heap. It also matters
    for correctness: with durable_rules 2.0.28, building the XNYS calendar (importing
    exchange_calendars) before the first evaluation can crash the process with SIGSEGV
    (uninitialised reads in ``reduceExpressionSequence``), so the child must not touch
    the calendar before ``evaluate`` does.
    """
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure",
        str(path),
        "--facts",
        str(args.facts),
        "--as-of",
        args.as_of,
        "--rules",
        args.rules,
    ]
    if args.tracemalloc:
        cmd.append("--tracemalloc")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
        raise ChildFailedError(
            f"measuring {args.facts:,} facts failed ({why}): {shlex.join(cmd)}\n"
            + done.stderr.strip()[-2000:]
        )
    return json.loads(done.stdout)


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge repeated measurements: each phase's shortest time and highest memory."""
    report = runs[0]
    for i, phase in enumerate(report["phases"]):
        phase["seconds"] = min(r["phases"][i]["seconds"] for r in runs)
        phase["cpu_seconds"] = min(r["phases"][i]["cpu_seconds"] for r in runs)
        phase["rss_mib"] = max(r["phases"][i]["rss_mib"] for r in runs)
    report["repeat"] = len(runs)
    return report


def single(args: argparse.Namespace) -> dict[str, Any]:
    """Generate and write one fact log, then measure it in a child process."""
    start = time.perf_counter()
    _trading_days(FIRST_DAY, FIRST_DAY)  # builds the XNYS calendar once per process
    calendar_seconds = time.perf_counter() - start
    start = time.perf_counter()
    facts = generate_facts(args.facts, args.seed)
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        path = Path(tmp) / "bench.jsonl"
        write_jsonl(facts, path)
        del facts
        gen_seconds = time.perf_counter() - start
        if args.keep:
            Path(args.keep).write_bytes(path.read_bytes())
        runs = [measure_in_child(path, args) for _ in range(max(1, args.repeat))]
    report = best_of(runs)
    report["generate_seconds"] = gen_seconds
    report["calendar_seconds"] = calendar_seconds
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures and the command line used."""
    args = _parser().parse_args(argv)
    if args.measure:  # child mode: measure one file, print JSON
        _engine()
        from engine.days.instants import parse_date

        report = run_engine(
            Path(args.measure), args.facts, parse_date(args.as_of), args.rules, args.tracemalloc
        )
        print(json.dumps(report))
        return 0
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]), flush=True)
    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; rules {args.rules}; "
        f"as of {args.as_of}; seed {args.seed}; best of {max(1, args.repeat)}\n",
        flush=True,
    )
    try:
        if args.scaling:
            rows = []
            for n in SCALING_SIZES:
                rows.append(single(argparse.Namespace(**{**vars(args), "facts": n})))
                print(f"  {n:,} facts measured", file=sys.stderr)
            print_scaling(rows)
            return 0
        report = single(args)
    except ChildFailedError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    cli = None if args.no_cli else run_cli(args.cli_as_of)
    print_single(report, cli)
    return 0


if __name__ == "__main__":
    sys.exit(main())
