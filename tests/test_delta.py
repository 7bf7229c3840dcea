"""The nightly delta: a run with the history takes unchanged instances from the memo, and
its output is byte for byte that of a full run, night after night, with random new facts."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import zlib
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.cli.common import load_inputs
from engine.evaluate import Entry, EntryUnreadable, Memo, evaluate, evaluate_delta
from engine.findings.horizon import first_day_past
from engine.history.memo import Packed, _pack, _unpack, finding_doc, finding_of, templates_of
from engine.output.report import to_json, to_text
from tests.conftest import generate_portfolio

ROOT = Path(__file__).resolve().parents[1]


def _inputs(rules: list[str], facts: Path, as_of: date):  # noqa: ANN202
    import argparse

    ns = argparse.Namespace(rules=rules, facts=[str(facts)], as_of=as_of.isoformat())
    inputs = load_inputs(ns)
    assert not isinstance(inputs, list), inputs
    return inputs


def _append(log: Path, facts: list[dict]) -> None:
    with log.open("a", encoding="utf-8") as out:
        for fact in facts:
            out.write(json.dumps(fact) + "\n")


def _copy_facts(tmp_path: Path, source: Path) -> tuple[Path, Path]:
    folder = tmp_path / "facts"
    shutil.copytree(source, folder) if source.is_dir() else folder.mkdir()
    if source.is_file():
        shutil.copy(source, folder)
    logs = sorted(folder.glob("*.jsonl"))
    return folder, logs[-1]


def _nights(
    rules: list[str], folder: Path, log: Path, start: date, new_facts, seed: int, jobs: int = 1  # noqa: ANN001
) -> None:
    """Six nights: each appends a random batch and moves the as-of on by 1..40 days; the
    delta's result equals a full run's, as text and JSON, and it evaluates fewer. With
    ``jobs`` over 1, the delta runs in worker processes, handed its facts (as the CLI)."""
    rng = random.Random(seed)
    entries: dict[str, Entry] = {}
    as_of, fewer = start, 0
    for night in range(6):
        batch = new_facts(rng, as_of, night)
        _append(log, batch)
        as_of += timedelta(days=rng.randint(1, 40))
        inputs = _inputs(rules, folder, as_of)
        memo = Memo(entries, templates_of(inputs.contracts))
        handed = list(inputs.facts)
        delta = evaluate_delta(
            inputs.contracts, handed, as_of, memo, inputs.held_back, jobs=jobs, hand_over=jobs > 1
        )
        assert handed == [] if jobs > 1 else handed == inputs.facts
        full = evaluate(inputs.contracts, inputs.facts, as_of, inputs.held_back)
        assert to_json(delta.result) == to_json(full), f"night {night} ({as_of})"
        assert to_text(delta.result) == to_text(full), f"night {night} ({as_of})"
        assert delta.result == full
        entries.update(delta.entries)
        fewer += night > 0 and delta.evaluated < delta.evaluated + delta.reused
    assert fewer, "the delta never took an instance from the memo"


# Nights over the seed's deal (2000), and over the loans' stories (facts/README.md):
# interest dates, quarterly statements and certificates, leverage tests, cures, waivers
# and late interest in 2025-2026 (meridian) and 2026-2028 (harbor).
@pytest.mark.parametrize(
    "start", [date(2000, 3, 1), date(2025, 6, 1), date(2026, 2, 1), date(2028, 3, 1)]
)
def test_bundled_portfolio_over_six_nights(tmp_path: Path, start: date) -> None:
    folder, log = _copy_facts(tmp_path, ROOT / "facts")
    log = folder / "zz-delta.jsonl"
    log.touch()
    inputs = _inputs([str(ROOT / "rules")], folder, start)
    instances = [i.id for c in inputs.contracts for i in c.instances]
    counter = iter(range(10**6))

    def new_facts(rng: random.Random, as_of: date, night: int) -> list[dict]:
        if night % 3 == 2:
            return []  # a night with no news
        who = rng.choice(instances)
        day = as_of + timedelta(days=rng.randint(0, 30))
        fact = {
            "id": f"d-{next(counter)}",
            "type": "waiver",
            "at": f"{day.isoformat()}T12:00:00",
            "contract": who,
            "rule": "no-such-rule",
            "party": "nobody",
            "clause": "test",
        }
        return [fact]

    _nights([str(ROOT / "rules")], folder, log, start, new_facts, seed=3)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portfolio")
    return generate_portfolio(out, "--facts", "3000", "--instances", "60", "--shared", "0.02")


@pytest.mark.parametrize("jobs", [1, 2])
def test_generated_portfolio_over_six_nights(small: Path, tmp_path: Path, jobs: int) -> None:
    folder, _ = _copy_facts(tmp_path, small / "facts")
    log = folder / "zz-delta.jsonl"
    lines = (small / "facts").glob("*.jsonl")
    pool = [json.loads(x) for p in lines for x in p.read_text().splitlines() if x.strip()]
    # the new facts: copies of existing ones (their kinds and fields), re-dated and re-named
    counter = iter(range(10**6))

    def new_facts(rng: random.Random, as_of: date, night: int) -> list[dict]:
        if night == 3:
            return []
        chosen = rng.sample([f for f in pool if f.get("contract") != "*"], 5)
        out = []
        for fact in chosen:
            day = as_of + timedelta(days=rng.randint(-2, 20))
            out.append({**fact, "id": f"d-{next(counter)}", "at": f"{day}T{fact['at'][11:]}"})
        return out

    rules = [str(small / "rules")]
    _nights(rules, folder, log, date(2002, 6, 3), new_facts, seed=11, jobs=jobs)


def test_findings_come_back_equal_in_every_field() -> None:
    inputs = _inputs([str(ROOT / "rules")], ROOT / "facts", date(2001, 3, 1))
    result = evaluate(inputs.contracts, inputs.facts, inputs.as_of, inputs.held_back)
    for f in (*result.findings, *result.ahead):
        back = _unpack(_pack([f]))[0]  # as the memo stores it
        for name in (x.name for x in fields(f)):
            assert repr(getattr(back, name)) == repr(getattr(f, name)), name
        if f.due_instant is not None:
            assert back.due_instant.timezone_name == f.due_instant.timezone_name


@pytest.mark.parametrize(
    ("index", "value"),
    [(10, 1e16), (0, None), (9, ["f-1", 2]), (9, "f-1"), (17, "yes"), (2, 7)],
)
def test_a_damaged_finding_of_the_history_is_refused(index: int, value: object) -> None:
    # A message that is a number, no contract, a fact id that is a number, the facts not a
    # list, late_payment not a boolean, a key that is a number: the row is not used (its
    # instance is evaluated again: ``EntryUnreadable``), never printed as it stands.
    inputs = _inputs([str(ROOT / "rules")], ROOT / "facts", date(2001, 3, 1))
    found = evaluate(inputs.contracts, inputs.facts, inputs.as_of, inputs.held_back).findings
    doc = json.loads(json.dumps(finding_doc(found[0])))
    assert finding_of(doc) == found[0]
    doc[index] = value
    with pytest.raises(TypeError, match="holds a value of another type"):
        finding_of(doc)
    blob = zlib.compress(json.dumps([doc]).encode("utf-8"))
    with pytest.raises(EntryUnreadable):
        len(Packed(blob))


def _accepted_only(tmp_path: Path) -> tuple[list[str], Path]:
    """The seed's rules, and a facts folder with only the acceptance (Fri 2000-03-03)."""
    folder = tmp_path / "facts"
    folder.mkdir()
    _append(folder / "log.jsonl", [{"id": "acc", "type": "agreement_accepted",
                                    "at": "2000-03-03T17:00", "contract": "nhtc-series-j"}])
    return [str(ROOT / "rules" / "nhtc-series-j.yaml")], folder


