"""Compile a contract's obligations into a durable_rules ruleset, in named stages.

One compiled ruleset serves every instance of the contract: each instance is a
durable_rules session (``sid``). Facts, obligations and clock ticks are
durable_rules facts of three kinds:

* ``{"kind": "fact", "type": ..., "seq": n, "f_<field>": ...}``: a user fact,
  asserted then retracted, so that every rule sees it once;
* ``{"kind": "obl", "rule": ..., "key": ..., "state": open|overdue|closed,
  "late_after": µs, "tseq": n, "a0": n, ...}``: an obligation instance;
* ``{"kind": "tick", "ts": µs}``: event time moving on (never the wall clock);
* ``{"kind": "memo", ...}``: a copy of a user fact kept asserted, for rules that
  need to know whether such a fact came earlier (``unless_preceded_by``).

durable_rules does the matching: a trigger by fact type, a satisfying fact to
its obligation by key and order, a deadline's absence by a tick later than
``late_after``. The Python actions (``engine.run.actions``) record what matched.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.model import Contract, Kind, Obligation
from engine.run import actions

Action = Callable[[Any], None]


def closing_guard(alias: str) -> dict[str, Any]:
    """An always-true cross-reference, put last in every pattern that joins another fact.

    durable_rules 2.0.28 reads past the end of a pattern's expression list when the
    last cross-reference of an ``$and`` is false: the short-circuit in
    ``reduceExpressionSequence`` (src/rules/events.c) steps over the closing ``OP_END``
    and walks into memory that is not its own, which crashes the process at random
    (a tick earlier than a deadline, a fact with another key). With this guard last,
    the false comparison is never the last one. ``kind`` differs between any two
    joined facts (``fact``/``obl``/``tick``/``memo``), so the guard is always true.
    """
    return {"$neq": {"kind": {alias: "kind"}}}


def fact_pattern(fact_type: str, *extra: dict[str, Any]) -> dict[str, Any]:
    """Match a user fact of one type, with extra conditions."""
    return {"$and": [{"kind": "fact"}, {"type": fact_type}, *extra]}


def obligation_pattern(rule: str, *extra: dict[str, Any]) -> dict[str, Any]:
    """Match an obligation instance of one rule, with extra conditions."""
    return {"$and": [{"kind": "obl"}, {"rule": rule}, *extra]}


def key_condition(ob: Obligation, contract: Contract, fact_type: str) -> list[dict[str, Any]]:
    """Correlate a fact with the obligation by the rule's key field, when the fact has it."""
    ftype = contract.fact_types.get(fact_type)
    if ob.key and ftype is not None and ob.key in ftype.fields:
        return [{f"f_{ob.key}": {"o": "key"}}]
    return []


def _bind(handler: Callable[..., None], *args: Any) -> Action:
    def run(c: Any) -> None:
        actions.dispatch(c, handler, *args)

    run.__name__ = handler.__name__
    return run


def memo_pattern(fact_type: str, ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Match a remembered earlier fact of a type, correlated by key with the fact ``f``."""
    ftype = contract.fact_types.get(fact_type)
    extra = []
    if ob.key and ftype is not None and ob.key in ftype.fields:
        extra = [{f"f_{ob.key}": {"f": f"f_{ob.key}"}}]
    in_force = {"$lte": {"eff": {"f": "at_us"}}}  # given (deemed given) by the act's time
    return {"$and": [{"kind": "memo"}, {"type": fact_type}, *extra, in_force, closing_guard("f")]}


# -- stages: one function per building block ---------------------------------------
def stage_trigger(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """A trigger fact opens an obligation instance (a prohibition may have none)."""
    if ob.trigger is None:
        return {}
    return {
        f"{ob.id}.trigger": {
            "all": [{"m": fact_pattern(ob.trigger.fact)}],
            "run": _bind(actions.on_trigger, ob),
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
            "run": _bind(actions.on_anchor, ob, anchor, i),
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
            "run": _bind(actions.on_satisfy, ob),
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
            "run": _bind(actions.on_deadline, ob),
        }
    }


def stage_check(ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Every fact of the checked type tests a standing duty."""
    assert ob.check is not None
    return {
        f"{ob.id}.check": {
            "all": [{"m": fact_pattern(ob.check.fact)}],
            "run": _bind(actions.on_check, ob),
        }
    }


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
                "run": _bind(actions.on_permitted, ob, i),
            }
            patterns.append({"n$not": memo})
        rules[f"{ob.id}.forbid{i}"] = {"all": patterns, "run": _bind(actions.on_forbidden, ob, i)}
    return rules


