"""railcheck.edits: each edit builder on JSON and TOML documents. An edit is checked by applying it to the
original text: the result must read back as the intended value, written the way the file was written."""

from __future__ import annotations

import json
import tomllib
from pathlib import PurePosixPath

import pytest

from railcheck.edits import (
    insert_first_item,
    new_json_file,
    prepend_to_list,
    remove_member,
    rename_key,
    replace_value,
    set_member,
    set_schema,
)
from railcheck.sources.jsonc import parse_json
from railcheck.sources.text import Document
from railcheck.sources.toml import parse_toml
from railcheck.types import Applicability, Edit

JSON_PATH = PurePosixPath("svc/railway.json")
TOML_PATH = PurePosixPath("svc/railway.toml")


def _json(text: str) -> Document:
    document = parse_json(text, JSON_PATH, jwcc=True)
    assert isinstance(document, Document), document
    return document


def _toml(text: str) -> Document:
    document = parse_toml(text, TOML_PATH)
    assert isinstance(document, Document), document
    return document


def _applied(document: Document, edit: Edit) -> str:
    assert edit.path == document.path
    assert 0 <= edit.start <= edit.end <= len(document.text)
    return document.text[: edit.start] + edit.content + document.text[edit.end :]


def test_set_schema_is_a_safe_fix_replacing_only_the_url() -> None:
    document = _json('{\n  "$schema": "https://old.example/schema.json",\n  "build": {}\n}\n')
    fix = set_schema(document, "https://railway.com/railway.schema.json")
    assert fix.applicability is Applicability.SAFE
    assert "https://railway.com/railway.schema.json" in fix.title
    (edit,) = fix.edits
    assert _applied(document, edit) == '{\n  "$schema": "https://railway.com/railway.schema.json",\n  "build": {}\n}\n'


@pytest.mark.parametrize(
    ("text", "pointer", "value", "expected"),
    [
        ('{"deploy": {"startCommand": "x"}}', "/deploy/startCommand", 'say "hi" é', '"say \\"hi\\" é"'),
        ('{"deploy": {"numReplicas": 1}}', "/deploy/numReplicas", 2, "2"),
        ('{"deploy": {"sleep": false}}', "/deploy/sleep", True, "true"),
    ],
)
def test_replace_value_in_json(text: str, pointer: str, value: object, expected: str) -> None:
    document = _json(text)
    result = _applied(document, replace_value(document, pointer, value))
    assert expected in result
    assert _json(result).get(pointer) == value


@pytest.mark.parametrize(
    ("value", "literal"), [(True, "true"), (False, "false"), ("a\\b", '"a\\\\b"'), (["x", "y"], '["x", "y"]')]
)
def test_replace_value_in_toml_writes_toml_literals(value: object, literal: str) -> None:
    document = _toml('[deploy]\nsleepApplication = "yes"  # keep\n')
    result = _applied(document, replace_value(document, "/deploy/sleepApplication", value))
    assert result == f"[deploy]\nsleepApplication = {literal}  # keep\n"
    assert tomllib.loads(result)["deploy"]["sleepApplication"] == value


def test_rename_key_in_json_and_toml() -> None:
    document = _json('{"deploy": {"startcommand": "x"}}')
    assert _applied(document, rename_key(document, "/deploy/startcommand", "startCommand")) == (
        '{"deploy": {"startCommand": "x"}}'
    )
    document = _toml('[deploy]\nstartcommand = "x"\n')
    assert _applied(document, rename_key(document, "/deploy/startcommand", "startCommand")) == (
        '[deploy]\nstartCommand = "x"\n'
    )
    # A TOML key that is not bare is quoted.
    renamed = _applied(document, rename_key(document, "/deploy/startcommand", "start command"))
    assert tomllib.loads(renamed) == {"deploy": {"start command": "x"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"watchPatterns": []}', '{"watchPatterns": ["/a/**"]}'),
        ('{"watchPatterns": ["/b/**"]}', '{"watchPatterns": ["/a/**", "/b/**"]}'),
        # One item per line: the new one gets a line of its own, indented like the rest.
        (
            '{\n  "watchPatterns": [\n    "/b/**",\n    "/c/**"\n  ]\n}',
            '{\n  "watchPatterns": [\n    "/a/**",\n    "/b/**",\n    "/c/**"\n  ]\n}',
        ),
    ],
)
def test_prepend_to_list_in_json(text: str, expected: str) -> None:
    document = _json(text)
    assert _applied(document, prepend_to_list(document, "/watchPatterns", "/a/**")) == expected


def test_prepend_to_list_in_toml() -> None:
    document = _toml('[build]\nwatchPatterns = ["/b/**"]\n')
    result = _applied(document, prepend_to_list(document, "/build/watchPatterns", "/a/**"))
    assert result == '[build]\nwatchPatterns = ["/a/**", "/b/**"]\n'


