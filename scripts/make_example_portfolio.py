"""Write the bundled example portfolio: 50 instances of the seed template and their facts.

    python scripts/make_example_portfolio.py [--out examples/portfolio] [--count 50]

The output is reproducible (a fixed seed): ``instances.csv`` (the seed agreement's own
instance, then one row per generated instance, ``param.*`` columns) and
``facts/<instance>.jsonl`` (each fact names its ``contract``).
Each instance tells a short 2000 story of the Series J agreement: acceptance, the
deposit (on time, or a day late), the closing conditions and the closing, the
certificates and the Registration Rights Agreement, the warrants, and share reserve
reports (some short). Run from the repository root; it overwrites what is there.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 20001231
TEMPLATE = "nhtc-series-j"


def _weekday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _story(rng: random.Random, contract: str, n: int) -> list[dict[str, object]]:
    """One instance's facts, in time order."""
    accepted = _weekday(date(2000, 2, 1) + timedelta(days=rng.randrange(0, 200)))
    deposit = accepted + timedelta(days=rng.choice([1, 2, 4, 9]))
    conditions = deposit + timedelta(days=rng.randrange(3, 10))
    closing = _weekday(conditions + timedelta(days=rng.choice([1, 1, 1, 4])))
    offering = rng.choice([500_000, 750_000, 1_000_000])
    bid = rng.choice([2.5, 3.0, 3.5, 4.0])
    shares = int(0.20 * offering // round(1.10 * bid, 2))
    facts = [
        ("agreement_accepted", accepted.isoformat(), {}),
        ("purchase_price_deposited", f"{deposit}T15:00", {"amount": offering}),
        ("closing_conditions_satisfied", f"{conditions}T10:00", {}),
        ("closing_bid", f"{closing - timedelta(days=1)}T16:00", {"price": bid}),
        ("closing", f"{closing}T11:00", {}),
        ("certificates_delivered", f"{closing}T11:00", {}),
        ("registration_rights_agreement_signed", f"{closing}T11:30", {}),
        ("warrants_issued", f"{closing}T12:00", {
            "shares": shares, "exercise_price": round(1.10 * bid, 2)}),
    ]
    for month in (6, 9, 12):
        conversion = rng.randrange(100_000, 300_000)
        reserved = int(conversion * rng.choice([1.4, 1.6, 2.0])) + shares
        facts.append(("share_reserve_reported", f"2000-{month:02d}-28", {
            "reserved": reserved, "conversion_shares": conversion, "warrant_shares": shares}))
    return [
        {"id": f"{contract}-f{i:02d}", "type": t, "at": at, "contract": contract, **fields}
        for i, (t, at, fields) in enumerate(facts, start=1)
    ]


def main() -> None:
    """Write the CSV and the fact logs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples/portfolio")
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(SEED)
    out = Path(args.out)
    (out / "facts").mkdir(parents=True, exist_ok=True)
    with (out / "instances.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["id", "template", "title", "party.buyer", "param.outstanding_shares"])
        # The seed agreement itself (its facts: facts/nhtc-series-j-*.jsonl).
        writer.writerow([TEMPLATE, TEMPLATE, "NHTC Series J Securities Purchase Agreement", "", ""])
        for n in range(1, args.count + 1):
            contract = f"nhtc-j-{n:03d}"
            outstanding = rng.choice([7_860_000, 8_000_000, 9_500_000])
            title = f"NHTC Series J SPA, Buyer {n:03d}"
            writer.writerow([contract, TEMPLATE, title, f"Buyer {n:03d} LP", outstanding])
            lines = _story(rng, contract, n)
            text = "".join(json.dumps(f) + "\n" for f in lines)
            (out / "facts" / f"{contract}.jsonl").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
