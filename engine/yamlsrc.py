"""Safe YAML loading that keeps a source location on every mapping key and value.

Dates are not resolved by YAML (``2000-03-03`` stays a string: the engine parses
dates itself), duplicate keys are an error, and every node's ``line:col`` is kept
so that later checks can point at the exact place of a problem.
"""

from __future__ import annotations

from typing import Any

import yaml

from engine.diagnostics import Diagnostic, InputError, Location


class SourceMap(dict):
    """A YAML mapping that remembers where it, each key and each value stand."""

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]


class SourceList(list):
    """A YAML sequence that remembers where it and each item stand."""

    loc: Location
    item_locs: list[Location]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps (dates stay strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(path: str, node: yaml.Node, loader: _Loader, problems: list[Diagnostic]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = SourceMap()
        result.loc, result.key_locs, result.value_locs = _loc(path, node), {}, {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = _convert(path, key_node, loader, problems)
            if not isinstance(key, str):
                problems.append(Diagnostic(_loc(path, key_node), f"key {key!r} must be a string"))
                key = str(key)
            if key in result:
                first = result.key_locs[key]
                problems.append(
                    Diagnostic(
                        _loc(path, key_node), f"duplicate key `{key}` (first at line {first.line})"
                    )
                )
                continue
            result[key] = _convert(path, value_node, loader, problems)
            result.key_locs[key] = _loc(path, key_node)
            result.value_locs[key] = _loc(path, value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = SourceList(_convert(path, item, loader, problems) for item in node.value)
        items.loc, items.item_locs = _loc(path, node), [_loc(path, item) for item in node.value]
        return items
    return loader.construct_object(node, deep=True)


def load_yaml(path: str, text: str) -> Any:
    """Parse one YAML document; raise ``InputError`` with ``path:line:col`` diagnostics."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise InputError([Diagnostic(where, f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(Location(path), f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError([Diagnostic(Location(path, 1), "empty rule file")])
    problems: list[Diagnostic] = []
    data = _convert(path, node, loader, problems)
    if problems:
        raise InputError(problems)
    return data


def location_of(root: Any, json_path: list[str | int], fallback: Location) -> Location:
    """The location of the node at ``json_path`` below ``root`` (the deepest one known)."""
    node, where = root, getattr(root, "loc", fallback)
    for part in json_path:
        if isinstance(node, SourceMap) and part in node:
            where, node = node.value_locs[part], node[part]
        elif isinstance(node, SourceList) and isinstance(part, int) and part < len(node):
            where, node = node.item_locs[part], node[part]
        else:
            break
    return where


def key_location(mapping: Any, key: str, fallback: Location) -> Location:
    """Where ``key`` stands in ``mapping`` (or ``fallback`` if unknown)."""
    if isinstance(mapping, SourceMap):
        return mapping.key_locs.get(key, mapping.loc)
    return fallback
