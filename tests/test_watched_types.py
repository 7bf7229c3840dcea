"""Facts go only to rulesets with a rule for their type (issue 12): the types a compiled
ruleset's patterns match, and a fact of another type never posted to durable_rules; the
fields sent; an obligation in a state no pattern matches never asserted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engine.compile.ruleset import held_states, matched_fields, watched_types
from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.output.report import to_json
from engine.run.calls import Call, Session
from engine.run.driver import compiled
from engine.run.state import InstanceState

SEED = Path(__file__).resolve().parent.parent / "rules" / "nhtc-series-j.yaml"


def test_types_of_user_fact_patterns_only():
    rules = {
        "a": {"all": [{"m": {"$and": [{"kind": "fact"}, {"type": "notice"}, {"f_x": 1}]}}]},
        "b": {"all": [{"f": {"$and": [{"kind": "memo"}, {"type": "memo_only"}]}}]},
        "c": {"all": [{"o": {"$and": [{"kind": "obl"}, {"rule": "r"}]}}]},
    }
    assert watched_types(rules) == {"notice"}
    rules["d"] = {"all": [{"m": {"$and": [{"kind": "fact"}, {"f_y": 2}]}}]}  # any type
    assert watched_types(rules) is None


def test_a_type_no_rule_matches_is_not_posted_and_changes_nothing(tmp_path, monkeypatch):
    # The seed with one more fact type in its vocabulary that no rule uses.
    text = SEED.read_text()
    anchor = "facts:\n"
    assert anchor in text
    extra = "  memo_note:\n    label: A note for the file\n    section: none\n"
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace(anchor, anchor + extra, 1))
    contracts = load_contracts([str(rules)])
    watched = compiled(contracts[0]).watched
    assert watched is not None and "memo_note" not in watched
    assert "agreement_accepted" in watched
    log = tmp_path / "facts.jsonl"
    accepted = {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03T17:00"}
    log.write_text(json.dumps(accepted) + "\n")
    without = evaluate(contracts, read_facts([str(log)], contracts), date(2000, 3, 31))
    note = {"id": "n1", "type": "memo_note", "at": "2000-03-09T09:00"}
    log.write_text(json.dumps(accepted) + "\n" + json.dumps(note) + "\n")
    facts = read_facts([str(log)], contracts)
    posted: list[str] = []
    post = Session.post

    def spy(self: Session, text: str, sid: str, retract: bool = False) -> bool:
        message = json.loads(text)
        posted.append(message.get("type", message["kind"]))
        return post(self, text, sid, retract)

    monkeypatch.setattr(Session, "post", spy)
    with_note = evaluate(contracts, facts, date(2000, 3, 31))
    assert "agreement_accepted" in posted and "memo_note" not in posted
    assert with_note.considered == 2 and without.considered == 1
    assert with_note.findings == without.findings
    assert to_json(with_note).replace('"facts_considered": 2', "") == to_json(without).replace(
        '"facts_considered": 1', ""
    )


def test_fields_of_facts_some_pattern_compares():
    # A key correlating a fact with its obligation (`{"f_x": {"o": "key"}}`) and one a memo
    # compares with the fact `f` (`{"f_y": {"f": "f_y"}}`); `amount` appears in no pattern.
    rules = {
        "a": {"all": [{"m": {"$and": [{"kind": "fact"}, {"type": "t"}, {"f_x": {"o": "key"}}]}}]},
        "b": {"all": [{"n": {"$and": [{"kind": "memo"}, {"f_y": {"f": "f_y"}}]}}]},
        "c": {"all": [{"o": {"$and": [{"kind": "obl"}, {"rule": "amount"}]}}]},
    }
    assert matched_fields(rules) == {"x", "y"}


def test_facts_reach_durable_rules_with_the_compared_fields_only(monkeypatch):
    # The seed's conversion notice (Section 9(b)) carries its amount and delivery date;
    # its rules correlate notices and deliveries by `notice_id` alone.
    contracts = load_contracts([str(SEED)])
    assert "notice_id" in compiled(contracts[0]).matched_fields
    assert "amount" not in compiled(contracts[0]).matched_fields
    posted: list[dict] = []
    post = Session.post

    def spy(self: Session, text: str, sid: str, retract: bool = False) -> bool:
        posted.append(json.loads(text))
        return post(self, text, sid, retract)

    monkeypatch.setattr(Session, "post", spy)
    logs = sorted(str(p) for p in (SEED.parent.parent / "facts").glob("nhtc-series-j-*.jsonl"))
    result = evaluate(contracts, read_facts(logs, contracts), date(2001, 12, 31))
    notices = [m for m in posted if m.get("type") == "conversion_notice" and m["kind"] == "fact"]
    assert notices, "the bundled facts have conversion notices"
    assert {k for m in notices for k in m if k.startswith("f_")} == {"f_notice_id"}
    assert result.findings


def test_states_of_obligation_patterns():
    # `open` alone, an `$or` of two states, and no state condition (any state).
    rules = {
        "a": {"all": [{"o": {"$and": [{"kind": "obl"}, {"rule": "r1"}, {"state": "open"}]}}]},
        "b": {
            "all": [
                {
                    "o": {
                        "$and": [
                            {"kind": "obl"},
                            {"rule": "r1"},
                            {"$or": [{"state": "open"}, {"state": "overdue"}]},
                        ]
                    }
                }
            ]
        },
        "c": {"all": [{"o": {"$and": [{"kind": "obl"}, {"rule": "r2"}]}}]},
        "d": {"all": [{"m": {"$and": [{"kind": "fact"}, {"type": "t"}]}}]},
        # a nested group (durable_rules names it `<alias>$all` or `<alias>$any`)
        "e": {
            "any": [
                {"g$all": [{"o": {"$and": [{"kind": "obl"}, {"rule": "r3"}, {"state": "x"}]}}]}
            ]
        },
    }
    assert held_states(rules) == {"r1": {"open", "overdue"}, "r2": None, "r3": {"x"}}


@pytest.mark.parametrize(
    "pattern",
    [
        {"$and": [{"kind": "obl"}, {"state": "closed"}]},  # an obligation of any rule
        {"$and": [{"rule": "r1"}, {"state": "closed"}]},  # no kind: an obligation too
        {"$and": [{"$neq": {"kind": "fact"}}, {"rule": "r1"}]},  # a kind by exclusion
        {"kind": "obl", "rule": "r1"},  # not an `$and`
    ],
)
def test_a_pattern_of_another_shape_leaves_no_state_out(pattern: dict) -> None:
    rules = {
        "a": {"all": [{"o": {"$and": [{"kind": "obl"}, {"rule": "r1"}, {"state": "open"}]}}]},
        "b": {"any": [{"m$all": [{"x": pattern}]}]},  # in a nested group, as durable names it
    }
    assert held_states(rules) is None


def test_a_state_no_pattern_matches_is_not_asserted_and_changes_nothing(monkeypatch):
    # The seed's funding deadline (4(a)) is matched open or overdue only: once met
    # ("closed") no rule looks at it, while the Meeting Date rule (stockholder-meeting)
    # is also matched by its anchors in any state.
    contracts = load_contracts([str(SEED)])
    held = compiled(contracts[0]).held_states
    assert held is not None
    assert held["funding-deadline"] == {"open", "overdue"}
    assert held["stockholder-meeting"] is None
    logs = sorted(str(p) for p in (SEED.parent.parent / "facts").glob("nhtc-series-j-*.jsonl"))
    facts = read_facts(logs, contracts)
    asserted: list[tuple[str, str]] = []
    assert_fact = Call.assert_fact

    def spy(self: Call, fact: dict) -> bool:
        asserted.append((fact["rule"], fact["state"]))
        return assert_fact(self, fact)

    monkeypatch.setattr(Call, "assert_fact", spy)
    lean = evaluate(contracts, facts, date(2001, 12, 31))
    assert ("funding-deadline", "closed") not in asserted
    assert ("stockholder-meeting", "closed") in asserted
    asserted.clear()
    monkeypatch.setattr(InstanceState, "holds", lambda self, fact: True)  # as before
    every = evaluate(contracts, facts, date(2001, 12, 31))
    assert ("funding-deadline", "closed") in asserted
    assert lean.findings == every.findings
    assert to_json(lean) == to_json(every)
