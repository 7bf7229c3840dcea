"""JSON documents as text: what ``json.dumps(doc, indent=2, ensure_ascii=False)`` writes.

The standard library indents in pure Python (its C encoder is used only without
``indent``): about 1.5 s for the 60,000 findings of 100,000 facts. msgspec encodes and
indents the same document several times faster and writes the same bytes (the same
separators, escapes and indentation), with one difference: a float that Python writes
with an exponent (``1e+16``, ``1.5e-05``: from 1e16 up, below 1e-4) msgspec writes
``1e16``, ``0.000015``. So a document whose encoding holds a number with an exponent or
one below 1e-4 (``0.0000...``), or that msgspec cannot encode (a lone surrogate in a
string), is written by the standard library; so is one with a float that is not finite
(msgspec writes ``null``, Python ``NaN``). Its values tell which way, walked once: a
document of strings, whole numbers, booleans, nulls and floats between 1e-4 and 1e16 in
size (or zero), in objects with string (or whole number) keys, lists and tuples, is
msgspec's (a report's findings: a third of the time of searching their text); one with
a key of another type, the standard library's; any other value (a date, an enum) leaves
it to the text: the number tokens of the compact
encoding (after ``:``, ``,`` or ``[``), where a string that happens to hold such a
sequence only sends the document the slow way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder()
_REFUSED = (TypeError, ValueError, OverflowError, msgspec.EncodeError)  # what msgspec cannot encode
_EXPONENT = re.compile(rb"[:,\[]-?(?:[0-9]+(?:\.[0-9]+)?[eE]|0\.0000)")


def json_text(doc: Any) -> str:
    """``doc`` as ``json.dumps(doc, indent=2, ensure_ascii=False)`` writes it."""
    way = _way(doc)
    if way == _STANDARD:
        return json.dumps(doc, indent=2, ensure_ascii=False)
    try:
        compact = _ENCODER.encode(doc)
    except _REFUSED:
        return json.dumps(doc, indent=2, ensure_ascii=False)
    if way == _TEXT and _EXPONENT.search(compact):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return msgspec.json.format(compact, indent=2).decode()


_PLAIN, _TEXT, _STANDARD = 0, 1, 2  # how a value is written (see the module's docstring)


_SCALARS = frozenset({str, int, bool, type(None)})  # written alike, whatever their value
_KEYS = frozenset({str, int})


def _way(value: Any) -> int:
    """How a document holding ``value`` is written: by msgspec (``_PLAIN``), by msgspec
    unless its text shows an exponent (``_TEXT``), or by the standard library. (An
    object's or a list's items are first looked at by type alone: a finding's are
    strings, nulls and lists of strings, and need no walk.)"""
    kind = type(value)
    if kind in _SCALARS:
        return _PLAIN
    if kind is float:
        return _PLAIN if plain_float(value) else _STANDARD
    if kind is dict:
        if not _KEYS.issuperset(map(type, value)):
            return _STANDARD  # a float key is written in quotes, beyond the text's look
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return _TEXT
    if _SCALARS.issuperset(map(type, items)):
        return _PLAIN
    way = _PLAIN
    for item in items:
        if type(item) not in _SCALARS and (way := max(way, _way(item))) == _STANDARD:
            break
    return way


_HOLE = "\x00clausewatch: the items go here\x00"
_MARK = "\n    " + json.dumps(_HOLE) + "\n"  # the hole as a document's list shows it


def json_pieces(
    doc: dict[str, Any],
    key: str,
    items: Iterable[Any],
    plain: Callable[[Any], bool] | None = None,
) -> Iterator[str]:
    """``json_text`` of ``doc`` with ``items`` as its list ``key``, in pieces: the items are
    encoded a batch at a time, so that neither they nor the text are ever held whole (a
    report of a million findings is about a gigabyte of text). The same bytes: an item is
    written as ``json_text`` writes it, indented by the two levels it stands at.

    ``plain`` tells, without walking an item, that msgspec writes it as the standard
    library does (its values text, whole numbers, booleans, nulls, and floats that
    ``plain_float`` takes, in lists and objects with text keys): a batch of such items is
    encoded in one call (under half the time of one item at a time, walked); a batch
    holding any other item is written item by item, as ``json_text`` writes each."""
    found = iter(items)
    batch = list(islice(found, _BATCH))
    if not batch:
        yield json_text({**doc, key: []})
        return
    text = json_text({**doc, key: [_HOLE]})
    if text.count(_MARK) != 1:  # the hole's text stands elsewhere too: written whole
        yield json_text({**doc, key: [*batch, *found]})
        return
    head, tail = text.split(_MARK)
    yield head + "\n" + _nested(batch, plain)
    while batch := list(islice(found, _BATCH)):
        yield ",\n" + _nested(batch, plain)
    yield "\n" + tail


_BATCH = 256  # items written together: a piece each


def plain_float(value: float) -> bool:
    """Whether msgspec writes this float as the standard library does (zero, or between
    1e-4 and 1e16 in size: no exponent; not NaN nor infinite)."""
    return value == 0 or 1e-4 <= abs(value) < 1e16


def _nested(batch: list[Any], plain: Callable[[Any], bool] | None) -> str:
    """Items of a top-level list, as its lines show them: each indented by four spaces
    more (a JSON string holds no raw line break, so every line break is the layout's)."""
    if plain is not None and all(map(plain, batch)):
        try:
            compact = _ENCODER.encode([batch])
        except _REFUSED:
            pass  # (a lone surrogate in a string: each item the way json_text writes it)
        else:
            # the batch as the only item of a list, so that its items stand two levels
            # in, as in the report's list; without the two lists' brackets ("[\n  [\n"
            # before, "\n  ]\n]" after, alone on their lines)
            return msgspec.json.format(compact, indent=2).decode()[6:-6]
    return ",\n".join("    " + json_text(item).replace("\n", "\n    ") for item in batch)
