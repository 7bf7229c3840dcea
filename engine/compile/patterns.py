"""durable_rules conditions shared by every stage, and the actions rules fire, by name.

Facts, obligations and clock ticks are durable_rules facts of four kinds:

* ``{"kind": "fact", "type": ..., "seq": n, "f_<field>": ...}``: a user fact, with
  the fields some pattern compares (``ruleset.matched_fields``), asserted then
  retracted, so that every rule sees it once;
* ``{"kind": "obl", "rule": ..., "key": ..., "state": open|overdue|closed,
  "late_after": µs, "tseq": n, "a0": n, ...}``: an obligation instance;
* ``{"kind": "tick", "ts": µs}``: event time moving on (never the wall clock);
* ``{"kind": "memo", ...}``: a copy of a user fact kept asserted, for rules that
  need to know whether such a fact came earlier (``unless_preceded_by``).

A rule's action is a ``Fire``: the ``Handler`` to call and its arguments. The run
(``engine.run``) binds each handler to its Python function when it registers the
ruleset, so compiling depends on no part of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.model import Contract, Obligation


class Handler(StrEnum):
    """What a run does when a rule fires (implemented in ``engine.run.actions``)."""

    TRIGGER = "on_trigger"
    ANCHOR = "on_anchor"
    CONTRACT_ANCHOR = "on_contract_anchor"
    INDEX = "on_index"
    SATISFY = "on_satisfy"
    DEADLINE = "on_deadline"
    CHECK = "on_check"
    FORBIDDEN = "on_forbidden"
    PERMITTED = "on_permitted"
    WAIVER = "on_waiver"
    PARAMETER_CHANGED = "on_parameter_changed"
    READING = "on_reading"
    CURE = "on_cure"
    LIMITED = "on_limited"


@dataclass(frozen=True)
class Fire:
    """A rule's action: the handler to call and the arguments it takes after the match."""

    handler: Handler
    args: tuple[Any, ...] = ()


def fire(handler: Handler, *args: Any) -> Fire:
    """The action of a rule: call ``handler`` with ``args``."""
    return Fire(handler, args)


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


def memo_pattern(fact_type: str, ob: Obligation, contract: Contract) -> dict[str, Any]:
    """Match a remembered earlier fact of a type, correlated by key with the fact ``f``."""
    ftype = contract.fact_types.get(fact_type)
    extra = []
    if ob.key and ftype is not None and ob.key in ftype.fields:
        extra = [{f"f_{ob.key}": {"f": f"f_{ob.key}"}}]
    in_force = {"$lte": {"eff": {"f": "at_us"}}}  # given (deemed given) by the act's time
    return {"$and": [{"kind": "memo"}, {"type": fact_type}, *extra, in_force, closing_guard("f")]}
