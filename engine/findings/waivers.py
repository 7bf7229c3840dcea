"""Waivers applied to findings: the finding becomes ``waived`` and says by whom and when.

Only a party other than the one the obligation binds can waive it: a waiver by the
bound party is reported in the finding and ignored. (The ``waiver`` fact type itself
is built in: ``engine.load.builtins``.)
"""

from __future__ import annotations

from dataclasses import replace

from engine.model import Contract, Fact, Finding, Status


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
