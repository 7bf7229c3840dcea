"""Shape validation of rule files against the published JSON Schema, errors mapped to lines.

Each schema error becomes one diagnostic in plain words, placed at the offending key
(an unknown key) or value, and prefixed with the rule it is in (``rule x: ...``).
:func:`shape_problems` also returns the paths that are broken, so that the semantic
checks can still look at every part of the file that is not.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from engine.diagnostics import Diagnostic, Location, value_words
from engine.load.yaml_source import key_location, location_of

SCHEMA_FILE = "rulefile.schema.json"

JsonPath = tuple[str | int, ...]

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "empty",
}

# What each pattern of the schema means, in words.
_PATTERN_WORDS = {
    "^[a-z][a-z0-9_]*$": "a name of lower-case letters, digits and `_`, starting with a letter",
    "^[a-z][a-z0-9-]*$": "an id of lower-case letters, digits and `-`, starting with a letter",
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": "a time of day HH:MM between 00:00 and 23:59",
    "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?$": (
        "`trigger`, `trigger.<field>` (a date field of it) or the name of a date"
    ),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date YYYY-MM-DD",
}


@cache
def rulefile_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, as shipped in ``engine/schemas/``."""
    text = resources.files("engine").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def _node_at(root: Any, path: JsonPath) -> Any:
    node = root
    for part in path:
        node = node[part]
    return node


def _one_of(options: list[Any], value: Any) -> str:
    shown = ", ".join(str(o) for o in options)
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, [str(o) for o in options], n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"must be one of {shown}, not {value_words(value)}{hint}"


def _extra_keys(error: jsonschema.ValidationError) -> list[str]:
    allowed = error.schema.get("properties", {})
    return sorted(str(k) for k in error.instance if k not in allowed)


def _context(root: Any, path: JsonPath) -> tuple[str, JsonPath]:
    """A prefix naming the part of the file ``path`` is in, and the path inside that part."""
    if len(path) >= 2 and path[0] == "obligations" and isinstance(path[1], int):
        items = root.get("obligations") if isinstance(root, dict) else None
        spec = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        rid = spec.get("id") if isinstance(spec, dict) else None
        name = f"rule {rid}" if isinstance(rid, str) else f"obligation {path[1] + 1}"
        return f"{name}: ", path[2:]
    if len(path) >= 2 and path[0] == "facts":
        return f"fact type `{path[1]}`: ", path[2:]
    return "", path


def _subject(inner: JsonPath) -> str:
    text = ""
    for part in inner:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"`{text}`" if text else "this"


def _best_branch(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """Of a failed ``oneOf``, the errors of the alternative that came closest."""
    branches: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def distance(subs: list[jsonschema.ValidationError]) -> tuple[int, int]:
        wrong_type = any(s.validator == "type" and not s.relative_path for s in subs)
        missing = sum(1 for s in subs if s.validator == "required" and not s.relative_path)
        return (wrong_type, missing)

    return min(branches.values(), key=distance) if branches else []


def _describe(error: jsonschema.ValidationError) -> str:
    """The problem itself, without the prefix naming where it is."""
    kind, value, schema = error.validator, error.instance, error.schema
    if kind == "type":
        wanted = error.validator_value
        words = [_TYPE_WORDS.get(t, t) for t in ([wanted] if isinstance(wanted, str) else wanted)]
        return f"must be {' or '.join(words)}, not {value_words(value)}"
    if kind in ("enum", "const"):
        options = error.validator_value if kind == "enum" else [error.validator_value]
        return _one_of(options, value)
    if kind == "pattern":
        words = _PATTERN_WORDS.get(error.validator_value, f"match {error.validator_value}")
        return f"must be {words}, not {value_words(value)}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most"}.get(kind, "more than")
        words = "less than" if kind == "exclusiveMaximum" else words
        return f"must be {words} {error.validator_value}, not {value_words(value)}"
    if kind == "minLength":
        return "must not be empty"
    if kind == "minItems":
        return f"needs at least {error.validator_value} item(s)"
    if kind in ("minProperties", "maxProperties") and schema.get("maxProperties") == 1:
        keys = ", ".join(schema.get("properties", {}))
        return f"takes exactly one key, one of {keys}; found {len(value)}"
    return error.message


def _diagnose(
    root: Any, error: jsonschema.ValidationError, fallback: Location
) -> list[tuple[JsonPath | None, Diagnostic]]:
    """Diagnostics for a schema error, each with the path it makes unusable (None: nothing)."""
    path: JsonPath = tuple(error.absolute_path)
    prefix, inner = _context(root, path)
    inside = f" in {_subject(inner)}" if inner else ""
    here = location_of(root, list(path), fallback)
    node = _node_at(root, path)
    if error.validator == "additionalProperties":
        found: list[tuple[JsonPath | None, Diagnostic]] = []
        allowed = sorted(error.schema.get("properties", {}))
        for key in _extra_keys(error):
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            message = f"unknown key `{key}`{inside} (allowed: {', '.join(allowed)}){hint}"
            found.append((None, Diagnostic(key_location(node, key, here), prefix + message)))
        return found  # an unknown key is ignored: it makes nothing else unusable
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in node and repr(k) in error.message]
        key = missing[0] if missing else "?"
        message = f"missing required key `{key}`{inside}"
        return [((*path, key), Diagnostic(here, prefix + message))]
    if "propertyNames" in error.relative_schema_path:
        name = str(error.instance)
        pattern = error.validator == "pattern"
        words = _PATTERN_WORDS.get(error.validator_value, "") if pattern else ""
        message = f"the name `{name}`{inside} " + (f"must be {words}" if words else error.message)
        return [((*path, name), Diagnostic(key_location(node, name, here), prefix + message))]
    if error.validator is None and isinstance(node, dict):  # a `false` schema: key not allowed
        # jsonschema leaves the key out of the path here: find it by its value.
        value = error.instance
        keys = [k for k, v in node.items() if v == value and type(v) is type(value)]
        kind = node.get("type")
        why = f"does not apply to a {kind} field" if isinstance(kind, str) else "is not allowed"
        found = []
        for k in keys:
            message = f"{prefix}{_subject((*inner, k))} {why}"
            found.append((path, Diagnostic(key_location(node, k, here), message)))
        return found
    if not path and error.validator == "type":
        message = "a rule file must be a mapping with keys contract, facts and obligations"
        return [(path, Diagnostic(here, f"{message}, not {value_words(error.instance)}"))]
    if error.validator == "oneOf":
        best = _best_branch(error)
        if best and not any(s.validator == "type" and not s.relative_path for s in best):
            return [(path, d) for sub in best for _, d in _diagnose(root, sub, fallback)]
        kinds = {"string": "a string", "object": "a mapping"}
        shapes = [kinds.get(b.get("type", ""), "?") for b in error.validator_value]
        message = f"{_subject(inner)} must be {' or '.join(dict.fromkeys(shapes))}"
        return [(path, Diagnostic(here, f"{prefix}{message}, not {value_words(error.instance)}"))]
    return [(path, Diagnostic(here, f"{prefix}{_subject(inner)} {_describe(error)}"))]


def shape_problems(root: Any, path: str) -> tuple[list[Diagnostic], set[JsonPath]]:
    """Every shape problem of a loaded rule file, and the paths of the parts they break."""
    validator = jsonschema.Draft202012Validator(rulefile_schema())
    fallback = Location(path, 1, 1)
    diagnostics, broken = [], set()
    for error in validator.iter_errors(root):
        for where, diagnostic in _diagnose(root, error, fallback):
            diagnostics.append(diagnostic)
            if where is not None:
                broken.add(where)
    return diagnostics, broken
