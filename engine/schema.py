"""Shape validation of rule files against the published JSON Schema, errors mapped to lines."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from engine.diagnostics import Diagnostic, Location
from engine.yamlsrc import key_location, location_of

SCHEMA_FILE = "rulefile.schema.json"


@cache
def rulefile_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, as shipped in ``engine/schemas/``."""
    text = resources.files("engine").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def _message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"{where}: unknown key `{', '.join(extra)}` (allowed: {allowed})"
    if error.validator == "required":
        return f"{where}: {error.message}"
    if error.validator == "oneOf" and error.context:
        best = min(error.context, key=lambda e: len(e.message))
        return f"{where}: {best.message}"
    return f"{where}: {error.message}"


def _location(root: Any, error: jsonschema.ValidationError, fallback: Location) -> Location:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        parent = root
        for part in path:
            parent = parent[part]
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        if extra:
            return key_location(parent, extra[0], fallback)
    return location_of(root, path, fallback)


def check_shape(root: Any, path: str) -> list[Diagnostic]:
    """Every shape problem of a loaded rule file, each at its ``path:line:col``."""
    validator = jsonschema.Draft202012Validator(rulefile_schema())
    fallback = Location(path, 1, 1)
    return [
        Diagnostic(_location(root, error, fallback), _message(error))
        for error in validator.iter_errors(root)
    ]
