"""Waivers and amendments as facts (issue 5): ``waiver`` and ``parameter_changed``.

Expected values are worked by hand from the contract and a calendar:

* conversion-delivery, Delivery Date Wed 2000-08-02, delivered Fri 2000-08-11: a
  breach (see tests/golden); a waiver by the Buyer (the party the duty protects)
  turns it `waived`; a "waiver" by the Company of its own duty is ignored.
* stockholder-meeting: 10% of the outstanding shares must be issued to start the
  75 days. At 7,860,000 shares the threshold is 786,000; after an amendment to
  5,000,000 it is 500,000. 600,000 shares issued Fri 2000-03-10 reach it only
  after the amendment: Meeting Date = 2000-03-10 + 75 days = 21 days to 31 Mar,
  30 to 30 Apr, 24 more = Wed 2000-05-24.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules" / "nhtc-series-j.yaml")  # the seed template alone

NOTICE = {"id": "n-1", "type": "conversion_notice", "at": "2000-07-28", "notice_id": "N1",
          "delivery_date": "2000-08-02", "amount": 30000}
LATE = {"id": "d-1", "type": "conversion_shares_delivered", "at": "2000-08-11T12:00",
        "notice_id": "N1"}


def write(tmp_path: Path, facts: list[dict]) -> str:
    path = tmp_path / "facts.jsonl"
    path.write_text("".join(json.dumps(f) + "\n" for f in facts))
    return str(path)


def check(tmp_path, capsys, facts, as_of="2000-12-31"):
    code = main(["check", "--rules", RULES, "--facts", write(tmp_path, facts),
                 "--as-of", as_of, "--format", "json"])
    out = capsys.readouterr()
    doc = json.loads(out.out) if out.out else None
    return code, doc, out.err


def finding(doc, rule, key=None):
    [f] = [f for f in doc["findings"] if f["rule"] == rule and f["key"] == key]
    return f


def waiver(party, key="N1", at="2000-09-01", wid="w-1", rule="conversion-delivery"):
    fact = {"id": wid, "type": "waiver", "at": at, "rule": rule, "party": party,
            "clause": "9(b)"}
    if key is not None:
        fact["key"] = key
    return fact


def test_waiver_by_the_protected_party_waives_the_breach(tmp_path, capsys):
    code, doc, _ = check(tmp_path, capsys, [NOTICE, LATE, waiver("buyer")])
    f = finding(doc, "conversion-delivery", "N1")
    assert f["status"] == "waived"
    assert f["message"].startswith(
        "Waived by the buyer on 2000-09-01 under 9(b) (w-1); before the waiver: breached.")
    assert f["facts"][-1] == "w-1"
    assert f["trace"][-1] == "Status: waived."
    assert code == 0  # a waived breach is not a breach


def test_waiver_by_the_bound_party_is_ignored(tmp_path, capsys):
    code, doc, _ = check(tmp_path, capsys, [NOTICE, LATE, waiver("company")])
    f = finding(doc, "conversion-delivery", "N1")
    assert f["status"] == "breached"
    assert "Waiver w-1 by the company ignored" in f["message"]
    assert code == 1


def test_waiver_without_key_waives_every_instance(tmp_path, capsys):
    second = {**NOTICE, "id": "n-2", "notice_id": "N2"}
    _, doc, _ = check(tmp_path, capsys, [NOTICE, second, waiver("buyer", key=None)])
    assert {finding(doc, "conversion-delivery", k)["status"] for k in ("N1", "N2")} == {"waived"}


def test_waiver_after_the_as_of_date_is_not_applied(tmp_path, capsys):
    code, doc, _ = check(tmp_path, capsys, [NOTICE, LATE, waiver("buyer", at="2001-01-05")])
    assert finding(doc, "conversion-delivery", "N1")["status"] == "breached"
    assert doc["facts_after_as_of"] == ["w-1"]
    assert code == 1


def test_waiver_of_an_unknown_rule_is_an_input_error(tmp_path, capsys):
    path = write(tmp_path, [NOTICE, waiver("buyer", rule="conversion-delivry")])
    code = main(["check", "--rules", RULES, "--facts", path, "--as-of", "2000-12-31"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}:2:" in err
    assert "waiver of unknown rule `conversion-delivry`; did you mean `conversion-delivery`?" in err


def test_parameter_change_applies_from_its_date_on(tmp_path, capsys):
    accepted = {"id": "a", "type": "agreement_accepted", "at": "2000-02-04"}
    issued = {"id": "i", "type": "common_stock_issued", "at": "2000-03-10", "shares": 600000}
    amended = {"id": "p", "type": "parameter_changed", "at": "2000-03-01",
               "parameter": "outstanding_shares", "value": 5000000}
    # As of Sun 2000-04-30, before the Meeting Date: open either way.
    _, doc, _ = check(tmp_path, capsys, [accepted, issued], as_of="2000-04-30")
    before = finding(doc, "stockholder-meeting")
    assert (before["status"], before["due"]) == ("open", None)
    _, doc, _ = check(tmp_path, capsys, [accepted, amended, issued], as_of="2000-04-30")
    after = finding(doc, "stockholder-meeting")
    assert (after["status"], after["due"]) == ("open", "2000-05-24")
    assert "threshold 500,000" in after["message"]


def test_change_of_an_unknown_parameter_is_an_input_error(tmp_path, capsys):
    bad = {"id": "p", "type": "parameter_changed", "at": "2000-03-01",
           "parameter": "outstanding_share", "value": 5}
    path = write(tmp_path, [bad])
    code = main(["check", "--rules", RULES, "--facts", path, "--as-of", "2000-12-31"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown parameter `outstanding_share`; did you mean `outstanding_shares`?" in err


PROBE_RULES = """\
contract:
  id: probe
  title: Probe
  time_zone: America/New_York
  parties:
    company: {label: Company}
  calendars:
    business_day: XNYS
    trading_day: XNYS
  parameters:
    grace: {default: 3, unit: days}
