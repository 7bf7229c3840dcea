"""scripts/portfolio.py: a mixed portfolio (seed and credit-agreement templates), the
same bytes for the same seed, every fact valid and routed, findings of both templates."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import portfolio_module

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gen():
    return portfolio_module()


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_the_same_seed_writes_the_same_bytes(gen, tmp_path, capsys):
    args = ["--facts", "2000", "--instances", "20", "--seed", "5", "--shared", "0.01"]
    for name in ("a", "b"):
        assert gen.main([*args, "--out", str(tmp_path / name)]) == 0
    first, second = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert first == second
    assert sorted(first) == [
        "facts/portfolio.jsonl", "rules/credit-agreement.yaml", "rules/credit-portfolio.csv",
        "rules/portfolio.yaml",
    ]  # fmt: skip
    assert f"--as-of {gen.AS_OF}" in capsys.readouterr().out
    facts = [json.loads(line) for line in first["facts/portfolio.jsonl"].splitlines()]
    assert len(facts) == 2000  # exact, whatever the templates' lives
    # 30% of 20 instances by default: 6 loans, each a row of the CSV portfolio.
    rows = first["rules/credit-portfolio.csv"].decode().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == [f"credit-{k:06d}" for k in range(1, 7)]
    assert {f["contract"][:6] for f in facts} == {"nhtc-j", "credit", "*"}
    # Another seed, another portfolio; --credit 0: the seed template alone.
    assert gen.main([*args[:-2], "--seed", "6", "--out", str(tmp_path / "c")]) == 0
    assert files_of(tmp_path / "c") != first
    assert gen.main([*args, "--credit", "0", "--out", str(tmp_path / "a")]) == 0
    assert sorted(files_of(tmp_path / "a")) == ["facts/portfolio.jsonl", "rules/portfolio.yaml"]
    # --credit 1: the credit template alone (no seed instance, so no seed rule file).
    files, facts = gen.portfolio(200, 5, seed=5, shared=0.0, credit=1.0)
    assert sorted(files) == ["credit-agreement.yaml", "credit-portfolio.csv"]
    assert len(facts) == 200


def test_a_mixed_portfolio_checks_with_findings_of_both_templates(gen, tmp_path, capsys):
    files, facts = gen.portfolio(2000, 20, seed=3, shared=0.01, credit=0.3)
    rules, logs = gen.write(tmp_path, files, facts)
    code = main(["check", "--rules", str(rules), "--facts", str(logs), "--as-of", gen.AS_OF,
                 "--format", "json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code in (0, 1), err  # never 2: every fact valid and routed
    findings = json.loads(out)["findings"]
    statuses = Counter((f["template"], f["status"]) for f in findings)
    assert {t for t, _ in statuses} == {"nhtc-series-j", "credit-agreement"}
    credit = {s for t, s in statuses if t == "credit-agreement"}
    assert {"met", "breached", "open"} <= credit
    rules_seen = {f["rule"] for f in findings if f["template"] == "credit-agreement"}
    assert {"financial-statements", "compliance-certificate", "leverage-ratio",
            "interest-payment", "interest-default"} <= rules_seen  # fmt: skip
