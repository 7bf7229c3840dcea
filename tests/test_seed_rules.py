"""End-to-end tests of five seed rules of rules/nhtc-series-j.yaml.

funding-deadline (1(d)), closing-date (6(a), 6(b)), stockholder-meeting (4(d)(ii)),
share-reserve (4(g)) and conversion-delivery (5(c)), decided as
shared/spec/seed-obligations.md says, reported as shared/spec/interfaces.md says.

Every expected value below was worked out by hand from the contract text and a printed
calendar, never by running the code under test.  Calendar facts used throughout:

- Weekdays: 1 Jan 2000 was a Saturday; 2000 was a leap year.  Fri 3 Mar 2000, Thu 30 Mar,
  Thu 20 Apr, Fri 30 Jun, Wed 2 Aug, Sat 29 Jul, Sat 24 Jun, Mon 20 Nov, Wed 25 Oct 2000;
  Fri 7 Sep 2001, Tue 11 Sep 2001, Thu 12 Apr 2001.
- NYSE (XNYS) closures: 2000: Mon 17 Jan (MLK), Mon 21 Feb, Fri 21 Apr (Good Friday; Easter
  was 23 Apr), Mon 29 May, Tue 4 Jul, Mon 4 Sep, Thu 23 Nov (Thanksgiving; Fri 24 Nov closed
  early at 13:00, which does not move a stated clock time), Mon 25 Dec.  2001: Fri 13 Apr
  (Good Friday; Easter was 15 Apr), Tue 11 - Fri 14 Sep (the attacks; reopened Mon 17 Sep).
  No NYSE holiday in March, August or October 2000.
- New York time: EST (-05:00) except EDT (-04:00) from 02:00 on the first Sunday of April to
  02:00 on the last Sunday of October: 2 Apr - 29 Oct 2000, 1 Apr - 28 Oct 2001.
- "Business day" for this agreement is an XNYS session too (seed-obligations.md).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.model import Status

OPEN, MET, BREACHED = Status.OPEN, Status.MET, Status.BREACHED
RULES = str(Path(__file__).resolve().parent.parent / "rules")


# --- fact builders ----------------------------------------------------------------------


def fact(fid: str, ftype: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": fid, "type": ftype, "at": at, **fields}


def accepted(at: str, fid: str = "acc", **fields: Any) -> dict[str, Any]:
    return fact(fid, "agreement_accepted", at, **fields)


def deposited(at: str, fid: str = "dep") -> dict[str, Any]:
    return fact(fid, "purchase_price_deposited", at, amount=1000000)


def conditions(at: str, fid: str = "cond") -> dict[str, Any]:
    return fact(fid, "closing_conditions_satisfied", at)


def closing(at: str, fid: str = "close") -> dict[str, Any]:
    return fact(fid, "closing", at)


def issued(at: str, shares: int, fid: str) -> dict[str, Any]:
    return fact(fid, "common_stock_issued", at, shares=shares)


def meeting(at: str, vote: bool, fid: str = "mtg") -> dict[str, Any]:
    return fact(fid, "stockholders_meeting", at, authorization_vote=vote)


def reserve(at: str, reserved: int, conversion: int, warrant: int, fid: str) -> dict[str, Any]:
    return fact(
        fid,
        "share_reserve_reported",
        at,
        reserved=reserved,
        conversion_shares=conversion,
        warrant_shares=warrant,
    )


def notice(
    delivery_date: str, amount: float, notice_id: str = "N1", at: str = "2000-07-28"
) -> dict[str, Any]:
    return fact(
        f"n-{notice_id}",
        "conversion_notice",
        at,
        notice_id=notice_id,
        delivery_date=delivery_date,
        amount=amount,
    )


def delivered(at: str, notice_id: str = "N1") -> dict[str, Any]:
    return fact(f"d-{notice_id}", "conversion_shares_delivered", at, notice_id=notice_id)


def after_ids(result) -> list[str]:
    return [f.id for f in result.after_as_of]


# =========================================================================================
# funding-deadline, section 1(d): "Not later than 5:00 p.m., New York time, on the date which
# is three (3) [NYSE] trading days after the Company shall have accepted this Agreement ...,
# the Buyer shall deposit with the Escrow Agent the Purchase Price".
# =========================================================================================

FUNDING = "funding-deadline"


def test_funding_worked_example_fields(finding):
    # Worked example: accepted Fri 2000-03-03 -> Mon 6, Tue 7, Wed 8 -> 17:00 EST.
    f = finding(
        FUNDING, [accepted("2000-03-03T10:00"), deposited("2000-03-07T12:00")], "2000-03-31"
    )
    assert f.status is MET
    assert f.due == "2000-03-08T17:00:00-05:00"
    assert (f.contract, f.key, f.section, f.party) == ("nhtc-series-j", None, "1(d)", "buyer")
    assert f.amount is None
    assert f.facts == ("acc", "dep")


@pytest.mark.parametrize(
    ("deposit_at", "status"),
    [
        # Due Wed 2000-03-08 17:00 EST (worked example).  Each boundary one minute either side.
        pytest.param("2000-03-08T16:59", MET, id="16:59"),
        pytest.param("2000-03-08T17:00", MET, id="17:00-exactly"),
        pytest.param("2000-03-08T17:00:00-05:00", MET, id="17:00-with-offset"),
        pytest.param("2000-03-08T17:01", BREACHED, id="17:01"),
        # 22:00Z is 17:00 EST; 22:01Z is 17:01 EST.
        pytest.param("2000-03-08T22:00:00Z", MET, id="22:00Z"),
        pytest.param("2000-03-08T22:01:00+00:00", BREACHED, id="22:01+00:00"),
        # Next morning: late.
        pytest.param("2000-03-09", BREACHED, id="next-day-00:00"),
        # Before the deadline day: on time.
        pytest.param("2000-03-06T09:00", MET, id="early"),
    ],
)
def test_funding_deposit_boundary(finding, deposit_at, status):
    f = finding(FUNDING, [accepted("2000-03-03T10:00"), deposited(deposit_at)], "2000-03-31")
    assert f.due == "2000-03-08T17:00:00-05:00"
    assert f.status is status


@pytest.mark.parametrize(
    ("accepted_at", "due"),
    [
        # Worked example 1: Fri 2000-03-03 -> Mon 6, Tue 7, Wed 8.
        pytest.param("2000-03-03", "2000-03-08T17:00:00-05:00", id="worked-fri-2000-03-03"),
        # Worked example 2: Fri 2001-09-07 -> Mon 10, [Tue 11 - Fri 14 closed], Mon 17,
        # Tue 18.  EDT.  (A weekday count would give Wed 2001-09-12.)
        pytest.param("2001-09-07", "2001-09-18T17:00:00-04:00", id="worked-sep-2001"),
        # Mon 2001-09-10 -> [11-14 closed] Mon 17, Tue 18, Wed 19.
        pytest.param("2001-09-10", "2001-09-19T17:00:00-04:00", id="sep-2001-mon-10"),
        # Accepted on a closed day, Tue 2001-09-11 -> Mon 17, Tue 18, Wed 19.
        pytest.param("2001-09-11T08:30", "2001-09-19T17:00:00-04:00", id="sep-11-2001-anchor"),
        # Good Friday: Tue 2000-04-18 -> Wed 19, Thu 20, [Fri 21 closed], Mon 24.  EDT.
        pytest.param("2000-04-18", "2000-04-24T17:00:00-04:00", id="good-friday-2000"),
        # July 4th: Fri 2000-06-30 -> Mon Jul 3, [Tue 4 closed], Wed 5, Thu 6.  EDT.
        pytest.param("2000-06-30", "2000-07-06T17:00:00-04:00", id="july-4th-2000"),
        # Thanksgiving: Mon 2000-11-20 -> Tue 21, Wed 22, [Thu 23 closed], Fri 24.  EST.  Fri 24
        # was an early close (13:00): the 5:00 p.m. deadline stays 17:00.
        pytest.param("2000-11-20", "2000-11-24T17:00:00-05:00", id="thanksgiving-2000"),
        # MLK day: Fri 2000-01-14 -> [Mon 17 closed], Tue 18, Wed 19, Thu 20.
        pytest.param("2000-01-14", "2000-01-20T17:00:00-05:00", id="mlk-2000"),
        # Labor Day: Fri 2000-09-01 -> [Mon 4 closed], Tue 5, Wed 6, Thu 7.  EDT.
        pytest.param("2000-09-01", "2000-09-07T17:00:00-04:00", id="labor-day-2000"),
        # Christmas: Fri 2000-12-22 -> [Mon 25 closed], Tue 26, Wed 27, Thu 28.
        pytest.param("2000-12-22", "2000-12-28T17:00:00-05:00", id="christmas-2000"),
        # Weekend anchors: Sat 2000-03-04 / Sun 2000-03-05 -> Mon 6, Tue 7, Wed 8.
        pytest.param("2000-03-04T11:00", "2000-03-08T17:00:00-05:00", id="saturday-anchor"),
        pytest.param("2000-03-05", "2000-03-08T17:00:00-05:00", id="sunday-anchor"),
        # Holiday anchor: Mon 2000-01-17 (MLK, closed) -> Tue 18, Wed 19, Thu 20.
        pytest.param("2000-01-17", "2000-01-20T17:00:00-05:00", id="holiday-anchor"),
        # Easter Saturday 2000-04-22 -> Mon 24, Tue 25, Wed 26.
        pytest.param("2000-04-22", "2000-04-26T17:00:00-04:00", id="easter-saturday-anchor"),
        # DST starts Sun 2000-04-02.  Tue 2000-03-28 -> Wed 29, Thu 30, Fri 31: still EST.
        pytest.param("2000-03-28", "2000-03-31T17:00:00-05:00", id="dst-start-before"),
        # Wed 2000-03-29 -> Thu 30, Fri 31, Mon Apr 3: EDT.
        pytest.param("2000-03-29", "2000-04-03T17:00:00-04:00", id="dst-start-mon"),
        # Thu 2000-03-30 -> Fri 31, Mon Apr 3, Tue Apr 4: EDT.
        pytest.param("2000-03-30", "2000-04-04T17:00:00-04:00", id="dst-start-tue"),
        # DST ends Sun 2000-10-29.  Tue 2000-10-24 -> Wed 25, Thu 26, Fri 27: still EDT.
        pytest.param("2000-10-24", "2000-10-27T17:00:00-04:00", id="dst-end-before"),
        # Wed 2000-10-25 -> Thu 26, Fri 27, Mon 30: EST.
        pytest.param("2000-10-25", "2000-10-30T17:00:00-05:00", id="dst-end-after"),
        # DST starts Sun 2001-04-01.  Wed 2001-03-28 -> Thu 29, Fri 30, Mon Apr 2: EDT.
        pytest.param("2001-03-28", "2001-04-02T17:00:00-04:00", id="dst-start-2001"),
        # The anchor is the New York calendar date: 04:00Z on 3 Mar is Thu 2 Mar 23:00 EST,
        # so Fri 3, Mon 6, Tue 7.
        pytest.param("2000-03-03T04:00:00Z", "2000-03-07T17:00:00-05:00", id="utc-previous-day"),
        # 23:59 New York time on Fri 3 Mar still counts from Fri 3 Mar: Mon 6, Tue 7, Wed 8.
        pytest.param("2000-03-03T23:59", "2000-03-08T17:00:00-05:00", id="late-evening"),
    ],
)
def test_funding_due(finding, accepted_at, due):
    # As of the acceptance day the deadline is still ahead.
    f = finding(FUNDING, [accepted(accepted_at)], accepted_at[:10])
    assert (f.status, f.due) == (OPEN, due)


def test_funding_sep_2001_weekday_count_would_be_wrong(finding):
    # Accepted Fri 2001-09-07; deadline Tue 2001-09-18 17:00 EDT (worked example).  As of
    # Thu 2001-09-13 the deadline is still ahead, although a weekday count (Mon 10, Tue 11,
    # Wed 12) would already have run out.
    f = finding(FUNDING, [accepted("2001-09-07T10:00")], "2001-09-13")
    assert (f.status, f.due) == (OPEN, "2001-09-18T17:00:00-04:00")
    facts = [accepted("2001-09-07T10:00"), deposited("2001-09-18T17:00")]
    assert finding(FUNDING, facts, "2001-12-31").status is MET
    facts = [accepted("2001-09-07T10:00"), deposited("2001-09-18T17:01")]
    assert finding(FUNDING, facts, "2001-12-31").status is BREACHED


@pytest.mark.parametrize(
    ("deposit_at", "status"),
    [
        # Accepted Thu 2000-03-30 -> Fri 31, Mon Apr 3, Tue Apr 4 (DST since Sun 2 Apr):
        # deadline 2000-04-04T17:00:00-04:00 = 21:00Z.
        pytest.param("2000-04-04T17:00", MET, id="local-17:00-is-EDT"),
        pytest.param("2000-04-04T17:01", BREACHED, id="local-17:01"),
        pytest.param("2000-04-04T17:00:00-04:00", MET, id="17:00-04:00"),
        # 16:00 EST is 17:00 EDT: on time; 16:30 EST is 17:30 EDT: late.
        pytest.param("2000-04-04T16:00:00-05:00", MET, id="16:00-05:00"),
        pytest.param("2000-04-04T16:30:00-05:00", BREACHED, id="16:30-05:00"),
        # 17:00 EST is 18:00 EDT: late (a winter offset would wrongly call it on time).
        pytest.param("2000-04-04T17:00:00-05:00", BREACHED, id="17:00-05:00"),
        pytest.param("2000-04-04T21:00:00Z", MET, id="21:00Z"),
        pytest.param("2000-04-04T21:01:00Z", BREACHED, id="21:01Z"),
    ],
)
def test_funding_dst_start_boundary(finding, deposit_at, status):
    f = finding(FUNDING, [accepted("2000-03-30T10:00"), deposited(deposit_at)], "2000-04-30")
    assert f.due == "2000-04-04T17:00:00-04:00"
    assert f.status is status


@pytest.mark.parametrize(
    ("deposit_at", "status"),
    [
        # Accepted Wed 2000-10-25 -> Thu 26, Fri 27, Mon 30 (EST since Sun 29 Oct):
        # deadline 2000-10-30T17:00:00-05:00 = 22:00Z = 18:00 EDT.
        pytest.param("2000-10-30T17:00", MET, id="local-17:00-is-EST"),
        pytest.param("2000-10-30T18:00:00-04:00", MET, id="18:00-04:00"),
        pytest.param("2000-10-30T18:01:00-04:00", BREACHED, id="18:01-04:00"),
        pytest.param("2000-10-30T22:00:00Z", MET, id="22:00Z"),
        pytest.param("2000-10-30T22:01:00Z", BREACHED, id="22:01Z"),
    ],
)
def test_funding_dst_end_boundary(finding, deposit_at, status):
    f = finding(FUNDING, [accepted("2000-10-25T10:00"), deposited(deposit_at)], "2000-11-30")
    assert f.due == "2000-10-30T17:00:00-05:00"
    assert f.status is status


def test_funding_early_close_does_not_move_deadline(finding):
    # Accepted Mon 2000-11-20 -> due Fri 2000-11-24 17:00 EST (Thanksgiving Thu 23 closed).
    # The NYSE closed at 13:00 that Friday; a deposit at 16:30 is still on time.
    facts = [accepted("2000-11-20T10:00"), deposited("2000-11-24T16:30")]
    f = finding(FUNDING, facts, "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-11-24T17:00:00-05:00")


def test_funding_end_of_as_of_day(finding):
    # Accepted Fri 2000-03-03, due Wed 2000-03-08 17:00 EST, no deposit.
    facts = [accepted("2000-03-03T10:00")]
    # End of Tue 7 Mar: deadline still ahead.
    f = finding(FUNDING, facts, "2000-03-07")
    assert (f.status, f.due) == (OPEN, "2000-03-08T17:00:00-05:00")
    # End of Wed 8 Mar: 17:00 that day has passed.
    f = finding(FUNDING, facts, "2000-03-08")
    assert (f.status, f.due) == (BREACHED, "2000-03-08T17:00:00-05:00")


def test_funding_late_fact_after_as_of_open(run):
    # Deposit on Wed 8 Mar at 10:00, as of Tue 7 Mar: the deposit is not seen; still open.
    result = run([accepted("2000-03-03T10:00"), deposited("2000-03-08T10:00")], "2000-03-07")
    [f] = [f for f in result.findings if f.rule == FUNDING]
    assert (f.status, f.due) == (OPEN, "2000-03-08T17:00:00-05:00")
    assert "dep" not in f.facts
    assert after_ids(result) == ["dep"]


def test_funding_late_fact_after_as_of_breached(run):
    # Deposit on Thu 9 Mar, as of Wed 8 Mar: by the end of 8 Mar the 17:00 deadline passed
    # with no deposit seen.
    result = run([accepted("2000-03-03T10:00"), deposited("2000-03-09T09:00")], "2000-03-08")
    [f] = [f for f in result.findings if f.rule == FUNDING]
    assert (f.status, f.due) == (BREACHED, "2000-03-08T17:00:00-05:00")
    assert f.facts == ("acc",)
    assert after_ids(result) == ["dep"]


def test_funding_facts_out_of_order(finding):
    # The deposit is written first; facts are sorted by `at`, so it follows the acceptance
    # (Fri 3 Mar) and is on time for Wed 8 Mar 17:00.
    f = finding(
        FUNDING, [deposited("2000-03-07T12:00"), accepted("2000-03-03T10:00")], "2000-03-31"
    )
    assert (f.status, f.due) == (MET, "2000-03-08T17:00:00-05:00")
    assert f.facts == ("acc", "dep")


def test_funding_no_acceptance_no_finding(findings):
    # Section 1(d) counts from the acceptance: without it there is no funding deadline.
    assert findings(FUNDING, [deposited("2000-03-07T12:00")], "2000-03-31") == []


# =========================================================================================
# closing-date, sections 6(a), 6(b): the Closing Date is "the first NYSE trading day after"
# the conditions of sections 7 and 8 are satisfied or waived; the closing "shall take place
# no later than 3:00 P.M., New York time, on such day".
# =========================================================================================

CLOSING = "closing-date"


def test_closing_worked_example_fields(finding):
    # Worked example: conditions Thu 2000-04-20; Fri 21 is Good Friday -> Mon 24, 15:00 EDT.
    f = finding(
        CLOSING, [conditions("2000-04-20T11:00"), closing("2000-04-24T11:00")], "2000-12-31"
    )
    assert f.status is MET
    assert f.due == "2000-04-24T15:00:00-04:00"
    assert (f.key, f.section, f.party, f.amount) == (None, "6(a), 6(b)", "company", None)
    assert f.facts == ("cond", "close")


@pytest.mark.parametrize(
    ("closing_at", "status"),
    [
        # Due Mon 2000-04-24 15:00 EDT (= 19:00Z).
        pytest.param("2000-04-24T14:59", MET, id="14:59"),
        pytest.param("2000-04-24T15:00", MET, id="15:00-exactly"),
        pytest.param("2000-04-24T15:01", BREACHED, id="15:01"),
        pytest.param("2000-04-24T19:00:00Z", MET, id="19:00Z"),
        pytest.param("2000-04-24T19:01:00Z", BREACHED, id="19:01Z"),
        # 14:30 EST is 15:30 EDT: late.
        pytest.param("2000-04-24T14:30:00-05:00", BREACHED, id="14:30-05:00"),
    ],
)
def test_closing_boundary(finding, closing_at, status):
    f = finding(CLOSING, [conditions("2000-04-20T11:00"), closing(closing_at)], "2000-12-31")
    assert f.due == "2000-04-24T15:00:00-04:00"
    assert f.status is status


@pytest.mark.parametrize(
    ("conditions_at", "due"),
    [
        # Worked example: Thu 2000-04-20 -> [Fri 21 Good Friday] Mon 24.
        pytest.param("2000-04-20", "2000-04-24T15:00:00-04:00", id="worked-good-friday"),
        # Wed 2000-03-08 -> Thu 9.
        pytest.param("2000-03-08", "2000-03-09T15:00:00-05:00", id="plain-weekday"),
        # Fri 2000-03-10 -> Mon 13; Sat 2000-03-11 -> Mon 13.
        pytest.param("2000-03-10", "2000-03-13T15:00:00-05:00", id="friday"),
        pytest.param("2000-03-11T10:00", "2000-03-13T15:00:00-05:00", id="saturday-anchor"),
        # July 4th: Mon 2000-07-03 -> [Tue 4] Wed 5.
        pytest.param("2000-07-03", "2000-07-05T15:00:00-04:00", id="july-4th"),
        # Thanksgiving: Wed 2000-11-22 -> [Thu 23] Fri 24 (early close 13:00; 15:00 stays).
        pytest.param("2000-11-22", "2000-11-24T15:00:00-05:00", id="thanksgiving"),
        # Christmas Eve, Sun 2000-12-24 -> [Mon 25] Tue 26.
        pytest.param("2000-12-24", "2000-12-26T15:00:00-05:00", id="christmas"),
        # Good Friday 2001: Thu 2001-04-12 -> [Fri 13] Mon 16.
        pytest.param("2001-04-12", "2001-04-16T15:00:00-04:00", id="good-friday-2001"),
        # September 2001: Mon 2001-09-10 -> [Tue 11 - Fri 14] Mon 17.
        pytest.param("2001-09-10", "2001-09-17T15:00:00-04:00", id="sep-2001"),
        # Anchor on a closed day, Tue 2001-09-11 -> Mon 17.
        pytest.param("2001-09-11T09:00", "2001-09-17T15:00:00-04:00", id="sep-11-anchor"),
        # DST starts Sun 2000-04-02: Fri 2000-03-31 -> Mon Apr 3, EDT.
        pytest.param("2000-03-31", "2000-04-03T15:00:00-04:00", id="dst-start"),
        # DST ends Sun 2000-10-29: Fri 2000-10-27 -> Mon 30, EST.
        pytest.param("2000-10-27", "2000-10-30T15:00:00-05:00", id="dst-end"),
    ],
)
def test_closing_due(finding, conditions_at, due):
    f = finding(CLOSING, [conditions(conditions_at)], conditions_at[:10])
    assert (f.status, f.due) == (OPEN, due)


def test_closing_dst_boundary(finding):
    # Conditions Fri 2000-03-31 -> Mon 2000-04-03 15:00 EDT (= 19:00Z = 14:00 EST).
    cond = conditions("2000-03-31T12:00")
    for at, status in [
        ("2000-04-03T15:00", MET),
        ("2000-04-03T14:00:00-05:00", MET),
        ("2000-04-03T14:01:00-05:00", BREACHED),
        ("2000-04-03T15:00:00-05:00", BREACHED),  # 16:00 EDT
    ]:
        f = finding(CLOSING, [cond, closing(at)], "2000-04-30")
        assert (at, f.status) == (at, status)


def test_closing_end_of_as_of_day(finding):
    # Conditions Wed 2000-03-08 -> due Thu 2000-03-09 15:00 EST, no closing.
    facts = [conditions("2000-03-08T11:00")]
    assert finding(CLOSING, facts, "2000-03-08").status is OPEN
    f = finding(CLOSING, facts, "2000-03-09")
    assert (f.status, f.due) == (BREACHED, "2000-03-09T15:00:00-05:00")


def test_closing_same_day_is_met(finding):
    # Rule notes: a closing before the first trading day after the conditions (here the same
    # day, Wed 2000-03-08) is treated as met; due Thu 2000-03-09 15:00 EST.
    f = finding(
        CLOSING, [conditions("2000-03-08T10:00"), closing("2000-03-08T16:00")], "2000-03-31"
    )
    assert (f.status, f.due) == (MET, "2000-03-09T15:00:00-05:00")


def test_closing_late_fact_after_as_of(run):
    # Closing on Thu 9 Mar, as of Wed 8 Mar: unseen, still open and listed as after the as-of.
    result = run([conditions("2000-03-08T10:00"), closing("2000-03-09T14:00")], "2000-03-08")
    [f] = [f for f in result.findings if f.rule == CLOSING]
    assert (f.status, f.due) == (OPEN, "2000-03-09T15:00:00-05:00")
    assert after_ids(result) == ["close"]


def test_closing_facts_out_of_order(finding):
    # Written closing first; sorted by `at` it follows the conditions of Thu 20 Apr.
    facts = [closing("2000-04-24T15:01"), conditions("2000-04-20T11:00")]
    f = finding(CLOSING, facts, "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-04-24T15:00:00-04:00")
    assert f.facts == ("cond", "close")


# =========================================================================================
# stockholder-meeting, section 4(d)(ii): a meeting and vote "no later than the Meeting Date":
# the earlier of (x) 75 days after the date on which Common Stock issued after the date of
# the Agreement reaches in aggregate 10% of the shares outstanding on that date, and (y) the
# date of the next regular or special stockholders meeting.
# 10% of 7,860,000 = 786,000 shares.  75 calendar days, not rolled.
# =========================================================================================

MEETING = "stockholder-meeting"
ACC = accepted("2000-03-03T10:00")  # Fri 2000-03-03


def test_meeting_open_without_events(finding):
    f = finding(MEETING, [ACC], "2000-12-31")
    assert (f.status, f.due, f.amount) == (OPEN, None, None)
    assert (f.key, f.section, f.party) == (None, "4(d)(ii)", "company")


def test_meeting_below_threshold_open(finding):
    # 400,000 + 385,999 = 785,999 < 786,000: the threshold is not reached.
    facts = [ACC, issued("2000-04-10", 400000, "i1"), issued("2000-05-15", 385999, "i2")]
    f = finding(MEETING, facts, "2000-12-31")
    assert (f.status, f.due) == (OPEN, None)


# Threshold reached on Mon 2000-05-15 (400,000 + 386,000 = 786,000, exactly 10%).
# May 15 + 75 days: +16 -> May 31, +30 -> Jun 30 (46), +29 -> Jul 29 (75): Sat 2000-07-29.
# Not rolled to Mon 31 Jul.
THRESHOLD = [ACC, issued("2000-04-10", 400000, "i1"), issued("2000-05-15", 386000, "i2")]


def test_meeting_threshold_by_cumulative_issuance(finding):
    f = finding(MEETING, THRESHOLD, "2000-07-01")
    assert (f.status, f.due) == (OPEN, "2000-07-29")
    assert {"acc", "i2"} <= set(f.facts)


def test_meeting_threshold_end_of_as_of_day(finding):
    # Due the end of Sat 2000-07-29: still open at the end of that day, breached the next.
    assert finding(MEETING, THRESHOLD, "2000-07-29").status is OPEN
    f = finding(MEETING, THRESHOLD, "2000-07-30")
    assert (f.status, f.due) == (BREACHED, "2000-07-29")


@pytest.mark.parametrize(
    ("meeting_at", "status"),
    [
        # Held on the Saturday due date itself: on time.
        pytest.param("2000-07-29T10:00", MET, id="on-saturday-due-date"),
        pytest.param("2000-07-29T23:59", MET, id="23:59"),
        pytest.param("2000-07-30T00:00", BREACHED, id="next-day-00:00"),
        # Mon 2000-07-31 would be on time only if the date were (wrongly) rolled.
        pytest.param("2000-07-31T10:00", BREACHED, id="monday-not-rolled"),
    ],
)
def test_meeting_vote_around_75_day_date(finding, meeting_at, status):
    f = finding(MEETING, [*THRESHOLD, meeting(meeting_at, True)], "2000-12-31")
    assert (f.status, f.due) == (status, "2000-07-29")


def test_meeting_threshold_date_is_crossing_issuance(finding):
    # 500,000 (Mon 10 Apr) + 300,000 (Mon 15 May) = 800,000 >= 786,000 on 15 May; the
    # 100,000 of Thu 1 Jun does not move it.  Due Sat 2000-07-29 as above.
    facts = [
        ACC,
        issued("2000-04-10", 500000, "i1"),
        issued("2000-05-15", 300000, "i2"),
        issued("2000-06-01", 100000, "i3"),
    ]
    assert finding(MEETING, facts, "2000-07-01").due == "2000-07-29"


def test_meeting_threshold_one_share_later(finding):
    # 785,999 by 15 May, one more share on Thu 2000-06-01 reaches 786,000.
    # Jun 1 + 75: +29 -> Jun 30, +31 -> Jul 31 (60), +15 -> Tue 2000-08-15 (75).
    facts = [
        ACC,
        issued("2000-04-10", 400000, "i1"),
        issued("2000-05-15", 385999, "i2"),
        issued("2000-06-01", 1, "i3"),
    ]
    assert finding(MEETING, facts, "2000-07-01").due == "2000-08-15"


def test_meeting_single_large_issuance(finding):
    # 1,000,000 on Mon 2000-04-10.  Apr 10 + 75: +20 -> Apr 30, +31 -> May 31 (51),
    # +24 -> Sat 2000-06-24 (75).
    facts = [ACC, issued("2000-04-10", 1000000, "i1")]
    assert finding(MEETING, facts, "2000-05-01").due == "2000-06-24"


def test_meeting_outstanding_shares_override_lower(finding):
    # outstanding_shares 5,000,000 on acceptance: threshold 500,000, reached Mon 2000-04-10
    # (the default 786,000 would not be).  Due Sat 2000-06-24 as above.
    facts = [
        accepted("2000-03-03T10:00", outstanding_shares=5000000),
        issued("2000-04-10", 500000, "i1"),
    ]
    assert finding(MEETING, facts, "2000-05-01").due == "2000-06-24"
    facts[1] = issued("2000-04-10", 499999, "i1")
    assert finding(MEETING, facts, "2000-05-01").due is None


def test_meeting_outstanding_shares_override_higher(finding):
    # outstanding_shares 10,000,000: threshold 1,000,000; 786,000 issued is not enough.
    facts = [
        accepted("2000-03-03T10:00", outstanding_shares=10000000),
        issued("2000-04-10", 786000, "i1"),
    ]
    f = finding(MEETING, facts, "2000-12-31")
    assert (f.status, f.due) == (OPEN, None)


def test_meeting_issuance_before_agreement_does_not_count(finding):
    # "issued, after the date of this Agreement": 786,000 issued Wed 2000-03-01, before the
    # acceptance of Fri 3 Mar, do not count; one more share later does not reach 786,000.
    facts = [
        issued("2000-03-01", 786000, "i0"),
        ACC,
        issued("2000-04-10", 1, "i1"),
    ]
    f = finding(MEETING, facts, "2000-12-31")
    assert (f.status, f.due) == (OPEN, None)


def test_meeting_with_vote_before_threshold(finding):
    # (y): the first meeting after the agreement, Fri 2000-04-14, voted: met, due that day.
    f = finding(MEETING, [ACC, meeting("2000-04-14T10:00", True)], "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-04-14")


def test_meeting_with_vote_earlier_than_75_days(finding):
    # (x) = Sat 2000-07-29; (y) = Tue 2000-06-20 is earlier: met, due 2000-06-20.
    f = finding(MEETING, [*THRESHOLD, meeting("2000-06-20T10:00", True)], "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-06-20")


def test_meeting_without_vote_is_breach(finding):
    # A first meeting without the vote on Tue 2000-06-20 fixes the Meeting Date at its own
    # date and is itself the breach.
    f = finding(MEETING, [*THRESHOLD, meeting("2000-06-20T10:00", False)], "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-06-20")


def test_meeting_without_vote_no_issuance(finding):
    f = finding(MEETING, [ACC, meeting("2000-04-14T10:00", False)], "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-04-14")


def test_meeting_without_vote_then_with_vote_still_breach(finding):
    # The first meeting (Tue 20 Jun, no vote) is the Meeting Date; the voting meeting of
    # Fri 30 Jun comes after it.
    facts = [*THRESHOLD, meeting("2000-06-20T10:00", False), meeting("2000-06-30", True, "m2")]
    f = finding(MEETING, facts, "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-06-20")


def test_meeting_without_vote_after_75_days(finding):
    # (x) Sat 2000-07-29 is earlier than the meeting of Thu 2000-08-10.
    f = finding(MEETING, [*THRESHOLD, meeting("2000-08-10", False)], "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-07-29")


def test_meeting_before_agreement_does_not_count(finding):
    # (y) is the *next* meeting after the agreement date: one on Wed 2000-03-01 is not it.
    f = finding(MEETING, [meeting("2000-03-01", False, "m0"), ACC], "2000-12-31")
    assert (f.status, f.due) == (OPEN, None)


def test_meeting_late_facts_after_as_of(run):
    # As of Mon 2000-07-10 the voting meeting of Thu 20 Jul is unseen: open, due 29 Jul.
    result = run([*THRESHOLD, meeting("2000-07-20", True)], "2000-07-10")
    [f] = [f for f in result.findings if f.rule == MEETING]
    assert (f.status, f.due) == (OPEN, "2000-07-29")
    assert after_ids(result) == ["mtg"]
    # As of Sun 2000-05-14 the crossing issuance of Mon 15 May is unseen: due not yet known.
    result = run(THRESHOLD, "2000-05-14")
    [f] = [f for f in result.findings if f.rule == MEETING]
    assert (f.status, f.due) == (OPEN, None)
    assert after_ids(result) == ["i2"]


def test_meeting_facts_out_of_order(finding):
    # Written newest first; sorted, the threshold is reached on 15 May -> due Sat 29 Jul.
    facts = list(reversed(THRESHOLD))
    assert finding(MEETING, facts, "2000-07-01").due == "2000-07-29"


# =========================================================================================
# share-reserve, section 4(g): at all times reserved >= 150% x conversion shares + warrant
# shares, checked at every report.  One finding per shortfall episode, keyed and dated by
# its first report, amount = the shortfall in shares at that first report.
# =========================================================================================

RESERVE = "share-reserve"


def breaches(found):
    return [f for f in found if f.status is BREACHED]


def test_reserve_exactly_equal_is_met(findings):
    # 1.5 x 1,000 + 100 = 1,600 required; 1,600 reserved.
    found = findings(RESERVE, [reserve("2000-06-30", 1600, 1000, 100, "r1")], "2000-12-31")
    assert found and breaches(found) == []
    assert all(f.status is MET for f in found)


def test_reserve_one_short(findings):
    # 1,600 required, 1,599 reserved: short by 1 share.
    found = findings(RESERVE, [reserve("2000-06-30", 1599, 1000, 100, "r1")], "2000-12-31")
    [f] = breaches(found)
    assert (f.key, f.due, f.amount) == ("2000-06-30", "2000-06-30", Decimal(1))
    assert (f.section, f.party) == ("4(g)", "company")
    assert "r1" in f.facts


def test_reserve_large_shortfall(findings):
    # 1.5 x 200,000 + 50,000 = 350,000 required; 300,000 reserved: short 50,000.
    found = findings(RESERVE, [reserve("2000-06-30", 300000, 200000, 50000, "r1")], "2000-12-31")
    [f] = breaches(found)
    assert f.amount == Decimal(50000)


def test_reserve_half_share(findings):
    # 1.5 x 1,001 + 100 = 1,601.5 required.  1,602 reserved: enough.  1,601: short half a
    # share, which is a whole share (rule notes: "a half share needed is a share").
    assert (
        breaches(findings(RESERVE, [reserve("2000-06-30", 1602, 1001, 100, "r1")], "2000-12-31"))
        == []
    )
    [f] = breaches(findings(RESERVE, [reserve("2000-06-30", 1601, 1001, 100, "r1")], "2000-12-31"))
    assert f.amount == Decimal(1)


def test_reserve_episode_over_several_reports(findings):
    # Required 1,600 each time.  30 Jun: 1,500 (short 100); 31 Jul: 1,300 (short 300);
    # 31 Aug: 1,550 (short 50); 29 Sep: 1,600 (restored).  One episode, from 30 Jun.
    facts = [
        reserve("2000-06-30", 1500, 1000, 100, "r1"),
        reserve("2000-07-31", 1300, 1000, 100, "r2"),
        reserve("2000-08-31", 1550, 1000, 100, "r3"),
        reserve("2000-09-29", 1600, 1000, 100, "r4"),
    ]
    [f] = breaches(findings(RESERVE, facts, "2000-12-31"))
    assert (f.key, f.due, f.amount) == ("2000-06-30", "2000-06-30", Decimal(100))
    assert f.facts[0] == "r1"
    assert {"r1", "r2", "r3"} <= set(f.facts)


def test_reserve_episode_not_restored(findings):
    # Same shortfalls, never restored by the as-of date: still one finding.
    facts = [
        reserve("2000-06-30", 1500, 1000, 100, "r1"),
        reserve("2000-07-31", 1300, 1000, 100, "r2"),
    ]
    [f] = breaches(findings(RESERVE, facts, "2000-12-31"))
    assert (f.key, f.amount) == ("2000-06-30", Decimal(100))


def test_reserve_cured_then_short_again(findings):
    # 30 Jun short 100; 31 Jul 1,700 >= 1,600 (restored); 31 Aug 1,580: short 20.
    facts = [
        reserve("2000-06-30", 1500, 1000, 100, "r1"),
        reserve("2000-07-31", 1700, 1000, 100, "r2"),
        reserve("2000-08-31", 1580, 1000, 100, "r3"),
    ]
    found = breaches(findings(RESERVE, facts, "2000-12-31"))
    assert [(f.key, f.due, f.amount) for f in found] == [
        ("2000-06-30", "2000-06-30", Decimal(100)),
        ("2000-08-31", "2000-08-31", Decimal(20)),
    ]


def test_reserve_dated_in_new_york(findings):
    # 02:00Z on 1 Jul 2000 is Fri 30 Jun 22:00 EDT: the breach is dated 2000-06-30.
    found = findings(
        RESERVE, [reserve("2000-07-01T02:00:00Z", 1500, 1000, 100, "r1")], "2000-12-31"
    )
    [f] = breaches(found)
    assert (f.key, f.due, f.amount) == ("2000-06-30", "2000-06-30", Decimal(100))


def test_reserve_facts_out_of_order(findings):
    # Written 31 Aug, 30 Jun, 31 Jul, all short; sorted, the episode starts 30 Jun (short 600:
    # 1.5 x 1,000 + 100 = 1,600 required, 1,000 reserved).
    facts = [
        reserve("2000-08-31", 1550, 1000, 100, "r3"),
        reserve("2000-06-30", 1000, 1000, 100, "r1"),
        reserve("2000-07-31", 1300, 1000, 100, "r2"),
    ]
    [f] = breaches(findings(RESERVE, facts, "2000-12-31"))
    assert (f.key, f.due, f.amount) == ("2000-06-30", "2000-06-30", Decimal(600))


def test_reserve_late_fact_after_as_of(run):
    # As of Sat 2000-07-15 the short report of 31 Jul is unseen: no breach.
    facts = [
        reserve("2000-06-30", 1600, 1000, 100, "r1"),
        reserve("2000-07-31", 1000, 1000, 100, "r2"),
    ]
    result = run(facts, "2000-07-15")
    assert breaches(f for f in result.findings if f.rule == RESERVE) == []
    assert after_ids(result) == ["r2"]


# =========================================================================================
# conversion-delivery, section 5(c): shares due by the end of the Delivery Date; late
# payment per $10,000 converted: $100 x L for L <= 10, $1,000 + $200 x (L - 10) beyond,
# L = business (XNYS) days after the 3rd business day following the Delivery Date, up to
# and including the delivery (or as-of) date; pro rata to the cent.
#
# Delivery Date Wed 2000-08-02: 3rd business day after = Thu 3 (1), Fri 4 (2), Mon 7 (3).
# Late days: Tue 8 (1), Wed 9 (2), Thu 10 (3), Fri 11 (4), Mon 14 (5), Tue 15 (6),
# Wed 16 (7), Thu 17 (8), Fri 18 (9), Mon 21 (10), Tue 22 (11), Wed 23 (12), Thu 24 (13),
# Fri 25 (14), Mon 28 (15).  (No NYSE holiday in August 2000.)
# =========================================================================================

CONVERSION = "conversion-delivery"


def test_conversion_worked_example(finding):
    # $30,000, delivered Fri 2000-08-11: L = 4 (8, 9, 10, 11 Aug); $400 x 3 = $1,200.
    facts = [notice("2000-08-02", 30000), delivered("2000-08-11T12:00")]
    f = finding(CONVERSION, facts, "2000-12-31")
    assert (f.status, f.due, f.key) == (BREACHED, "2000-08-02", "N1")
    assert f.amount == Decimal("1200.00")
    assert (f.section, f.party) == ("5(c)", "company")
    assert f.facts == ("n-N1", "d-N1")


@pytest.mark.parametrize(
    ("delivered_at", "status", "amount"),
    [
        # On the Delivery Date, at any time: met, no late payment.
        pytest.param("2000-08-02T10:00", MET, None, id="on-time"),
        pytest.param("2000-08-02T23:59", MET, None, id="23:59"),
        # 03:59Z on 3 Aug is Wed 2 Aug 23:59 EDT; 04:00Z is Thu 3 Aug 00:00 EDT.
        pytest.param("2000-08-03T03:59:00Z", MET, None, id="23:59-EDT-as-UTC"),
        # Late, but not beyond the 3rd business day (Mon 7): breach with L = 0, $0.
        pytest.param("2000-08-03T00:00", BREACHED, Decimal(0), id="00:00-next-day"),
        pytest.param("2000-08-03T04:00:00Z", BREACHED, Decimal(0), id="00:00-EDT-as-UTC"),
        pytest.param("2000-08-07T16:00", BREACHED, Decimal(0), id="3rd-business-day"),
        # L = 1: $100 x 3 = $300.
        pytest.param("2000-08-08", BREACHED, Decimal("300.00"), id="L=1"),
        # Sat 12 Aug: still L = 4 (no business day after Fri 11): $1,200.
        pytest.param("2000-08-12T09:00", BREACHED, Decimal("1200.00"), id="L=4-saturday"),
        # L = 10 (Mon 21): $1,000 x 3 = $3,000.
        pytest.param("2000-08-21", BREACHED, Decimal("3000.00"), id="L=10"),
        # L = 11 (Tue 22): ($1,000 + $200) x 3 = $3,600.
        pytest.param("2000-08-22", BREACHED, Decimal("3600.00"), id="L=11"),
        # L = 12 (Wed 23): ($1,000 + $400) x 3 = $4,200.
        pytest.param("2000-08-23", BREACHED, Decimal("4200.00"), id="L=12"),
        # L = 15 (Mon 28): ($1,000 + $1,000) x 3 = $6,000.
        pytest.param("2000-08-28", BREACHED, Decimal("6000.00"), id="L=15"),
    ],
)
def test_conversion_late_payment_30000(finding, delivered_at, status, amount):
    f = finding(CONVERSION, [notice("2000-08-02", 30000), delivered(delivered_at)], "2000-12-31")
    assert (f.status, f.due) == (status, "2000-08-02")
    assert f.amount == amount


@pytest.mark.parametrize(
    ("converted", "delivered_at", "amount"),
    [
        # $12,345 converted is 1.2345 x $10,000.
        # L = 4 (Fri 11): $400 x 1.2345 = $493.80.
        pytest.param(12345, "2000-08-11", Decimal("493.80"), id="12345-L=4"),
        # L = 11 (Tue 22): $1,200 x 1.2345 = $1,481.40.
        pytest.param(12345, "2000-08-22", Decimal("1481.40"), id="12345-L=11"),
        # $12,345.67 is 1.234567 x $10,000.  L = 1: $123.4567 -> $123.46.
        pytest.param(12345.67, "2000-08-08", Decimal("123.46"), id="12345.67-L=1"),
        # L = 4: $400 x 1.234567 = $493.8268 -> $493.83.
        pytest.param(12345.67, "2000-08-11", Decimal("493.83"), id="12345.67-L=4"),
        # L = 11: $1,200 x 1.234567 = $1,481.4804 -> $1,481.48.
        pytest.param(12345.67, "2000-08-22", Decimal("1481.48"), id="12345.67-L=11"),
        # $5,000, L = 10: $1,000 x 0.5 = $500.
        pytest.param(5000, "2000-08-21", Decimal("500.00"), id="5000-L=10"),
        # $10,000, L = 15 (Mon 28): $1,000 + 5 x $200 = $2,000.
        pytest.param(10000, "2000-08-28", Decimal("2000.00"), id="10000-L=15"),
    ],
)
def test_conversion_pro_rata(finding, converted, delivered_at, amount):
    f = finding(
        CONVERSION, [notice("2000-08-02", converted), delivered(delivered_at)], "2000-12-31"
    )
    assert f.status is BREACHED
    assert f.amount == amount


@pytest.mark.parametrize(
    ("delivery_date", "converted", "delivered_at", "amount"),
    [
        # July 4th: Delivery Date Fri 2000-06-30 -> 3rd business day: Mon Jul 3 (1), [Tue 4],
        # Wed 5 (2), Thu 6 (3).  Delivered Mon 10: late Fri 7, Mon 10 -> L = 2.
        # $200 x 5 = $1,000.
        pytest.param("2000-06-30", 50000, "2000-07-10", Decimal("1000.00"), id="july-4th"),
        # September 2001: Fri 2001-09-07 -> Mon 10 (1), [11-14], Mon 17 (2), Tue 18 (3).
        # Delivered Thu 20: late Wed 19, Thu 20 -> L = 2: $200.  (Weekdays would give L = 6.)
        pytest.param("2001-09-07", 10000, "2001-09-20", Decimal("200.00"), id="sep-2001"),
        # Thanksgiving: Mon 2000-11-20 -> Tue 21 (1), Wed 22 (2), [Thu 23], Fri 24 (3).
        # Delivered Wed 29: late Mon 27, Tue 28, Wed 29 -> L = 3: $300 x 2 = $600.
        pytest.param("2000-11-20", 20000, "2000-11-29", Decimal("600.00"), id="thanksgiving"),
        # Good Friday: Tue 2000-04-18 -> Wed 19 (1), Thu 20 (2), [Fri 21], Mon 24 (3).
        # Delivered Wed 26: late Tue 25, Wed 26 -> L = 2: $200.
        pytest.param("2000-04-18", 10000, "2000-04-26", Decimal("200.00"), id="good-friday"),
        # Saturday Delivery Date 2000-08-05 (not rolled): 3rd business day after = Mon 7,
        # Tue 8, Wed 9.  Delivered Fri 11: late Thu 10, Fri 11 -> L = 2: $200.
        pytest.param("2000-08-05", 10000, "2000-08-11", Decimal("200.00"), id="saturday"),
    ],
)
def test_conversion_holidays(finding, delivery_date, converted, delivered_at, amount):
    facts = [notice(delivery_date, converted, at="2000-04-01"), delivered(delivered_at)]
    f = finding(CONVERSION, facts, "2001-12-31")
    assert (f.status, f.due, f.amount) == (BREACHED, delivery_date, amount)


@pytest.mark.parametrize(
    ("as_of", "status", "amount"),
    [
        # Undelivered; Delivery Date Wed 2000-08-02, $30,000.  The deadline runs to the end
        # of the Delivery Date: open at the end of that day.
        pytest.param("2000-08-02", OPEN, None, id="as-of-delivery-date"),
        pytest.param("2000-08-03", BREACHED, Decimal(0), id="L=0"),
        pytest.param("2000-08-07", BREACHED, Decimal(0), id="L=0-3rd-day"),
        pytest.param("2000-08-08", BREACHED, Decimal("300.00"), id="L=1"),
        pytest.param("2000-08-11", BREACHED, Decimal("1200.00"), id="L=4"),
        # Sun 13 Aug: still L = 4.
        pytest.param("2000-08-13", BREACHED, Decimal("1200.00"), id="L=4-sunday"),
        pytest.param("2000-08-21", BREACHED, Decimal("3000.00"), id="L=10"),
        pytest.param("2000-08-22", BREACHED, Decimal("3600.00"), id="L=11"),
    ],
)
def test_conversion_undelivered_accrues_to_as_of(finding, as_of, status, amount):
    f = finding(CONVERSION, [notice("2000-08-02", 30000)], as_of)
    assert (f.status, f.due, f.amount) == (status, "2000-08-02", amount)


def test_conversion_delivery_after_as_of(run):
    # Delivered Fri 11 Aug; as of Wed 9 Aug it is unseen: L = 2 (8, 9 Aug): $200 x 3 = $600.
    result = run([notice("2000-08-02", 30000), delivered("2000-08-11")], "2000-08-09")
    [f] = [f for f in result.findings if f.rule == CONVERSION]
    assert (f.status, f.amount) == (BREACHED, Decimal("600.00"))
    assert after_ids(result) == ["d-N1"]


def test_conversion_two_notices(findings):
    # N1: Wed 2000-08-02, delivered that day: met.  N2: Fri 2000-08-04, $10,000 -> 3rd
    # business day: Mon 7, Tue 8, Wed 9; delivered Mon 14: late Thu 10, Fri 11, Mon 14 ->
    # L = 3: $300.
    facts = [
        notice("2000-08-02", 30000, "N1"),
        notice("2000-08-04", 10000, "N2"),
        delivered("2000-08-02T15:00", "N1"),
        delivered("2000-08-14", "N2"),
    ]
    found = {f.key: f for f in findings(CONVERSION, facts, "2000-12-31")}
    assert set(found) == {"N1", "N2"}
    assert (found["N1"].status, found["N1"].due, found["N1"].amount) == (MET, "2000-08-02", None)
    n2 = found["N2"]
    assert (n2.status, n2.due, n2.amount) == (BREACHED, "2000-08-04", Decimal("300.00"))
    assert n2.facts == ("n-N2", "d-N2")


def test_conversion_other_notice_delivery_does_not_count(finding):
    # Shares delivered for N2 do not satisfy N1 (Delivery Date Wed 2 Aug); as of Thu 3 Aug
    # N1 is breached with L = 0.
    facts = [notice("2000-08-02", 30000, "N1"), delivered("2000-08-02T12:00", "N2")]
    f = finding(CONVERSION, facts, "2000-08-03")
    assert (f.key, f.status, f.amount) == ("N1", BREACHED, Decimal(0))


def test_conversion_facts_out_of_order(finding):
    # Delivery written before the notice; sorted, the worked example again: $1,200.
    facts = [delivered("2000-08-11T12:00"), notice("2000-08-02", 30000)]
    f = finding(CONVERSION, facts, "2000-12-31")
    assert (f.status, f.amount) == (BREACHED, Decimal("1200.00"))


# =========================================================================================
# Command line: exit status and the JSON document of interfaces.md.
# =========================================================================================

FINDING_KEYS = {
    "contract",
    "rule",
    "key",
    "section",
    "party",
    "status",
    "due",
    "amount",
    "facts",
    "message",
}
# interfaces.md: the JSON is changed only by adding to it; these are the additions.
ADDED_KEYS = {"cured", "trace", "template"}


SEED_RULES = {FUNDING, CLOSING, MEETING, RESERVE, CONVERSION}


def assert_unknown_due_last(found: list[dict[str, Any]]) -> None:
    """Findings whose due date is not yet known come after all the others."""
    dues = [f["due"] for f in found]
    known = [d for d in dues if d is not None]
    assert dues == known + [None] * (len(dues) - len(known))


def check_json(cli, path, as_of: str) -> tuple[int, dict[str, Any]]:
    argv = ["check", "--rules", RULES, "--facts", str(path), "--as-of", as_of, "--format", "json"]
    code, out, _ = cli(argv)
    return code, json.loads(out)


def test_cli_no_breach_exit_0(write_facts, cli):
    # Accepted Fri 3 Mar, deposited Tue 7 Mar: met (due Wed 8 Mar 17:00 EST).  The
    # stockholder meeting is open with no due date yet, so it sorts last.
    path = write_facts([accepted("2000-03-03T10:00"), deposited("2000-03-07T12:00")])
    code, doc = check_json(cli, path, "2000-03-31")
    assert code == 0
    assert {"as_of", "findings"} <= set(doc)
    assert doc["as_of"] == "2000-03-31"
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS | ADDED_KEYS
        assert (f["contract"], f["template"]) == ("nhtc-series-j", "nhtc-series-j")
    assert_unknown_due_last(doc["findings"])
    ours = [f for f in doc["findings"] if f["rule"] in SEED_RULES]
    assert [(f["rule"], f["status"], f["due"]) for f in ours] == [
        (FUNDING, "met", "2000-03-08T17:00:00-05:00"),
        (MEETING, "open", None),
    ]
    funding = ours[0]
    assert funding["contract"] == "nhtc-series-j"
    assert (funding["key"], funding["amount"], funding["facts"]) == (None, None, ["acc", "dep"])
    assert (funding["section"], funding["party"]) == ("1(d)", "buyer")
    assert isinstance(funding["message"], str) and funding["message"]


def test_cli_breach_exit_1_and_sorted(write_facts, cli):
    # Written in no particular order.  Expected, as of 2000-12-31, sorted by due:
    # - funding-deadline: accepted Fri 3 Mar, no deposit: breached, due Wed 8 Mar 17:00 EST;
    # - closing-date: conditions Thu 20 Apr, no closing: breached, due Mon 24 Apr 15:00 EDT;
    # - conversion-delivery N1 (worked example): breached, due 2 Aug, $1,200;
    # - conversion-delivery N2: same Delivery Date, delivered on time: met (key order N1, N2);
    # - share-reserve: Fri 29 Sep, 1.5 x 100 + 10 = 160 required, 100 reserved: short 60;
    # - stockholder-meeting: no issuance, no meeting: open, due unknown: last.
    path = write_facts(
        [
            reserve("2000-09-29", 100, 100, 10, "r1"),
            delivered("2000-08-02T12:00", "N2"),
            notice("2000-08-02", 10000, "N2"),
            delivered("2000-08-11T12:00", "N1"),
            conditions("2000-04-20T11:00"),
            notice("2000-08-02", 30000, "N1"),
            accepted("2000-03-03T10:00"),
        ]
    )
    code, doc = check_json(cli, path, "2000-12-31")
    assert code == 1
    assert doc["as_of"] == "2000-12-31"
    assert_unknown_due_last(doc["findings"])
    ours = [f for f in doc["findings"] if f["rule"] in SEED_RULES]
    got = [(f["rule"], f["key"], f["status"], f["due"], f["amount"]) for f in ours]
    assert got == [
        (FUNDING, None, "breached", "2000-03-08T17:00:00-05:00", None),
        (CLOSING, None, "breached", "2000-04-24T15:00:00-04:00", None),
        (CONVERSION, "N1", "breached", "2000-08-02", 1200),
        (CONVERSION, "N2", "met", "2000-08-02", None),
        (RESERVE, "2000-09-29", "breached", "2000-09-29", 60),
        (MEETING, None, "open", None, None),
    ]
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS | ADDED_KEYS
    assert ours[2]["facts"] == ["n-N1", "d-N1"]


def test_cli_bad_fact_exit_2(write_facts, cli):
    path = write_facts([accepted("2000-03-03"), fact("x", "no_such_fact", "2000-03-04")])
    code, _, err = cli(["check", "--rules", RULES, "--facts", str(path), "--as-of", "2000-12-31"])
    assert code == 2
    assert f"{path}:2" in err
