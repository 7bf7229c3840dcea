"""Stages of the contract as a whole: its named dates, lookup index, waivers and amendments."""

from __future__ import annotations

from typing import Any

from engine.compile.patterns import Handler, fact_pattern, fire
from engine.model import Contract


def stage_contract_dates(contract: Contract) -> dict[str, Any]:
    """Facts that fix the contract's named dates (the first closing, ...)."""
    anchors = dict.fromkeys(a for spec in contract.dates.values() for a in spec.fact_anchors())
    return {
        f"dates.anchor{i}": {
            "all": [{"m": fact_pattern(anchor.fact_type)}],
            "run": fire(Handler.CONTRACT_ANCHOR, anchor),
        }
        for i, anchor in enumerate(anchors)
    }


def stage_lookup_index(contract: Contract) -> dict[str, Any]:
    """Facts that obligations look values up in are kept in an index."""
    types = sorted({lk.fact for ob in contract.obligations for lk in ob.lookups.values()})
    return {
        f"index.{t}": {"all": [{"m": fact_pattern(t)}], "run": fire(Handler.INDEX, t)}
        for t in types
    }


def stage_amendments(contract: Contract) -> dict[str, Any]:
    """Waivers and parameter changes (built-in fact types of every contract)."""
    return {
        "amend.waiver": {"all": [{"m": fact_pattern("waiver")}], "run": fire(Handler.WAIVER)},
        "amend.parameter": {
            "all": [{"m": fact_pattern("parameter_changed")}],
            "run": fire(Handler.PARAMETER_CHANGED),
        },
    }
