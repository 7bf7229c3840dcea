"""Expressions in rule files: small, safe arithmetic and boolean formulas.

Examples::

    fact.reserved >= 1.5 * fact.conversion_shares + fact.warrant_shares
    floor(0.20 * param.purchase_price / (1.10 * source.price))
    fact.purpose in ['loan', 'investment'] and not fact.buyer_consent

The language is a small subset of Python syntax:

* Values: numbers (``1``, ``0.10``, ``1_000_000``), text in quotes (``'loan'``), ``true``,
  ``false``, ``null`` (``True``/``False``/``None`` work too) and lists (``['a', 'b']``).
* Names: dotted fields such as ``fact.amount``; a field without a value is ``null``.
* Arithmetic: ``+ - * /`` and a leading ``-``, in exact decimals (28 significant digits), so
  ``0.1 + 0.2 == 0.3``. Arithmetic on ``null`` is an error; use ``coalesce`` for a fallback.
* Comparisons: ``== != < <= > >=`` (chains such as ``0 < x <= 10`` work) and
  ``x in [...]`` / ``x not in [...]`` with a written-out list.
* Logic: ``and``, ``or``, ``not`` (always giving ``true`` or ``false``; ``null``, ``0`` and
  ``''`` count as false) and ``a if condition else b``.
* Functions: ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``floor(x)`` / ``ceil(x)``
  (down / up to a whole number), ``round(x, n)`` (``n`` decimal places, default 0, halves away
  from zero), ``cents(x)`` (``round(x, 2)``), ``coalesce(a, b, ...)`` (first non-``null``).

An expression may span several lines. Anything else (indexing, ``**``, ``//``, keyword
arguments, comments, other functions, ...) is rejected when the rule file is loaded, with the
column of the problem.
"""

from __future__ import annotations

import ast
import decimal
import difflib
import io
import operator
import tokenize
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

_Fn = Callable[[Mapping[str, object]], object]
_CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_CONSTANTS: dict[str, object] = {"true": True, "false": False, "null": None}
_ARITY = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
    "round": (1, 2),
    "cents": (1, 1),
    "coalesce": (1, None),
}
_FUNCTIONS: dict[str, Callable[..., object]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "floor": lambda x: x.to_integral_value(rounding=decimal.ROUND_FLOOR),
    "ceil": lambda x: x.to_integral_value(rounding=decimal.ROUND_CEILING),
    "cents": lambda x: x.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP),
}
_ARITH = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
}
_BAD_ARITH = {
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
_ORDER = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}
_COMPARE = {
    **_ORDER,
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not", lambda a, b: a not in b),
}
_REJECTED = {
    "Subscript": "indexing (`x[...]`)",
    "Lambda": "`lambda`",
    "ListComp": "a comprehension",
    "SetComp": "a comprehension",
    "DictComp": "a comprehension",
    "GeneratorExp": "a comprehension",
    "Dict": "a dict literal",
    "Set": "a set literal",
    "JoinedStr": "an f-string",
    "NamedExpr": "`:=`",
    "Starred": "`*` unpacking",
    "Tuple": "a tuple (use a list `[...]`)",
}


class ExpressionError(ValueError):
    """A syntax or name problem in an expression.

    ``message`` is a short human message; ``col`` is the 1-based column inside the expression
    source where the problem is (1 when unknown). ``str(error)`` is the message alone.
    """

    message: str
    col: int

    def __init__(self, message: str, col: int = 1) -> None:
        super().__init__(message, col)
        self.message = message
        self.col = col

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Expression:
    """A parsed expression; ``names`` holds every dotted name it uses."""

    source: str
    names: frozenset[str]
    _fn: _Fn = field(repr=False, compare=False)

    def evaluate(self, env: Mapping[str, object]) -> object:
        """Evaluate against ``env`` (full dotted name -> value; missing names are ``None``)."""
        with decimal.localcontext(_CONTEXT):
            return self._fn(env)

    def roots(self) -> frozenset[str]:
        """The first components of the names used, e.g. ``{"fact", "param"}``."""
        return frozenset(name.split(".", 1)[0] for name in self.names)


