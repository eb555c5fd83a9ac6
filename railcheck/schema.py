"""Validate parsed documents against the vendored JSON schemas and turn errors into located, plain issues.

jsonschema reports `oneOf` failures as one opaque error; this module descends into the branch the value
was evidently meant to match, so a user sees "unknown key `cmnd`" rather than "is not valid under any schema".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from railcheck._resources import resource_dir
from railcheck.sources.text import Document, join_pointer, split_pointer

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer", float: "a number", type(None): "null"}


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One problem: `kind` is unknown-key, type, enum, required or invalid; `pointer` locates it."""

    pointer: str
    kind: str
    message: str
    key: str | None = None
    allowed: tuple[str, ...] = ()
    description: str | None = None


@cache
def load_schema(name: str) -> dict[str, Any]:
    with open(resource_dir("schemas") / name, encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


@cache
def _validator(name: str) -> Any:
    # Imported lazily: jsonschema is the heaviest import railcheck has.
    import jsonschema

    return jsonschema.Draft202012Validator(load_schema(name))


def conforms(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> bool:
    """True when `value` is valid under `schema`, for the keywords railcheck's own schemas use.

    A fast yes/no answer that needs no jsonschema import (~40 ms at start-up) and runs ~20x faster than
    jsonschema's validator; jsonschema is asked only when the answer is no, for the precise errors. A property
    test keeps the two in agreement (tests/test_schemas.py).
    """
    root = schema if root is None else root
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return conforms(value, target, root)
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind is not None and not any(_is_type(value, one) for one in (kind if isinstance(kind, list) else [kind])):
        return False
    if "oneOf" in schema and sum(conforms(value, branch, root) for branch in schema["oneOf"]) != 1:
        return False
    if "anyOf" in schema and not any(conforms(value, branch, root) for branch in schema["anyOf"]):
        return False
    if isinstance(value, str):
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            return False
        if len(value) < schema.get("minLength", 0):
            return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"] or "maximum" in schema and value > schema["maximum"]:
            return False
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return False
        if "items" in schema and not all(conforms(item, schema["items"], root) for item in value):
            return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if any(key not in value for key in schema.get("required", ())):
            return False
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                if not conforms(item, properties[key], root):
                    return False
            elif extra is False or (isinstance(extra, dict) and not conforms(item, extra, root)):
                return False
    return True


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _PYTHON_TYPES[kind])


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


_SUPPORTED = {"$schema", "$id", "$ref", "$defs", "title", "description", "default", "type", "enum", "oneOf", "anyOf", "pattern", "minLength",
              "minimum", "maximum", "minItems", "items", "properties", "required", "additionalProperties", "examples", "deprecated"}


def _keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in a schema (the fast check refuses schemas with others)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            children = value.values() if key in ("properties", "$defs") and isinstance(value, dict) else [value]
            for child in children:
                found |= _keywords(child) if isinstance(child, (dict, list)) else set()
    elif isinstance(schema, list):
        for child in schema:
            found |= _keywords(child)
    return found


def validate(value: Any, schema_name: str) -> list[SchemaIssue]:
    """All issues of `value` against the named schema, sorted by pointer; never raises on any JSON value."""
    schema = load_schema(schema_name)
    try:
        if conforms(value, schema):
            return []
    except RecursionError:
        pass  # let jsonschema say what is wrong with a value this deep
    issues: list[SchemaIssue] = []
    for error in _validator(schema_name).iter_errors(value):
        issues.extend(_issues(error))
    unique = {(issue.pointer, issue.kind, issue.message): issue for issue in issues}
    return sorted(unique.values(), key=lambda issue: (issue.pointer, issue.kind))


@lru_cache(maxsize=1024)
def document_issues(document: Document, schema_name: str) -> tuple[SchemaIssue, ...]:
    """`validate` for a parsed document, computed once per document even when several rules ask."""
    return tuple(validate(document.value, schema_name))


def dotted(pointer: str) -> str:
    """A pointer as users write paths: `/steps/build/commands/0` -> `steps.build.commands[0]`."""
    out = ""
    for token in split_pointer(pointer):
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out or "(top level)"


def location(pointer: str) -> str:
    """Where a member sits, for messages: "at the top level" or "in `deploy`"."""
    parent = pointer.rsplit("/", 1)[0]
    return "at the top level" if not parent else f"in `{dotted(parent)}`"


def type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _pointer(error: Any) -> str:
    pointer = ""
    for part in error.absolute_path:
        pointer = join_pointer(pointer, part)
    return pointer


def _issues(error: Any) -> Iterator[SchemaIssue]:
    pointer = _pointer(error)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = tuple(schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                yield SchemaIssue(join_pointer(pointer, key), "unknown-key", f"unknown key `{key}`", key, allowed)
    elif kind in ("oneOf", "anyOf") and error.context:
        yield from _branch_issues(error, pointer, schema)
    elif kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        yield SchemaIssue(pointer, "type", f"must be {_article(expected)}, not {type_name(error.instance)}", description=schema.get("description"))
    elif kind == "enum":
        allowed = tuple(str(value) for value in error.validator_value)
        yield SchemaIssue(pointer, "enum", f"{json.dumps(error.instance)} is not one of the allowed values", allowed=allowed, description=schema.get("description"))
    elif kind == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        names = ", ".join(f"`{key}`" for key in missing)
        yield SchemaIssue(pointer, "required", f"missing required key {names}", allowed=tuple(missing), description=schema.get("description"))
    else:
        description = schema.get("description")
        message = f"{json.dumps(error.instance, ensure_ascii=False)} is not a valid value" if kind == "pattern" else error.message
        yield SchemaIssue(pointer, "invalid", message, description=description)


def _branch_issues(error: Any, pointer: str, schema: dict[str, Any]) -> Iterator[SchemaIssue]:
    branches: dict[int, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    if len(branches) < len(schema.get(error.validator, ())):
        # Some branch matched, so the value matched more than one (oneOf): report it as is.
        yield SchemaIssue(pointer, "invalid", error.message, description=schema.get("description"))
        return

    def fits(errors: list[Any]) -> bool:
        # A branch "fits" when the value has the right JSON type and every required key.
        return not any(sub.validator in ("type", "required") and list(sub.relative_path) == [] for sub in errors)

    fitting = [errors for errors in branches.values() if fits(errors)]
    if len(fitting) == 1 or (fitting and len({len(errors) for errors in fitting}) > 1):
        for sub in min(fitting, key=len):
            yield from _issues(sub)
        return
    if all(any(sub.validator == "type" and list(sub.relative_path) == [] for sub in errors) for errors in branches.values()):
        expected = sorted({str(sub.validator_value) for errors in branches.values() for sub in errors if sub.validator == "type" and list(sub.relative_path) == []})
        message = f"must be {' or '.join(_article(kind) for kind in expected)}, not {type_name(error.instance)}"
        yield SchemaIssue(pointer, "type", message, description=schema.get("description"))
        return
    yield SchemaIssue(pointer, "invalid", "does not match any allowed form", description=schema.get("description"))


def _article(json_type: str) -> str:
    names = {"object": "an object", "array": "an array", "string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean", "null": "null"}
    return names.get(json_type, json_type)
