"""Fuzzing the command line with generated fact lines and rule-file fragments (hypothesis).

Whatever the input, ``clausewatch`` exits 0, 1 or 2, never 3 (an internal error) and never
with a traceback; on 2 every line of standard error is a ``path:line[:col]: message`` (or
names the file or option at fault); ``validate`` rejects what ``check`` rejects; a run that
succeeds accounts for every fact line (considered, or dated after the as-of date: none
silently dropped); and each run ends within a bound that only a hang would reach.

Derandomized (the same examples on every run, as CI needs) with a small budget: about
ten seconds in all.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "nhtc-series-j.yaml"
RULE_TEXT = RULES.read_text("utf-8")
VOCABULARY: dict[str, dict[str, dict]] = {
    name: spec.get("fields") or {} for name, spec in yaml.safe_load(RULE_TEXT)["facts"].items()
}
VOCABULARY["waiver"] = {"rule": {"type": "string"}, "key": {"type": "string"}}
VOCABULARY["parameter_changed"] = {"parameter": {"type": "string"}, "value": {"type": "number"}}
TIME_BOUND = 20  # seconds a single run may take: far above the slowest, so only a hang fails
FUZZ = settings(
    derandomize=True,
    max_examples=25,
    deadline=None,  # the bound is TIME_BOUND, enforced by an alarm (a hang never returns)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# A diagnostic names its place: `path:line[:col]: `, or a file, folder or option alone.
DIAGNOSTIC = re.compile(r"^(?:\S.*?:\d+(?::\d+)?|\S[^:]*|--as-of): \S")


class Hang(BaseException):
    """A run went past TIME_BOUND (a BaseException: the CLI's last resort must not catch it)."""


@contextlib.contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"a run took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with time_bound(TIME_BOUND), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_sound(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), f"exit {code}:\n{err[:2000]}"
    assert "Traceback" not in err
    if code == 2:
        lines = err.splitlines()
        assert lines, "exit 2 with nothing on standard error"
        bad = [line for line in lines if not DIAGNOSTIC.match(line)]
        assert not bad, f"not a diagnostic: {bad[:3]}"
        assert all(len(line) < 2000 for line in lines), "a diagnostic quotes too much"


# --- fact lines ------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\r",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "é",
    "N1",
    "f-1",
    "nhtc-series-j",
    "*",
    "A" * 5000,
]
RAW_NUMBERS = [
    "0",
    "-0.0",
    "1e-30",
    "0.00001",
    "1e16",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "1" + "0" * 30,
    "9" * 5000,
    "1000000000000000",
    "1000000000000001",
    "3.4375",
]
RAW_DATES = [
    "2000-02-04",
    "2000-02-04T17:05",
    "2000-04-02T02:30",  # a spring-forward gap
    "2000-10-29T01:30",  # the fall-back hour
    "2001-09-11",
    "1989-12-31",
    "1990-01-01",
    "1990-01-01T00:30+14:00",
    "2045-12-29",
    "2045-12-31T23:59:59-05:00",
    "2046-01-01",
    "0001-01-01",
    "0001-01-01T00:00+05:00",
    "9999-12-31",
    "9999-12-31T23:59-05:00",
    "2000-02-30",
    "2000-13-01",
    "20000-01-01",
]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


text_values = st.one_of(
    st.sampled_from(HOSTILE_TEXT), st.text(max_size=12), st.sampled_from(RAW_DATES)
)
json_values = st.one_of(
    text_values.map(json.dumps),
    st.sampled_from(RAW_NUMBERS),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    st.sampled_from(["true", "false", "null", "[]", "{}", _deep(50), _deep(5000)]),
)


