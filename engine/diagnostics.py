"""Source locations and diagnostics: every input problem as ``path:line[:col]: message``.

A diagnostic is safe to print on a terminal: control characters (from a hostile file
name, key or value) are shown escaped (:func:`printable`), and a message is cut to about
:data:`MAX_MESSAGE` characters (its start and its end), so a 10 MB field cannot flood
standard error; messages quote values through :func:`excerpt`, which bounds them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple


class Location(NamedTuple):
    """A place in an input file; ``line`` and ``col`` are 1-based, ``col`` 0 when unknown.

    A named tuple (ordered by path, line, column): every fact and every YAML value has
    one, a million of them in a large run, and a tuple is made in a third of the time
    and half the memory of a frozen dataclass.
    """

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        text = printable(self.path)
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
        message = self.message
        if len(message) > MAX_MESSAGE:  # keep its end too: it often says what is wrong
            cut = len(message) - MAX_MESSAGE
            message = f"{message[:700]} [... {cut:,} characters ...] {message[-300:]}"
        return f"{self.location}: {printable(message)}"


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


MAX_MESSAGE = 1000  # characters of a diagnostic's message printed, at most
MAX_EXCERPT = 60  # characters of an offending value quoted in a message, at most

# C0 and C1 control characters, DEL, the Unicode line and paragraph separators and the
# bidirectional overrides (which can make a line read other than it is).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match[0]
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters escaped (``\\x1b``, ``\\n``, ``\\u2028``), for a terminal.

    Characters in ``keep`` (e.g. ``"\\n"`` for a multi-line report) are left as they are.
    Text without such characters is returned unchanged.
    """
    return _UNPRINTABLE.sub(lambda m: m[0] if m[0] in keep else _escape(m), text)


def shorten(text: str, limit: int = MAX_EXCERPT) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def excerpt(value: Any, limit: int = MAX_EXCERPT) -> str:
    """A value as JSON for a message, cut to about ``limit`` characters.

    Whatever it is (a 10 MB string, a list nested a thousand deep, a number of 5,000
    digits), the result is short and never raises.
    """
    try:
        if isinstance(value, Decimal):
            text = str(value)
        else:
            text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # e.g. nested too deeply, or a huge integer
        text = value_words(value) if isinstance(value, dict | list) else "a huge number"
    return shorten(text, limit)
