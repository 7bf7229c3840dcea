"""Portfolio files: the instances of contract templates, in YAML or CSV, with their locations.

A portfolio file lists signed contracts, one instance per entry or row: its ``id``, the
``template`` (the ``contract.id`` of a rule file) it follows, and optionally a ``title``,
a ``time_zone`` other than the template's, the names of its parties and its parameter
values. YAML::

    instances:
      - id: acme-term-loan
        template: term-loan
        title: Acme Holdings term loan
        parties: {borrower: "Acme Holdings, Inc."}
        parameters: {principal: 100000000}

CSV (one row per instance; a header names the columns ``id``, ``template``, ``title``,
``time_zone``, ``party.<role>`` and ``param.<name>``; an empty cell leaves the
template's default)::

    id,template,title,param.principal
    acme-term-loan,term-loan,Acme Holdings term loan,100000000

This module reads the rows only; ``engine.load.instances`` checks them against their
templates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from engine.diagnostics import Diagnostic, Location, suggest, value_words
from engine.load.yaml_source import SourceList, SourceMap

ENTRY_KEYS = ("id", "template", "title", "time_zone", "parties", "parameters")
COLUMNS = ("id", "template", "title", "time_zone")
PREFIXES = ("party.", "param.")


@dataclass
class InstanceRow:
    """One instance as written in a portfolio file, each value with its location."""

    loc: Location
    values: dict[str, tuple[Any, Location]] = field(default_factory=dict)  # id, template, ...
    parties: dict[str, tuple[Any, Location]] = field(default_factory=dict)
    parameters: dict[str, tuple[Any, Location]] = field(default_factory=dict)
    names: dict[str, Location] = field(default_factory=dict)  # where each party/parameter is named

    def get(self, name: str) -> Any:
        """The value of ``id``, ``template``, ``title`` or ``time_zone`` (None if not given)."""
        return self.values.get(name, (None, self.loc))[0]

    def at(self, name: str) -> Location:
        """Where the value of ``name`` stands (the row itself when it is not given)."""
        return self.values.get(name, (None, self.loc))[1]


def is_portfolio(root: Any) -> bool:
    """True for a loaded YAML portfolio file: ``instances`` and no ``contract``."""
    return isinstance(root, dict) and "instances" in root and "contract" not in root


def yaml_rows(path: str, root: SourceMap) -> tuple[list[InstanceRow], list[Diagnostic]]:
    """The rows of a YAML portfolio file, and every problem of its shape."""
    problems: list[Diagnostic] = []
    for key in root:
        if key != "instances":
            message = f"unknown key `{key}` in a portfolio file (it has `instances`)"
            problems.append(Diagnostic(root.key_locs[key], message + suggest(key, ["instances"])))
    items = root["instances"]
    if not isinstance(items, SourceList) or not items:
        where = root.value_locs.get("instances", root.loc)
        message = f"`instances` must be a non-empty list, not {value_words(items)}"
        return [], [*problems, Diagnostic(where, message)]
    rows, more = entry_rows(items)
    return rows, [*problems, *more]


def entry_rows(items: SourceList) -> tuple[list[InstanceRow], list[Diagnostic]]:
    """The rows of a YAML list of instances (a portfolio file's, or a template's own)."""
    rows, problems = [], []
    for item, loc in zip(items, items.item_locs, strict=True):
        if not isinstance(item, SourceMap):
            message = f"an instance must be a mapping, not {value_words(item)}"
            problems.append(Diagnostic(loc, message))
            continue
        row = InstanceRow(item.loc)
        for key, value in item.items():
            at = item.value_locs[key]
            if key not in ENTRY_KEYS:
                message = f"unknown key `{key}` in an instance{suggest(key, ENTRY_KEYS)}"
                problems.append(Diagnostic(item.key_locs[key], message))
            elif key in ("parties", "parameters"):
                if not isinstance(value, SourceMap):
                    message = f"`{key}` must be a mapping, not {value_words(value)}"
                    problems.append(Diagnostic(at, message))
                    continue
                target = row.parties if key == "parties" else row.parameters
                for name, inner in value.items():
                    target[name] = (inner, value.value_locs[name])
                    row.names[name] = value.key_locs[name]
            else:
                row.values[key] = (value, at)
        rows.append(row)
    return rows, problems


def _offsets(line: str) -> list[int]:
    """The 1-based column where each cell of one CSV line starts (RFC 4180 quoting)."""
    starts, i, quoted = [1], 0, False
    while i < len(line):
        ch = line[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            starts.append(i + 2)
        i += 1
    return starts


def csv_rows(path: str, text: str) -> tuple[list[InstanceRow], list[Diagnostic]]:
    """The rows of a CSV portfolio file, and every problem of its header and cells."""
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Diagnostic] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [Diagnostic(Location(path, 1), "empty portfolio file: a header row is needed")]
    cols = _offsets(lines[0].rstrip("\r"))
    names = [h.strip() for h in header]
    for i, name in enumerate(names):
        if name in COLUMNS or (name.startswith(PREFIXES) and name.split(".", 1)[1]):
            continue
        hint = suggest(name, COLUMNS)
        message = (
            f"unknown column `{name}` (columns: {', '.join(COLUMNS)}, party.<role>, "
            f"param.<name>){hint}"
        )
        problems.append(Diagnostic(Location(path, 1, cols[i] if i < len(cols) else 0), message))
    for needed in ("id", "template"):
        if needed not in names:
            problems.append(Diagnostic(Location(path, 1), f"missing column `{needed}`"))
    if problems:
        return [], problems
    rows = []
    line_no = reader.line_num
    while True:
        start = line_no + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Diagnostic(Location(path, start), f"malformed CSV: {exc}"))
            break
        line_no = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # a blank line
        single = line_no == start
        cols = _offsets(lines[start - 1].rstrip("\r")) if single else []
        if len(cells) != len(names):
            message = f"{len(cells)} cells, but the header has {len(names)} columns"
            problems.append(Diagnostic(Location(path, start), message))
            continue
        row = InstanceRow(Location(path, start, 1))
        for i, (name, cell) in enumerate(zip(names, cells, strict=True)):
            if not cell.strip():
                continue
            loc = Location(path, start, cols[i] if i < len(cols) else 0)
            if name.startswith("party."):
                row.parties[name.split(".", 1)[1]] = (cell.strip(), loc)
            elif name.startswith("param."):
                row.parameters[name.split(".", 1)[1]] = (cell.strip(), loc)
            else:
                row.values[name] = (cell.strip(), loc)
        rows.append(row)
    return rows, problems