def stage_contract_dates(contract: Contract) -> dict[str, Any]:
    """Facts that fix the contract's named dates (the first closing, ...)."""
    anchors = dict.fromkeys(a for spec in contract.dates.values() for a in spec.fact_anchors())
    return {
        f"dates.anchor{i}": {
            "all": [{"m": fact_pattern(anchor.fact_type)}],
            "run": _bind(actions.on_contract_anchor, anchor),
        }
        for i, anchor in enumerate(anchors)
    }


def stage_lookup_index(contract: Contract) -> dict[str, Any]:
    """Facts that obligations look values up in are kept in an index."""
    types = sorted({lk.fact for ob in contract.obligations for lk in ob.lookups.values()})
    return {
        f"index.{t}": {"all": [{"m": fact_pattern(t)}], "run": _bind(actions.on_index, t)}
        for t in types
    }


def stage_amendments(contract: Contract) -> dict[str, Any]:
    """Waivers and parameter changes (built-in fact types of every contract)."""
    return {
        "amend.waiver": {"all": [{"m": fact_pattern("waiver")}], "run": _bind(actions.on_waiver)},
        "amend.parameter": {
            "all": [{"m": fact_pattern("parameter_changed")}],
            "run": _bind(actions.on_parameter_changed),
        },
    }


def memo_types(contract: Contract) -> frozenset[str]:
    """Fact types remembered for ``unless_preceded_by`` (kept asserted as ``memo`` facts)."""
    return frozenset(
        f.unless_preceded_by
        for ob in contract.obligations
        for f in ob.forbids
        if f.unless_preceded_by
    )


STAGES: dict[Kind, tuple[Callable[[Obligation, Contract], dict[str, Any]], ...]] = {
    Kind.DEADLINE: (stage_trigger, stage_anchors, stage_satisfaction, stage_deadline),
    Kind.RIGHT: (stage_trigger, stage_anchors, stage_satisfaction, stage_deadline),
    Kind.STANDING: (stage_check,),
    Kind.PROHIBITION: (stage_trigger, stage_anchors, stage_prohibition),
}


@dataclass(frozen=True)
class CompiledContract:
    """A contract and its durable_rules ruleset definition."""

    contract: Contract
    name: str
    rules: dict[str, Any]
    memo_types: frozenset[str] = frozenset()

    def definition(self) -> dict[str, Any]:
        """A fresh copy to register in a host (durable_rules consumes the ``run`` keys)."""
        fresh = {}
        for rule_name, rule in self.rules.items():
            body = {k: copy.deepcopy(v) for k, v in rule.items() if k != "run"}
            body["run"] = rule["run"]
            fresh[rule_name] = body
        return {self.name: fresh}


def compile_contract(contract: Contract) -> CompiledContract:
    """Compile every obligation of a contract through the stages of its kind."""
    rules: dict[str, Any] = {
        **stage_amendments(contract),
        **stage_contract_dates(contract),
        **stage_lookup_index(contract),
    }
    for ob in contract.obligations:
        for stage in STAGES[ob.kind]:
            rules.update(stage(ob, contract))
    name = "cw_" + contract.id.replace("-", "_")
    return CompiledContract(contract, name, rules, memo_types(contract))
