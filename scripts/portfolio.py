"""Generate a portfolio reproducibly: rule files with M instances and N facts over them.

Each instance is one signed copy of a template: a rule file plus a function that writes
one instance's life as facts. Two templates are mixed:

* The seed agreement (``rules/nhtc-series-j.yaml``; instances inline in the generated
  ``rules/portfolio.yaml``). An instance's life starts on a trading day drawn in
  2000-2002: the deal (acceptance, funding, closing, warrants, registration, meeting,
  with a few late or missing steps), then events until the end of 2004 in the mix of
  ``scripts/bench.py`` (conversion notices delivered on time, late or never, share
  reserve reports, closing bids, Common Stock issuances) plus occasional offers of a New
  Transaction, transfers and uses of proceeds.
* The term loan credit agreement (``rules/credit-agreement.yaml``, copied as is; its
  instances are rows of the generated ``rules/credit-portfolio.csv``), a ``--credit``
  share of the instances (default 0.3: the seed template stays the larger part, so that
  figures stay comparable with the runs before the mix, while hundreds of thousands of
  credit facts exercise the periods, rolls, tests and cures; ``--credit 0`` writes
  exactly what this script wrote before the credit template was added). Per instance:
  principal (50 to 600 million), tenor (5 to 7 years, up to 10 for the busiest: the
  Maturity Date), fiscal year end (31 December mostly, else 30 June, 30 September or
  31 March), the maximum leverage (3.50 to 5.50, up to three step-downs), time zone
  (New York mostly, Chicago, Los Angeles), borrower and agent. Its life, in the mix of
  the bundled stories (``facts/meridian-term-loan.jsonl``,
  ``facts/harbor-term-loan.jsonl``): the funding;
  interest on each Interest Payment Date (mostly on the rolled date or a day before,
  some short and topped up, some late within the grace, some late beyond it or never,
  with a Default known and noticed); amortization and now and then a prepayment; per
  fiscal quarter the statements (mostly on time, some late or missing, some waived) and
  the Compliance Certificate (mostly with them, some early, late or missing) with debt
  and EBITDA figures that drift (some tests fail: then an equity cure, usually enough
  and on time, a waiver, or a Default); the principal at maturity (some late or short).

One as-of suits both: 2004-12-31 (``AS_OF``). The credit instances live in 1990-2004
(the XFED calendar starts in 1990) and no credit fact is dated after the as-of. The
facts are split across the instances (lognormal weights: some are busier); a credit
instance's Closing Date is chosen so that its story up to the as-of has about its share
(a small share is a loan closed lately; a large one, a loan that has matured); what is
still missing is made up with Defaults known (and their notices) and small
prepayments, so that ``--facts`` is exact. Every fact names its instance
(``contract``), except a share ``--shared`` of them (a fraction) that applies to every
instance of the portfolio (market closing bids, taken by the seed template only:
``"contract": "*"``).

The same seed gives the same files byte for byte. Run::

    python scripts/portfolio.py --facts 100000 --instances 1000 --out /tmp/portfolio
    clausewatch check --rules /tmp/portfolio/rules --facts /tmp/portfolio/facts \\
        --as-of 2004-12-31 --format json
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import json
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIRST_DAY, LAST_START, LAST_DAY = date(2000, 1, 3), date(2002, 12, 31), date(2004, 12, 31)
AS_OF = "2004-12-31"
CREDIT_SHARE = 0.3
Fact = dict[str, Any]


def _engine() -> None:
    """Make the repository's ``engine`` package importable from this script."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def trading_days(first: date, last: date) -> list[date]:
    """NYSE sessions ``first``..``last`` from the engine's own calendar."""
    _engine()
    from engine.days.calendars import get_calendar

    return get_calendar("XNYS").days_after(first - timedelta(days=1), last)


def stamp(day: date, minute: int) -> str:
    """A New York wall time during the session (09:30 + ``minute``), no offset."""
    moment = datetime(day.year, day.month, day.day, 9, 30) + timedelta(minutes=minute)
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass
class Life:
    """What one instance's generator needs: its days, its random source, its facts."""

    rng: random.Random
    days: list[date]  # trading days of the whole span
    start: int  # index in ``days`` of the day the agreement is accepted
    last: int  # index of the last day an event may fall on
    facts: list[Fact]

    def day(self, offset: int) -> date:
        """The trading day ``offset`` sessions after the start (clipped to the span)."""
        return self.days[min(self.start + offset, len(self.days) - 1)]

    def add(self, kind: str, at: str, **fields: Any) -> None:
        """Record a fact."""
        self.facts.append({"type": kind, "at": at, **fields})


