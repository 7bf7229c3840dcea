"""What durable_rules' C engine alone costs per fact: a floor under the evaluation (not a test).

Evaluates a portfolio (generated as ``scripts/bench_portfolio.py`` does, ``--keep DIR``
to reuse it) part after part in this process, as one worker process does, with the
findings' traces (as ``--format json`` needs them), and for each part:

1. times the evaluation (process CPU time);
2. evaluates it again with every call into durable_rules' C engine recorded (the calls
   ``engine.run.calls`` makes: facts asserted and retracted, actions started and
   completed), in order, with what each returned;
3. replays those calls alone on the same host, into fresh sessions, and times them: the
   same messages, the same matching, none of the engine's Python (no actions run, no
   messages built, no findings). Every replayed call must give what it gave in the run
   (result codes, and the same actions fired with the same messages), else the replay is
   not the run's and the script says so and exits 1.

The replayed time is what durable_rules spends on the run's calls, one call a message in
the run's order: no evaluation making these calls can cost less per fact, whatever
Python drives it (batching messages, ``assert_facts``, would be other calls; about half
the ``start_action_for_state`` calls find no action to run). Run from anywhere::

    python scripts/durable_floor.py --facts 100000 --instances 1000 --keep /tmp/pf-100k
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import durable_rules_engine
import portfolio
from bench_portfolio import ready

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.executors.work import evaluate_part  # noqa: E402
from engine.load.facts import FactReader  # noqa: E402
from engine.load.rules import load_rules  # noqa: E402
from engine.model import Contract  # noqa: E402
from engine.run import calls  # noqa: E402
from engine.run.driver import compiled  # noqa: E402
from engine.run.hosts import borrowed  # noqa: E402
from engine.run.partition import Part, plan  # noqa: E402
from engine.run.state import RunState  # noqa: E402

Call = tuple[str, tuple[Any, ...], Any]  # a C function's name, its arguments, its result
_ACTIONS = ("start_action_for_state", "complete_and_start_action", "abandon_action")
_MESSAGES = ("assert_fact", "retract_fact")


class Recorder:
    """Stands for the C engine in ``engine.run.calls``: each call made, then logged."""

    def __init__(self) -> None:
        self.log: list[Call] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = getattr(durable_rules_engine, name)

        def recorded(*args: Any) -> Any:
            result = function(*args)
            self.log.append((name, args, result))
            return result

        return recorded


def kind_of(name: str, args: tuple[Any, ...]) -> str:
    """A call as counted: an assert or retract by the ``kind`` of its message."""
    if name in _MESSAGES:
        text = args[1]
        start = text.find('"kind":"') + len('"kind":"')
        return f"{name} {text[start : text.find(chr(34), start)]}"
    return name


def _loop(
    ops: list[tuple[Callable[..., Any], str, tuple[Any, ...], Any]],
) -> tuple[list[Any], float]:
    """Make each call, in order, with the state handles the replay's own calls gave; what
    each gave, and the CPU seconds they took."""
    got: list[Any] = []
    states: dict[int, int] = {}  # a state handle in the run -> its handle in the replay
    start = time.process_time()
    for function, name, args, result in ops:
        if name in _ACTIONS:
            got.append(function(args[0], states.get(args[1], args[1])))
        else:
            again = function(*args)
            got.append(again)
            if name in _MESSAGES and isinstance(result, tuple) and isinstance(again, tuple):
                states[result[1]] = again[1]
    return got, time.process_time() - start


def _matched(log: list[Call]) -> set[str]:
    """The sessions a rule took a user fact of: those a run deletes after its part, as the
    driver counts them (``engine.run.hosts`` says why the others are left)."""
    return {
        args[1].split('"sid":"', 1)[1].split('"', 1)[0]
        for name, args, result in log
        if name == "assert_fact" and '"kind":"fact"' in args[1] and result[0] == 0
    }


def _stub(result: Any) -> Callable[..., Any]:
    """A stand-in for a C call: gives what the call gave in the run, at once."""
    return lambda *_: result


def replay(
    contracts: list[Contract], part: Part, log: list[Call]
) -> tuple[float, float, str | None]:
    """The CPU seconds the part's logged calls take alone, on the host the part ran on,
    into fresh sessions (deleted after); the seconds the same loop takes with stand-ins
    for the C calls (its own Python, included in the first); and the first call that
    gave another result than in the run (None: none did)."""
    kinds = dict.fromkeys(m.contract for m in part.members)
    rulesets = [compiled(contracts[k]) for k in kinds]
    sessions = {
        contracts[m.contract].instances[m.index].id: compiled(contracts[m.contract]).name
        for m in part.members
    }
    run = RunState()
    ops = [(getattr(durable_rules_engine, name), name, args, result) for name, args, result in log]
    with borrowed(rulesets, sessions, run):
        got, spent = _loop(ops)
        run.matched.update(_matched(log))  # the sessions deleted after the run, deleted
    _, loop = _loop([(_stub(result), name, args, result) for _, name, args, result in ops])
    for (name, args, result), again in zip(log, got, strict=True):
        if not _same(name, result, again):
            return spent, loop, f"{name}{args[1:]!r}: {result!r} in the run, {again!r} replayed"
    return spent, loop, None


def _same(name: str, result: Any, again: Any) -> bool:
    """Whether a replayed call gave what the run's gave (state handles aside)."""
    if name in _MESSAGES and isinstance(result, tuple):
        return isinstance(again, tuple) and result[0] == again[0]
    if name == "start_action_for_state" and isinstance(result, tuple):
        return isinstance(again, tuple) and result[1:] == again[1:]
    return bool(result == again)


