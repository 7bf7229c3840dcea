"""Stage of limits: every fact of the limited type is kept; caps are applied in the findings."""

from __future__ import annotations

from typing import Any

from engine.compile.patterns import Handler, fact_pattern, fire
from engine.model import Contract, Obligation


def stage_limited(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Each fact of the limited type (an equity cure) is kept for its rule."""
    assert ob.limit is not None
    return {
        f"{ob.id}.limited": {
            "all": [{"m": fact_pattern(ob.limit.fact)}],
            "run": fire(Handler.LIMITED, ob),
        }
    }