def seed_deal(life: Life) -> None:
    """The deal of the seed agreement, in trading days after acceptance (as in ``facts/``)."""
    rng, day = life.rng, life.day
    life.add("agreement_accepted", day(0).isoformat())
    late = rng.random() < 0.05
    life.add("purchase_price_deposited", stamp(day(3), 460 if late else 430), amount=500000)
    life.add("certificates_delivered", f"{day(9)}T15:30")
    if rng.random() < 0.95:
        life.add("registration_rights_agreement_signed", f"{day(9)}T15:45")
    life.add("closing_conditions_satisfied", f"{day(10)}T11:00")
    life.add("closing_bid", f"{day(10)}T16:00", price=3.5)
    life.add("closing", f"{day(11)}T11:30" if rng.random() < 0.97 else f"{day(12)}T10:00")
    life.add("warrants_issued", f"{day(11)}T11:30", shares=25974, exercise_price=3.85)
    life.add("effective_date", day(70).isoformat())
    life.add("stockholders_meeting", f"{day(179)}T10:00", authorization_vote=True)


def seed_event(life: Life, serial: int) -> None:
    """One event of the seed agreement's life after the deal (a few facts at most)."""
    rng = life.rng
    i = rng.randint(min(life.start + 12, life.last), life.last)
    day, minute, draw = life.days[i], rng.randint(0, 389), rng.random()
    if draw < 0.28:
        nid = f"N{serial}"
        delivery = life.days[min(i + 3, len(life.days) - 1)]
        amount = rng.choice((5000, 10000, 25000, 30000, 50000, 75000))
        at = stamp(day, minute)
        life.add("conversion_notice", at, notice_id=nid, delivery_date=str(delivery), amount=amount)
        fate = rng.random()
        if fate < 0.95:
            later = rng.randint(1, 3) if fate < 0.80 else 3 + rng.randint(1, 25)
            when = stamp(life.days[min(i + later, len(life.days) - 1)], rng.randint(0, 389))
            life.add("conversion_shares_delivered", when, notice_id=nid)
            if rng.random() < 0.7:
                life.add("common_stock_issued", when, shares=rng.randint(2_000, 60_000))
    elif draw < 0.56:
        conversion = rng.randint(100_000, 400_000)
        needed = int(1.5 * conversion) + 25974
        reserved = needed + rng.randint(1, 400_000)
        if rng.random() < 0.05:
            reserved = max(0, needed - rng.randint(1, 100_000))
        life.add(
            "share_reserve_reported",
            day.isoformat(),
            reserved=reserved,
            conversion_shares=conversion,
            warrant_shares=25974,
        )
    elif draw < 0.80:
        life.add("closing_bid", f"{day}T16:00", price=round(rng.uniform(1, 8) * 16) / 16)
    elif draw < 0.94:
        life.add("common_stock_issued", stamp(day, minute), shares=rng.randint(1_000, 100_000))
    elif draw < 0.97:
        offer = f"O{serial}"
        life.add("rofr_notice_received", stamp(day, minute), offer_id=offer)
        if rng.random() < 0.5:
            when = stamp(life.days[min(i + 2, life.last)], 60)
            life.add("rofr_exercised", when, offer_id=offer, portion=rng.choice((0.5, 1.0)))
    elif draw < 0.99:
        life.add("securities_transferred", day.isoformat(), to_us_person=rng.random() < 0.1)
    else:
        purpose = rng.choice(("working_capital", "working_capital", "loan", "investment"))
        life.add("proceeds_used", day.isoformat(), purpose=purpose)


@dataclass(frozen=True)
class Template:
    """A rule file and how to write the life of one of its instances."""

    path: Path
    prefix: str  # instance ids: f"{prefix}-{k:06d}"
    deal: Callable[[Life], None]
    event: Callable[[Life, int], None]
    parameter: tuple[str, int, int]  # a parameter drawn per instance: name, low, high


