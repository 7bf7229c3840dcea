"""Filters on findings: ``--contract``, ``--template``, ``--rule``, ``--party``, ``--status``.

Each filter is repeatable: a finding passes a filter when its field equals one of the
values given (``--status open --status breached``: open or breached); it is shown when it
passes every filter given (``--contract a --status breached``: a's breaches). No filter:
every finding. A value that names nothing the rules read know of (a misspelt contract id,
a party no rule binds) is a usage error, with a suggestion: a filter that silently
matches nothing would read as "no breach".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.diagnostics import suggest
from engine.model import Contract, Finding, Result, Status

FIELDS = ("contract", "template", "rule", "party", "status")
_WHAT = {
    "contract": "contract instance",
    "template": "template",
    "rule": "rule",
    "party": "party",
    "status": "status",
}


@dataclass(frozen=True)
class Selection:
    """The values of each filter given (empty: that filter is not given)."""

    contract: tuple[str, ...] = ()
    template: tuple[str, ...] = ()
    rule: tuple[str, ...] = ()
    party: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether any filter is given."""
        return any(getattr(self, name) for name in FIELDS)

    def matches(self, fields: Mapping[str, Any]) -> bool:
        """Whether a finding (its JSON object, or ``fields_of``) passes every filter."""
        for name in FIELDS:
            wanted = getattr(self, name)
            if wanted and str(fields.get(name)) not in wanted:
                return False
        return True

    def findings(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that pass, in their order."""
        return [f for f in findings if self.matches(fields_of(f))]

    def result(self, result: Result) -> Result:
        """The result with only the findings that pass."""
        if not self.active:
            return result
        return dataclasses.replace(result, findings=tuple(self.findings(result.findings)))

    def to_json(self) -> dict[str, list[str]]:
        """The filters given, by name (sorted values), for reports and calendar names."""
        return {name: sorted(getattr(self, name)) for name in FIELDS if getattr(self, name)}


def fields_of(f: Finding) -> dict[str, str]:
    """The fields of a finding the filters look at."""
    return {
        "contract": f.contract,
        "template": f.template,
        "rule": f.rule,
        "party": f.party,
        "status": f.status.value,
    }


def known_values(contracts: Sequence[Contract]) -> dict[str, set[str]]:
    """Every value each filter can take with these rule files."""
    obligations = [ob for c in contracts for ob in c.obligations]
    return {
        "contract": {i.id for c in contracts for i in c.instances},
        "template": {c.id for c in contracts},
        "rule": {ob.id for ob in obligations},
        "party": {ob.party for ob in obligations},
        "status": {s.value for s in Status},
    }


def problems(selection: Selection, known: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    """``(option, message)`` for each value that names nothing known."""
    found = []
    for name in FIELDS:
        for value in getattr(selection, name):
            if value in known[name]:
                continue
            hint = suggest(value, known[name])
            if not hint and len(known[name]) <= 12:
                hint = f"; known: {', '.join(sorted(known[name]))}"
            where = "" if name == "status" else " in the rules read"
            found.append((f"--{name}", f"no {_WHAT[name]} `{value}`{where}{hint}"))
    return found
