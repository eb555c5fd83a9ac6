"""Validate parsed documents against the vendored JSON schemas and turn errors into located, plain issues.

jsonschema reports `oneOf` failures as one opaque error; this module descends into the branch the value
was evidently meant to match, so a user sees "unknown key `cmnd`" rather than "is not valid under any schema".
"""

from __future__ import annotations

import json
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


# Compiling a schema to Python (fastjsonschema) costs ~20 ms and then checks a document ~15x faster than
# jsonschema; worth it only once a run validates more than this many documents against the schema.
_COMPILE_AFTER = 24
_calls: dict[str, int] = {}


@cache
def _fast(name: str) -> Any:
    import fastjsonschema

    schema = dict(load_schema(name))
    # The schemas use only keywords that draft 7 shares with 2020-12 ($defs is reached through $ref pointers).
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


def _valid_fast(value: Any, name: str) -> bool:
    """True when the compiled validator accepts `value` (False means: ask jsonschema for the details)."""
    _calls[name] = _calls.get(name, 0) + 1
    if _calls[name] <= _COMPILE_AFTER:
        return False
    import fastjsonschema

    try:
        _fast(name)(value)
    except (fastjsonschema.JsonSchemaException, RecursionError, TypeError, ValueError):
        return False
    return True


def validate(value: Any, schema_name: str) -> list[SchemaIssue]:
    """All issues of `value` against the named schema, sorted by pointer; never raises on any JSON value."""
    if _valid_fast(value, schema_name):
        return []
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