TEMPLATES = {
    "nhtc-series-j": Template(
        ROOT / "rules" / "nhtc-series-j.yaml",
        "nhtc-j",
        seed_deal,
        seed_event,
        ("outstanding_shares", 2_000_000, 20_000_000),
    ),
}


def instance_ids(template: Template, count: int) -> list[str]:
    """The ids of ``count`` instances of a template."""
    return [f"{template.prefix}-{k:06d}" for k in range(1, count + 1)]


def rule_file(template: Template, ids: list[str], rng: random.Random) -> str:
    """The template's rule file with ``contract.instances`` listing ``ids``."""
    name, low, high = template.parameter
    lines = ["  instances:\n"]
    for iid in ids:
        lines.append(f"    - {{id: {iid}, parameters: {{{name}: {rng.randint(low, high)}}}}}\n")
    text = template.path.read_text(encoding="utf-8")
    anchor = "\n  notices:\n"  # instances go inside `contract:`, before its notices
    if anchor not in text:
        raise SystemExit(f"{template.path}: no `  notices:` in `contract:` to insert before")
    return text.replace(anchor, "\n" + "".join(lines) + anchor[1:], 1)


# The credit-agreement template (rules/credit-agreement.yaml): its instances are rows of
# a CSV portfolio file; each life is told in the calendar of its own Business Days (XFED).
CREDIT = ROOT / "rules" / "credit-agreement.yaml"
CREDIT_PREFIX = "credit"
CREDIT_FIRST = date(1990, 1, 2)  # the XFED calendar starts in 1990
CREDIT_COLUMNS = (
    "id", "template", "title", "time_zone", "party.borrower", "party.administrative_agent",
    "param.principal", "param.maturity_date", "param.fiscal_year_end", "param.max_leverage",
)  # fmt: skip
NAMES = (
    "Atlas", "Beacon", "Cobalt", "Delta", "Evergreen", "Falcon", "Granite", "Harbor",
    "Ironwood", "Juniper", "Keystone", "Lakeside", "Meridian", "Northwind", "Oakmont",
    "Pinnacle", "Quarry", "Redstone", "Summit", "Tidewater", "Union", "Vanguard",
    "Westfield", "Yellowstone",
)  # fmt: skip
TRADES = (
    "Coldchain", "Freight", "Foods", "Health", "Industries", "Logistics", "Media",
    "Packaging", "Chemicals", "Energy", "Retail", "Software", "Steel", "Textiles",
)  # fmt: skip
FORMS = ("Holdings, Inc.", "Corp.", "LLC", "Group, Inc.", "Holdings LLC", "Partners, L.P.")
AGENTS = (
    "First Hudson Bank, N.A.", "Lakeshore Capital Bank", "Bank of the Republic, N.A.",
    "Continental Trust Company", "Empire State Bank", "Midland National Bank",
)  # fmt: skip
ZONES = (("America/New_York", 0.85), ("America/Chicago", 0.10), ("America/Los_Angeles", 0.05))
YEAR_ENDS = (("12-31", 0.70), ("06-30", 0.12), ("09-30", 0.12), ("03-31", 0.06))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


class Banking:
    """Business Days (the engine's XFED calendar) and the template's ways of counting."""

    def __init__(self, last: date) -> None:
        _engine()
        from engine.days.calendars import get_calendar

        self.days = get_calendar("XFED").days_after(CREDIT_FIRST - timedelta(days=1), last)

    def following(self, day: date) -> date:
        """``day`` or the next Business Day."""
        return self.days[bisect.bisect_left(self.days, day)]

    def modified_following(self, day: date) -> date:
        """The next Business Day, unless it is in the next month: then the one before."""
        rolled = self.following(day)
        if rolled.month == day.month:
            return rolled
        return self.days[bisect.bisect_left(self.days, day) - 1]

    def preceding(self, day: date) -> date:
        """``day`` or the Business Day before."""
        return self.days[bisect.bisect_right(self.days, day) - 1]

    def span(self, first: date, last: date) -> list[date]:
        """The Business Days ``first``..``last``."""
        return self.days[
            bisect.bisect_left(self.days, first) : bisect.bisect_right(self.days, last)
        ]

    def add(self, day: date, count: int) -> date:
        """The ``count``-th Business Day strictly after ``day`` (before it when negative)."""
        if count < 0:
            return self.days[bisect.bisect_left(self.days, day) + count]
        return self.days[bisect.bisect_right(self.days, day) + count - 1]


