from decimal import Decimal, getcontext

import pytest

from engine.expressions import Expression, ExpressionError, parse_expression


def ev(source: str, env: dict[str, object] | None = None) -> object:
    return parse_expression(source).evaluate(env or {})


def err(
    source: str, env: dict[str, object] | None = None, roots=None, kinds=None
) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse_expression(source, roots, kinds).evaluate(env or {})
    return info.value


# --- arithmetic ---------------------------------------------------------------------------


def test_floor_of_price_ratio():
    env = {"param.purchase_price": 100000, "source.price": 2.50}
    result = ev("floor(0.20 * param.purchase_price / (1.10 * source.price))", env)
    assert result == 7272  # 20,000 / 2.75 = 7272.72...
    assert isinstance(result, Decimal)
    assert str(result) == "7272"


def test_cents_rounds_half_up():
    assert ev("cents(1.10 * bid.price)", {"bid.price": 2.345}) == Decimal("2.58")  # 2.5795
    assert ev("cents(0.125)") == Decimal("0.13")
    assert ev("cents(-0.125)") == Decimal("-0.13")
    assert str(ev("cents(3)")) == "3.00"


def test_liquidation_preference():
    env = {"trigger.liquidation_preference": 100000, "trigger.accrued_dividends": 1234.56}
    result = ev("1.45 * trigger.liquidation_preference + trigger.accrued_dividends", env)
    assert result == Decimal("146234.56")
    assert str(result) == "146234.56"


def test_reserve_shortfall():
    env = {"fact.reserved": 1000, "fact.conversion_shares": 500, "fact.warrant_shares": 260}
    assert ev("1.5 * fact.conversion_shares + fact.warrant_shares - fact.reserved", env) == 10
    assert ev("fact.reserved >= 1.5 * fact.conversion_shares + fact.warrant_shares", env) is False
    env["fact.reserved"] = 1010
    assert ev("fact.reserved >= 1.5 * fact.conversion_shares + fact.warrant_shares", env) is True


def test_decimal_exactness_and_literals():
    assert ev("0.1 + 0.2 == 0.3") is True
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("1 / 3") == Decimal("0.3333333333333333333333333333")  # 28 digits
    assert ev("1_000_000 * 2") == Decimal("2000000")
    assert ev("1e3 + 1") == Decimal("1001")
    assert ev("-fact.x + 1", {"fact.x": 2.5}) == Decimal("-1.5")
    assert ev("10 - 2 - 3") == 5
    assert ev("2 + 3 * 4") == 14
    assert ev("(2 + 3) * 4") == 20


def test_precision_does_not_touch_global_context():
    before = getcontext().prec
    getcontext().prec = 5
    try:
        assert ev("1 / 3") == Decimal("0.3333333333333333333333333333")
    finally:
        getcontext().prec = before


def test_env_values_are_converted():
    assert ev("fact.x", {"fact.x": 3}) == Decimal("3")
    assert isinstance(ev("fact.x", {"fact.x": 3}), Decimal)
    assert ev("fact.x", {"fact.x": 0.1}) == Decimal("0.1")
    assert ev("fact.x", {"fact.x": True}) is True
    assert ev("fact.x", {"fact.x": "loan"}) == "loan"
    assert ev("fact.x", {"fact.x": None}) is None
    assert ev("fact.x") is None


def test_functions():
    assert ev("min(3, 1.5, 2)") == Decimal("1.5")
    assert ev("max(3, fact.a)", {"fact.a": 7}) == 7
    assert ev("abs(-3.5)") == Decimal("3.5")
    assert ev("floor(-2.1)") == -3
    assert ev("ceil(2.1)") == 3
    assert ev("ceil(-2.9)") == -2
    assert ev("round(2.5)") == 3
    assert ev("round(-2.5)") == -3
    assert ev("round(2.45, 1)") == Decimal("2.5")
    assert ev("round(1234.5678, 2)") == Decimal("1234.57")


def test_coalesce():
    source = "0.10 * coalesce(trigger.outstanding_shares, param.outstanding_shares)"
    assert ev(source, {"param.outstanding_shares": 1000}) == Decimal("100")
    env = {"trigger.outstanding_shares": 2000, "param.outstanding_shares": 1000}
    assert ev(source, env) == Decimal("200")
    assert ev("coalesce(fact.a, fact.b)") is None
    assert ev("coalesce(fact.a, 'none')") == "none"
    assert ev("coalesce(fact.a, 1 / 0)", {"fact.a": 5}) == 5  # later arguments are not evaluated


# --- logic and comparisons --------------------------------------------------------------------


PURPOSE = "fact.purpose in ['loan', 'investment', 'loan_repayment'] and not fact.buyer_consent"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"fact.purpose": "loan"}, True),
        ({"fact.purpose": "loan", "fact.buyer_consent": False}, True),
        ({"fact.purpose": "loan", "fact.buyer_consent": True}, False),
        ({"fact.purpose": "dividend"}, False),
        ({}, False),
    ],
)
def test_membership_and_not(env, expected):
    assert ev(PURPOSE, env) is expected


