"""Rule files: YAML in, a validated ``Contract`` out, or every problem as a diagnostic.

Two layers, as in the conventions: the JSON Schema checks the shape (unknown keys
rejected), then this module checks the meaning: known calendars and time zone,
fact types and fields that exist, expressions over names that exist, unique ids.
Both layers run on every file: the meaning of each part whose shape is right is
checked even when another part is broken, so every problem is reported at once.
"""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum

from engine.calendars import CALENDAR_NAMES
from engine.diagnostics import Diagnostic, InputError, Location, suggest
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
from engine.schema import JsonPath, shape_problems
from engine.yamlsrc import SourceMap, load_yaml_collect, location_of, offset_location

NUMERIC = ("integer", "number")


class _Builder:
    """Checks the meaning of a rule file and builds its Contract, collecting every problem.

    ``broken`` holds the paths the shape check found wrong: the parts at or under them
    are skipped (names they define are taken as known), and everything else is checked.
    """

    def __init__(self, path: str, root: SourceMap, broken: set[JsonPath] | None = None) -> None:
        self.path, self.root, self.broken = path, root, broken or set()
        self.problems: list[Diagnostic] = []
        self.fact_types: dict[str, FactType] = {}
        self.parameters: dict[str, Decimal] = {}
        self.unchecked_types: set[str] | None = set()  # None: any name may exist
        self.unchecked_params: set[str] | None = set()
        self.has_trigger = True

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
        return unchecked is None or name in unchecked or name in self.parameters

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
            self.fact_types[name] = FactType(name, spec["label"], spec.get("section", ""), fields)

    def fact_type(self, name: str, json_path: list[str | int], rule: str) -> FactType | None:
        if self.unchecked_types is None or name in self.unchecked_types:
            return None
        if name not in self.fact_types:
            hint = suggest(name, [*self.fact_types, *self.unchecked_types])
            self.error(json_path, f"unknown fact type `{name}`{hint}", rule)
            return None
        return self.fact_types[name]

    # -- expressions --------------------------------------------------------
    def expression(
        self, source: str, json_path: list[str | int], rule: str, scope: dict[str, FactType | None]
    ) -> Expression | None:
        """Parse ``source``; names must be ``<root>.<field>`` of the fact types in scope."""
        roots = [*scope, "param"]
        shown = " ".join(source.split())
        fallback = Location(self.path, 1, 1)

        def report(offset: int, message: str) -> None:
            where = offset_location(self.root, json_path, offset, fallback)
            self.problems.append(Diagnostic(where, f"rule {rule}: {message}"))

        try:
            expr = parse_expression(source, allowed_roots=roots)
        except ExpressionError as exc:
            report(exc.col - 1, f"in `{shown}`: {exc.message}")
            return None
        for name in sorted(expr.names):
            root, _, rest = name.partition(".")
            found = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source)
            offset = found.start() if found else 0
            if root == "param":
                if not self.known_param(rest):
                    report(offset, f"unknown parameter `{rest}`{suggest(rest, self.parameters)}")
            elif root == "obligation":
                if rest != "amount":
                    report(offset, f"unknown name `{name}` (only obligation.amount)")
            else:
                ftype = scope.get(root)
                if ftype is not None and rest not in ftype.fields:
                    hint = suggest(rest, ftype.fields)
                    report(offset, f"fact type `{ftype.name}` has no field `{rest}`{hint}")
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
            if not self.has_trigger:
                self.error(jp, f"`{spec}` needs a `trigger` in the rule", rule)
            if spec == "trigger":
                return Anchor("trigger")
            field_name = spec.split(".", 1)[1]
            if trigger is not None:
                fspec = trigger.fields.get(field_name)
                if fspec is None:
                    hint = suggest(field_name, trigger.fields)
                    message = f"fact type `{trigger.name}` has no field `{field_name}`{hint}"
                    self.error(jp, message, rule)
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
                message = f"fact type `{ftype.name}` has no field `{total['field']}`{hint}"
                self.error([*tjp, "field"], message, rule)
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
        tiers: list[Tier] = []
        for i, tier in enumerate(spec["tiers"]):
            through, before = tier.get("through"), tiers[-1].through if tiers else None
            if (i == len(spec["tiers"]) - 1) != (through is None):
                message = "every tier but the last needs `through`; the last has none"
                self.error([*jp, "tiers", i], message, rule)
            if through is not None and before is not None and through <= before:
                message = f"tiers must go up: `through: {through}` is not above {before}"
                self.error([*jp, "tiers", i, "through"], message, rule)
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
        self.has_trigger = "trigger" in spec
        if "trigger" in spec:
            trigger = self.match(spec["trigger"], [*jp, "trigger"], rid, {})
            trigger_type = self.fact_types.get(trigger.fact) if trigger else None
        scope = {"trigger": trigger_type} if self.has_trigger else {}
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
                    hint = suggest(key, ftype.fields)
                    message = f"key `{key}` is not a field of `{ftype.name}` ({part}){hint}"
                    self.error([*jp, "key"], message, rid)
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
            forbids=forbids or (),
            unit=spec.get("unit", "USD"),
            loc=self.at(jp),
        )

    # -- the contract -----------------------------------------------------------
    def settings(self, c: dict) -> None:
        """The contract's time zone, calendars and parameters."""
        if self.intact(("contract", "time_zone")):
            try:
                pendulum.timezone(c["time_zone"])
            except Exception:
                hint = suggest(c["time_zone"], zoneinfo.available_timezones())
                self.error(["contract", "time_zone"], f"unknown time zone `{c['time_zone']}`{hint}")
        for role, name in (c.get("calendars") or {}).items():
            if self.intact(("contract", "calendars", role)) and name not in CALENDAR_NAMES:
                known = f"(known: {', '.join(CALENDAR_NAMES)}){suggest(name, CALENDAR_NAMES)}"
                self.error(["contract", "calendars", role], f"unknown calendar `{name}` {known}")
        if not self.usable(("contract", "parameters")):
            self.unchecked_params = None
            return
        for n, p in (c.get("parameters") or {}).items():
            if self.intact(("contract", "parameters", n)):
                self.parameters[n] = Decimal(str(p["default"]))
            else:
                self.unchecked_params.add(n)  # type: ignore[union-attr]

    def instances(self, c: dict) -> list[Instance]:
        """The contract's instances (itself alone when none are listed)."""
        found: list[Instance] = []
        seen: dict[str, int] = {}
        items = (c.get("instances") if self.usable(("contract", "instances")) else None) or []
        for i, inst in enumerate(items):
            if not self.intact(jp := ("contract", "instances", i)):
                continue
            if inst["id"] in seen:
                message = f"duplicate instance `{inst['id']}` (first at line {seen[inst['id']]})"
                self.error([*jp, "id"], message)
            seen[inst["id"]] = self.at([*jp, "id"]).line
            params = dict(self.parameters)
            for name, value in (inst.get("parameters") or {}).items():
                if not self.known_param(name):
                    hint = suggest(name, self.parameters)
                    self.error([*jp, "parameters", name], f"unknown parameter `{name}`{hint}")
                params[name] = Decimal(str(value))
            found.append(Instance(inst["id"], inst.get("title", c["title"]), params))
        return found or [Instance(c.get("id", ""), c.get("title", ""), dict(self.parameters))]

    def contract(self) -> Contract | None:
        """Check the whole file; the Contract, or None if anything is wrong."""
        c = self.root["contract"] if self.usable(("contract",)) else {}
        self.settings(c)
        self.vocabulary()
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
        instances = self.instances(c)
        if self.broken or self.problems:
            return None
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
    """Parse and check one rule file; raise ``InputError`` listing every problem.

    Duplicate keys, shape problems and problems of meaning are all reported together:
    the meaning of every part of the file that has the right shape is still checked.
    """
    root, problems = load_yaml_collect(path, text)
    shape, broken = shape_problems(root, path)
    contract = None
    if isinstance(root, SourceMap) and () not in broken:
        builder = _Builder(path, root, broken)
        contract = builder.contract()
        problems += builder.problems
    if problems or shape or contract is None:
        raise InputError([*problems, *shape])
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
