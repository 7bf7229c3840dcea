"""Explanations: how one finding was reached, for a lawyer to audit.

The clause it encodes, the facts it rests on (with the file and line each came
from), and every step of the date arithmetic and of the computation, in words.
"""

from __future__ import annotations

from typing import Any

from engine.diagnostics import printable
from engine.model import Contract, Fact, Finding, Result
from engine.output.report import finding_json
from engine.output.wrap import wrap


def contract_of(contracts: list[Contract], instance_id: str) -> Contract:
    """The contract (rule file) that governs a contract instance."""
    return next(c for c in contracts if any(i.id == instance_id for i in c.instances))


def matching(result: Result, rule: str, key: str | None, contract: str | None) -> list[Finding]:
    """The findings of ``rule`` (and ``key``, ``contract`` when given; key ``-``: none)."""
    return [
        f
        for f in result.findings
        if f.rule == rule
        and (key is None or f.key == (None if key == "-" else key))
        and (contract is None or f.contract == contract)
    ]


def explanation(finding: Finding, contracts: list[Contract], facts: list[Fact]) -> dict[str, Any]:
    """Everything about one finding, as a JSON-ready mapping."""
    ob = contract_of(contracts, finding.contract).ob(finding.rule)
    by_id = {f.id: f for f in facts}
    cited = [by_id[i] for i in finding.facts if i in by_id]
    return {
        "finding": finding_json(finding),
        "title": ob.title,
        "clause": ob.clause,
        "notes": " ".join(ob.notes.split()),
        "facts": [
            {"id": f.id, "type": f.type, "at": f.at.isoformat(), "location": str(f.loc)}
            for f in cited
        ],
        "steps": list(finding.trace),
    }


def _wrapped(text: str, indent: str = "    ", width: int = 92) -> list[str]:
    return wrap(text, width, indent)


def explanation_text(doc: dict[str, Any], as_of: str) -> str:
    """An explanation as text: clause, outcome, facts with file:line, numbered steps."""
    f = doc["finding"]
    amount = "-" if f["amount"] is None else f"{f['amount']:,.2f}"
    lines = [
        f"{f['contract']} / {f['rule']} / key {f['key'] or '-'} / as of {as_of}",
        f"{doc['title']} (section {f['section']}, party {f['party']})",
        "",
        "Clause:",
        *_wrapped(doc["clause"]),
        "",
        f"Status: {f['status']}    Due: {f['due'] or '-'}    Amount: {amount}",
        *_wrapped(f["message"], indent=""),
        "",
        "Facts:",
    ]
    lines += [f"    {x['id']}  {x['type']}  {x['at']}  {x['location']}" for x in doc["facts"]]
    if not doc["facts"]:
        lines.append("    (none)")
    lines += ["", "How:"]
    for n, step in enumerate(doc["steps"], start=1):
        lines += wrap(step, 92, "      ", first=f"{n:>4}. ")
    if doc["notes"]:
        lines += ["", "Notes of the rule:", *_wrapped(doc["notes"])]
    return "\n".join(map(printable, lines))  # text from facts never reaches a terminal raw