def test_membership():
    assert ev("fact.x not in ['a', 'b']", {"fact.x": "c"}) is True
    assert ev("fact.x not in ('a', 'b')", {"fact.x": "a"}) is False
    assert ev("fact.x in [1, 2.5]", {"fact.x": 2.5}) is True
    assert ev("fact.x in [1, fact.y]", {"fact.x": 3, "fact.y": 3.0}) is True
    assert ev("fact.x in [null, 1]") is True


def test_boolean_literals_and_equality():
    assert ev("fact.to_us_person == true", {"fact.to_us_person": True}) is True
    assert ev("fact.to_us_person == true", {"fact.to_us_person": False}) is False
    assert ev("fact.to_us_person == true") is False
    assert ev("fact.flag == false", {"fact.flag": False}) is True
    assert ev("fact.x == null") is True
    assert ev("fact.x != null", {"fact.x": 0}) is True
    assert ev("True and None") is False
    assert ev("fact.purpose == 'loan'", {"fact.purpose": "loan"}) is True


def test_and_or_return_booleans_and_short_circuit():
    assert ev("1 and 'x'") is True
    assert ev("0 or ''") is False
    assert ev("false and 1 / 0 > 1") is False
    assert ev("true or fact.missing * 2 > 1") is True
    assert ev("not 0") is True


def test_comparisons():
    assert ev("1 < 2 < 3") is True
    assert ev("1 < 3 < 2") is False
    assert ev("2 <= 2 >= 1 != 3") is True
    assert ev("fact.x > 1", {"fact.x": 1.5}) is True
    assert ev("'a' < 'b'") is True


def test_conditional_and_list():
    assert ev("fact.x if fact.c else fact.y", {"fact.c": 0, "fact.x": 1, "fact.y": 2}) == 2
    assert ev("fact.x if fact.c else fact.y", {"fact.c": 1, "fact.x": 1, "fact.y": 2}) == 1
    assert ev("[1, fact.a]", {"fact.a": 2}) == [Decimal(1), Decimal(2)]


# --- names --------------------------------------------------------------------------------


def test_names_and_roots():
    expr = parse_expression("floor(0.20 * param.purchase_price / (1.10 * source.price))")
    assert isinstance(expr, Expression)
    assert expr.names == frozenset({"param.purchase_price", "source.price"})
    assert expr.roots() == frozenset({"param", "source"})
    assert parse_expression("true and null == x").names == frozenset({"x"})
    assert parse_expression("a.b.c + 1").names == frozenset({"a.b.c"})
    assert ev("a.b.c + 1", {"a.b.c": 1}) == 2


def test_allowed_roots_ok():
    expr = parse_expression("fact.amount > param.limit", allowed_roots=["fact", "param"])
    assert expr.roots() == frozenset({"fact", "param"})


def test_unknown_root_with_suggestion():
    e = err("1 + fcat.amount", roots={"fact", "param"})
    expected = "unknown name `fcat.amount`; expected one of fact, param; did you mean `fact`?"
    assert e.message == expected
    assert e.col == 5


def test_unknown_root_without_suggestion():
    e = err("zzz.amount", roots=("param", "fact"))
    assert (e.message, e.col) == ("unknown name `zzz.amount`; expected one of fact, param", 1)


def test_expression_equality_and_source():
    a, b = parse_expression("x + 1"), parse_expression("x + 1")
    assert a == b
    assert hash(a) == hash(b)
    assert a.source == "x + 1"


def test_multiline_and_leading_space():
    assert ev("fact.a\n  + fact.b", {"fact.a": 1, "fact.b": 2}) == 3
    assert ev("  1 + 1") == 2
    e = err("  fact.a ** 2")
    assert (e.message, e.col) == ("operator `**` is not allowed", 10)