def test_insert_first_item_works_on_any_list_syntax() -> None:
    text = "service(watch=[\n    'a',\n])\n"
    edit = insert_first_item(PurePosixPath(".railway/railway.py"), text, text.index("["), text.index("'a'"), "'b'")
    assert text[: edit.start] + edit.content + text[edit.end :] == "service(watch=[\n    'b',\n    'a',\n])\n"
    empty = "x = []"
    edit = insert_first_item(PurePosixPath("x.py"), empty, empty.index("["), None, "'b'")
    assert empty[: edit.start] + edit.content + empty[edit.end :] == "x = ['b']"


@pytest.mark.parametrize(
    ("text", "pointer", "expected"),
    [
        # A member alone on its line: the whole line goes, with its comma.
        ('{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n', "/b", '{\n  "a": 1,\n  "c": 3\n}\n'),
        # The last member: the comma before it goes, so no trailing comma is left.
        ('{\n  "a": 1,\n  "b": 2\n}\n', "/b", '{\n  "a": 1\n}\n'),
        # Inline: the member and its comma go; the space before it stays (valid, if not pretty).
        ('{"a": 1, "b": 2, "c": 3}', "/b", '{"a": 1,  "c": 3}'),
        ('{"a": 1, "b": 2}', "/b", '{"a": 1}'),
        ('{"only": {"x": true}}', "/only", "{}"),
        ('{"deploy": {"a": 1, "b": [1, 2]}}', "/deploy/b", '{"deploy": {"a": 1}}'),
    ],
)
def test_remove_member_in_json(text: str, pointer: str, expected: str) -> None:
    document = _json(text)
    result = _applied(document, remove_member(document, pointer))
    assert result == expected
    assert json.loads(result) == json.loads(expected)


def test_remove_member_in_toml_takes_its_line() -> None:
    document = _toml('[deploy]\nstartCommand = "x"\nnumReplicas = 2\n')
    assert _applied(document, remove_member(document, "/deploy/startCommand")) == "[deploy]\nnumReplicas = 2\n"
    document = _toml('[deploy]\nstartCommand = "x"')  # no newline at the end
    assert _applied(document, remove_member(document, "/deploy/startCommand")) == "[deploy]\n"


@pytest.mark.parametrize(
    ("text", "pointer", "expected"),
    [
        # Indented like its siblings, after the last one.
        (
            '{\n  "deploy": {\n    "numReplicas": 1\n  }\n}\n',
            "/deploy",
            '{\n  "deploy": {\n    "numReplicas": 1,\n    "sleepApplication": true\n  }\n}\n',
        ),
        ('{"deploy": {"numReplicas": 1}}', "/deploy", '{"deploy": {"numReplicas": 1, "sleepApplication": true}}'),
        ('{"deploy": {}}', "/deploy", '{"deploy": {"sleepApplication": true}}'),
        # A missing parent is created with the member in it.
        (
            '{\n  "build": {}\n}\n',
            "/deploy",
            '{\n  "build": {},\n  "deploy": {\n    "sleepApplication": true\n  }\n}\n',
        ),
    ],
)
def test_set_member_in_json(text: str, pointer: str, expected: str) -> None:
    document = _json(text)
    result = _applied(document, set_member(document, pointer, "sleepApplication", True))
    assert result == expected
    assert json.loads(result)["deploy"]["sleepApplication"] is True


@pytest.mark.parametrize(
    ("text", "pointer", "expected"),
    [
        # Appended to the table's own section, not at the end of the file.
        (
            '[deploy]\nnumReplicas = 1\n\n[build]\nbuilder = "RAILPACK"\n',
            "/deploy",
            '[deploy]\nnumReplicas = 1\nsleepApplication = true\n\n[build]\nbuilder = "RAILPACK"\n',
        ),
        ("[deploy]\nnumReplicas = 1", "/deploy", "[deploy]\nnumReplicas = 1\nsleepApplication = true\n"),
        # A missing table is a new section at the end.
        (
            '[build]\nbuilder = "RAILPACK"\n',
            "/deploy",
            '[build]\nbuilder = "RAILPACK"\n\n[deploy]\nsleepApplication = true\n',
        ),
        # A top-level key goes before the first table header, where TOML still reads it as top-level.
        ("[deploy]\nnumReplicas = 1\n", "", "sleepApplication = true\n[deploy]\nnumReplicas = 1\n"),
    ],
)
def test_set_member_in_toml(text: str, pointer: str, expected: str) -> None:
    document = _toml(text)
    result = _applied(document, set_member(document, pointer, "sleepApplication", True))
    assert result == expected
    value = tomllib.loads(result)
    assert (value["deploy"] if pointer else value)["sleepApplication"] is True


def test_set_member_in_toml_quotes_what_needs_quoting() -> None:
    document = _toml("[deploy]\n")
    result = _applied(document, set_member(document, "/deploy", "start command", 'a "b"\n'))
    assert tomllib.loads(result) == {"deploy": {"start command": 'a "b"\n'}}


def test_new_json_file_is_an_insertion_into_an_empty_file() -> None:
    edit = new_json_file(JSON_PATH, {"$schema": "https://railway.com/railway.schema.json", "deploy": {}})
    assert (edit.path, edit.start, edit.end) == (JSON_PATH, 0, 0)
    assert edit.content == '{\n  "$schema": "https://railway.com/railway.schema.json",\n  "deploy": {}\n}\n'