@st.composite
def fact_line(draw: st.DrawFn) -> str:
    """A line that is mostly a fact (so that it gets far into the checks), then spoiled."""
    kind = draw(st.sampled_from(sorted(VOCABULARY)))
    pairs: list[tuple[str, str]] = [
        ("id", json.dumps(draw(st.sampled_from(["f-1", "f-2", "N1", "\x1b[2J", "x" * 300])))),
        ("type", json.dumps(kind)),
        ("at", json.dumps(draw(st.sampled_from(RAW_DATES)))),
    ]
    for name, spec in VOCABULARY[kind].items():
        if draw(st.integers(0, 9)) == 0:
            continue  # a field left out
        if spec.get("type") in ("integer", "number"):
            value = draw(st.one_of(st.sampled_from(RAW_NUMBERS), st.integers(0, 10**6).map(str)))
        elif spec.get("type") == "date":
            value = json.dumps(draw(st.sampled_from(RAW_DATES)))
        elif spec.get("type") == "boolean":
            value = draw(st.sampled_from(["true", "false", "1", '"yes"']))
        else:
            value = json.dumps(
                draw(st.one_of(st.sampled_from(spec.get("enum") or ["N1"]), text_values))
            )
        pairs.append((name, value))
    extra = draw(st.lists(st.tuples(text_values.map(json.dumps), json_values), max_size=2))
    pairs += [(json.loads(k), v) for k, v in extra]
    if draw(st.booleans()):
        pairs.append(("contract", json.dumps(draw(st.sampled_from(["nhtc-series-j", "*", "x"])))))
    line = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}"
    if draw(st.integers(0, 3)) == 0:  # spoil it: a character dropped or put in
        at = draw(st.integers(0, len(line)))
        spoiler = draw(st.sampled_from(["", *HOSTILE_TEXT[:12], '"', "}", ","]))
        line = line[:at] + spoiler + line[at + 1 :]
    return line


fact_logs = st.lists(
    st.one_of(fact_line(), fact_line(), st.text(max_size=40), json_values),
    min_size=1,
    max_size=6,
)


