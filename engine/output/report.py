"""Reports: findings as a readable text table or as the JSON document of interfaces.md."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from engine.diagnostics import printable
from engine.model import Finding, Result, Unchecked
from engine.output.jsontext import json_pieces, plain_float
from engine.output.summary import summary_json, summary_text
from engine.output.wrap import wrap


def _amount(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def finding_json(f: Finding) -> dict[str, Any]:
    """One finding as the JSON object of interfaces.md."""
    return {
        "contract": f.contract,
        "template": f.template,
        "rule": f.rule,
        "key": f.key,
        "section": f.section,
        "party": f.party,
        "status": f.status.value,
        "due": f.due,
        "amount": _amount(f.amount),
        "facts": list(f.facts),
        "message": f.message,
        "cured": f.cured,
        "trace": list(f.trace),
    }


def _plain(item: dict[str, Any]) -> bool:
    """Whether msgspec writes a finding's object (``finding_json``) as the standard library
    does, without walking it (``jsontext.json_pieces``): its values are text, nulls and
    lists of text, but its amount, a float or null."""
    amount = item["amount"]
    return amount is None or plain_float(amount)


def to_json(result: Result, summary_of: Sequence[Finding] | None = None) -> str:
    """The ``check --format json`` document; ``summary`` counts ``summary_of`` (default:
    the findings listed)."""
    return "".join(json_report(result, summary_of))


def json_report(
    result: Result,
    summary_of: Sequence[Finding] | None = None,
    marks: Sequence[str] | None = None,
    more: dict[str, Any] | None = None,
) -> Iterator[str]:
    """``to_json``'s text in pieces, a batch of findings at a time (``jsontext.json_pieces``);
    with ``marks``, each finding's ``"change"`` (one a finding), and ``more`` keys last."""
    doc = {**_report(result, summary_of), **(more or {})}
    items = (finding_json(f) for f in result.findings)
    if marks is not None:
        pairs = zip(items, marks, strict=True)
        items = ({**item, "change": mark} for item, mark in pairs)
    return json_pieces(doc, "findings", items, _plain)


def _report(result: Result, summary_of: Sequence[Finding] | None) -> dict[str, Any]:
    """The document but its findings (an empty list, in its place)."""
    doc = {
        "as_of": result.as_of.isoformat(),
        "findings": [],
        "facts_considered": result.considered,
        "facts_after_as_of": [f.id for f in result.after_as_of],
        "summary": summary_json(result.findings if summary_of is None else summary_of),
    }
    if result.unchecked:
        doc["unchecked"] = [unchecked_json(u) for u in result.unchecked]
    return doc


def unchecked_json(u: Unchecked) -> dict[str, Any]:
    """An instance that could not be checked, and why (its problems, as on stderr)."""
    return {
        "contract": u.contract,
        "template": u.template,
        "problems": [str(d) for d in u.problems],
    }


def unchecked_lines(result: Result) -> list[str]:
    """The text report's closing words on the instances that could not be checked."""
    if not result.unchecked:
        return []
    lines = ["", f"{len(result.unchecked)} contracts not checked (bad input; see standard error):"]
    for u in result.unchecked:
        first = u.problems[0] if u.problems else "bad input"
        more = f" (+{len(u.problems) - 1} more)" if len(u.problems) > 1 else ""
        lines.append(f"    {u.contract}: {first}{more}")
    return lines


def _money(f: Finding) -> str:
    if f.amount is None:
        return ""
    if f.unit == "shares":
        return f"{f.amount:,.0f} shares"
    return f"${f.amount:,.2f}"


def _due(f: Finding) -> str:
    if f.due:
        return f.due
    return "(not yet known)" if f.status.value == "open" else "-"


def to_text(
    result: Result,
    width: int = 100,
    marks: Sequence[str] | None = None,
    summary_of: Sequence[Finding] | None = None,
) -> str:
    """A table a person reads: the summary, one block per finding, then a count line.

    ``marks`` (one per finding, e.g. ``new``/``known`` from the run history) add a
    CHANGE column in front. The summary counts ``summary_of`` (default: the findings
    listed).
    """
    return "".join(text_pieces(result, width, marks, summary_of))


TEXT_BATCH = 4096  # lines a piece of the text report holds


def text_pieces(
    result: Result,
    width: int = 100,
    marks: Sequence[str] | None = None,
    summary_of: Sequence[Finding] | None = None,
) -> Iterator[str]:
    """:func:`to_text` in pieces (``TEXT_BATCH`` lines each, joined by a line break): a
    report of a million facts is hundreds of MB, never held whole."""
    lines = _text_lines(result, width, marks, summary_of)
    batch = list(islice(lines, TEXT_BATCH))
    while batch:
        yield "\n".join(map(printable, batch))  # text from facts never reaches a terminal raw
        batch = list(islice(lines, TEXT_BATCH))
        if batch:
            yield "\n"


def _text_lines(
    result: Result,
    width: int,
    marks: Sequence[str] | None,
    summary_of: Sequence[Finding] | None,
) -> Iterator[str]:
    """The text report's lines, as :func:`to_text` says."""
    yield from [f"ClauseWatch check as of {result.as_of} (end of day)", ""]
    yield from [*summary_text(result.findings if summary_of is None else summary_of), ""]
    rule_width = max([22, *(len(f.rule) for f in result.findings)])
    mark_width = 7 if marks is not None else 0
    header = (
        f"{'STATUS':<9} {'DUE':<26} {'RULE':<{rule_width}} {'KEY':<12} {'AMOUNT':>14}  CONTRACT"
    )
    if marks is not None:
        header = f"{'CHANGE':<{mark_width}}{header}"
    yield from [header, "-" * len(header)]
    indent = " " * (mark_width + 4)
    for n, f in enumerate(result.findings):
        mark = f"{marks[n].upper():<{mark_width}}" if marks is not None else ""
        yield (
            f"{mark}{f.status.value:<9} {_due(f):<26} {f.rule:<{rule_width}} "
            f"{(f.key or '-'):<12} {_money(f):>14}  {f.contract}"
        )
        body = f"[{f.section}] {f.message} Facts: {', '.join(f.facts) or '-'}."
        yield from wrap(body, width, indent)
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.status.value] = counts.get(f.status.value, 0) + 1
    listed = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    n = len(result.findings)
    listed = f"{n} finding{'s' if n != 1 else ''} listed" + (f": {listed}" if listed else "")
    yield from ["", f"{listed}. {result.considered} facts considered."]
    if result.after_as_of:
        yield (
            f"{len(result.after_as_of)} facts dated after {result.as_of} not "
            f"considered: {', '.join(f.id for f in result.after_as_of[:10])}"
            + (" ..." if len(result.after_as_of) > 10 else "")
        )
    yield from unchecked_lines(result)
