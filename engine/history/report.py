"""Reports with run history: the text, CSV and JSON reports plus new/known marks.

Additions only: the text table gains a ``CHANGE`` column (``NEW``/``KNOWN``), a
"resolved since" section and a history line; the JSON document gains ``"change"`` in
each finding, a top-level ``"resolved"`` list and a ``"history"`` object; the CSV a last
``change`` column. With ``--only-new`` only the new findings are listed (and the resolved
ones); the summary still counts every finding.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.days.words import upper_first
from engine.history.compare import NEW, Resolved
from engine.history.store import Outcome
from engine.model import Result
from engine.output.report import json_report, text_pieces
from engine.output.spreadsheet import csv_pieces
from engine.output.wrap import wrap


def _shown(result: Result, outcome: Outcome, only_new: bool) -> tuple[Result, list[str]]:
    """The result with the findings to list, and their marks."""
    pairs = list(zip(result.findings, outcome.changes.marks, strict=True))
    if only_new:
        pairs = [(f, m) for f, m in pairs if m == NEW]
    shown = dataclasses.replace(result, findings=tuple(f for f, _ in pairs))
    return shown, [m for _, m in pairs]


def history_json(outcome: Outcome, path: Path, only_new: bool) -> dict[str, Any]:
    """The ``"history"`` object: where, which run, compared with which, counts."""
    changes = outcome.changes
    return {
        "path": str(path),
        "run": outcome.run,
        "recorded": outcome.recorded,
        "baseline": outcome.baseline,
        "baseline_as_of": outcome.baseline_as_of,
        "new": changes.count(NEW),
        "known": len(changes.marks) - changes.count(NEW),
        "resolved": len(changes.resolved),
        "only_new": only_new,
        "adhoc": outcome.adhoc,
    }


def json_report_marked(
    result: Result, outcome: Outcome, path: Path, only_new: bool
) -> Iterator[str]:
    """The ``check --format json`` document with ``change``, ``resolved`` and ``history``,
    in pieces (``engine.output.report.json_report``)."""
    shown, marks = _shown(result, outcome, only_new)
    more = {
        "resolved": [r.to_json() for r in outcome.changes.resolved],
        "history": history_json(outcome, path, only_new),
    }
    return json_report(shown, result.findings, marks, more)


def csv_marked_pieces(
    result: Result, outcome: Outcome, path: Path, only_new: bool
) -> Iterator[str]:
    """The CSV with a last ``change`` column, in pieces (``csv_pieces``; ``path``: unused,
    as the other renderers)."""
    shown, marks = _shown(result, outcome, only_new)
    return csv_pieces(shown.findings, marks)


_MARK_WIDTH = 8  # "RESOLVED" in the resolved section
_LABELS = {"window_ended": "ENDED"}  # the resolution as the resolved section's first column


def _resolved_lines(r: Resolved, width: int) -> list[str]:
    f = r.finding
    label = _LABELS.get(r.resolution, r.resolution.upper())
    head = f"{label:<{_MARK_WIDTH}}{f['rule']:<22} {(f.get('key') or '-'):<12} "
    head += str(f["contract"])
    body = f"[{f.get('section', '')}] {upper_first(r.why)}. {f.get('message', '')}"
    indent = " " * (_MARK_WIDTH + 4)
    wrapped = wrap(body, width, indent)
    return [head, *wrapped]


def text_marked_pieces(
    result: Result, outcome: Outcome, path: Path, only_new: bool, width: int = 100
) -> Iterator[str]:
    """The text table with a CHANGE column, a resolved section and a history line, in
    pieces (the table's, ``text_pieces``; then the rest)."""
    shown, marks = _shown(result, outcome, only_new)
    yield from text_pieces(shown, width, marks=marks, summary_of=result.findings)
    lines = [""]  # (after the table's last line)
    changes = outcome.changes
    if outcome.baseline is None:
        lines += ["", "No earlier run for these contracts: every finding is new."]
    else:
        since = f"run {outcome.baseline} (as of {outcome.baseline_as_of})"
        lines += ["", f"Resolved since the last run, {since}: {len(changes.resolved) or 'none'}"]
        for r in changes.resolved:
            lines += _resolved_lines(r, width)
    new = changes.count(NEW)
    known = len(changes.marks) - new
    counts = f"{new} new, {known} known, {len(changes.resolved)} resolved"
    if only_new and known:
        counts += f" ({known} known not shown: --only-new)"
    if outcome.recorded and outcome.adhoc:
        note = (
            f"History: run {outcome.run} recorded in {path} as an ad-hoc run (its as-of date is "
            f"before {outcome.latest_as_of}, the latest recorded): later runs are not compared "
            f"with it: {counts}."
        )
    elif outcome.recorded:
        note = f"History: run {outcome.run} recorded in {path}: {counts}."
    else:
        note = (
            f"History: same inputs and findings as run {outcome.run} in {path}, not recorded "
            f"again; its marks: {counts}."
        )
    lines += textwrap.wrap(note, width=width, subsequent_indent="    ", break_on_hyphens=False)
    yield "\n".join(lines)
