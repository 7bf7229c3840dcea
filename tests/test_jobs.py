"""Runs of many instances: past durable_rules' 1,024 sessions per ruleset, over worker
processes (``--jobs``), with the same output whatever the number of jobs.

Expected values, worked by hand (as in test_evaluate.py): accepted Fri 2000-03-03, the
funding deadline is the 3rd NYSE trading day after it, Wed 2000-03-08 at 17:00 EST.
"""

from __future__ import annotations

import gc
import io
import json
import os
import pickle
import sys
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pytest

import engine.run.partition as partition
from engine.cli import main
from engine.cli.progress import progress_bar
from engine.diagnostics import Location
from engine.evaluate import evaluate, evaluate_delta
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Fact, Status
from engine.output.report import to_json
from tests.conftest import portfolio_module

ROOT = Path(__file__).resolve().parent.parent
DUE = "2000-03-08T17:00:00-05:00"


def generated_portfolio(folder: Path) -> tuple[str, str]:
    """A generated portfolio (scripts/portfolio.py): 2,000 facts over 300 instances of the
    seed agreement, 1% of them without `contract`; its rules and facts folders."""
    gen = portfolio_module()
    text, facts = gen.portfolio(2_000, 300, seed=11, shared=0.01)
    rules, logs = gen.write(folder, text, facts)
    return str(rules), str(logs)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> tuple[str, str]:
    return generated_portfolio(tmp_path_factory.mktemp("portfolio"))


def many(tmp_path: Path, count: int) -> Path:
    text = (ROOT / "rules" / "nhtc-series-j.yaml").read_text()
    block = "".join(f"    - {{id: deal-{k:05d}}}\n" for k in range(count))
    path = tmp_path / "many.yaml"
    path.write_text(text.replace("  notices:\n", f"  instances:\n{block}  notices:\n", 1))
    return path


def test_more_instances_than_durable_rules_sessions_per_ruleset(tmp_path):
    contracts = load_contracts([str(many(tmp_path, 1_030))])
    lines = [{"id": "acc", "type": "agreement_accepted", "at": "2000-03-03T10:00", "contract": "*"}]
    lines += [  # every third deal deposits on time
        {"id": f"dep-{k}", "type": "purchase_price_deposited", "at": "2000-03-08T16:00",
         "amount": 500000, "contract": f"deal-{k:05d}"}
        for k in range(0, 1_030, 3)
    ]
    path = tmp_path / "facts.jsonl"
    path.write_text("".join(json.dumps(f) + "\n" for f in lines))
    facts = read_facts([str(path)], contracts)
    result = evaluate(contracts, facts, date(2000, 3, 31))
    funding = {f.contract: f for f in result.findings if f.rule == "funding-deadline"}
    assert len(funding) == 1_030
    assert {f.due for f in funding.values()} == {DUE}
    met = {c for c, f in funding.items() if f.status is Status.MET}
    assert met == {f"deal-{k:05d}" for k in range(0, 1_030, 3)}  # 344 deals
    assert all(f.status is Status.BREACHED for c, f in funding.items() if c not in met)
    assert funding["deal-01028"].facts == ("acc",)  # 1028 = 3 * 342 + 2: no deposit
    assert result.considered == 1 + 344


