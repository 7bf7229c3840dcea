"""The summary a report opens with: counts by status, and per contract its breaches and
its next deadline.

The next deadline of a contract is its earliest open deadline with a known due date (a
prohibition's window end is not a deadline: ``engine.output.upcoming.is_deadline``).
Contracts are listed by id; a contract appears when at least one finding is about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.findings.make import sort_key
from engine.model import Finding, Status
from engine.output.deadlines import is_deadline

ORDER = (Status.BREACHED, Status.OPEN, Status.MET, Status.EXPIRED, Status.WAIVED)


@dataclass(frozen=True)
class ContractLine:
    """One contract's line of the summary."""

    contract: str
    template: str
    breached: int
    open: int
    next_deadline: Finding | None


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings have each status (every status, zero included), in ``ORDER``."""
    found = {s.value: 0 for s in ORDER}
    for f in findings:
        found[f.status.value] += 1
    return found


def contract_lines(findings: Iterable[Finding]) -> list[ContractLine]:
    """Per contract: its breaches, its open findings, its next deadline."""
    by_contract: dict[str, list[Finding]] = {}
    for f in findings:
        by_contract.setdefault(f.contract, []).append(f)
    lines = []
    for contract, mine in sorted(by_contract.items()):
        upcoming = [f for f in mine if f.status is Status.OPEN and f.due and is_deadline(f)]
        lines.append(
            ContractLine(
                contract,
                mine[0].template,
                sum(1 for f in mine if f.status is Status.BREACHED),
                sum(1 for f in mine if f.status is Status.OPEN),
                min(upcoming, key=sort_key) if upcoming else None,
            )
        )
    return lines


def summary_json(findings: Iterable[Finding]) -> dict[str, Any]:
    """The ``summary`` object of the JSON report."""
    findings = list(findings)
    return {
        "counts": counts(findings),
        "contracts": [
            {
                "contract": line.contract,
                "template": line.template,
                "breached": line.breached,
                "open": line.open,
                "next_deadline": None
                if line.next_deadline is None
                else {
                    "rule": line.next_deadline.rule,
                    "key": line.next_deadline.key,
                    "due": line.next_deadline.due,
                },
            }
            for line in contract_lines(findings)
        ],
    }


def counts_text(findings: Iterable[Finding]) -> str:
    """``17 findings: 4 breached, 5 open, 7 met, 1 expired, 0 waived``."""
    found = counts(findings)
    total = sum(found.values())
    return f"{total} finding{'s' if total != 1 else ''}: " + ", ".join(
        f"{n} {status}" for status, n in found.items()
    )


def summary_text(findings: Iterable[Finding]) -> list[str]:
    """The summary's lines: the counts, then a table with a line per contract."""
    findings = list(findings)
    lines = [f"Summary: {counts_text(findings)}."]
    rows = contract_lines(findings)
    if not rows:
        return lines
    width = max(len("CONTRACT"), *(len(r.contract) for r in rows))
    header = f"{'CONTRACT':<{width}}  BREACHED  OPEN  NEXT DEADLINE"
    lines += ["", header]
    for r in rows:
        nxt = "-"
        if r.next_deadline is not None:
            f = r.next_deadline
            nxt = f"{f.due}  {f.rule}" + (f" {f.key}" if f.key else "")
        lines.append(f"{r.contract:<{width}}  {r.breached:>8}  {r.open:>4}  {nxt}")
    return lines
