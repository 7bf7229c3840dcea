"""Kinds of values in expressions, checked when a rule file is loaded, not when it runs.

Each name has a kind from the vocabulary (a fact field's type, a parameter's type, a
period's dates): ``number``, ``text``, ``date``, ``bool``. A comparison of two values of
different known kinds (a date with text, a number with a date) can never be what the
author meant, and is an error at its column; so is arithmetic on text or dates. A name
of unknown kind (a computed value, a lookup of a broken fact type) is not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from engine.expressions.base import CompilerBase

KINDS = ("number", "text", "date", "bool")
_WORDS = {"number": "a number", "text": "text", "date": "a date", "bool": "true or false"}
_CONSTANTS = {"true": "bool", "false": "bool", "null": ""}
_NUMERIC = {"min", "max", "abs", "floor", "ceil", "round", "cents"}  # functions giving numbers


class KindChecker:
    """Walks a parsed expression, giving each node its kind ('' when not known)."""

    def __init__(self, compiler: CompilerBase, kinds: Mapping[str, str]) -> None:
        self.compiler, self.kinds = compiler, kinds

    def kind(self, node: ast.expr) -> str:
        """The kind of ``node``'s value, checking its parts."""
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                return "bool"
            return "text" if isinstance(value, str) else "number" if value is not None else ""
        if isinstance(node, ast.Name):
            return _CONSTANTS.get(node.id, self.kinds.get(node.id, ""))
        if isinstance(node, ast.Attribute):
            return self.kinds.get(self.compiler.seg(node), "")
        if isinstance(node, ast.BinOp):
            for side in (node.left, node.right):
                found = self.kind(side)
                if found in ("text", "date", "bool"):
                    raise self.compiler.error(
                        f"arithmetic on {_WORDS[found]} (`{self.compiler.seg(side)}`)",
                        side.col_offset,
                    )
            return "number"
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BoolOp | ast.UnaryOp):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.kind(child)
            is_not = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
            return "bool" if isinstance(node, ast.BoolOp) or is_not else "number"
        if isinstance(node, ast.IfExp):
            self.kind(node.test)
            body, other = self.kind(node.body), self.kind(node.orelse)
            return body if body == other else ""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.kind(child)
        called = getattr(node.func, "id", "") if isinstance(node, ast.Call) else ""
        return "number" if called in _NUMERIC else "date" if called == "date" else ""

    def compare(self, node: ast.Compare) -> str:
        """A comparison: both sides of each step of the same kind, where both are known."""
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            a = self.kind(left)
            if isinstance(op, ast.In | ast.NotIn):
                for item in getattr(right, "elts", []):
                    self.check_pair(left, a, item, self.kind(item))
            else:
                self.check_pair(left, a, right, self.kind(right))
            left = right
        return "bool"

    def check_pair(self, left: ast.expr, a: str, right: ast.expr, b: str) -> None:
        """Two values compared: an error when both kinds are known and differ."""
        if a in KINDS and b in KINDS and a != b:
            seg = self.compiler.seg
            raise self.compiler.error(
                f"cannot compare {_WORDS[a]} (`{seg(left)}`) with {_WORDS[b]} (`{seg(right)}`)",
                right.col_offset,
            )


def check_kinds(tree: ast.expr, compiler: CompilerBase, kinds: Mapping[str, str]) -> None:
    """Raise ``ExpressionError`` at the first mix of kinds that can never be meant."""
    KindChecker(compiler, kinds).kind(tree)
