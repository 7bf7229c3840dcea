"""Stage of prohibitions: forbidden acts, and the earlier facts that permit them (absence)."""

from __future__ import annotations

from typing import Any

from engine.compile.patterns import (
    Handler,
    closing_guard,
    fact_pattern,
    fire,
    key_condition,
    memo_pattern,
    obligation_pattern,
)
from engine.model import Contract, Obligation


def stage_prohibition(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Facts of a forbidden type, with no permitting earlier fact (absence), are tested."""
    rules = {}
    for i, forbid in enumerate(ob.forbids):
        fact_type = forbid.match.fact
        if ob.trigger is not None:
            after_trigger = {"$gt": {"seq": {"o": "tseq"}}}
            keyed = key_condition(ob, contract, fact_type)
            patterns = [
                {"o": obligation_pattern(ob.id)},
                {"f": fact_pattern(fact_type, after_trigger, *keyed, closing_guard("o"))},
            ]
        else:
            patterns = [{"f": fact_pattern(fact_type)}]
        if forbid.unless_preceded_by:
            memo = memo_pattern(forbid.unless_preceded_by, ob, contract)
            rules[f"{ob.id}.permit{i}"] = {
                "all": [*patterns, {"n": memo}],
                "run": fire(Handler.PERMITTED, ob, i),
            }
            patterns.append({"n$not": memo})
        rules[f"{ob.id}.forbid{i}"] = {"all": patterns, "run": fire(Handler.FORBIDDEN, ob, i)}
    return rules


def memo_types(contract: Contract) -> frozenset[str]:
    """Fact types remembered (kept asserted as ``memo`` facts): those of ``unless_preceded_by``,
    and the satisfying types of rules with a trigger (a fact that came with the trigger)."""
    preceding = {f.unless_preceded_by for ob in contract.obligations for f in ob.forbids}
    satisfying = {
        ob.satisfied_by.fact
        for ob in contract.obligations
        if ob.satisfied_by is not None and ob.trigger is not None
    }
    return frozenset((preceding | satisfying) - {""})