def test_findings_alike_hold_their_words_once(tmp_path):
    """Three deals accepted by one fact for all (``"*"``), none deposited: their funding
    findings say the same words (breached, due Wed 2000-03-08 17:00 EST, as above), and
    hold them once (``make_finding`` keeps a part's words once), so a part's result carries
    them once."""
    contracts = load_contracts([str(many(tmp_path, 3))])
    path = tmp_path / "facts.jsonl"
    path.write_text(json.dumps(
        {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03T10:00", "contract": "*"}
    ) + "\n")
    result = evaluate(contracts, read_facts([str(path)], contracts), date(2000, 3, 31))
    funding = [f for f in result.findings if f.rule == "funding-deadline"]
    assert [f.contract for f in funding] == ["deal-00000", "deal-00001", "deal-00002"]
    assert {(f.due, f.status) for f in funding} == {(DUE, Status.BREACHED)}
    first, second, third = funding
    assert first.message is second.message is third.message
    assert len(first.trace) > 3
    assert all(a is b is c for a, b, c in zip(first.trace, second.trace, third.trace, strict=True))
    back = pickle.loads(pickle.dumps(funding))  # as a worker's part comes back
    assert back[0].message is back[2].message and back[0].trace[1] is back[2].trace[1]


def test_jobs_and_parts_do_not_change_the_result(portfolio, monkeypatch):
    rules, logs = portfolio
    contracts = load_contracts([rules])
    facts = read_facts([logs], contracts)
    as_of = date(2004, 12, 31)
    batches = evaluate(contracts, facts, as_of)  # 2 parts of 150 instances, this process
    forked = evaluate(contracts, facts, as_of, jobs=2)  # 8 parts over 2 worker processes
    monkeypatch.setattr(partition, "BATCH", 10_000)
    whole = evaluate(contracts, facts, as_of)  # one part, as before partitioning
    assert to_json(forked) == to_json(batches) == to_json(whole)
    assert len(whole.findings) > 500 and whole.breached


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_prints_the_same_bytes_whatever_the_jobs(portfolio, capsys, fmt):
    rules, logs = portfolio
    outputs = []
    for jobs in ("1", "2"):
        code = main(["check", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31",
                     "--format", fmt, "--jobs", jobs])
        captured = capsys.readouterr()
        outputs.append((code, captured.out, captured.err))
    assert outputs[0][0] == 1  # the portfolio has breaches
    assert outputs[1] == outputs[0]
    assert outputs[0][2] == ""  # not a terminal: no progress bar


def test_the_bundled_facts_give_the_same_bytes_with_two_jobs(capsys):
    runs = []
    for jobs in ("1", "2"):
        for command in (["check", "--format", "json"], ["upcoming", "--days", "400"],
                        ["calendar"], ["explain", "funding-deadline"]):
            code = main([*command, "--as-of", "2001-12-31", "--jobs", jobs])
            out = capsys.readouterr().out
            # DTSTAMP is the time of the run (the wall clock): the only line that may differ.
            out = "\n".join(x for x in out.split("\n") if not x.startswith("DTSTAMP:"))
            runs.append((code, out))
    assert runs[:4] == runs[4:]
    assert runs[0][0] == 1 and '"rule": "funding-deadline"' in runs[0][1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--jobs", "0"], "argument --jobs: must be 1 or more, not 0"),
        (["--jobs", "two"], "argument --jobs: not a whole number: 'two'"),
        (["--executor", "yarn://x"],
         "--executor: unknown executor `yarn://x`: use local or dask://HOST:PORT"),
        (["--executor", "dask://:8786"],
         "--executor: `dask://:8786`: expected dask://HOST:PORT, e.g. dask://10.0.0.5:8786"),
    ],
)
def test_bad_run_options_exit_2(capsys, argv, message):
    assert main(["check", "--as-of", "2001-12-31", *argv]) == 2
    assert message in capsys.readouterr().err


def test_contracts_pickle_and_evaluate_the_same(tmp_path):
    """Contracts travel to spawned and Dask workers: expressions as their source."""
    import engine.executors.work  # noqa: F401 - registers how an Expression pickles

    [contract] = load_contracts([str(ROOT / "rules" / "nhtc-series-j.yaml")])
    [copy] = pickle.loads(pickle.dumps([contract]))
    assert copy == contract
    facts = sorted((ROOT / "facts").glob("nhtc-series-j-*.jsonl"))
    as_of = date(2001, 12, 31)
    ours = evaluate([contract], read_facts([str(p) for p in facts], [contract]), as_of)
    theirs = evaluate([copy], read_facts([str(p) for p in facts], [copy]), as_of)
    assert to_json(theirs) == to_json(ours)
    reserve = next(o for o in copy.obligations if o.check is not None)
    assert reserve.check.require.source == next(
        o for o in contract.obligations if o.check is not None).check.require.source


