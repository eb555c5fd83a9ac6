"""Edit builders for rules: each returns an Edit against a Document's original text, never a rewritten file."""

from __future__ import annotations

import json
import re
from typing import Any

from railcheck.sources.text import Document
from railcheck.types import Edit

_BARE_TOML_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def is_toml(document: Document) -> bool:
    return document.path.suffix == ".toml"


def encode_value(document: Document, value: Any) -> str:
    """`value` written as a literal of the document's language (JSON and TOML share string escapes)."""
    if is_toml(document) and isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def encode_key(document: Document, key: str) -> str:
    if is_toml(document) and _BARE_TOML_KEY.match(key):
        return key
    return json.dumps(key, ensure_ascii=False)


def replace_value(document: Document, pointer: str, value: Any) -> Edit:
    start, end = document.value_offsets[pointer]
    return Edit(document.path, start, end, encode_value(document, value))


def rename_key(document: Document, pointer: str, new_key: str) -> Edit:
    start, end = document.key_offsets[pointer]
    return Edit(document.path, start, end, encode_key(document, new_key))


def prepend_to_list(document: Document, pointer: str, value: Any) -> Edit:
    """Insert `value` as the first element of the list at `pointer`, keeping the rest as written."""
    start, _ = document.value_offsets[pointer]
    literal = encode_value(document, value)
    first = document.value_offsets.get(f"{pointer}/0")
    if first is None:
        return Edit(document.path, start + 1, start + 1, literal)
    line_start = document.text.rfind("\n", start, first[0])
    if line_start != -1 and not document.text[line_start + 1 : first[0]].strip():
        # One item per line: give the new item a line of its own, indented like the first one.
        return Edit(document.path, first[0], first[0], f"{literal},\n{document.text[line_start + 1 : first[0]]}")
    return Edit(document.path, first[0], first[0], f"{literal}, ")
