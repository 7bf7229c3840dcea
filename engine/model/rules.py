"""The parts of a template: its vocabulary, date rules, matches and obligations."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from engine.diagnostics import Location

if TYPE_CHECKING:
    from engine.expressions import Expression


class Kind(StrEnum):
    """The building block an obligation is made of."""

    DEADLINE = "deadline"  # a duty to do something by a date
    RIGHT = "right"  # a party's option, exercisable until a date; lapses, never breached
    STANDING = "standing"  # a condition checked at every report of a fact type
    PROHIBITION = "prohibition"  # an act that must not happen


@dataclass(frozen=True)
class FieldSpec:
    """One typed field of a fact type."""

    name: str
    type: str  # string | integer | number | boolean | date
    required: bool = True
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactType:
    """A kind of dated event a user records, with its fields."""

    name: str
    label: str
    section: str = ""
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    notice: bool = False  # a written notice: its date may be "deemed given" (section 10)


@dataclass(frozen=True)
class Anchor:
    """Where a date comes from: the trigger, a date field of it, or a later fact."""

    kind: str  # trigger | trigger_field | named | first | running_total
    fact_type: str = ""  # for first / running_total
    field: str = ""  # for trigger_field / running_total; the date's name for named
    where: Expression | None = None  # for first
    reaches: Expression | None = None  # for running_total


@dataclass(frozen=True)
class DateSpec:
    """A date rule: ``from`` an anchor, ``add`` days, ``then`` end of month, ``at`` a time."""

    anchor: Anchor | None = None
    add_unit: str = ""  # trading_days | business_days | days | months | years
    add_n: int = 0
    then: str = ""  # end_of_month
    at: str = ""  # HH:MM in the contract's time zone; empty: end of the day
    earliest: tuple[DateSpec, ...] = ()
    roll: str = ""  # following | modified_following | preceding | modified_preceding

    def anchors(self) -> tuple[Anchor, ...]:
        """Every anchor this date depends on (named dates not expanded)."""
        if self.anchor is not None:
            return (self.anchor,)
        return tuple(a for spec in self.earliest for a in spec.anchors())

    def fact_anchors(self) -> tuple[Anchor, ...]:
        """The anchors fixed by later facts (``first``, ``running_total``)."""
        return tuple(a for a in self.anchors() if a.kind in ("first", "running_total"))


@dataclass(frozen=True)
class FactMatch:
    """A fact type and an optional condition on it."""

    fact: str
    where: Expression | None = None
    mismatch: str = "ignore"  # for satisfied_by: ignore | breach (a non-matching fact breaches)


@dataclass(frozen=True)
class Window:
    """Days from ``start`` through ``end`` (or until ``end``, exclusive); None: unbounded."""

    start: DateSpec | None = None
    end: DateSpec | None = None
    end_inclusive: bool = True
    outside: bool = False  # the act is forbidden outside the window instead of inside


@dataclass(frozen=True)
class Forbid:
    """A forbidden act: a fact type, a condition, a window, an exemption by an earlier fact."""

    match: FactMatch
    window: Window | None = None
    unless_preceded_by: str = ""  # a fact type that, seen earlier for the same key, permits it
    says: str = ""  # why it is forbidden, for the message


@dataclass(frozen=True)
class Lookup:
    """A fact an obligation reads values from: the latest of a type, or the one on a day."""

    fact: str
    on: DateSpec | None = None
    by: DateSpec | None = None  # only facts done (deemed given) by this deadline


@dataclass(frozen=True)
class NoticeRule:
    """When a notice is deemed given, by delivery method (section 10 of the seed agreement)."""

    field: str
    methods: dict[str, tuple[str, int]]  # method -> (unit, n): ("business_days", 7)


@dataclass(frozen=True)
class Tier:
    """Rate per late day, for days up to ``through`` (the last tier has none)."""

    rate: Decimal
    through: int | None = None


@dataclass(frozen=True)
class LatePayment:
    """A tiered late-payment schedule: rate per day late, per ``per`` of ``base``."""

    count_unit: str
    after: DateSpec
    base: Expression
    per: Decimal
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class StandingCheck:
    """A condition that must hold at every fact of a type."""

    fact: str
    require: Expression
    shortfall: Expression | None = None


@dataclass(frozen=True)
class Obligation:
    """One encoded clause of a contract."""

    id: str
    section: str
    party: str
    kind: Kind
    title: str
    clause: str
    notes: str = ""
    key: str = ""
    trigger: FactMatch | None = None
    due: DateSpec | None = None
    satisfied_by: FactMatch | None = None
    amount: Expression | None = None
    late_payment: LatePayment | None = None
    check: StandingCheck | None = None
    forbids: tuple[Forbid, ...] = ()
    unit: str = "USD"
    dates: dict[str, DateSpec] = field(default_factory=dict, compare=False)
    lookups: dict[str, Lookup] = field(default_factory=dict, compare=False)
    values: dict[str, Expression] = field(default_factory=dict, compare=False)

    def date_specs(self) -> tuple[DateSpec, ...]:
        """Every date rule of this obligation: due, local dates, windows, lookups, late days."""
        specs = [self.due, *self.dates.values()]
        specs += [lk.on for lk in self.lookups.values()]
        specs += [lk.by for lk in self.lookups.values()]
        forbids = self.forbids or ()
        specs += [w for f in forbids if f.window for w in (f.window.start, f.window.end)]
        specs.append(self.late_payment.after if self.late_payment else None)
        return tuple(s for s in specs if s is not None)

    def fact_anchors(self) -> tuple[Anchor, ...]:
        """The obligation's own anchors fixed by facts after its trigger, without repeats."""
        return tuple(dict.fromkeys(a for s in self.date_specs() for a in s.fact_anchors()))

    loc: Location = field(default=Location(""), compare=False)
