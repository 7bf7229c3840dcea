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
    TEST = "test"  # a figure tested per period against a limit, curable by a deadline
    LIMIT = "limit"  # each fact of a type counted against caps over earlier ones


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

    kind: str  # trigger | trigger_field | named | first | running_total | period | param
    fact_type: str = ""  # for first / running_total
    field: str = ""  # for trigger_field / running_total; the date's name for named
    where: Expression | None = None  # for first
    reaches: Expression | None = None  # for running_total


@dataclass(frozen=True)
class DateSpec:
    """A date rule: ``from`` an anchor, ``add`` days, ``then`` end of month, ``at`` a time."""

    anchor: Anchor | None = None
    add_unit: str = ""  # trading_days | business_days | days | months | years
    add_n: int | Expression = 0  # a number, or an expression over period.* and param.*
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
    concurrently: bool = False  # for satisfied_by: a fact before the trigger counts too


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
class PeriodSchedule:
    """Recurring periods: months, quarters or years of a (fiscal) year, between two dates.

    Periods ending after ``after`` and on or before ``through`` (and, once ``until`` is
    known, not after it), plus a one-day period at each ``also`` date. ``names``:
    ``fiscal`` (``2028-Q1``, ``2028-09``, ``FY2028``, the fiscal year named by the
    calendar year it ends in) or ``date`` (the period's last day, ``2028-09-30``).
    """

    name: str
    every: str  # month | quarter | year
    year_end: str  # MM-DD, or param.<name> of a text parameter
    names: str
    after: DateSpec
    through: DateSpec
    until: DateSpec | None = None
    also: tuple[DateSpec, ...] = ()
    dates: dict[str, DateSpec] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Measure:
    """A figure tested against a limit: ``value`` at most (or at least) ``limit``."""

    fact: str  # the fact giving the figures for the period (keyed like the rule)
    value: Expression
    limit: Expression
    at_most: bool = True
    says: str = ""  # the figure's name in messages: "Consolidated Leverage Ratio"


@dataclass(frozen=True)
class Cure:
    """A fact that can make a failed test pass, received in a window, if permitted."""

    fact: str
    value: Expression  # the figure with the cure (``cure.<field>`` and ``test.<field>``)
    after: DateSpec | None = None
    by: DateSpec | None = None
    unless_refused_by: str = ""  # a limit rule whose refusal makes the cure not count


@dataclass(frozen=True)
class Cap:
    """A fact is refused when, before it, ``reach`` counted facts stand within the cap's scope.

    ``periods`` > 0: distinct other periods among any ``periods`` consecutive periods
    that include the fact's own; ``days`` > 0: counted facts received in the ``days``
    days before it; neither: every counted fact in the life of the contract.
    """

    reach: int
    periods: int = 0
    days: int = 0  # > 0: counted facts received within this many days before the fact
    says: str = ""


@dataclass(frozen=True)
class Limit:
    """Each fact of a type, keyed by period, checked against caps over the earlier ones."""

    fact: str
    per: str  # the period schedule the facts' keys name
    caps: tuple[Cap, ...]
    counts_after: DateSpec | None = None  # a fact counts only when received after ...
    counts_by: DateSpec | None = None  # ... and by these dates of its period


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
    per: str = ""  # a period schedule: one instance per period, keyed by its name
    shown_due: DateSpec | None = None  # shown (not enforced) while ``due`` is not known
    owed: Expression | None = None  # the amount still owed when the deadline passes
    test: Measure | None = None
    cure: Cure | None = None
    limit: Limit | None = None
    after_breach_of: str = ""  # started by a breach of that rule (same key), not by a fact

    def date_specs(self) -> tuple[DateSpec, ...]:
        """Every date rule of this obligation: due, local dates, windows, lookups, late days
        (worked out once: a run asks at every instance it opens)."""
        found = self.__dict__.get("_date_specs")
        if found is None:
            found = self._date_specs_found()
            object.__setattr__(self, "_date_specs", found)
        return found

    def _date_specs_found(self) -> tuple[DateSpec, ...]:
        specs = [self.due, *self.dates.values()]
        specs += [lk.on for lk in self.lookups.values()]
        specs += [lk.by for lk in self.lookups.values()]
        forbids = self.forbids or ()
        specs += [w for f in forbids if f.window for w in (f.window.start, f.window.end)]
        specs.append(self.late_payment.after if self.late_payment else None)
        specs.append(self.shown_due)
        specs += [self.cure.after, self.cure.by] if self.cure else []
        specs += [self.limit.counts_after, self.limit.counts_by] if self.limit else []
        return tuple(s for s in specs if s is not None)

    def fact_anchors(self) -> tuple[Anchor, ...]:
        """The obligation's own anchors fixed by facts after its trigger, without repeats
        (worked out once, as ``date_specs``)."""
        found = self.__dict__.get("_fact_anchors")
        if found is None:
            found = tuple(dict.fromkeys(a for s in self.date_specs() for a in s.fact_anchors()))
            object.__setattr__(self, "_fact_anchors", found)
        return found

    loc: Location = field(default=Location(""), compare=False)
