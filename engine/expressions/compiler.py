"""The expression compiler: a whitelisted Python AST turned into closures ``env -> value``.

Names and literals are compiled here; operators and function calls by the mixins of
``operators`` and ``functions``. Every problem is an ``ExpressionError`` at its column.
"""

from __future__ import annotations

import ast
import difflib
from decimal import Decimal

from engine.expressions.expression import Fn
from engine.expressions.functions import FunctionCalls
from engine.expressions.operators import Operators

_CONSTANTS: dict[str, object] = {"true": True, "false": False, "null": None}


def _convert(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _const(value: object) -> Fn:
    return lambda env: value


class Compiler(Operators, FunctionCalls):
    """Turns a whitelisted AST into nested closures ``env -> value``."""

    def _Constant(self, node: ast.Constant) -> Fn:
        value = node.value
        if isinstance(value, float):  # the digits as written: 0.1 is exactly 0.1
            return _const(Decimal(self.seg(node)))
        if isinstance(value, int) and not isinstance(value, bool):
            return _const(Decimal(value))
        if value is None or isinstance(value, (bool, str)):
            return _const(value)
        raise self.error(f"the literal `{self.seg(node)}` is not allowed", node.col_offset)

    def _Name(self, node: ast.Name) -> Fn:
        if node.id in _CONSTANTS:
            return _const(_CONSTANTS[node.id])
        return self.field(node.id, node)

    def _Attribute(self, node: ast.Attribute) -> Fn:
        parts, inner = [node.attr], node
        while isinstance(inner.value, ast.Attribute):
            inner = inner.value
            parts.append(inner.attr)
        if not isinstance(inner.value, ast.Name):
            offset = inner.end_col_offset - len(inner.attr.encode())
            raise self.error("attributes can only follow names, like `fact.amount`", offset)
        return self.field(".".join([inner.value.id, *reversed(parts)]), node)

    def field(self, name: str, node: ast.expr) -> Fn:
        """A dotted name read from the environment (its root checked against the allowed)."""
        root = name.split(".", 1)[0]
        if self.allowed is not None and root not in self.allowed:
            message = f"unknown name `{name}`; expected one of {', '.join(sorted(self.allowed))}"
            close = difflib.get_close_matches(root, self.allowed, n=1)
            if close:
                message += f"; did you mean `{close[0]}`?"
            raise self.error(message, node.col_offset)
        self.names.add(name)
        return lambda env: _convert(env.get(name))
