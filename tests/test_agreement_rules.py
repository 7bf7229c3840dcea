"""End-to-end tests of eleven more rules of rules/nhtc-series-j.yaml, and section 10 notices.

certificates-delivery (1(c)(ii)), registration-rights-agreement (4(c)), warrant-issuance and
warrant-expiry (4(h)), rofr-notice, rofr-exercise and rofr-consummation (4(j)),
mandatory-purchase (5(f)), cap-redemption (4(i)), restricted-period (2(b)(iv), (xv), (xvii))
and use-of-proceeds (4(f)), decided as shared/spec/seed-obligations.md and the rules'
``notes:`` say; plus the "deemed given" dates of section 10 (fact field ``delivery_method``).

Every expected value below was worked out by hand from the contract text and a printed
calendar, never by running the code under test.  Calendar facts used throughout:

- Weekdays (from a printed calendar): Jan 2000: Wed 12, Mon 17, Tue 18.  Feb 2000: Fri 4,
  Wed 9, Thu 17, Fri 18, Mon 21, Tue 22, Wed 23, Mon 28, Tue 29 (2000 is a leap year).
  Mar 2000: Fri 10, Mon 13, Tue 14, Wed 15.  Apr 2000: Thu 20, Fri 21, Mon 24.  May 2000:
  Tue 16.  Jun 2000: Mon 12, Wed 21, Fri 23, Sat 24, Mon 26, Thu 29, Fri 30.  Jul 2000:
  Mon 3, Tue 4, Thu 6, Thu 13, Sun 16, Mon 17, Wed 19, Thu 20, Sun 23, Mon 24.  Sep 2000:
  Fri 1, Sat 2, Mon 4, Thu 7, Mon 11, Wed 13, Thu 14, Wed 20.  Nov 2000: Thu 16, Thu 23,
  Fri 24, Sat 25.  Dec 2000: Fri 29.  Jan 2001: Thu 11, Fri 12.  Feb 2001: Wed 21, Thu 22,
  Tue 27, Wed 28 (2001 is not a leap year).  Sep 2001: Fri 7, Mon 10, Mon 17, Tue 18,
  Fri 21, Mon 24, Tue 25.  Feb 2005: Mon 28.  Mar 2005: Tue 1, Thu 31.  Dec 2005: Sat 31.
- NYSE (XNYS) closures: 2000: Mon 17 Jan, Mon 21 Feb, Fri 21 Apr (Good Friday), Mon 29 May,
  Tue 4 Jul, Mon 4 Sep, Thu 23 Nov, Mon 25 Dec.  2001: Mon 1 Jan, Mon 15 Jan, Mon 19 Feb,
  Fri 13 Apr, Mon 28 May, Wed 4 Jul, Mon 3 Sep, Tue 11 - Fri 14 Sep (the attacks), Thu 22
  Nov, Tue 25 Dec.  No closure in March, June, August or October 2000.
- New York time: EST (-05:00) except EDT (-04:00) from 2 Apr to 29 Oct 2000 and from 1 Apr
  to 28 Oct 2001.
- "Business day" and "trading day" are both XNYS sessions for this agreement.
- Section 10: a notice is deemed given the day it is delivered by hand or confirmed fax, the
  7th business day after deposit by certified mail, the 3rd business day after mailing by
  courier.  A notice fact's ``at`` is when it was sent; with no ``delivery_method`` it is
  the day it was given.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.model import Status

OPEN, MET, BREACHED, EXPIRED = Status.OPEN, Status.MET, Status.BREACHED, Status.EXPIRED
RULES = str(Path(__file__).resolve().parent.parent / "rules")


# --- fact builders ----------------------------------------------------------------------


def fact(fid: str, ftype: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": fid, "type": ftype, "at": at, **fields}


def accepted(at: str = "2000-02-04", fid: str = "acc") -> dict[str, Any]:
    return fact(fid, "agreement_accepted", at)


def deposited(at: str = "2000-02-09T16:40", amount: float = 500000, fid: str = "dep"):
    return fact(fid, "purchase_price_deposited", at, amount=amount)


def closing(at: str, fid: str = "close") -> dict[str, Any]:
    return fact(fid, "closing", at)


def certificates(at: str, fid: str = "cert") -> dict[str, Any]:
    return fact(fid, "certificates_delivered", at)


def rra_signed(at: str, fid: str = "rra") -> dict[str, Any]:
    return fact(fid, "registration_rights_agreement_signed", at)


def bid(at: str, price: float, fid: str) -> dict[str, Any]:
    return fact(fid, "closing_bid", at, price=price)


def warrants(at: str, shares: int, price: float, fid: str = "war") -> dict[str, Any]:
    return fact(fid, "warrants_issued", at, shares=shares, exercise_price=price)


def warrants_exercised(at: str, shares: int = 1000, fid: str = "wx") -> dict[str, Any]:
    return fact(fid, "warrants_exercised", at, shares=shares)


def effective(at: str = "2000-05-16", fid: str = "eff") -> dict[str, Any]:
    return fact(fid, "effective_date", at)


def rofr_notice(at: str, offer: str = "O-1", method: str | None = None, fid: str | None = None):
    extra = {"delivery_method": method} if method else {}
    return fact(fid or f"ntc-{offer}", "rofr_notice_received", at, offer_id=offer, **extra)


def rofr_exercised(
    at: str, offer: str = "O-1", portion: float = 1, method: str | None = None, fid=None
) -> dict[str, Any]:
    extra = {"delivery_method": method} if method else {}
    return fact(
        fid or f"ex-{offer}", "rofr_exercised", at, offer_id=offer, portion=portion, **extra
    )


def consummated(
    at: str,
    offer: str = "O-1",
    underwritten: bool | None = None,
    more_favorable: bool | None = None,
    fid: str | None = None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if underwritten is not None:
        extra["underwritten"] = underwritten
    if more_favorable is not None:
        extra["more_favorable_terms"] = more_favorable
    return fact(fid or f"nt-{offer}", "new_transaction_consummated", at, offer_id=offer, **extra)


def demand(
    at: str,
    preference: float = 500000,
    dividends: float = 12345.67,
    method: str | None = None,
    fid: str = "mpd",
) -> dict[str, Any]:
    extra = {"delivery_method": method} if method else {}
    return fact(
        fid,
        "mandatory_purchase_demanded",
        at,
        liquidation_preference=preference,
        accrued_dividends=dividends,
        **extra,
    )


def paid(at: str, amount: float, fid: str = "mpp") -> dict[str, Any]:
    return fact(fid, "mandatory_purchase_paid", at, amount=amount)


def cap_elected(at: str, rid: str = "R1", fid: str | None = None) -> dict[str, Any]:
    return fact(fid or f"cre-{rid}", "cap_redemption_elected", at, redemption_id=rid)


def cap_paid(at: str, rid: str = "R1", fid: str | None = None) -> dict[str, Any]:
    return fact(fid or f"crp-{rid}", "cap_redemption_paid", at, redemption_id=rid)


def transferred(at: str, us: bool, fid: str = "xfer") -> dict[str, Any]:
    return fact(fid, "securities_transferred", at, to_us_person=us)


def shorted(at: str, fid: str = "short") -> dict[str, Any]:
    return fact(fid, "short_position_opened", at)


def proceeds(at: str, purpose: str, consent: bool | None = None, fid: str = "use"):
    extra = {"buyer_consent": consent} if consent is not None else {}
    return fact(fid, "proceeds_used", at, purpose=purpose, **extra)


def breaches(found):
    return [f for f in found if f.status is BREACHED]


def by_key(found, key):
    hits = [f for f in found if f.key == key]
    assert len(hits) == 1, f"expected one finding keyed {key!r}, got {found}"
    return hits[0]


# =========================================================================================
# certificates-delivery, 1(c)(ii): "No later than the Closing Date ... the Company shall
# deliver ... the Certificates ... to the Escrow Agent."  Open with no due date until the
# Closing Date is known; then due by the end of the Closing Date.
# The seed deal: accepted Fri 2000-02-04, Closing Tue 2000-02-22 11:30 EST.
# =========================================================================================

CERTS = "certificates-delivery"
ACC = accepted()
CLOSE = closing("2000-02-22T11:30")


def test_certificates_met_before_closing_fields(finding):
    # Delivered Thu 2000-02-17, before the Closing Date Tue 2000-02-22.
    f = finding(CERTS, [ACC, certificates("2000-02-17T15:30"), CLOSE], "2000-12-31")
    assert (f.status, f.due, f.amount) == (MET, "2000-02-22", None)
    assert (f.contract, f.key, f.section, f.party) == ("nhtc-series-j", None, "1(c)(ii)", "company")
    assert "cert" in f.facts


@pytest.mark.parametrize(
    ("delivered_at", "status"),
    [
        # The deadline is the end of Tue 2000-02-22 (no time of day): any time that day is on
        # time, one minute into Wed 23 is late.
        pytest.param("2000-02-22T09:00", MET, id="closing-day-morning"),
        pytest.param("2000-02-22T23:59", MET, id="closing-day-23:59"),
        pytest.param("2000-02-23T00:00", BREACHED, id="next-day-00:00"),
        pytest.param("2000-02-23T10:00", BREACHED, id="next-day"),
        # 04:59Z on 23 Feb is 23:59 EST on 22 Feb; 05:00Z is 00:00 EST on 23 Feb.
        pytest.param("2000-02-23T04:59:00Z", MET, id="utc-still-22-feb"),
        pytest.param("2000-02-23T05:00:00Z", BREACHED, id="utc-23-feb"),
    ],
)
def test_certificates_boundary(finding, delivered_at, status):
    f = finding(CERTS, [ACC, CLOSE, certificates(delivered_at)], "2000-12-31")
    assert (f.status, f.due) == (status, "2000-02-22")


def test_certificates_open_without_closing(finding):
    # Sun 2000-02-20: accepted, no closing yet, no delivery: open with no due date.
    f = finding(CERTS, [ACC, deposited()], "2000-02-20")
    assert (f.status, f.due) == (OPEN, None)


def test_certificates_open_on_closing_day_then_breached(finding):
    # Closing Tue 22 Feb, nothing delivered: at the end of the 22nd the deadline (the end of
    # that same day) has not gone by; at the end of Wed 23 it has.
    facts = [ACC, deposited(), CLOSE]
    f = finding(CERTS, facts, "2000-02-22")
    assert (f.status, f.due) == (OPEN, "2000-02-22")
    f = finding(CERTS, facts, "2000-02-23")
    assert (f.status, f.due) == (BREACHED, "2000-02-22")


def test_certificates_closing_date_is_new_york_date(finding):
    # Closing at 03:00Z on Wed 23 Feb = 22:00 EST on Tue 22 Feb: the Closing Date is 22 Feb,
    # so a delivery on the morning of the 23rd is late.
    facts = [ACC, closing("2000-02-23T03:00:00Z"), certificates("2000-02-23T09:00")]
    f = finding(CERTS, facts, "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-02-22")


def test_certificates_delivered_before_closing_is_known(finding):
    # Delivered Thu 17 Feb; as of Fri 18 Feb the closing has not happened.  Whatever day the
    # Closing Date turns out to be, it cannot be before a day already past without a closing,
    # so the delivery is on time: met, due date not yet known.
    f = finding(CERTS, [ACC, certificates("2000-02-17T15:30")], "2000-02-18")
    assert (f.status, f.due) == (MET, None)


# =========================================================================================
# registration-rights-agreement, 4(c): "The parties hereto agree to enter into the
# Registration Rights Agreement on or before the Closing Date."  Due the end of the Closing
# Date; assigned to the Company.
# =========================================================================================

RRA = "registration-rights-agreement"


def test_rra_met_fields(finding):
    # Signed Thu 2000-02-17, Closing Tue 2000-02-22.
    f = finding(RRA, [ACC, rra_signed("2000-02-17T15:45"), CLOSE], "2000-12-31")
    assert (f.status, f.due, f.amount) == (MET, "2000-02-22", None)
    assert (f.key, f.section, f.party) == (None, "4(c)", "company")
    assert "rra" in f.facts


@pytest.mark.parametrize(
    ("signed_at", "status"),
    [
        # "on or before the Closing Date": the whole of Tue 22 Feb counts.
        pytest.param("2000-02-22T11:30", MET, id="at-closing"),
        pytest.param("2000-02-22T23:59", MET, id="closing-day-23:59"),
        pytest.param("2000-02-23T00:00", BREACHED, id="next-day-00:00"),
        pytest.param("2000-03-01", BREACHED, id="a-week-late"),
    ],
)
def test_rra_boundary(finding, signed_at, status):
    f = finding(RRA, [ACC, CLOSE, rra_signed(signed_at)], "2000-12-31")
    assert (f.status, f.due) == (status, "2000-02-22")


def test_rra_open_then_breached(finding):
    # No closing yet (Sun 20 Feb): no due date.  Closing Tue 22 Feb, nothing signed: open at
    # the end of the 22nd, breached at the end of Wed 23.
    f = finding(RRA, [ACC], "2000-02-20")
    assert (f.status, f.due) == (OPEN, None)
    f = finding(RRA, [ACC, CLOSE], "2000-02-22")
    assert (f.status, f.due) == (OPEN, "2000-02-22")
    f = finding(RRA, [ACC, CLOSE], "2000-02-23")
    assert (f.status, f.due) == (BREACHED, "2000-02-22")


# =========================================================================================
# warrant-issuance, 4(h): Warrants issued on the Closing Date for
# floor(20% x Purchase Price / (110% x B)) shares at cents(110% x B) (half up), B the closing
# bid of the trading day immediately before the Closing Date; the count uses 110% x B
# unrounded.  A missing issuance, a wrong count or a wrong price is a breach.
#
# The seed deal: $500,000 deposited; bids Thu 17 Feb 3 7/16 = 3.4375, Fri 18 Feb 3.50,
# Tue 22 Feb 3 9/16 = 3.5625; Closing Tue 2000-02-22.  The trading day before Tue 22 Feb is
# Fri 18 Feb (Mon 21 Presidents' Day closed): B = 3.50; 110% x B = 3.85;
# 20% x 500,000 = 100,000; 100,000 / 3.85 = 25,974.03 (3.85 x 25,974 = 99,999.90) ->
# 25,974 shares at $3.85.
# =========================================================================================

WARRANT = "warrant-issuance"
SALE = [
    ACC,
    deposited(),
    bid("2000-02-17T16:00", 3.4375, "b17"),
    bid("2000-02-18T16:00", 3.5, "b18"),
    CLOSE,
    bid("2000-02-22T16:00", 3.5625, "b22"),
]


def test_warrants_seed_deal_met(finding):
    f = finding(WARRANT, [*SALE, warrants("2000-02-22T11:30", 25974, 3.85)], "2000-12-31")
    assert (f.status, f.due, f.amount) == (MET, "2000-02-22", None)
    assert (f.key, f.section, f.party) == (None, "4(h)", "company")
    assert "war" in f.facts


@pytest.mark.parametrize(
    ("shares", "price"),
    [
        # One share too many / too few.
        pytest.param(25975, 3.85, id="one-share-too-many"),
        pytest.param(25973, 3.85, id="one-share-too-few"),
        # A cent off the exercise price.
        pytest.param(25974, 3.86, id="price-cent-high"),
        pytest.param(25974, 3.84, id="price-cent-low"),
        # B taken from Thu 17 Feb (two trading days before): 110% x 3.4375 = 3.78125 -> $3.78;
        # 100,000 / 3.78125 = 26,446.28 (3.78125 x 26,446 = 99,998.94) -> 26,446 shares.
        pytest.param(26446, 3.78, id="bid-of-thu-17-feb"),
        # B taken from the Closing Date itself, Tue 22 Feb: 110% x 3.5625 = 3.91875 -> $3.92;
        # 100,000 / 3.91875 = 25,518.34 (3.91875 x 25,518 = 99,998.66) -> 25,518 shares.
        pytest.param(25518, 3.92, id="bid-of-closing-day"),
        # 20% of the $1,000,000 total offering instead of the $500,000 paid:
        # 200,000 / 3.85 = 51,948.05 -> 51,948 shares.
        pytest.param(51948, 3.85, id="total-offering-not-purchase-price"),
        # 110% applied to the price but not to the count: 100,000 / 3.50 = 28,571.43 ->
        # 28,571 shares.
        pytest.param(28571, 3.85, id="count-without-110-percent"),
    ],
)
def test_warrants_wrong_count_or_price_breach(finding, shares, price):
    f = finding(WARRANT, [*SALE, warrants("2000-02-22T11:30", shares, price)], "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-02-22")
    assert "war" in f.facts


@pytest.mark.parametrize(
    ("issued_at", "status"),
    [
        # On the Closing Date, any time: on time.  After the end of it: a breach.
        pytest.param("2000-02-22T23:59", MET, id="closing-day-23:59"),
        pytest.param("2000-02-23T00:00", BREACHED, id="next-day-00:00"),
        pytest.param("2000-02-25T10:00", BREACHED, id="three-days-late"),
    ],
)
def test_warrants_issued_late(finding, issued_at, status):
    f = finding(WARRANT, [*SALE, warrants(issued_at, 25974, 3.85)], "2000-12-31")
    assert (f.status, f.due) == (status, "2000-02-22")


def test_warrants_not_issued(finding):
    # As of the end of the Closing Date: still open (due the end of that day); the day after:
    # a breach.
    f = finding(WARRANT, SALE, "2000-02-22")
    assert (f.status, f.due) == (OPEN, "2000-02-22")
    f = finding(WARRANT, SALE, "2000-02-23")
    assert (f.status, f.due) == (BREACHED, "2000-02-22")


def test_warrants_open_before_closing(finding):
    # Sun 20 Feb: accepted, paid, bids recorded, no closing: the Closing Date is unknown.
    f = finding(WARRANT, SALE[:4], "2000-02-20")
    assert (f.status, f.due) == (OPEN, None)


def test_warrants_issued_with_certificates_before_closing(finding):
    # Rule notes: an issuance before the Closing Date counts.  Issued Thu 17 Feb 15:30 into
    # escrow, before B (Fri 18 Feb 3.50) is known: judged once it is: 25,974 at $3.85, met.
    facts = [*SALE, warrants("2000-02-17T15:30", 25974, 3.85)]
    f = finding(WARRANT, facts, "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-02-22")


def test_warrants_issued_before_closing_wrong_count(finding):
    # The same early issuance, one share short: a breach.
    facts = [*SALE, warrants("2000-02-17T15:30", 25973, 3.85)]
    assert finding(WARRANT, facts, "2000-12-31").status is BREACHED


def test_warrants_missing_bid_is_not_judged_a_breach(finding):
    # Rule notes: "While the closing bid of the day before the Closing Date is not recorded,
    # an issuance waits and is judged when it is."  No bid for Fri 18 Feb is recorded (only
    # Thu 17 and Tue 22): the issuance on the Closing Date cannot be judged yet, neither met
    # nor breached; it stays open, due the Closing Date.  (The bid of Thu 17 or Tue 22 must
    # not be used instead.)
    facts = [f for f in SALE if f["id"] != "b18"]
    f = finding(WARRANT, [*facts, warrants("2000-02-22T11:30", 25974, 3.85)], "2000-12-31")
    assert (f.status, f.due) == (OPEN, "2000-02-22")
    # Issued on the bid of Thu 17 Feb (26,446 at $3.78): still not judged a breach or met.
    f = finding(WARRANT, [*facts, warrants("2000-02-22T11:30", 26446, 3.78)], "2000-12-31")
    assert (f.status, f.due) == (OPEN, "2000-02-22")


# Rounding.  Closing Mon 2000-03-13; the trading day before is Fri 2000-03-10 (no March
# holiday).  A different bid on the Closing Date itself must not be used.
def _march_sale(b: float, amount: float = 500000) -> list[dict[str, Any]]:
    return [
        accepted("2000-03-01"),
        deposited("2000-03-06T12:00", amount),
        bid("2000-03-09T16:00", 9.99, "b09"),
        bid("2000-03-10T16:00", b, "b10"),
        closing("2000-03-13T11:00", "close"),
        bid("2000-03-13T16:00", 8.88, "b13"),
    ]


@pytest.mark.parametrize(
    ("b", "amount", "shares", "price", "status"),
    [
        # B = 2.35: 110% x B = 2.585 exactly; half up -> $2.59 (half-even would give 2.58).
        # Count on the unrounded 2.585: 100,000 / 2.585 = 38,684.72 (2.585 x 38,684 =
        # 99,998.14) -> 38,684.  On the rounded 2.59 it would be 38,610 (2.59 x 38,610 =
        # 99,999.90).
        pytest.param(2.35, 500000, 38684, 2.59, MET, id="2.585-half-up"),
        pytest.param(2.35, 500000, 38684, 2.58, BREACHED, id="2.585-half-even-price"),
        pytest.param(2.35, 500000, 38610, 2.59, BREACHED, id="2.585-count-on-rounded-price"),
        # B = 1.15: 110% x B = 1.265 exactly -> $1.27 (a binary float of 1.265 lies just
        # below it and rounds to 1.26).  100,000 / 1.265 = 79,051.38 (1.265 x 79,051 =
        # 99,999.515) -> 79,051.
        pytest.param(1.15, 500000, 79051, 1.27, MET, id="1.265-half-up"),
        pytest.param(1.15, 500000, 79051, 1.26, BREACHED, id="1.265-rounded-down"),
        # $550,000 paid, B = 2.00: 20% = 110,000; 110% x 2.00 = 2.20; 110,000 / 2.20 = 50,000
        # exactly (floating point gives 49,999.999...).  50,000 shares at $2.20.
        pytest.param(2.0, 550000, 50000, 2.20, MET, id="exact-50000"),
        pytest.param(2.0, 550000, 49999, 2.20, BREACHED, id="exact-50000-floored-low"),
        # $550,000, B = 1.60: 1.76; 110,000 / 1.76 = 62,500 exactly.
        pytest.param(1.6, 550000, 62500, 1.76, MET, id="exact-62500"),
    ],
)
def test_warrants_rounding(finding, b, amount, shares, price, status):
    facts = [*_march_sale(b, amount), warrants("2000-03-13T11:00", shares, price)]
    f = finding(WARRANT, facts, "2000-12-31")
    assert (f.status, f.due) == (status, "2000-03-13")


def test_warrants_trading_day_before_good_friday(finding):
    # Closing Mon 2000-04-24; Fri 21 Apr is Good Friday (closed), so B is Thu 20 Apr's bid,
    # 2.00: 2.20; 100,000 / 2.20 = 45,454.5 (2.20 x 45,454 = 99,998.80) -> 45,454 at $2.20.
    facts = [
        accepted("2000-04-10"),
        deposited("2000-04-13", 500000),
        bid("2000-04-19T16:00", 3.0, "b19"),
        bid("2000-04-20T16:00", 2.0, "b20"),
        closing("2000-04-24T11:00"),
        warrants("2000-04-24T11:00", 45454, 2.20),
    ]
    f = finding(WARRANT, facts, "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-04-24")


def test_warrants_trading_day_before_september_2001(finding):
    # Closing Mon 2001-09-17, the day the NYSE reopened: the trading day before is Mon
    # 2001-09-10 (Tue 11 - Fri 14 closed), bid 1.25: 1.375 -> $1.38 (half up);
    # 100,000 / 1.375 = 72,727.27 (1.375 x 72,727 = 99,999.625) -> 72,727.  The bid of
    # Fri 7 Sep (1.50 -> 1.65, 60,606 shares) must not be used.
    facts = [
        accepted("2001-08-29"),
        deposited("2001-08-31", 500000),
        bid("2001-09-07T16:00", 1.5, "b07"),
        bid("2001-09-10T16:00", 1.25, "b10"),
        closing("2001-09-17T11:00"),
    ]
    f = finding(WARRANT, [*facts, warrants("2001-09-17T11:00", 72727, 1.38)], "2001-12-31")
    assert (f.status, f.due) == (MET, "2001-09-17")
    f = finding(WARRANT, [*facts, warrants("2001-09-17T11:00", 60606, 1.65)], "2001-12-31")
    assert f.status is BREACHED


# =========================================================================================
# warrant-expiry, 4(h): "The Warrants will expire on the last day of the calendar month in
# which the fifth anniversary of the Closing Date occurs."  A right of the Buyer: open until
# the end of the expiry day, then expired unless exercised; never breached.
# =========================================================================================

EXPIRY = "warrant-expiry"


def _warrant_deal(closing_at: str) -> list[dict[str, Any]]:
    return [
        accepted("2000-02-04"),
        closing(closing_at),
        warrants(closing_at, 25974, 3.85),
    ]


def test_expiry_worked_example(finding):
    # Worked example: Closing Date Wed 2000-03-15 -> 5th anniversary Tue 2005-03-15 ->
    # the Warrants expire Thu 2005-03-31.
    facts = _warrant_deal("2000-03-15T11:00")
    f = finding(EXPIRY, facts, "2005-03-31")
    assert (f.status, f.due, f.amount) == (OPEN, "2005-03-31", None)
    assert (f.key, f.section, f.party) == (None, "4(h)", "buyer")
    f = finding(EXPIRY, facts, "2005-04-01")
    assert (f.status, f.due) == (EXPIRED, "2005-03-31")


@pytest.mark.parametrize(
    ("exercised_at", "status"),
    [
        pytest.param("2002-06-03", MET, id="years-before"),
        pytest.param("2005-03-31T23:59", MET, id="expiry-day-23:59"),
        pytest.param("2005-04-01T00:00", EXPIRED, id="day-after-00:00"),
    ],
)
def test_expiry_exercise_boundary(finding, exercised_at, status):
    facts = [*_warrant_deal("2000-03-15T11:00"), warrants_exercised(exercised_at)]
    f = finding(EXPIRY, facts, "2006-12-31")
    assert (f.status, f.due) == (status, "2005-03-31")


def test_expiry_29_february_closing(finding):
    # Closing Tue 2000-02-29: 2005 has no 29 February, so the 5th anniversary is Mon
    # 2005-02-28 and the Warrants expire that day (a 1 March anniversary would give 31 Mar).
    facts = _warrant_deal("2000-02-29T11:00")
    f = finding(EXPIRY, facts, "2005-02-28")
    assert (f.status, f.due) == (OPEN, "2005-02-28")
    f = finding(EXPIRY, facts, "2005-03-01")
    assert (f.status, f.due) == (EXPIRED, "2005-02-28")
    f = finding(EXPIRY, [*facts, warrants_exercised("2005-03-01T09:00")], "2005-12-31")
    assert (f.status, f.due) == (EXPIRED, "2005-02-28")
    f = finding(EXPIRY, [*facts, warrants_exercised("2005-02-28T16:00")], "2005-12-31")
    assert (f.status, f.due) == (MET, "2005-02-28")


@pytest.mark.parametrize(
    ("closing_at", "due"),
    [
        # The seed deal: Closing Tue 2000-02-22 -> 2005-02-22 -> Mon 2005-02-28.
        pytest.param("2000-02-22T11:30", "2005-02-28", id="seed-deal"),
        # Closing Mon 2000-01-31 -> Mon 2005-01-31, already the last day of its month.
        pytest.param("2000-01-31T11:00", "2005-01-31", id="last-day-of-month"),
        # Closing Fri 2000-12-29 -> 2005-12-29 -> Sat 2005-12-31: not rolled.
        pytest.param("2000-12-29T11:00", "2005-12-31", id="saturday-not-rolled"),
        # Closing Mon 2000-05-01 -> 2005-05-01 -> Tue 2005-05-31.
        pytest.param("2000-05-01T11:00", "2005-05-31", id="first-of-month"),
    ],
)
def test_expiry_due(finding, closing_at, due):
    f = finding(EXPIRY, _warrant_deal(closing_at), "2004-12-31")
    assert (f.status, f.due) == (OPEN, due)


def test_expiry_open_without_closing(finding):
    # Warrants issued into escrow on Thu 2000-02-17; no closing yet: no expiry date yet.
    facts = [accepted("2000-02-04"), warrants("2000-02-17T15:30", 25974, 3.85)]
    f = finding(EXPIRY, facts, "2000-02-18")
    assert (f.status, f.due) == (OPEN, None)


def test_expiry_no_warrants_no_finding(findings):
    assert findings(EXPIRY, [accepted("2000-02-04"), closing("2000-02-22")], "2006-01-01") == []


# =========================================================================================
# rofr-exercise, 4(j)(i): the Buyer may exercise "by the close of business on the third
# business day after the Buyer's receipt of the New Transaction Offer" (17:00 New York time).
# A right: met if exercised by then, else expired; never breached.  Keyed by offer_id.
# =========================================================================================

EXERCISE = "rofr-exercise"
# Offer O-1 received Mon 2000-06-26: Tue 27, Wed 28, Thu 29 -> 2000-06-29 17:00 EDT.
O1_DUE = "2000-06-29T17:00:00-04:00"
NOTICE_O1 = rofr_notice("2000-06-26T09:00")


def test_exercise_met_fields(finding):
    f = finding(EXERCISE, [NOTICE_O1, rofr_exercised("2000-06-28T10:00")], "2000-12-31")
    assert (f.status, f.due, f.amount) == (MET, O1_DUE, None)
    assert (f.key, f.section, f.party) == ("O-1", "4(j)(i)", "buyer")
    assert f.facts == ("ntc-O-1", "ex-O-1")


@pytest.mark.parametrize(
    ("exercised_at", "status"),
    [
        pytest.param("2000-06-29T16:59", MET, id="16:59"),
        pytest.param("2000-06-29T17:00", MET, id="17:00-exactly"),
        pytest.param("2000-06-29T17:01", EXPIRED, id="17:01"),
        # 21:00Z is 17:00 EDT; 21:01Z is 17:01 EDT.
        pytest.param("2000-06-29T21:00:00Z", MET, id="21:00Z"),
        pytest.param("2000-06-29T21:01:00Z", EXPIRED, id="21:01Z"),
        pytest.param("2000-06-30T09:00", EXPIRED, id="next-day"),
    ],
)
def test_exercise_boundary(finding, exercised_at, status):
    f = finding(EXERCISE, [NOTICE_O1, rofr_exercised(exercised_at)], "2000-12-31")
    assert (f.status, f.due) == (status, O1_DUE)


def test_exercise_partial_is_met(finding):
    # Rule notes: any exercise, in part or in full, ends the right as met.
    f = finding(EXERCISE, [NOTICE_O1, rofr_exercised("2000-06-27", portion=0.25)], "2000-12-31")
    assert f.status is MET


def test_exercise_open_then_expired_never_breached(finding):
    # As of the end of Wed 28 Jun the right is still open; by the end of Thu 29 Jun its
    # 17:00 deadline has gone by: expired, not breached.
    f = finding(EXERCISE, [NOTICE_O1], "2000-06-28")
    assert (f.status, f.due) == (OPEN, O1_DUE)
    f = finding(EXERCISE, [NOTICE_O1], "2000-06-29")
    assert (f.status, f.due) == (EXPIRED, O1_DUE)


@pytest.mark.parametrize(
    ("received_at", "due"),
    [
        # MLK: Wed 2000-01-12 -> Thu 13, Fri 14, [Mon 17 closed], Tue 18.  EST.
        pytest.param("2000-01-12", "2000-01-18T17:00:00-05:00", id="mlk-2000"),
        # Good Friday: Thu 2000-04-20 -> [Fri 21 closed] Mon 24, Tue 25, Wed 26.  EDT.
        pytest.param("2000-04-20", "2000-04-26T17:00:00-04:00", id="good-friday-2000"),
        # July 4th: Fri 2000-06-30 -> Mon 3, [Tue 4 closed], Wed 5, Thu 6.
        pytest.param("2000-06-30", "2000-07-06T17:00:00-04:00", id="july-4th-2000"),
        # Thanksgiving: Wed 2000-11-22 -> [Thu 23 closed] Fri 24, Mon 27, Tue 28.  EST.
        pytest.param("2000-11-22", "2000-11-28T17:00:00-05:00", id="thanksgiving-2000"),
        # Received on Sat 2000-06-24 -> Mon 26, Tue 27, Wed 28.
        pytest.param("2000-06-24T11:00", "2000-06-28T17:00:00-04:00", id="saturday-receipt"),
        # September 2001: Mon 2001-09-10 -> [Tue 11 - Fri 14 closed] Mon 17, Tue 18, Wed 19.
        pytest.param("2001-09-10", "2001-09-19T17:00:00-04:00", id="sep-2001"),
        # DST starts Sun 2000-04-02: Wed 2000-03-29 -> Thu 30, Fri 31, Mon 3 Apr: EDT.
        pytest.param("2000-03-29", "2000-04-03T17:00:00-04:00", id="dst-start"),
        # DST ends Sun 2000-10-29: Wed 2000-10-25 -> Thu 26, Fri 27, Mon 30: EST.
        pytest.param("2000-10-25", "2000-10-30T17:00:00-05:00", id="dst-end"),
    ],
)
def test_exercise_due(finding, received_at, due):
    f = finding(EXERCISE, [rofr_notice(received_at)], received_at[:10])
    assert (f.status, f.due) == (OPEN, due)


def test_exercise_keyed_by_offer(findings):
    # O-1 and O-2 both received Mon 26 Jun; only O-2 is exercised.
    facts = [
        NOTICE_O1,
        rofr_notice("2000-06-26T10:00", "O-2"),
        rofr_exercised("2000-06-27T10:00", "O-2"),
    ]
    found = findings(EXERCISE, facts, "2000-12-31")
    assert by_key(found, "O-1").status is EXPIRED
    assert by_key(found, "O-2").status is MET
    assert all(f.status is not BREACHED for f in found)


# Section 10 applied to the offer (the Company's notice) and to the exercise (the Buyer's).
@pytest.mark.parametrize(
    ("sent_at", "method", "due"),
    [
        # Delivered by hand or confirmed fax on Mon 26 Jun: deemed given that day -> Thu 29.
        pytest.param("2000-06-26T09:00", "personal_delivery", O1_DUE, id="personal"),
        pytest.param("2000-06-26T09:00", "fax", O1_DUE, id="fax"),
        # Courier sent Fri 2000-06-23: deemed given the 3rd business day after, Mon 26,
        # Tue 27, Wed 28 Jun; the right runs to Thu 29, Fri 30, Mon 3 Jul, 17:00 EDT.
        pytest.param("2000-06-23T12:00", "courier", "2000-07-03T17:00:00-04:00", id="courier"),
        # Certified mail deposited Mon 2000-06-12: the 7th business day after is Tue 13,
        # Wed 14, Thu 15, Fri 16, Mon 19, Tue 20, Wed 21 Jun; then Thu 22, Fri 23, Mon 26.
        pytest.param(
            "2000-06-12T12:00", "certified_mail", "2000-06-26T17:00:00-04:00", id="certified"
        ),
    ],
)
def test_exercise_offer_deemed_given(finding, sent_at, method, due):
    f = finding(EXERCISE, [rofr_notice(sent_at, method=method)], sent_at[:10])
    assert (f.status, f.due) == (OPEN, due)


@pytest.mark.parametrize(
    ("sent_at", "method", "status"),
    [
        # Offer received Mon 26 Jun; right to Thu 29 Jun 17:00 EDT.
        # By courier Mon 26: deemed given Tue 27, Wed 28, Thu 29 (00:00): in time.
        pytest.param("2000-06-26T15:00", "courier", MET, id="courier-deemed-on-last-day"),
        # By courier Tue 27: deemed given Fri 30: too late, although sent two days early.
        pytest.param("2000-06-27T09:00", "courier", EXPIRED, id="courier-deemed-a-day-late"),
        # Certified mail Mon 26: deemed given Tue 27, Wed 28, Thu 29, Fri 30, Mon 3 Jul,
        # [Tue 4 closed], Wed 5, Thu 6 Jul: too late.
        pytest.param("2000-06-26T15:00", "certified_mail", EXPIRED, id="certified-mail"),
        # Confirmed fax: deemed given when delivered, at its time of day.
        pytest.param("2000-06-29T17:00", "fax", MET, id="fax-17:00"),
        pytest.param("2000-06-29T17:01", "fax", EXPIRED, id="fax-17:01"),
        pytest.param("2000-06-29T16:30", "personal_delivery", MET, id="hand-16:30"),
    ],
)
def test_exercise_notice_deemed_given(finding, sent_at, method, status):
    facts = [NOTICE_O1, rofr_exercised(sent_at, method=method)]
    f = finding(EXERCISE, facts, "2000-12-31")
    assert (f.status, f.due) == (status, O1_DUE)


# =========================================================================================
# rofr-consummation, 4(j)(ii), (iii): a noticed offer may be consummated with a New Investor
# only if the Buyer did not exercise in full, from the Right of First Refusal Expiration Date
# (the 3rd business day after receipt) through 20 calendar days after it, and not on terms
# more favourable to the New Investor.  Open until a consummation; met by an allowed one.
#
# O-1 received Mon 2000-06-26 -> Expiration Date Thu 2000-06-29; + 20 days: Fri 30 Jun is
# day 1, Wed 19 Jul is day 20.  Allowed: Thu 29 Jun through Wed 19 Jul.
# =========================================================================================

CONSUMMATION = "rofr-consummation"


def test_consummation_seed_deal_met(finding):
    # The sample story: consummated Thu 13 Jul, no exercise, on the offered terms.
    facts = [NOTICE_O1, consummated("2000-07-13T10:00", underwritten=False, more_favorable=False)]
    f = finding(CONSUMMATION, facts, "2000-12-31")
    assert f.status is MET
    assert (f.key, f.section, f.party) == ("O-1", "4(j)(ii), 4(j)(iii)", "company")
    assert {"ntc-O-1", "nt-O-1"} <= set(f.facts)


def test_consummation_open_until_consummated(finding):
    f = finding(CONSUMMATION, [NOTICE_O1], "2000-12-31")
    assert (f.status, f.due) == (OPEN, None)


@pytest.mark.parametrize(
    ("at", "status"),
    [
        # Before the Expiration Date: a breach.
        pytest.param("2000-06-28T23:59", BREACHED, id="day-before-expiration"),
        # On the Expiration Date: allowed (rule notes: "on or after" the date), even before
        # the Buyer's right lapses at 17:00 that day.
        pytest.param("2000-06-29T00:00", MET, id="expiration-day-00:00"),
        pytest.param("2000-06-29T18:00", MET, id="expiration-day-after-17:00"),
        # The 20th day after, Wed 19 Jul: allowed, to the end of the day.
        pytest.param("2000-07-19T23:59", MET, id="day-20-23:59"),
        pytest.param("2000-07-20T00:00", BREACHED, id="day-21-00:00"),
        pytest.param("2000-08-15", BREACHED, id="weeks-later"),
    ],
)
def test_consummation_window(finding, at, status):
    f = finding(CONSUMMATION, [NOTICE_O1, consummated(at)], "2000-12-31")
    assert f.status is status


def test_consummation_window_not_rolled(finding):
    # O-2 received Wed 2000-06-21 -> Thu 22, Fri 23, Mon 26: Expiration Date Mon 26 Jun;
    # + 20 days: Sun 2000-07-16 (Jun 27..30 are 4, Jul 1..16 are 16).  Not rolled to Mon 17.
    notice = rofr_notice("2000-06-21T09:00", "O-2")
    f = finding(CONSUMMATION, [notice, consummated("2000-07-16T12:00", "O-2")], "2000-12-31")
    assert f.status is MET
    f = finding(CONSUMMATION, [notice, consummated("2000-07-17T09:00", "O-2")], "2000-12-31")
    assert f.status is BREACHED
    # Mon 26 Jun, the Expiration Date: allowed; Fri 23 Jun: too early.
    f = finding(CONSUMMATION, [notice, consummated("2000-06-26T09:00", "O-2")], "2000-12-31")
    assert f.status is MET
    f = finding(CONSUMMATION, [notice, consummated("2000-06-23T09:00", "O-2")], "2000-12-31")
    assert f.status is BREACHED


@pytest.mark.parametrize(
    ("portion", "status"),
    [
        # "If, and only if, the Buyer does not exercise ... in full": portion 1 forbids it.
        pytest.param(1, BREACHED, id="in-full"),
        # A partial exercise leaves "the remaining portion" to be consummated.
        pytest.param(0.6, MET, id="partial-0.6"),
        pytest.param(0.99, MET, id="partial-0.99"),
    ],
)
def test_consummation_after_exercise(finding, portion, status):
    facts = [
        NOTICE_O1,
        rofr_exercised("2000-06-27T10:00", portion=portion),
        consummated("2000-07-13T10:00"),
    ]
    f = finding(CONSUMMATION, facts, "2000-12-31")
    assert f.status is status


def test_consummation_exercise_of_other_offer_does_not_count(findings):
    # O-2 exercised in full; O-1 (not exercised) may still be consummated.
    facts = [
        NOTICE_O1,
        rofr_notice("2000-06-26T10:00", "O-2"),
        rofr_exercised("2000-06-27T10:00", "O-2", portion=1),
        consummated("2000-07-13T10:00", "O-1"),
    ]
    found = findings(CONSUMMATION, facts, "2000-12-31")
    assert by_key(found, "O-1").status is MET
    assert by_key(found, "O-2").status is OPEN


def test_consummation_more_favorable_terms(finding):
    # 4(iii): terms more beneficial to the New Investor need a new Offer: a breach, even
    # inside the window.
    facts = [NOTICE_O1, consummated("2000-07-13T10:00", more_favorable=True)]
    f = finding(CONSUMMATION, facts, "2000-12-31")
    assert f.status is BREACHED
    assert "nt-O-1" in f.facts


def test_consummation_window_from_deemed_receipt(finding):
    # Offer O-1 sent by courier Fri 2000-06-23: deemed received Wed 28 Jun (Mon 26, Tue 27,
    # Wed 28); Expiration Date Mon 3 Jul (Thu 29, Fri 30, Mon 3); + 20 days: Sun 23 Jul
    # (Jul 4..23).  Counting from the sending day would have allowed Fri 30 Jun.
    notice = rofr_notice("2000-06-23T12:00", method="courier")
    for at, status in [
        ("2000-06-30T10:00", BREACHED),
        ("2000-07-03T10:00", MET),
        ("2000-07-23T23:59", MET),
        ("2000-07-24T00:00", BREACHED),
    ]:
        f = finding(CONSUMMATION, [notice, consummated(at)], "2000-12-31")
        assert (at, f.status) == (at, status)


@pytest.mark.parametrize(
    "exercise",
    [
        # Exercise "in full" at 17:01 on the Expiration Date (Thu 29 Jun): the right had lapsed
        # at 17:00 (rofr-exercise: expired), so it was not exercised and the Company may
        # consummate on Thu 13 Jul, inside the window.
        pytest.param(rofr_exercised("2000-06-29T17:01", portion=1), id="late-by-a-minute"),
        # Sent by courier on Tue 27 Jun: deemed given Fri 30 Jun, after the right lapsed.
        pytest.param(
            rofr_exercised("2000-06-27T09:00", portion=1, method="courier"), id="late-courier"
        ),
    ],
)
def test_consummation_after_lapsed_full_exercise(finding, exercise):
    facts = [NOTICE_O1, exercise, consummated("2000-07-13T10:00")]
    assert finding(EXERCISE, facts, "2000-12-31").status is EXPIRED
    f = finding(CONSUMMATION, facts, "2000-12-31")
    assert f.status is MET


# =========================================================================================
# rofr-notice, 4(j)(i): a New Transaction (not an underwritten public offering) consummated
# from the date of the Agreement through 240 days after the Effective Date needs an earlier
# New Transaction Offer to the Buyer for the same offer_id.  Open-ended while there is no
# Effective Date.  Keyed by offer_id.
#
# The seed deal: accepted Fri 2000-02-04; effective Tue 2000-05-16.  240 days after 16 May:
# May 17..31 = 15, Jun 30 (45), Jul 31 (76), Aug 31 (107), Sep 30 (137), Oct 31 (168),
# Nov 30 (198), Dec 31 (229), Jan 1..11 (240): Thu 2001-01-11.
# =========================================================================================

NOTICE_RULE = "rofr-notice"
REG = [accepted("2000-02-04"), effective("2000-05-16")]


def test_rofr_notice_unnoticed_is_breach(findings):
    found = findings(NOTICE_RULE, [*REG, consummated("2000-08-16T10:00", "O-9")], "2000-12-31")
    [f] = breaches(found)
    assert (f.key, f.due, f.section, f.party) == ("O-9", "2000-08-16", "4(j)(i)", "company")
    assert "nt-O-9" in f.facts


def test_rofr_notice_noticed_is_not_breach(findings):
    # The sample story: O-1 offered Mon 26 Jun, consummated Thu 13 Jul.
    facts = [*REG, NOTICE_O1, consummated("2000-07-13T10:00")]
    assert breaches(findings(NOTICE_RULE, facts, "2000-12-31")) == []


def test_rofr_notice_open_then_met(findings):
    # No forbidden consummation: in force through Thu 2001-01-11, open until then, met after.
    [f] = findings(NOTICE_RULE, [*REG, NOTICE_O1, consummated("2000-07-13")], "2001-01-11")
    assert (f.status, f.due) == (OPEN, "2001-01-11")
    [f] = findings(NOTICE_RULE, [*REG, NOTICE_O1, consummated("2000-07-13")], "2001-01-12")
    assert (f.status, f.due) == (MET, "2001-01-11")


@pytest.mark.parametrize(
    ("at", "breach"),
    [
        # Through and including the 240th day, Thu 2001-01-11; not on Fri 12 Jan.
        pytest.param("2001-01-11T23:59", True, id="day-240-23:59"),
        pytest.param("2001-01-12T00:00", False, id="day-241-00:00"),
        # "from the date hereof": the acceptance day itself is inside; the day before is not.
        pytest.param("2000-02-04T18:00", True, id="agreement-day"),
        pytest.param("2000-02-03T12:00", False, id="before-agreement"),
        # Before the Effective Date: inside.
        pytest.param("2000-04-03", True, id="before-effective-date"),
    ],
)
def test_rofr_notice_window(findings, at, breach):
    found = findings(NOTICE_RULE, [*REG, consummated(at, "O-9")], "2001-12-31")
    assert bool(breaches(found)) is breach


def test_rofr_notice_underwritten_is_exempt(findings):
    facts = [*REG, consummated("2000-08-16T10:00", "O-9", underwritten=True)]
    assert breaches(findings(NOTICE_RULE, facts, "2000-12-31")) == []


def test_rofr_notice_other_offer_does_not_count(findings):
    # An Offer for O-2 does not cover the consummation of O-1.
    facts = [*REG, rofr_notice("2000-06-26T09:00", "O-2"), consummated("2000-07-13T10:00")]
    [f] = breaches(findings(NOTICE_RULE, facts, "2000-12-31"))
    assert f.key == "O-1"


def test_rofr_notice_after_consummation_does_not_count(findings):
    # Consummated Thu 13 Jul 10:00, Offer received Fri 14 Jul: too late.
    facts = [*REG, consummated("2000-07-13T10:00"), rofr_notice("2000-07-14T09:00")]
    [f] = breaches(findings(NOTICE_RULE, facts, "2000-12-31"))
    assert (f.key, f.due) == ("O-1", "2000-07-13")


def test_rofr_notice_without_effective_date_open_ended(findings):
    # No Effective Date yet: the window has no end.  A consummation on Mon 2002-06-03, years
    # later, is still inside it.
    found = findings(NOTICE_RULE, [accepted("2000-02-04")], "2002-06-30")
    [f] = found
    assert (f.status, f.due) == (OPEN, None)
    facts = [accepted("2000-02-04"), consummated("2002-06-03T10:00", "O-9")]
    [f] = breaches(findings(NOTICE_RULE, facts, "2002-06-30"))
    assert (f.key, f.due) == ("O-9", "2002-06-03")


def test_rofr_notice_two_breaches_keyed(findings):
    facts = [
        *REG,
        consummated("2000-08-16T10:00", "O-8"),
        NOTICE_O1,
        consummated("2000-07-13T10:00", "O-1"),
        consummated("2000-09-05T10:00", "O-9"),
    ]
    found = breaches(findings(NOTICE_RULE, facts, "2000-12-31"))
    assert sorted((f.key, f.due) for f in found) == [
        ("O-8", "2000-08-16"),
        ("O-9", "2000-09-05"),
    ]


# =========================================================================================
# mandatory-purchase, 5(f): after the holder's written notice on day N (deemed given, for
# mail or courier), the Company pays at least 145% x liquidation preference + accrued
# dividends, to the cent, by the end of the 5th business day after N.
#
# Preference $500,000, dividends $12,345.67: 145% x 500,000 = 725,000;
# + 12,345.67 = $737,345.67.
# Demand Thu 2000-11-16: Fri 17, Mon 20, Tue 21, Wed 22, [Thu 23 Thanksgiving closed],
# Fri 24 -> due the end of Fri 2000-11-24 (a weekday count would give Thu 23).
# =========================================================================================

PURCHASE = "mandatory-purchase"
DEMAND = demand("2000-11-16T10:00")
FULL = Decimal("737345.67")


def test_purchase_met_fields(finding):
    f = finding(PURCHASE, [DEMAND, paid("2000-11-22T12:00", 737345.67)], "2000-12-31")
    assert (f.status, f.due, f.amount) == (MET, "2000-11-24", FULL)
    assert (f.key, f.section, f.party) == (None, "5(f)", "company")
    assert f.facts == ("mpd", "mpp")


@pytest.mark.parametrize(
    ("paid_at", "amount", "status"),
    [
        pytest.param("2000-11-24T23:59", 737345.67, MET, id="due-day-23:59"),
        # 04:59Z on Sat 25 Nov is 23:59 EST on Fri 24.
        pytest.param("2000-11-25T04:59:00Z", 737345.67, MET, id="utc-still-24-nov"),
        pytest.param("2000-11-25T00:00", 737345.67, BREACHED, id="next-day-00:00"),
        # Thanksgiving: paid on the closed day, before the deadline: on time.
        pytest.param("2000-11-23T10:00", 737345.67, MET, id="on-thanksgiving"),
        # More than owed: satisfies.
        pytest.param("2000-11-20T10:00", 740000, MET, id="overpaid"),
        # One cent short, in time: does not satisfy; the deadline passes: breached.
        pytest.param("2000-11-20T10:00", 737345.66, BREACHED, id="one-cent-short"),
        # 145% of the preference without the dividends: short.
        pytest.param("2000-11-20T10:00", 725000, BREACHED, id="no-dividends"),
        # 100% of the preference plus dividends: short.
        pytest.param("2000-11-20T10:00", 512345.67, BREACHED, id="no-premium"),
    ],
)
def test_purchase_payment(finding, paid_at, amount, status):
    f = finding(PURCHASE, [DEMAND, paid(paid_at, amount)], "2000-12-31")
    assert (f.status, f.due, f.amount) == (status, "2000-11-24", FULL)
    assert "mpp" in f.facts


def test_purchase_open_then_breached(finding):
    f = finding(PURCHASE, [DEMAND], "2000-11-24")
    assert (f.status, f.due, f.amount) == (OPEN, "2000-11-24", FULL)
    f = finding(PURCHASE, [DEMAND], "2000-11-25")
    assert (f.status, f.due, f.amount) == (BREACHED, "2000-11-24", FULL)


def test_purchase_short_payment_open_until_due(finding):
    # Short payment on Mon 20 Nov: as of Wed 22 still open (listed in the finding).
    f = finding(PURCHASE, [DEMAND, paid("2000-11-20", 700000)], "2000-11-22")
    assert (f.status, f.due) == (OPEN, "2000-11-24")
    assert "mpp" in f.facts


def test_purchase_short_then_full_in_time(finding):
    facts = [DEMAND, paid("2000-11-20", 700000, "p1"), paid("2000-11-22", 737345.67, "p2")]
    f = finding(PURCHASE, facts, "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-11-24")
    assert "p2" in f.facts


def test_purchase_short_then_full_late(finding):
    # The full amount on Mon 27 Nov, after the deadline of Fri 24: breached.
    facts = [DEMAND, paid("2000-11-20", 700000, "p1"), paid("2000-11-27", 737345.67, "p2")]
    f = finding(PURCHASE, facts, "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-11-24")


def test_purchase_amount_half_cent(finding):
    # Preference $100,000.10, no dividends: 145% = 145,000.145; to the cent, half up:
    # $145,000.15.  $145,000.14 is less than 145% of the preference: it does not satisfy.
    facts = [demand("2000-11-16T10:00", 100000.10, 0)]
    f = finding(PURCHASE, [*facts, paid("2000-11-20", 145000.15)], "2000-12-31")
    assert (f.status, f.amount) == (MET, Decimal("145000.15"))
    f = finding(PURCHASE, [*facts, paid("2000-11-20", 145000.14)], "2000-12-31")
    assert (f.status, f.amount) == (BREACHED, Decimal("145000.15"))


def test_purchase_amount_with_cents_of_dividends(finding):
    # Preference $250,000, dividends $3,287.67: 362,500 + 3,287.67 = $365,787.67.
    f = finding(PURCHASE, [demand("2000-11-16", 250000, 3287.67)], "2000-11-17")
    assert f.amount == Decimal("365787.67")


@pytest.mark.parametrize(
    ("sent_at", "method", "due"),
    [
        # Section 10, all sent Fri 2000-09-01 (Mon 4 Sep Labor Day closed).
        # Given that day (no method, hand, fax): Tue 5, Wed 6, Thu 7, Fri 8, Mon 11.
        pytest.param("2000-09-01T10:00", None, "2000-09-11", id="no-method"),
        pytest.param("2000-09-01T10:00", "personal_delivery", "2000-09-11", id="personal"),
        pytest.param("2000-09-01T10:00", "fax", "2000-09-11", id="fax"),
        # Courier: deemed given the 3rd business day after, Tue 5, Wed 6, Thu 7 Sep; then
        # Fri 8, Mon 11, Tue 12, Wed 13, Thu 14.
        pytest.param("2000-09-01T10:00", "courier", "2000-09-14", id="courier"),
        # Certified mail: the 7th business day after, Tue 5, Wed 6, Thu 7, Fri 8, Mon 11,
        # Tue 12, Wed 13 Sep; then Thu 14, Fri 15, Mon 18, Tue 19, Wed 20.
        pytest.param("2000-09-01T10:00", "certified_mail", "2000-09-20", id="certified"),
        # Courier on Sat 2000-09-02: deemed given Tue 5, Wed 6, Thu 7 -> as above.
        pytest.param("2000-09-02T10:00", "courier", "2000-09-14", id="courier-saturday"),
        # Hand delivery on Sat 2000-09-02: deemed given that Saturday; Tue 5 .. Mon 11.
        pytest.param("2000-09-02T10:00", "personal_delivery", "2000-09-11", id="hand-saturday"),
        # Certified mail Mon 2000-07-03: [Tue 4 Jul closed] Wed 5, Thu 6, Fri 7, Mon 10,
        # Tue 11, Wed 12, Thu 13 -> deemed Thu 13 Jul; Fri 14, Mon 17, Tue 18, Wed 19, Thu 20.
        pytest.param("2000-07-03T10:00", "certified_mail", "2000-07-20", id="certified-july"),
        # Courier Fri 2001-09-07: Mon 10, [Tue 11 - Fri 14 closed], Mon 17, Tue 18 -> deemed
        # Tue 18 Sep; Wed 19, Thu 20, Fri 21, Mon 24, Tue 25.
        pytest.param("2001-09-07T10:00", "courier", "2001-09-25", id="courier-sep-2001"),
        # Certified mail Fri 2001-09-07: Mon 10, Mon 17, Tue 18, Wed 19, Thu 20, Fri 21,
        # Mon 24 -> deemed Mon 24 Sep; Tue 25, Wed 26, Thu 27, Fri 28, Mon 1 Oct.
        pytest.param("2001-09-07T10:00", "certified_mail", "2001-10-01", id="certified-sep-2001"),
        # Fax Mon 2001-09-10: [Tue 11 - Fri 14 closed] Mon 17, Tue 18, Wed 19, Thu 20, Fri 21.
        pytest.param("2001-09-10T10:00", "fax", "2001-09-21", id="fax-sep-2001"),
    ],
)
def test_purchase_due_deemed_given(finding, sent_at, method, due):
    f = finding(PURCHASE, [demand(sent_at, method=method)], sent_at[:10])
    assert (f.status, f.due) == (OPEN, due)


def test_purchase_certified_mail_boundary(finding):
    # Certified mail Mon 2000-07-03 -> deemed Thu 13 Jul -> due the end of Thu 2000-07-20.
    # As of Tue 11 Jul (the 5th business day after the sending day) nothing is late yet.
    notice = demand("2000-07-03T10:00", method="certified_mail")
    f = finding(PURCHASE, [notice], "2000-07-11")
    assert (f.status, f.due) == (OPEN, "2000-07-20")
    f = finding(PURCHASE, [notice, paid("2000-07-20T23:59", 737345.67)], "2000-12-31")
    assert (f.status, f.due) == (MET, "2000-07-20")
    f = finding(PURCHASE, [notice, paid("2000-07-21T00:00", 737345.67)], "2000-12-31")
    assert (f.status, f.due) == (BREACHED, "2000-07-20")


def test_unknown_delivery_method_is_input_error(write_facts, cli):
    path = write_facts([demand("2000-11-16T10:00", method="email")])
    code, _, err = cli(["check", "--rules", RULES, "--facts", str(path), "--as-of", "2000-12-31"])
    assert code == 2
    assert f"{path}:1" in err
    assert "delivery_method" in err


# =========================================================================================
# cap-redemption, 4(i): "The Cap Limitation Redemption Amount ... shall be payable within
# thirty (30) days of the Redemption Date."  Due the end of D + 30 calendar days, not rolled.
# Keyed by redemption_id.  The amount is not computed.
# =========================================================================================

CAP = "cap-redemption"
# Redemption Date Mon 2000-07-03: Jul 3 + 30 = Aug 2 (Jul 4..31 is 28 days, Aug 1, 2):
# Wed 2000-08-02.
ELECT = cap_elected("2000-07-03T10:00")


def test_cap_met_fields(finding):
    f = finding(CAP, [ELECT, cap_paid("2000-07-20")], "2000-12-31")
    assert (f.status, f.due, f.amount) == (MET, "2000-08-02", None)
    assert (f.key, f.section, f.party) == ("R1", "4(i)", "company")
    assert f.facts == ("cre-R1", "crp-R1")


@pytest.mark.parametrize(
    ("paid_at", "status"),
    [
        pytest.param("2000-08-02T23:59", MET, id="day-30-23:59"),
        pytest.param("2000-08-03T00:00", BREACHED, id="day-31-00:00"),
    ],
)
def test_cap_boundary(finding, paid_at, status):
    f = finding(CAP, [ELECT, cap_paid(paid_at)], "2000-12-31")
    assert (f.status, f.due) == (status, "2000-08-02")


def test_cap_open_then_breached(finding):
    f = finding(CAP, [ELECT], "2000-08-02")
    assert (f.status, f.due) == (OPEN, "2000-08-02")
    f = finding(CAP, [ELECT], "2000-08-03")
    assert (f.status, f.due) == (BREACHED, "2000-08-02")


@pytest.mark.parametrize(
    ("elected", "due", "late"),
    [
        # Thu 2000-06-29 + 30 = Sat 2000-07-29 (Jun 30, then Jul 1..29): not rolled to Mon 31.
        pytest.param("2000-06-29", "2000-07-29", "2000-07-31T09:00", id="saturday"),
        # Tue 2000-10-24 + 30 = Thu 2000-11-23, Thanksgiving (Oct 25..31 = 7, Nov 1..23):
        # not rolled to Fri 24.
        pytest.param("2000-10-24", "2000-11-23", "2000-11-24T09:00", id="thanksgiving"),
        # Mon 2000-01-31 + 30 = Wed 2000-03-01 (Feb 1..29 = 29, Mar 1): leap year.
        pytest.param("2000-01-31", "2000-03-01", "2000-03-02T00:00", id="leap-year"),
        # Wed 2001-01-31 + 30 = Fri 2001-03-02 (Feb 1..28 = 28, Mar 1, 2).
        pytest.param("2001-01-31", "2001-03-02", "2001-03-03T00:00", id="common-year"),
    ],
)
def test_cap_calendar_days_not_rolled(finding, elected, due, late):
    f = finding(CAP, [cap_elected(elected), cap_paid(f"{due}T23:59")], "2001-12-31")
    assert (f.status, f.due) == (MET, due)
    f = finding(CAP, [cap_elected(elected), cap_paid(late)], "2001-12-31")
    assert (f.status, f.due) == (BREACHED, due)


def test_cap_keyed_by_redemption(findings):
    # R1 elected Mon 3 Jul, R2 elected Thu 29 Jun; only R2 paid.
    facts = [ELECT, cap_elected("2000-06-29", "R2"), cap_paid("2000-07-10", "R2")]
    found = findings(CAP, facts, "2000-12-31")
    assert (by_key(found, "R1").status, by_key(found, "R1").due) == (BREACHED, "2000-08-02")
    assert (by_key(found, "R2").status, by_key(found, "R2").due) == (MET, "2000-07-29")


# =========================================================================================
# restricted-period, 2(b)(iv), (xv), (xvii): the Restricted Period runs one year from the
# Closing Date.  A transfer to a U.S. Person, or a short position, dated before the first
# anniversary of the Closing Date is a breach dated at that fact; on the anniversary or later
# it is not.  Before the closing the period has not ended: a breach too.
# Closing Tue 2000-02-22 -> first anniversary Thu 2001-02-22; in force through Wed 21 Feb.
# =========================================================================================

RESTRICTED = "restricted-period"
DEAL = [accepted("2000-02-04"), closing("2000-02-22T11:30")]


@pytest.mark.parametrize(
    ("act", "breach_due"),
    [
        pytest.param(transferred("2000-06-01", True), "2000-06-01", id="us-transfer-june"),
        pytest.param(
            transferred("2001-02-21T23:59", True), "2001-02-21", id="us-transfer-day-before"
        ),
        # 04:59Z on Thu 22 Feb 2001 is 23:59 EST on Wed 21.
        pytest.param(transferred("2001-02-22T04:59:00Z", True), "2001-02-21", id="us-utc"),
        pytest.param(transferred("2001-02-22T00:00", True), None, id="us-transfer-anniversary"),
        pytest.param(transferred("2001-06-01", True), None, id="us-transfer-later"),
        pytest.param(transferred("2000-06-01", False), None, id="non-us-transfer"),
        pytest.param(shorted("2000-06-01"), "2000-06-01", id="short-june"),
        pytest.param(shorted("2001-02-21T23:59"), "2001-02-21", id="short-day-before"),
        pytest.param(shorted("2001-02-22T00:00"), None, id="short-anniversary"),
    ],
)
def test_restricted_acts(findings, act, breach_due):
    found = findings(RESTRICTED, [*DEAL, act], "2001-12-31")
    if breach_due is None:
        assert breaches(found) == []
        return
    [f] = breaches(found)
    assert (f.due, f.section, f.party) == (
        breach_due,
        "2(b)(iv), 2(b)(xv), 2(b)(xvii)",
        "buyer",
    )
    assert f.facts == (act["id"],)


def test_restricted_open_then_met(findings):
    # In force through Wed 2001-02-21: open at its end, met the day after (no breach).
    [f] = findings(RESTRICTED, [*DEAL, transferred("2000-10-05", False)], "2001-02-21")
    assert (f.status, f.due) == (OPEN, "2001-02-21")
    [f] = findings(RESTRICTED, [*DEAL, transferred("2000-10-05", False)], "2001-02-22")
    assert (f.status, f.due) == (MET, "2001-02-21")


def test_restricted_before_closing(findings):
    # Transfer to a U.S. Person on Fri 2000-02-18, before the Closing of Tue 22 Feb: breach.
    facts = [*DEAL, transferred("2000-02-18", True)]
    [f] = breaches(findings(RESTRICTED, facts, "2000-12-31"))
    assert f.due == "2000-02-18"
    # With no closing at all yet, the period has not ended either.
    facts = [accepted("2000-02-04"), shorted("2000-02-18")]
    [f] = breaches(findings(RESTRICTED, facts, "2000-12-31"))
    assert f.due == "2000-02-18"


def test_restricted_open_with_no_end_before_closing(findings):
    # Accepted, no closing yet (as of Sun 20 Feb): in force, its end not yet known.
    [f] = findings(RESTRICTED, [accepted("2000-02-04")], "2000-02-20")
    assert (f.status, f.due) == (OPEN, None)


def test_restricted_29_february_closing(findings):
    # Closing Tue 2000-02-29: 2001 has no 29 February; the first anniversary is Wed
    # 2001-02-28 (as the spec takes the 5th anniversary of 29 Feb to be 28 Feb).
    deal = [accepted("2000-02-04"), closing("2000-02-29T11:00")]
    [f] = breaches(
        findings(RESTRICTED, [*deal, transferred("2001-02-27T12:00", True)], "2001-12-31")
    )
    assert f.due == "2001-02-27"
    found = findings(RESTRICTED, [*deal, transferred("2001-02-28T09:00", True)], "2001-12-31")
    assert breaches(found) == []


def test_restricted_two_breaches(findings):
    facts = [*DEAL, transferred("2000-06-01", True), shorted("2000-08-01")]
    found = breaches(findings(RESTRICTED, facts, "2000-12-31"))
    assert sorted(f.due for f in found) == ["2000-06-01", "2000-08-01"]


# =========================================================================================
# use-of-proceeds, 4(f): no loan, investment or loan repayment from the proceeds unless the
# Buyer consented in advance; working capital is the stated use.  A breach is dated at the
# fact.  The duty has no end date: with no breach the finding stays open.
# =========================================================================================

PROCEEDS = "use-of-proceeds"


@pytest.mark.parametrize(
    ("purpose", "consent", "breach"),
    [
        pytest.param("loan", False, True, id="loan"),
        pytest.param("investment", False, True, id="investment"),
        pytest.param("loan_repayment", False, True, id="loan-repayment"),
        # buyer_consent defaults to false.
        pytest.param("loan", None, True, id="loan-consent-omitted"),
        pytest.param("loan", True, False, id="loan-with-consent"),
        pytest.param("investment", True, False, id="investment-with-consent"),
        pytest.param("loan_repayment", True, False, id="loan-repayment-with-consent"),
        pytest.param("working_capital", None, False, id="working-capital"),
        pytest.param("working_capital", False, False, id="working-capital-no-consent"),
    ],
)
def test_proceeds(findings, purpose, consent, breach):
    found = findings(
        PROCEEDS, [*DEAL, proceeds("2000-03-01T10:00", purpose, consent)], "2000-12-31"
    )
    if breach:
        [f] = breaches(found)
        assert (f.due, f.section, f.party, f.facts) == ("2000-03-01", "4(f)", "company", ("use",))
    else:
        [f] = found
        assert (f.status, f.due) == (OPEN, None)
        assert "use" in f.facts


def test_proceeds_open_with_nothing_used(findings):
    [f] = findings(PROCEEDS, DEAL, "2000-12-31")
    assert (f.status, f.due) == (OPEN, None)


def test_proceeds_each_use_a_breach(findings):
    facts = [
        *DEAL,
        proceeds("2000-03-01", "working_capital", fid="u1"),
        proceeds("2000-04-03", "loan", fid="u2"),
        proceeds("2000-05-01", "investment", True, fid="u3"),
        proceeds("2000-06-01", "loan_repayment", fid="u4"),
    ]
    found = breaches(findings(PROCEEDS, facts, "2000-12-31"))
    assert sorted((f.due, f.facts) for f in found) == [
        ("2000-04-03", ("u2",)),
        ("2000-06-01", ("u4",)),
    ]


def test_proceeds_dated_in_new_york(findings):
    # 03:00Z on Sat 1 Apr 2000 is 22:00 EST on Fri 31 Mar.
    facts = [*DEAL, proceeds("2000-04-01T03:00:00Z", "loan")]
    [f] = breaches(findings(PROCEEDS, facts, "2000-12-31"))
    assert f.due == "2000-03-31"


# =========================================================================================
# Cross-cutting: a finding's ``facts`` are "the ids of the facts the finding rests on"
# (interfaces.md).  A due date fixed by the closing, and values computed from a bid and the
# Purchase Price, rest on those facts.
# =========================================================================================




@pytest.mark.parametrize(
    ("rule", "facts", "cited"),
    [
        # The Closing Date fixes the due date of the closing deliverables and the expiry.
        pytest.param(
            CERTS,
            [ACC, CLOSE, certificates("2000-02-23")],
            {"cert", "close"},
            id="certs-closing",
        ),
        pytest.param(
            RRA,
            [ACC, CLOSE, rra_signed("2000-02-23")],
            {"rra", "close"},
            id="rra-closing",
        ),
        pytest.param(
            WARRANT,
            [*SALE, warrants("2000-02-23T11:30", 25974, 3.85)],
            {"war", "close"},
            id="warrants-closing",
        ),
        pytest.param(
            EXPIRY,
            _warrant_deal("2000-03-15T11:00"),
            {"war", "close"},
            id="expiry-closing",
        ),
        # The warrant count and price come from B (Fri 18 Feb) and the $500,000 deposited.
        pytest.param(
            WARRANT,
            [*SALE, warrants("2000-02-22T11:30", 25975, 3.85)],
            {"war", "b18", "dep"},
            id="warrants-values",
        ),
        # The breach is the consummation of an offer exercised in full: the exercise counts.
        pytest.param(
            CONSUMMATION,
            [NOTICE_O1, rofr_exercised("2000-06-27T10:00"), consummated("2000-07-13T10:00")],
            {"ntc-O-1", "ex-O-1", "nt-O-1"},
            id="consummation-exercised-in-full",
        ),
        # These already hold: the trigger and the satisfying or forbidden fact.
        pytest.param(
            PURCHASE, [DEMAND, paid("2000-11-20", 700000)], {"mpd", "mpp"}, id="purchase-short"
        ),
        pytest.param(
            NOTICE_RULE,
            [*REG, consummated("2000-08-16T10:00", "O-9")],
            {"nt-O-9"},
            id="rofr-notice",
        ),
    ],
)
def test_finding_cites_the_facts_it_rests_on(findings, rule, facts, cited):
    found = findings(rule, facts, "2005-12-31")
    f = (breaches(found) or found)[0]
    assert cited <= set(f.facts)


# =========================================================================================
# The sample story (facts/nhtc-series-j-2000.jsonl), as facts/README.md works it out by hand
# for these rules at --as-of 2000-12-31.
# =========================================================================================

SAMPLE = Path(__file__).resolve().parent.parent / "facts" / "nhtc-series-j-2000.jsonl"


def test_sample_story(run):
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = run(lines, "2000-12-31")
    got = {(f.rule, f.key): f for f in result.findings}
    # Certificates f-03 and the Registration Rights Agreement f-04 on Thu 17 Feb, before the
    # Closing Date Tue 22 Feb (f-08).
    assert (got[(CERTS, None)].status, got[(CERTS, None)].due) == (MET, "2000-02-22")
    assert (got[(RRA, None)].status, got[(RRA, None)].due) == (MET, "2000-02-22")
    # B = 3.50 of Fri 18 Feb (f-07): 25,974 shares at $3.85 (f-09), on the Closing Date.
    assert (got[(WARRANT, None)].status, got[(WARRANT, None)].due) == (MET, "2000-02-22")
    # 5th anniversary of Tue 2000-02-22 is 2005-02-22: expire Mon 2005-02-28.
    assert (got[(EXPIRY, None)].status, got[(EXPIRY, None)].due) == (OPEN, "2005-02-28")
    # O-1 received Mon 26 Jun (f-18): Tue 27, Wed 28, Thu 29; never exercised.
    assert (got[(EXERCISE, "O-1")].status, got[(EXERCISE, "O-1")].due) == (EXPIRED, O1_DUE)
    # Consummated Thu 13 Jul (f-20): from Thu 29 Jun through Wed 19 Jul, offered terms.
    assert got[(CONSUMMATION, "O-1")].status is MET
    # f-20 was offered first (f-18); f-25 is to a non-US person; f-12 is working capital.
    for rule in (NOTICE_RULE, RESTRICTED, PROCEEDS):
        assert [f for f in result.findings if f.rule == rule and f.status is BREACHED] == []
    # Not in the story: no mandatory purchase, no cap redemption.
    assert not [f for f in result.findings if f.rule in (PURCHASE, CAP)]
