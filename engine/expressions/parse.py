"""Source text to a checked ``Expression``: Python's parser, then the whitelist compiler."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Collection, Mapping

from engine.expressions.compiler import Compiler
from engine.expressions.expression import Expression, ExpressionError
from engine.expressions.types import check_kinds

MAX_LENGTH = 2000  # characters of an expression
MAX_DEPTH = 100  # operations nested in one another (parentheses, operators, calls)


def _depth(tree: ast.AST) -> int:
    """How deeply the operations of ``tree`` nest (iteratively: never recursion-bound)."""
    deepest, todo = 0, [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo += [
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, ast.expr_context)  # Load: not a level of its own
        ]
    return deepest


def parse_expression(
    source: str,
    allowed_roots: Collection[str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Expression:
    """Parse and check ``source``; raise ExpressionError on any problem.

    If ``allowed_roots`` is given, every name must start with one of them; with ``kinds``
    (name -> number, text, date, bool), values of different kinds must not be compared
    (:mod:`engine.expressions.types`). An expression
    longer than :data:`MAX_LENGTH` characters, or nesting deeper than :data:`MAX_DEPTH`,
    is refused before Python's parser could recurse or exhaust memory on it.
    """
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"expression too long: {len(source):,} characters (at most {MAX_LENGTH:,})", 1
        )
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
    except (RecursionError, MemoryError):  # Python's parser gives up on deep nesting
        raise ExpressionError(f"expression nested too deeply (at most {MAX_DEPTH})", 1) from None
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"expression nested too deeply (at most {MAX_DEPTH})", 1)
    for tok in tokenize.generate_tokens(io.StringIO(body).readline):
        if tok.type == tokenize.COMMENT:
            raise ExpressionError("comments (`#`) are not allowed", shift + tok.start[1] + 1)
    compiler = Compiler(body, shift, allowed_roots)
    try:
        fn = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError("expression is too deeply nested", 1) from None
    if kinds is not None:
        check_kinds(tree.body, compiler, kinds)
    return Expression(source, frozenset(compiler.names), fn)
