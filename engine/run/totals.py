"""Whether an obligation's expressions use ``total.*``: the sums of its satisfying facts'
numbers (instalments paid so far), kept only for the rules that read them."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.expressions import Expression
from engine.model import Contract, Obligation
from engine.model.per_contract import PerContract

_kept: PerContract[dict[str, bool]] = PerContract(lambda _: {})


def uses_totals(contract: Contract, ob: Obligation) -> bool:
    """Whether some expression of ``ob`` (however deep: its amount, conditions, values,
    date rules) names ``total.<field>``; worked out once per rule."""
    kept = _kept(contract)
    found = kept.get(ob.id)
    if found is None:
        found = kept[ob.id] = "total" in _roots(ob)
    return found


def _roots(node: Any) -> set[str]:
    """The roots of the names of every expression inside ``node``."""
    if isinstance(node, Expression):
        return set(node.roots())
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        items: Any = (getattr(node, f.name) for f in dataclasses.fields(node))
    elif isinstance(node, dict):
        items = node.values()
    elif isinstance(node, list | tuple):
        items = node
    else:
        return set()
    return set().union(*map(_roots, items))
