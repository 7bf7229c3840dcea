"""Stages of covenant tests: the period's figures and the cures offered, matched by key.

The deadline (the cure deadline) is ``deadline.stage_deadline``'s; whether the test
passes is decided from what was matched when the findings are made.
"""

from __future__ import annotations

from typing import Any

from engine.compile.patterns import (
    Handler,
    closing_guard,
    fact_pattern,
    fire,
    key_condition,
    obligation_pattern,
)
from engine.model import Contract, Obligation


def _keyed(ob: Obligation, contract: Contract, fact_type: str) -> list[dict[str, Any]]:
    """An instance of the rule and a later fact of ``fact_type`` for the same key."""
    after_start = {"$gt": {"seq": {"o": "tseq"}}}
    return [
        {"o": obligation_pattern(ob.id)},
        {
            "f": fact_pattern(
                fact_type,
                after_start,
                *key_condition(ob, contract, fact_type),
                closing_guard("o"),
            )
        },
    ]


def stage_reading(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A fact giving the period's figures (a compliance certificate) is kept."""
    assert ob.test is not None
    return {
        f"{ob.id}.reading": {
            "all": _keyed(ob, contract, ob.test.fact),
            "run": fire(Handler.READING, ob),
        }
    }


def stage_cure(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A fact offered to cure the period's test (an equity cure) is kept."""
    if ob.cure is None:
        return {}
    return {
        f"{ob.id}.cure": {"all": _keyed(ob, contract, ob.cure.fact), "run": fire(Handler.CURE, ob)}
    }
