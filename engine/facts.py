"""Fact logs: ``.jsonl`` files read, validated against the contracts' vocabularies, sorted.

Every line is a fact or a reported problem: nothing is silently dropped. Blank
lines are allowed. Facts are sorted by ``at``; ties keep file order (files in
the order given, folders in name order).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pendulum

from engine.diagnostics import Diagnostic, InputError, Location
from engine.instants import InstantError, epoch_us, parse_date, parse_instant
from engine.model import Contract, Fact, FactType, FieldSpec
from engine.rulefile import suggest

RESERVED = ("id", "type", "at", "contract")


def fact_paths(paths: list[str]) -> list[Path]:
    """The ``.jsonl`` files named, folders expanded in name order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.iterdir() if q.suffix == ".jsonl" and q.is_file())
        else:
            found.append(p)
    return found


def _check_field(spec: FieldSpec, value: Any) -> tuple[Any, str]:
    """The value converted to its field type, or an error message."""
    kind = spec.type
    if kind == "string" and not isinstance(value, str):
        return None, f"must be a string, not {json.dumps(value)}"
    if kind == "boolean" and not isinstance(value, bool):
        return None, f"must be true or false, not {json.dumps(value)}"
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return None, f"must be a whole number, not {json.dumps(value)}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return None, f"must be a number, not {json.dumps(value)}"
    if kind == "date":
        if not isinstance(value, str):
            return None, f"must be a date YYYY-MM-DD, not {json.dumps(value)}"
        try:
            value = parse_date(value)
        except InstantError as exc:
            return None, str(exc)
    if spec.minimum is not None and value < spec.minimum:
        return None, f"must be at least {spec.minimum:g}, not {value}"
    if spec.maximum is not None and value > spec.maximum:
        return None, f"must be at most {spec.maximum:g}, not {value}"
    if spec.choices and value not in spec.choices:
        return None, f"must be one of {', '.join(spec.choices)}, not {json.dumps(value)}"
    return value, ""


def _fields(ftype: FactType, obj: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    values, problems = {}, []
    for name in obj:
        if name not in RESERVED and name not in ftype.fields:
            hint = suggest(name, ftype.fields)
            problems.append(f"`{ftype.name}` has no field `{name}`{hint}")
    for name, spec in ftype.fields.items():
        if name not in obj or obj[name] is None:
            if spec.required:
                problems.append(f"`{ftype.name}` needs field `{name}` ({spec.type})")
            elif spec.default is not None:
                values[name] = spec.default
            continue
        value, message = _check_field(spec, obj[name])
        if message:
            problems.append(f"field `{name}` {message}")
        else:
            values[name] = value
    return values, problems


class FactReader:
    """Reads fact logs against a set of contracts, collecting every problem."""

    def __init__(self, contracts: list[Contract]) -> None:
        self.contracts = contracts
        self.instance_ids = {i.id: c for c in contracts for i in c.instances}
        self.problems: list[Diagnostic] = []
        self.seen_ids: dict[str, Location] = {}

    def _types(self, contract_id: str | None) -> dict[str, FactType]:
        if contract_id is not None:
            return self.instance_ids[contract_id].fact_types
        merged: dict[str, FactType] = {}
        for c in self.contracts:
            merged.update(c.fact_types)
        return merged

    def _tz(self, contract_id: str | None) -> str:
        c = self.instance_ids[contract_id] if contract_id else self.contracts[0]
        return c.time_zone

    def parse_line(self, loc: Location, line: str) -> Fact | None:
        """One line to a Fact, or None with the problems recorded."""

        def fail(message: str, col: int = 0) -> None:
            self.problems.append(Diagnostic(Location(loc.path, loc.line, col), message))

        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            return fail(f"invalid JSON: {exc.msg}", exc.colno)
        if not isinstance(obj, dict):
            return fail("a fact must be a JSON object")
        for name in ("type", "at"):
            if not isinstance(obj.get(name), str):
                return fail(f"fact needs `{name}` (a string)")
        contract = obj.get("contract")
        if contract is not None and contract not in self.instance_ids:
            hint = suggest(str(contract), self.instance_ids)
            return fail(f"unknown contract `{contract}`{hint}")
        types = self._types(contract)
        ftype = types.get(obj["type"])
        if ftype is None:
            return fail(f"unknown fact type `{obj['type']}`{suggest(obj['type'], types)}")
        fact_id = obj.get("id", f"{loc.path}:{loc.line}")
        if not isinstance(fact_id, str) or not fact_id:
            return fail("`id` must be a non-empty string")
        try:
            at = parse_instant(obj["at"], self._tz(contract))
        except InstantError as exc:
            return fail(f"`at`: {exc}")
        values, problems = _fields(ftype, obj)
        for message in problems:
            fail(message)
        if fact_id in self.seen_ids:
            return fail(f"duplicate fact id `{fact_id}` (first at {self.seen_ids[fact_id]})")
        self.seen_ids[fact_id] = loc
        if problems:
            return None
        return Fact(fact_id, ftype.name, at, values, loc, contract=contract)

    def read(self, paths: list[str]) -> list[Fact]:
        """Every fact of the files, sorted by time (ties in file order), numbered by ``seq``."""
        facts: list[Fact] = []
        for p in fact_paths(paths):
            try:
                text = p.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.problems.append(Diagnostic(Location(str(p)), f"cannot read fact log: {exc}"))
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    fact = self.parse_line(Location(str(p), number), line)
                    if fact is not None:
                        facts.append(fact)
        if self.problems:
            raise InputError(self.problems)
        facts.sort(key=lambda f: epoch_us(f.at))  # stable: ties keep file order
        return [
            Fact(f.id, f.type, f.at, f.fields, f.loc, seq, f.contract)
            for seq, f in enumerate(facts, start=1)
        ]


def read_facts(paths: list[str], contracts: list[Contract]) -> list[Fact]:
    """Read and validate fact logs; raise ``InputError`` listing every problem."""
    return FactReader(contracts).read(paths)


def local_day(fact: Fact, tz: str) -> pendulum.Date:
    """The calendar day of a fact in ``tz``."""
    return fact.at.in_timezone(tz).date()
