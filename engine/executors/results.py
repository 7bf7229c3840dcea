"""Parts' results read back in the process that asked for them, their findings' repeated
texts kept once for the whole run.

A part keeps each text of its findings once (``make_finding``: ``InstanceState.words``)
and its pickled result carries it once; but each part is pickled on its own, so a text
that findings of many parts share (a trace's "Status: met.", a due date, a key, a
message naming the as-of date) comes back once per part, each a string of its own. At a
million facts over 10,000 instances (313 parts), 621,336 of the findings' 1,415,247
trace texts, 186,103 of their 451,091 messages, and 323,333 of their 333,539 keys repeat
one read before: about 160 MB of the command's memory. ``Shared`` reads each result with
the texts of the results before it: a text read again is replaced by the first one, as
the result is unpickled (pickle calls the finding's maker,
``engine.executors.work.finding``, once per finding; here it is this run's own). A text
is a value (equal strings are interchangeable), so the findings are the same; an amount,
a ``Decimal``, is left alone (1.0 and 1.00 are equal but print differently), and so is a
due instant (equal instants in different zones are equal).
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from typing import Any

from engine.executors import work
from engine.executors.work import PartResult
from engine.model import Finding

_NAMES = [f.name for f in dataclasses.fields(Finding)]
# the fields shared: texts, and a period's last day (a date, a value as well)
_SHARED = tuple(_NAMES.index(name) for name in ("key", "due", "message", "cured", "listed_from"))
_TRACE = _NAMES.index("trace")
_MAKER = (work.finding.__module__, work.finding.__name__)


class Shared:
    """The texts of a run's findings read so far, each once (one per run: it holds them
    until it is let go)."""

    def __init__(self) -> None:
        self._texts: dict[Any, Any] = {}

    def result(self, data: bytes) -> PartResult:
        """A part's result, as pickled by its worker, its findings' texts shared with the
        results read before it."""
        return _Reader(io.BytesIO(data), self).load()  # type: ignore[no-any-return]

    def finding(self, *values: Any) -> Finding:
        """A finding from its values (``work.finding``'s), each text one already read if
        it was."""
        once = self._texts.setdefault
        row = list(values)
        for at in _SHARED:
            text = row[at]
            if text is not None:
                row[at] = once(text, text)
        row[_TRACE] = tuple([once(step, step) for step in row[_TRACE]])
        return Finding(*row)


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
