"""Source locations and diagnostics: every input problem as ``path:line[:col]: message``."""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; ``line`` and ``col`` are 1-based, ``col`` 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        text = self.path
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in an input file, sortable by location."""

    location: Location
    message: str = field(compare=True)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class InputError(Exception):
    """Raised when input files have problems; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def render(diagnostics: Iterable[Diagnostic]) -> str:
    """All diagnostics, sorted by location, one per line."""
    return "\n".join(str(d) for d in sorted(set(diagnostics)))


def suggest(name: str, known: Collection[str]) -> str:
    """A ``; did you mean `x`?`` suffix when ``name`` looks like a misspelt known name."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def value_words(value: Any) -> str:
    """``value`` described for a message: its kind, and the value itself when short."""
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {json.dumps(value)}" if len(value) <= 40 else "a long string"
    return json.dumps(value)
