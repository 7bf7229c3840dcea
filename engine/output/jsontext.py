"""JSON documents as text: what ``json.dumps(doc, indent=2, ensure_ascii=False)`` writes.

The standard library indents in pure Python (its C encoder is used only without
``indent``): about 1.5 s for the 60,000 findings of 100,000 facts. msgspec encodes and
indents the same document several times faster and writes the same bytes (the same
separators, escapes and indentation), with one difference: a float that Python writes
with an exponent (``1e+16``, ``1.5e-05``: from 1e16 up, below 1e-4) msgspec writes
``1e16``, ``0.000015``. So a document whose encoding holds a number with an exponent or
one below 1e-4 (``0.0000...``), or that msgspec cannot encode (a lone surrogate in a
string), is written by the standard library. A document of strings, whole numbers,
booleans, nulls and floats between 1e-4 and 1e16 in size (or zero), in objects with
string keys and lists, is known to be safe from its values (a report's findings: about
a third of the time of looking at its text); any other is looked at in the text: the
number tokens of the compact encoding (after ``:``, ``,`` or ``[``), where a string
that happens to hold such a sequence only sends the document the slow way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder()
_EXPONENT = re.compile(rb"[:,\[]-?(?:[0-9]+(?:\.[0-9]+)?[eE]|0\.0000)")


def json_text(doc: Any) -> str:
    """``doc`` as ``json.dumps(doc, indent=2, ensure_ascii=False)`` writes it."""
    try:
        compact = _ENCODER.encode(doc)
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    if not _plain(doc) and _EXPONENT.search(compact):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return msgspec.json.format(compact, indent=2).decode()


def _plain(value: Any) -> bool:
    """Whether msgspec surely writes ``value`` as the standard library does (see the
    module's docstring); False when it may not, or the values do not tell."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return value == 0 or 1e-4 <= abs(value) < 1e16  # NaN: False
    if kind is dict:
        return all(type(k) is str for k in value) and all(map(_plain, value.values()))
    if kind is list:
        return all(map(_plain, value))
    return False


_HOLE = "\x00clausewatch: the items go here\x00"
_MARK = "\n    " + json.dumps(_HOLE) + "\n"  # the hole as a document's list shows it
_NONE = object()


def json_pieces(doc: dict[str, Any], key: str, items: Iterable[Any]) -> Iterator[str]:
    """``json_text`` of ``doc`` with ``items`` as its list ``key``, in pieces: the items are
    encoded one at a time, so that neither they nor the text are ever held whole (a
    report of a million findings is about a gigabyte of text). The same bytes: an item is
    written as ``json_text`` writes it, indented by the two levels it stands at."""
    found = iter(items)
    first = next(found, _NONE)
    if first is _NONE:
        yield json_text({**doc, key: []})
        return
    text = json_text({**doc, key: [_HOLE]})
    if text.count(_MARK) != 1:  # the hole's text stands elsewhere too: written whole
        yield json_text({**doc, key: [first, *found]})
        return
    head, tail = text.split(_MARK)
    yield head + "\n    " + _nested(first)
    for item in found:
        yield ",\n    " + _nested(item)
    yield "\n" + tail


def _nested(item: Any) -> str:
    """An item of a top-level list: its lines indented by four more spaces (a JSON string
    holds no raw line break, so every line break is the layout's)."""
    return json_text(item).replace("\n", "\n    ")
