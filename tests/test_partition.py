"""Partitioning a run by instance: which facts each part gets, counts made once.

The as-of day ends at 24:00 in each contract's time zone, worked by hand: as of
2000-03-31, New York (EST, -05:00) ends at 2000-04-01 05:00 UTC, Tokyo (JST, +09:00) at
2000-03-31 15:00 UTC. A fact at 2000-03-31 12:00 -05:00 (17:00 UTC) is after Tokyo's day
and within New York's.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.run.partition import BATCH, Part, part_count, plan

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2000, 3, 31)


def seed_with(tmp_path: Path, name: str, ids: list[str], tz: str = "America/New_York") -> Path:
    """The seed rule file as contract ``name`` in ``tz`` with the given instances."""
    text = (ROOT / "rules" / "nhtc-series-j.yaml").read_text()
    text = text.replace("  id: nhtc-series-j\n", f"  id: {name}\n", 1)
    text = text.replace("time_zone: America/New_York", f"time_zone: {tz}", 1)
    block = "".join(f"    - {{id: {i}}}\n" for i in ids)
    text = text.replace("  notices:\n", f"  instances:\n{block}  notices:\n", 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def write(tmp_path: Path, facts: list[dict]) -> str:
    path = tmp_path / "facts.jsonl"
    path.write_text("".join(json.dumps(f) + "\n" for f in facts))
    return str(path)


def ids(part: Part) -> list[str]:
    return [f.id for f in part.facts]


def test_each_fact_goes_to_its_instance_and_shared_facts_to_every_part(tmp_path):
    contracts = load_contracts([str(seed_with(tmp_path, "deal", ["a", "b", "c"]))])
    facts = read_facts([write(tmp_path, [
        {"id": "acc-all", "type": "agreement_accepted", "at": "2000-03-03T10:00",
         "contract": "*"},
        {"id": "dep-a", "type": "purchase_price_deposited", "at": "2000-03-08T16:00",
         "amount": 1, "contract": "a"},
        {"id": "dep-c", "type": "purchase_price_deposited", "at": "2000-03-08T16:30",
         "amount": 1, "contract": "c"},
        {"id": "late-b", "type": "closing", "at": "2000-04-01T00:00", "contract": "b"},
        {"id": "late-all", "type": "closing_bid", "at": "2000-04-03T16:00", "price": 3,
         "contract": "*"},
        {"id": "bid-all", "type": "closing_bid", "at": "2000-03-31T16:00", "price": 3,
         "contract": "*"},
    ])], contracts)
    split = plan(contracts, facts, AS_OF, batch=2)
    assert [[m.instance for m in p.members] for p in split.parts] == [["a", "b"], ["c"]]
    assert ids(split.parts[0]) == ["acc-all", "dep-a", "bid-all"]
    assert ids(split.parts[1]) == ["acc-all", "dep-c", "bid-all"]
    # Counted once for the run, not once per part: 4 considered, 2 later in input order.
    assert split.considered == 4
    assert [f.id for f in split.after_as_of] == ["late-b", "late-all"]


def test_a_shared_fact_is_later_only_when_it_is_for_every_contract_taking_it(tmp_path):
    contracts = load_contracts([
        str(seed_with(tmp_path, "ny", ["ny-1"])),
        str(seed_with(tmp_path, "tokyo", ["tk-1"], tz="Asia/Tokyo")),
    ])
    facts = read_facts([write(tmp_path, [
        # 17:00 UTC: after Tokyo's as-of day, within New York's: considered, sent to both.
        {"id": "noon", "type": "closing_bid", "at": "2000-03-31T12:00:00-05:00", "price": 3,
         "contract": "*"},
        {"id": "tk-noon", "type": "closing", "at": "2000-03-31T12:00:00-05:00",
         "contract": "tk-1"},
        # 06:00 UTC on 04-01: after both.
        {"id": "night", "type": "closing_bid", "at": "2000-04-01T01:00:00-05:00", "price": 3,
         "contract": "*"},
    ])], contracts)
    split = plan(contracts, facts, AS_OF, batch=1)
    assert [[m.instance for m in p.members] for p in split.parts] == [["ny-1"], ["tk-1"]]
    assert [ids(p) for p in split.parts] == [["noon"], ["noon"]]
    assert split.considered == 1
    assert [f.id for f in split.after_as_of] == ["tk-noon", "night"]


def test_parts_hold_at_most_a_batch_and_cover_every_instance_in_order(tmp_path):
    names = [f"i{k:04d}" for k in range(600)]
    contracts = load_contracts([str(seed_with(tmp_path, "many", names))])
    split = plan(contracts, [], AS_OF, batch=256)
    assert [p.size for p in split.parts] == [200, 200, 200]  # 3 batches of <= 256, even
    # 600 / 32 = 18.75: 19 parts of at most 32, cut evenly by weight (one per instance
    # here): sizes 31 or 32 adding up to 600: 19 x 31 = 589, so 11 parts of 32 and 8 of 31
    assert sorted(p.size for p in plan(contracts, [], AS_OF).parts) == [31] * 8 + [32] * 11
    assert [m.instance for p in split.parts for m in p.members] == names
    assert max(p.size for p in plan(contracts, [], AS_OF, jobs=2).parts) <= BATCH
    assert len(plan(contracts, [], AS_OF, jobs=2, batch=256).parts) == 8  # 4 parts per job
    assert len(plan(contracts, [], AS_OF, jobs=2).parts) == 19  # more than 4 per job already


def test_part_count():
    assert part_count(0, 4) == 0
    assert part_count(1, 1) == 1
    assert part_count(1, 8) == 1  # one instance: one part, whatever the jobs
    assert part_count(256, 1, batch=256) == 1
    assert part_count(257, 1, batch=256) == 2
    assert part_count(100_000, 1, batch=256) == 391  # 100,000 / 256 = 390.6
    assert part_count(32, 1) == 1  # BATCH, 32
    assert part_count(33, 1) == 2
    assert part_count(100_000, 1) == 3125  # 100,000 / 32
    assert part_count(100, 2) == 8
