"""YAML read by libyaml's parser gives what PyYAML's Python parser gives: the same values,
the same line:col of every key and value, the same source text of every scalar; a file
libyaml finds a problem in is read again the Python way, whose words the diagnostic gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import engine.load.yaml_source as yaml_source
from engine.diagnostics import InputError
from engine.load.yaml_source import SourceList, SourceMap, load_yaml_collect

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("tests/golden/**/*.yaml")])


def _shape(value: Any) -> Any:
    """A document with every location and source text it keeps, comparable with ``==``."""
    if isinstance(value, SourceMap):
        return (
            "map", value.loc, dict(value.key_locs), dict(value.value_locs),
            dict(value.value_src), {k: _shape(v) for k, v in value.items()},
        )
    if isinstance(value, SourceList):
        return ("list", value.loc, list(value.item_locs), [_shape(v) for v in value])
    return (type(value).__name__, value)


def _slowly(monkeypatch: pytest.MonkeyPatch, path: str, text: str) -> Any:
    with monkeypatch.context() as m:
        m.setattr(yaml_source, "_fast_node", lambda text: None)
        return load_yaml_collect(path, text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_each_bundled_file_as_the_python_parser_does(path, monkeypatch):
    text = path.read_text()
    assert yaml_source._fast_node(text) is not None  # libyaml read it
    fast, fast_problems = load_yaml_collect(str(path), text)
    slow, slow_problems = _slowly(monkeypatch, str(path), text)
    assert _shape(fast) == _shape(slow)
    assert fast_problems == slow_problems


TRICKY = """\
# a comment
contract: {id: "x\\u00e9y", title: 'it''s', on: no, date: 2000-03-03}
naïve: ünïcödé value  # columns count characters, not bytes
block: |
  two
  lines
folded: >-
  one
  line
list:
  - &a {n: 1.50, big: 12345678901234567890}
  - *a
  - [1, "two", ~, true, False]
dup: 1
dup: 2
"""


def test_tricky_yaml_the_same_both_ways(monkeypatch):
    fast, fast_problems = load_yaml_collect("t.yaml", TRICKY)
    slow, slow_problems = _slowly(monkeypatch, "t.yaml", TRICKY)
    assert _shape(fast) == _shape(slow)
    duplicate = "t.yaml:15:1: duplicate key `dup` (first at line 14)"
    assert [str(p) for p in fast_problems] == [duplicate]
    assert fast_problems == slow_problems
    assert fast["naïve"] == "ünïcödé value"
    assert fast.value_locs["naïve"].col == 8  # the 8th character, whatever its bytes
    assert fast["contract"]["on"] == "no" and fast["contract"]["date"] == "2000-03-03"


def test_a_syntax_error_is_worded_by_the_python_parser():
    text = "contract:\n  id: x\n   bad: [1, 2\n"
    with pytest.raises(InputError) as caught:
        load_yaml_collect("r.yaml", text)
    (problem,) = caught.value.diagnostics
    assert str(problem).startswith("r.yaml:3:")
    assert "invalid YAML: mapping values are not allowed here" in str(problem)


# Found by comparing the two parsers: libyaml's marks do not count a byte order mark; it
# allows tabs PyYAML refuses; it reads a tag `!` alone otherwise; it marks an empty value
# in a flow collection a column earlier. Such a text is read the Python way only.
UNLIKE = [
    "\ufeffa: 1\nb: x\n",
    "\ufeff\ufeffa: 1\n",
    "a: b\t# c\n",
    "a:\tb\n",
    "a: [1,\t2]\n",
    "a: !\n",
    "a: [!, x]\n",
    "satisfied_by: {fact: }\n",
    "a: {y:  , z: 1}\n",
    "a: [y: ]\n",
    "a: [y:\n]\n",
]


@pytest.mark.parametrize("text", UNLIKE)
def test_what_libyaml_reads_otherwise_is_read_the_python_way(text, monkeypatch):
    assert yaml_source._fast_node(text) is None
    try:
        fast = ("ok", _shape(load_yaml_collect("u.yaml", text)[0]))
    except InputError as exc:
        fast = ("refused", [str(d) for d in exc.diagnostics])
    try:
        slow = ("ok", _shape(_slowly(monkeypatch, "u.yaml", text)[0]))
    except InputError as exc:
        slow = ("refused", [str(d) for d in exc.diagnostics])
    assert fast == slow


def test_a_byte_order_mark_leaves_columns_in_strings_right():
    text = '\ufeffcheck: {where: "x > param.principl"}\n'
    doc, _ = load_yaml_collect("b.yaml", text)
    # the mark is not a column: after it, `check: {where: ` is 15 characters, so `"` is
    # the 16th; the source text sliced from the mark's index starts at that quote
    assert doc["check"].value_src["where"] == ('"x > param.principl"', '"')
    assert doc["check"].value_locs["where"].col == 16
