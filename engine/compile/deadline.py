"""Stages of deadlines and rights: a trigger opens an instance, a fact meets it, time passes it.

The same stages serve prohibitions opened by a trigger (``stage_trigger``,
``stage_anchors``).
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


def stage_trigger(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A trigger fact opens an obligation instance (a prohibition may have none)."""
    if ob.trigger is None:
        return {}
    return {
        f"{ob.id}.trigger": {
            "all": [{"m": fact_pattern(ob.trigger.fact)}],
            "run": fire(Handler.TRIGGER, ob),
        }
    }


def stage_anchors(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Later facts that fix a derived date (first X, running total of X)."""
    rules = {}
    for i, anchor in enumerate(ob.fact_anchors()):
        guard = {"$gt": {"seq": {"o": f"a{i}"}}}
        rules[f"{ob.id}.anchor{i}"] = {
            "all": [
                {"o": obligation_pattern(ob.id)},
                {
                    "f": fact_pattern(
                        anchor.fact_type,
                        guard,
                        *key_condition(ob, contract, anchor.fact_type),
                        closing_guard("o"),
                    )
                },
            ],
            "run": fire(Handler.ANCHOR, ob, anchor, i),
        }
    return rules


def stage_satisfaction(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A later fact of the satisfying type, same key, meets (or belatedly meets) it."""
    assert ob.satisfied_by is not None
    unsatisfied = {"$or": [{"state": "open"}, {"state": "overdue"}]}
    after_trigger = {"$gt": {"seq": {"o": "tseq"}}}
    return {
        f"{ob.id}.satisfy": {
            "all": [
                {"o": obligation_pattern(ob.id, unsatisfied)},
                {
                    "f": fact_pattern(
                        ob.satisfied_by.fact,
                        after_trigger,
                        *key_condition(ob, contract, ob.satisfied_by.fact),
                        closing_guard("o"),
                    )
                },
            ],
            "run": fire(Handler.SATISFY, ob),
        },
        **_satisfied_earlier(ob, contract),
    }


def _satisfied_earlier(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A satisfying fact that came with the trigger: earlier the same day, or (with
    ``concurrently``) any time before it; remembered facts (``memo``) of its type."""
    assert ob.satisfied_by is not None
    if ob.trigger is None:  # periods and breaches start it: nothing came with them
        return {}
    unsatisfied = {"$or": [{"state": "open"}, {"state": "overdue"}]}
    before = [{"$lt": {"seq": {"o": "tseq"}}}]
    if not ob.satisfied_by.concurrently:
        before.append({"day": {"o": "tday"}})
    fact_type = ob.satisfied_by.fact
    return {
        f"{ob.id}.satisfy_with_trigger": {
            "all": [
                {"o": obligation_pattern(ob.id, unsatisfied)},
                {
                    "f": {
                        "$and": [
                            {"kind": "memo"},
                            {"type": fact_type},
                            *before,
                            *key_condition(ob, contract, fact_type),
                            closing_guard("o"),
                        ]
                    }
                },
            ],
            "run": fire(Handler.SATISFY, ob),
        }
    }


def stage_deadline(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A tick later than the deadline while still open: the absence of the act."""
    return {
        f"{ob.id}.deadline": {
            "all": [
                {"o": obligation_pattern(ob.id, {"state": "open"})},
                {
                    "t": {
                        "$and": [
                            {"kind": "tick"},
                            {"$gt": {"ts": {"o": "late_after"}}},
                            closing_guard("o"),
                        ]
                    }
                },
            ],
            "run": fire(Handler.DEADLINE, ob),
        }
    }
