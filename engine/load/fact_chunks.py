"""A fact log cut into chunks of whole lines, and a chunk's plain objects decoded in one call.

Decoding line by line costs a Python call, a generator step and the checks of
:func:`engine.load.fact_line.plain_object` for each line. A chunk of a few hundred lines
is decoded instead by one ``msgspec`` call (``decode_lines``, into objects of scalar
values), and checked with a few counts over its bytes. When the checks hold, the chunk's
``i``-th object is its ``i``-th line's, and it is the one :func:`plain_object` would give
for that line; when they do not, the chunk is read line by line, as before.

The checks, for a chunk of whole lines each ending in ``\\n``:

* no backslash (so every ``"`` starts or ends a string, and no string is escaped);
* every line decodes to an object whose values are all scalars (checked by ``msgspec``:
  a raw control character in a string, a number it refuses, a list, fail the chunk);
* as many objects as lines, and as many ``}\\n`` or ``}\\r\\n`` as lines. A string cannot
  hold a line end (``msgspec`` refuses a raw ``\\n`` or ``\\r``), so each is outside the
  strings and closes an object; the objects are flat, so each has one ``}`` outside its
  strings: with as many objects as lines, each line ends the one object it holds, and
  there is no blank line and no object over two lines;
* as many ``"`` as :func:`plain_object` counts for each line, summed. Every key and
  string value decoded is quoted in its line, so each line holds at least the quotes its
  object needs, and a key given twice adds quotes: the sums are equal only if every line
  holds just the quotes it needs, so no line gives a key twice.

A line longer than :data:`engine.load.fact_line.MAX_DIGITS` characters is read the fast way
here too. An integer written in more than 4,300 characters (its sign counted) is refused
by ``msgspec`` (the chunk is then read line by line); one of 4,001 to 4,300 digits, which
the exact way keeps as a ``Decimal``, is decoded as an ``int``, but is far above 10^15,
the bound of every number the fast way's field check keeps as it is: its line goes the
exact way (``FactReader._fast``), or is passed over as the exact way passes it over (a
line naming an instance held back).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import msgspec

from engine.diagnostics import Diagnostic, Location

CHUNK = 1 << 16  # a chunk holds more bytes (or to the end of its file): about 500 lines
_LINES = msgspec.json.Decoder(dict[str, str | int | float | bool | None])
_REFUSED = (msgspec.DecodeError, msgspec.ValidationError, ValueError, RecursionError)
_BOM = b"\xef\xbb\xbf"


def log_data(path: Path) -> bytes | Diagnostic:
    """A fact log's bytes, checked to be UTF-8, without a BOM; or why it cannot be read.

    Lines end at ``\\n`` only (a ``\\r`` before it is dropped): a U+2028 or U+0085 inside
    a JSON string is text, not the end of a line, and never shifts the line numbers.
    Checked whole, every line is valid UTF-8; its lines are then taken a chunk at a time
    (:func:`chunks`), never all held apart (a million lines: about 200 MB).
    """
    try:
        data = path.read_bytes()
        if not data.isascii():  # (ASCII is UTF-8: no copy of the text made to know it)
            data.decode("utf-8-sig")  # only checked: the lines are kept as bytes
    except OSError as exc:
        return Diagnostic(Location(str(path)), f"cannot read fact log: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = f"cannot read fact log: not UTF-8 text (byte {exc.object[exc.start]:#x})"
        return Diagnostic(Location(str(path), line), message)
    return data.removeprefix(_BOM)


def chunks(data: bytes, size: int = CHUNK) -> Iterator[tuple[int, bytes]]:
    """The number of each chunk's first line (from 1), and the chunk: whole lines of
    ``data``, each ending in ``\\n`` (one is added to the last line if it has none)."""
    start, number, end = 0, 1, len(data)
    while start < end:
        cut = data.find(b"\n", start + size)
        chunk = data[start : cut + 1] if cut >= 0 else data[start:]
        start += len(chunk)
        if not chunk.endswith(b"\n"):
            chunk += b"\n"
        yield number, chunk
        number += chunk.count(b"\n")


def plain_objects(chunk: bytes) -> list[dict[str, Any]] | None:
    """Each line's plain object, in order, or None when the chunk must be read line by line
    (see the module's docstring)."""
    if b"\\" in chunk:
        return None
    try:
        objs = _LINES.decode_lines(chunk)
    except _REFUSED:
        return None
    lines = chunk.count(b"\n")
    if len(objs) != lines:
        return None
    ends = chunk.count(b"}\n")
    if ends != lines and ends + chunk.count(b"}\r\n") != lines:
        return None  # (a Windows line end, "\r\n", is one too)
    values = list(map(type, chain.from_iterable(map(dict.values, objs))))
    if chunk.count(b'"') != 2 * (len(values) + values.count(str)):
        return None  # a key given twice
    return objs


def chunk_lines(chunk: bytes, first: int) -> Iterator[tuple[int, bytes]]:
    """The numbered lines of a chunk that are not blank, without their line end."""
    for number, line in enumerate(chunk.split(b"\n")[:-1], start=first):
        line = line.removesuffix(b"\r")
        if line.strip(b" \t\r"):
            yield number, line
