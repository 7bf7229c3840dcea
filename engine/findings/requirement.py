"""A rule's requirement in words, with the figures of one fact: never the expression source.

A requirement written as one comparison (``fact.reserved >= 1.5 * fact.conversion_shares
+ fact.warrant_shares``) reads as its two sides with their values and the comparison in
words: "reserved 1,500 is below the required minimum of 1,600 (1.5 x conversion shares
1,000 + warrant shares 100)". A side that is a single name reads as its name and figure;
a side that is a formula, as its value, then the formula with each name in words and its
figure.
The subject is the left side, unless only the right one reads what is measured (a
``fact``, ``trigger``, ``total``... rather than a ``param`` or the ``obligation``).
Any other requirement (``and``, ``or``, ``in``...) reads as the figures it uses and
whether the requirement of the section holds. Names read as their last part with spaces
(``fact.conversion_shares``: "conversion shares"; ``total.amount``: "total amount").
Everything comes from the rule's own data: no rule or fact type is named here.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

from engine.days.words import number
from engine.expressions import Expression, ExpressionError, parse_expression

# operator -> (words when it fails, words when it holds, the operator with sides swapped)
_COMPARISONS: dict[type[ast.cmpop], tuple[str, str, type[ast.cmpop]]] = {
    ast.GtE: ("is below the required minimum of", "meets the required minimum of", ast.LtE),
    ast.Gt: ("is not above the required", "is above the required", ast.Lt),
    ast.LtE: ("exceeds the maximum of", "is within the maximum of", ast.GtE),
    ast.Lt: ("is not below the limit of", "is below the limit of", ast.Gt),
    ast.Eq: ("is not the required", "is the required", ast.Eq),
    ast.NotEq: ("is the excluded", "is not the excluded", ast.NotEq),
}
_SYMBOLS: dict[type[ast.operator], tuple[str, int]] = {
    ast.Add: ("+", 1),
    ast.Sub: ("-", 1),
    ast.Mult: ("x", 2),
    ast.Div: ("/", 2),
}


class _Unwordable(Exception):
    """A node this module does not put into words (the requirement is then summarised)."""


def name_words(name: str) -> str:
    """A dotted name in words: its last part with spaces; ``total.x``: "total x"."""
    parts = name.split(".")
    words = parts[-1].replace("_", " ")
    return f"total {words}" if parts[0] == "total" and len(parts) == 2 else words


def _dotted(node: ast.expr) -> str | None:
    """``fact.reserved`` for a dotted name; None for anything else (``true`` included)."""
    if isinstance(node, ast.Attribute):
        head = node.value.id if isinstance(node.value, ast.Name) else _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


_LEVEL_ROOTS = frozenset({"param", "obligation"})  # names of levels, not of what is measured
_PLACES = Decimal("0.0001")  # a computed value is shown to 4 decimal places at most


def _figure(value: object) -> str:
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return number(value)


def _computed(value: object) -> str:
    """A computed figure: ``3.4884`` for 300 / 86 (the comparison itself stays exact)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -4:
            value = value.quantize(_PLACES)
    return _figure(value)


def _measured(node: ast.expr) -> bool:
    """Whether a side reads what is measured (a fact, a total...), not only levels."""
    for sub in ast.walk(node):
        name = _dotted(sub) if isinstance(sub, ast.Attribute) else None
        if name is not None and name.split(".", 1)[0] not in _LEVEL_ROOTS:
            return True
    return False


@lru_cache(maxsize=256)
def _tree(body: str) -> ast.expr:
    """An expression's syntax tree (parsed once per process: a template's requirements
    are put into words for every check of every instance), shared: only ever read."""
    return ast.parse(body, mode="eval").body


@lru_cache(maxsize=1024)
def _sub_expression(segment: str) -> Expression:
    """A sub-expression, parsed and checked once per process."""
    return parse_expression(segment)


class _Words:
    """One expression's source, parsed, and the names' values."""

    def __init__(self, source: str, env: Mapping[str, object]) -> None:
        self.body = " ".join(source.split())  # YAML's folded lines: one space each
        self.tree = _tree(self.body)
        self.env = env

    def value(self, node: ast.expr) -> object:
        """The value of a sub-expression, computed as the rule computes it."""
        segment = ast.get_source_segment(self.body, node)
        if segment is None:
            raise _Unwordable
        try:
            return _sub_expression(segment).evaluate(self.env)
        except ExpressionError:
            raise _Unwordable from None

    def formula(self, node: ast.expr) -> tuple[str, int]:
        """A formula in words with each name's figure, and its precedence."""
        name = _dotted(node)
        if name is not None:
            return f"{name_words(name)} {_figure(self.env.get(name))}", 9
        if isinstance(node, ast.Constant) and not isinstance(node.value, bool | str | None):
            return _figure(Decimal(str(node.value))), 9
        if isinstance(node, ast.Name):  # true, false, null
            return node.id.lower(), 9
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner, prec = self.formula(node.operand)
            return f"-{inner}" if prec >= 3 else f"-({inner})", 3
        if isinstance(node, ast.BinOp) and type(node.op) in _SYMBOLS:
            symbol, prec = _SYMBOLS[type(node.op)]
            left, lp = self.formula(node.left)
            right, rp = self.formula(node.right)
            left = left if lp >= prec else f"({left})"
            right = right if rp > prec else f"({right})"
            return f"{left} {symbol} {right}", prec
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = ", ".join(self.formula(a)[0] for a in node.args)
            return f"{node.func.id}({args})", 9
        raise _Unwordable

    def side(self, node: ast.expr) -> str:
        """One side of a comparison: ``reserved 1,500``, ``1,600`` or ``1,600 (formula)``."""
        name = _dotted(node)
        if name is not None:
            return f"{name_words(name)} {_figure(self.env.get(name))}"
        if isinstance(node, ast.Name):
            return self.formula(node)[0]
        if isinstance(node, ast.Constant):
            return _figure(node.value)
        return f"{_computed(self.value(node))} ({self.formula(node)[0]})"


def requirement_words(expr: Expression, env: Mapping[str, object], holds: bool) -> str:
    """The requirement ``expr`` in words with the figures of ``env``, as it holds or fails."""
    try:
        words = _Words(expr.source, env)
        node = words.tree
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            subject, level, op = node.left, node.comparators[0], type(node.ops[0])
            if op in _COMPARISONS:
                if not _measured(subject) and _measured(level):
                    subject, level, op = level, subject, _COMPARISONS[op][2]
                fails, ok, _ = _COMPARISONS[op]
                return f"{words.side(subject)} {ok if holds else fails} {words.side(level)}"
    except (_Unwordable, SyntaxError, RecursionError):
        pass
    figures = ", ".join(
        f"{name_words(n)} {_figure(env.get(n))}" for n in sorted(expr.names) if n in env
    )
    verdict = "the requirement holds" if holds else "the requirement is not met"
    return f"{figures}: {verdict}" if figures else verdict
