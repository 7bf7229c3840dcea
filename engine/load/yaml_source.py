"""Safe YAML loading that keeps a source location on every mapping key and value.

Dates are not resolved by YAML (``2000-03-03`` stays a string: the engine parses
dates itself), duplicate keys are an error, and every node's ``line:col`` is kept
so that later checks can point at the exact place of a problem, down to a column
inside a string value (:func:`offset_location`), as for an error in an expression.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from engine.diagnostics import Diagnostic, InputError, Location


class SourceMap(dict):
    """A YAML mapping that remembers where it, each key and each value stand.

    ``value_src`` holds, for scalar values, the raw source text of the value and its
    YAML style (``None`` plain, ``'"'``/``"'"`` quoted, ``"|"``/``">"`` block).
    """

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]
    value_src: dict[str, tuple[str, str | None]]


class SourceList(list):
    """A YAML sequence that remembers where it and each item stand."""

    loc: Location
    item_locs: list[Location]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps (dates stay strings)."""


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Only true/false are booleans (YAML 1.2): `on`, `off`, `yes`, `no` stay words, so a key
# such as `on:` or a value such as `NO` (Norway) is never silently turned into a boolean.
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


# Advice for the commonest YAML mistakes, keyed by the start of PyYAML's problem text.
_HINTS = {
    "mapping values are not allowed": "; put a value that contains `: ` in quotes",
    "found character '\\t'": "; indent with spaces, not tabs",
    "found undefined alias": "; put a value that starts with `*` in quotes",
    "found unexpected end of stream": "; a quote or bracket is not closed",
}


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    """Turns composed YAML nodes into SourceMap/SourceList/scalars, collecting problems."""

    def __init__(self, path: str, text: str, loader: _Loader) -> None:
        self.path, self.text, self.loader = path, text, loader
        self.problems: list[Diagnostic] = []

    def convert(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            items = SourceList(self.convert(item) for item in node.value)
            items.loc = _loc(self.path, node)
            items.item_locs = [_loc(self.path, item) for item in node.value]
            return items
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: yaml.MappingNode) -> SourceMap:
        result = SourceMap()
        result.loc, result.key_locs, result.value_locs = _loc(self.path, node), {}, {}
        result.value_src = {}
        self.loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            where = _loc(self.path, key_node)
            if not isinstance(key, str):
                self.problems.append(Diagnostic(where, f"key {key!r} must be a string"))
                key = str(key)
            if key in result:
                first = result.key_locs[key]
                message = f"duplicate key `{key}` (first at line {first.line})"
                self.problems.append(Diagnostic(where, message))
                continue
            result[key] = self.convert(value_node)
            result.key_locs[key] = where
            result.value_locs[key] = _loc(self.path, value_node)
            if isinstance(value_node, yaml.ScalarNode):
                raw = self.text[value_node.start_mark.index : value_node.end_mark.index]
                result.value_src[key] = (raw, value_node.style)
        return result


def load_yaml_collect(path: str, text: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document, returning it with the duplicate-key problems found.

    A syntax error (after which nothing can be trusted) raises ``InputError``; a key
    given twice is reported and its first value kept, so later checks can go on.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = exc.problem or str(exc)
        problem += next((h for start, h in _HINTS.items() if problem.startswith(start)), "")
        if exc.context and exc.context_mark and exc.context_mark.line != (mark and mark.line):
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise InputError([Diagnostic(where, f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(Location(path), f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError([Diagnostic(Location(path, 1), "empty rule file")])
    converter = _Converter(path, text, loader)
    return converter.convert(node), converter.problems


def load_yaml(path: str, text: str) -> Any:
    """Parse one YAML document; raise ``InputError`` with ``path:line:col`` diagnostics."""
    data, problems = load_yaml_collect(path, text)
    if problems:
        raise InputError(problems)
    return data


def location_of(root: Any, json_path: list[str | int], fallback: Location) -> Location:
    """The location of the node at ``json_path`` below ``root`` (the deepest one known)."""
    node, where = root, getattr(root, "loc", fallback)
    for part in json_path:
        if isinstance(node, SourceMap) and part in node:
            where, node = node.value_locs[part], node[part]
        elif isinstance(node, SourceList) and isinstance(part, int) and 0 <= part < len(node):
            where, node = node.item_locs[part], node[part]
        else:
            break
    return where


def _node_at(root: Any, json_path: list[str | int]) -> Any:
    node = root
    for part in json_path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _nth_solid(text: str, n: int, start: int = 0) -> int:
    """Index of the ``n``-th (1-based) non-blank character of ``text`` from ``start``, or -1."""
    for i in range(start, len(text)):
        if not text[i].isspace():
            n -= 1
            if n == 0:
                return i
    return -1


def offset_location(
    root: Any, json_path: list[str | int], offset: int, fallback: Location
) -> Location:
    """Where character ``offset`` (0-based) of the string value at ``json_path`` stands.

    Works for plain, quoted and block scalars on one or several lines, by matching the
    value's non-blank characters with the source's. Falls back to the value's start.
    """
    where = location_of(root, json_path, fallback)
    parent, key = _node_at(root, json_path[:-1]), json_path[-1] if json_path else None
    src = parent.value_src.get(key) if isinstance(parent, SourceMap) else None
    value = _node_at(root, json_path)
    if src is None or not isinstance(value, str) or not where.line:
        return where
    raw, style = src
    begin = raw.find("\n") + 1 if style in ("|", ">") else (1 if style in ("'", '"') else 0)
    offset = max(0, min(offset, len(value)))
    solid_before = sum(1 for ch in value[:offset] if not ch.isspace())
    if offset < len(value) and not value[offset].isspace():
        target = _nth_solid(raw, solid_before + 1, begin)
    else:  # on a blank or past the end: just after the previous non-blank character
        prev = _nth_solid(raw, solid_before, begin) if solid_before else begin - 1
        target = prev + 1
    if target < 0:
        return where
    newline = raw.rfind("\n", 0, target)
    if newline < 0:
        return Location(where.path, where.line, where.col + target)
    return Location(where.path, where.line + raw.count("\n", 0, target), target - newline)


def key_location(mapping: Any, key: str, fallback: Location) -> Location:
    """Where ``key`` stands in ``mapping`` (or ``fallback`` if unknown)."""
    if isinstance(mapping, SourceMap):
        return mapping.key_locs.get(key, mapping.loc)
    return fallback
