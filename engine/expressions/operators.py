"""Operators of the expression language: arithmetic, comparison, logic, lists, ``if``."""

from __future__ import annotations

import ast
import decimal
import operator
from collections.abc import Mapping

from engine.expressions.base import CompilerBase
from engine.expressions.expression import ExpressionError, Fn

ARITH = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
}
_BADARITH = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
ORDER = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}
COMPARE = {
    **ORDER,
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not", lambda a, b: a not in b),
}


class Operators(CompilerBase):
    """Compiles ``+ - * /``, comparisons and ``in``, ``and or not``, lists and ``a if c else b``."""

    def _BinOp(self, node: ast.BinOp) -> Fn:
        if type(node.op) not in ARITH:
            symbol = _BADARITH[type(node.op)]
            hint = "; use floor(a / b)" if symbol == "//" else ""
            offset = self.op_offset(node.left, node.right, symbol)
            raise self.error(f"operator `{symbol}` is not allowed{hint}", offset)
        symbol, op = ARITH[type(node.op)]
        left, right, seg = self.number(node.left), self.number(node.right), self.seg(node)
        col = self.col(self.op_offset(node.left, node.right, symbol))

        def run(env: Mapping[str, object]) -> object:
            a, b = left(env), right(env)
            if symbol == "/" and b == 0:
                raise ExpressionError("division by zero", col)
            try:
                return op(a, b)
            except decimal.DecimalException:
                raise ExpressionError(f"cannot compute `{seg}`", col) from None

        return run

    def _UnaryOp(self, node: ast.UnaryOp) -> Fn:
        if isinstance(node.op, ast.Not):
            fn = self.compile(node.operand)
            return lambda env: not fn(env)
        if isinstance(node.op, ast.Invert):
            raise self.error("operator `~` is not allowed", node.col_offset)
        num = self.number(node.operand)
        op = operator.neg if isinstance(node.op, ast.USub) else operator.pos
        return lambda env: op(num(env))

    def _BoolOp(self, node: ast.BoolOp) -> Fn:
        fns = [self.compile(value) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: all(fn(env) for fn in fns)
        return lambda env: any(fn(env) for fn in fns)

    def _IfExp(self, node: ast.IfExp) -> Fn:
        test, body = self.compile(node.test), self.compile(node.body)
        orelse = self.compile(node.orelse)
        return lambda env: body(env) if test(env) else orelse(env)

    def _List(self, node: ast.List | ast.Tuple) -> Fn:
        items = [self.compile(item) for item in node.elts]
        return lambda env: [item(env) for item in items]

    def _Compare(self, node: ast.Compare) -> Fn:
        steps = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.Is, ast.IsNot)):
                message = "operator `is` is not allowed; use `==` or `!=`"
                raise self.error(message, self.op_offset(left, right, "is"))
            symbol, fn = COMPARE[type(op)]
            if symbol in ("in", "not"):
                if not isinstance(right, (ast.List, ast.Tuple)):
                    message = "`in` needs a written-out list on the right, like `x in ['a', 'b']`"
                    raise self.error(message, right.col_offset)
                right_fn = self._List(right)
            else:
                right_fn = self.compile(right)
            cols = [self.col(n.col_offset) for n in (left, right)]
            cols.append(self.col(self.op_offset(left, right, symbol)))
            steps.append((fn, right_fn, type(op) in ORDER, self.seg(left), self.seg(right), cols))
            left = right
        first = self.compile(node.left)

        def run(env: Mapping[str, object]) -> object:
            a = first(env)
            for fn, right_fn, ordered, lseg, rseg, (lcol, rcol, col) in steps:
                b = right_fn(env)
                if ordered and (a is None or b is None):
                    seg, at = (lseg, lcol) if a is None else (rseg, rcol)
                    raise ExpressionError(f"`{seg}` has no value", at)
                try:
                    if not fn(a, b):
                        return False
                except (TypeError, decimal.DecimalException):
                    kinds = f"{type(a).__name__} and {type(b).__name__}"
                    message = f"cannot compare `{lseg}` and `{rseg}` ({kinds})"
                    raise ExpressionError(message, col) from None
                a = b
            return True

        return run