def _month_end(year: int, month: int) -> date:
    first = date(year + month // 12, month % 12 + 1, 1)
    return first - timedelta(days=1)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Loan:
    """One credit-agreement instance: its row's values and what its life needs."""

    iid: str
    closing: date
    tenor: int  # years
    principal: int
    year_end: str  # MM-DD
    steps: list[tuple[float, date | None]]  # the maximum leverage: (value, from)
    zone: str
    borrower: str
    agent: str
    rate: float  # a year, for the interest amounts (no rule checks them)
    amortization: float  # of the principal, each Interest Payment Date
    other_debt: float  # debt besides the Term Loans, as a share of the principal
    cushion: float  # how far below the first maximum the leverage starts
    seed: int  # the random source of its life, so that it can be told again

    @property
    def maturity(self) -> date:
        """The Maturity Date as scheduled: the tenor after the Closing Date."""
        return _years_later(self.closing, self.tenor)

    def row(self) -> list[str]:
        """Its row of the CSV portfolio file (``CREDIT_COLUMNS``)."""
        schedule = "; ".join(
            f"{value:.2f}" + (f" from {start}" if start else "") for value, start in self.steps
        )
        return [
            self.iid, "credit-agreement", f"{self.borrower} term loan",
            "" if self.zone == "America/New_York" else self.zone, self.borrower, self.agent,
            str(self.principal), str(self.maturity), self.year_end, schedule,
        ]  # fmt: skip

    def maximum(self, day: date) -> float:
        """The maximum leverage in force on ``day``."""
        value = self.steps[0][0]
        for step, start in self.steps[1:]:
            if start is not None and start <= day:
                value = step
        return value


def credit_loan(iid: str, rng: random.Random) -> Loan:
    """An instance's terms (its closing date is fitted to its facts later)."""
    tenor = rng.choice((5, 5, 6, 7, 7))
    first = rng.choice((3.50, 3.75, 4.00, 4.00, 4.25, 4.50, 5.00, 5.50))
    borrower = f"{rng.choice(NAMES)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
    return Loan(
        iid=iid,
        closing=CREDIT_FIRST,
        tenor=tenor,
        principal=rng.randrange(10, 121) * 5_000_000,
        year_end=_pick(rng, YEAR_ENDS),
        steps=[(first, None)],
        zone=_pick(rng, ZONES),
        borrower=borrower,
        agent=rng.choice(AGENTS),
        rate=rng.uniform(0.05, 0.10),
        amortization=rng.choice((0.0, 0.0025, 0.0025, 0.0125)),
        other_debt=rng.choice((0.0, 0.0, 0.1, 0.25)),
        cushion=rng.uniform(0.25, 1.5),
        seed=rng.getrandbits(64),
    )


def _step_downs(loan: Loan, rng: random.Random) -> None:
    """Up to three step-downs of the maximum, each from the day after a fiscal quarter."""
    value, start = loan.steps[0][0], loan.closing
    loan.steps = [(value, None)]
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        start = _years_later(start, rng.choice((1, 1, 2)))
        value -= rng.choice((0.25, 0.25, 0.50))
        if start >= loan.maturity or value < 2.5:
            break
        day = _month_end(start.year, start.month + (-start.month) % 3) + timedelta(days=1)
        if day >= loan.maturity or (loan.steps[-1][1] or date.min) >= day:
            break
        loan.steps.append((value, day))


def fiscal_quarter(end: date, year_end: str) -> tuple[str, bool]:
    """The template's name of the fiscal quarter ending on ``end``, and whether it is Q4."""
    month = int(year_end[:2])
    n = ((end.month - month - 1) % 12) // 3 + 1
    year = end.year if end.month <= month else end.year + 1
    return f"{year}-Q{n}", n == 4


def quarter_ends(after: date, through: date, months: tuple[int, ...]) -> list[date]:
    """Month ends in ``months`` strictly after ``after`` and on or before ``through``."""
    ends, year = [], after.year
    while True:
        for month in months:
            end = _month_end(year, month)
            if end > through:
                return ends
            if end > after:
                ends.append(end)
        year += 1


def credit_life(loan: Loan, banks: Banking, as_of: date) -> list[Fact]:
    """The facts of one loan from its Closing Date to ``as_of`` (none dated after), in the
    mix of facts/meridian-term-loan.jsonl and facts/harbor-term-loan.jsonl."""
    rng = random.Random(loan.seed)
    _step_downs(loan, rng)
    events: list[tuple[date, int, Fact]] = []
    serial = [0]

    def add(day: date, kind: str, at: str | None = None, **fields: Any) -> None:
        if day <= as_of:
            serial[0] += 1
            events.append((day, serial[0], {"type": kind, "at": at or str(day), **fields}))

    def default(day: date, what: str) -> None:
        """A Default known to a Responsible Officer on ``day``, and the notice of it."""
        known = banks.following(day)
        did = f"D-{known:%Y%m%d}-{serial[0]}"
        add(known, "default_known", f"{known}T09:00", default_id=did, description=what)
        fate = rng.random()
        if fate < 0.85:
            add(banks.add(known, rng.randint(1, 5)), "default_notice_delivered", default_id=did)
        elif fate < 0.95:
            add(banks.add(known, rng.randint(6, 15)), "default_notice_delivered", default_id=did)

    def waive(day: date, rule: str, key: str) -> None:
        party = _pick(rng, (("required_lenders", 0.75), ("lenders", 0.1),
                            ("administrative_agent", 0.1), ("borrower", 0.05)))  # fmt: skip
        add(day, "waiver", rule=rule, key=key, party=party, clause="8.02")

    principal, outstanding = loan.principal, loan.principal
    maturity_date = loan.maturity
    maturity = banks.modified_following(maturity_date)
    add(loan.closing, "term_loan_funded", amount=principal)
    fye = int(loan.year_end[:2])
    fiscal = quarter_ends(
        loan.closing, maturity_date, tuple(sorted((fye + k) % 12 or 12 for k in (3, 6, 9, 12)))
    )
    scheduled = quarter_ends(loan.closing, maturity_date, (3, 6, 9, 12))
    if maturity_date not in scheduled:
        scheduled.append(maturity_date)
    balances = [(loan.closing, principal)]  # the principal outstanding from each day on
    prepaid = 0
    # Interest Payment Dates, with amortization and now and then a prepayment.
    for when in scheduled:
        pay = banks.modified_following(when)
        amount = round(outstanding * loan.rate / 4)
        fate = rng.random()
        if fate < 0.90:
            day = pay if rng.random() < 0.75 else banks.add(pay, -rng.randint(1, 2))
            if rng.random() < 0.03:  # short, the rest a few days later
                part = round(amount * rng.uniform(0.5, 0.9))
                add(day, "interest_paid", period=str(when), amount=part)
                rest = banks.add(day, rng.randint(1, 6))
                add(rest, "interest_paid", period=str(when), amount=amount - part)
            else:
                add(day, "interest_paid", period=str(when), amount=amount)
        elif fate < 0.955:  # late, within the three Business Days of grace
            add(banks.add(pay, rng.randint(1, 3)), "interest_paid", period=str(when),
                amount=amount)  # fmt: skip
        elif fate < 0.985:  # late beyond the grace: an Event of Default
            late = banks.add(pay, rng.randint(4, 20))
            grace = banks.add(pay, 3)
            if rng.random() < 0.7:
                default(banks.add(grace, 1), f"interest for the Interest Payment Date of "
                        f"{when} unpaid at the end of the grace period")  # fmt: skip
            add(late, "interest_paid", f"{late}T11:00", period=str(when), amount=amount)
            if rng.random() < 0.3:
                waive(banks.add(late, rng.randint(1, 10)), "interest-default", str(when))
        else:  # never paid
            if rng.random() < 0.5:
                default(banks.add(pay, 4), f"interest for {when} not paid")
        if when == maturity_date:
            continue
        if loan.amortization and fate < 0.955:
            amortized = round(principal * loan.amortization)
            add(pay, "principal_paid", f"{pay}T15:00", amount=amortized)
            outstanding -= amortized
            balances.append((pay, outstanding))
        if rng.random() < 0.02 and prepaid < 0.5 * principal:
            cut = rng.randint(1, 4) * principal // 20
            day = banks.add(pay, -rng.randint(5, 40))
            add(day, "principal_paid", f"{day}T14:00", amount=cut)
            outstanding, prepaid = outstanding - cut, prepaid + cut
            balances.append((day, outstanding))
    # The Maturity Date: the rest of the principal, usually on the day.
    fate = rng.random()
    if fate < 0.92:
        add(maturity, "principal_paid", f"{maturity}T15:00", amount=outstanding)
    elif fate < 0.96:
        later = banks.add(maturity, rng.randint(1, 20))
        add(later, "principal_paid", amount=outstanding)
    elif fate < 0.98:
        add(maturity, "principal_paid", amount=round(outstanding * 0.7))
    repaid = maturity if fate < 0.92 else date.max
    # Fiscal quarters: statements, the Compliance Certificate and its leverage test, cures.
    balances.sort()

    def debt(day: date) -> float:
        owed = balances[bisect.bisect_right(balances, (day, math.inf)) - 1][1]
        return owed + loan.other_debt * principal

    ebitda = debt(loan.closing) / (loan.steps[0][0] - loan.cushion)
    for end in fiscal:
        if end > repaid:
            break
        name, annual = fiscal_quarter(end, loan.year_end)
        due = banks.following(end + timedelta(days=90 if annual else 45))
        cure_deadline = banks.add(due, 10)
        ebitda *= math.exp(rng.gauss(0.008, 0.05) - (0.25 if rng.random() < 0.03 else 0))
        total = round(debt(end), -5)
        profit = round(ebitda, -5)
        maximum = loan.maximum(end)
        if rng.random() < 0.01:  # exactly at the maximum: passes
            profit = round(ebitda, -6) or 1_000_000
            total = round(profit * maximum)
        fate = rng.random()
        if fate < 0.86:
            delivered = banks.preceding(due - timedelta(days=rng.choice((0, 0, 1, 3, 7, 14))))
        elif fate < 0.96:
            delivered = banks.add(due, rng.randint(1, 30))
            if rng.random() < 0.3:
                default(banks.add(due, 1), f"financial statements for {name} not delivered")
        else:
            delivered = None
        if delivered is None or delivered > due:
            if rng.random() < 0.35:
                waive(banks.add(due, rng.randint(1, 20)), "financial-statements", name)
        if delivered is not None:
            at = f"{delivered}T23:55" if rng.random() < 0.02 else str(delivered)
            add(delivered, "financial_statements_delivered", at, period=name)
        figures = {"period": name, "total_debt": total, "ebitda": profit}
        fate = rng.random()
        certified = None
        if delivered is not None and fate < 0.88:
            certified = delivered
            add(delivered, "compliance_certificate_delivered", at, **figures)
        elif delivered is not None and fate < 0.92:
            certified = banks.add(delivered, -rng.randint(1, 5))
            add(certified, "compliance_certificate_delivered", **figures)
        elif fate < 0.97:
            certified = banks.add(delivered or due, rng.randint(1, 10))
            add(certified, "compliance_certificate_delivered", **figures)
        if certified is None or total <= maximum * profit:
            continue
        # The test fails: a cure (usually enough, usually on time), a waiver, or a Default.
        fate = rng.random()
        if fate < 0.55:
            needed = total / maximum - profit
            amount = math.ceil(needed / 1e6) * 1_000_000 if rng.random() < 0.85 else None
            amount = amount or max(100_000, round(needed / 2, -5))
            window = banks.span(max(certified, end + timedelta(days=1)), cure_deadline)
            if window and rng.random() < 0.9:
                day = rng.choice(window)
            else:  # too late to count
                day = banks.add(max(cure_deadline, certified), rng.randint(1, 10))
            add(day, "equity_cure_received", period=name, amount=amount)
        elif fate < 0.75:
            waive(banks.add(cure_deadline, rng.randint(-5, 15)), "leverage-ratio", name)
        if fate >= 0.55 and rng.random() < 0.5:
            default(banks.add(cure_deadline, 1), f"Consolidated Leverage Ratio for {name} "
                    f"above {maximum:.2f}:1.00")  # fmt: skip
    events.sort(key=lambda e: (e[0], e[1]))
    return [fact for _, _, fact in events]


def credit_filler(loan: Loan, banks: Banking, as_of: date, rng: random.Random,
                  count: int) -> list[Fact]:  # fmt: skip
    """``count`` more facts over a loan's life when its story is shorter than its share:
    Defaults known (each with its notice, given on time, late or never) and, while the
    principal outstanding stays above half, small prepayments."""
    first, last = loan.closing + timedelta(days=1), min(as_of, loan.maturity - timedelta(days=1))
    span = max(0, (last - first).days)
    facts: list[Fact] = []
    prepaid = 0
    while len(facts) < count:
        day = banks.following(first + timedelta(days=rng.randint(0, span)))
        day = min(day, banks.preceding(last)) if last >= first else loan.closing
        if rng.random() < 0.2 and prepaid + loan.principal // 200 <= loan.principal // 4:
            prepaid += loan.principal // 200
            facts.append({"type": "principal_paid", "at": f"{day}T14:00",
                          "amount": loan.principal // 200})  # fmt: skip
            continue
        did = f"E-{len(facts) + 1}"
        facts.append({"type": "default_known", "at": f"{day}T10:00", "default_id": did,
                      "description": "a Default reported by the Borrower"})  # fmt: skip
        if len(facts) < count and rng.random() < 0.95:
            notice = banks.add(day, rng.randint(1, 5) if rng.random() < 0.9 else rng.randint(6, 12))
            if notice <= as_of:
                facts.append({"type": "default_notice_delivered", "at": str(notice),
                              "default_id": did})  # fmt: skip
    return facts


def credit_facts(loan: Loan, banks: Banking, as_of: date, count: int) -> list[Fact]:
    """Exactly ``count`` facts for a loan: its Closing Date is moved (its terms and its
    random source kept) until its story up to ``as_of`` fits, then topped up."""
    if count == 0:
        return []
    per_quarter = 3.3 + (1 if loan.amortization else 0)
    quarters = (count - 1) / per_quarter
    whole = loan.tenor * 4
    rng = random.Random(loan.seed ^ 0x5EED)
    if quarters >= whole * 0.9:  # a busy loan: closed early enough to have matured
        loan.tenor = min(10, max(loan.tenor, math.ceil(quarters / 4)))  # a longer one
        latest = _years_later(as_of, -loan.tenor) - timedelta(days=30)
        span = max(0, (latest - CREDIT_FIRST).days)
        start = CREDIT_FIRST + timedelta(days=rng.randint(0, span))
    else:
        start = as_of - timedelta(days=round(quarters * 91.3) + rng.randint(0, 60))
    closing = banks.following(max(CREDIT_FIRST, start))
    last = banks.preceding(as_of)
    while True:
        loan.closing = min(closing, last)
        facts = credit_life(loan, banks, as_of)
        if len(facts) <= count or loan.closing == last:
            break
        closing = banks.following(closing + timedelta(days=30))
    if len(facts) > count:  # only the funding is left to drop
        facts = facts[:count]
    more = credit_filler(loan, banks, as_of, rng, count - len(facts))
    facts += more
    return facts


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` spread over ``parts``, unevenly (some instances are busier), summing exactly."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for k in range(total - sum(counts)):
        counts[k % parts] += 1
    return counts


def credit_rows(loans: list[Loan]) -> str:
    """The CSV portfolio file of the credit-agreement instances."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CREDIT_COLUMNS)
    writer.writerows(loan.row() for loan in loans)
    return buffer.getvalue()


def portfolio(
    n: int, m: int, seed: int, shared: float, credit: float = 0.0
) -> tuple[dict[str, str], list[Fact]]:
    """The rule files (name: text) and ``n`` facts (time-sorted, ids ``p-0000001``...)
    over ``m`` instances: ``round(m * credit)`` of the credit-agreement template (ids
    ``credit-000001``...; the template and a CSV of them), the others of the seed
    template (``portfolio.yaml``). With ``credit`` 0 the files are those of the seed
    template alone, as before the credit template was added."""
    rng = random.Random(seed)
    template = TEMPLATES["nhtc-series-j"]
    m_credit = round(m * credit)
    ids = instance_ids(template, m - m_credit)
    text = rule_file(template, ids, rng)
    days = trading_days(FIRST_DAY, LAST_DAY + timedelta(days=60))
    last = max(i for i, d in enumerate(days) if d <= LAST_DAY)
    last_start = max(i for i, d in enumerate(days) if d <= LAST_START)
    n_shared = int(n * shared)
    facts: list[Fact] = []
    counts = split(n - n_shared, m, rng)
    for iid, count in zip(ids, counts, strict=False):
        life = Life(rng, days, rng.randint(0, last_start), last, [])
        template.deal(life)
        serial = 0
        while len(life.facts) < count:
            serial += 1
            template.event(life, serial)
        for fact in life.facts[:count]:
            fact["contract"] = iid
            facts.append(fact)
    files = {"portfolio.yaml": text} if ids else {}  # no instance: no file (not the template's own)
    if m_credit:
        # A random source of its own: the seed template's part does not change with it.
        crng = random.Random(f"credit-{seed}")
        banks = Banking(date(LAST_DAY.year + 9, 12, 31))  # past the last Maturity Date
        as_of = date.fromisoformat(AS_OF)
        loans = []
        for k, count in enumerate(counts[len(ids) :], start=1):
            loan = credit_loan(f"{CREDIT_PREFIX}-{k:06d}", crng)
            for fact in credit_facts(loan, banks, as_of, count):
                fact["contract"] = loan.iid
                facts.append(fact)
            loans.append(loan)
        files[CREDIT.name] = CREDIT.read_text(encoding="utf-8")
        files["credit-portfolio.csv"] = credit_rows(loans)
    for _ in range(n_shared):
        day = days[rng.randint(0, last)]
        price = round(rng.uniform(1, 8) * 16) / 16
        facts.append({"type": "closing_bid", "at": f"{day}T16:00", "price": price, "contract": "*"})
    facts.sort(key=lambda f: f["at"] if "T" in f["at"] else f["at"] + "T00:00")
    for k, fact in enumerate(facts, start=1):
        fact["id"] = f"p-{k:07d}"
    return files, facts


def write(out: Path, files: str | dict[str, str], facts: list[Fact]) -> tuple[Path, Path]:
    """Write the rule files into ``out/rules`` (a text alone is ``portfolio.yaml``) and
    the facts into ``out/facts/portfolio.jsonl``; return the two folders."""
    rules, logs = out / "rules", out / "facts"
    rules.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    if isinstance(files, str):
        files = {"portfolio.yaml": files}
    for stale in ("portfolio.yaml", CREDIT.name, "credit-portfolio.csv"):
        if stale not in files:
            (rules / stale).unlink(missing_ok=True)  # from an earlier run with --credit
    for name, text in files.items():
        (rules / name).write_text(text, encoding="utf-8")
    with (logs / "portfolio.jsonl").open("w", encoding="utf-8") as fh:
        for fact in facts:
            fh.write(json.dumps({"id": fact["id"], **{k: v for k, v in fact.items() if k != "id"}}))
            fh.write("\n")
    return rules, logs


def main(argv: list[str] | None = None) -> int:
    """Write a generated portfolio; print where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000, metavar="N")
    parser.add_argument("--instances", type=int, default=1_000, metavar="M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--shared",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="fraction of the facts without `contract` (default 0)",
    )
    parser.add_argument(
        "--credit",
        type=float,
        default=CREDIT_SHARE,
        metavar="FRACTION",
        help=f"fraction of the instances of the credit-agreement template (default {CREDIT_SHARE})",
    )
    parser.add_argument("--out", required=True, metavar="DIR")
    args = parser.parse_args(argv)
    if not 0 <= args.credit <= 1:
        parser.error("--credit must be between 0 and 1")
    files, facts = portfolio(args.facts, args.instances, args.seed, args.shared, args.credit)
    rules, logs = write(Path(args.out), files, facts)
    print(
        f"{len(facts):,} facts over {args.instances:,} instances "
        f"({round(args.instances * args.credit):,} credit agreements): "
        f"--rules {rules} --facts {logs} --as-of {AS_OF}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
