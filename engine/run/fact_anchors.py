"""The facts a finding cites for the contract-wide dates its rule uses (a date fixed by
the first fact of a type), found once per rule: every finding of the rule cites them."""

from __future__ import annotations

from engine.model import Anchor, Contract, Obligation
from engine.model.per_contract import PerContract


def named_fact_anchors(contract: Contract, ob: Obligation) -> tuple[Anchor, ...]:
    """The fact anchors of the contract-wide dates an obligation uses, however deep
    (worked out once per rule: every finding cites them)."""
    kept = _fact_anchors(contract)
    found = kept.get(ob.id)
    if found is None:
        found = kept[ob.id] = tuple(_fact_anchors_of(contract, ob))
    return found


_fact_anchors: PerContract[dict[str, tuple[Anchor, ...]]] = PerContract(lambda _: {})


def _fact_anchors_of(contract: Contract, ob: Obligation) -> list[Anchor]:
    seen: set[str] = set()
    found: list[Anchor] = []
    todo = [a for spec in ob.date_specs() for a in spec.anchors()]
    while todo:
        anchor = todo.pop()
        if anchor.kind in ("first", "running_total"):
            found.append(anchor)
        elif anchor.kind == "named" and anchor.field not in seen:
            seen.add(anchor.field)
            spec = ob.dates.get(anchor.field) or contract.dates.get(anchor.field)
            if spec is not None:
                todo += spec.anchors()
    return found