def test_a_deadline_passing_between_nights_is_evaluated_again(tmp_path: Path) -> None:
    # The seed's funding deadline alone: the Agreement accepted Fri 2000-03-03, the deposit
    # due three NYSE trading days later at 17:00 New York time: Mon 6, Tue 7, Wed 8 ->
    # 2000-03-08T17:00-05:00 (as tests/test_with_trigger.py counts it). The last tick of
    # as-of Tue 03-07 (23:59:59 EST) is before it, that of as-of Wed 03-08 after it: the
    # findings of as-of Mon 03-06 stand through Tue 03-07; the horizon is Wed 03-08.
    rules, folder = _accepted_only(tmp_path)
    inputs = _inputs(rules, folder, date(2000, 3, 6))
    first = evaluate_delta(
        inputs.contracts, inputs.facts, inputs.as_of, Memo({}, templates_of(inputs.contracts))
    )
    [entry] = first.entries.values()
    assert (entry.as_of, entry.horizon) == (date(2000, 3, 6), date(2000, 3, 8))
    memo = Memo(first.entries, templates_of(inputs.contracts))
    for as_of, reused, status in ((date(2000, 3, 7), 1, "open"), (date(2000, 3, 8), 0, "breached")):
        inputs = _inputs(rules, folder, as_of)
        delta = evaluate_delta(inputs.contracts, inputs.facts, as_of, memo)
        full = evaluate(inputs.contracts, inputs.facts, as_of)
        assert (delta.reused, delta.evaluated) == (reused, 1 - reused)
        assert to_json(delta.result) == to_json(full)
        [funding] = [f for f in full.findings if f.rule == "funding-deadline"]
        assert (funding.status, funding.due) == (status, "2000-03-08T17:00:00-05:00")


