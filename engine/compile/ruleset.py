"""A contract template compiled into one durable_rules ruleset, through the stages of its blocks.

One compiled ruleset serves every instance of the contract: each instance is a
durable_rules session (``sid``). durable_rules does the matching: a trigger by fact
type, a satisfying fact to its obligation by key and order, a deadline's absence by a
tick later than ``late_after``. The actions are ``Fire`` references; the run binds them
to its handlers when it registers the ruleset (``CompiledContract.definition``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.compile.contract import stage_amendments, stage_contract_dates, stage_lookup_index
from engine.compile.covenant import stage_cure, stage_reading
from engine.compile.deadline import (
    stage_anchors,
    stage_deadline,
    stage_satisfaction,
    stage_trigger,
)
from engine.compile.limit import stage_limited
from engine.compile.patterns import Fire
from engine.compile.prohibition import memo_types, stage_prohibition
from engine.compile.standing import stage_check
from engine.model import Contract, Kind, Obligation

Stage = Callable[[Obligation, Contract], dict[str, Any]]

STAGES: dict[Kind, tuple[Stage, ...]] = {
    Kind.DEADLINE: (stage_trigger, stage_anchors, stage_satisfaction, stage_deadline),
    Kind.RIGHT: (stage_trigger, stage_anchors, stage_satisfaction, stage_deadline),
    Kind.STANDING: (stage_check,),
    Kind.PROHIBITION: (stage_trigger, stage_anchors, stage_prohibition),
    Kind.TEST: (stage_anchors, stage_reading, stage_cure, stage_deadline),
    Kind.LIMIT: (stage_limited,),
}


@dataclass(frozen=True)
class CompiledContract:
    """A contract and its durable_rules ruleset definition, actions by reference."""

    contract: Contract
    name: str
    rules: dict[str, Any]
    memo_types: frozenset[str] = frozenset()
    watched: frozenset[str] | None = None  # fact types some pattern matches (None: any)
    matched_fields: frozenset[str] | None = None  # facts' fields some pattern compares (None: all)
    # by rule, the states of its obligation instances some pattern matches (None: any)
    held_states: Mapping[str, frozenset[str] | None] | None = None

    def definition(self, bind: Callable[[Fire], Callable[[Any], None]]) -> dict[str, Any]:
        """A fresh copy to register in a host, each action bound by ``bind``.

        durable_rules consumes the ``run`` keys, so every host gets its own copy.
        """
        fresh = {}
        for rule_name, rule in self.rules.items():
            body = {k: copy.deepcopy(v) for k, v in rule.items() if k != "run"}
            body["run"] = bind(rule["run"])
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
    # One ruleset per template and time zone (instances in another zone get their own copy).
    name = "cw_" + re.sub(r"\W", "_", f"{contract.id}__{contract.time_zone}")
    return CompiledContract(
        contract,
        name,
        rules,
        memo_types(contract),
        watched_types(rules),
        matched_fields(rules),
        held_states(rules),
    )


_FACT = {"kind": "fact"}


def matched_fields(rules: dict[str, Any]) -> frozenset[str]:
    """The fields of user facts some pattern compares (``f_<field>``, as a key or as the
    field of another fact it refers to: ``patterns.key_condition``, ``memo_pattern``).
    The driver sends durable_rules only these: the others are never compared, and every
    field sent is encoded, parsed and stored for each session it goes to. (A rule id that
    happens to start with ``f_`` only keeps one field more.)"""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.startswith("f_"):
                    found.add(key[2:])
                if isinstance(value, str) and value.startswith("f_"):
                    found.add(value[2:])
                walk(value)

    walk(rules)
    return frozenset(found)


def watched_types(rules: dict[str, Any]) -> frozenset[str] | None:
    """The fact types that some rule's pattern matches (``patterns.fact_pattern``: an
    ``$and`` of ``{"kind": "fact"}`` and ``{"type": ...}``); None when a user-fact pattern
    of another shape could match any type. A fact of another type fires nothing: the
    driver does not post it."""
    found: set[str] = set()
    typed = everywhere = 0

    def walk(node: Any) -> None:
        nonlocal typed, everywhere
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            conds = node.get("$and")
            if isinstance(conds, list) and _FACT in conds:
                types = [c["type"] for c in conds if isinstance(c, dict) and set(c) == {"type"}]
                if len(types) == 1 and isinstance(types[0], str):
                    found.add(types[0])
                    typed += 1
            everywhere += node == _FACT
            for value in node.values():
                walk(value)

    walk(rules)
    return frozenset(found) if typed == everywhere else None


def held_states(rules: dict[str, Any]) -> dict[str, frozenset[str] | None] | None:
    """By rule id, the states of its obligation instances that some pattern matches
    (``patterns.obligation_pattern``: an ``$and`` of ``{"kind": "obl"}``, ``{"rule": ...}``
    and perhaps ``{"state": ...}`` or an ``$or`` of them; None: any state); a rule not
    listed: none. None when some pattern is of another shape: every pattern of every
    rule (its ``all`` or ``any``, nested groups too) must name one kind, and an
    obligation pattern one rule, or it could match any obligation. An instance in a state
    no pattern matches is not asserted (``run.opening``): durable_rules would not keep it."""
    found: dict[str, frozenset[str] | None] = {}

    def states(cond: Any) -> list[str] | None:
        """The states a condition of the ``$and`` allows, or None if it is about another field."""
        if isinstance(cond, dict) and set(cond) == {"state"} and isinstance(cond["state"], str):
            return [cond["state"]]
        if isinstance(cond, dict) and set(cond) == {"$or"} and isinstance(cond["$or"], list):
            each = [states(c) for c in cond["$or"]]
            if each and all(e is not None for e in each):
                return [s for e in each if e is not None for s in e]
        return None

    def known(pattern: Any) -> bool:
        """Whether the pattern is of a known shape (an obligation's then noted)."""
        conds = pattern.get("$and") if isinstance(pattern, dict) and len(pattern) == 1 else None
        if not isinstance(conds, list):
            return False
        kinds = [c["kind"] for c in conds if isinstance(c, dict) and set(c) == {"kind"}]
        if len(kinds) != 1 or not isinstance(kinds[0], str):
            return False
        if kinds[0] != "obl":
            return True  # a user fact, a tick or a memo: never an obligation
        ids = [c["rule"] for c in conds if isinstance(c, dict) and set(c) == {"rule"}]
        allowed = [s for c in conds if (s := states(c)) is not None]
        if len(ids) != 1 or not isinstance(ids[0], str) or len(allowed) > 1:
            return False
        old = found.get(ids[0], frozenset())
        new = frozenset(allowed[0]) if allowed else None
        found[ids[0]] = None if old is None or new is None else old | new
        return True

    def group_known(items: Any) -> bool:
        """Whether every pattern of a group (a rule's ``all`` or ``any``; a nested group is
        an ``<alias>$all`` or ``<alias>$any`` item, as durable_rules names them) is known."""
        if not isinstance(items, list):
            return False
        for item in items:
            if not isinstance(item, dict):
                return False
            for alias, pattern in item.items():
                nested = isinstance(alias, str) and alias.endswith(("$all", "$any"))
                if not (group_known(pattern) if nested else known(pattern)):
                    return False
        return True

    bodies = rules.values()
    if all(isinstance(b, dict) and all(group_known(b.get(g, [])) for g in GROUPS) for b in bodies):
        return found
    return None


GROUPS = ("all", "any")  # a rule's patterns, all to match or any
