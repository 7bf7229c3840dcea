"""What a process works out once per loaded contract and keeps while the contract is in use."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from engine.model.contract import Contract

T = TypeVar("T")


class PerContract(Generic[T]):
    """``make(contract)`` once per loaded contract, kept for the ``kept`` most recently used.

    Keyed by the contract object itself (its ``id``, checked against the object kept, so
    that a contract loaded again, or another at the same address, is never given what
    was made for an earlier one).
    """

    def __init__(self, make: Callable[[Contract], T], kept: int = 64) -> None:
        self._make, self._kept = make, kept
        self._made: OrderedDict[int, tuple[Contract, T]] = OrderedDict()

    def __call__(self, contract: Contract) -> T:
        """What was made for ``contract`` (made now if not yet, or no longer, kept)."""
        entry = self._made.get(id(contract))
        if entry is None or entry[0] is not contract:
            entry = self._made[id(contract)] = (contract, self._make(contract))
            while len(self._made) > self._kept:
                self._made.popitem(last=False)
        self._made.move_to_end(id(contract))
        return entry[1]
