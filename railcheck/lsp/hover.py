"""Hover texts: a rule's documentation for a rule code, or what a config key does and which program reads it.

Key descriptions come from the vendored schemas (`schemas/railpack.schema.json` for Railpack's config,
`railway.schema.json` for Railway's), so the editor says what `railcheck check` validates against.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from railcheck.registry import Registry

# Rule and engine codes (RP001, RC002) as they appear in railcheck.toml, comments and messages.
_CODE = re.compile(r"[A-Z]{2,3}[0-9]{3}")
_WORD = re.compile(r"[A-Za-z0-9_-]+")

# Which schema describes a file, and the program that reads that file.
_READERS = {
    "railpack.json": ("railpack.schema.json", "Railpack, at build time"),
    "railway.json": ("railway.schema.json", "Railway, when it deploys the service"),
    "railway.toml": ("railway.schema.json", "Railway, when it deploys the service"),
}


def hover_text(
    registry: Registry,
    path: PurePosixPath,
    text: str,
    offset: int,
    railpack_paths: frozenset[PurePosixPath] = frozenset(),
) -> str | None:
    """Markdown for the hover at `offset` of `text` (the file at `path`), or None when there is nothing to say.

    `railpack_paths` are files read as Railpack configs under another name (RAILPACK_CONFIG_FILE).
    """
    from railcheck.rules_table import rule_documentation

    word = _word_at(text, offset)
    if word is not None and _CODE.fullmatch(word):
        found = rule_documentation(registry, word)
        if found is not None:
            return found
    reader = _READERS.get("railpack.json" if path in railpack_paths else path.name)
    if reader is None:
        return None
    return _key_text(path, text, offset, *reader)


def _word_at(text: str, offset: int) -> str | None:
    start = max(0, offset - 16)
    for match in _WORD.finditer(text, start, min(len(text), offset + 16)):
        if match.start() <= offset <= match.end():
            return match.group()
    return None


def _key_text(path: PurePosixPath, text: str, offset: int, schema_name: str, reader: str) -> str | None:
    from railcheck.sources.text import Document, split_pointer

    document = _parse(path, text)
    if not isinstance(document, Document):
        return None
    # The innermost key whose name the cursor is on.
    pointers = [pointer for pointer, (start, end) in document.key_offsets.items() if pointer and start <= offset <= end]
    if not pointers:
        return None
    pointer = max(pointers, key=len)
    tokens = split_pointer(pointer)
    description = _description(_schema(schema_name), tokens)
    name = ".".join(tokens)
    if description is None:
        return f"`{name}`: not a key {reader.split(',')[0]} knows (see the findings for this file)."
    return f"`{name}` (read by {reader})\n\n{description}"


def _parse(path: PurePosixPath, text: str) -> Any:
    if path.suffix == ".toml":
        from railcheck.sources.toml import parse_toml

        return parse_toml(text, path)
    from railcheck.sources.jsonc import parse_json

    return parse_json(text, path, jwcc=path.name != "railway.json")


@cache
def _schema(name: str) -> dict[str, Any]:
    from railcheck._resources import resource_dir

    return json.loads((resource_dir("schemas") / name).read_text(encoding="utf-8"))


def _description(root: dict[str, Any], tokens: tuple[str, ...]) -> str | None:
    """The description of the schema at `tokens` below `root`, following local `$ref`s and `*Of` branches."""
    candidates = [root]
    described: str | None = None
    for token in tokens:
        following = []
        for schema in _expanded(root, candidates):
            child = None
            if token in schema.get("properties", {}):
                child = schema["properties"][token]
            elif token.isdigit() and isinstance(schema.get("items"), dict):
                child = schema["items"]
            elif isinstance(schema.get("additionalProperties"), dict):
                child = schema["additionalProperties"]
            if child is not None:
                following.append(child)
        if not following:
            return None
        candidates = following
        described = next(
            (schema["description"] for schema in _expanded(root, candidates) if "description" in schema), None
        )
    return described


def _expanded(root: dict[str, Any], schemas: list[Any]) -> list[dict[str, Any]]:
    """The schemas with their `$ref` targets and `anyOf`/`oneOf`/`allOf` branches, in order, the first first."""
    seen: list[dict[str, Any]] = []
    pending = list(schemas)
    while pending and len(seen) < 64:
        schema = pending.pop(0)
        if not isinstance(schema, dict) or any(schema is known for known in seen):
            continue
        seen.append(schema)
        reference = schema.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/"):
            target: Any = root
            for part in reference[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            pending.append(target)
        for keyword in ("anyOf", "oneOf", "allOf"):
            pending.extend(schema.get(keyword) or ())
    return seen