def test_a_part_travels_to_its_worker_with_its_facts_whole(portfolio):
    """Each part goes to its worker process pickled, its facts by their values
    (``engine.executors.work``): every value comes back, places and positions included."""
    rules, logs = portfolio
    contracts = load_contracts([rules])
    facts = read_facts([logs], contracts)
    [part, *_] = partition.plan(contracts, facts, date(2004, 12, 31), jobs=2).parts
    copy = pickle.loads(pickle.dumps(part))
    assert copy == part and len(copy.facts) > 100
    for mine, theirs in zip(part.facts, copy.facts, strict=True):
        assert (theirs.loc, theirs.seq, theirs.contract) == (mine.loc, mine.seq, mine.contract)
        assert type(theirs.loc) is type(mine.loc) and theirs.loc.path.endswith(".jsonl")
        assert theirs.at.isoformat() == mine.at.isoformat()
        assert theirs.at.timezone_name == mine.at.timezone_name
        assert theirs.at_us == mine.at_us
    # a log's facts are all at column 0; one placed at a column keeps it
    placed = replace(part.facts[0], loc=Location("log.jsonl", 3, 7))
    assert pickle.loads(pickle.dumps(placed)).loc == ("log.jsonl", 3, 7)
    # what a fact is made of: `work._fact_fields` names each field (a new one must be added)
    assert [f.name for f in fields(Fact)] == [
        "id", "type", "at", "fields", "loc", "seq", "contract", "at_us"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only(monkeypatch):
    import engine.cli.progress as progress

    monkeypatch.setattr(progress, "DELAY_SECONDS", 0)
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with progress_bar(3, quiet=False) as tick:
        tick(2)
        tick(1)
    shown = screen.getvalue()
    assert "evaluating" in shown and "2/3" in shown and "3/3" in shown
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with progress_bar(3, quiet=True) as tick:
        assert tick is None
    assert quiet.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    with progress_bar(3, quiet=False) as tick:
        assert tick is None


def _die(*args: object) -> None:
    os._exit(9)  # a worker killed, as by the out-of-memory killer


@pytest.mark.parametrize("when", ["_evaluate", "_ready"])  # at a part, or at its start
@pytest.mark.parametrize("early", [1, None])  # started before the facts are read, or after
def test_a_worker_that_dies_fails_the_run_clearly(portfolio, capsys, monkeypatch, when, early):
    import engine.executors.local as local

    monkeypatch.setattr(local, when, _die)
    if early is not None:
        monkeypatch.setattr(local, "EARLY", early)
    rules, logs = portfolio
    code = main(["check", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31",
                 "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "--executor: a worker process died (killed, out of memory or crashed); "
        "--jobs 1 evaluates in this process\n"
    )


@pytest.mark.parametrize(
    ("early", "expected"),
    [
        (1, ["workers started", "facts read"]),  # logs of 1 byte or more: all of them
        (None, ["facts read", "workers started"]),  # 8 MiB: these ~200 KB are read first
    ],
)
def test_workers_start_before_large_fact_logs_are_read(
    portfolio, capsys, monkeypatch, early, expected
):
    """With large fact logs (``local.EARLY`` bytes or more) the worker processes are
    forked with the rules alone, before the facts are read (``Processes.prepare``); with
    small ones, once the run needs them (forking costs more than the pages they copy)."""
    import engine.cli.common as common
    import engine.executors.local as local

    events = []
    start, read = local.Processes._start, common.FactReader.read

    def starting(self, *args):
        events.append("workers started")
        return start(self, *args)

    def reading(self, *args):
        events.append("facts read")
        return read(self, *args)

    monkeypatch.setattr(local.Processes, "_start", starting)
    monkeypatch.setattr(common.FactReader, "read", reading)
    if early is not None:
        monkeypatch.setattr(local, "EARLY", early)
    rules, logs = portfolio
    command = ["check", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31",
               "--quiet", "--format", "json"]
    assert main([*command, "--jobs", "2"]) == 1
    assert events == expected
    forked = capsys.readouterr().out
    assert main([*command, "--jobs", "1"]) == 1
    assert capsys.readouterr().out == forked


def test_facts_handed_over_to_a_run_are_let_go_with_the_same_result(portfolio):
    """The CLI hands its facts over (``hand_over``): the list is emptied once planned, and
    the parts' facts are let go once sent to the workers; the result does not change."""
    rules, logs = portfolio
    contracts = load_contracts([rules])
    facts = read_facts([logs], contracts)
    as_of = date(2004, 12, 31)
    kept = evaluate(contracts, facts, as_of, jobs=2)
    mine = list(facts)
    handed = evaluate_delta(contracts, mine, as_of, None, jobs=2, hand_over=True).result
    assert mine == []
    assert to_json(handed) == to_json(kept)
    assert handed.after_as_of == kept.after_as_of
    kept_json = to_json(kept)
    del kept, facts  # none of these facts is alive any more

    def alive() -> int:  # facts alive in this process (others' tests' too)
        return sum(type(o) is Fact for o in gc.get_objects())

    before, live = alive(), []
    handed = read_facts([logs], contracts)
    later = evaluate_delta(
        contracts, handed, as_of, None, jobs=2, hand_over=True,
        progress=lambda instances: live.append(alive() - before),  # as each part is back
    ).result  # fmt: skip
    assert to_json(later) == kept_json
    assert live and max(live) <= len(later.after_as_of)  # only those the result keeps

    facts = read_facts([logs], contracts)
    split = partition.plan(contracts, facts, as_of, jobs=2)
    members = [p.members for p in split.parts]
    split.let_go()
    assert [p.facts for p in split.parts] == [()] * len(members)
    assert [p.members for p in split.parts] == members and split.considered > 1000


def test_an_executor_refused_is_said_with_the_inputs_problems(tmp_path, capsys):
    """An unknown executor, with a fact log whose second line has a problem: both are said
    (exit 2), the log's problem at its line, as when the executor is sound."""
    log = tmp_path / "facts.jsonl"
    log.write_text(
        '{"id": "acc", "type": "agreement_accepted", "at": "2000-02-04T10:00"}\n'
        '{"id": "x", "type": "no_such_type", "at": "2000-02-07"}\n'
    )
    argv = ["check", "--rules", str(ROOT / "rules" / "nhtc-series-j.yaml"), "--facts",
            str(log), "--as-of", "2000-12-31"]
    assert main([*argv, "--executor", "yarn://x"]) == 2
    err = capsys.readouterr().err
    assert f"{log}:2:" in err and "no_such_type" in err
    assert "--executor: unknown executor `yarn://x`: use local or dask://HOST:PORT" in err
    assert main(argv) == 2  # the same problem, with the findings of what is sound
    assert f"{log}:2:" in capsys.readouterr().err
