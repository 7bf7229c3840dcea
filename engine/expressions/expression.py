"""A parsed expression, evaluated in exact decimals, and the error every problem raises."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Fn = Callable[[Mapping[str, object]], object]
CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

MAX_RESULT = decimal.Decimal(10) ** 18  # a quintillion: past any amount or count of shares


def _in_range(value: decimal.Decimal) -> bool:
    return value.is_finite() and abs(value) < MAX_RESULT


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
    _fn: Fn = field(repr=False, compare=False)

    def evaluate(self, env: Mapping[str, object]) -> object:
        """Evaluate against ``env`` (full dotted name -> value; missing names are ``None``).

        A number it gives is below :data:`MAX_RESULT` in size (an amount, a count of shares):
        anything larger is an error, not an amount a report would print with a million digits.
        """
        with decimal.localcontext(CONTEXT):
            value = self._fn(env)
        if isinstance(value, decimal.Decimal) and not _in_range(value):
            raise ExpressionError(f"the result {value:.3E} is out of range (below 10^18)", 1)
        return value

    def roots(self) -> frozenset[str]:
        """The first components of the names used, e.g. ``{"fact", "param"}``."""
        return frozenset(name.split(".", 1)[0] for name in self.names)