def test_first_day_past_an_end_of_day_deadline() -> None:
    from engine.days.instants import end_of_day, epoch_us

    last = epoch_us(end_of_day(date(2000, 3, 10), "America/New_York"))
    assert first_day_past(last, "America/New_York") == date(2000, 3, 11)
    assert first_day_past(last - 1, "America/New_York") == date(2000, 3, 10)


def test_check_history_delta_prints_what_a_full_run_prints(small: Path, tmp_path: Path) -> None:
    def check(as_of: str, where: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "engine", "check", "--rules", str(small / "rules")]
        argv += ["--facts", str(small / "facts"), "--as-of", as_of, "--jobs", "1"]
        argv += ["--history", "history.sqlite", "--debug", *extra]  # the path is printed
        where.mkdir(exist_ok=True)
        return subprocess.run(argv, capture_output=True, text=True, cwd=where)

    for fmt in ("json", "text"):
        delta_db, full_db = tmp_path / f"d-{fmt}", tmp_path / f"f-{fmt}"
        for as_of in ("2003-01-10", "2003-01-11", "2003-02-20"):
            delta = check(as_of, delta_db, "--format", fmt)
            full = check(as_of, full_db, "--format", fmt, "--full")
            assert (delta.returncode, delta.stdout) == (full.returncode, full.stdout), as_of
            assert "instances evaluated" in delta.stderr
            if as_of == "2003-01-11":  # one day on, few facts: most taken from the memo
                assert "0 unchanged taken" not in delta.stderr, delta.stderr
        assert "60 of 60 instances evaluated" in full.stderr


def test_a_stored_entry_that_cannot_be_read_is_evaluated_again(tmp_path: Path) -> None:
    # The funding scenario above at as-of Mon 2000-03-06 (horizon Wed 03-08), then the
    # same entry with a damaged row: as of Tue 03-07 it stands, but cannot be read back,
    # so the instance is evaluated again, and the result is a full run's.
    from engine.history.memo import Packed

    rules, folder = _accepted_only(tmp_path)
    inputs = _inputs(rules, folder, date(2000, 3, 6))
    templates = templates_of(inputs.contracts)
    first = evaluate_delta(inputs.contracts, inputs.facts, inputs.as_of, Memo({}, templates))
    [(instance, entry)] = first.entries.items()
    damaged = Entry(entry.digest, entry.as_of, entry.horizon, Packed(b"not zlib"))
    inputs = _inputs(rules, folder, date(2000, 3, 7))
    memo = Memo({instance: damaged}, templates)
    delta = evaluate_delta(inputs.contracts, inputs.facts, inputs.as_of, memo)
    assert (delta.reused, delta.evaluated) == (0, 1)
    assert to_json(delta.result) == to_json(evaluate(inputs.contracts, inputs.facts, inputs.as_of))
