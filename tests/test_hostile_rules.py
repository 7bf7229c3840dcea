"""Rule files out of the ordinary: aliases, nesting, tags, encodings, huge expressions.

Each is refused at its ``path:line[:col]`` with exit 2, at once (never a traceback, never
minutes of alias expansion), by ``validate`` and ``check`` alike; plain YAML still loads.
(More cases, file by file, in ``bad_inputs/``.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from engine.expressions import ExpressionError, parse_expression
from engine.expressions.parse import MAX_DEPTH, MAX_LENGTH

CLI = Callable[[Sequence[str]], tuple[int, str, str]]
SAMPLE = Path(__file__).resolve().parent / "bad_inputs" / "rules" / "expression-syntax.yaml"
FACT = {"id": "f-1", "type": "agreement_accepted", "at": "2000-03-03"}


def rule_file(tmp_path: Path, changes: dict[int, str]) -> Path:
    """The small sample rule file (its line 88 mended), with lines replaced."""
    lines = SAMPLE.read_text("utf-8").splitlines()
    lines[87] = '      require: "fact.reserved >= 1.5 * fact.conversion_shares"'
    for number, text in changes.items():
        lines[number - 1] = text
    path = tmp_path / "rules.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def both(cli: CLI, rules: Path, tmp_path: Path) -> tuple[tuple, tuple]:
    """``validate`` and ``check`` of the rule file (with one sound fact)."""
    facts = tmp_path / "facts.jsonl"
    facts.write_text(json.dumps(FACT) + "\n", "utf-8")
    check = ["check", "--rules", str(rules), "--facts", str(facts), "--as-of", "2000-12-31"]
    return cli(["validate", str(rules)]), cli(check)


def refused(cli: CLI, rules: Path, tmp_path: Path, expected: str) -> None:
    for code, out, err in both(cli, rules, tmp_path):
        assert (code, out, err) == (2, "", f"{rules}:{expected}\n")


def test_the_sample_is_sound(cli: CLI, tmp_path: Path) -> None:
    (code, out, err), (c_code, _, c_err) = both(cli, rule_file(tmp_path, {}), tmp_path)
    assert (code, err, c_err) == (0, "", "") and c_code in (0, 1)


# --- YAML ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  title: &n [1, *n]", "5:17: invalid YAML: alias *n is inside its own anchor"),
        ("  title: &n {a: *n}", "5:17: invalid YAML: alias *n is inside its own anchor"),
        ("  title: !!python/name:os.system", "5:10: the tag `!!python/name:os.system` is not"),
        ("  title: !!set {a, b}", "5:10: the tag `!!set` is not allowed"),
        ("  title: !!timestamp 2001-01-01", "5:10: the tag `!!timestamp` is not allowed"),
        ("  title: [1, !local 2]", "5:14: the tag `!local` is not allowed"),
        ("  title: !!int twelve", "5:10: `twelve` is not a valid whole number"),
        ("  title: -.inf", "5:10: `-.inf` is not a finite number"),
        ("  title: 1.0e+999", "5:10: `1.0e+999` is not a finite number"),
        (
            "  title: {<<: 5}",
            "5:15: invalid YAML: expected a mapping or list of mappings for "
            "merging, but found scalar",
        ),
        (
            "  title: \x07bell",
            "5:10: invalid YAML: the character U+0007 is not allowed in YAML text",
        ),
    ],
)
def test_a_value_a_rule_file_may_not_hold_is_refused_where_it_stands(
    cli: CLI, tmp_path: Path, line: str, expected: str
) -> None:
    rules = rule_file(tmp_path, {5: line})
    (code, out, err), (c_code, c_out, c_err) = both(cli, rules, tmp_path)
    assert (code, out, c_code, c_out) == (2, "", 2, "")
    assert err == c_err
    assert err.startswith(f"{rules}:{expected}")
    assert len(err.splitlines()) == 1


def test_laughs_through_merge_keys_are_refused_too(cli: CLI, tmp_path: Path) -> None:
    """Merge keys copy a mapping's entries: nine merges of nine merges multiply as aliases
    do. m_k stands for 3 + 9 x m_(k-1) values (m0: 3); m1..m4 add 27 + 270 + 2,457 +
    22,140 = 24,894; each *m4 adds 22,143: the 4th of m5 (line 6, column 30) passes
    100,000."""
    lines = ["m0: &m0 {x: 1}"]
    lines += [f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + "]}" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = cli(["validate", str(path)])
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:6:30: invalid YAML: aliases expand the file to more than")


def test_aliases_nest_no_deeper_than_the_text_may(cli: CLI, tmp_path: Path) -> None:
    """Each alias of a list inside a list adds a level: a0 is 1 deep, a_k is k + 1 deep."""
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 100)]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = cli(["validate", str(path)])
    assert (code, out) == (2, "")
    # a62 (line 63) holds *a61, 63 deep (61 lists and a0's list and item), inside 2 levels
    # (the root mapping, a62's list): 65, past 64
    assert err == f"{path}:63:12: invalid YAML: nested more than 64 levels deep (by aliases)\n"


@pytest.mark.parametrize("value", ["=", "!!str 7860000", "'!!python/name:os.system'", "<<"])
def test_plain_yaml_still_loads(cli: CLI, tmp_path: Path, value: str) -> None:
    """`=` was YAML 1.1's "value" tag (PyYAML then crashed on it): here it is text."""
    rules = rule_file(tmp_path, {5: f"  title: {value}"})
    assert cli(["validate", str(rules)]) == (0, "ok: 1 rule file(s), 0 fact log(s)\n", "")


