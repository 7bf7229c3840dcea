"""JSON reports written fast (msgspec) are byte for byte what json.dumps(indent=2) writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.output.jsontext import json_text
from engine.output.report import to_json

ROOT = Path(__file__).resolve().parents[1]
CONTROL = "".join(chr(i) for i in range(0x20)) + '"\\/\x7f\u2028\u2029é\U0001f600'


def dumps(doc: object) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "doc",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [[], {}], "d": [{"e": None}]},
        {"text": CONTROL, CONTROL: [CONTROL, True, False, None]},
        {"amounts": [0.0, -0.0, 1.0, 36363.0, 2.75, 123456789.125, 0.0001, 9999999999999998.0]},
        # Python writes these with an exponent (1e+16, 1.5e-05), msgspec without: the
        # standard library writes the document
        {"amount": 1e16},
        {"amounts": [1, 1.5e-05]},
        [-2.5e-07],
        [9e-05, 0.0001, 0.00012, 5e-324, 1.2345e16, 1.7976931348623157e308],
        {"lone surrogate": "\ud800"},  # msgspec refuses it: the standard library writes it
        {"looks like a number": ":1e5, [2E3"},  # in a string: the slow way, same text
        {"big": 10**30, "small": -(10**30)},
    ],
)
def test_the_same_text_as_the_standard_library(doc: object) -> None:
    assert json_text(doc) == dumps(doc)


def test_a_whole_check_report_is_the_same(tmp_path: Path) -> None:
    contracts = load_contracts([str(ROOT / "rules")])
    facts = read_facts([str(ROOT / "facts")], contracts)
    text = to_json(evaluate(contracts, facts, date(2026, 6, 30)))
    doc = json.loads(text)
    assert len(doc["findings"]) > 50
    assert any(isinstance(f["amount"], float) for f in doc["findings"])
    assert text == dumps(doc)


def test_a_plain_document_is_written_by_msgspec(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.output.jsontext as jsontext

    doc = {"findings": [{"amount": 36363.0, "message": CONTROL, "trace": []}], "n": 3}
    expected = dumps(doc)

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("the standard library was used")

    monkeypatch.setattr(jsontext.json, "dumps", refuse)
    assert json_text(doc) == expected
    with pytest.raises(AssertionError, match="standard library"):
        json_text({"amount": 1e16})
