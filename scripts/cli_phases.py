"""Run ``clausewatch`` as usual, timing its phases: read, evaluate, report (not a test).

``python scripts/cli_phases.py TIMINGS.json check --rules ... --format json`` is the
command line ``clausewatch check ...`` run in this process, end to end, with the phase
functions of ``engine.cli`` wrapped in timers: read (``load_rules`` + ``FactReader.read``),
evaluate (``evaluate``, worker processes included), report (rendering and printing).
The figures go to TIMINGS.json with this process's and its children's resource usage;
standard output and the exit status are the command's own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TIMES: dict[str, float] = {}


def timed(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, adding the time of each call to ``phase``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[phase] = TIMES.get(phase, 0.0) + time.perf_counter() - start

    return wrapper


def _wrap() -> None:
    """Wrap the phase functions where the commands look them up."""
    import engine.cli.check as check
    import engine.cli.common as common
    from engine.load.facts import FactReader

    common.load_rules = timed("read", common.load_rules)
    FactReader.read = timed("read", FactReader.read)  # type: ignore[method-assign]
    common.evaluate_delta = timed("evaluate", common.evaluate_delta)
    for name in (
        "json_report", "text_pieces", "csv_pieces", "json_report_marked", "csv_marked_pieces",
        "text_marked_pieces",
    ):  # fmt: skip
        setattr(check, name, timed("report", getattr(check, name)))
    check._print = timed("report", check._print)  # the command prints through `_print`


def _maxrss_mib(who: int) -> float:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale / 2**20


def main() -> int:
    """Run the command line after TIMINGS.json; write the figures there."""
    out, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    from engine.cli import main as cli

    _wrap()
    TIMES["import"] = time.perf_counter() - start
    code = cli(argv)
    sys.stdout.flush()
    TIMES["total"] = time.perf_counter() - start
    figures = {
        "phases": TIMES,
        "exit": code,
        "self_maxrss_mib": _maxrss_mib(resource.RUSAGE_SELF),
        "children_maxrss_mib": _maxrss_mib(resource.RUSAGE_CHILDREN),
        "cpu_self_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
        "cpu_children_s": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]),
    }
    Path(out).write_text(json.dumps(figures), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
