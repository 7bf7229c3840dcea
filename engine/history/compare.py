"""Run history: which findings of a ``check`` are new, known, or resolved since the last run.

``check --history`` records every run in a SQLite database (``engine.history.store``):
the as-of date, the sha256 of every rule file and fact log read, and the findings as
JSON. Each finding is then marked against *the last run*:

**The last run** is the most recently recorded run (highest run number) for the same set
of contracts (the ``contract: id`` of every rule file read) whose as-of date is on or
before this run's. A run with a later as-of date is never the baseline: comparing with
the future would call "known" what the past had not seen yet.

**Idempotence.** A run whose inputs are identical to a recorded run (same contracts,
as-of date, rule and fact file contents, and findings) is not recorded again: it reports
the marks and resolved list stored with that run, so re-running a night's check says
what that night's check said.

**Identity of a finding.** A finding is identified by ``(contract, rule, key)``; what
is compared is its *state*: its status (open, met, breached, expired), with a breach
split into *ongoing* (``cured`` is null) and *cured* (``cured`` has the day it ended).
Amounts, due dates, messages and facts are not compared: a late payment that grows
every night, or a message reworded, is the same finding.

- ``known``: the last run had the finding in the same state; or it was an ongoing breach
  and is now the same breach, cured (the breach is old news; its cure is listed as
  resolved).
- ``new``: the last run did not have the finding, or had it in another state (open ->
  breached, open -> met, ...). With no last run, every finding is new.
- ``resolved``: a finding of the last run that was an ongoing breach and no longer is
  (``cured``: the same breach has now ended, e.g. a reserve shortfall made good; listed
  as it is now, with its ``cured`` date; ``changed``: it now has another status), or a
  finding of the last run that this run does not report at all (``gone``); these two
  are listed as the last run recorded them.

This module is pure (no clock, no database); it reads the files it digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(".clausewatch") / "history.sqlite"
ENV_PATH = "CLAUSEWATCH_HISTORY"
ENV_TEST_PAUSE = "CLAUSEWATCH_TEST_PAUSE_MID_WRITE"  # tests only: see history_store.record
OFF_VALUES = frozenset({"", "0", "off", "no", "false", "none"})
ON_VALUES = frozenset({"1", "on", "yes", "true"})
NEW, KNOWN = "new", "known"
CURED, CHANGED, GONE = "cured", "changed", "gone"

Identity = tuple[str, str, str | None]
FindingDoc = dict[str, Any]  # one finding as the JSON object of ``report.finding_json``


def identity(doc: Mapping[str, Any]) -> Identity:
    """What makes two findings of two runs the same finding: contract, rule, key."""
    return (str(doc["contract"]), str(doc["rule"]), doc.get("key"))


def state(doc: Mapping[str, Any]) -> str:
    """The compared state: the status, a breach split into ongoing and cured."""
    status = str(doc["status"])
    if status == "breached":
        return "breached" if doc.get("cured") is None else "breached-cured"
    return status


@dataclass(frozen=True)
class Resolved:
    """A finding of the last run that is resolved now, and how."""

    resolution: str  # cured | changed | gone
    finding: FindingDoc  # cured: the finding as now (with its cure); else as last recorded

    def to_json(self) -> FindingDoc:
        """The object of the JSON ``resolved`` list: the finding plus ``resolution``."""
        return {**self.finding, "resolution": self.resolution}


@dataclass(frozen=True)
class Changes:
    """The marks of one run's findings (in their order) and what was resolved."""

    marks: tuple[str, ...]
    resolved: tuple[Resolved, ...] = ()

    def count(self, mark: str) -> int:
        """How many findings have this mark."""
        return sum(1 for m in self.marks if m == mark)


def compare(previous: Sequence[Mapping[str, Any]] | None, current: Sequence[FindingDoc]) -> Changes:
    """Mark ``current`` findings against the ``previous`` run's (None: there is none)."""
    if previous is None:
        return Changes(tuple(NEW for _ in current))
    left = dict(enumerate(previous))  # previous findings not matched yet, by position
    marks: list[str | None] = [None] * len(current)
    resolved: list[tuple[int, Resolved]] = []

    def take(doc: FindingDoc, wanted: Iterable[str] | None) -> int | None:
        for pos, old in left.items():
            if identity(old) == identity(doc) and (wanted is None or state(old) in wanted):
                del left[pos]
                return pos
        return None

    for i, doc in enumerate(current):  # 1. the same finding in the same state
        if take(doc, (state(doc),)) is not None:
            marks[i] = KNOWN
    for i, doc in enumerate(current):  # 2. an ongoing breach, now cured
        if marks[i] is None and state(doc) == "breached-cured":
            pos = take(doc, ("breached",))
            if pos is not None:
                marks[i] = KNOWN
                resolved.append((pos, Resolved(CURED, dict(doc))))
    for i, doc in enumerate(current):  # 3. another state: new; an ongoing breach resolved
        if marks[i] is None:
            marks[i] = NEW
            pos = take(doc, None)
            if pos is not None and state(previous[pos]) == "breached":
                resolved.append((pos, Resolved(CHANGED, dict(previous[pos]))))
    resolved += [(pos, Resolved(GONE, dict(old))) for pos, old in left.items()]
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
    """What makes two runs identical: contracts, as-of, file contents (not paths), findings."""
    doc = {
        "contracts": sorted(contracts),
        "as_of": as_of,
        "files": {kind: [f["sha256"] for f in files] for kind, files in sorted(inputs.items())},
        "findings": list(findings),
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
