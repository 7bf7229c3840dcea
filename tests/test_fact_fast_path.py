"""The fast way of reading fact lines (engine/load/fact_line.py) never skips a check.

A line the fast decode could misread (a key given twice, a number it would round, a value
it does not take) is read the exact way, with today's message at today's column; and the
facts the fast way builds are those the exact way builds. Columns here are counted by
hand, as the comments say, not computed by the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.days.instants import epoch_us, parse_instant
from engine.load import facts as facts_module
from engine.load.fact_line import EXACT, plain_object
from engine.load.facts import FactReader
from engine.load.rules import load_rules
from tests.conftest import RULES as ALL_RULES
from tests.conftest import generate_portfolio

RULES = ALL_RULES / "nhtc-series-j.yaml"  # the seed template alone
CLI = Callable[[Sequence[str]], tuple[int, str, str]]
# `{"id": "f-1", "type": "closing_bid", "at": "2000-03-14", ` is 57 characters: the next
# key starts at column 58, and after `"price": ` (9 characters) its value at column 67.
START = '{"id": "f-1", "type": "closing_bid", "at": "2000-03-14", '


def refused(cli: CLI, tmp_path: Path, line: str, expected: str) -> None:
    """``check`` and ``validate`` both exit 2 with exactly ``path:1:...`` + ``expected``."""
    facts = tmp_path / "facts.jsonl"
    facts.write_bytes((line + "\n").encode("utf-8"))
    argv = ["--rules", str(RULES), "--facts", str(facts), "--as-of", "2000-12-31"]
    for command in (["check", *argv, "--format", "json"], ["validate", str(RULES), str(facts)]):
        assert cli(command) == (2, "", f"{facts}:{expected}\n")


def test_a_key_given_twice_with_no_backslash(cli: CLI, tmp_path: Path) -> None:
    # both values are sound: only the duplicate check can refuse the line.
    # `"price": 2.5, ` is 14 characters: the second `"price"` is at 58 + 14 = 72.
    line = START + '"price": 2.5, "price": 3}'
    refused(cli, tmp_path, line, "1:72: duplicate key `price` (first at column 58)")


def test_a_key_given_twice_beside_colons_in_string_values(cli: CLI, tmp_path: Path) -> None:
    # `{"id": "f:1", ` is 14 characters, `"type": "closing_bid", ` 23 and
    # `"at": "2000-03-14T10:00", ` 26: `"price"` is at 64; `"price": 2.5, ` is 14, so the
    # second `"id"` is at 78. (A count of ":" that missed those in values would be fooled.)
    line = (
        '{"id": "f:1", "type": "closing_bid", "at": "2000-03-14T10:00", "price": 2.5, "id": "f:2"}'
    )
    refused(cli, tmp_path, line, "1:78: duplicate key `id` (first at column 2)")


def test_a_key_given_twice_with_blanks_before_its_colon(cli: CLI, tmp_path: Path) -> None:
    # `"price" : 2.5, ` is 15 characters: the second `"price"` is at 58 + 15 = 73
    line = START + '"price" : 2.5, "price"  : 2.5}'
    refused(cli, tmp_path, line, "1:73: duplicate key `price` (first at column 58)")


@pytest.mark.parametrize(
    "value, message",
    [
        # orjson would read this as the float 1.8446744073709552e+19
        (
            "18446744073709551616",
            "is out of range: at most 10^15 in size, not 18446744073709551616",
        ),
        ("-" + "9" * 30, f"is out of range: at most 10^15 in size, not -{'9' * 30}"),
        ("NaN", "must be a finite number, not NaN"),
        ("-Infinity", "must be a finite number, not -Infinity"),
        ("1e400", "must be a finite number, not Infinity"),  # the exact decoder's inf
        ('{"value": 2}', 'must be a number, not {"value": 2}'),
        ("[2.5]", "must be a number, not [2.5]"),
    ],
)
def test_a_value_the_fast_decode_does_not_take_as_is(
    cli: CLI, tmp_path: Path, value: str, message: str
) -> None:
    # the value of `"price"` is at column 67 (see START)
    refused(cli, tmp_path, START + f'"price": {value}}}', f"1:67: field `price` {message}")


def test_a_backslash_in_a_key_hiding_a_key_given_twice(cli: CLI, tmp_path: Path) -> None:
    # `"pr\u0069ce"` is `"price"` again; `"price": 2.5, ` is 14: the second key is at 72
    line = START + '"price": 2.5, "pr\\u0069ce": 2.5}'
    refused(cli, tmp_path, line, "1:72: duplicate key `price` (first at column 58)")


# --- the fast and the exact way give the same facts ---------------------------------------


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portfolio")
    return generate_portfolio(out, "--facts", "3000", "--instances", "12", "--shared", "0.05")


def test_the_fast_and_the_exact_way_give_equal_facts(
    portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contracts = load_rules([str(portfolio / "rules")]).contracts
    fast = FactReader(contracts).read([str(portfolio / "facts")])
    taken = []
    original = facts_module.FactReader._fast

    def counted(self: FactReader, loc, obj):  # type: ignore[no-untyped-def]
        found = original(self, loc, obj)
        taken.append(found is not facts_module._SLOW)
        return found

    monkeypatch.setattr(facts_module.FactReader, "_fast", counted)
    FactReader(contracts).read([str(portfolio / "facts")])
    assert len(taken) == 3000 and all(taken)  # every line of the sample went the fast way
    monkeypatch.setattr(facts_module, "plain_objects", lambda chunk: None)  # line by line
    monkeypatch.setattr(facts_module, "plain_object", lambda line: None)  # none can now
    exact = FactReader(contracts).read([str(portfolio / "facts")])
    assert len(fast) == len(exact) == 3000
    assert any(f.contract == "*" for f in fast)  # facts for every instance among them
    for a, b in zip(fast, exact, strict=True):
        assert a == b and (a.loc, a.seq, a.at_us) == (b.loc, b.seq, b.at_us)
        assert {k: type(v) for k, v in a.fields.items()} == {
            k: type(v) for k, v in b.fields.items()
        }
        assert (type(a.at), a.at.tzinfo, a.at.fold, a.at.isoformat()) == (
            type(b.at),
            b.at.tzinfo,
            b.at.fold,
            b.at.isoformat(),
        )


def test_a_fact_carries_its_instant_in_epoch_microseconds() -> None:
    # The seed's deposit at 2001-09-18 17:05 in New York, EDT (UTC-4): 21:05 UTC. The
    # epoch's second 1,000,000,000 is 2001-09-09 01:46:40 UTC; 9 days 19:18:20 later is
    # 9 * 86,400 + 19 * 3,600 + 18 * 60 + 20 = 847,100 s more. Both ways of reading agree.
    contracts = load_rules([str(RULES)]).contracts
    golden = str(Path(__file__).parent / "golden" / "funding-2001.jsonl")
    [_, deposit, *_] = FactReader(contracts).read([golden])
    assert (deposit.id, deposit.at_us) == ("f-2", 1_000_847_100_000_000)
    # a backslash (`\u002d` is `-`) sends the line the exact way
    line = (
        '{"id": "f\\u002d2", "type": "purchase_price_deposited", "at": "2001-09-18T17:05", '
        '"amount": 500000}'
    )
    exact_deposit = FactReader(contracts).parse_line(deposit.loc, line)
    assert exact_deposit is not None and exact_deposit.at_us == 1_000_847_100_000_000


# --- the fast decode itself, against the standard library's -----------------------------

keys = st.sampled_from(["id", "a", "b", "a:b", " a", "é", ""])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.sampled_from('ab:" {}[],é\u2028\t'), max_size=6),
)
values = st.one_of(
    scalars, st.lists(scalars, max_size=2), st.dictionaries(keys, scalars, max_size=2)
)
raw_values = st.one_of(
    values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.sampled_from(["NaN", "Infinity", "1e400", "-0", "1E5", "0.1e-400", "01", "1.", '"a\\"b"']),
    st.sampled_from([str(2**64), str(2**64 - 1), str(2**63), str(-(2**63) - 1), "9" * 30]),
)
blanks = st.sampled_from(["", " ", "\t", "  \r"])


@st.composite
def object_lines(draw: st.DrawFn) -> str:
    """A JSON object line written out by hand: keys may repeat, blanks anywhere."""
    pairs = draw(st.lists(st.tuples(keys, raw_values), max_size=5))
    gap = lambda: draw(blanks)  # noqa: E731
    body = ",".join(
        f"{gap()}{json.dumps(k, ensure_ascii=False)}{gap()}:{gap()}{v}{gap()}" for k, v in pairs
    )
    return "{" + body + "}"


@settings(max_examples=400, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(line=object_lines(), as_bytes=st.booleans())
def test_the_fast_decode_is_the_exact_one_or_declines(line: str, as_bytes: bool) -> None:
    found = plain_object(line.encode("utf-8") if as_bytes else line)
    if found is None:
        return
    pairs = json.loads(line, object_pairs_hook=list)
    assert len({k for k, _ in pairs}) == len(pairs)  # no key given twice
    exact = EXACT.decode(line)
    assert found == exact
    assert [type(v) for v in found.values()] == [type(v) for v in exact.values()]
    assert all(not isinstance(v, dict | list) for v in found.values())


# --- instants: the quicker parse gives what pendulum.instance gave -----------------------

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@pytest.mark.parametrize("tz", ZONES)
def test_a_local_date_time_is_the_instant_pendulum_gives(tz: str) -> None:
    zone = pendulum.timezone(tz)
    for day in ("2000-03-26", "2000-04-02", "2000-10-29", "2000-10-01", "2000-06-15"):
        for minutes in range(0, 24 * 60, 10):
            text = f"{day}T{minutes // 60:02d}:{minutes % 60:02d}"
            naive = datetime.fromisoformat(text)
            first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
            if first.utcoffset() != second.utcoffset():
                continue  # in a gap or twice: refused (tests/test_instants.py)
            expected = pendulum.instance(first)
            got = parse_instant(text, tz)
            assert (type(got), got, got.tzinfo, got.fold) == (
                type(expected),
                expected,
                expected.tzinfo,
                expected.fold,
            )
            offset = expected.utcoffset()
            wall = datetime(*expected.timetuple()[:6], expected.microsecond)
            assert epoch_us(got) == (wall - offset - datetime(1970, 1, 1)) // timedelta(
                microseconds=1
            )  # the formula epoch_us had


ODD_TEXTS = [
    "2000-03-14",
    "2000-03-14T10:00",
    "2000-03-26T01:30",  # a gap in London
    "2000-04-02T02:30",  # a gap in New York
    "2000-10-29T01:30",  # twice in New York and in London
    "2000-02-29T00:00",
    "2001-02-29",
    "2001-02-29T10:00",
    "2000-13-01",
    "2000-00-10T10:00",
    "2000-03-14T24:00",
    "2000-03-14T23:60",
    "2000-03-14T10:00:30",
    "2000-03-14T10:00:00.5",
    "2000-03-14T10:00Z",
    "2000-03-14T10:00-05:00",
    "2000-03-14T\u0661\u0660:00",  # Arabic-Indic digits: int() takes them, the format does not
    "\uff12000-03-14",
    "2000-03-14T1:000",
    "2000-03-14 10:00",
    "2000-03-14t10:00",
    "2000-03-14T+1:00",
    "2000-03-14T-1:00",
    "0001-01-01",
    "0001-01-01T00:30",
    "9999-12-31T23:59",
    "0000-01-01",
]


def _general(text: str, tz: str) -> object:
    """What the general way (no quick path) gives: the instant and its epoch, or the error."""
    from datetime import UTC

    from engine.days import instants

    m = instants._INSTANT_RE.fullmatch(text)
    if not m:
        return "malformed"
    try:
        at = instants._instant(text, tz, m)
        at.astimezone(UTC)
    except OverflowError:
        return "out of range"
    except instants.InstantError as exc:
        return str(exc)
    return type(at), at, at.tzinfo, at.fold, at.isoformat(), epoch_us(at)


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Asia/Kolkata", "No/Where"])
def test_the_quick_local_instant_is_the_general_one(tz: str) -> None:
    from engine.days.instants import InstantError, parse_instant_us

    for text in ODD_TEXTS:
        try:
            at, us = parse_instant_us(text, tz)
            assert parse_instant(text, tz) == at
            got: object = type(at), at, at.tzinfo, at.fold, at.isoformat(), us
        except InstantError as exc:
            got = str(exc)
            got = "malformed" if got.startswith("malformed date/time") else got
            got = "out of range" if "out of range: not an instant" in str(got) else got
        assert got == _general(text, tz), text
