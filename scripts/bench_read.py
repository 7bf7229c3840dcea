"""Benchmark reading fact logs: the JSON parse alone, and ``FactReader.read`` (not a test).

Takes a portfolio folder (``rules/`` and ``facts/``, as ``scripts/portfolio.py`` writes
it) or generates one, then reports medians over ``--repeat`` runs, in microseconds per
non-blank line:

* the raw parse of every line by the standard library (the decoder ``FactReader`` used
  until now: ``str`` lines, Python integers), ``orjson`` and ``msgspec`` (``bytes`` lines);
* ``FactReader.read`` end to end (the files read, every line checked, the facts sorted and
  numbered), and the part of it on top of the raw parse of the library it uses;
* with ``--baseline REF``, the same for ``engine/load/facts.py`` as it was at git ``REF``
  (e.g. ``main``), loaded beside the current one, on the same data in the same process.

Run::

    python scripts/portfolio.py --facts 100000 --instances 1000 --out /tmp/pf100k
    python scripts/bench_read.py /tmp/pf100k --repeat 5 --baseline main
    python scripts/bench_read.py --facts 20000     # generates a portfolio in a temporary folder
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
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


def _median_us(fn: Callable[[], Any], count: int, repeat: int) -> float:
    """The median over ``repeat`` runs of ``fn``'s time, in microseconds per one of ``count``."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / count * 1e6


def _baseline(ref: str) -> ModuleType:
    """``engine/load/facts.py`` as of git ``ref``, imported under another name."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:engine/load/facts.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("engine.load._facts_baseline", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{ref}:engine/load/facts.py", "exec"), module.__dict__)  # noqa: S102
    return module


def _read(reader_class: type, contracts: list[Any], facts: Path) -> int:
    """Read every fact of ``facts`` with a fresh reader; the number of facts."""
    reader = reader_class(contracts)
    try:
        return len(reader.read([str(facts)]))
    except Exception as exc:  # a bad line: the benchmark data must be sound
        raise SystemExit(f"the fact logs have problems: {exc}") from None


def main() -> int:
    """Measure and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", help="a portfolio folder with rules/ and facts/")
    ap.add_argument("--facts", type=int, default=100_000, help="facts to generate (no folder)")
    ap.add_argument("--instances", type=int, default=1000, help="instances to generate")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline", help="a git ref whose engine/load/facts.py to measure too")
    args = ap.parse_args()

    import msgspec
    import orjson

    from engine.load import facts as current
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
        stdlib = current._DECODER if hasattr(current, "_DECODER") else json.JSONDecoder()
        decoder = msgspec.json.Decoder()
        parse = {
            "json": _median_us(lambda: [stdlib.decode(t) for t in text], n, args.repeat),
            "orjson": _median_us(lambda: [orjson.loads(b) for b in raw], n, args.repeat),
            "msgspec": _median_us(lambda: [decoder.decode(b) for b in raw], n, args.repeat),
        }
        readers: dict[str, Any] = {"current": current}
        if args.baseline:
            readers[f"baseline {args.baseline}"] = _baseline(args.baseline)
        reads = {}
        for name, module in readers.items():
            reads[name] = _median_us(
                lambda m=module: _read(m.FactReader, contracts, folder / "facts"), n, args.repeat
            )
    print(f"{n:,} lines, median of {args.repeat} runs, microseconds per line")
    for lib, us in parse.items():
        print(f"  parse {lib:<8} {us:7.2f}")
    used = getattr(current, "PARSER", "json")
    for name, us in reads.items():
        lib = used if name == "current" else "json"
        print(
            f"  FactReader.read {name:<14} {us:7.2f}  ({us * n / 1e6:6.2f} s in all; "
            f"{us - parse[lib]:6.2f} on top of the {lib} parse)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
