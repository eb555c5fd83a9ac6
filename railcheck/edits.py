"""Edit builders for rules: each returns an Edit against a Document's original text, never a rewritten file."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from railcheck.sources.text import Document
from railcheck.types import Edit, Fix

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


def set_schema(document: Document, url: str) -> Fix:
    """Point the document's `$schema` at `url` (safe: only editors read it)."""
    return Fix.safe(f"Set `$schema` to {url}", replace_value(document, "/$schema", url))


def replace_value(document: Document, pointer: str, value: Any) -> Edit:
    start, end = document.value_offsets[pointer]
    return Edit(document.path, start, end, encode_value(document, value))


def rename_key(document: Document, pointer: str, new_key: str) -> Edit:
    start, end = document.key_offsets[pointer]
    return Edit(document.path, start, end, encode_key(document, new_key))


def prepend_to_list(document: Document, pointer: str, value: Any) -> Edit:
    """Insert `value` as the first element of the list at `pointer`, keeping the rest as written."""
    start, _ = document.value_offsets[pointer]
    first = document.value_offsets.get(f"{pointer}/0")
    return insert_first_item(
        document.path, document.text, start, first[0] if first else None, encode_value(document, value)
    )


def insert_first_item(path: PurePosixPath, text: str, list_start: int, first_start: int | None, literal: str) -> Edit:
    """Insert `literal` before the item at `first_start` of the list opening at `list_start` (JSON, TOML,
    Python and TypeScript write lists alike): on a line of its own when the items stand one per line."""
    if first_start is None:
        return Edit(path, list_start + 1, list_start + 1, literal)
    line_start = text.rfind("\n", list_start, first_start)
    if line_start != -1 and not text[line_start + 1 : first_start].strip():
        # One item per line: give the new item a line of its own, indented like the first one.
        return Edit(path, first_start, first_start, f"{literal},\n{text[line_start + 1 : first_start]}")
    return Edit(path, first_start, first_start, f"{literal}, ")


def remove_member(document: Document, pointer: str) -> Edit:
    """Delete the member at `pointer`: in JSON with its comma, and its line when it stands alone on one; in
    TOML the `key = value` lines."""
    text = document.text
    start, end = document.member_offsets(pointer)
    if is_toml(document):
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        return Edit(document.path, line_start, len(text) if line_end == -1 else line_end + 1, "")
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        end = after + 1
    else:
        # The last member: drop the comma before it (strict JSON forbids a trailing one).
        before = start
        while before > 0 and text[before - 1] in " \t\r\n":
            before -= 1
        if before > 0 and text[before - 1] == ",":
            start = before - 1
            return Edit(document.path, start, end, "")
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    rest_of_line = text[end:] if line_end == -1 else text[end:line_end]
    if not text[line_start:start].strip() and not rest_of_line.strip():
        # Alone on its line: take the whole line, so no blank line is left behind.
        return Edit(document.path, line_start, len(text) if line_end == -1 else line_end + 1, "")
    return Edit(document.path, start, end, "")


def set_member(document: Document, pointer: str, key: str, value: Any) -> Edit:
    """Add `key = value` to the table or object at `pointer` (created under its parent when missing).

    JSON: inserted as the object's last member, indented like its siblings. TOML: appended to the table's
    section, or a new `[table]` section at the end of the file.
    """
    if is_toml(document):
        return _set_toml(document, pointer, key, value)
    if pointer and document.get(pointer) is None:
        parent, _, name = pointer.rpartition("/")
        return set_member(document, parent, name, {key: value})
    start, end = document.value_offsets[pointer]
    text = document.text
    close = end - 1
    inner = text[start + 1 : close]
    siblings = document.get(pointer) or {}
    indent = _child_indent(text, start, pointer, document)
    literal = _json_literal(value, indent) if "\n" in text[start:end] else json.dumps(value, ensure_ascii=False)
    entry = f"{encode_key(document, key)}: {literal}"
    if not siblings:
        closing_indent = indent[:-2] if len(indent) >= 2 else ""
        return Edit(
            document.path, start + 1, close, f"\n{indent}{entry}\n{closing_indent}" if "\n" in text else f"{entry}"
        )
    last = inner.rstrip()
    comma = "" if last.endswith(",") else ","
    insert_at = start + 1 + len(last)
    return Edit(
        document.path,
        insert_at,
        insert_at,
        f"{comma}\n{indent}{entry}" if "\n" in text[start:end] else f"{comma} {entry}",
    )


def _child_indent(text: str, start: int, pointer: str, document: Document) -> str:
    """The indentation of the members of the object at `start` (two spaces deeper than its line if empty)."""
    for child, (key_start, _) in document.key_offsets.items():
        if child.rsplit("/", 1)[0] == pointer:
            line_start = text.rfind("\n", 0, key_start) + 1
            return text[line_start:key_start] if not text[line_start:key_start].strip() else ""
    line_start = text.rfind("\n", 0, start) + 1
    own = text[line_start : len(text[line_start:]) - len(text[line_start:].lstrip()) + line_start]
    return own + "  "


def _json_literal(value: Any, indent: str) -> str:
    if isinstance(value, dict) and value:
        inner = ",\n".join(
            f"{indent}  {json.dumps(key)}: {_json_literal(item, indent + '  ')}" for key, item in value.items()
        )
        return "{\n" + inner + "\n" + indent + "}"
    return json.dumps(value, ensure_ascii=False)


def _toml_line(key: str, value: Any) -> str:
    """`key = value` as TOML, written by tomli-w (quoting, escapes and inline tables done right)."""
    import tomli_w

    return tomli_w.dumps({key: value}).strip()


def _set_toml(document: Document, pointer: str, key: str, value: Any) -> Edit:
    text = document.text
    header = document.value_offsets.get(pointer) if pointer else None
    line = _toml_line(key, value)
    if not pointer:
        # Top-level keys must come before the first table header.
        first = min(
            (
                offsets[0]
                for child, offsets in document.value_offsets.items()
                if child and child.count("/") == 1 and text[offsets[0]] == "["
            ),
            default=len(text),
        )
        return Edit(document.path, first, first, line + "\n")
    if header is None or text[header[0]] != "[":
        table = ".".join(encode_key(document, part) for part in pointer.strip("/").split("/"))
        separator = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return Edit(document.path, len(text), len(text), f"{separator}[{table}]\n{line}\n")
    # After the last value of that table (or its header when it has none).
    end = header[1]
    for child, (_, value_end) in document.value_offsets.items():
        if child.startswith(pointer + "/") and value_end > end:
            end = value_end
    line_end = text.find("\n", end)
    at = len(text) if line_end == -1 else line_end + 1
    prefix = "" if line_end != -1 else "\n"
    return Edit(document.path, at, at, f"{prefix}{line}\n")


def new_json_file(path: PurePosixPath, value: Any) -> Edit:
    """Create a JSON file holding `value` (an insertion into an empty, not yet existing file)."""
    return Edit(path, 0, 0, json.dumps(value, indent=2, ensure_ascii=False) + "\n")