@FUZZ
@given(lines=fact_logs, crlf=st.booleans(), as_of=st.sampled_from(["2000-12-31", "2045-12-31"]))
def test_fuzz_fact_lines(lines: list[str], crlf: bool, as_of: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "fuzz.jsonl"
        log.write_bytes(("\r\n" if crlf else "\n").join(lines).encode("utf-8", "surrogatepass"))
        code, out, err = run(
            "check",
            "--rules",
            str(RULES),
            "--facts",
            str(log),
            "--as-of",
            as_of,
            "--format",
            "json",
        )
        assert_sound(code, out, err)
        v_code, v_out, v_err = run("validate", str(RULES), str(log))
        assert_sound(v_code, v_out, v_err)
        assert v_code in (0, 2)
        if code == 2:
            assert v_code == 2, f"check rejects, validate does not:\n{err[:1000]}"
            assert f"{log}:" in err  # the fact log, at a line
        else:
            doc = json.loads(out)
            read = sum(1 for line in lines for part in line.split("\n") if part.strip(" \t\r"))
            assert doc["facts_considered"] + len(doc["facts_after_as_of"]) == read


# --- rule-file fragments ------------------------------------------------------------------

HOSTILE_YAML = [
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!custom value",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!timestamp 2001-01-01",
    "!!int abc",
    "!!float x",
    "*nowhere",
    "&a [*a]",
    ".inf",
    "-.nan",
    "1.0e+400",
    "1" * 200,
    "=",
    "<<: 5",
    '"\\e[31m\\x07"',
    "'\u2028'",
    "[" * 200,
    "{a: " * 100 + "1" + "}" * 100,
    '"' + "(" * 300 + "1" + ")" * 300 + '"',
    '"' + "-" * 3000 + '1"',
    '"' + " + ".join(["fact.amount"] * 600) + '"',
    '"' + "not " * 400 + 'true"',
    "|\n  x",
    "\t",
    "",
]
LAUGHS = "\n".join(
    ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
)
RULE_LINES = RULE_TEXT.splitlines()


HOSTILE_NUMBERS = ["0", "-1", "1000000000000000", "-99999999999999999999", "1e30", "0.1e-27"]
SMALL_LOG = [  # a few facts that reach most building blocks of the seed rules
    {"id": "acc", "type": "agreement_accepted", "at": "2000-03-03", "outstanding_shares": 1000},
    {"id": "dep", "type": "purchase_price_deposited", "at": "2000-03-08T16:00", "amount": 5e5},
    {"id": "cond", "type": "closing_conditions_satisfied", "at": "2000-03-09T11:00"},
    {"id": "bid", "type": "closing_bid", "at": "2000-03-09T16:00", "price": 2.5},
    {"id": "cls", "type": "closing", "at": "2000-03-10T14:00"},
    {"id": "iss", "type": "common_stock_issued", "at": "2000-04-03", "shares": 200},
    {"id": "n1", "type": "conversion_notice", "at": "2000-06-01", "notice_id": "N1",
     "delivery_date": "2000-06-06", "amount": 100000},
    {"id": "res", "type": "share_reserve_reported", "at": "2000-07-03", "reserved": 10,
     "conversion_shares": 100, "warrant_shares": 10},
    {"id": "mp", "type": "mandatory_purchase_demanded", "at": "2000-08-01",
     "delivery_method": "certified_mail", "liquidation_preference": 1000,
     "accrued_dividends": 10},
]  # fmt: skip


@st.composite
def rule_file(draw: st.DrawFn) -> str:
    """The seed rule file with a value replaced, a number changed, a line put in, a line
    cut short, or a billion laughs in front."""
    lines = list(RULE_LINES)
    fragment = draw(st.one_of(st.sampled_from(HOSTILE_YAML), st.text(max_size=20)))
    at = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["value", "number", "number", "line", "cut", "laughs"]))
    numbered = [i for i, line in enumerate(lines) if re.search(r"\d", line)]
    if how == "value" and ": " in lines[at]:
        key, _, _ = lines[at].partition(": ")
        lines[at] = f"{key}: {fragment}"
    elif how == "number":
        at = draw(st.sampled_from(numbered))
        found = list(re.finditer(r"-?\d+(?:\.\d+)?", lines[at]))
        m = draw(st.sampled_from(found))
        number = draw(st.sampled_from(HOSTILE_NUMBERS))
        lines[at] = lines[at][: m.start()] + number + lines[at][m.end() :]
    elif how == "cut":
        lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))] + fragment
    elif how == "laughs":
        lines.insert(0, LAUGHS)
    else:
        lines.insert(at, fragment)
    return "\n".join(lines) + "\n"


@FUZZ
@given(text=rule_file())
def test_fuzz_rule_file_fragments(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        facts = Path(tmp) / "facts.jsonl"
        facts.write_text("".join(json.dumps(f) + "\n" for f in SMALL_LOG), "utf-8")
        code, out, err = run("validate", str(path), str(facts))
        assert_sound(code, out, err)
        assert code in (0, 2)
        if code == 2:
            assert f"{path}:" in err or f"{facts}:" in err
        c_code, c_out, c_err = run(
            "check", "--rules", str(path), "--facts", str(facts), "--as-of", "2001-12-31"
        )
        assert_sound(c_code, c_out, c_err)
        if c_code == 2:
            assert code == 2, f"check rejects, validate does not:\n{c_err[:1000]}"


@pytest.mark.parametrize("seed_fact", ['{"type": "agreement_accepted", "at": "2000-02-04"}'])
def test_fuzz_helpers_accept_sound_input(seed_fact: str) -> None:
    """The harness itself: a sound fact log runs with exit 0 or 1 and accounts for its fact."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "ok.jsonl"
        log.write_text(seed_fact + "\n", "utf-8")
        code, out, err = run(
            "check",
            "--rules",
            str(RULES),
            "--facts",
            str(log),
            "--as-of",
            "2000-12-31",
            "--format",
            "json",
        )
        assert_sound(code, out, err)
        assert code == 1 and json.loads(out)["facts_considered"] == 1
