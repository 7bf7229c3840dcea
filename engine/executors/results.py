"""Parts' results read back in the process that asked for them, their findings' repeated
texts kept once for the whole run.

A part keeps each text of its findings once (``make_finding``: ``InstanceState.words``)
and its pickled result carries it once; but each part is pickled on its own, so a text
that findings of many parts share (a trace's "Status: met.", a due date, a key, a
message naming the as-of date) comes back once per part, each a string of its own. At a
million facts over 10,000 instances (313 parts), 621,336 of the findings' 1,415,247
trace texts, 186,103 of their 451,091 messages, and 323,333 of their 333,539 keys repeat
one read before: about 160 MB of objects (the command's peak fell by 85 MB: the table of
texts is itself held while results are read). ``Shared`` reads each result with the
texts of the results before it: a text read again is replaced by the first one, as the
result is unpickled (pickle calls the finding's maker,
``engine.executors.work.finding``, once per finding; here it is this run's own). A text
is a value (equal strings are interchangeable), so the findings are the same; an amount,
a ``Decimal``, is left alone (1.0 and 1.00 are equal but print differently), and so is a
due instant (equal instants in different zones are equal). Reading a finding so takes
about 1.7 µs more than plain ``pickle.loads`` (3.0 against 1.3: about 1.2 s of the
command's CPU at a million facts, while the workers evaluate).
"""

from __future__ import annotations

import io
import pickle
from datetime import date
from decimal import Decimal
from typing import Any

from engine.executors import work
from engine.executors.work import PartResult
from engine.model import Finding, Status

_MAKER = (work.finding.__module__, work.finding.__name__)


class Shared:
    """The texts of a run's findings read so far, each once (one per run: it holds them
    until it is let go)."""

    def __init__(self) -> None:
        texts: dict[object, object] = {}  # a value -> the first one equal to it
        self._once = texts.setdefault

    def result(self, data: bytes) -> PartResult:
        """A part's result, as pickled by its worker, its findings' texts shared with the
        results read before it."""
        return _Reader(io.BytesIO(data), self).load()  # type: ignore[no-any-return]

    def finding(  # noqa: PLR0913 (``Finding``'s fields, in its order: ``work.finding``'s values)
        self, contract: str, rule: str, key: str | None, section: str, party: str,
        status: Status, due: str | None, due_instant: Any, amount: Decimal | None,
        facts: tuple[str, ...], message: str, title: str, unit: str, cured: str | None,
        trace: tuple[str, ...], template: str, kind: str, late_payment: bool,
        listed_from: date | None,
    ) -> Finding:  # fmt: skip
        """A finding from its values, each text (and a period's last day, a date) one
        already read if it was."""
        once = self._once
        return Finding(
            contract, rule, key if key is None else once(key, key), section, party, status,
            due if due is None else once(due, due), due_instant, amount, facts,
            once(message, message), title, unit, cured if cured is None else once(cured, cured),
            tuple(map(once, trace, trace)), template, kind, late_payment,
            listed_from if listed_from is None else once(listed_from, listed_from),
        )  # fmt: skip


class _Reader(pickle.Unpickler):
    """pickle's reader, making each finding with ``Shared.finding``."""

    def __init__(self, file: io.BytesIO, shared: Shared) -> None:
        super().__init__(file)
        self._shared = shared

    def find_class(self, module: str, name: str) -> Any:
        """The finding's maker is the run's own; every other name, as pickle finds it."""
        if (module, name) == _MAKER:
            return self._shared.finding
        return super().find_class(module, name)
