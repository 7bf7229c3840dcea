"""JSON documents as text: what ``json.dumps(doc, indent=2, ensure_ascii=False)`` writes.

The standard library indents in pure Python (its C encoder is used only without
``indent``): about 1.5 s for the 60,000 findings of 100,000 facts. msgspec encodes and
indents the same document several times faster and writes the same bytes (the same
separators, escapes and indentation), with one difference: a float that Python writes
with an exponent (``1e+16``, ``1.5e-05``: from 1e16 up, below 1e-4) msgspec writes
``1e16``, ``0.000015``. So a document whose encoding holds a number with an exponent or
one below 1e-4 (``0.0000...``), or that msgspec cannot encode (a lone surrogate in a
string), is written by the standard library. The check looks at
number tokens of the compact encoding (after ``:``, ``,`` or ``[``); a string that
happens to hold such a sequence only sends the document the slow way.
"""

from __future__ import annotations

import json
import re
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
    if _EXPONENT.search(compact):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return msgspec.json.format(compact, indent=2).decode()
