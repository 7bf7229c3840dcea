"""Parts' results read back with their findings' texts shared across parts
(``engine.executors.results``): the same findings, each text held once for the run.

The findings are made by hand; what is checked is identity (``is``) and equality, so no
date needs working out.
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import pendulum

from engine.executors.results import Shared
from engine.executors.work import PartResult, Span
from engine.model import Finding, Status


def fresh(text: str) -> str:
    """``text`` as a string of its own (as each part's unpickling makes it)."""
    return text[:1] + text[1:]


def finding(contract: str, amount: str) -> Finding:
    """A finding of ``contract``, its texts strings of their own."""
    due = pendulum.datetime(2004, 3, 31, 17, tz="America/New_York")
    return Finding(
        contract, "quarterly-report", "".join(["Q", "1"]), "5.1(a)", "borrower",
        Status.BREACHED, fresh("2004-03-31"), due, Decimal(amount), ("f-1", contract),
        fresh("Breached: no report by the deadline."), title="Quarterly report",
        cured=fresh("2004-04-02"),
        trace=(fresh("Started by the closing."), fresh("Status: breached.")),
        template="credit", kind="deadline", late_payment=True, listed_from=date(2004, 3, 31),
    )  # fmt: skip


def every_field(found: Sequence[Finding]) -> list[list[object]]:
    """Each finding's fields, those ``==`` leaves out (its trace, title...) too."""
    return [[getattr(f, field.name) for field in fields(Finding)] for f in found]


def shipped(index: int, *found: Finding) -> bytes:
    """A part's result as its worker pickles it."""
    spans = tuple(Span(f.contract, 1, None) for f in found)
    return pickle.dumps(PartResult(index, len(found), found, (), spans), 5)


def test_texts_repeated_across_parts_are_held_once_and_the_findings_equal():
    one, two = finding("credit-001", "1.0"), finding("credit-002", "1.00")
    assert one.message is not two.message  # two parts' texts: two strings each
    shared = Shared()
    first = shared.result(shipped(0, one))
    second = shared.result(shipped(1, two))
    assert every_field(first.findings) == every_field([one])
    assert every_field(second.findings) == every_field([two])
    (a,), (b,) = first.findings, second.findings
    assert a.message is b.message and a.key is b.key and a.due is b.due and a.cured is b.cured
    assert all(x is y for x, y in zip(a.trace, b.trace, strict=True))
    assert a.listed_from is b.listed_from
    assert a.contract is not b.contract and a.facts != b.facts
    # an amount is left alone: equal, but each prints as it came
    assert (str(a.amount), str(b.amount)) == ("1.0", "1.00")
    assert first.spans == (Span("credit-001", 1, None),) and second.index == 1


def test_a_due_instant_keeps_its_own_zone():
    """17:00 EST in New York on 31 March 2004 (US summer time began on 4 April) is 22:00
    UTC, 23:00 BST in London (British summer time began on 28 March): equal instants,
    each printed in its own zone."""
    ny = finding("a", "1")
    london = replace(finding("b", "1"), due_instant=ny.due_instant.in_timezone("Europe/London"))
    assert ny.due_instant == london.due_instant
    shared = Shared()
    (x,) = shared.result(shipped(0, ny)).findings
    (y,) = shared.result(shipped(1, london)).findings
    assert (x.due_instant.isoformat(), y.due_instant.isoformat()) == (
        "2004-03-31T17:00:00-05:00", "2004-03-31T23:00:00+01:00"
    )  # fmt: skip


def test_a_result_read_without_a_run_is_the_same():
    """Plain ``pickle.loads`` (a test, Dask) makes the finding as it was, texts unshared."""
    one, two = finding("a", "1"), finding("b", "1")
    back = pickle.loads(shipped(0, one, two))
    assert every_field(back.findings) == every_field([one, two])
    assert back.findings[0].message is not back.findings[1].message


def test_each_run_has_its_own_texts():
    one = finding("a", "1")
    first, second = Shared(), Shared()
    (x,) = first.result(shipped(0, one)).findings
    (y,) = second.result(shipped(0, finding("a", "1"))).findings
    assert x == y and x.message is not y.message


def test_the_run_s_maker_takes_the_fields_of_a_finding_in_order():
    """``Shared.finding`` names ``Finding``'s fields one by one: a field added to one and
    not the other would fail only in worker processes' results."""
    names = list(inspect.signature(Shared.finding).parameters)[1:]
    assert names == [field.name for field in fields(Finding)]
