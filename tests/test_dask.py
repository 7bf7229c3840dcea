"""The partitioned run on Dask: a real scheduler and workers (a ``LocalCluster`` on the
loopback), the same findings and bytes as a local run, and clear errors."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from test_jobs import generated_portfolio

from engine.cli import main
from engine.evaluate import evaluate
from engine.executors.on_dask import Dask
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.output.report import to_json

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> tuple[str, str]:
    return generated_portfolio(tmp_path_factory.mktemp("portfolio"))


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two single-threaded workers, in this process, on 127.0.0.1."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as running:
        yield running


def test_dask_finds_what_a_local_run_finds(cluster, portfolio):
    rules, logs = portfolio
    contracts = load_contracts([rules])
    facts = read_facts([logs], contracts)
    as_of = date(2004, 12, 31)
    seen = []
    with Dask(cluster.scheduler_address) as remote_executor:
        remote = evaluate(contracts, facts, as_of, executor=remote_executor,
                          progress=seen.append)
    local = evaluate(contracts, facts, as_of)
    assert remote.findings == local.findings
    assert to_json(remote) == to_json(local)
    assert sum(seen) == 300 and len(seen) == 10  # 300 / 32 = 9.4: 10 parts (>= 4 a thread)


def test_check_on_a_dask_scheduler_prints_the_same_bytes(cluster, portfolio, capsys):
    rules, logs = portfolio
    port = cluster.scheduler_address.rsplit(":", 1)[1]
    common = ["check", "--rules", rules, "--facts", logs, "--as-of", "2004-12-31",
              "--format", "json"]
    remote = main([*common, "--executor", f"dask://127.0.0.1:{port}"])
    remote_out = capsys.readouterr()
    local = main([*common, "--jobs", "1"])
    local_out = capsys.readouterr()
    assert (remote, remote_out.out) == (local, local_out.out) == (1, local_out.out)
    assert remote_out.err == ""


def test_an_unreachable_scheduler_is_a_usage_error(capsys, monkeypatch):
    import engine.executors.on_dask as on_dask

    monkeypatch.setattr(on_dask, "CONNECT_SECONDS", 0.5)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(["check", "--as-of", "2001-12-31", "--executor", f"dask://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(
        f"--executor: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "), err
    assert "Traceback" not in err
