"""Run history: which findings of a ``check`` are new, known, or resolved since the last run.

``check --history`` records every run in a SQLite database (``engine.history.store``):
the as-of date, the sha256 of every rule file and fact log read, and the findings as
JSON. Each finding is then marked against *the last run*:

**The last run** (the baseline) is, among the recorded runs for the same set of contracts
that are not ad hoc, the one with the latest as-of date on or before this run's (the
highest run number among runs of that date). A run with a later as-of date is never the
baseline: comparing with the future would call "known" what the past had not seen yet.

**Ad-hoc runs.** A run whose as-of date is earlier than the latest as-of already recorded
for the same contracts (a back-dated check: "what did we know on 30 June?") is recorded
as *ad hoc*: it is compared with the latest earlier nightly run like any other, but it
is never the baseline of a later run, so it cannot break the nightly series (without
this, the next nightly run would be compared with the back-dated one and call every
breach found since then new).

**Idempotence.** A run whose inputs are identical to a recorded run (same contracts,
as-of date, rule and fact file contents, and findings) is not recorded again: it reports
the marks and resolved list stored with that run, so re-running a night's check says
what that night's check said.

**Identity of a finding.** A finding is identified by ``(contract, rule, key)``; what
is compared is its *state*: its status (open, met, breached, expired, waived), with a
breach split into *ongoing* (``cured`` is null), *cured* (``cured`` has the day it
ended) and *cured but owing* (the act was done late and the late payment its rule
charges is still owed). Amounts, due dates, messages and facts are not compared: a late
payment that grows every night, or a message reworded, is the same finding.

- ``known``: the last run had the finding in the same state; or it was an ongoing breach
  and is now the same breach, ended (the breach is old news).
- ``new``: the last run did not have the finding, or had it in another state (open ->
  breached, open -> met, ...). With no last run, every finding is new.
- ``resolved``: a finding of the last run that no longer needs attention, and why:

  - ``cured``: an ongoing breach that has ended (the act done late, the reserve
    restored) with nothing owed for it; listed as it is now, with its ``cured`` date.
    A late act whose rule charges a late payment is *not* resolved: the payment is
    still owed.
  - ``waived``: an open duty or a breach still live (ongoing, or a late payment owed)
    now waived; listed as it is now.
  - ``window_ended``: a prohibition in force whose window has ended (now met, or no
    longer listed because its breaches say it all); listed as the last run had it.
  - ``changed``: a breach still live that now has another status (e.g. facts
    corrected); listed as the last run had it.
  - ``gone``: a finding of the last run that this run does not report at all (its
    facts were removed or corrected); listed as the last run had it.

This module is pure (no clock, no database); it reads the files it digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from engine.model import Finding
from engine.output.report import finding_json

DEFAULT_PATH = Path(".clausewatch") / "history.sqlite"
ENV_PATH = "CLAUSEWATCH_HISTORY"
ENV_TEST_PAUSE = "CLAUSEWATCH_TEST_PAUSE_MID_WRITE"  # tests only: see history_store.record
OFF_VALUES = frozenset({"", "0", "off", "no", "false", "none"})
ON_VALUES = frozenset({"1", "on", "yes", "true"})
NEW, KNOWN = "new", "known"
CURED, WAIVED, WINDOW_ENDED, CHANGED, GONE = "cured", "waived", "window_ended", "changed", "gone"
ONGOING, ENDED, OWING = "breached", "breached-cured", "breached-cured-owing"
LIVE = (ONGOING, OWING)  # breaches that still need something: the act, or the late payment

Identity = tuple[str, str, str | None]
FindingDoc = dict[str, Any]  # one finding as recorded: ``history_doc``
_CANONICAL = msgspec.json.Encoder(enc_hook=str, order="sorted")  # (``fingerprint``)


def history_doc(f: Finding) -> FindingDoc:
    """A finding as the history records it: its JSON object, its kind and whether its
    amount is a late payment owed (what tells a cured breach from one still owing)."""
    return {**finding_json(f), "kind": f.kind, "late_payment": f.late_payment}


def identity(doc: Mapping[str, Any]) -> Identity:
    """What makes two findings of two runs the same finding: contract, rule, key."""
    return (str(doc["contract"]), str(doc["rule"]), doc.get("key"))


def state(doc: Mapping[str, Any]) -> str:
    """The compared state: the status, a breach split into ongoing, cured, cured but owing."""
    status = str(doc["status"])
    if status == "breached":
        if doc.get("cured") is None:
            return ONGOING
        return OWING if doc.get("late_payment") and doc.get("amount") else ENDED
    return status


def _due(doc: Mapping[str, Any]) -> str:
    return f" (due {doc['due']})" if doc.get("due") else ""


def why(resolution: str, finding: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> str:
    """Why a finding is resolved, in words (``old``: the last run's, when it differs)."""
    was = old or finding
    if resolution == CURED:
        return f"breach{_due(finding)} cured {finding.get('cured')}: nothing is owed for it"
    if resolution == WAIVED:
        return f"was {was.get('status')}{_due(was)}; now waived (see above)"
    if resolution == WINDOW_ENDED:
        through = f" through {was['due']}" if was.get("due") else ""
        return f"in force{through}; its window has ended"
    if resolution == CHANGED:
        now = f"; now {finding.get('status')}" if old is not None else "; now another status"
        return f"was breached{_due(was)}{now} (see above)"
    return f"was {was.get('status')}{_due(was)}; no longer reported"


def _in_force(doc: Mapping[str, Any]) -> bool:
    """An open prohibition: a duty in force, not a deadline."""
    return doc.get("kind") == "prohibition" and doc.get("status") == "open"


@dataclass(frozen=True)
class Resolved:
    """A finding of the last run that is resolved now, and how."""

    resolution: str  # cured | waived | window_ended | changed | gone
    finding: FindingDoc  # cured, waived: the finding as now; else as last recorded
    why: str = ""  # the resolution in words

    def to_json(self) -> FindingDoc:
        """The object of the JSON ``resolved`` list: the finding, ``resolution`` and ``why``."""
        return {**self.finding, "resolution": self.resolution, "why": self.why}


@dataclass(frozen=True)
class Changes:
    """The marks of one run's findings (in their order) and what was resolved."""

    marks: tuple[str, ...]
    resolved: tuple[Resolved, ...] = ()

    def count(self, mark: str) -> int:
        """How many findings have this mark."""
        return sum(1 for m in self.marks if m == mark)


def _resolution(old: FindingDoc, new: FindingDoc) -> Resolved | None:
    """How a finding of the last run now in another state is resolved (None: it is not)."""
    if new.get("status") == WAIVED and state(old) in (*LIVE, "open"):
        return Resolved(WAIVED, dict(new), why(WAIVED, new, old))
    if _in_force(old) and new.get("status") == "met" and new.get("due"):
        return Resolved(WINDOW_ENDED, dict(old), why(WINDOW_ENDED, old))
    if state(old) in LIVE:
        return Resolved(CHANGED, dict(old), why(CHANGED, new, old))
    return None


def _gone(old: FindingDoc, as_of: str | None) -> Resolved:
    """A finding of the last run that is not reported any more."""
    due = old.get("due")
    if _in_force(old) and due and as_of is not None and str(due)[:10] < as_of:
        return Resolved(WINDOW_ENDED, dict(old), why(WINDOW_ENDED, old))
    return Resolved(GONE, dict(old), why(GONE, old))


def compare(
    previous: Sequence[Mapping[str, Any]] | None,
    current: Sequence[FindingDoc],
    as_of: str | None = None,
) -> Changes:
    """Mark ``current`` findings (as of ``as_of``) against the ``previous`` run's.

    ``previous`` is None when there is no last run: every finding is new.
    """
    if previous is None:
        return Changes(tuple(NEW for _ in current))
    # previous findings not matched yet, by identity, in position order: each lookup
    # scans only the findings of one identity (usually one), not the whole last run
    left: dict[Identity, list[int]] = {}
    for pos, old in enumerate(previous):
        left.setdefault(identity(old), []).append(pos)
    marks: list[str | None] = [None] * len(current)
    resolved: list[tuple[int, Resolved]] = []

    def take(doc: FindingDoc, wanted: Iterable[str] | None) -> int | None:
        same = left.get(identity(doc), [])
        for k, pos in enumerate(same):
            if wanted is None or state(previous[pos]) in wanted:
                del same[k]
                return pos
        return None

    for i, doc in enumerate(current):  # 1. the same finding in the same state
        if take(doc, (state(doc),)) is not None:
            marks[i] = KNOWN
    for i, doc in enumerate(current):  # 2. an ongoing breach, now ended
        if marks[i] is None and state(doc) in (ENDED, OWING):
            pos = take(doc, (ONGOING,))
            if pos is not None:
                marks[i] = KNOWN
                if state(doc) == ENDED:  # a late payment still owed: not resolved
                    resolved.append((pos, Resolved(CURED, dict(doc), why(CURED, doc))))
    for i, doc in enumerate(current):  # 3. another state: new, and perhaps resolved
        if marks[i] is None:
            marks[i] = NEW
            pos = take(doc, None)
            if pos is not None:
                how = _resolution(dict(previous[pos]), doc)
                if how is not None:
                    resolved.append((pos, how))
    unmatched = sorted(pos for positions in left.values() for pos in positions)
    resolved += [(pos, _gone(dict(previous[pos]), as_of)) for pos in unmatched]
    return Changes(tuple(m or NEW for m in marks), tuple(r for _, r in sorted(resolved)))


@dataclass(frozen=True)
class Settings:
    """Where the history is kept (None: not kept), and the options that need it."""

    path: Path | None
    only_new: bool = False
    fail_on_new: bool = False
    test_pause: str | None = None  # tests only: ENV_TEST_PAUSE, "SECONDS:MARKER_FILE"
    problems: tuple[tuple[str, str], ...] = field(default=())  # (option, message)


def settings(
    history: str | None,
    no_history: bool,
    only_new: bool,
    fail_on_new: bool,
    environ: Mapping[str, str],
) -> Settings:
    """The history settings from the options and the environment.

    ``--no-history`` wins; then ``--history [PATH]`` (no PATH: ``DEFAULT_PATH``); then
    ``CLAUSEWATCH_HISTORY`` (a path; ``on``/``1``/``yes``/``true``: ``DEFAULT_PATH``;
    empty, ``off``, ``0``, ``no``, ``false``, ``none``: no history). Without any of
    them there is no history: ``check`` writes nothing. ``--only-new`` and
    ``--fail-on-new`` need a history.
    """
    path: Path | None = None
    if no_history:
        path = None
    elif history is not None:
        path = Path(history) if history else DEFAULT_PATH
    else:
        value = environ.get(ENV_PATH, "").strip()
        if value.lower() in ON_VALUES:
            path = DEFAULT_PATH
        elif value.lower() not in OFF_VALUES:
            path = Path(value)
    problems: list[tuple[str, str]] = []
    if path is None:
        for flag, given in (("--only-new", only_new), ("--fail-on-new", fail_on_new)):
            if given:
                problems.append((flag, f"needs a run history (--history [PATH] or {ENV_PATH})"))
    return Settings(
        path, only_new, fail_on_new, environ.get(ENV_TEST_PAUSE) or None, tuple(problems)
    )


def digest(path: Path) -> str:
    """The sha256 of a file's bytes, in hex."""
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()


def file_digests(paths: Iterable[Path | str]) -> list[dict[str, str]]:
    """``{"path", "sha256"}`` for every file, in order, without repeats."""
    unique = dict.fromkeys(str(p) for p in paths)
    return [{"path": p, "sha256": digest(Path(p))} for p in unique]


def fingerprint(
    contracts: Sequence[str],
    as_of: str,
    inputs: Mapping[str, Sequence[Mapping[str, str]]],
    findings: Sequence[FindingDoc],
) -> str:
    """What makes two runs identical: contracts, as-of, file contents (not paths), findings
    (the sha256 of them as JSON, keys sorted, encoded by msgspec: a tenth of the standard
    library's time over a run's findings)."""
    doc = _identity(contracts, as_of, inputs, findings)
    return hashlib.sha256(_CANONICAL.encode(doc)).hexdigest()


def legacy_fingerprint(
    contracts: Sequence[str],
    as_of: str,
    inputs: Mapping[str, Sequence[Mapping[str, str]]],
    findings: Sequence[FindingDoc],
) -> str:
    """``fingerprint`` as history schema 3 and before wrote it (the standard library's
    JSON), to find a run identical to one recorded then (``engine.history.store``)."""
    doc = _identity(contracts, as_of, inputs, findings)
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _identity(
    contracts: Sequence[str],
    as_of: str,
    inputs: Mapping[str, Sequence[Mapping[str, str]]],
    findings: Sequence[FindingDoc],
) -> dict[str, Any]:
    """What a fingerprint is made of: contracts (sorted), as-of, the files' sha256 by
    kind, the findings."""
    return {
        "contracts": sorted(contracts),
        "as_of": as_of,
        "files": {kind: [f["sha256"] for f in files] for kind, files in sorted(inputs.items())},
        "findings": list(findings),
    }
