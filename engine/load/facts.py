"""Fact logs: ``.jsonl`` files read, validated against the contracts' vocabularies, sorted.

Every line is a fact or a reported problem: nothing is silently dropped. Blank
lines are allowed. Every problem of a line is reported (not only the first), at
``path:line:col`` where the column of the offending key or value is known. Facts are
sorted by ``at``; ties keep file order (files in the order given, folders in name order).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.days.calendars import unsupported
from engine.days.instants import InstantError, epoch_us, parse_date, parse_instant
from engine.diagnostics import Diagnostic, InputError, Location, excerpt, shorten, suggest
from engine.load.builtins import reference_problems
from engine.load.fact_files import FactFiles, find_fact_files
from engine.model import Contract, Fact, FactType, FieldSpec

RESERVED = ("id", "type", "at", "contract")
ALL = "*"  # `"contract": "*"`: every instance that can take the fact
NUMERIC = {"integer": "whole number", "number": "number"}
# Numbers of facts are amounts and counts: at most a quadrillion in size, which keeps every
# sum, product and late payment exact in the 28 significant digits the engine computes in.
MAX_NUMBER = 10**15
_NUMBERS = (int, float, Decimal)
MAX_DIGITS = 4000  # longer integers are not even converted (Python refuses past 4300)


def _integer(text: str) -> int | Decimal:
    """A JSON integer; a very long one stays a Decimal (out of range, said by the check)."""
    return int(text) if len(text) <= MAX_DIGITS else Decimal(text)


def _name(text: str) -> str:
    """A name from a fact (a key, an id, a type) as a message quotes it: 100 characters at most."""
    return shorten(text, 100)


_DECODER = json.JSONDecoder(parse_int=_integer)  # stateless: one for every line


def _check_field(spec: FieldSpec, value: Any) -> tuple[Any, str]:
    """The value converted to its field type, or an error message."""
    kind = spec.type
    if kind == "string" and not isinstance(value, str):
        return None, f"must be a string, not {excerpt(value)}"
    if kind == "boolean" and not isinstance(value, bool):
        return None, f"must be true or false, not {excerpt(value)}"
    if kind in NUMERIC and (isinstance(value, bool) or not isinstance(value, _NUMBERS)):
        return None, f"must be a {NUMERIC[kind]}, not {excerpt(value)}"
    if kind in NUMERIC and isinstance(value, float) and not math.isfinite(value):
        return None, f"must be a finite {NUMERIC[kind]}, not {excerpt(value)}"
    if kind in NUMERIC and abs(value) > MAX_NUMBER:
        return None, f"is out of range: at most 10^15 in size, not {excerpt(value)}"
    if kind == "integer" and isinstance(value, float):
        if not value.is_integer():
            return None, f"must be a whole number, not {excerpt(value)}"
        value = int(value)
    if kind == "date":
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


def _fields(ftype: FactType, obj: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The fact's field values, and its problems as (field name or "", message)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in obj:
        if name not in RESERVED and name not in ftype.fields:
            hint = suggest(name, ftype.fields)
            problems.append((name, f"`{ftype.name}` has no field `{_name(name)}`{hint}"))
    for name, spec in ftype.fields.items():
        if name not in obj or obj[name] is None:
            if spec.required:
                problems.append(("", f"`{ftype.name}` needs field `{name}` ({spec.type})"))
            elif spec.default is not None:
                values[name] = spec.default
            continue
        value, message = _check_field(spec, obj[name])
        if message:
            problems.append((name, f"field `{name}` {message}"))
        else:
            values[name] = value
    return values, problems


def _columns(line: str) -> list[tuple[str, int, int]]:
    """Each top-level key of a valid JSON object line, with the 1-based columns of key and value."""
    decoder, found = _DECODER, []
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


class FactReader:
    """Reads fact logs against a set of contracts, collecting every problem.

    A fact goes to the instance its ``contract`` names; ``"*"`` sends it to every
    instance whose template can take its type; without ``contract`` it goes to the one
    instance that can take its type, and is an error where several can. Each problem
    is also charged to the instances it may concern (``blame``), so that the others can
    still be checked: the instance named, else those that can take the fact's type,
    else every instance.
    """

    def __init__(
        self,
        contracts: list[Contract],
        held_back: Collection[str] = (),
        held_types: Collection[str] = (),
    ) -> None:
        self.contracts = contracts
        self.instance_ids = {i.id: c for c in contracts for i in c.instances}
        self.held_back = frozenset(held_back) - self.instance_ids.keys()
        self.held_types = frozenset(held_types)  # fact types of templates that did not load
        self.problems: list[Diagnostic] = []
        self.blame: dict[str, list[Diagnostic]] = {}
        self.warnings: list[Diagnostic] = []  # files skipped (see engine.load.fact_files)
        self.seen_ids: dict[str, Location] = {}
        self.facts: list[Fact] = []  # the sound facts of the last ``read``, numbered
        self.takers: dict[str, list[str]] = {}  # fact type -> the instances that take it
        self.zones: dict[str, list[str]] = {}  # fact type -> those instances' time zones

    def _takers(self, fact_type: str) -> list[str]:
        """The instances whose template has ``fact_type``, sorted (worked out once a type)."""
        found = self.takers.get(fact_type)
        if found is None:
            found = sorted(i for i, c in self.instance_ids.items() if fact_type in c.fact_types)
            self.takers[fact_type] = found
        return found

    def _types(self, contract_id: str | None) -> dict[str, FactType]:
        if contract_id is not None and contract_id != ALL:
            return self.instance_ids[contract_id].fact_types
        merged: dict[str, FactType] = {}
        for c in self.contracts:
            merged.update(c.fact_types)
        return merged

    def _contracts(self, contract_id: str | None) -> list[Contract]:
        if contract_id is not None and contract_id != ALL:
            return [self.instance_ids[contract_id]]
        return self.contracts

    def _tz(self, contract_id: str | None, fact_type: Any) -> str:
        if contract_id is None or contract_id == ALL:
            takers = self._takers(fact_type) if isinstance(fact_type, str) else []
            contract_id = takers[0] if takers else None
        c = self.instance_ids[contract_id] if contract_id else self.contracts[0]
        return c.time_zone

    def _charge(self, obj: Any, contract: str | None, problems: list[Diagnostic]) -> None:
        """Charge a line's problems to the instances it may concern (a file's: to all)."""
        if not problems:
            return
        if contract is not None and contract != ALL:
            who = [contract]
        elif isinstance(obj, dict) and isinstance(obj.get("type"), str):
            who = self._takers(obj["type"]) or list(self.instance_ids)
        else:
            who = list(self.instance_ids)
        for instance in who:
            self.blame.setdefault(instance, []).extend(problems)

    def parse_line(self, loc: Location, line: str) -> Fact | None:
        """One line to a Fact, or None with every problem of the line recorded."""
        before = len(self.problems)

        def fail(message: str, col: int = 0) -> None:
            self.problems.append(Diagnostic(Location(loc.path, loc.line, col), message))

        try:
            obj = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            fail(f"invalid JSON: {exc.msg}", exc.colno)
            return None
        except RecursionError:
            fail("invalid JSON: values nested too deeply")
            return None
        if not isinstance(obj, dict):
            kind = "a list" if isinstance(obj, list) else excerpt(obj)
            fail(f"a fact must be a JSON object {{...}}, not {kind}")
            return None
        keys, cols = {}, {}
        for key, key_col, value_col in _columns(line):
            if key in keys:
                fail(f"duplicate key `{_name(key)}` (first at column {keys[key]})", key_col)
            keys.setdefault(key, key_col)
            cols.setdefault(key, value_col)
        for name, what in (("type", "its fact type"), ("at", "its date or date-time")):
            if name not in obj:
                fail(f"fact has no `{name}` ({what})")
            elif not isinstance(obj[name], str):
                fail(f"`{name}` must be a string, not {excerpt(obj[name])}", cols[name])
        contract = obj.get("contract")
        if contract is not None and not isinstance(contract, str):
            fail(f"`contract` must be a string, not {excerpt(contract)}", cols["contract"])
            contract = None
        elif contract in self.held_back:
            return None  # its instance is not checked: the reason is reported with it
        elif contract is not None and contract != ALL and contract not in self.instance_ids:
            hint = suggest(contract, self.instance_ids)
            fail(f"unknown contract `{_name(contract)}`{hint}", cols["contract"])
            contract = None
        fact_id = obj.get("id", f"{loc.path}:{loc.line}")
        if not isinstance(fact_id, str) or not fact_id:
            fail(f"`id` must be a non-empty string, not {excerpt(fact_id)}", cols["id"])
        elif fact_id in self.seen_ids:
            first = self.seen_ids[fact_id]
            where = f"line {first.line}" if first.path == loc.path else str(first)
            fail(f"duplicate fact id `{_name(fact_id)}` (first at {where})", cols["id"])
        else:
            self.seen_ids[fact_id] = loc
        at = None
        if isinstance(obj.get("at"), str):
            try:
                at = parse_instant(obj["at"], self._tz(contract, obj.get("type")))
            except InstantError as exc:
                fail(f"`at`: {shorten(str(exc), 200)}", cols["at"])
            if at is not None and unsupported(at.date()):
                fail(f"`at`: {unsupported(at.date())}", cols["at"])
                at = None
        ftype, values = None, {}
        if isinstance(obj.get("type"), str):
            types = self._types(contract)
            ftype = types.get(obj["type"])
            if ftype is None and contract is None and obj["type"] in self.held_types:
                return None  # its template did not load: reported with it
            if ftype is None:
                hint = suggest(obj["type"], types)
                fail(f"unknown fact type `{_name(obj['type'])}`{hint}", cols["type"])
            else:
                contract = self._route(contract, ftype.name, cols.get("type", 0), fail)
                if contract == ALL and at is not None and not self._one_instant(obj["at"], ftype):
                    zones = ", ".join(self._zones(ftype.name))
                    fail(
                        f"`at` has no UTC offset, and the instances that take this fact are in "
                        f"different time zones ({zones}): give an offset",
                        cols["at"],
                    )
                values, problems = _fields(ftype, obj)
                problems += reference_problems(ftype.name, values, self._contracts(contract))
                for name, message in problems:
                    where = keys[name] if name and name not in ftype.fields else cols.get(name, 0)
                    fail(message, where)
        if len(self.problems) > before:
            self._charge(obj, contract, self.problems[before:])
        if len(self.problems) > before or ftype is None or at is None or contract is None:
            return None
        return Fact(fact_id, ftype.name, at, values, loc, contract=contract)

    def _one_instant(self, text: str, ftype: FactType) -> bool:
        """Whether ``at`` is the same instant in the zone of every instance taking the type."""
        return len({parse_instant(text, tz) for tz in self._zones(ftype.name)}) <= 1

    def _zones(self, fact_type: str) -> list[str]:
        """The time zones of the instances that take ``fact_type``, in their order, once each."""
        found = self.zones.get(fact_type)
        if found is None:
            takers = self._takers(fact_type)
            found = list(dict.fromkeys(self.instance_ids[i].time_zone for i in takers))
            self.zones[fact_type] = found
        return found

    def _route(
        self, contract: str | None, fact_type: str, col: int, fail: Callable[[str, int], None]
    ) -> str | None:
        """The instance a fact goes to (``"*"``: every one that can take it), or None."""
        takers = self._takers(fact_type)
        if contract == ALL:
            return ALL
        if contract is not None:
            if contract not in takers:
                template = self.instance_ids[contract].id
                fail(
                    f"contract `{contract}` (template `{template}`) has no fact type `{fact_type}`",
                    col,
                )
                return None
            return contract
        if len(takers) == 1:
            return takers[0]
        shown = ", ".join(takers[:5]) + (f" and {len(takers) - 5} more" if len(takers) > 5 else "")
        fail(
            f"fact type `{fact_type}` is used by {len(takers)} instances ({shown}): name its "
            f'`contract` (or `"contract": "*"` for all of them)',
            col,
        )
        return None

    def read(self, paths: list[str], files: FactFiles | None = None) -> list[Fact]:
        """Every fact of the files, sorted by time (ties in file order), numbered by ``seq``.

        The files are those ``paths`` name (:func:`engine.load.fact_files.find_fact_files`),
        or ``files`` when given; what was skipped is in ``warnings`` and, when there is a
        problem, among the diagnostics of the ``InputError`` raised too.
        """
        files = files or find_fact_files(paths)
        self.warnings = files.warnings
        self.problems += files.problems
        facts: list[Fact] = []
        for p in files.paths:
            for number, line in self._lines(p):
                fact = self.parse_line(Location(str(p), number), line)
                if fact is not None:
                    facts.append(fact)
        charged = {id(d) for ds in self.blame.values() for d in ds}
        self._charge(None, None, [d for d in self.problems if id(d) not in charged])
        facts.sort(key=lambda f: epoch_us(f.at))  # stable: ties keep file order
        self.facts = [
            Fact(f.id, f.type, f.at, f.fields, f.loc, seq, f.contract)
            for seq, f in enumerate(facts, start=1)
        ]
        if self.problems:
            raise InputError([*self.problems, *self.warnings])
        return self.facts

    def _lines(self, path: Path) -> list[tuple[int, str]]:
        """The numbered lines of a fact log that are not blank; a problem if it cannot be read.

        Lines end at ``\n`` only (a ``\r`` before it is dropped): a U+2028 or U+0085 inside
        a JSON string is text, not the end of a line, and never shifts the line numbers.
        """
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            message = f"cannot read fact log: {exc.strerror or exc}"
            self.problems.append(Diagnostic(Location(str(path)), message))
            return []
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            message = f"cannot read fact log: not UTF-8 text (byte {exc.object[exc.start]:#x})"
            self.problems.append(Diagnostic(Location(str(path), line), message))
            return []
        lines = (line.removesuffix("\r") for line in text.split("\n"))
        return [(n, line) for n, line in enumerate(lines, start=1) if line.strip(" \t\r")]


def read_facts(paths: list[str], contracts: list[Contract]) -> list[Fact]:
    """Read and validate fact logs; raise ``InputError`` listing every problem."""
    return FactReader(contracts).read(paths)
