"""One line of a fact log as JSON, and its fields checked against their fact type.

A line is decoded in one of two ways, which give the same values:

* :func:`plain_object`, fast (``msgspec``), for the common line: a JSON object whose values
  are all scalars, with no backslash and no key given twice. No column is worked out;
* the exact way (:data:`EXACT`, the standard library's decoder with Python integers, and
  :func:`key_columns` for the column of every key and value), for any other line and for
  every line with a problem, so that each diagnostic reads exactly as it always has.

A line is decoded fast only when nothing can differ: a line with a backslash (an escape
could hide a key given twice, or a surrogate), a value that is a list or an object, a
number ``msgspec`` refuses (``NaN``, ``Infinity``, ``1e400``, an integer of thousands of
digits) or a key given twice goes the exact way. A key given twice is seen without
scanning the line: with no backslash, every ``"`` of a line is the start or the end of a
string, and with scalar values only, the strings are the keys and the string values. So
the line holds ``2 * (len(obj) + the string values of obj)`` quotes, and every key given
again adds two more (and two more again if the value it replaced was a string).

Reading many lines also needs: each ``at`` parsed once (:func:`instant`, a bounded
cache), the facts numbered in time order (:func:`numbered`), and Python's cycle collector
paused meanwhile (``engine.collector``).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import Any

import msgspec
import pendulum

from engine.days.calendars import unsupported
from engine.days.instants import InstantError, parse_date, parse_instant_us
from engine.diagnostics import excerpt, shorten, suggest
from engine.model import Fact, FactType, FieldSpec

PARSER = "msgspec"  # the library of the fast decode (scripts/bench_read.py reports it)
RESERVED = ("id", "type", "at", "contract")
_RESERVED = frozenset(RESERVED)
NUMERIC = {"integer": "whole number", "number": "number"}
# Numbers of facts are amounts and counts: at most a quadrillion in size, which keeps every
# sum, product and late payment exact in the 28 significant digits the engine computes in.
MAX_NUMBER = 10**15
_NUMBERS = (int, float, Decimal)
MAX_DIGITS = 4000  # longer integers are not even converted (Python refuses past 4300)


def _integer(text: str) -> int | Decimal:
    """A JSON integer; a very long one stays a Decimal (out of range, said by the check)."""
    return int(text) if len(text) <= MAX_DIGITS else Decimal(text)


def name(text: str) -> str:
    """A name from a fact (a key, an id, a type) as a message quotes it: 100 characters at most."""
    return shorten(text, 100)


EXACT = json.JSONDecoder(parse_int=_integer)  # stateless: one for every line
_FAST = msgspec.json.Decoder()
_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair alone: no text
_SCALARS = frozenset({str, int, float, bool, type(None)})
_at_us = attrgetter("at_us")


def plain_object(line: str | bytes) -> dict[str, Any] | None:
    """The line's JSON object decoded fast, or None when it must be decoded the exact way.

    None for a line that is not a plain object (see the module's docstring), or that is
    longer than :data:`MAX_DIGITS` characters (so no integer the exact way would keep as a
    ``Decimal`` is ever decoded fast).
    """
    if len(line) > MAX_DIGITS:
        return None
    backslash, quote = (b"\\", b'"') if isinstance(line, bytes) else ("\\", '"')
    if backslash in line:
        return None
    try:
        obj = _FAST.decode(line)
    except (msgspec.DecodeError, ValueError, RecursionError):
        return None
    if type(obj) is not dict:
        return None
    kinds = list(map(type, obj.values()))
    if not _SCALARS.issuperset(kinds):
        return None  # a value that is a list or an object
    if line.count(quote) != 2 * (len(obj) + kinds.count(str)):
        return None  # a key given twice
    return obj


def key_columns(line: str) -> list[tuple[str, int, int]]:
    """Each top-level key of a valid JSON object line, with the 1-based columns of key and value."""
    decoder, found = EXACT, []
    i = _blank(line, 0) + 1  # just after "{"
    while (i := _blank(line, i)) < len(line) and line[i] == '"':
        key, end = json.decoder.scanstring(line, i + 1)
        value_at = _blank(line, _blank(line, end) + 1)  # after the ":"
        _, after = decoder.raw_decode(line, value_at)
        found.append((key, i + 1, value_at + 1))
        i = _blank(line, after)
        i += line[i : i + 1] == ","
    return found


def _blank(line: str, i: int) -> int:
    while i < len(line) and line[i] in " \t\r\n":
        i += 1
    return i


def lone_surrogate(text: str) -> str:
    """``holds the lone surrogate \\ud800`` when ``text`` holds half of a UTF-16 pair alone
    (JSON can escape one; it is no text, and cannot be written out), else ``""``."""
    found = None if text.isascii() else _SURROGATE.search(text)
    return f"holds the lone surrogate \\u{ord(found[0]):04x}" if found else ""


def check_field(spec: FieldSpec, value: Any) -> tuple[Any, str]:
    """The value converted to its field type, or an error message."""
    kind = spec.type
    if kind == "string":
        if not isinstance(value, str):
            return None, f"must be a string, not {excerpt(value)}"
        if lone := lone_surrogate(value):
            return None, f"must be text: it {lone}"
    elif kind in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, _NUMBERS):
            return None, f"must be a {NUMERIC[kind]}, not {excerpt(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"must be a finite {NUMERIC[kind]}, not {excerpt(value)}"
        if abs(value) > MAX_NUMBER:
            return None, f"is out of range: at most 10^15 in size, not {excerpt(value)}"
        if kind == "integer" and isinstance(value, float):
            if not value.is_integer():
                return None, f"must be a whole number, not {excerpt(value)}"
            value = int(value)
    elif kind == "boolean":
        if not isinstance(value, bool):
            return None, f"must be true or false, not {excerpt(value)}"
    elif kind == "date":
        if not isinstance(value, str):
            return None, f"must be a date YYYY-MM-DD, not {excerpt(value)}"
        try:
            value = parse_date(value)
        except InstantError as exc:
            return None, f"is not a date: {exc}"
        if unsupported(value):
            return None, f"is out of range: {unsupported(value)}"
    if spec.minimum is not None and value < spec.minimum:
        return None, f"must be at least {spec.minimum:g}, not {excerpt(value)}"
    if spec.maximum is not None and value > spec.maximum:
        return None, f"must be at most {spec.maximum:g}, not {excerpt(value)}"
    if spec.choices and value not in spec.choices:
        hint = suggest(value, spec.choices)
        return None, f"must be one of {', '.join(spec.choices)}, not {excerpt(value)}{hint}"
    return value, ""


def field_values(
    ftype: FactType, obj: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The fact's field values, and its problems as (field name or "", message)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    if not _RESERVED.issuperset(obj.keys() - ftype.fields.keys()):  # a key it has not
        for key in obj:
            if key not in RESERVED and key not in ftype.fields:
                hint = suggest(key, ftype.fields)
                problems.append((key, f"`{ftype.name}` has no field `{name(key)}`{hint}"))
    for field, spec in ftype.fields.items():
        if field not in obj or obj[field] is None:
            if spec.required:
                problems.append(("", f"`{ftype.name}` needs field `{field}` ({spec.type})"))
            elif spec.default is not None:
                values[field] = spec.default
            continue
        value, message = check_field(spec, obj[field])
        if message:
            problems.append((field, f"field `{field}` {message}"))
        else:
            values[field] = value
    return values, problems


class PlainFields:
    """The fields of one fact type, checked the quick way on the fast path.

    :meth:`values` gives what :func:`field_values` gives for a fact whose fields have no
    problem, or None when they have one (the line is then read the exact way, which says
    it). A string (with its choices, if any), a boolean, a whole number or a number (within
    its bounds) that needs no conversion is checked here and kept as it is; every other
    value goes to :func:`check_field` itself.
    """

    def __init__(self, ftype: FactType) -> None:
        self.allowed = _RESERVED | ftype.fields.keys()
        self.plan = [
            (field, *_quick(spec), spec.required, spec.default, spec)
            for field, spec in ftype.fields.items()
        ]

    def values(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The field values of ``obj`` (a plain object), or None if they have a problem."""
        if not self.allowed.issuperset(obj):
            return None  # a field the type has not
        values: dict[str, Any] = {}
        for field, quick, low, high, choices, required, default, spec in self.plan:
            value = obj.get(field)
            if value is None:
                if required:
                    return None
                if default is not None:
                    values[field] = default
                continue
            kind = type(value)
            if kind is quick:
                if kind is str:
                    if choices is not None and value not in choices:
                        return None
                elif kind is not bool and not low <= value <= high:
                    return None  # a whole number or a number out of its bounds
            elif kind is int and quick is float:
                if not low <= value <= high:
                    return None
            else:
                value, message = check_field(spec, value)
                if message:
                    return None
            values[field] = value
        return values


def _quick(spec: FieldSpec) -> tuple[type | None, float, float, frozenset[str] | None]:
    """How :meth:`PlainFields.values` checks a field: the type of value it keeps as it is
    (None: none, every value goes to :func:`check_field`; an integer is kept for a number
    too), the bounds of a number, and the choices of a string."""
    bounded = spec.minimum is not None or spec.maximum is not None
    if spec.type == "string" and not bounded:
        return str, 0, 0, frozenset(spec.choices) if spec.choices else None
    if spec.type == "boolean" and not bounded and not spec.choices:
        return bool, 0, 0, None
    if spec.type in NUMERIC and not spec.choices:
        low = -MAX_NUMBER if spec.minimum is None else max(-MAX_NUMBER, spec.minimum)
        high = MAX_NUMBER if spec.maximum is None else min(MAX_NUMBER, spec.maximum)
        return (int if spec.type == "integer" else float), low, high, None
    return None, 0, 0, None


@lru_cache(maxsize=1 << 14)
def instant(text: str, tz: str) -> tuple[pendulum.DateTime, int, str]:
    """``parse_instant(text, tz)``, its epoch microseconds, and why its date is unsupported.

    Sound to keep: the result depends on the two strings only, and is immutable (an
    :class:`InstantError` is raised afresh each time, never kept).
    """
    at, epoch = parse_instant_us(text, tz)
    return at, epoch, unsupported(datetime.date(at))  # (a plain date: the same check)


def numbered(found: list[Fact]) -> list[Fact]:
    """The facts sorted by instant (stable: ties keep file order), numbered from 1 (``seq``,
    set here: the facts are made before their place in time is known)."""
    found.sort(key=_at_us)
    for seq, fact in enumerate(found, 1):
        fact.seq = seq
    return found
