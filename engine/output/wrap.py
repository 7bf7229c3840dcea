"""Text wrapped to a width, as ``textwrap.wrap`` wraps it, faster for plain text.

The text report wraps every finding's message: ``textwrap`` splits each text with a
regular expression into words, spaces and parts of hyphenated words, then fills lines
chunk by chunk in Python, about 30 µs a finding (2 of the 2.5 s the report of 68,000
findings took). A plain text, one whose words are separated by single spaces and which
``textwrap`` would not split anywhere else, is filled here word by word, with the same
greedy rule: a word goes on the line if the line, its single spaces counted, stays within
the width. Any other text (a hyphen before a letter, ``--``, any whitespace but single
spaces, a character outside ASCII, a word longer than a line, no text) goes to ``textwrap``
itself, so the lines are always its lines (a property test compares them).
"""

from __future__ import annotations

import re
import textwrap

# what makes textwrap split a text other than at single spaces, or drop or change part of
# it: a hyphen before a letter (a hyphenated word's break), "--" (an em-dash's), any
# whitespace but a single space (and \x1c-\x1f, which it drops as whitespace at a line's
# ends), a space at either end
_NOT_PLAIN = re.compile(r"-[^\W\d]|--|[\t\n\x0b\x0c\r\x1c-\x1f]|  |^ | $")


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent)``
    (``first`` defaults to ``indent``), its other options at their defaults."""
    start = indent if first is None else first
    words = text.split(" ")
    room = width - max(len(start), len(indent))
    if not text or not text.isascii() or _NOT_PLAIN.search(text) or max(map(len, words)) > room:
        return textwrap.wrap(text, width, initial_indent=start, subsequent_indent=indent)
    lines, line, size, limit = [], [start], len(start), width
    for word in words:
        if len(line) > 1 and size + 1 + len(word) > limit:
            lines.append("".join(line))
            line, size = [indent], len(indent)
        if len(line) > 1:
            line.append(" ")
            size += 1
        line.append(word)
        size += len(word)
    lines.append("".join(line))
    return lines
