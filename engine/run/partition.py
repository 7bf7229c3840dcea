"""Partitioning a run by contract instance: which facts each batch of instances needs.

Instances share no state, so a run can be split into parts, each a batch of instances
evaluated by its own durable_rules host (durable_rules 2.0.28 allows at most 1,024
sessions per ruleset, one session per instance), in any process or machine. The split is
made once, here, for the whole run:

* which facts are considered and which are dated after the as-of day is decided over the
  whole run, fact by fact, exactly as a single run decides it (a fact goes to the
  instance it names, or, with ``"contract": "*"`` (or none), to every instance whose
  contract has its type; it is after the as-of day when it is so for every instance it goes to), so
  ``considered`` is counted once and the later facts are listed once, in input order;
* each considered fact goes to the part of the instance it names; a fact without
  ``contract`` goes to every part with an instance that can take its type;
* parts are runs of consecutive instances in run order (contracts in the order given,
  instances in file order), at most ``batch`` each, balanced by the facts they receive.

Findings of the parts, concatenated in part order, are in the order a single run lists
them, so that sorting them gives the same result byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

from engine.days.instants import end_of_day, epoch_us
from engine.model import Contract, Fact

# Instances per part. durable_rules gives each session about 1 MiB of C memory and a host
# keeps what its largest part took: 32 keeps a process under ~40 MiB of sessions (256 took
# ~450 MiB more for 1,000 instances, at the same speed), far under its 1,024 per ruleset.
BATCH = 32


@dataclass(frozen=True)
class Member:
    """An instance of a part: its contract's position in the run, its own position in the
    contract's instances, and its id."""

    contract: int
    index: int
    instance: str


@dataclass(frozen=True)
class Part:
    """A batch of instances and the considered facts they receive, in time order."""

    index: int
    members: tuple[Member, ...]
    facts: tuple[Fact, ...]

    @property
    def size(self) -> int:
        """How many instances the part holds."""
        return len(self.members)


@dataclass
class Plan:
    """A run split into parts, with the counts made once for the whole run.

    Its parts' facts may be let go (``let_go``) once every part has been sent where it
    is evaluated: the only change a plan knows.
    """

    parts: tuple[Part, ...]
    considered: int  # facts evaluated
    after_as_of: tuple[Fact, ...]  # facts dated after the as-of day, in input order

    def let_go(self) -> None:
        """Forget the parts' facts, keeping their instances: an executor that has sent
        every part away (pickled) does, so that in a run handed the facts
        (``evaluate_delta(hand_over=True)``) their memory takes the findings coming back."""
        self.parts = tuple(replace(p, facts=()) for p in self.parts)

    @property
    def instances(self) -> int:
        """How many instances the run evaluates."""
        return sum(p.size for p in self.parts)


def part_count(instances: int, jobs: int, batch: int | None = None) -> int:
    """How many parts: enough batches of at most ``batch`` instances (``BATCH``), and with
    several jobs a few parts per job, so that a slow part does not leave the others idle."""
    if instances == 0:
        return 0
    wanted = math.ceil(instances / (batch or BATCH))
    if jobs > 1:
        wanted = max(wanted, min(instances, 4 * jobs))
    return wanted


def _cut(weights: list[int], count: int, batch: int) -> list[range]:
    """Consecutive ranges over ``weights``: ``count`` of them (or more, to keep each to
    ``batch`` items), each near an equal share of the total weight."""
    bounds, start, total = [], 0, sum(weights)
    acc = 0
    for i, w in enumerate(weights):
        acc += w
        done = len(bounds) + 1
        full = i + 1 - start >= batch
        if full or (acc >= total * done / count and i + 1 < len(weights)):
            bounds.append(range(start, i + 1))
            start = i + 1
    if start < len(weights):
        bounds.append(range(start, len(weights)))
    return bounds


def plan(
    contracts: Sequence[Contract],
    facts: Sequence[Fact],
    as_of: date,
    jobs: int = 1,
    batch: int | None = None,
    skip: Collection[str] = (),
) -> Plan:
    """Split the run of ``contracts`` over ``facts`` at ``as_of`` into parts.

    Instances in ``skip`` (held back by bad input) are in no part, and the facts naming
    them are neither considered nor listed as later: the instance is reported unchecked.
    """
    members = [
        Member(ci, ii, inst.id)
        for ci, c in enumerate(contracts)
        for ii, inst in enumerate(c.instances)
        if inst.id not in skip
    ]
    position = {m.instance: k for k, m in enumerate(members)}
    ends = [epoch_us(end_of_day(as_of, c.time_zone)) for c in contracts]
    takers: dict[str, list[int]] = {}  # fact type -> contracts whose vocabulary has it
    for ci, c in enumerate(contracts):
        for name in c.fact_types:
            takers.setdefault(name, []).append(ci)
    own: list[list[int]] = [[] for _ in members]  # per instance: facts naming it (positions)
    shared: list[int] = []  # facts without `contract`, considered
    shared_per_contract = [0] * len(contracts)
    later, considered = [], 0
    for i, fact in enumerate(facts):
        at = fact.at_us
        if fact.contract not in (None, "*"):
            k = position.get(fact.contract)
            if k is None:
                continue  # an instance held back
            if at > ends[members[k].contract]:
                later.append(fact)
                continue
            own[k].append(i)
        else:
            who = takers.get(fact.type, [])
            if who and all(at > ends[ci] for ci in who):
                later.append(fact)
                continue
            shared.append(i)
            for ci in who:
                shared_per_contract[ci] += 1
        considered += 1
    weights = [1 + len(own[k]) + shared_per_contract[m.contract] for k, m in enumerate(members)]
    parts = []
    batch = batch or BATCH
    for index, span in enumerate(_cut(weights, part_count(len(members), jobs, batch), batch)):
        chosen = members[span.start : span.stop]
        kinds = {m.contract for m in chosen}
        mine = [i for k in span for i in own[k]]
        mine += [i for i in shared if any(ci in kinds for ci in takers.get(facts[i].type, []))]
        mine.sort()
        parts.append(Part(index, tuple(chosen), tuple(facts[i] for i in mine)))
    return Plan(tuple(parts), considered, tuple(later))
