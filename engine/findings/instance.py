"""Every finding of one contract instance: each obligation by its kind, then waivers applied."""

from __future__ import annotations

from datetime import date

from engine.findings.covenant import test_finding
from engine.findings.deadline import deadline_finding
from engine.findings.limit import limit_findings
from engine.findings.prohibition import guarded_finding, prohibition_findings
from engine.findings.standing import standing_findings
from engine.findings.waivers import waive
from engine.model import Finding, Kind
from engine.run.state import InstanceState
from engine.run.tracked import Tracked


def instance_findings(st: InstanceState, as_of: date) -> list[Finding]:
    """Every finding of one contract instance."""
    findings = [_tracked_finding(st, tr, as_of) for tr in st.tracked.values()]
    for ob in st.contract.obligations:
        if ob.kind is Kind.STANDING:
            findings += standing_findings(st, ob.id)
        elif ob.kind is Kind.PROHIBITION and ob.trigger is None:
            findings += prohibition_findings(st, ob, as_of)
        elif ob.kind is Kind.LIMIT:
            findings += limit_findings(st, ob)
    return waive(findings, st.waivers, st.contract, st.traces)


def _tracked_finding(st: InstanceState, tr: Tracked, as_of: date) -> Finding:
    """The finding of one obligation instance, by its kind."""
    kind = tr.obligation.kind
    if kind is Kind.PROHIBITION:
        return guarded_finding(st, tr)
    if kind is Kind.TEST:
        return test_finding(st, tr, as_of)
    return deadline_finding(st, tr, as_of)
