"""A fact log read a chunk of lines at a time (engine/load/fact_chunks.py) is read as it was
line by line: the same facts, numbered the same, and the same problems at the same
``path:line:col``. Line numbers and columns here are counted by hand, as the comments say.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.diagnostics import InputError, Location
from engine.load import facts as facts_module
from engine.load.fact_chunks import chunk_lines, chunks, plain_objects
from engine.load.fact_line import plain_object
from engine.load.facts import FactReader
from engine.load.rules import load_rules
from tests.conftest import RULES as ALL_RULES
from tests.test_fact_fast_path import object_lines

RULES = ALL_RULES / "nhtc-series-j.yaml"  # the seed template alone
CLI = Callable[[Sequence[str]], tuple[int, str, str]]


def bid(n: int, price: str = "2.5", at: str = "2000-03-14") -> str:
    """A sound seed fact line: a closing bid (``price`` is a number, at least 0)."""
    return f'{{"id": "f-{n}", "type": "closing_bid", "at": "{at}", "price": {price}}}'


# --- chunks: whole lines, numbered ---------------------------------------------------------


def test_chunks_are_whole_lines_numbered_from_their_first() -> None:
    data = b"a\nbb\nccc"  # bytes: a 0, \n 1, b 2, b 3, \n 4, c 5..7
    # at least 1 byte: the first "\n" from index 1 is at 1, the next from 3 at 4, then none
    # (the last line is given its "\n")
    assert list(chunks(data, size=1)) == [(1, b"a\n"), (2, b"bb\n"), (3, b"ccc\n")]
    # at least 3 bytes: the first "\n" from index 3 is at 4; then none from 8
    assert list(chunks(data, size=3)) == [(1, b"a\nbb\n"), (3, b"ccc\n")]
    assert list(chunks(data + b"\n", size=100)) == [(1, b"a\nbb\nccc\n")]
    assert list(chunks(b"")) == []


def test_a_chunks_lines_keep_their_numbers_without_blanks_or_line_ends() -> None:
    chunk = b'{"a": 1}\r\n\n  \r\n{"b": 2}\n'  # lines 7 to 10: the two blank ones dropped
    assert list(chunk_lines(chunk, 7)) == [(7, b'{"a": 1}'), (10, b'{"b": 2}')]


# --- plain_objects: the chunk's objects, or None --------------------------------------------


def test_a_plain_chunk_gives_each_lines_object() -> None:
    chunk = b'{"a": 1, "b": "x:y"}\n{"c": true, "d": null, "e": 2.5}\n'
    assert plain_objects(chunk) == [{"a": 1, "b": "x:y"}, {"c": True, "d": None, "e": 2.5}]
    # Windows line ends, or both kinds
    windows = [{"a": 1}, {"b": "}"}]
    assert plain_objects(b'{"a": 1}\r\n{"b": "}"}\r\n') == windows
    assert plain_objects(b'{"a": 1}\n{"b": "}"}\r\n') == windows


@pytest.mark.parametrize(
    "chunk",
    [
        b'{"a": 1}\n\n{"b": 2}\n',  # a blank line
        b'{"a": 1}\n \t\n{"b": 2}\n',  # a line of blanks
        b'{"a": 1} {"b": 2}\n\n',  # two objects on a line (and as many lines as objects)
        b'{"a": 1}{"b": 2}\n{"c": 3}\n',  # two objects on a line, three "}" at line ends: no
        b'{"a":\n 1}\n',  # an object over two lines
        b'{"a": 1} \n',  # a blank after the object
        b'{"a": 1} \r\n',  # a blank after the object, then a Windows line end
        b'{"a": 1}\r\r\n',  # a "\r" after the object, then a Windows line end
        b'{"a": "}\r"}\n',  # a raw "\r" in a string
        b'{"a": "b\\u0022"}\n',  # a backslash
        b'{"a": 1, "a": 2}\n',  # a key given twice
        b'{"a": "x", "a": 2}\n',  # a key given twice, a string replaced
        b'{"a": [1]}\n',  # a value that is not a scalar
        b'{"a": NaN}\n',  # a number msgspec does not read
        b"[1]\n",  # not an object
        b'{"a": 1}\n{"b": }\n',  # a line that is not JSON
    ],
)
def test_a_chunk_that_is_not_plain_is_read_line_by_line(chunk: bytes) -> None:
    assert plain_objects(chunk) is None


gaps = st.sampled_from(["", " ", "\t", "\r", "  \r"])


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.tuples(gaps, object_lines(), gaps), min_size=1, max_size=6),
    blank=st.booleans(),
)
def test_a_chunks_objects_are_its_lines_or_it_declines(
    lines: list[tuple[str, str, str]], blank: bool
) -> None:
    text = "\n".join(a + line + b for a, line, b in lines) + "\n" + ("\n" if blank else "")
    found = plain_objects(text.encode("utf-8"))
    if found is None:
        return
    # each line alone, the fast way of one line (itself checked against the exact decoder)
    assert found == [plain_object(a + line + b) for a, line, b in lines]
    assert all(o is not None for o in found)


# --- a whole log read in chunks: as line by line ------------------------------------------


def read(paths: list[Path]) -> tuple[list[tuple[object, ...]], list[str]]:
    """Each fact read (with its number, place and field types), and the problems said."""
    reader = FactReader(load_rules([str(RULES)]).contracts)
    try:
        facts = reader.read([str(p) for p in paths])
    except InputError:
        facts = reader.facts
    return (
        [
            (f.id, f.type, f.at.isoformat(), f.at_us, f.seq, f.loc, f.contract, f.fields)
            for f in facts
        ]
        + [tuple((k, type(v)) for k, v in f.fields.items()) for f in facts],
        [str(d) for d in reader.problems],
    )


def line_by_line(monkeypatch: pytest.MonkeyPatch, paths: list[Path]) -> tuple[object, object]:
    """What reading gives when no chunk is taken whole (each line is read alone)."""
    with monkeypatch.context() as m:
        m.setattr(facts_module, "plain_objects", lambda chunk: None)
        return read(paths)


def in_chunks_of(monkeypatch: pytest.MonkeyPatch, size: int, paths: list[Path]) -> object:
    """What reading gives with chunks of at least ``size`` bytes."""
    with monkeypatch.context() as m:
        m.setattr(facts_module, "chunks", functools.partial(chunks, size=size))
        return read(paths)


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_problems_keep_their_lines_and_columns_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    log = tmp_path / "facts.jsonl"
    lines = [
        bid(1),  # line 1
        "",  # line 2, blank
        bid(2, price="-1"),  # line 3: price below its minimum 0
        bid(3),  # line 4
        bid(1, at="2000-03-15"),  # line 5: id f-1 again
        bid(4) + " " + bid(5),  # line 6: two objects
        bid(6),  # line 7, with no line end
    ]
    log.write_bytes(end.join(lines).encode())
    # `{"id": "f-2", "type": "closing_bid", "at": "2000-03-14", "price": ` is 66 characters:
    # the value is at column 67; `"f-1"` at column 8 (after `{"id": `, 7 characters); line 6
    # holds a second object after the first (70 characters) and a blank: it starts at 72.
    problems = [
        f"{log}:3:67: field `price` must be at least 0, not -1",
        f"{log}:5:8: duplicate fact id `f-1` (first at line 1)",
        f"{log}:6:72: invalid JSON: Extra data",
    ]
    for size in (1, 40, 100, 1 << 16):
        facts, said = in_chunks_of(monkeypatch, size, [log])
        assert said == problems
        assert [(f[0], f[5].line, f[4]) for f in facts[:3]] == [  # type: ignore[index]
            ("f-1", 1, 1),
            ("f-3", 4, 2),
            ("f-6", 7, 3),
        ]
        assert (facts, said) == line_by_line(monkeypatch, [log])


sound = st.integers(1, 40).map(lambda n: bid(n, at=f"2000-03-{n % 28 + 1:02}T1{n % 10}:30"))
odd = st.sampled_from(
    [
        "",
        "  ",
        bid(90, price="-1"),
        bid(91, price='"x"'),
        bid(92) + bid(93),
        bid(94).replace("f-94", "f\\u002d94"),
        bid(95).replace('"price"', '"price": 1, "price"'),
        bid(96).replace(", ", ",\r"),
        "[1]",
        "{",
        '{"id": "f-97", "type": "closing_bid", "at": "2000-02-30", "price": 1}',
        '{"type": "closing_bid", "at": "2000-03-14", "price": 1}',  # its id: path:line
    ]
)


@settings(max_examples=120, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.tuples(st.one_of(sound, odd), st.sampled_from(["\n", "\r\n", "\r\r\n", " \n"])),
        min_size=1,
        max_size=30,
    ),
    size=st.sampled_from([1, 30, 200, 1 << 16]),
    last=st.booleans(),
)
def test_a_log_read_in_chunks_is_read_as_line_by_line(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[tuple[str, str]],
    size: int,
    last: bool,
) -> None:
    # each line with its own line end (the last one's dropped, or not)
    log = tmp_path_factory.mktemp("log") / "facts.jsonl"
    text = "".join(line + end for line, end in lines)
    log.write_bytes((text if last else text.removesuffix(lines[-1][1])).encode("utf-8"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert in_chunks_of(monkeypatch, size, [log]) == line_by_line(monkeypatch, [log])


def test_a_bom_and_two_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"\xef\xbb\xbf" + (bid(1) + "\n" + bid(2) + "\n").encode())
    second.write_text(bid(3, at="2000-03-13") + "\n" + json.dumps([1]) + "\n")
    facts, said = in_chunks_of(monkeypatch, 1, [first, second])
    # f-3 is a day earlier: it sorts first; each keeps its own file and line
    assert [(f[0], str(f[5]), f[4]) for f in facts[:3]] == [  # type: ignore[index]
        ("f-3", f"{second}:1", 1),
        ("f-1", f"{first}:1", 2),
        ("f-2", f"{first}:2", 3),
    ]
    assert said == [f"{second}:2: a fact must be a JSON object {{...}}, not a list"]
    assert (facts, said) == line_by_line(monkeypatch, [first, second])


def test_an_id_given_twice_is_said_once_however_each_line_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each line its own chunk: line 1 read the exact way (a backslash: `f\u002d1` is `f-1`),
    # line 2 with a price below 0, lines 3 and 4 the fast way with line 1's id. A fast
    # line's id is checked only at the end of a first reading; the id given twice makes
    # the files read again, each id checked as it comes: each problem is said once, and
    # charged once to the seed's one instance.
    log = tmp_path / "facts.jsonl"
    lines = [bid(1).replace("f-1", "f\\u002d1"), bid(2, price="-1"), bid(1), bid(1)]
    log.write_text("\n".join(lines) + "\n")
    readings = []
    reading = facts_module.FactReader._facts
    monkeypatch.setattr(facts_module, "chunks", functools.partial(chunks, size=1))
    monkeypatch.setattr(
        facts_module.FactReader,
        "_facts",
        lambda self, files, checked: readings.append(checked) or reading(self, files, checked),
    )
    reader = FactReader(load_rules([str(RULES)]).contracts)
    with pytest.raises(InputError):
        reader.read([str(log)])
    assert readings == [False, True]
    # `"f-1"` is at column 8 (after `{"id": `); the price's value at 67 (see above)
    assert [str(d) for d in reader.problems] == [
        f"{log}:2:67: field `price` must be at least 0, not -1",
        f"{log}:3:8: duplicate fact id `f-1` (first at line 1)",
        f"{log}:4:8: duplicate fact id `f-1` (first at line 1)",
    ]
    assert [len(ds) for ds in reader.blame.values()] == [3]
    assert [(f.id, f.loc.line, f.seq) for f in reader.facts] == [("f-1", 1, 1)]


# --- ids across reads, and ids by default -------------------------------------------------


def test_an_id_read_the_fast_way_is_known_to_the_next_read(tmp_path: Path) -> None:
    # a reader reads a rule test's log, then its inline facts (engine/ruletests/load.py):
    # an id of the log given again there is said, with where it was first
    log = tmp_path / "a.jsonl"
    log.write_text(bid(1) + "\n")
    reader = FactReader(load_rules([str(RULES)]).contracts)
    assert [f.id for f in reader.read([str(log)])] == ["f-1"]
    assert reader.parse_line(Location("t.yaml", 7), bid(1, at="2000-03-15")) is None
    # `"f-1"` is at column 8 (after `{"id": `)
    assert [str(d) for d in reader.problems] == [
        f"t.yaml:7:8: duplicate fact id `f-1` (first at {log}:1)"
    ]
    reader.problems = []
    with pytest.raises(InputError):
        reader.read([str(log)])
    assert [str(d) for d in reader.problems] == [
        f"{log}:1:8: duplicate fact id `f-1` (first at line 1)"
    ]


def test_an_id_by_default_given_before_as_an_id(cli: CLI, tmp_path: Path) -> None:
    # line 2 has no id: its id is its place, `path:2`, which line 1 already took; the
    # problem has no column (no key `id` on the line)
    log = tmp_path / "facts.jsonl"
    no_id = bid(2).replace('"id": "f-2", ', "")
    log.write_text(bid(1).replace("f-1", f"{log}:2") + "\n" + no_id + "\n")
    expected = f"{log}:2: duplicate fact id `{log}:2` (first at line 1)\n"
    assert cli(["validate", str(RULES), str(log)]) == (2, "", expected)


@pytest.mark.parametrize("price", ["2.5", "-1"])
def test_a_fact_with_no_id_in_a_file_whose_name_is_not_text(
    cli: CLI, tmp_path: Path, price: str
) -> None:
    # a file name of the byte 0xff (not UTF-8) reads as the lone surrogate U+DCFF: a fact
    # without an id, read the fast way (a sound price) or the exact way (a price below 0),
    # would take it in its id
    log = tmp_path / os.fsdecode(b"\xff.jsonl")
    log.write_text(bid(1, price=price).replace('"id": "f-1", ', "") + "\n")
    code, out, err = cli(["validate", str(RULES), str(log)])
    lone = "fact has no `id`, and its place (its id by default) is not text: it holds the "
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == f"{log}:1: {lone}lone surrogate \\udcff"
