"""Safe YAML loading that keeps a source location on every mapping key and value.

Dates are not resolved by YAML (``2000-03-03`` stays a string: the engine parses
dates itself), duplicate keys are an error, and every node's ``line:col`` is kept
so that later checks can point at the exact place of a problem, down to a column
inside a string value (:func:`offset_location`), as for an error in an expression.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from engine.diagnostics import Diagnostic, InputError, Location, shorten
from engine.load.yaml_loaders import (
    ALLOWED_TAGS,
    MAX_DIGITS,
    STD,
    FastLoader,
    Loader,
    Loaders,
    libyaml_reads_alike,
)


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

    def __init__(self, path: str, text: str, loader: Loaders) -> None:
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
        if node.tag == STD + "merge":  # `<<` anywhere but as a key is text
            return node.value
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


def _reader_problem(path: str, text: str, exc: yaml.reader.ReaderError) -> Diagnostic:
    line = text.count("\n", 0, exc.position) + 1
    col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    message = f"invalid YAML: the character U+{ord(char):04X} is not allowed in YAML text"
    return Diagnostic(Location(path, line, col), message)


def load_yaml_collect(path: str, text: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document, returning it with the duplicate-key problems found.

    A syntax error (after which nothing can be trusted) raises ``InputError``; a key
    given twice is reported and its first value kept, so later checks can go on.
    """
    fast = _fast_node(text)
    if fast is not None:
        return _converted(path, text, *fast)
    try:
        loader = Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        raise InputError([_reader_problem(path, text, exc)]) from None
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise InputError([_reader_problem(path, text, exc)]) from None
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
    return _converted(path, text, node, loader)


def _fast_node(text: str) -> tuple[yaml.Node | None, FastLoader] | None:
    """The document's node as libyaml reads it, or None if it saw any problem or the text
    holds something libyaml reads otherwise (``yaml_loaders.libyaml_reads_alike``)."""
    if not libyaml_reads_alike(text):
        return None
    try:
        loader = FastLoader(text)
        try:
            return loader.get_single_node(), loader
        finally:
            loader.dispose()
    except Exception:  # noqa: BLE001 - read again by Loader, which says what is wrong
        return None


def _converted(
    path: str, text: str, node: yaml.Node | None, loader: Loaders
) -> tuple[Any, list[Diagnostic]]:
    """The document of a node read without a syntax problem, and the problems found."""
    if node is None:
        raise InputError([Diagnostic(Location(path, 1), "empty rule file")])
    problems = _node_problems(path, node, loader)
    if problems:
        raise InputError(problems)
    converter = _Converter(path, text, loader)
    try:
        return converter.convert(node), converter.problems
    except yaml.MarkedYAMLError as exc:  # e.g. a merge key `<<` on something not a mapping
        mark = exc.problem_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise InputError([Diagnostic(where, f"invalid YAML: {exc.problem}")]) from None


def _scalar_problem(loader: Loaders, node: yaml.ScalarNode) -> str:
    """Why a number, boolean or null scalar cannot be read, or ""."""
    kind = node.tag.removeprefix(STD)
    digits = sum(c.isdigit() for c in node.value)
    if kind == "int" and digits > MAX_DIGITS:
        return f"a whole number of {digits:,} digits is too long (at most {MAX_DIGITS})"
    try:
        value = loader.construct_object(node)
    except (ValueError, KeyError, yaml.YAMLError):
        return f"`{shorten(node.value)}` is not a valid {'whole number' if kind == 'int' else kind}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"`{shorten(node.value)}` is not a finite number"
    return ""


def _tag_text(tag: str) -> str:
    return "!!" + tag.removeprefix(STD) if tag.startswith(STD) else tag


def _node_problems(path: str, root: yaml.Node, loader: Loaders) -> list[Diagnostic]:
    """Every value a rule file may not hold: a tag other than plain YAML's (``!!python/...``,
    ``!!binary``, ``!custom``...) wherever it stands, a whole number too long, ``.inf``."""
    problems: list[Diagnostic] = []
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        where = _loc(path, node)
        if node.tag not in ALLOWED_TAGS:
            problems.append(
                Diagnostic(
                    where,
                    f"the tag `{shorten(_tag_text(node.tag))}` is not allowed: a rule file holds "
                    "plain values (text, numbers, true/false, null), lists and mappings",
                )
            )
        elif isinstance(node, yaml.ScalarNode) and node.tag not in (STD + "str", STD + "merge"):
            message = _scalar_problem(loader, node)
            if message:
                problems.append(Diagnostic(where, message))
        if isinstance(node, yaml.SequenceNode):
            todo += node.value
        elif isinstance(node, yaml.MappingNode):
            todo += [n for pair in node.value for n in pair]
    return problems


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
