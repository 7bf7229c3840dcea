"""The YAML loaders: PyYAML's safe loading, without implicit timestamps (dates stay
strings, the engine parses them), with only true/false as booleans, and bounded in depth
and in alias expansion; libyaml's parser (``FastLoader``) where it reads a file without
a problem, PyYAML's Python one (``Loader``) otherwise, for its words.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_DEPTH = 64  # mappings and lists nested deeper than this are refused
MAX_EXPANSION = 100_000  # values that aliases (``*name``) may add to a file, in all
MAX_DIGITS = 100  # digits of a whole number

STD = "tag:yaml.org,2002:"
ALLOWED_TAGS = {STD + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge")}


class _Bounded(yaml.composer.Composer):
    """Composing bounded in depth and in alias expansion: a "billion laughs" (aliases of
    aliases, a few hundred bytes that would expand to gigabytes) or a recursive alias is
    refused where it stands."""

    depth: int
    expanded: int
    sizes: dict[int, tuple[int, int]]
    composing: set[str]

    def bounds(self) -> None:
        """Start counting (called by each loader's ``__init__``)."""
        self.depth = 0
        self.expanded = 0  # values added by aliases so far
        self.sizes = {}  # id(node) -> _measure(node)
        self.composing = set()  # anchors of the collections being composed

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """A node, refusing what nests too deep, expands too much, or contains itself."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.composing:
                raise _refusal(f"alias *{event.anchor} is inside its own anchor", event)
            node = super().compose_node(parent, index)
            size, height = _measure(node, self.sizes)
            if self.depth + height > MAX_DEPTH:
                raise _refusal(f"nested more than {MAX_DEPTH} levels deep (by aliases)", event)
            self.expanded += size
            if self.expanded > MAX_EXPANSION:
                why = f"aliases expand the file to more than {MAX_EXPANSION:,} values"
                raise _refusal(why + ' (refused: a "billion laughs")', event)
            return node
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _refusal(f"nested more than {MAX_DEPTH} levels deep", event)
        anchor = event.anchor if not isinstance(event, yaml.ScalarEvent) else None
        if anchor:
            self.composing.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            self.composing.discard(anchor or "")


class Loader(_Bounded, yaml.SafeLoader):
    """SafeLoader without implicit timestamps (dates stay strings), composing bounded
    (``_Bounded``): PyYAML's own Python scanner, whose problems the diagnostics quote."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.bounds()


# What libyaml reads otherwise than PyYAML's Python parser, seen by comparing the two: a
# byte order mark (libyaml's marks do not count it: every column after it is one off),
# tabs (libyaml allows some that PyYAML refuses), a tag that is only `!`, and an empty
# value in a flow collection (`{fact: }`: libyaml marks it a column earlier). A text with
# any of them is read the Python way only.
_UNLIKE = re.compile(r"[\t\ufeff]|(?:^|[\s\[{,])!(?=[\s,\[\]{}]|$)|:[ ]*(?:\r?\n[ ]*)?[,}\]]", re.M)


def libyaml_reads_alike(text: str) -> bool:
    """Whether libyaml reads ``text`` as PyYAML's Python parser does, as far as known (a
    file with none of ``_UNLIKE``'s constructs; the tests compare every bundled file)."""
    return _UNLIKE.search(text) is None


class FastLoader(
    _Bounded, yaml.cyaml.CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
):
    """``Loader`` reading its events from libyaml (PyYAML's C parser): the same nodes,
    marks and values, about four times sooner (a portfolio file of 100,000 instances is
    5 MB of YAML). Only a file it reads without a problem is taken from it: any problem
    and the file is read again by ``Loader``, whose words the diagnostics give."""

    def __init__(self, stream: str) -> None:
        yaml.cyaml.CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.bounds()

    def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
        """A scalar as ``Loader`` composes it: a plain one's style None (libyaml says '')."""
        node = super().compose_scalar_node(anchor)
        node.style = node.style or None
        return node


Loaders = Loader | FastLoader


def _refusal(problem: str, event: yaml.Event) -> yaml.composer.ComposerError:
    return yaml.composer.ComposerError(None, None, problem, event.start_mark)


def _measure(node: yaml.Node, sizes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """How many values ``node`` stands for, and how deep they nest, aliases expanded.

    Memoized by node, so that it takes time linear in the nodes written, however much
    the aliases multiply them.
    """
    if id(node) not in sizes:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        measured = [_measure(c, sizes) for c in children]
        sizes[id(node)] = (
            1 + sum(size for size, _ in measured),
            1 + max((height for _, height in measured), default=0),
        )
    return sizes[id(node)]


_BOOL = "tag:yaml.org,2002:bool"
_DROPPED = (STD + "timestamp", _BOOL, STD + "value", STD + "yaml")  # `=` is a plain string
Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Only true/false are booleans (YAML 1.2): `on`, `off`, `yes`, `no` stay words, so a key
# such as `on:` or a value such as `NO` (Norway) is never silently turned into a boolean.
Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
FastLoader.yaml_implicit_resolvers = Loader.yaml_implicit_resolvers
