"""Every finding of one contract instance: each obligation by its kind, then waivers applied."""

from __future__ import annotations

from datetime import date

from engine.findings.deadline import deadline_finding
from engine.findings.prohibition import guarded_finding, prohibition_findings
from engine.findings.standing import standing_findings
from engine.findings.waivers import waive
from engine.model import Finding, Kind
from engine.run.state import InstanceState


def instance_findings(st: InstanceState, as_of: date) -> list[Finding]:
    """Every finding of one contract instance."""
    findings = [
        guarded_finding(st, tr)
        if tr.obligation.kind is Kind.PROHIBITION
        else deadline_finding(st, tr, as_of)
        for tr in st.tracked.values()
    ]
    for ob in st.contract.obligations:
        if ob.kind is Kind.STANDING:
            findings += standing_findings(st, ob.id)
        elif ob.kind is Kind.PROHIBITION and ob.trigger is None:
            findings += prohibition_findings(st, ob, as_of)
    return waive(findings, st.waivers, st.contract)
