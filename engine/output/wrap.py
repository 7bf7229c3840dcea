"""Text wrapped to a width, as ``textwrap.wrap`` wraps it, faster for plain text.

The text report wraps every finding's message: ``textwrap`` splits each text with a
regular expression into words, spaces and parts of hyphenated words, then fills lines
chunk by chunk in Python: of the 2.8 s the text report of 60,000 findings took, 2 s. A
plain text (``_plain``: one ``textwrap`` would split at its single spaces alone) is cut
here a line at a time, by the same greedy rule: a line takes every word that fits within
the width, its single spaces counted, so it ends at the last space within its room. That
report now takes 0.7 s. Any other text, a word longer than its line, and a first line
with less room than the others (``textwrap`` may break a long word into it) go to
``textwrap`` itself, so the lines are always its lines (property tests compare them).
"""

from __future__ import annotations

import re
import textwrap

# a hyphen between letters (textwrap breaks some of those: "as-of", never "1990-Q2"): in
# ASCII, its letters (``[^\d\W]``) are these; the hyphen first, for speed
_HYPHEN = re.compile(r"-(?=[A-Za-z_])(?<=[A-Za-z_]-)")


def _plain(text: str) -> bool:
    """Whether textwrap would split ``text`` at its single spaces alone, and keep every
    character: ASCII, printable (no whitespace but spaces, no \x1c-\x1f, which it drops
    as whitespace at a line's ends), no two spaces together or at either end, no "--" (an
    em-dash) and no hyphen between letters."""
    return (
        text.isascii()
        and text.isprintable()
        and text[:1] != " "
        and text[-1:] != " "
        and "  " not in text
        and "--" not in text
        and not _HYPHEN.search(text)
    )


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """``textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent)``
    (``first`` defaults to ``indent``), its other options at their defaults."""
    start = indent if first is None else first
    # (a first line with less room than the others, or no room at all: textwrap's)
    if text and len(start) <= len(indent) < width and _plain(text):
        lines, at, prefix = [], 0, start
        while len(text) - at > width - len(prefix):  # the rest does not fit on this line
            # the last space within the line's room: the words before it fit, the next not
            cut = text.rfind(" ", at, at + width - len(prefix) + 1)
            if cut < 0:
                break  # a word longer than the line: textwrap breaks it
            lines.append(prefix + text[at:cut])
            at, prefix = cut + 1, indent
        else:
            lines.append(prefix + text[at:])
            return lines
    return textwrap.wrap(text, width, initial_indent=start, subsequent_indent=indent)