# --- expressions ------------------------------------------------------------------------


def test_an_expression_of_the_longest_length_parses() -> None:
    source = " and ".join(["x.a"] * 250)  # 1,995 characters, and flat: one level
    source += " " * (MAX_LENGTH - len(source))
    assert len(parse_expression(source).source) == MAX_LENGTH


def test_an_expression_one_character_longer_is_refused_before_parsing() -> None:
    with pytest.raises(ExpressionError, match="expression too long: 2,001 characters"):
        parse_expression("1" + " " * MAX_LENGTH)


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("-" * (MAX_DEPTH - 2) + "x.a", True),  # 98 signs, the attribute and its name: 100
        ("-" * (MAX_DEPTH - 1) + "x.a", False),  # 101 levels
        ("(" * 150 + "x.a" + ")" * 150, True),  # parentheses make no level
        ("-" * 1990 + "1", False),  # Python's own parser would recurse too deep
        ("**".join(["1"] * 660), False),  # or run out of memory on a long chain
        ("not " * 490 + "x.a", False),
        ("1 if x.a else " * 140 + "2", False),
    ],
)
def test_deeply_nested_expressions_are_refused_not_crashed(source: str, ok: bool) -> None:
    assert len(source) <= MAX_LENGTH
    if ok:
        assert parse_expression(source).names == frozenset({"x.a"})
    else:
        with pytest.raises(ExpressionError, match=r"nested too deeply \(at most 100\)"):
            parse_expression(source)


@pytest.mark.parametrize(
    ("source", "value"),
    [("1e17 * 9.99", "9.99E+17"), ("x.a * 1", "1.23")],
)
def test_results_below_10_to_the_18_are_numbers(source: str, value: str) -> None:
    assert parse_expression(source).evaluate({"x.a": Decimal("1.23")}) == Decimal(value)


@pytest.mark.parametrize(
    ("source", "shown"),
    [("1e18", "1.000E+18"), ("-1e400", "-1.000E+400"), ("x.a * x.a", "1.000E+999998")],
)
def test_a_result_of_10_to_the_18_or_more_is_an_error(source: str, shown: str) -> None:
    """Not an amount printed with a million digits, nor `Infinity` in the JSON."""
    with pytest.raises(ExpressionError, match=rf"the result {re.escape(shown)} is out of range"):
        parse_expression(source).evaluate({"x.a": Decimal("1e499999")})


def test_an_amount_out_of_range_is_refused_at_its_fact(cli: CLI, tmp_path: Path) -> None:
    seed = (Path(__file__).resolve().parent.parent / "rules" / "nhtc-series-j.yaml").read_text()
    formula = "cents(1.45 * trigger.liquidation_preference + trigger.accrued_dividends)"
    assert formula in seed
    rules = tmp_path / "rules.yaml"
    rules.write_text(seed.replace(formula, "trigger.liquidation_preference * 1e999990"), "utf-8")
    demand = {"id": "m", "type": "mandatory_purchase_demanded", "at": "2000-03-01",
              "liquidation_preference": 1000, "accrued_dividends": 0}  # fmt: skip
    facts = tmp_path / "facts.jsonl"
    facts.write_text(json.dumps(demand) + "\n", "utf-8")
    argv = ["--rules", str(rules), "--facts", str(facts), "--as-of", "2000-12-31"]
    expected = (
        f"{facts}:1: rule mandatory-purchase: the result 1.000E+999993 is out of range (below "
        "10^18) in `trigger.liquidation_preference * 1e999990` (fact m)\n"
    )
    assert cli(["check", *argv, "--format", "json"]) == (2, "", expected)
    assert cli(["validate", str(rules), str(facts)]) == (2, "", expected)
