"""JSON reports written fast (msgspec) are byte for byte what json.dumps(indent=2) writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engine.evaluate import evaluate
from engine.load.facts import read_facts
from engine.load.rules import load_contracts
from engine.model import Status
from engine.output import report
from engine.output.jsontext import json_pieces, json_text
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


@pytest.mark.parametrize(
    ("doc", "way"),
    [
        ({"findings": [{"amount": 36363.0, "trace": ["a:1e5"], "n": 7, "ok": None}]}, "msgspec"),
        ({"amounts": [0.0001, -9999999999999998.0, -0.0, 1, True]}, "msgspec"),  # the bounds
        ({"amount": 9.99e-05}, "standard"),  # Python writes 9.99e-05
        ({"amount": 1e16}, "standard"),
        (1e16, "standard"),  # not after `:`, `,` or `[`: the text would not show it
        ([float("nan"), float("inf")], "standard"),  # msgspec writes null
        ({"a": (float("nan"),), "pair": (1, 2.5)}, "standard"),  # in a tuple too
        ({1e16: "x"}, "standard"),  # a float key: its text is in quotes
        ({1: "x", "pair": (1, 2.5)}, "msgspec"),  # whole number keys, tuples
        ({"status": Status.MET}, "text"),  # an enum: the text decides
    ],
)
def test_the_values_say_how_a_document_is_written(monkeypatch, doc, way) -> None:
    """Strings, whole numbers and floats from 1e-4 to under 1e16 are msgspec's; other
    floats the standard library's; other values are left to a look at the text."""
    import engine.output.jsontext as jsontext

    used, real = [], json.dumps

    class Looking:
        def search(self, text: bytes) -> None:
            used.append("text")

    def standard(*args: object, **kwargs: object) -> str:
        used.append("standard")
        return real(*args, **kwargs)

    monkeypatch.setattr(jsontext, "_EXPONENT", Looking())
    monkeypatch.setattr(jsontext.json, "dumps", standard)
    text = json_text(doc)
    monkeypatch.undo()
    assert text == dumps(doc)
    assert used == {"msgspec": [], "text": ["text"], "standard": ["standard"]}[way]


ITEMS = [
    {"a": [], "b": {}, "c": [[], {}], "d": [{"e": None}]},
    {"text": CONTROL, CONTROL: [CONTROL, True, False, None], "line": "one\ntwo"},
    {"amounts": [0.0, 2.75, 9999999999999998.0], "trace": ["Step 1.", "Step 2."]},
    {"amount": 1e16},  # with an exponent: this item the standard library's way
    [-2.5e-07, "x"],
    "a plain string",
    {"lone surrogate": "\ud800"},
]


@pytest.mark.parametrize("count", [0, 1, 2, len(ITEMS)])
@pytest.mark.parametrize("after", [{"n": 3}, {"n": 1e16, "ids": ["f-1", "f-2"]}])
def test_a_document_written_in_pieces_is_the_same_text(count: int, after: dict) -> None:
    items = ITEMS[:count]
    doc = {"as_of": "2004-12-31", "findings": items, **after}
    pieces = list(json_pieces({**doc, "findings": []}, "findings", iter(items)))
    assert "".join(pieces) == dumps(doc)
    assert len(pieces) == (2 if count else 1)  # the head with the items (256 at most), the tail


def test_batches_of_plain_items_are_the_same_text() -> None:
    # 600 findings-like items: batches of 256, 256 and 88 (a piece each, then the tail).
    # The first batch holds an amount Python writes with an exponent (not plain: the
    # batch is written item by item), the second a lone surrogate (plain, but msgspec
    # refuses it: item by item too), the third is encoded whole.
    items = [
        {"rule": f"r{i}", "amount": 36363.0 if i % 3 else None, "trace": [CONTROL, "x"]}
        for i in range(600)
    ]
    items[10]["amount"] = 1e16
    items[300]["trace"] = ["\ud800"]
    doc = {"as_of": "2004-12-31", "findings": items, "n": 3}
    pieces = list(json_pieces({**doc, "findings": []}, "findings", items, report._plain))
    assert "".join(pieces) == dumps(doc)
    assert len(pieces) == 4
    assert '"amount": 1e+16' in pieces[0] and '"\ud800"' in pieces[1]


@pytest.mark.parametrize(
    "before", [{"x": ["\x00clausewatch: the items go here\x00"]}, {"x": [[]]}]
)
def test_a_document_whose_text_holds_the_hole_is_still_the_same(before: dict) -> None:
    items = [{"a": 1}, {"b": [2]}]
    doc = {**before, "findings": items, "ids": ["\x00clausewatch: the items go here\x00"]}
    assert "".join(json_pieces({**doc, "findings": []}, "findings", items)) == dumps(doc)
