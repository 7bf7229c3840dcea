"""Findings as CSV for a spreadsheet (``--format csv``): one row per finding.

RFC 4180 (written by the ``csv`` module): a header row, then one row per finding in
report order, fields separated by commas, quoted when they hold a comma, a quote or a
line break, lines ended by CRLF, UTF-8. The columns are fixed (new ones only ever come
last):

``contract, template, rule, key, section, party, status, due, amount, unit, cured,
facts, message``

- ``key``, ``due``, ``amount``, ``cured``: empty when the finding has none.
- ``amount``: a plain decimal number (``9000.00``, ``67680``), in ``unit`` (``USD``,
  ``shares``); both empty when the finding has no amount.
- ``facts``: the ids of the facts the finding rests on, separated by a space.

With a run history, ``check`` adds a last column, ``change`` (``new`` or ``known``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice

from engine.model import Finding

COLUMNS = (
    "contract",
    "template",
    "rule",
    "key",
    "section",
    "party",
    "status",
    "due",
    "amount",
    "unit",
    "cured",
    "facts",
    "message",
)


def row(f: Finding) -> list[str]:
    """One finding's cells, in ``COLUMNS`` order."""
    return [
        f.contract,
        f.template,
        f.rule,
        f.key or "",
        f.section,
        f.party,
        f.status.value,
        f.due or "",
        "" if f.amount is None else format(f.amount, "f"),
        "" if f.amount is None else f.unit,
        f.cured or "",
        " ".join(f.facts),
        f.message,
    ]


def to_csv(findings: Iterable[Finding], marks: Sequence[str] | None = None) -> str:
    """The CSV text: the header, then a row per finding (``marks``: a ``change`` column)."""
    return "".join(csv_pieces(findings, marks))


CSV_BATCH = 4096  # rows a piece of the CSV holds


def csv_pieces(findings: Iterable[Finding], marks: Sequence[str] | None = None) -> Iterator[str]:
    """:func:`to_csv` in pieces of ``CSV_BATCH`` rows: a million facts' CSV is never held
    whole."""
    rows = chain(
        [[*COLUMNS, *(["change"] if marks is not None else [])]],
        ([*row(f), *([marks[n]] if marks is not None else [])] for n, f in enumerate(findings)),
    )
    batch = list(islice(rows, CSV_BATCH))
    while batch:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(batch)
        yield out.getvalue()
        batch = list(islice(rows, CSV_BATCH))
