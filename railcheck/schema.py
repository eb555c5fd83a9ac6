"""Validate parsed documents against the vendored JSON schemas, as located, plain issues.

The schemas use a small set of keywords, so validation is done here rather than with jsonschema: it starts
faster, runs faster, and can explain a failing `oneOf` through the branch the value was meant to match
("unknown key `cmnd`" rather than "is not valid under any of the given schemas"). jsonschema stays the
reference: the test suite checks every schema with it and compares verdicts on generated values.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, NamedTuple

from railcheck._resources import resource_dir
from railcheck.sources.text import Document, join_pointer, split_pointer

# Where each file's schema is published for editors (`$schema`): Railway's docs (config-as-code.md, "JSON
# schema") and Railpack's (docs/src/content/docs/config/file.mdx; core/core.go names it when a file fails).
PUBLISHED_SCHEMA_URLS = {
    "railway": "https://railway.com/railway.schema.json",
    "railpack": "https://schema.railpack.com",
}

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


class SchemaIssue(NamedTuple):
    """One problem: `kind` is unknown-key, type, enum, required or invalid; `pointer` locates it."""

    # A named tuple, not a frozen dataclass, for the cost at import (see run.CheckSettings).

    pointer: str
    kind: str
    message: str
    key: str | None = None
    allowed: tuple[str, ...] = ()
    description: str | None = None


@cache
def load_schema(name: str) -> dict[str, Any]:
    with open(resource_dir("schemas") / name, encoding="utf-8") as handle:
        return json.load(handle)


def conforms(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> bool:
    """True when `value` is valid under `schema`, for the keywords railcheck's own schemas use.

    A fast yes/no answer; `issues_of` explains a no. Both cover exactly the keywords railcheck's schemas use,
    need no jsonschema import (~40 ms at start-up) and run ~20x faster than jsonschema's validator; property
    tests keep them in agreement with jsonschema (tests/meta/test_schemas.py).
    """
    root = schema if root is None else root
    if "$ref" in schema:
        return conforms(value, _resolve(schema["$ref"], root), root)
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
        if ("minimum" in schema and value < schema["minimum"]) or ("maximum" in schema and value > schema["maximum"]):
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
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _PYTHON_TYPES[kind])


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


_SUPPORTED = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "title",
    "description",
    "default",
    "type",
    "enum",
    "oneOf",
    "anyOf",
    "pattern",
    "minLength",
    "minimum",
    "maximum",
    "minItems",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "examples",
    "deprecated",
}


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
        issues = issues_of(value, schema, schema)
    except RecursionError:
        return [SchemaIssue("", "invalid", "is nested too deeply to check")]
    unique = {(issue.pointer, issue.kind, issue.message): issue for issue in issues}
    return sorted(unique.values(), key=lambda issue: (issue.pointer, issue.kind))


def document_issues(document: Document, schema_name: str) -> tuple[SchemaIssue, ...]:
    """`validate` for a parsed document, computed once per document even when several rules ask (kept with
    the document: a process-wide cache of bounded size is emptied by a large repository before the next
    rule asks)."""
    key = f"schema:{schema_name}"
    issues = document.derived.get(key)
    if issues is None:
        issues = document.derived[key] = tuple(validate(document.value, schema_name))
    return issues


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


def issues_of(value: Any, schema: dict[str, Any], root: dict[str, Any], pointer: str = "") -> list[SchemaIssue]:
    """Why `value` is not valid under `schema`, located by pointer, for the keywords our schemas use.

    Under `oneOf` it descends into the branch the value was evidently meant to match, so a user reads
    "unknown key `cmnd`" rather than "is not valid under any of the given schemas".
    """
    if "$ref" in schema:
        return issues_of(value, _resolve(schema["$ref"], root), root, pointer)
    description = schema.get("description")
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if kinds and not any(_is_type(value, one) for one in kinds):
        return [
            SchemaIssue(
                pointer,
                "type",
                f"must be {' or '.join(_article(one) for one in kinds)}, not {type_name(value)}",
                description=description,
            )
        ]
    found: list[SchemaIssue] = []
    if "enum" in schema and value not in schema["enum"]:
        allowed = tuple(str(item) for item in schema["enum"])
        found.append(
            SchemaIssue(
                pointer,
                "enum",
                f"{json.dumps(value, ensure_ascii=False)} is not one of the allowed values",
                allowed=allowed,
                description=description,
            )
        )
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            found += _branch_issues(value, schema, keyword, root, pointer)
    if isinstance(value, str):
        if ("pattern" in schema and re.search(schema["pattern"], value) is None) or len(value) < schema.get(
            "minLength", 0
        ):
            found.append(
                SchemaIssue(
                    pointer,
                    "invalid",
                    f"{json.dumps(value, ensure_ascii=False)} is not a valid value",
                    description=description,
                )
            )
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(
                SchemaIssue(
                    pointer,
                    "invalid",
                    f"{value} is less than the minimum of {schema['minimum']}",
                    description=description,
                )
            )
        if "maximum" in schema and value > schema["maximum"]:
            found.append(
                SchemaIssue(
                    pointer,
                    "invalid",
                    f"{value} is more than the maximum of {schema['maximum']}",
                    description=description,
                )
            )
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(
                SchemaIssue(pointer, "invalid", f"needs at least {schema['minItems']} item(s)", description=description)
            )
        if "items" in schema:
            for index, item in enumerate(value):
                found += issues_of(item, schema["items"], root, join_pointer(pointer, index))
    elif isinstance(value, dict):
        missing = [key for key in schema.get("required", ()) if key not in value]
        if missing:
            names = ", ".join(f"`{key}`" for key in missing)
            found.append(
                SchemaIssue(
                    pointer,
                    "required",
                    f"missing required key {names}",
                    allowed=tuple(missing),
                    description=description,
                )
            )
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            child = join_pointer(pointer, key)
            if key in properties:
                found += issues_of(item, properties[key], root, child)
            elif extra is False:
                found.append(SchemaIssue(child, "unknown-key", f"unknown key `{key}`", key, tuple(properties)))
            elif isinstance(extra, dict):
                found += issues_of(item, extra, root, child)
    return found


def _branch_issues(
    value: Any, schema: dict[str, Any], keyword: str, root: dict[str, Any], pointer: str
) -> list[SchemaIssue]:
    branches = [issues_of(value, branch, root, pointer) for branch in schema[keyword]]
    matched = sum(1 for issues in branches if not issues)
    description = schema.get("description")
    if matched == 1 or (keyword == "anyOf" and matched):
        return []
    if matched > 1:
        return [SchemaIssue(pointer, "invalid", "matches more than one allowed form", description=description)]

    def fits(issues: list[SchemaIssue]) -> bool:
        # A branch "fits" when the value has the right JSON type and every required key.
        return not any(issue.kind in ("type", "required") and issue.pointer == pointer for issue in issues)

    fitting = [issues for issues in branches if fits(issues)]
    if len(fitting) == 1 or (fitting and len({len(issues) for issues in fitting}) > 1):
        return min(fitting, key=len)
    if all(any(issue.kind == "type" and issue.pointer == pointer for issue in issues) for issues in branches):
        expected = sorted({one for branch in schema[keyword] for one in _types_of(branch, root)})
        return [
            SchemaIssue(
                pointer,
                "type",
                f"must be {' or '.join(_article(one) for one in expected)}, not {type_name(value)}",
                description=description,
            )
        ]
    return [SchemaIssue(pointer, "invalid", "does not match any allowed form", description=description)]


def _resolve(reference: str, root: dict[str, Any]) -> dict[str, Any]:
    target: Any = root
    for part in reference.lstrip("#/").split("/"):
        target = target[part]
    return target


def _types_of(schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        return _types_of(_resolve(schema["$ref"], root), root)
    kind = schema.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def _article(json_type: str) -> str:
    names = {
        "object": "an object",
        "array": "an array",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "a boolean",
        "null": "null",
    }
    return names.get(json_type, json_type)


def declared_schema(document: Document) -> Any:
    """The document's top-level `$schema` as written (any JSON type), or None."""
    return document.value.get("$schema") if isinstance(document.value, dict) else None


def published_schema_of(url: Any) -> str | None:
    """Which file's published schema the `$schema` value `url` names: "railway", "railpack" or None."""
    if not isinstance(url, str):
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").casefold()
    except ValueError:  # not a URL Python can split (`http://[x`): no published schema either
        return None
    if host in ("railway.com", "railway.app", "www.railway.com", "www.railway.app") and parts.path.endswith(
        "/railway.schema.json"
    ):
        return "railway"
    if host == "schema.railpack.com":
        return "railpack"
    return None
