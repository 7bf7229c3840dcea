"""Source text to a checked ``Expression``: Python's parser, then the whitelist compiler."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Collection

from engine.expressions.compiler import Compiler
from engine.expressions.expression import Expression, ExpressionError


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
    compiler = Compiler(body, shift, allowed_roots)
    try:
        fn = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError("expression is too deeply nested", 1) from None
    return Expression(source, frozenset(compiler.names), fn)
