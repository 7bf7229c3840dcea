"""The base of the obligation builder: its state, names in scope, expressions, fact matches.

Each building block adds a mixin on top of ``Parts`` (``dates``, ``latepay``,
``prohibition``, ``standing``, ``values``) and ``obligation`` puts them together. A
method turns one part of an obligation (already shape-checked) into its model value
and reports what is wrong with its meaning at the part's line and column.
"""

from __future__ import annotations

import re
from typing import Any

from engine.diagnostics import Diagnostic, Location, suggest
from engine.expressions import Expression, ExpressionError, parse_expression
from engine.load.yaml_source import SourceMap, offset_location
from engine.model import FactMatch, FactType, FieldSpec, ParameterSpec

NUMERIC = ("integer", "number")
FIELD_KINDS = {
    "string": "text",
    "integer": "number",
    "number": "number",
    "boolean": "bool",
    "date": "date",
}
Scope = dict[str, Any]  # expression root -> FactType (fields checked) or None (unchecked)
PERIOD = FactType(
    "period",
    "period",
    "",
    {
        "name": FieldSpec("name", "string"),
        "start": FieldSpec("start", "date"),
        "end": FieldSpec("end", "date"),
        "index": FieldSpec("index", "integer"),
        "is_last_of_year": FieldSpec("is_last_of_year", "boolean"),
    },
)


class Parts:
    """The builder's state and the helpers every block uses; the rule-file builder provides
    ``error``, ``fact_type`` and ``known_param``."""

    path: str
    root: SourceMap
    problems: list[Diagnostic]
    fact_types: dict[str, FactType]
    parameters: dict[str, Any]  # defaults
    param_specs: dict[str, ParameterSpec]
    has_trigger: bool
    dates: dict[str, Any]  # the file's named date specs (raw), for name checks
    local_dates: dict[str, Any]  # the obligation's own named dates (raw)
    lookups: dict[str, str]  # lookup name -> fact type, of the obligation being built
    values: list[str]  # value names defined so far in the obligation being built
    period_dates: dict[str, Any]  # the named dates of the period schedule in scope (raw)
    in_period: bool  # ``period.*`` names are in scope (a schedule's dates, a rule with ``per``)
    rule_refs: list[tuple[str, str, list]]  # (rule, the rule it refers to, where)

    def error(self, json_path: list[str | int], message: str, rule: str = "") -> None:
        """Report a problem at a JSON path of the file (provided by the builder)."""
        raise NotImplementedError

    def fact_type(self, name: str, json_path: list[str | int], rule: str) -> FactType | None:
        """The fact type of that name, reporting an unknown one (provided by the builder)."""
        raise NotImplementedError

    def known_param(self, name: str) -> bool:
        """Whether a parameter exists or may exist (provided by the builder)."""
        raise NotImplementedError

    def expression(
        self, source: str, json_path: list[str | int], rule: str, scope: Scope
    ) -> Expression | None:
        """Parse ``source``; names must be fields of the fact types, lookups or values in scope."""
        roots = [*scope, "param"]
        shown = " ".join(source.split())
        fallback = Location(self.path, 1, 1)

        def report(offset: int, message: str) -> None:
            where = offset_location(self.root, json_path, offset, fallback)
            self.problems.append(Diagnostic(where, f"rule {rule}: {message}" if rule else message))

        try:
            expr = parse_expression(source, allowed_roots=roots, kinds=self.kinds(scope))
        except ExpressionError as exc:
            report(exc.col - 1, f"in `{shown}`: {exc.message}")
            return None
        for name in sorted(expr.names):
            root, _, rest = name.partition(".")
            found = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source)
            offset = found.start() if found else 0
            problem = self._name_problem(root, rest, name, scope)
            if problem:
                report(offset, problem)
        return expr

    def kinds(self, scope: Scope) -> dict[str, str]:
        """The kind (number, text, date, bool) of every name in scope whose kind is known."""
        kinds = {
            f"param.{name}": "number" if spec.type == "schedule" else spec.type
            for name, spec in self.param_specs.items()
        }
        for root, ftype in scope.items():
            if isinstance(ftype, FactType):
                kinds.update(
                    {f"{root}.{n}": FIELD_KINDS.get(f.type, "") for n, f in ftype.fields.items()}
                )
        for lookup, type_name in (scope.get("lookup") or {}).items():
            ftype = self.fact_types.get(type_name)
            for n, f in (ftype.fields if ftype else {}).items():
                kinds[f"lookup.{lookup}.{n}"] = FIELD_KINDS.get(f.type, "")
        return kinds

    def _name_problem(self, root: str, rest: str, name: str, scope: Scope) -> str:
        """What is wrong with one dotted name of an expression ('' if nothing)."""
        if root == "param":
            if not self.known_param(rest):
                return f"unknown parameter `{rest}`{suggest(rest, self.param_specs)}"
            return ""
        if root == "obligation":
            return "" if rest == "amount" else f"unknown name `{name}` (only obligation.amount)"
        if root == "value":
            if rest in scope["value"]:
                return ""
            hint = suggest(rest, scope["value"])
            return f"unknown value `{rest}` (values are computed in order){hint}"
        if root == "lookup":
            lookup, _, field = rest.partition(".")
            if lookup not in scope["lookup"]:
                return f"unknown lookup `{lookup}`{suggest(lookup, scope['lookup'])}"
            ftype = self.fact_types.get(scope["lookup"][lookup])
            if ftype is not None and field not in ftype.fields:
                return (
                    f"fact type `{ftype.name}` has no field `{field}`{suggest(field, ftype.fields)}"
                )
            return ""
        ftype = scope.get(root)
        if root == "period" and rest not in PERIOD.fields:
            known = ", ".join(f"period.{n}" for n in PERIOD.fields)
            return f"a period has no `{rest}` ({known}){suggest(rest, PERIOD.fields)}"
        if ftype is not None and rest not in ftype.fields:
            return f"fact type `{ftype.name}` has no field `{rest}`{suggest(rest, ftype.fields)}"
        return ""

    def scope(self, trigger: FactType | None, fact: FactType | None = None) -> Scope:
        """The expression roots of the obligation being built."""
        scope: Scope = {"trigger": trigger} if self.has_trigger else {}
        if fact is not None or "fact" in scope:
            scope["fact"] = fact
        if self.in_period:
            scope["period"] = PERIOD
        scope["lookup"], scope["value"] = dict(self.lookups), list(self.values)
        if not self.lookups:
            del scope["lookup"]
        if not self.values:
            del scope["value"]
        return scope

    def match(self, spec: dict, jp: list, rule: str, scope: Scope) -> FactMatch | None:
        """A fact type with an optional `where` condition."""
        ftype = self.fact_type(spec["fact"], [*jp, "fact"], rule)
        where = None
        if "where" in spec:
            where = self.expression(spec["where"], [*jp, "where"], rule, {**scope, "fact": ftype})
        concurrently = bool(spec.get("concurrently", False))
        return FactMatch(spec["fact"], where, spec.get("mismatch", "ignore"), concurrently)