def parse_expression(source: str, allowed_roots: Collection[str] | None = None) -> Expression:
    """Parse and check ``source``; raise ExpressionError on any problem.

    If ``allowed_roots`` is given, every name must start with one of them.
    """
    text = source.replace("\r", " ").replace("\n", " ")  # same length: columns stay true
    body = text.lstrip()
    shift = len(text) - len(body)
    if not body.strip():
        raise ExpressionError("empty expression", 1)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:  # offset 0 means the expression ended too early
        msg = exc.msg if exc.offset else "the expression ends too early"
        col = shift + (exc.offset or len(body.rstrip()) + 1)
        raise ExpressionError(f"syntax error: {msg}", col) from None
    except ValueError as exc:  # e.g. NUL bytes
        raise ExpressionError(str(exc), 1) from None
    for tok in tokenize.generate_tokens(io.StringIO(body).readline):
        if tok.type == tokenize.COMMENT:
            raise ExpressionError("comments (`#`) are not allowed", shift + tok.start[1] + 1)
    compiler = _Compiler(body, shift, allowed_roots)
    try:
        fn = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError("expression is too deeply nested", 1) from None
    return Expression(source, frozenset(compiler.names), fn)


def _convert(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _const(value: object) -> _Fn:
    return lambda env: value


class _Compiler:
    """Turns a whitelisted AST into nested closures ``env -> value``."""

    def __init__(self, body: str, shift: int, allowed: Collection[str] | None) -> None:
        self.raw = body.encode()  # ast offsets are UTF-8 byte offsets
        self.shift = shift
        self.allowed = None if allowed is None else frozenset(allowed)
        self.names: set[str] = set()

    def col(self, offset: int) -> int:
        return self.shift + len(self.raw[:offset].decode(errors="ignore")) + 1

    def seg(self, node: ast.AST) -> str:
        return self.raw[node.col_offset : node.end_col_offset].decode()

    def error(self, message: str, offset: int) -> ExpressionError:
        return ExpressionError(message, self.col(offset))

    def op_offset(self, left: ast.expr, right: ast.expr, symbol: str) -> int:
        found = self.raw.find(symbol.encode(), left.end_col_offset, right.col_offset)
        return left.end_col_offset if found < 0 else found

    def compile(self, node: ast.expr) -> _Fn:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            what = _REJECTED.get(type(node).__name__, f"`{self.seg(node)}`")
            raise self.error(f"{what} is not allowed", node.col_offset)
        return method(node)

    def number(self, node: ast.expr) -> _Fn:
        fn, seg, col = self.compile(node), self.seg(node), self.col(node.col_offset)

        def run(env: Mapping[str, object]) -> object:
            value = fn(env)
            if isinstance(value, Decimal):
                return value
            if value is None:
                raise ExpressionError(f"`{seg}` has no value", col)
            raise ExpressionError(f"`{seg}` is not a number (got {type(value).__name__})", col)

        return run

    def _Constant(self, node: ast.Constant) -> _Fn:
        value = node.value
        if isinstance(value, float):  # the digits as written: 0.1 is exactly 0.1
            return _const(Decimal(self.seg(node)))
        if isinstance(value, int) and not isinstance(value, bool):
            return _const(Decimal(value))
        if value is None or isinstance(value, (bool, str)):
            return _const(value)
        raise self.error(f"the literal `{self.seg(node)}` is not allowed", node.col_offset)

    def _Name(self, node: ast.Name) -> _Fn:
        if node.id in _CONSTANTS:
            return _const(_CONSTANTS[node.id])
        return self.field(node.id, node)

    def _Attribute(self, node: ast.Attribute) -> _Fn:
        parts, inner = [node.attr], node
        while isinstance(inner.value, ast.Attribute):
            inner = inner.value
            parts.append(inner.attr)
        if not isinstance(inner.value, ast.Name):
            offset = inner.end_col_offset - len(inner.attr.encode())
            raise self.error("attributes can only follow names, like `fact.amount`", offset)
        return self.field(".".join([inner.value.id, *reversed(parts)]), node)

    def field(self, name: str, node: ast.expr) -> _Fn:
        root = name.split(".", 1)[0]
        if self.allowed is not None and root not in self.allowed:
            message = f"unknown name `{name}`; expected one of {', '.join(sorted(self.allowed))}"
            close = difflib.get_close_matches(root, self.allowed, n=1)
            if close:
                message += f"; did you mean `{close[0]}`?"
            raise self.error(message, node.col_offset)
        self.names.add(name)
        return lambda env: _convert(env.get(name))

    def _BinOp(self, node: ast.BinOp) -> _Fn:
        if type(node.op) not in _ARITH:
            symbol = _BAD_ARITH[type(node.op)]
            hint = "; use floor(a / b)" if symbol == "//" else ""
            offset = self.op_offset(node.left, node.right, symbol)
            raise self.error(f"operator `{symbol}` is not allowed{hint}", offset)
        symbol, op = _ARITH[type(node.op)]
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

    def _UnaryOp(self, node: ast.UnaryOp) -> _Fn:
        if isinstance(node.op, ast.Not):
            fn = self.compile(node.operand)
            return lambda env: not fn(env)
        if isinstance(node.op, ast.Invert):
            raise self.error("operator `~` is not allowed", node.col_offset)
        num = self.number(node.operand)
        op = operator.neg if isinstance(node.op, ast.USub) else operator.pos
        return lambda env: op(num(env))

    def _BoolOp(self, node: ast.BoolOp) -> _Fn:
        fns = [self.compile(value) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: all(fn(env) for fn in fns)
        return lambda env: any(fn(env) for fn in fns)

    def _IfExp(self, node: ast.IfExp) -> _Fn:
        test, body = self.compile(node.test), self.compile(node.body)
        orelse = self.compile(node.orelse)
        return lambda env: body(env) if test(env) else orelse(env)

    def _List(self, node: ast.List | ast.Tuple) -> _Fn:
        items = [self.compile(item) for item in node.elts]
        return lambda env: [item(env) for item in items]

    def _Compare(self, node: ast.Compare) -> _Fn:
        steps = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.Is, ast.IsNot)):
                message = "operator `is` is not allowed; use `==` or `!=`"
                raise self.error(message, self.op_offset(left, right, "is"))
            symbol, fn = _COMPARE[type(op)]
            if symbol in ("in", "not"):
                if not isinstance(right, (ast.List, ast.Tuple)):
                    message = "`in` needs a written-out list on the right, like `x in ['a', 'b']`"
                    raise self.error(message, right.col_offset)
                right_fn = self._List(right)
            else:
                right_fn = self.compile(right)
            cols = [self.col(n.col_offset) for n in (left, right)]
            cols.append(self.col(self.op_offset(left, right, symbol)))
            steps.append((fn, right_fn, type(op) in _ORDER, self.seg(left), self.seg(right), cols))
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

    def _Call(self, node: ast.Call) -> _Fn:
        name = self.seg(node.func)
        if not isinstance(node.func, ast.Name) or name not in _ARITY:
            close = difflib.get_close_matches(name, _ARITY, n=1)
            known = f"the functions are {', '.join(sorted(_ARITY))}"
            hint = f"did you mean `{close[0]}`?" if close else known
            raise self.error(f"unknown function `{name}`; {hint}", node.func.col_offset)
        if node.keywords:
            raise self.error("keyword arguments are not allowed", node.keywords[0].col_offset)
        args = [(self.compile if name == "coalesce" else self.number)(arg) for arg in node.args]
        low, high = _ARITY[name]
        if not low <= len(args) <= (high or len(args)):
            count = str(low) if low == high else f"{low} or {high}" if high else f"at least {low}"
            message = f"`{name}` takes {count} argument{'' if count == '1' else 's'}"
            raise self.error(f"{message}, got {len(args)}", node.col_offset)
        if name == "coalesce":
            return lambda env: next((v for v in (a(env) for a in args) if v is not None), None)
        impl = _FUNCTIONS.get(name)
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
