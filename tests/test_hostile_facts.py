"""Fact logs out of the ordinary: line ends, numbers and dates at and past their limits.

Each is read right or refused at its ``path:line[:col]`` with exit 2, by ``check`` and by
``validate`` alike; never a traceback. (More cases, file by file, in ``bad_inputs/``.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.conftest import RULES as ALL_RULES

RULES = ALL_RULES / "nhtc-series-j.yaml"  # the seed template alone

CLI = Callable[[Sequence[str]], tuple[int, str, str]]
BAD = Path(__file__).resolve().parent / "bad_inputs" / "rules"


def log(tmp_path: Path, *lines: str | dict, name: str = "facts.jsonl", end: str = "\n") -> Path:
    path = tmp_path / name
    text = end.join(x if isinstance(x, str) else json.dumps(x) for x in lines) + end
    path.write_bytes(text.encode("utf-8"))
    return path


def check(cli: CLI, facts: Path, as_of: str = "2000-12-31", rules: Path = RULES) -> tuple:
    argv = ["check", "--rules", str(rules), "--facts", str(facts), "--as-of", as_of]
    return cli([*argv, "--format", "json"])


def refused(cli: CLI, facts: Path, expected: str, as_of: str = "2000-12-31", rules: Path = RULES):
    """Both commands exit 2 with exactly this diagnostic."""
    code, out, err = check(cli, facts, as_of, rules)
    assert (code, out, err) == (2, "", expected + "\n")
    code, out, err = cli(["validate", str(rules), str(facts)])
    assert (code, out, err) == (2, "", expected + "\n")


# --- lines ------------------------------------------------------------------------------


def test_unicode_line_separators_inside_strings_are_text(cli: CLI, tmp_path: Path) -> None:
    """U+2028, U+2029, U+0085 are legal raw in a JSON string; `str.splitlines` would cut
    there. The fact after them is line 3 (its id, without one, is `path:3`)."""
    sep = "\u2028\u2029\u0085"
    facts = log(
        tmp_path,
        {"id": f"acc{sep}", "type": "agreement_accepted", "at": "2000-03-03"},
        '{"type": "closing_bid", "at": "2000-03-14", "price": 2.5}',
        '{"type": "closing_bid", "at": "2000-03-15", "price": 2.5, "prise": 1}',
    )
    code, out, err = cli(["validate", str(RULES), str(facts)])
    # `{"type": "closing_bid", "at": "2000-03-15", "price": 2.5, ` is 58 characters
    assert (code, err) == (
        2,
        f"{facts}:3:59: `closing_bid` has no field `prise`; did you mean `price`?\n",
    )
    facts.write_text(facts.read_text("utf-8").replace(', "prise": 1', ""), "utf-8")
    code, out, err = check(cli, facts)
    doc = json.loads(out)
    assert doc["facts_considered"] == 3
    funding = next(f for f in doc["findings"] if f["rule"] == "funding-deadline")
    assert funding["facts"] == [f"acc{sep}"]


def test_crlf_line_ends_keep_lines_and_columns(cli: CLI, tmp_path: Path) -> None:
    facts = log(
        tmp_path,
        {"id": "f-1", "type": "agreement_accepted", "at": "2000-03-03"},
        '{"id": "f-2", "type": "closing_bids", "at": "2000-03-14"}',
        end="\r\n",
    )
    refused(
        cli, facts, f"{facts}:2:23: unknown fact type `closing_bids`; did you mean `closing_bid`?"
    )


def test_a_lone_carriage_return_is_whitespace_not_a_line_end(cli: CLI, tmp_path: Path) -> None:
    facts = log(
        tmp_path,
        '{"id": "f-1",\r"type": "agreement_accepted",\r"at": "2000-03-03"}',
        '{"id": "f-2", "type": "closing_bids", "at": "2000-03-14"}',
    )
    refused(
        cli, facts, f"{facts}:2:23: unknown fact type `closing_bids`; did you mean `closing_bid`?"
    )


@pytest.mark.parametrize("blank", ["\x0c", "\x0b", "\u2028", "\x00"])
def test_a_line_of_a_control_character_is_not_skipped_as_blank(
    cli: CLI, tmp_path: Path, blank: str
) -> None:
    facts = log(tmp_path, {"id": "f-1", "type": "agreement_accepted", "at": "2000-03-03"}, blank)
    code, out, err = check(cli, facts)
    assert (code, out) == (2, "")
    assert err.startswith(f"{facts}:2:1: invalid JSON: Expecting value")


# --- numbers ----------------------------------------------------------------------------

NOTICE = {
    "id": "n1",
    "type": "conversion_notice",
    "at": "2000-06-01T10:15",
    "notice_id": "N1",
    "delivery_date": "2000-06-06",
}
# Delivery Date Tue 2000-06-06; late days count after the 3rd business day after it (Fri
# 06-09): Jun 12-16, 19-23, 26-30 = 15 NYSE days by the as-of date 2000-06-30 (by hand).
# Price: 10 x $100 + 5 x $200 = $2,000 per $10,000.


@pytest.mark.parametrize(
    ("amount", "late"),
    [
        (10**15, 200_000_000_000_000.0),  # the largest amount: $2,000 per $10,000, exact
        (5e-05, 0.0),  # written 5e-05 in JSON: durable_rules cannot read exponents
        (1e-30, 0.0),
        (12345.67, 2469.13),  # 2,000 x 12,345.67 / 10,000 = 2,469.134 -> cents, half up
    ],
)
def test_amounts_at_the_limits_are_computed(
    cli: CLI, tmp_path: Path, amount: float, late: float
) -> None:
    facts = log(tmp_path, {**NOTICE, "amount": amount})
    code, out, err = check(cli, facts, "2000-06-30")
    assert (code, err) == (1, "")
    found = next(f for f in json.loads(out)["findings"] if f["rule"] == "conversion-delivery")
    assert (found["status"], found["amount"]) == ("breached", late)


def test_a_late_payment_past_10_to_the_18_is_refused_at_its_fact(
    cli: CLI, tmp_path: Path
) -> None:
    """The schedule priced per $1 instead of per $10,000: 15 days late cost $2,000 per
    dollar, and on the largest amount, $10^15, that is 2 x 10^18 dollars: past the bound."""
    text = (BAD / "expression-syntax.yaml").read_text("utf-8").splitlines()
    text[87] = '      require: "fact.reserved >= 1.5 * fact.conversion_shares"'
    assert text[105] == "      per: 10000"
    text[105] = "      per: 1"
    rules = tmp_path / "rules.yaml"
    rules.write_text("\n".join(text) + "\n", "utf-8")
    facts = log(tmp_path, {**NOTICE, "amount": 10**15})
    code, out, err = check(cli, facts, "2000-06-30", rules)
    assert (code, out) == (2, "")
    assert err == (
        f"{facts}:1: the late payment (fact n1) cannot be computed to the cent: 2,000 per "
        "1 on 1000000000000000 is not below 10^18 dollars\n"
    )
    code, out, v_err = cli(["validate", str(rules), str(facts)])  # run to 2045: more days
    assert code == 2 and v_err.startswith(f"{facts}:1: the late payment (fact n1) cannot be")


def test_a_number_of_thousands_of_digits_in_any_field_is_refused(cli: CLI, tmp_path: Path) -> None:
    huge = "7" * 4500  # past Python's 4,300-digit limit on int(): never converted
    facts = log(tmp_path, '{"id": "f-1", "type": "closing", "at": "2000-03-14", "n": ' + huge + "}")
    refused(cli, facts, f"{facts}:1:54: `closing` has no field `n`")  # after 53 characters


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize("at", ["1990-01-01", "2045-12-31T16:00"])
def test_the_first_and_last_supported_days_are_read(cli: CLI, tmp_path: Path, at: str) -> None:
    facts = log(tmp_path, {"id": "b", "type": "closing_bid", "at": at, "price": 1})
    code, out, err = check(cli, facts, "2045-12-31")
    assert (code, err) == (0, "")
    assert json.loads(out)["facts_considered"] == 1


def test_a_fact_far_after_the_as_of_date_is_listed_not_evaluated(cli: CLI, tmp_path: Path) -> None:
    facts = log(tmp_path, {"id": "acc", "type": "agreement_accepted", "at": "2045-12-29"})
    code, out, err = check(cli, facts, "1990-01-01")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert (doc["facts_considered"], doc["facts_after_as_of"]) == (0, ["acc"])


def test_a_deadline_counted_past_the_calendars_is_refused_at_its_fact(
    cli: CLI, tmp_path: Path
) -> None:
    """Accepted Fri 2045-12-29: the 3 NYSE trading days after it fall in 2046, past the
    calendar (which ends 2045-12-31); not a guess, not a traceback."""
    facts = log(tmp_path, {"id": "acc", "type": "agreement_accepted", "at": "2045-12-29"})
    refused(
        cli,
        facts,
        f"{facts}:1: a date cannot be computed (fact acc): counting 3 NYSE trading day(s) "
        "after 2045-12-29 runs past the XNYS calendar's range 1990-01-01..2045-12-31",
        as_of="2045-12-31",
    )


def test_a_notice_deemed_given_past_the_calendars_is_refused_at_its_fact(
    cli: CLI, tmp_path: Path
) -> None:
    """By certified mail on Wed 2045-12-27: the 7th business day after is in 2046."""
    notice = {
        "id": "m",
        "type": "mandatory_purchase_demanded",
        "at": "2045-12-27",
        "delivery_method": "certified_mail",
        "liquidation_preference": 1,
        "accrued_dividends": 0,
    }
    facts = log(tmp_path, notice)
    refused(
        cli,
        facts,
        f"{facts}:1: a date cannot be computed (fact m): counting 7 NYSE trading day(s) "
        "after 2045-12-27 runs past the XNYS calendar's range 1990-01-01..2045-12-31",
        as_of="2045-12-31",
    )


@pytest.mark.parametrize("as_of", ["1989-12-31", "2046-01-01", "0001-01-01", "9999-12-31"])
def test_an_as_of_date_outside_the_supported_range_is_a_usage_error(
    cli: CLI, tmp_path: Path, as_of: str
) -> None:
    facts = log(tmp_path, {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03"})
    code, out, err = check(cli, facts, as_of)
    assert (code, out) == (2, "")
    assert err == (
        f"--as-of: {as_of} is outside the dates supported, 1990-01-01 to 2045-12-31 (the "
        "range of the trading and business-day calendars)\n"
    )
