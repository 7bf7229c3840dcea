"""Expressions in rule files: small, safe arithmetic and boolean formulas.

The package: ``expression`` (the parsed value and its errors), ``parse`` (source text to
an ``Expression``), ``compiler`` (names and literals), ``operators`` (arithmetic,
comparison, logic) and ``functions`` (``min``, ``round``, ...): a new function or
operator is one table entry and one method in its module.

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
  from zero), ``cents(x)`` (``round(x, 2)``), ``coalesce(a, b, ...)`` (first non-``null``),
  ``date('2025-06-30')`` (a day, to compare with a date field or ``period.end``).

An expression may span several lines. Anything else (indexing, ``**``, ``//``, keyword
arguments, comments, other functions, ...) is rejected when the rule file is loaded, with the
column of the problem.
"""

from engine.expressions.expression import Expression, ExpressionError
from engine.expressions.parse import parse_expression

__all__ = ["Expression", "ExpressionError", "parse_expression"]
