"""Digests of what each instance's evaluation depends on, besides the as-of date.

The nightly delta (``engine.evaluate.evaluate`` with a ``Memo``) re-evaluates an
instance only when its digest changed or the as-of date reached its horizon
(``engine.findings.horizon``). The digest of an instance is the sha256 of:

* the engine: its own source files and the versions of the libraries that decide dates
  and matches (``engine_fingerprint``): an upgrade re-evaluates everything;
* its template: the sha256 of the rule file's bytes, given by the caller (a contract
  with none given is never memoised), its id, time zone and calendars;
* its instance row: id, title, parameters and parties;
* the facts the run feeds it, in the order it feeds them: those naming it, and those
  without ``contract`` (or ``"*"``) whose type its template takes, as
  ``engine.run.partition`` and ``engine.run.driver`` route them; each fact by its id,
  place (path, line and column: a fact moved in its log is a change), type, instant (in
  epoch microseconds, with the instant's zone: the contract's for a local time, else the
  offset given), ``contract`` and fields (names, values and
  their types, in order). Its ``seq`` (a position in the whole run) is left out: the
  instance sees the same facts in the same order whatever the other instances receive.

Facts dated after the as-of day are not in the plan's parts, so they count once they
are considered: moving the as-of past a fact changes the digest.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from functools import cache
from importlib import metadata
from pathlib import Path

from engine.model import Contract, Fact
from engine.run.partition import Part, Plan

# the libraries that decide dates and matches (the calendars' holidays: holidays, pandas)
_LIBRARIES = (
    "durable_rules",
    "exchange_calendars",
    "holidays",
    "pandas",
    "pendulum",
    "python-dateutil",
    "tzdata",
)


@cache
def engine_fingerprint() -> str:
    """The sha256 of the engine's source files and the versions of the libraries it uses."""
    sha = hashlib.sha256(sys.version.encode())
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.json")):
        sha.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        sha.update(f"{name}={version}\0".encode())
    return sha.hexdigest()


def _fact_bytes(fact: Fact) -> bytes:
    """A fact as its digest takes it: its instant as epoch microseconds and the instant's
    zone, its place as path, line and column; the free texts (id, path) quoted, so that no
    two facts give the same bytes."""
    fields = [(k, type(v).__name__, repr(v)) for k, v in fact.fields.items()]
    zone = getattr(fact.at, "timezone_name", None)
    path, line, col = fact.loc
    text = (
        f"{fact.id!r}\x1f{path!r}\x1f{line}\x1f{col}\x1f{fact.type}\x1f{fact.at_us}"
        f"\x1f{zone}\x1f{fact.contract!r}"
    )
    return f"{text}\x1f{fields!r}\x1e".encode()


def instance_digests(
    contracts: Sequence[Contract], plan: Plan, templates: Mapping[str, str]
) -> dict[str, str]:
    """The digest of every instance of the plan whose template's file digest is known
    (``templates``: a rule file's path -> the sha256 of its bytes)."""
    engine = engine_fingerprint()
    sums: dict[str, hashlib._Hash] = {}
    for part in plan.parts:
        mine: dict[str, hashlib._Hash] = {}
        by_type: dict[str, list[hashlib._Hash]] = {}
        for member in part.members:
            contract = contracts[member.contract]
            template = templates.get(contract.path) if contract.path else None
            if template is None:
                continue
            inst = contract.instances[member.index]
            head = (
                engine,
                template,
                contract.id,
                contract.time_zone,
                sorted(contract.calendars.items()),
                inst.id,
                inst.title,
                list(inst.parameters.items()),
                sorted(inst.parties.items()),
            )
            sha = hashlib.sha256(repr(head).encode())
            mine[inst.id] = sums[inst.id] = sha
            for name in contract.fact_types:
                by_type.setdefault(name, []).append(sha)
        if not mine:
            continue
        for fact in part.facts:
            if fact.contract not in (None, "*"):
                own = mine.get(fact.contract)
                targets = [own] if own is not None else []
            else:
                targets = by_type.get(fact.type, [])
            if targets:
                data = _fact_bytes(fact)
                for sha in targets:
                    sha.update(data)
    return {instance: sha.hexdigest() for instance, sha in sums.items()}


def without(plan: Plan, contracts: Sequence[Contract], drop: Collection[str]) -> Plan:
    """The plan's parts without the instances in ``drop`` (and the facts only they take);
    parts left empty are removed, the rest renumbered. The counts stay the whole run's."""
    parts = []
    for part in plan.parts:
        members = tuple(m for m in part.members if m.instance not in drop)
        if not members:
            continue
        if len(members) < len(part.members):
            names = {m.instance for m in members}
            types = {t for m in members for t in contracts[m.contract].fact_types}
            facts = tuple(
                f
                for f in part.facts
                if (f.contract in names if f.contract not in (None, "*") else f.type in types)
            )
            part = Part(len(parts), members, facts)
        parts.append(replace(part, index=len(parts)))
    return replace(plan, parts=tuple(parts))
