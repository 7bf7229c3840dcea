"""Stage of standing duties: every fact of the checked type tests the condition."""

from __future__ import annotations

from typing import Any

from engine.compile.patterns import Handler, fact_pattern, fire
from engine.model import Contract, Obligation


def stage_check(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Every fact of the checked type tests a standing duty."""
    assert ob.check is not None
    return {
        f"{ob.id}.check": {
            "all": [{"m": fact_pattern(ob.check.fact)}],
            "run": fire(Handler.CHECK, ob),
        }
    }
