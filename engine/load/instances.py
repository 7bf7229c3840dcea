"""Instances checked against their templates, and the portfolio put together.

Each row of a portfolio file names its template; its parameters must be the template's,
of the right type, and its parties the template's roles. A row with a problem is
reported at its ``path:line[:col]`` and its instance is not checked; the other rows
are. A template with no instance anywhere is its own single instance (the seed
agreement's way: ``contract.id`` names both). Instances whose time zone differs from
their template's get a copy of the template in that zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from engine.days.instants import zone_names
from engine.diagnostics import Diagnostic, Location, suggest, value_words
from engine.load.parameters import convert
from engine.load.portfolio import InstanceRow
from engine.model import Contract, Instance

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class Portfolio:
    """Templates with their instances attached, the problems found, and who is held back.

    ``blocked`` maps an instance id to its template and the problems that keep it from
    being checked (a bad row, a template that did not load); the others are checked.
    """

    contracts: list[Contract] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    blocked: dict[str, tuple[str | None, list[Diagnostic]]] = field(default_factory=dict)
    held_types: dict[str, str] = field(default_factory=dict)  # fact type -> template held back

    def block(self, instance: str, template: Any, problems: list[Diagnostic]) -> None:
        """Hold an instance back for these problems (and report them)."""
        name = template if isinstance(template, str) else None
        self.blocked.setdefault(instance, (name, []))[1].extend(problems)
        self.problems.extend(problems)


def _parameters(row: InstanceRow, template: Contract) -> tuple[dict[str, Any], list[Diagnostic]]:
    params, problems = dict(template.parameters), []
    specs = template.parameter_specs
    for name, (value, loc) in row.parameters.items():
        if name not in specs:
            hint = suggest(name, specs)
            message = f"template `{template.id}` has no parameter `{name}`{hint}"
            problems.append(Diagnostic(row.names.get(name, loc), message))
            continue
        converted, problem = convert(specs[name].type, value)
        if problem:
            problems.append(Diagnostic(loc, f"`{name}` {problem}"))
            continue
        params[name] = converted
    for name, spec in specs.items():
        if spec.required and name not in params and name not in row.parameters:
            message = f"instance `{row.get('id')}` needs a value for parameter `{name}`"
            problems.append(Diagnostic(row.at("id"), message))
    return params, problems


def _parties(row: InstanceRow, template: Contract) -> tuple[dict[str, str], list[Diagnostic]]:
    parties, problems = {}, []
    roles = template.parties
    for role, (name, loc) in row.parties.items():
        if roles and role not in roles:
            hint = suggest(role, roles)
            loc = row.names.get(role, loc)
            problems.append(
                Diagnostic(loc, f"template `{template.id}` has no party `{role}`{hint}")
            )
        elif not isinstance(name, str) or not name.strip():
            problems.append(
                Diagnostic(loc, f"party `{role}` needs a name, not {value_words(name)}")
            )
        else:
            parties[role] = name.strip()
    return parties, problems


def _time_zone(row: InstanceRow) -> tuple[str | None, list[Diagnostic]]:
    tz = row.get("time_zone")
    if tz is None:
        return None, []
    if isinstance(tz, str) and tz in zone_names():
        return tz, []
    hint = suggest(str(tz), zone_names())
    return None, [Diagnostic(row.at("time_zone"), f"unknown time zone `{tz}`{hint}")]


def instance_of(
    row: InstanceRow, template: Contract
) -> tuple[Instance, str | None, list[Diagnostic]]:
    """The instance a row declares, its own time zone (None: the template's), its problems."""
    params, problems = _parameters(row, template)
    parties, more = _parties(row, template)
    tz, tz_problems = _time_zone(row)
    title = row.get("title")
    if title is not None and not isinstance(title, str):
        problems.append(
            Diagnostic(row.at("title"), f"`title` must be text, not {value_words(title)}")
        )
    instance = Instance(
        str(row.get("id")),
        title if isinstance(title, str) else template.title,
        params,
        parties,
        row.loc,
    )
    return instance, tz, [*problems, *more, *tz_problems]


def _row_id(row: InstanceRow, seen: dict[str, Location]) -> list[Diagnostic]:
    """Problems with a row's ``id`` and ``template`` cells (missing, malformed, repeated)."""
    problems = []
    rid = row.get("id")
    if rid is None:
        problems.append(Diagnostic(row.loc, "an instance needs an `id`"))
    elif not isinstance(rid, str) or not ID_RE.fullmatch(rid) or rid == "*":
        message = f"`id` must be letters, digits and `._-`, not {value_words(rid)}"
        problems.append(Diagnostic(row.at("id"), message))
    elif rid in seen:
        problems.append(
            Diagnostic(row.at("id"), f"duplicate instance `{rid}` (first at {seen[rid]})")
        )
    else:
        seen[rid] = row.at("id")
    if row.get("template") is None:
        problems.append(Diagnostic(row.loc, "an instance needs a `template`"))
    return problems


def assemble(
    templates: list[Contract], rows: list[InstanceRow], failed: dict[str, list[Diagnostic]]
) -> Portfolio:
    """Attach the rows to their templates; ``failed`` holds templates that did not load."""
    out = Portfolio()
    by_id = {t.id: t for t in templates}
    seen: dict[str, Location] = {}
    for template in templates:
        for instance in (i for i in template.instances if not i.implicit):
            if instance.id in seen:
                message = f"contract `{instance.id}` is also defined in {seen[instance.id]}"
                out.problems.append(Diagnostic(instance.loc, message))
            seen.setdefault(instance.id, instance.loc)
    declared: dict[str, list[tuple[Instance, str | None]]] = {}
    for row in rows:
        problems = _row_id(row, seen)
        rid, tid = row.get("id"), row.get("template")
        if problems:
            out.problems += problems
            continue
        if tid in failed:
            message = f"instance `{rid}` is not checked: its template `{tid}` did not load"
            out.block(rid, tid, [Diagnostic(row.at("template"), message)])
            continue
        if tid not in by_id:
            hint = suggest(str(tid), [*by_id, *failed])
            out.block(rid, tid, [Diagnostic(row.at("template"), f"unknown template `{tid}`{hint}")])
            continue
        instance, tz, problems = instance_of(row, by_id[tid])
        if problems:
            out.block(rid, tid, problems)
            continue
        declared.setdefault(tid, []).append((instance, tz))
    for template in templates:
        own = [i for i in template.instances if not i.implicit or template.id not in declared]
        groups: dict[str, list[Instance]] = {template.time_zone: own}
        for instance, tz in declared.get(template.id, []):
            groups.setdefault(tz or template.time_zone, []).append(instance)
        for tz, instances in groups.items():
            if instances:
                out.contracts.append(replace(template, time_zone=tz, instances=tuple(instances)))
    for tid, problems in failed.items():
        if not any(row.get("template") == tid for row in rows):
            out.block(tid, tid, [])  # the template's own instance; problems reported once
            out.blocked[tid][1].extend(problems)
    for contract in out.contracts:
        for instance in (i for i in contract.instances if i.implicit):
            missing = [n for n, s in contract.parameter_specs.items() if s.required]
            if missing:
                message = (
                    f"template `{contract.id}` has no instance, and its parameter "
                    f"`{missing[0]}` has no default: list its instances in a portfolio file"
                )
                out.block(instance.id, contract.id, [Diagnostic(instance.loc, message)])
    out.contracts = [
        replace(c, instances=tuple(i for i in c.instances if i.id not in out.blocked))
        for c in out.contracts
    ]
    out.contracts = [c for c in out.contracts if c.instances]
    for contract in out.contracts:
        for instance in (i for i in contract.instances if i.implicit and i.id in seen):
            message = f"contract `{instance.id}` is also defined in {seen[instance.id]}"
            out.problems.append(Diagnostic(instance.loc, message))
    return out
