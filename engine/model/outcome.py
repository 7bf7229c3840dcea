"""What a run reads and concludes: facts, findings, statuses and the result of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from engine.diagnostics import Diagnostic, Location

if TYPE_CHECKING:
    import pendulum


class Status(StrEnum):
    """The state of a finding."""

    OPEN = "open"
    MET = "met"
    BREACHED = "breached"
    EXPIRED = "expired"
    WAIVED = "waived"  # released by the party it protects (a waiver fact)


@dataclass(slots=True)
class Fact:
    """One dated event from a fact log, validated against a contract vocabulary: a value,
    never changed once made and numbered (``seq``, its place in time, is set once, when
    the facts read are sorted).

    Slotted: a run holds a million of them (no ``__dict__``: 112 bytes less each). Not
    frozen: a frozen dataclass sets each field through ``object.__setattr__``, and is
    made in 0.75 µs instead of 0.17 (reading a million facts, and again in the worker
    processes). Not hashable, as before (its fields are a dict).
    """

    id: str
    type: str
    at: pendulum.DateTime
    fields: dict[str, Any]
    loc: Location = field(compare=False)
    seq: int = 0  # position in the merged, time-sorted stream
    contract: str | None = None
    # ``at`` in epoch microseconds (``engine.days.instants.epoch_us``): worked out once,
    # when the fact is read; the run compares instants by it, fact after fact
    at_us: int = field(kw_only=True, compare=False)

    def day(self, tz: str) -> date:
        """The calendar date of this fact in time zone ``tz``."""
        at = self.at
        # read in that zone: its own date (as ``engine.days.instants.describe`` takes it)
        if getattr(at.tzinfo, "name", None) == tz:
            return _date_of(at)
        return _local_date(at, tz)


_date_of = datetime.date  # (datetime's own, in C: pendulum's is a Python method)


@lru_cache(maxsize=1 << 16)
def _local_date(at: pendulum.DateTime, tz: str) -> date:
    local = at.in_timezone(tz)
    return date(local.year, local.month, local.day)


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """What the engine concluded about one obligation instance at the as-of date: a value,
    never changed once made (``dataclasses.replace`` makes another).

    Slotted, as ``Fact``: a run of a million facts holds about 600,000 of them. Not frozen,
    as ``Fact``: made in 0.2 µs instead of 1.7, in the workers and again when read back;
    hashed by its compared fields, as a frozen one would be.
    """

    contract: str
    rule: str
    key: str | None
    section: str
    party: str
    status: Status
    due: str | None  # YYYY-MM-DD, or ISO datetime with offset
    due_instant: pendulum.DateTime | None = field(compare=False)
    amount: Decimal | None
    facts: tuple[str, ...]
    message: str
    title: str = field(default="", compare=False)
    unit: str = field(default="USD", compare=False)
    cured: str | None = None  # a breach that has ended: the day it did (late act done, restored)
    trace: tuple[str, ...] = field(default=(), compare=False)  # how it was reached, step by step
    template: str = field(default="", compare=False)  # the template (rule file) of the instance
    kind: str = field(default="", compare=False)  # the obligation's building block (Kind value)
    late_payment: bool = field(default=False, compare=False)  # amount: a late payment owed
    listed_from: date | None = field(default=None, compare=False)  # a period's last day


@dataclass(frozen=True)
class Unchecked:
    """An instance that could not be checked: its template, and the problems in its way."""

    contract: str
    template: str | None
    problems: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Result:
    """The outcome of one evaluation: the findings at the as-of date, and the facts read.

    ``unchecked`` lists the instances held back by bad input (theirs, or a fact's that
    may concern them): their findings are not among ``findings``.
    """

    as_of: date
    findings: tuple[Finding, ...]
    considered: int  # facts evaluated
    after_as_of: tuple[Fact, ...]  # facts dated after the as-of day, not evaluated
    unchecked: tuple[Unchecked, ...] = ()
    ahead: tuple[Finding, ...] = ()  # open findings of periods not ended yet (for upcoming)

    @property
    def breached(self) -> bool:
        """Whether any finding is a breach."""
        return any(f.status is Status.BREACHED for f in self.findings)

    @property
    def scheduled(self) -> tuple[Finding, ...]:
        """Every finding, with those of periods not ended yet (what is due next)."""
        return (*self.findings, *self.ahead)

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        """Every problem that held an instance back, each once, sorted."""
        return tuple(sorted({d for u in self.unchecked for d in u.problems}))
