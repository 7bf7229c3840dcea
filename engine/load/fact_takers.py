"""Which instances of a set of contracts can take a fact: by the instance it names, or by
its type (the instances whose template has it), with their time zones.

Worked out once a fact type and kept: a fact log of a million lines asks the same few
questions again and again.
"""

from __future__ import annotations

from typing import Any

from engine.model import Contract, FactType

ALL = "*"  # `"contract": "*"`: every instance that can take the fact


class Takers:
    """The instances of ``contracts`` that can take each fact type, and their time zones.

    The base of ``engine.load.facts.FactReader``, whose methods alone ask these questions
    (hence their leading underscore)."""

    def __init__(self, contracts: list[Contract]) -> None:
        self.contracts = contracts
        self.instance_ids = {i.id: c for c in contracts for i in c.instances}
        self.takers: dict[str, list[str]] = {}  # fact type -> the instances that take it
        self.zones: dict[str, list[str]] = {}  # fact type -> those instances' time zones
        self.taker_sets: dict[str, frozenset[str]] = {}  # fact type -> ``takers``, as a set
        self.all_types: dict[str, FactType] | None = None  # every template's, merged in order

    def _takers(self, fact_type: str) -> list[str]:
        """The instances whose template has ``fact_type``, sorted (worked out once a type)."""
        found = self.takers.get(fact_type)
        if found is None:
            found = sorted(i for i, c in self.instance_ids.items() if fact_type in c.fact_types)
            self.takers[fact_type] = found
        return found

    def _taker_set(self, fact_type: str) -> frozenset[str]:
        """:meth:`_takers`, as a set."""
        found = self.taker_sets.get(fact_type)
        if found is None:
            found = self.taker_sets[fact_type] = frozenset(self._takers(fact_type))
        return found

    def _types(self, contract_id: str | None) -> dict[str, FactType]:
        """The fact types a fact naming ``contract_id`` may have (none or ``*``: any)."""
        if contract_id is not None and contract_id != ALL:
            return self.instance_ids[contract_id].fact_types
        if self.all_types is None:  # merged once: the contracts do not change
            self.all_types = {}
            for c in self.contracts:
                self.all_types.update(c.fact_types)
        return self.all_types

    def _contracts(self, contract_id: str | None) -> list[Contract]:
        """The templates a fact naming ``contract_id`` may concern (none or ``*``: all)."""
        if contract_id is not None and contract_id != ALL:
            return [self.instance_ids[contract_id]]
        return self.contracts

    def _tz(self, contract_id: str | None, fact_type: Any) -> str:
        """The time zone a fact's ``at`` is read in: its instance's, else that of the first
        instance taking its type, else the first template's."""
        if contract_id is None or contract_id == ALL:
            takers = self._takers(fact_type) if isinstance(fact_type, str) else []
            contract_id = takers[0] if takers else None
        c = self.instance_ids[contract_id] if contract_id else self.contracts[0]
        return c.time_zone

    def _zones(self, fact_type: str) -> list[str]:
        """The time zones of the instances that take ``fact_type``, in their order, once each."""
        found = self.zones.get(fact_type)
        if found is None:
            takers = self._takers(fact_type)
            found = list(dict.fromkeys(self.instance_ids[i].time_zone for i in takers))
            self.zones[fact_type] = found
        return found
