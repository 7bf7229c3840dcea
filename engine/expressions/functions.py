"""The functions of the expression language: ``min max abs floor ceil round cents coalesce``,
and ``date('2025-06-30')``, a date literal."""

from __future__ import annotations

import ast
import decimal
import difflib
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from engine.expressions.base import CompilerBase
from engine.expressions.expression import ExpressionError, Fn

ARITY = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
    "round": (1, 2),
    "cents": (1, 1),
    "coalesce": (1, None),
    "date": (1, 1),
}
FUNCTIONS: dict[str, Callable[..., object]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "floor": lambda x: x.to_integral_value(rounding=decimal.ROUND_FLOOR),
    "ceil": lambda x: x.to_integral_value(rounding=decimal.ROUND_CEILING),
    "cents": lambda x: x.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP),
}


class FunctionCalls(CompilerBase):
    """The compiler's calls: a known function, the right number of arguments, no keywords."""

    def _Call(self, node: ast.Call) -> Fn:
        name = self.seg(node.func)
        if not isinstance(node.func, ast.Name) or name not in ARITY:
            close = difflib.get_close_matches(name, ARITY, n=1)
            known = f"the functions are {', '.join(sorted(ARITY))}"
            hint = f"did you mean `{close[0]}`?" if close else known
            raise self.error(f"unknown function `{name}`; {hint}", node.func.col_offset)
        if node.keywords:
            raise self.error("keyword arguments are not allowed", node.keywords[0].col_offset)
        if name == "date":
            return self.date_literal(node)
        args = [(self.compile if name == "coalesce" else self.number)(arg) for arg in node.args]
        low, high = ARITY[name]
        if not low <= len(args) <= (high or len(args)):
            count = str(low) if low == high else f"{low} or {high}" if high else f"at least {low}"
            message = f"`{name}` takes {count} argument{'' if count == '1' else 's'}"
            raise self.error(f"{message}, got {len(args)}", node.col_offset)
        if name == "coalesce":
            return lambda env: next((v for v in (a(env) for a in args) if v is not None), None)
        impl = FUNCTIONS.get(name)
        if name == "round":
            places = node.args[1] if len(node.args) == 2 else ast.Constant(0)
            if not (isinstance(places, ast.Constant) and type(places.value) is int):
                message = "`round` needs a whole number of places, like `round(x, 2)`"
                raise self.error(message, places.col_offset)
            quantum, args = Decimal(f"1e{-places.value}"), args[:1]
            impl = lambda x: x.quantize(quantum, rounding=decimal.ROUND_HALF_UP)  # noqa: E731
        seg, col = self.seg(node), self.col(node.col_offset)

        def run(env: Mapping[str, object]) -> object:
            values = [arg(env) for arg in args]
            try:
                return impl(*values)  # type: ignore[misc]
            except decimal.DecimalException:
                raise ExpressionError(f"cannot compute `{seg}`", col) from None

        return run

    def date_literal(self, node: ast.Call) -> Fn:
        """``date('YYYY-MM-DD')``: a day, checked when the rule file is loaded."""
        arg = node.args[0] if len(node.args) == 1 else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise self.error(
                "`date` takes one date in quotes, like date('2025-06-30')", node.col_offset
            )
        try:
            day = date.fromisoformat(arg.value)
            if len(arg.value) != 10:
                raise ValueError(arg.value)
        except ValueError:
            raise self.error(f"`{arg.value}` is not a date YYYY-MM-DD", arg.col_offset) from None
        return lambda env: day
