"""Waivers and amendments, recorded as facts every contract understands.

* ``waiver``: a party waives an obligation (``rule``, and ``key`` for one instance;
  without ``key``, every instance of the rule), citing the clause that allows it.
  The finding becomes ``waived`` and says so. Only a party other than the one the
  obligation binds can waive it: a waiver by the bound party is reported and ignored.
* ``parameter_changed``: a contract parameter takes a new value from the fact's
  date on (e.g. the outstanding-share count after an amendment); evaluations made
  after it use the new value, earlier ones keep the old.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.diagnostics import suggest
from engine.model import Contract, Fact, FactType, FieldSpec, Finding, Status

PARTIES = ("company", "buyer", "escrow_agent")

BUILTIN_TYPES: dict[str, FactType] = {
    "waiver": FactType(
        "waiver",
        "waiver",
        "",
        {
            "rule": FieldSpec("rule", "string"),
            "key": FieldSpec("key", "string", required=False),
            "party": FieldSpec("party", "string", choices=PARTIES),
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


def _applies(waiver: Fact, finding: Finding) -> bool:
    key = waiver.fields.get("key")
    return waiver.fields["rule"] == finding.rule and (key is None or key == finding.key)


def waive(findings: list[Finding], waivers: list[Fact], contract: Contract) -> list[Finding]:
    """The findings with every valid waiver applied (``waived``), and invalid ones noted."""
    out = []
    for finding in findings:
        mine = [w for w in waivers if _applies(w, finding)]
        if not mine:
            out.append(finding)
            continue
        bound = contract.ob(finding.rule).party
        valid = [w for w in mine if w.fields["party"] != bound]
        ignored = [w for w in mine if w.fields["party"] == bound]
        notes = [
            f"Waiver {w.id} by the {bound} ignored: a party cannot waive its own obligation."
            for w in ignored
        ]
        if not valid:
            out.append(
                replace(
                    finding,
                    message=" ".join([finding.message, *notes]),
                    trace=(*finding.trace, *notes),
                )
            )
            continue
        w = valid[0]
        when = w.day(contract.time_zone).isoformat()
        said = (
            f"Waived by the {w.fields['party']} on {when} under {w.fields['clause']} "
            f"({w.id}); before the waiver: {finding.status.value}."
        )
        out.append(
            replace(
                finding,
                status=Status.WAIVED,
                message=f"{said} {finding.message}",
                facts=(*finding.facts, w.id),
                trace=(*finding.trace, *notes, said, "Status: waived."),
            )
        )
    return out