def measure(rules: Path, logs: Path, as_of: date, parts: int | None) -> int:
    """Evaluate, record and replay each part (the first only warms up); print the figures."""
    loaded = load_rules([str(rules)])
    facts = FactReader(loaded.contracts, {}, loaded.held_types).read([str(logs)])
    contracts = loaded.contracts
    split = plan(contracts, facts, as_of, jobs=1)
    del facts
    chosen = split.parts[1 : None if parts is None else parts + 1]
    evaluate_part(contracts, split.parts[0], as_of)  # warm: rulesets, calendars, caches
    spent = {"evaluation": 0.0, "C": 0.0, "loop": 0.0}
    counted: collections.Counter[str] = collections.Counter()
    n = 0
    for part in chosen:
        start = time.process_time()
        evaluate_part(contracts, part, as_of)
        spent["evaluation"] += time.process_time() - start
        recorder = Recorder()
        calls._c = recorder  # type: ignore[attr-defined]
        try:
            evaluate_part(contracts, part, as_of)
        finally:
            calls._c = durable_rules_engine  # type: ignore[attr-defined]
        alone, loop, differs = replay(contracts, part, recorder.log)
        if differs is not None:
            print(f"part {part.index}: the replay is not the run's: {differs}", file=sys.stderr)
            return 1
        spent["C"] += alone
        spent["loop"] += loop
        counted.update(kind_of(name, args) for name, args, _ in recorder.log)
        n += len(part.facts)
    if not n:
        print("no facts in the parts measured", file=sys.stderr)
        return 1
    each = {k: v / n * 1e6 for k, v in spent.items()}
    print(f"{n:,} facts over {len(chosen)} parts (after one part to warm up), as of {as_of}")
    print(f"evaluation (traces kept, as for JSON): {each['evaluation']:.1f} µs/fact CPU")
    print(
        f"durable_rules' C engine alone, the run's {sum(counted.values()) / n:.2f} calls a fact "
        f"replayed: {each['C']:.1f} µs/fact ({each['C'] / each['evaluation']:.0%}), of which "
        f"{each['loop']:.1f} the replay loop's own Python (stand-ins for the calls)"
    )
    for name, count in counted.most_common():
        print(f"  {name}: {count / n:.2f} a fact")
    print("every replayed call gave what it gave in the run")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the portfolio, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000, metavar="N")
    parser.add_argument("--instances", type=int, default=1_000, metavar="M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shared", type=float, default=0.0, metavar="FRACTION")
    parser.add_argument("--credit", type=float, default=portfolio.CREDIT_SHARE, metavar="FRACTION")
    parser.add_argument("--as-of", default=portfolio.AS_OF)
    parser.add_argument("--parts", type=int, metavar="K", help="measure K parts (default: all)")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and reuse it")
    args = parser.parse_args(argv)
    as_of = date.fromisoformat(args.as_of)
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        rules, logs, _ = ready(args, folder)
        return measure(rules, logs, as_of, args.parts)
    with tempfile.TemporaryDirectory(prefix="cw-floor-") as tmp:
        rules, logs, _ = ready(args, Path(tmp))
        return measure(rules, logs, as_of, args.parts)


if __name__ == "__main__":
    sys.exit(main())