facts:
  opened:
    label: opened
  paid:
    label: paid
  ref:
    label: reference
    fields:
      price: {type: number, minimum: 0}
obligations:
  - id: pay
    section: "1"
    party: company
    kind: deadline
    title: pay
    clause: pay it
    trigger: {fact: opened}
    due: {from: trigger, add: {days: 5}}
    lookups:
      r:
        fact: ref
        by: {from: trigger, add: {business_days: "param.grace"}}
    satisfied_by: {fact: paid}
"""


def test_a_lookup_that_cannot_be_dated_when_the_payment_comes_is_a_problem(tmp_path, capsys):
    # The payment (line 4, Sat 2001-06-02) is matched while `grace` is 2.5 (amended at line
    # 2): the lookup's `by`, `grace` Business Days after the trigger, cannot be counted
    # then, though the rule has no condition to test and `grace` is 3 again by the as-of
    # date. The instance is not checked (exit 2), the problem at its trigger's line 1.
    rules = tmp_path / "probe.yaml"
    rules.write_text(PROBE_RULES)
    facts = [
        {"id": "o1", "type": "opened", "at": "2001-06-01T10:00"},
        {"id": "a1", "type": "parameter_changed", "at": "2001-06-01T11:00",
         "parameter": "grace", "value": 2.5},
        {"id": "r1", "type": "ref", "at": "2001-06-01T12:00", "price": 7},
        {"id": "p1", "type": "paid", "at": "2001-06-02T10:00"},
        {"id": "a2", "type": "parameter_changed", "at": "2001-06-03T11:00",
         "parameter": "grace", "value": 3},
    ]
    log = tmp_path / "facts.jsonl"
    log.write_text("".join(json.dumps(f) + "\n" for f in facts))
    argv = ["check", "--rules", str(rules), "--facts", str(log), "--as-of", "2001-06-30"]
    code = main([*argv, "--format", "json"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{log}:1: `param.grace` gives 2.5, not a whole number of days" in err.splitlines()