# --- rejected constructs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "col"),
    [
        ("fact.x[0]", "indexing (`x[...]`) is not allowed", 1),
        ("1 + (lambda: 1)", "`lambda` is not allowed", 6),
        ("[a for a in b]", "a comprehension is not allowed", 1),
        ("min(a for a in b)", "a comprehension is not allowed", 4),  # ast includes the "("
        ("{1: 2}", "a dict literal is not allowed", 1),
        ("{1, 2}", "a set literal is not allowed", 1),
        ("(1, 2)", "a tuple (use a list `[...]`) is not allowed", 1),
        ("f'{x}'", "an f-string is not allowed", 1),
        ("(x := 1)", "`:=` is not allowed", 2),
        ("min(*x)", "`*` unpacking is not allowed", 5),
        ("round(x, n=2)", "keyword arguments are not allowed", 10),
        ("fact.x ** 2", "operator `**` is not allowed", 8),
        ("fact.x // 2", "operator `//` is not allowed; use floor(a / b)", 8),
        ("fact.x % 2", "operator `%` is not allowed", 8),
        ("a | b", "operator `|` is not allowed", 3),
        ("~a", "operator `~` is not allowed", 1),
        ("a is None", "operator `is` is not allowed; use `==` or `!=`", 3),
        ("a in b", "`in` needs a written-out list on the right, like `x in ['a', 'b']`", 6),
        ("floor(x).y", "attributes can only follow names, like `fact.amount`", 10),
        ("'abc'.upper", "attributes can only follow names, like `fact.amount`", 7),
        ("1 + flor(x)", "unknown function `flor`; did you mean `floor`?", 5),
        ("sqrt(x)", "unknown function `sqrt`; the functions are "
                    "abs, ceil, cents, coalesce, date, floor, max, min, round", 1),
        ("fact.x()", "unknown function `fact.x`; the functions are "
                     "abs, ceil, cents, coalesce, date, floor, max, min, round", 1),
        ("min(1)", "`min` takes at least 2 arguments, got 1", 1),
        ("floor(1, 2)", "`floor` takes 1 argument, got 2", 1),
        ("round(1, 2, 3)", "`round` takes 1 or 2 arguments, got 3", 1),
        ("round(x, 1.5)", "`round` needs a whole number of places, like `round(x, 2)`", 10),
        ("1j", "the literal `1j` is not allowed", 1),
        ("b'x'", "the literal `b'x'` is not allowed", 1),
        ("fact.a # note\n and fact.b", "comments (`#`) are not allowed", 8),
        ("", "empty expression", 1),
        ("  \n ", "empty expression", 1),
        ("1 +", "syntax error: the expression ends too early", 4),
        ("a +* 2", "syntax error: invalid syntax", 4),
        ("1 + )", "syntax error: unmatched ')'", 5),
        ("(a", "syntax error: '(' was never closed", 1),
    ],
)
def test_rejected(source, message, col):
    e = err(source)
    assert (e.message, e.col) == (message, col)
    assert str(e) == message
    assert isinstance(e, ValueError)


def test_columns_count_characters_not_bytes():
    e = err("'é' + x[1]")
    assert (e.message, e.col) == ("indexing (`x[...]`) is not allowed", 7)


# --- evaluation errors --------------------------------------------------------------------


def test_division_by_zero():
    e = err("fact.a / (fact.b - fact.b)", {"fact.a": 1, "fact.b": 3})
    assert (e.message, e.col) == ("division by zero", 8)
    e = err("0 / 0")
    assert (e.message, e.col) == ("division by zero", 3)


def test_arithmetic_on_none():
    e = err("2 * trigger.amount")
    assert (e.message, e.col) == ("`trigger.amount` has no value", 5)
    e = err("floor(fact.x)")
    assert (e.message, e.col) == ("`fact.x` has no value", 7)
    e = err("-fact.x")
    assert (e.message, e.col) == ("`fact.x` has no value", 2)
    e = err("fact.x > 1")
    assert (e.message, e.col) == ("`fact.x` has no value", 1)
    e = err("1 < fact.x")
    assert (e.message, e.col) == ("`fact.x` has no value", 5)


def test_type_errors():
    e = err("fact.name * 2", {"fact.name": "x"})
    assert (e.message, e.col) == ("`fact.name` is not a number (got str)", 1)
    e = err("fact.flag + 1", {"fact.flag": True})
    assert (e.message, e.col) == ("`fact.flag` is not a number (got bool)", 1)
    e = err("fact.name > 1", {"fact.name": "x"})
    assert (e.message, e.col) == ("cannot compare `fact.name` and `1` (str and Decimal)", 11)


def test_out_of_range():
    e = err("round(1e30, 2)")
    assert (e.message, e.col) == ("cannot compute `round(1e30, 2)`", 1)


def test_no_eval_of_dunder_names():
    assert ev("__import__", {}) is None
    e = err("__import__('os')")
    assert e.message.startswith("unknown function `__import__`")


def test_a_date_literal_compares_with_dates_and_is_checked_when_loaded():
    from datetime import date

    kinds = {"period.end": "date"}
    e = parse_expression("period.end <= date('2025-06-30')", kinds=kinds)
    assert e.evaluate({"period.end": date(2025, 6, 30)}) is True
    assert e.evaluate({"period.end": date(2025, 9, 30)}) is False
    # Column 15: where the text `'2025-06-30'` starts, after `period.end <= `.
    bad = err("period.end <= '2025-06-30'", kinds=kinds)
    assert (bad.message, bad.col) == (
        "cannot compare a date (`period.end`) with text (`'2025-06-30'`)", 15)
    bad = err("date('2025-02-30')")
    assert (bad.message, bad.col) == ("`2025-02-30` is not a date YYYY-MM-DD", 6)
