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


def _counts(waiver: Fact, bound: str, contract: Contract) -> bool:
    """Whether a waiver counts: by a party the contract lets waive, or any but the bound one."""
    party = waiver.fields["party"]
    return party in contract.waivers_by if contract.waivers_by else party != bound


def _ignored(waiver: Fact, bound: str, contract: Contract) -> str:
    """Why a waiver does not count, in words."""
    party = waiver.fields["party"]
    if not contract.waivers_by:
        return (
            f"Waiver {waiver.id} by the {bound} ignored: a party cannot waive its own obligation."
        )
    who = " or the ".join(contract.parties.get(p, p) for p in contract.waivers_by)
    under = f" under {contract.waivers_section}" if contract.waivers_section else ""
    label = contract.parties.get(party, party)
    return f"Waiver {waiver.id} by the {label} ignored: only the {who} can waive{under}."


def waive(
    findings: list[Finding], waivers: list[Fact], contract: Contract, traces: bool = True
) -> list[Finding]:
    """The findings with every valid waiver applied (``waived``), and invalid ones noted
    (in their traces too, unless ``traces`` is False: a run without traces)."""
    out = []
    for finding in findings:
        mine = [w for w in waivers if _applies(w, finding)]
        if not mine:
            out.append(finding)
            continue
        bound = contract.ob(finding.rule).party
        valid = [w for w in mine if _counts(w, bound, contract)]
        notes = [_ignored(w, bound, contract) for w in mine if w not in valid]
        if not valid:
            out.append(
                replace(
                    finding,
                    message=" ".join([finding.message, *notes]),
                    trace=(*finding.trace, *notes) if traces else (),
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
                trace=(*finding.trace, *notes, said, "Status: waived.") if traces else (),
            )
        )
    return out
