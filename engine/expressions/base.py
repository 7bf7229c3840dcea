"""The compiler's base: the source, columns, errors, and dispatch by node type.

``Compiler`` (names and literals) is built on it with the mixins ``Operators`` and
``FunctionCalls``, each of which compiles its own node types through ``compile``.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from decimal import Decimal

from engine.expressions.expression import ExpressionError, Fn

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


class CompilerBase:
    """One expression being compiled: its source bytes, allowed roots and the names seen."""

    def __init__(self, body: str, shift: int, allowed: Collection[str] | None) -> None:
        self.raw = body.encode()  # ast offsets are UTF-8 byte offsets
        self.shift = shift
        self.allowed = None if allowed is None else frozenset(allowed)
        self.names: set[str] = set()

    def col(self, offset: int) -> int:
        """The 1-based column of a byte offset of the source."""
        return self.shift + len(self.raw[:offset].decode(errors="ignore")) + 1

    def seg(self, node: ast.AST) -> str:
        """The source text of a node."""
        return self.raw[node.col_offset : node.end_col_offset].decode()

    def error(self, message: str, offset: int) -> ExpressionError:
        """An ``ExpressionError`` at a byte offset of the source."""
        return ExpressionError(message, self.col(offset))

    def op_offset(self, left: ast.expr, right: ast.expr, symbol: str) -> int:
        """The byte offset of an operator between two operands (or the left one's end)."""
        found = self.raw.find(symbol.encode(), left.end_col_offset, right.col_offset)
        return left.end_col_offset if found < 0 else found

    def compile(self, node: ast.expr) -> Fn:
        """Compile any node by its type (``_BinOp``, ``_Call``...); others are refused."""
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            what = _REJECTED.get(type(node).__name__, f"`{self.seg(node)}`")
            raise self.error(f"{what} is not allowed", node.col_offset)
        return method(node)

    def number(self, node: ast.expr) -> Fn:
        """Compile a node whose value must be a number when evaluated."""
        fn, seg, col = self.compile(node), self.seg(node), self.col(node.col_offset)

        def run(env: Mapping[str, object]) -> object:
            value = fn(env)
            if isinstance(value, Decimal):
                return value
            if value is None:
                raise ExpressionError(f"`{seg}` has no value", col)
            raise ExpressionError(f"`{seg}` is not a number (got {type(value).__name__})", col)

        return run
