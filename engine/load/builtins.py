"""Built-in fact types every contract understands: waivers and parameter changes.

* ``waiver``: a party waives an obligation (``rule``, and ``key`` for one instance;
  without ``key``, every instance of the rule), citing the clause that allows it.
* ``parameter_changed``: a contract parameter takes a new value from the fact's
  date on (an amendment).

Their effect on findings is ``engine.findings.waivers``; on parameters, the run's
``on_parameter_changed``.
"""

from __future__ import annotations

from typing import Any

from engine.diagnostics import suggest
from engine.model import Contract, FactType, FieldSpec


def builtin_types(parties: list[str]) -> dict[str, FactType]:
    """The built-in fact types of a template whose parties are ``parties`` (by role)."""
    return {
        "waiver": FactType(
            "waiver",
            "waiver",
            "",
            {
                "rule": FieldSpec("rule", "string"),
                "key": FieldSpec("key", "string", required=False),
                "party": FieldSpec("party", "string", choices=tuple(parties)),
                "clause": FieldSpec("clause", "string"),
            },
        ),
        "parameter_changed": FactType(
            "parameter_changed",
            "parameter changed",
            "",
            {"parameter": FieldSpec("parameter", "string"), "value": FieldSpec("value", "number")},
        ),
    }


REFERRING = frozenset({"waiver", "parameter_changed"})  # the types reference_problems checks


def reference_problems(
    fact_type: str, values: dict[str, Any], contracts: list[Contract]
) -> list[tuple[str, str]]:
    """(field, message) for a waiver of an unknown rule or a change of an unknown parameter."""
    if fact_type == "waiver" and "rule" in values:
        rules = {ob.id for c in contracts for ob in c.obligations}
        if values["rule"] not in rules:
            hint = suggest(values["rule"], rules)
            return [("rule", f"waiver of unknown rule `{values['rule']}`{hint}")]
    if fact_type == "parameter_changed" and "parameter" in values:
        params = {p for c in contracts for p in c.parameters}
        if values["parameter"] not in params:
            hint = suggest(values["parameter"], params)
            return [("parameter", f"unknown parameter `{values['parameter']}`{hint}")]
    return []
