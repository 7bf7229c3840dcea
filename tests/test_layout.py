"""The layout of ``engine/``: imports point one way, modules stay small, no contract in Python.

Read from the source with ``ast`` (nothing is imported), so a cycle hidden behind
``if TYPE_CHECKING:`` or inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ENGINE = Path(__file__).resolve().parents[1] / "engine"
RULES = Path(__file__).resolve().parents[1] / "rules"

# Top to bottom: a unit may import only units on a lower line (or itself). The pipeline
# reads upward: load -> compile -> run -> findings -> executors -> evaluate -> output ->
# commands.
LAYERS: list[set[str]] = [
    {"__main__", "pytest_plugin"},
    {"cli"},
    {"history", "ruletests"},
    {"output"},
    {"evaluate"},
    {"executors"},
    {"findings"},
    {"run"},
    {"compile", "load"},
    {"days"},
    {"model"},
    {"expressions", "diagnostics", "collector"},
]
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The engine modules a file imports (``from engine.x import y`` counts ``engine.x.y``
    when that is a module, else ``engine.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            targets = [n for n in names if n in MODULES] or [node.module]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0] == "engine")
    return found


FILES = sorted(ENGINE.rglob("*.py"))
MODULES = {_module(p) for p in FILES}
GRAPH = {_module(p): _imports(p) - {_module(p)} for p in FILES}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _layer(unit: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if unit in layer)


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of module names, or [] (depth-first search, colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_between_modules():
    assert _cycle(GRAPH) == []


def test_every_unit_has_a_layer():
    units = {_unit(m) for m in MODULES} - {"engine"}
    assert units == set().union(*LAYERS)


def test_imports_point_down_the_layers():
    upward = sorted(
        f"{src} imports {dst}"
        for src, targets in GRAPH.items()
        for dst in targets
        if src != "engine"
        and _unit(src) != _unit(dst)
        and dst != "engine"
        and _layer(_unit(src)) >= _layer(_unit(dst))
    )
    assert upward == []


def test_modules_are_small():
    big = {
        str(p.relative_to(ENGINE)): n
        for p in FILES
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}


def test_every_package_says_what_it_is_for():
    for init in ENGINE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert len(doc.split()) >= 20, init


def _contract_names() -> set[str]:
    """Rule ids and fact types of the bundled contracts (not the built-in fact types)."""
    names: set[str] = set()
    for path in RULES.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        if not isinstance(doc, dict) or "obligations" not in doc:
            continue
        names |= {ob["id"] for ob in doc["obligations"]}
        names |= set(doc.get("facts") or {})
    return names


def test_no_rule_id_or_fact_type_of_a_contract_in_engine():
    names = _contract_names()
    assert "funding-deadline" in names and "closing" in names  # the seed agreement is read
    found = sorted(
        f"{p.relative_to(ENGINE)}:{node.lineno}: {node.value!r}"
        for p in FILES
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    )
    assert found == []
