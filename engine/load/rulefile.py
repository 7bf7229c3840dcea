"""Rule files: YAML in, a validated ``Contract`` out, or every problem as a diagnostic.

Two layers, as in the conventions: the JSON Schema checks the shape (unknown keys
rejected), then this module checks the meaning: known calendars and time zone,
fact types and fields that exist, expressions over names that exist, unique ids.
Both layers run on every file: the meaning of each part whose shape is right is
checked even when another part is broken, so every problem is reported at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pendulum

from engine.days.calendars import CALENDAR_NAMES
from engine.days.instants import zone_names
from engine.diagnostics import Diagnostic, InputError, Location, suggest
from engine.load.builtins import builtin_types
from engine.load.dates import cycle_from
from engine.load.instances import instance_of
from engine.load.obligation import ObligationParts
from engine.load.parameters import convert
from engine.load.portfolio import entry_rows
from engine.load.schema import JsonPath, shape_problems
from engine.load.yaml_source import SourceMap, load_yaml_collect, location_of
from engine.model import (
    Contract,
    DateSpec,
    FactType,
    FieldSpec,
    Instance,
    NoticeRule,
    ParameterSpec,
)


class _Builder(ObligationParts):
    """Checks the meaning of a rule file and builds its Contract, collecting every problem.

    ``broken`` holds the paths the shape check found wrong: the parts at or under them
    are skipped (names they define are taken as known), and everything else is checked.
    """

    def __init__(self, path: str, root: SourceMap, broken: set[JsonPath] | None = None) -> None:
        self.path, self.root, self.broken = path, root, broken or set()
        self.problems: list[Diagnostic] = []
        self.fact_types: dict[str, FactType] = {}
        self.parameters: dict[str, Any] = {}
        self.param_specs: dict[str, ParameterSpec] = {}
        self.unchecked_types: set[str] | None = set()  # None: any name may exist
        self.unchecked_params: set[str] | None = set()
        self.has_trigger = True
        self.notice_field: FieldSpec | None = None
        self.dates: dict[str, Any] = {}
        self.local_dates: dict[str, Any] = {}
        self.lookups: dict[str, str] = {}
        self.values: list[str] = []
        self.period_dates: dict[str, Any] = {}
        self.in_period = False
        self.period_specs = {}
        self.roles: list[str] | None = None
        self.rule_refs: list[tuple[str, str, list]] = []

    def usable(self, json_path: JsonPath) -> bool:
        """True unless the node at ``json_path`` or one of its parents is broken."""
        return not any(json_path[: len(b)] == b for b in self.broken)

    def intact(self, json_path: JsonPath) -> bool:
        """True if nothing at, above or below ``json_path`` is broken."""
        n = len(json_path)
        return self.usable(json_path) and not any(b[:n] == json_path for b in self.broken)

    def known_param(self, name: str) -> bool:
        """True if ``name`` is a parameter, or may be one (its declaration is broken)."""
        unchecked = self.unchecked_params
        return unchecked is None or name in unchecked or name in self.param_specs

    def at(self, json_path: list[str | int]) -> Location:
        return location_of(self.root, json_path, Location(self.path, 1, 1))

    def error(self, json_path: list[str | int], message: str, rule: str = "") -> None:
        prefix = f"rule {rule}: " if rule else ""
        self.problems.append(Diagnostic(self.at(json_path), prefix + message))

    # -- vocabulary ---------------------------------------------------------
    def vocabulary(self) -> None:
        if not self.usable(("facts",)):
            self.unchecked_types = None
            return
        for name, spec in self.root["facts"].items():
            if not self.intact(("facts", name)):
                self.unchecked_types.add(name)  # type: ignore[union-attr]
                continue
            fields = {}
            for fname, fspec in (spec.get("fields") or {}).items():
                fields[fname] = FieldSpec(
                    name=fname,
                    type=fspec["type"],
                    required=fspec.get("required", "default" not in fspec),
                    default=fspec.get("default"),
                    minimum=fspec.get("minimum"),
                    maximum=fspec.get("maximum"),
                    choices=tuple(fspec.get("enum", ())),
                )
            notice = bool(spec.get("notice", False))
            if notice and self.notice_field is not None:
                fields[self.notice_field.name] = self.notice_field
            self.fact_types[name] = FactType(
                name, spec["label"], spec.get("section", ""), fields, notice
            )

    def builtin_types(self) -> None:
        """Waivers and parameter changes: fact types every contract understands."""
        for name, ftype in builtin_types(self.roles or []).items():
            self.fact_types.setdefault(name, ftype)

    def fact_type(self, name: str, json_path: list[str | int], rule: str) -> FactType | None:
        if self.unchecked_types is None or name in self.unchecked_types:
            return None
        if name not in self.fact_types:
            hint = suggest(name, [*self.fact_types, *self.unchecked_types])
            self.error(json_path, f"unknown fact type `{name}`{hint}", rule)
            return None
        return self.fact_types[name]

    # -- the contract -----------------------------------------------------------
    def settings(self, c: dict) -> None:
        """The contract's time zone, calendars and parameters."""
        if self.intact(("contract", "time_zone")):
            try:
                pendulum.timezone(c["time_zone"])
            except Exception:
                hint = suggest(c["time_zone"], zone_names())
                self.error(["contract", "time_zone"], f"unknown time zone `{c['time_zone']}`{hint}")
        self.roles = list(c.get("parties") or {}) if self.usable(("contract", "parties")) else None
        for role, name in (c.get("calendars") or {}).items():
            if self.intact(("contract", "calendars", role)) and name not in CALENDAR_NAMES:
                known = f"(known: {', '.join(CALENDAR_NAMES)}){suggest(name, CALENDAR_NAMES)}"
                self.error(["contract", "calendars", role], f"unknown calendar `{name}` {known}")
        if not self.usable(("contract", "parameters")):
            self.unchecked_params = None
            return
        for n, p in (c.get("parameters") or {}).items():
            if not self.intact(jp := ("contract", "parameters", n)):
                self.unchecked_params.add(n)  # type: ignore[union-attr]
                continue
            spec = ParameterSpec(
                n,
                p.get("type", "number"),
                p.get("unit", ""),
                p.get("section", ""),
                required="default" not in p,
            )
            self.param_specs[n] = spec
            if "default" in p:
                value, problem = convert(spec.type, p["default"])
                if problem:
                    self.error([*jp, "default"], f"`contract.parameters.{n}.default` {problem}")
                self.parameters[n] = value

    def instances(self, c: dict, template: Contract) -> list[Instance]:
        """The template's own instances (``contract.instances``); itself alone when none."""
        items = c.get("instances") if self.usable(("contract", "instances")) else None
        if not items:
            implicit = Instance(template.id, template.title, dict(template.parameters))
            return [replace(implicit, loc=self.at(["contract", "id"]), implicit=True)]
        rows, problems = entry_rows(items)
        self.problems += problems
        found: list[Instance] = []
        seen: dict[str, Location] = {}
        for row in rows:
            rid = str(row.get("id"))
            if rid in seen:
                message = f"duplicate instance `{rid}` (first at line {seen[rid].line})"
                self.problems.append(Diagnostic(row.at("id"), message))
            seen.setdefault(rid, row.at("id"))
            instance, _, problems = instance_of(row, template)
            self.problems += problems
            found.append(instance)
        return found

    def check_rule_refs(self, built: dict[str, Any], ids: set[str]) -> None:
        """Rules a rule refers to exist (a refusing one is a limit) and form no cycle."""
        edges: dict[str, list[str]] = {}
        for source, target, jp in self.rule_refs:
            if target not in ids:
                self.error(jp, f"unknown rule `{target}`{suggest(target, ids)}", source)
                continue
            if jp[-1] == "unless_refused_by" and target in built and built[target].limit is None:
                self.error(jp, f"rule `{target}` is not a `limit` rule", source)
            edges.setdefault(source, []).append(target)
        reported: set[frozenset[str]] = set()
        for source, _, jp in self.rule_refs:
            cycle = cycle_from(source, lambda rule: edges.get(rule, []))
            if cycle and frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                path = " -> ".join([*cycle, cycle[0]])
                self.error(jp, f"rules refer to each other in a cycle: {path}", source)

    def notices(self, c: dict) -> NoticeRule | None:
        """When notices are deemed given (``contract.notices``), and the field it adds."""
        spec = c.get("notices")
        if not spec or not self.intact(("contract", "notices")):
            return None
        methods = {m: next(iter(add.items()), ("days", 0)) for m, add in spec["methods"].items()}
        self.notice_field = FieldSpec(
            spec["field"], "string", required=False, choices=tuple(methods)
        )
        return NoticeRule(spec["field"], methods)

    def named(self) -> dict[str, DateSpec]:
        """The file's named dates (``dates:``); they may not use a trigger."""
        if not self.usable(("dates",)):
            return {}
        self.dates = dict(self.root.get("dates") or {})
        self.has_trigger, self.local_dates = False, {}
        return self.named_dates(self.dates, ["dates"], "", None)

    def contract(self) -> Contract | None:
        """Check the whole file; the Contract, or None if anything is wrong."""
        c = self.root["contract"] if self.usable(("contract",)) else {}
        self.settings(c)
        notices = self.notices(c)
        self.vocabulary()
        self.builtin_types()
        dates = self.named()
        periods = self.periods()
        obligations, seen = [], {}
        items = self.root["obligations"] if self.usable(("obligations",)) else []
        for i, spec in enumerate(items):
            rid = spec.get("id") if isinstance(spec, dict) else None
            if isinstance(rid, str) and rid in seen:
                message = f"duplicate rule id `{rid}` (first at line {seen[rid]})"
                self.error(["obligations", i, "id"], message)
                continue
            if isinstance(rid, str):
                seen[rid] = self.at(["obligations", i, "id"]).line
            if self.intact(("obligations", i)):
                obligations.append(self.obligation(spec, i))
        self.check_rule_refs({o.id: o for o in obligations}, set(seen))
        if self.broken or self.problems:
            return None
        template = Contract(
            id=c["id"],
            title=c["title"],
            time_zone=c["time_zone"],
            calendars=dict(c["calendars"]),
            parameters=self.parameters,
            instances=(),
            fact_types=self.fact_types,
            obligations=tuple(obligations),
            path=self.path,
            dates=dates,
            notices=notices,
            parameter_specs=self.param_specs,
            periods=periods,
            parties={role: p.get("label", role) for role, p in (c.get("parties") or {}).items()},
            waivers_by=tuple((c.get("waivers") or {}).get("by", ())),
            waivers_section=(c.get("waivers") or {}).get("section", ""),
        )
        instances = self.instances(c, template)
        if self.problems:
            return None
        return replace(template, instances=tuple(instances))


def parse_rulefile(path: str, text: str) -> Contract:
    """Parse and check one rule file; raise ``InputError`` listing every problem.

    Duplicate keys, shape problems and problems of meaning are all reported together:
    the meaning of every part of the file that has the right shape is still checked.
    """
    root, problems = load_yaml_collect(path, text)
    return template_from(path, root, problems)


def template_from(path: str, root: Any, problems: list[Diagnostic]) -> Contract:
    """The template of a loaded rule file; raise ``InputError`` listing every problem."""
    shape, broken = shape_problems(root, path)
    contract = None
    if isinstance(root, SourceMap) and () not in broken:
        builder = _Builder(path, root, broken)
        contract = builder.contract()
        problems = [*problems, *builder.problems]
    if problems or shape or contract is None:
        raise InputError([*problems, *shape])
    return contract
