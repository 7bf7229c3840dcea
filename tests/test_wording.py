"""Standing duties and prohibitions (issue 10): one finding per episode, no extra ``met``
row, and messages in words with the figures, never the expression source or YAML's
folded whitespace.

The share reserve of section 4(g) must be at least 1.5 x conversion shares + warrant
shares. Worked by hand: with 1,000 conversion shares and 100 warrant shares the reserve
required is 1.5 x 1,000 + 100 = 1,600 shares. 30 June 2000 is in daylight saving time
(EDT), so a report dated that day is 00:00 EDT.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.evaluate import evaluate
from engine.expressions import parse_expression
from engine.findings.requirement import requirement_words
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Status

RESERVE = "share-reserve"
REQUIRED = "the required minimum of 1,600 (1.5 x conversion shares 1,000 + warrant shares 100)"


def reserve(fid: str, at: str, reserved: int) -> dict[str, Any]:
    return {
        "id": fid,
        "type": "share_reserve_reported",
        "at": at,
        "reserved": reserved,
        "conversion_shares": 1000,
        "warrant_shares": 100,
    }


def test_episode_message_in_words(finding: Any) -> None:
    f = finding(RESERVE, [reserve("r1", "2000-06-30", 1500)], "2000-12-31")
    assert f.message == (
        f"Share reserve reported 2000-06-30 00:00 EDT (r1): reserved 1,500 is below {REQUIRED}: "
        "short by 100 shares; not restored by the as-of date."
    )
    assert f.trace == (
        f"Share reserve reported 2000-06-30 00:00 EDT (r1): reserved 1,500 is below {REQUIRED}: "
        "fails (short by 100 shares).",
    )


def test_episode_over_several_reports_then_restored(findings: Any) -> None:
    # 30 Jun 1,500 (short 100); 31 Jul 1,300; 31 Aug 1,550; 29 Sep 1,600 (restored): one
    # episode, and no `met` finding for the passing report of 29 Sep.
    facts = [
        reserve("r1", "2000-06-30", 1500),
        reserve("r2", "2000-07-31", 1300),
        reserve("r3", "2000-08-31", 1550),
        reserve("r4", "2000-09-29", 1600),
    ]
    [f] = findings(RESERVE, facts, "2000-12-31")
    assert (f.status, f.key, f.cured, f.amount) == (
        Status.BREACHED,
        "2000-06-30",
        "2000-09-29",
        Decimal(100),
    )
    assert f.message.endswith(
        "short by 100 shares; still short at 2 later reports; restored at the report of "
        "2000-09-29 00:00 EDT (r4)."
    )
    assert f.trace[-1] == (
        f"Share reserve reported 2000-09-29 00:00 EDT (r4): reserved 1,600 meets {REQUIRED}: holds."
    )


def test_two_episodes_are_two_findings_and_nothing_else(findings: Any) -> None:
    # 30 Jun short 100; 31 Jul 1,700 (restored); 31 Aug 1,580 (short 20); 29 Sep 1,650.
    facts = [
        reserve("r1", "2000-06-30", 1500),
        reserve("r2", "2000-07-31", 1700),
        reserve("r3", "2000-08-31", 1580),
        reserve("r4", "2000-09-29", 1650),
    ]
    found = findings(RESERVE, facts, "2000-12-31")
    assert [(f.status, f.key, f.cured, f.amount) for f in found] == [
        (Status.BREACHED, "2000-06-30", "2000-07-31", Decimal(100)),
        (Status.BREACHED, "2000-08-31", "2000-09-29", Decimal(20)),
    ]
    assert "reserved 1,580 is below" in found[1].message
    for f in found:
        assert "`" not in f.message and "fact." not in f.message


def test_met_while_no_check_has_failed(findings: Any) -> None:
    facts = [reserve("r1", "2000-06-30", 1600), reserve("r2", "2000-07-31", 1700)]
    [f] = findings(RESERVE, facts, "2000-12-31")
    assert (f.status, f.key, f.facts) == (Status.MET, None, ("r2",))
    assert f.message == (
        "Share reserve reported 2000-07-31 00:00 EDT (r2): reserved 1,700 meets "
        "the required minimum of 1,600 (1.5 x conversion shares 1,000 + warrant shares 100); "
        "held at every report so far."
    )


# --- the wording, for any rule's requirement ------------------------------------------------


@pytest.mark.parametrize(
    ("source", "env", "holds", "words"),
    [
        # 300,000,000 / 80,000,000 = 3.75 > 3.5 (the spec's worked example).
        (
            "fact.total_debt / fact.ebitda <= param.max_leverage",
            {"fact.total_debt": 300000000, "fact.ebitda": 80000000, "param.max_leverage": 3.5},
            False,
            "3.75 (total debt 300,000,000 / ebitda 80,000,000) exceeds the maximum of "
            "max leverage 3.5",
        ),
        # The level written first: the measured side is still the subject. 300 / 86 =
        # 3.488372... shown to 4 places.
        (
            "param.max_leverage >= fact.total_debt / (fact.ebitda + fact.cure)",
            {"fact.total_debt": 300, "fact.ebitda": 80, "fact.cure": 6, "param.max_leverage": 3.5},
            True,
            "3.4884 (total debt 300 / (ebitda 80 + cure 6)) is within the maximum of "
            "max leverage 3.5",
        ),
        # Folded YAML lines in the source do not reach the words.
        (
            "total.amount\n      >= obligation.amount",
            {"total.amount": 100, "obligation.amount": 229500},
            False,
            "total amount 100 is below the required minimum of amount 229,500",
        ),
        (
            "fact.a - (fact.b - fact.c) == 0",
            {"fact.a": 5, "fact.b": 7, "fact.c": 1},
            False,
            "-1 (a 5 - (b 7 - c 1)) is not the required 0",
        ),
        # Not one comparison: the figures it reads, and the verdict.
        (
            "fact.purpose in ['loan'] and not fact.consent",
            {"fact.purpose": "loan", "fact.consent": False},
            True,
            "consent false, purpose 'loan': the requirement holds",
        ),
    ],
)
def test_requirement_words(source: str, env: dict[str, Any], holds: bool, words: str) -> None:
    values = {
        k: Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v
        for k, v in env.items()
    }
    assert requirement_words(parse_expression(source), values, holds) == words


# --- text written over several YAML lines ---------------------------------------------------

MINI = Path(__file__).resolve().parent / "golden" / "words-mini.yaml"


def test_multi_line_yaml_never_reaches_the_messages(
    write_facts: Callable[[list[dict[str, Any]]], Path],
) -> None:
    # Cash 750,000.50 against a 1,000,000 minimum: short by $249,999.50. 29 March 2024 is
    # after the switch to EDT (10 March).
    path = write_facts(
        [
            {"id": "c1", "type": "cash_reported", "at": "2024-03-29", "cash": 750000.5},
            {"id": "d1", "type": "dividend_paid", "at": "2024-04-02", "amount": 10},
        ]
    )
    contracts = load_contracts([str(MINI)])
    result = evaluate(contracts, read_facts([str(path)], contracts), date(2024, 6, 30))
    by_rule = {(f.rule, f.status): f for f in result.findings}
    cash = by_rule[("minimum-cash", Status.BREACHED)]
    assert cash.message == (
        "Cash reported 2024-03-29 00:00 EDT (c1): cash 750,000.5 is below the required "
        "minimum of minimum cash 1,000,000: short by $249,999.50; not restored by the as-of "
        "date."
    )
    dividend = by_rule[("no-dividends", Status.BREACHED)]
    assert dividend.message == (
        "Dividend paid 2024-04-02 00:00 EDT (d1): a dividend paid while the loan is outstanding."
    )
    assert dividend.trace[0] == (
        "Checked d1 against section 3: a dividend paid while the loan is outstanding."
    )
