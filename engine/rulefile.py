"""Rule files: YAML in, a validated ``Contract`` out, or every problem as a diagnostic.

Two layers, as in the conventions: the JSON Schema checks the shape (unknown keys
rejected), then this module checks the meaning: known calendars and time zone,
fact types and fields that exist, expressions over names that exist, unique ids.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum

from engine.calendars import CALENDAR_NAMES
from engine.diagnostics import Diagnostic, InputError, Location
from engine.expressions import Expression, ExpressionError, parse_expression
from engine.model import (
    Anchor,
    Contract,
    DateSpec,
    FactMatch,
    FactType,
    FieldSpec,
    Instance,
    Kind,
    LatePayment,
    Obligation,
    StandingCheck,
    Tier,
)
from engine.schema import check_shape
from engine.yamlsrc import SourceMap, load_yaml, location_of

NUMERIC = ("integer", "number")


def suggest(name: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ``; did you mean `x`?`` suffix when ``name`` looks like a misspelt known name."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


class _Builder:
    """Turns one shape-valid rule file into a Contract, collecting every problem."""

    def __init__(self, path: str, root: SourceMap) -> None:
        self.path, self.root = path, root
        self.problems: list[Diagnostic] = []
        self.fact_types: dict[str, FactType] = {}
        self.parameters: dict[str, Decimal] = {}

    def at(self, json_path: list[str | int]) -> Location:
        return location_of(self.root, json_path, Location(self.path, 1, 1))

    def error(self, json_path: list[str | int], message: str, rule: str = "") -> None:
        prefix = f"rule {rule}: " if rule else ""
        self.problems.append(Diagnostic(self.at(json_path), prefix + message))

    # -- vocabulary ---------------------------------------------------------
    def vocabulary(self) -> None:
        for name, spec in self.root["facts"].items():
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
            self.fact_types[name] = FactType(name, spec["label"], spec.get("section", ""), fields)

    def fact_type(self, name: str, json_path: list[str | int], rule: str) -> FactType | None:
        if name not in self.fact_types:
            hint = suggest(name, self.fact_types)
            self.error(json_path, f"unknown fact type `{name}`{hint}", rule)
            return None
        return self.fact_types[name]

    # -- expressions --------------------------------------------------------
    def expression(
        self, source: str, json_path: list[str | int], rule: str, scope: dict[str, FactType | None]
    ) -> Expression | None:
        """Parse ``source``; names must be ``<root>.<field>`` of the fact types in scope."""
        roots = [*scope, "param"]
        try:
            expr = parse_expression(source, allowed_roots=roots)
        except ExpressionError as exc:
            where = self.at(json_path)
            col = where.col + exc.col - 1 if where.col else 0
            loc = Location(where.path, where.line, col)
            self.problems.append(Diagnostic(loc, f"rule {rule}: {exc.message} in `{source}`"))
            return None
        for name in sorted(expr.names):
            root, _, rest = name.partition(".")
            if root == "param":
                if rest not in self.parameters:
                    hint = suggest(rest, self.parameters)
                    self.error(json_path, f"unknown parameter `{rest}`{hint}", rule)
            elif root == "obligation":
                if rest != "amount":
                    self.error(json_path, f"unknown name `{name}` (only obligation.amount)", rule)
            else:
                ftype = scope.get(root)
                if ftype is not None and rest not in ftype.fields:
                    hint = suggest(rest, ftype.fields)
                    self.error(
                        json_path, f"fact type `{ftype.name}` has no field `{rest}`{hint}", rule
                    )
        return expr

    # -- parts of an obligation ------------------------------------------------
    def match(self, spec: dict, jp: list, rule: str, scope: dict) -> FactMatch | None:
        ftype = self.fact_type(spec["fact"], [*jp, "fact"], rule)
        where = None
        if "where" in spec:
            where = self.expression(spec["where"], [*jp, "where"], rule, {**scope, "fact": ftype})
        return FactMatch(spec["fact"], where)

    def anchor(self, spec: Any, jp: list, rule: str, trigger: FactType | None) -> Anchor:
        if isinstance(spec, str):
            if spec == "trigger":
                return Anchor("trigger")
            field_name = spec.split(".", 1)[1]
            if trigger is not None:
                fspec = trigger.fields.get(field_name)
                if fspec is None:
                    hint = suggest(field_name, trigger.fields)
                    self.error(
                        jp, f"fact type `{trigger.name}` has no field `{field_name}`{hint}", rule
                    )
                elif fspec.type != "date":
                    self.error(jp, f"`{spec}` is a {fspec.type} field, not a date", rule)
            return Anchor("trigger_field", field=field_name)
        scope = {"trigger": trigger}
        if "first" in spec:
            ftype = self.fact_type(spec["first"], [*jp, "first"], rule)
            where = None
            if "where" in spec:
                where = self.expression(
                    spec["where"], [*jp, "where"], rule, {**scope, "fact": ftype}
                )
            return Anchor("first", fact_type=spec["first"], where=where)
        total = spec["running_total"]
        tjp = [*jp, "running_total"]
        ftype = self.fact_type(total["fact"], [*tjp, "fact"], rule)
        if ftype is not None:
            fspec = ftype.fields.get(total["field"])
            if fspec is None:
                hint = suggest(total["field"], ftype.fields)
                self.error(
                    [*tjp, "field"],
                    f"fact type `{ftype.name}` has no field `{total['field']}`{hint}",
                    rule,
                )
            elif fspec.type not in NUMERIC:
                self.error([*tjp, "field"], f"`{total['field']}` is not a number field", rule)
        reaches = self.expression(total["reaches"], [*tjp, "reaches"], rule, scope)
        return Anchor("running_total", total["fact"], total["field"], reaches=reaches)

    def date(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> DateSpec:
        if ("from" in spec) == ("earliest" in spec):
            self.error(jp, "a date needs exactly one of `from` and `earliest`", rule)
            return DateSpec()
        add_unit, add_n = next(iter((spec.get("add") or {"": 0}).items()))
        if "earliest" in spec:
            items = tuple(
                self.date(s, [*jp, "earliest", i], rule, trigger)
                for i, s in enumerate(spec["earliest"])
            )
            return DateSpec(earliest=items, at=spec.get("at", ""))
        anchor = self.anchor(spec["from"], [*jp, "from"], rule, trigger)
        return DateSpec(anchor, add_unit, add_n, spec.get("then", ""), spec.get("at", ""))

    def late_payment(
        self, spec: dict, jp: list, rule: str, trigger: FactType | None
    ) -> LatePayment:
        tiers = []
        for i, tier in enumerate(spec["tiers"]):
            last = i == len(spec["tiers"]) - 1
            through = tier.get("through")
            if last != (through is None):
                self.error(
                    [*jp, "tiers", i],
                    "every tier but the last needs `through`; the last has none",
                    rule,
                )
            if (
                through is not None
                and tiers
                and tiers[-1].through is not None
                and through <= tiers[-1].through
            ):
                self.error([*jp, "tiers", i, "through"], "tiers must increase", rule)
            tiers.append(Tier(Decimal(str(tier["rate"])), through))
        days = spec["days_late"]
        return LatePayment(
            count_unit=days["count"],
            after=self.date(days["after"], [*jp, "days_late", "after"], rule, trigger),
            base=self.expression(spec["base"], [*jp, "base"], rule, {"trigger": trigger}),
            per=Decimal(str(spec["per"])),
            tiers=tuple(tiers),
        )

    def obligation(self, spec: SourceMap, index: int) -> Obligation:
        jp: list[str | int] = ["obligations", index]
        rid = spec["id"]
        trigger_type = None
        trigger = due = satisfied = amount = late = check = forbids = None
        if "trigger" in spec:
            trigger = self.match(spec["trigger"], [*jp, "trigger"], rid, {})
            trigger_type = self.fact_types.get(trigger.fact) if trigger else None
        scope = {"trigger": trigger_type}
        if "due" in spec:
            due = self.date(spec["due"], [*jp, "due"], rid, trigger_type)
        if "amount" in spec:
            amount = self.expression(spec["amount"], [*jp, "amount"], rid, scope)
        if "satisfied_by" in spec:
            satisfied = self.match(
                spec["satisfied_by"], [*jp, "satisfied_by"], rid, {**scope, "obligation": None}
            )
        if "late_payment" in spec:
            late = self.late_payment(spec["late_payment"], [*jp, "late_payment"], rid, trigger_type)
        if "check" in spec:
            c = spec["check"]
            ftype = self.fact_type(c["fact"], [*jp, "check", "fact"], rid)
            cscope = {"fact": ftype}
            require = self.expression(c["require"], [*jp, "check", "require"], rid, cscope)
            shortfall = None
            if "shortfall" in c:
                shortfall = self.expression(
                    c["shortfall"], [*jp, "check", "shortfall"], rid, cscope
                )
            check = StandingCheck(c["fact"], require, shortfall) if require else None
        if "forbids" in spec:
            forbids = self.match(spec["forbids"], [*jp, "forbids"], rid, {})
        key = spec.get("key", "")
        if key:
            for part, m in (("trigger", trigger), ("satisfied_by", satisfied)):
                ftype = self.fact_types.get(m.fact) if m else None
                if ftype is not None and key not in ftype.fields:
                    self.error(
                        [*jp, "key"], f"key `{key}` is not a field of `{ftype.name}` ({part})", rid
                    )
        return Obligation(
            id=rid,
            section=spec["section"],
            party=spec["party"],
            kind=Kind(spec["kind"]),
            title=spec["title"],
            clause=" ".join(spec["clause"].split()),
            notes=spec.get("notes", ""),
            key=key,
            trigger=trigger,
            due=due,
            satisfied_by=satisfied,
            amount=amount,
            late_payment=late,
            check=check,
            forbids=forbids,
            unit=spec.get("unit", "USD"),
            loc=self.at(jp),
        )

    # -- the contract -----------------------------------------------------------
    def contract(self) -> Contract:
        c = self.root["contract"]
        try:
            pendulum.timezone(c["time_zone"])
        except Exception:
            self.error(["contract", "time_zone"], f"unknown time zone `{c['time_zone']}`")
        for role, name in c["calendars"].items():
            if name not in CALENDAR_NAMES:
                hint = suggest(name, CALENDAR_NAMES)
                self.error(
                    ["contract", "calendars", role],
                    f"unknown calendar `{name}` (known: {', '.join(CALENDAR_NAMES)}){hint}",
                )
        self.parameters = {
            n: Decimal(str(p["default"])) for n, p in (c.get("parameters") or {}).items()
        }
        self.vocabulary()
        obligations, seen = [], {}
        for i, spec in enumerate(self.root["obligations"]):
            if spec["id"] in seen:
                self.error(
                    ["obligations", i, "id"],
                    f"duplicate rule id `{spec['id']}` (first at line {seen[spec['id']]})",
                )
                continue
            seen[spec["id"]] = self.at(["obligations", i, "id"]).line
            obligations.append(self.obligation(spec, i))
        instances = []
        for i, inst in enumerate(c.get("instances") or [{"id": c["id"]}]):
            params = dict(self.parameters)
            for name, value in (inst.get("parameters") or {}).items():
                if name not in self.parameters:
                    self.error(
                        ["contract", "instances", i, "parameters", name],
                        f"unknown parameter `{name}`{suggest(name, self.parameters)}",
                    )
                params[name] = Decimal(str(value))
            instances.append(Instance(inst["id"], inst.get("title", c["title"]), params))
        return Contract(
            id=c["id"],
            title=c["title"],
            time_zone=c["time_zone"],
            calendars=dict(c["calendars"]),
            parameters=self.parameters,
            instances=tuple(instances),
            fact_types=self.fact_types,
            obligations=tuple(obligations),
            path=self.path,
        )


def parse_rulefile(path: str, text: str) -> Contract:
    """Parse and check one rule file; raise ``InputError`` listing every problem."""
    root = load_yaml(path, text)
    shape = check_shape(root, path)
    if shape:
        raise InputError(shape)
    builder = _Builder(path, root)
    contract = builder.contract()
    if builder.problems:
        raise InputError(builder.problems)
    return contract


def rule_paths(paths: list[str]) -> list[Path]:
    """The ``.yaml``/``.yml`` files named, folders expanded (not recursing into ``tests/``)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file())
        else:
            found.append(p)
    return found


def load_contracts(paths: list[str]) -> list[Contract]:
    """Load every rule file; raise ``InputError`` with the problems of all of them."""
    contracts, problems = [], []
    ids: dict[str, str] = {}
    for p in rule_paths(paths):
        try:
            text = p.read_text("utf-8")
        except OSError as exc:
            problems.append(Diagnostic(Location(str(p)), f"cannot read rule file: {exc.strerror}"))
            continue
        try:
            contract = parse_rulefile(str(p), text)
        except InputError as exc:
            problems += exc.diagnostics
            continue
        for inst in contract.instances:
            if inst.id in ids:
                problems.append(
                    Diagnostic(
                        Location(str(p), 1),
                        f"contract `{inst.id}` is also defined in {ids[inst.id]}",
                    )
                )
            ids[inst.id] = str(p)
        contracts.append(contract)
    if problems:
        raise InputError(problems)
    return contracts
