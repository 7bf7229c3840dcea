"""Generate a portfolio reproducibly: a rule file with M instances and N facts over them.

Each instance is one signed copy of a template (today the seed agreement,
``rules/nhtc-series-j.yaml``; a template is a rule file plus a function that writes one
instance's life as facts). An instance's life starts on a trading day drawn in
2000-2002: the deal (acceptance, funding, closing, warrants, registration, meeting, with
a few late or missing steps), then events until the end of 2004 in the mix of
``scripts/bench.py`` (conversion notices delivered on time, late or never, share reserve
reports, closing bids, Common Stock issuances) plus occasional offers of a New
Transaction, transfers and uses of proceeds. Every fact names its instance
(``contract``), except a share ``--shared`` of them (a fraction) that applies to every
instance of the portfolio (market closing bids: ``"contract": "*"``).

The same seed gives the same files byte for byte. Run::

    python scripts/portfolio.py --facts 100000 --instances 1000 --out /tmp/portfolio
    clausewatch check --rules /tmp/portfolio/rules --facts /tmp/portfolio/facts \\
        --as-of 2004-12-31 --format json
"""

from __future__ import annotations

import argparse
import json
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


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` spread over ``parts``, unevenly (some instances are busier), summing exactly."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for k in range(total - sum(counts)):
        counts[k % parts] += 1
    return counts


def portfolio(n: int, m: int, seed: int, shared: float) -> tuple[str, list[Fact]]:
    """The rule file text and ``n`` facts (time-sorted, ids ``p-0000001``...) over ``m``
    instances of the seed template."""
    rng = random.Random(seed)
    template = TEMPLATES["nhtc-series-j"]
    ids = instance_ids(template, m)
    text = rule_file(template, ids, rng)
    days = trading_days(FIRST_DAY, LAST_DAY + timedelta(days=60))
    last = max(i for i, d in enumerate(days) if d <= LAST_DAY)
    last_start = max(i for i, d in enumerate(days) if d <= LAST_START)
    n_shared = int(n * shared)
    facts: list[Fact] = []
    for iid, count in zip(ids, split(n - n_shared, m, rng), strict=True):
        life = Life(rng, days, rng.randint(0, last_start), last, [])
        template.deal(life)
        serial = 0
        while len(life.facts) < count:
            serial += 1
            template.event(life, serial)
        for fact in life.facts[:count]:
            fact["contract"] = iid
            facts.append(fact)
    for _ in range(n_shared):
        day = days[rng.randint(0, last)]
        price = round(rng.uniform(1, 8) * 16) / 16
        facts.append({"type": "closing_bid", "at": f"{day}T16:00", "price": price, "contract": "*"})
    facts.sort(key=lambda f: f["at"] if "T" in f["at"] else f["at"] + "T00:00")
    for k, fact in enumerate(facts, start=1):
        fact["id"] = f"p-{k:07d}"
    return text, facts


def write(out: Path, text: str, facts: list[Fact]) -> tuple[Path, Path]:
    """Write ``out/rules/portfolio.yaml`` and ``out/facts/portfolio.jsonl``; their folders."""
    rules, logs = out / "rules", out / "facts"
    rules.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    (rules / "portfolio.yaml").write_text(text, encoding="utf-8")
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
    parser.add_argument("--out", required=True, metavar="DIR")
    args = parser.parse_args(argv)
    text, facts = portfolio(args.facts, args.instances, args.seed, args.shared)
    rules, logs = write(Path(args.out), text, facts)
    print(f"{len(facts):,} facts over {args.instances:,} instances: --rules {rules} --facts {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
