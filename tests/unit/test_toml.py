"""Tests for railcheck.sources.toml: values from tomllib, key/value offsets from the scanner, and failures."""

from __future__ import annotations

import math
import tomllib
from pathlib import PurePosixPath
from typing import Any

import pytest
import tomli_w
from hypothesis import example, given, settings
from hypothesis import strategies as st

from railcheck.sources.text import Document, LineIndex, ParseFailure, join_pointer, split_pointer
from railcheck.sources.toml import parse_toml

RAILWAY = PurePosixPath("railway.toml")


def ok(text: str) -> Document:
    result = parse_toml(text, RAILWAY)
    assert isinstance(result, Document), result
    assert result.path == RAILWAY and result.text == text
    return result


def fail(text: str) -> ParseFailure:
    result = parse_toml(text, RAILWAY)
    assert isinstance(result, ParseFailure), result
    assert result.message.startswith("invalid TOML: ")
    assert 0 <= result.start <= result.end <= len(text)
    return result


def value_text(doc: Document, pointer: str) -> str:
    start, end = doc.value_offsets[pointer]
    return doc.text[start:end]


def key_text(doc: Document, pointer: str) -> str:
    start, end = doc.key_offsets[pointer]
    return doc.text[start:end]


def tomllib_error(text: str) -> tuple[str, int, int]:
    """tomllib's own message for `text`, split into the message and its 1-based line and column."""
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    message = str(info.value)
    head, _, where = message.rpartition(" (at line ")
    line, _, column = where.rstrip(")").partition(", column ")
    return head, int(line), int(column)


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (so True is not 1 and 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def walk(value: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """Every (pointer, value) of a decoded document, the root included."""
    found = [(pointer, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(walk(item, join_pointer(pointer, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(walk(item, join_pointer(pointer, index)))
    return found


def is_header(doc: Document, pointer: str) -> bool:
    """Whether the value offsets of `pointer` are a `[table]` or `[[array.of.tables]]` header."""
    start, end = doc.value_offsets[pointer]
    literal = doc.text[start:end]
    before = doc.text[doc.lines.line_start(doc.lines.position(start).line) : start]
    value = doc.value_at(pointer)
    return before.strip() == "" and (
        (isinstance(value, dict) and literal.startswith("["))
        or (is_table_like(value) and literal.startswith("[[") and literal.endswith("]]") and "\n" not in literal)
    )


def decode_key(token: str) -> str:
    """The key a bare or quoted key token names, as tomllib reads it."""
    (key,) = tomllib.loads(f"{token} = 0")
    return key


def check_positions(doc: Document, *, every_table_written: bool = False) -> None:
    """The invariants every parsed document must meet (used by the unit tests and the properties).

    Tables made only implicitly (by `a.b = 1` or by `[a.b]` alone) have no text of their own; with
    `every_table_written` (tomli_w output) a table holding a non-table value must have a header or be inline.
    """
    text = doc.text
    assert doc.value_offsets[""] == (0, len(text))
    assert "" not in doc.key_offsets
    # Every recorded pointer names a value that exists.
    for pointer in [*doc.value_offsets, *doc.key_offsets]:
        doc.value_at(pointer)
    for offsets in [*doc.value_offsets.values(), *doc.key_offsets.values()]:
        assert 0 <= offsets[0] <= offsets[1] <= len(text)
    # Each value slice, written after `x = `, reads back as that value (headers excepted).
    for pointer in doc.value_offsets:
        if pointer == "" or is_header(doc, pointer):
            continue
        literal = value_text(doc, pointer)
        assert literal == literal.strip(), (pointer, literal)
        reread = tomllib.loads("x = " + literal)["x"]
        assert same(reread, doc.value_at(pointer)), (pointer, literal)
    # Every key has key offsets on a token naming it; every leaf, array and element has value offsets.
    for pointer, value in walk(doc.value):
        if pointer == "":
            continue
        parent = pointer.rsplit("/", 1)[0]
        if isinstance(doc.value_at(parent), dict):
            assert pointer in doc.key_offsets, pointer
            assert decode_key(key_text(doc, pointer)) == split_pointer(pointer)[-1], pointer
        if not isinstance(value, dict) or (
            every_table_written and (not value or not all(is_table_like(v) for v in value.values()))
        ):
            assert pointer in doc.value_offsets, pointer


def is_table_like(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


# --- a realistic railway.toml -------------------------------------------------------------------------------------

RAILWAY_TOML = '''\
# Railway config-as-code; see https://docs.railway.com/reference/config-as-code
"$schema" = "https://railway.com/railway.schema.json"

[build]
builder = "RAILPACK"   # the default builder
buildCommand = """
npm ci && \\
  npm run build"""
watchPatterns = [
  "src/**",      # sources
  'package.json',
  # a comment on its own line

  "!**/*.md", # trailing comma next
]
nixpacksPlan = { providers = ["node"], phases = { setup = { nixPkgs = ["ffmpeg", "git"] } } }

[deploy]
startCommand = 'node dist/server.js --name "web" C:\\no\\escapes'
healthcheckPath = "/health"
healthcheckTimeout = 300
restartPolicyType = "ON_FAILURE"
restartPolicyMaxRetries = 10
preDeployCommand = ["npm run migrate"]
cronSchedule = "*/15 * * * *"
multiRegionConfig.us-west2.numReplicas = 2
"limits" . 'memory' = 1.5
sleepApplication = false
notes = \'\'\'
literal \\n stays ''quoted''\'\'\'

[environments.staging.deploy]
startCommand = "npm run start:staging" # staging only
"weird key" = "tab\\there"

[[array.of.tables]]
name = "first"

[[array.of.tables]]
name = "second"
nested = { a = { b = [1, 2.5, true] } }
'''


def test_realistic_railway_toml_values() -> None:
    doc = ok(RAILWAY_TOML)
    assert doc.value == tomllib.loads(RAILWAY_TOML)
    assert doc.value["deploy"]["multiRegionConfig"] == {"us-west2": {"numReplicas": 2}}
    assert doc.value["array"]["of"]["tables"][1]["nested"] == {"a": {"b": [1, 2.5, True]}}
    assert doc.duplicates == ()
    check_positions(doc)


def test_realistic_railway_toml_value_offsets() -> None:
    doc = ok(RAILWAY_TOML)
    assert value_text(doc, "") == RAILWAY_TOML
    assert value_text(doc, "/$schema") == '"https://railway.com/railway.schema.json"'
    assert value_text(doc, "/build") == "[build]"
    assert value_text(doc, "/build/builder") == '"RAILPACK"'
    assert value_text(doc, "/build/buildCommand") == '"""\nnpm ci && \\\n  npm run build"""'
    assert value_text(doc, "/build/watchPatterns").startswith('[\n  "src/**",')
    assert value_text(doc, "/build/watchPatterns").endswith('"!**/*.md", # trailing comma next\n]')
    assert value_text(doc, "/build/watchPatterns/0") == '"src/**"'
    assert value_text(doc, "/build/watchPatterns/1") == "'package.json'"
    assert value_text(doc, "/build/watchPatterns/2") == '"!**/*.md"'
    assert "/build/watchPatterns/3" not in doc.value_offsets
    assert value_text(doc, "/build/nixpacksPlan") == (
        '{ providers = ["node"], phases = { setup = { nixPkgs = ["ffmpeg", "git"] } } }'
    )
    assert value_text(doc, "/build/nixpacksPlan/phases") == '{ setup = { nixPkgs = ["ffmpeg", "git"] } }'
    assert value_text(doc, "/build/nixpacksPlan/phases/setup") == '{ nixPkgs = ["ffmpeg", "git"] }'
    assert value_text(doc, "/build/nixpacksPlan/phases/setup/nixPkgs/1") == '"git"'
    assert value_text(doc, "/deploy") == "[deploy]"
    assert value_text(doc, "/deploy/startCommand") == "'node dist/server.js --name \"web\" C:\\no\\escapes'"
    assert doc.value["deploy"]["startCommand"].endswith("C:\\no\\escapes")
    assert value_text(doc, "/deploy/healthcheckTimeout") == "300"
    assert value_text(doc, "/deploy/preDeployCommand") == '["npm run migrate"]'
    assert value_text(doc, "/deploy/multiRegionConfig/us-west2/numReplicas") == "2"
    assert value_text(doc, "/deploy/limits/memory") == "1.5"
    assert value_text(doc, "/deploy/sleepApplication") == "false"
    assert value_text(doc, "/deploy/notes") == "'''\nliteral \\n stays ''quoted'''''"
    assert doc.value["deploy"]["notes"] == "literal \\n stays ''quoted''"
    assert value_text(doc, "/environments/staging/deploy") == "[environments.staging.deploy]"
    assert value_text(doc, "/environments/staging/deploy/startCommand") == '"npm run start:staging"'
    assert value_text(doc, "/environments/staging/deploy/weird key") == '"tab\\there"'
    assert value_text(doc, "/array/of/tables") == "[[array.of.tables]]"
    assert value_text(doc, "/array/of/tables/0") == "[[array.of.tables]]"
    assert value_text(doc, "/array/of/tables/1/name") == '"second"'
    assert value_text(doc, "/array/of/tables/1/nested") == "{ a = { b = [1, 2.5, true] } }"
    assert value_text(doc, "/array/of/tables/1/nested/a") == "{ b = [1, 2.5, true] }"
    assert value_text(doc, "/array/of/tables/1/nested/a/b/2") == "true"
    # The two [[array.of.tables]] headers are told apart.
    assert doc.value_offsets["/array/of/tables/0"] < doc.value_offsets["/array/of/tables/1"]


def test_realistic_railway_toml_key_offsets() -> None:
    doc = ok(RAILWAY_TOML)
    assert key_text(doc, "/$schema") == '"$schema"'
    assert key_text(doc, "/build") == "build"
    assert key_text(doc, "/build/watchPatterns") == "watchPatterns"
    assert key_text(doc, "/build/nixpacksPlan/phases/setup") == "setup"
    assert key_text(doc, "/build/nixpacksPlan/phases/setup/nixPkgs") == "nixPkgs"
    assert key_text(doc, "/deploy/multiRegionConfig") == "multiRegionConfig"
    assert key_text(doc, "/deploy/multiRegionConfig/us-west2") == "us-west2"
    assert key_text(doc, "/deploy/multiRegionConfig/us-west2/numReplicas") == "numReplicas"
    assert key_text(doc, "/deploy/limits") == '"limits"'
    assert key_text(doc, "/deploy/limits/memory") == "'memory'"
    assert key_text(doc, "/environments") == "environments"
    assert key_text(doc, "/environments/staging") == "staging"
    assert key_text(doc, "/environments/staging/deploy") == "deploy"
    assert key_text(doc, "/environments/staging/deploy/weird key") == '"weird key"'
    assert key_text(doc, "/array/of/tables") == "tables"
    assert key_text(doc, "/array/of/tables/1") == "[[array.of.tables]]"
    assert key_text(doc, "/array/of/tables/1/name") == "name"
    # Array items have no key of their own; key_span falls back to the value.
    assert "/build/watchPatterns/0" not in doc.key_offsets
    assert doc.key_span("/build/watchPatterns/0") == doc.value_span("/build/watchPatterns/0")
    # The key of a member starts the member; the value ends it.
    start, end = doc.member_offsets("/deploy/healthcheckTimeout")
    assert RAILWAY_TOML[start:end] == "healthcheckTimeout = 300"


def test_realistic_railway_toml_lines_and_columns() -> None:
    doc = ok(RAILWAY_TOML)
    lines = RAILWAY_TOML.split("\n")

    def where(text: str, needle: str) -> tuple[int, int]:
        for number, line in enumerate(lines, start=1):
            if needle in line:
                return number, line.index(needle) + 1
        raise AssertionError(needle)

    span = doc.value_span("/deploy/healthcheckTimeout")
    line, column = where(RAILWAY_TOML, "healthcheckTimeout = 300")
    assert (span.start.line, span.start.column) == (line, column + len("healthcheckTimeout = "))
    assert (span.end.line, span.end.column) == (line, column + len("healthcheckTimeout = 300"))
    span = doc.key_span("/environments/staging/deploy/weird key")
    assert (span.start.line, span.start.column) == where(RAILWAY_TOML, '"weird key"')
    assert span.start.column == 1
    span = doc.value_span("/build/nixpacksPlan/phases/setup/nixPkgs/1")
    assert (span.start.line, span.start.column) == where(RAILWAY_TOML, '"git"')
    # A multi-line value spans lines: buildCommand opens on line 7 and closes on line 9.
    span = doc.value_span("/build/buildCommand")
    line, column = where(RAILWAY_TOML, 'buildCommand = """')
    assert (span.start.line, span.start.column) == (line, column + len("buildCommand = "))
    assert (span.end.line, span.end.column) == (line + 2, len('  npm run build"""') + 1)
    span = doc.value_span("/array/of/tables/1")
    assert span.start.line == where(RAILWAY_TOML, 'name = "second"')[0] - 1 and span.start.column == 1
    # A pointer without a position of its own falls back to its nearest positioned ancestor.
    assert doc.value_span("/deploy/multiRegionConfig/us-west2") == doc.value_span("/deploy")
    assert doc.value_span("/deploy/no/such/key") == doc.value_span("/deploy")


def test_line_index() -> None:
    text = "a = 1\r\nbb = 2\n\nc"
    index = LineIndex(text)
    assert index.position(len(text)).line == 4
    assert index.position(0) == index.position(-5)
    assert (index.position(0).line, index.position(0).column) == (1, 1)
    assert (index.position(5).line, index.position(5).column) == (1, 6)  # the \r belongs to line 1
    assert (index.position(7).line, index.position(7).column) == (2, 1)
    assert (index.position(len(text)).line, index.position(len(text)).column) == (4, 2)
    assert index.position(10**6) == index.position(len(text))
    assert index.line_start(2) == 7 and index.line_start(99) == index.line_start(4)
    assert text[index.line_start(1) : index.line_end(1, text)] == "a = 1"
    assert text[index.line_start(2) : index.line_end(2, text)] == "bb = 2"
    assert text[index.line_start(3) : index.line_end(3, text)] == ""
    assert text[index.line_start(4) : index.line_end(4, text)] == "c"


# --- smaller layouts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'a = """"""\nb = 1\n',  # empty multi-line basic string
        "a = ''''''\nb = 1\n",  # empty multi-line literal string
        'a = """x""""\nb = """y"""""\n',  # up to two quotes before the closing delimiter
        "a = '''x''''\nb = '''y'''''\n",
        'a = "\\\\"\nb = "\\""\nc = "\\u00e9\\U0001F600"\n',  # escapes ending in a backslash or quote
        'a = """\\\r\n   x"""\r\nb = 2\r\n',  # line-ending backslash with CRLF
        "a = [ [ 1, 2 ], [ 'x' ], [ ] ] # comment\nb = { }\nc = { x = [ { y = 1 }, { } ] }\n",
        "a = 1979-05-27T07:32:00Z\nb = 1979-05-27 07:32:00\nc = 07:32:00 # time\nd = 1979-05-27\n",
        "a = inf\nb = -nan\nc = 0xdead_beef\nd = 0o17\ne = 0b1\nf = 1_000\ng = +1.5e-3\nh = -0.0\n",
        "\t a\t.\t b\t=\t1\t\n[ t . u ] # header with spaces\n[[ v ]]\nw = 1\n",
        "'' = 1\n\" \" . x = 2\n'a.b' = 3\n\"a/b~c\" = 4\n",
        '"ключ" = "значение"\n"🚂" = { "é" = "ü" }\n',
    ],
)
def test_layouts_read_back(text: str) -> None:
    doc = ok(text)
    assert same(doc.value, tomllib.loads(text))
    check_positions(doc)


def test_pointer_escaping_in_keys() -> None:
    doc = ok('"a/b~c" = 4\n"x.y" = { "~" = 5 }\n')
    assert value_text(doc, "/a~1b~0c") == "4"
    assert key_text(doc, "/a~1b~0c") == '"a/b~c"'
    assert value_text(doc, "/x.y/~0") == "5"
    assert key_text(doc, "/x.y/~0") == '"~"'


def test_empty_and_blank_text_is_an_empty_document() -> None:
    for text in ["", "\n", "  \t\n\r\n", "# only a comment", "# a\n\n# b\n"]:
        doc = ok(text)
        assert doc.value == {}
        assert doc.value_offsets == {"": (0, len(text))}
        assert doc.key_offsets == {}


def test_empty_tables() -> None:
    doc = ok("[a]\n[b.c]\n[[d]]\n")
    assert doc.value == {"a": {}, "b": {"c": {}}, "d": [{}]}
    assert value_text(doc, "/a") == "[a]"
    assert value_text(doc, "/b/c") == "[b.c]"
    assert value_text(doc, "/d/0") == "[[d]]"
    check_positions(doc)


def test_crlf_text() -> None:
    text = (
        '# c\r\n[deploy]\r\nstartCommand = "x" # why\r\nlist = [\r\n  1, # one\r\n  2,\r\n]\r\ns = """\r\na\r\n"""\r\n'
    )
    doc = ok(text)
    assert doc.value == {"deploy": {"startCommand": "x", "list": [1, 2], "s": "a\n"}}
    assert value_text(doc, "/deploy") == "[deploy]"
    assert value_text(doc, "/deploy/startCommand") == '"x"'
    assert value_text(doc, "/deploy/list") == "[\r\n  1, # one\r\n  2,\r\n]"
    assert value_text(doc, "/deploy/list/1") == "2"
    assert value_text(doc, "/deploy/s") == '"""\r\na\r\n"""'
    span = doc.value_span("/deploy/list/1")
    assert (span.start.line, span.start.column) == (6, 3)
    span = doc.key_span("/deploy/startCommand")
    assert (span.start.line, span.start.column, span.end.column) == (3, 1, 13)
    check_positions(doc)


# --- parse failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a = 1\nb = = 2\n", 2, 5),
        ("[deploy]\nstartCommand = 'x'\nstartCommand = 'y'\n", 3, None),  # duplicate key
        ("[build]\n[build]\n", 2, None),  # table defined twice
        ('a = "unterminated\nb = 1\n', 1, None),
        ("a = [1, 2\nb = 3\n", 2, None),
        ("a = { b = 1,\n}\n", 1, None),  # TOML 1.0: no newline or trailing comma in inline tables
        ("a = 1 b = 2\n", 1, 7),
        ("a = 1\r\nb = @\r\n", 2, 5),  # CRLF: the column does not count the \r of the line before
        ("a = 1\r\n\r\n  [x\r\n", 3, None),
        ("a = 1\rb = 2\n", 1, None),  # a bare CR is not a line ending in TOML
        ("ключ = 1\n", 1, 1),  # TOML 1.0 bare keys are ASCII
        ("a = 2021-02-30\n", 1, None),  # not a date
        ("a = 'x'\n\u00e9 = 1\n", 2, 1),
    ],
)
def test_invalid_toml_reports_tomllib_message_and_position(text: str, line: int, column: int | None) -> None:
    failure = fail(text)
    message, expected_line, expected_column = tomllib_error(text)
    assert failure.message == f"invalid TOML: {message}"
    assert " (at line " not in failure.message
    position = LineIndex(text).position(failure.start)
    assert (position.line, position.column) == (expected_line, expected_column)
    assert position.line == line
    if column is not None:
        assert position.column == column
    assert failure.end == failure.start + 1


def test_invalid_toml_at_end_of_document() -> None:
    for text in ["a = 1\nb = ", "a = [1,", "[a", 'a = """x']:
        failure = fail(text)
        with pytest.raises(tomllib.TOMLDecodeError, match="at end of document"):
            tomllib.loads(text)
        assert failure.start == failure.end == len(text)
        assert "end of document" in failure.message


def test_byte_order_mark() -> None:
    # tomllib does not skip a BOM: the file fails to parse, and the failure points at the BOM itself.
    text = "\ufeff[deploy]\nstartCommand = 'x'\n"
    failure = fail(text)
    message, _, _ = tomllib_error(text)
    assert failure.message == f"invalid TOML: {message}"
    assert (failure.start, failure.end) == (0, 1)
    assert text[failure.start : failure.end] == "\ufeff"
    assert isinstance(parse_toml(text[1:], RAILWAY), Document)


def test_deep_nesting_does_not_raise() -> None:
    for text in ["a = " + "[" * 5000, "a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 3000]:
        result = parse_toml(text, RAILWAY)
        assert isinstance(result, ParseFailure)
        assert 0 <= result.start <= result.end <= len(text)
    # Deep but valid nesting still parses; positions are best effort.
    text = "a = " + "[" * 100 + "]" * 100 + "\n"
    doc = ok(text)
    assert doc.value_span("/a/0/0") is not None


def test_huge_integer_is_a_parse_failure_not_an_exception() -> None:
    # TOML integers are 64-bit; tomllib raises a plain ValueError (not TOMLDecodeError) past Python's
    # 4300-digit int-to-str limit, and parse_toml promises never to raise.
    text = "[deploy]\nhealthcheckTimeout = " + "9" * 5000 + "\n"
    result = parse_toml(text, RAILWAY)
    assert isinstance(result, ParseFailure)
    assert result.message.startswith("invalid TOML: ")
    assert 0 <= result.start <= result.end <= len(text)


# --- positions the scanner must not lose ---------------------------------------------------------------------------


def test_quoted_key_with_a_raw_tab() -> None:
    # TOML allows a raw tab in a basic string, so also in a quoted key (tomli_w writes one that way).
    text = '"a\tb" = 1\nc = 2\n'
    doc = ok(text)
    assert doc.value == {"a\tb": 1, "c": 2}
    assert key_text(doc, "/a\tb") == '"a\tb"'
    assert value_text(doc, "/a\tb") == "1"
    assert value_text(doc, "/c") == "2"


def test_quoted_key_with_a_long_unicode_escape() -> None:
    text = '[deploy]\n"\\U0001F682" = 1\nstartCommand = "x"\n'
    doc = ok(text)
    assert doc.value == {"deploy": {"\U0001f682": 1, "startCommand": "x"}}
    assert key_text(doc, "/deploy/\U0001f682") == '"\\U0001F682"'
    assert value_text(doc, "/deploy/startCommand") == '"x"'


def test_table_under_an_array_of_tables() -> None:
    text = '[[services]]\nname = "web"\n[services.deploy]\nstartCommand = "a"\n[[services]]\nname = "worker"\n'
    doc = ok(text)
    assert doc.value == {"services": [{"name": "web", "deploy": {"startCommand": "a"}}, {"name": "worker"}]}
    assert value_text(doc, "/services/0/deploy") == "[services.deploy]"
    assert value_text(doc, "/services/0/deploy/startCommand") == '"a"'
    assert key_text(doc, "/services/0/deploy/startCommand") == "startCommand"
    assert "/services/deploy" not in doc.value_offsets
    check_positions(doc)


def test_array_of_tables_under_an_array_of_tables() -> None:
    text = "[[a]]\n[[a.b]]\nx = 1\n[[a.b]]\nx = 2\n[[a]]\n[[a.b]]\nx = 3\n"
    doc = ok(text)
    assert doc.value == {"a": [{"b": [{"x": 1}, {"x": 2}]}, {"b": [{"x": 3}]}]}
    assert value_text(doc, "/a/0/b/1") == "[[a.b]]"
    assert value_text(doc, "/a/0/b/1/x") == "2"
    assert value_text(doc, "/a/1/b/0/x") == "3"
    assert doc.value_offsets["/a/0/b/1/x"] < doc.value_offsets["/a/1/b/0/x"]
    check_positions(doc)


# --- properties ----------------------------------------------------------------------------------------------------

bare_keys = st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True)
odd_keys = st.sampled_from(
    [
        "",
        " ",
        "a b",
        "a.b",
        ".",
        "$schema",
        'say "hi"',
        "it's",
        "back\\slash",
        "tab\there",
        "new\nline",
        "ключ",
        "🚂",
        "é",
        "[x]",
        "a=b",
        "#",
        "a/b~c",
        "\x7f",
        "\x00",
    ]
)
keys = st.one_of(bare_keys, odd_keys, st.text(max_size=8))
scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(),
    st.sampled_from(['"', "'", '""', "'''", '"""', "\\", "a\nb", 'x\n"', "\r\n", "\t", "é🚂", '"""\n"""']),
)
lists = st.lists(st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=4)
tables = st.recursive(
    st.dictionaries(keys, st.one_of(scalars, lists), max_size=4),
    lambda children: st.dictionaries(keys, st.one_of(scalars, lists, children), max_size=4),
    max_leaves=16,
)


@settings(max_examples=150, deadline=None)
@given(tables, st.booleans())
@example({"a\tb": 1}, False)
def test_dumped_values_slice_back_to_themselves(value: dict[str, Any], multiline: bool) -> None:
    text = tomli_w.dumps(value, multiline_strings=multiline)
    doc = ok(text)
    assert same(doc.value, tomllib.loads(text))
    if not multiline:  # multi-line strings are written with "\r\n" turned into "\n"
        assert same(doc.value, value)
    check_positions(doc, every_table_written=True)


@settings(max_examples=150, deadline=None)
@given(tables, st.booleans())
def test_dumped_values_slice_back_with_crlf(value: dict[str, Any], multiline: bool) -> None:
    text = tomli_w.dumps(value, multiline_strings=multiline).replace("\n", "\r\n")
    doc = ok(text)
    assert same(doc.value, tomllib.loads(text))
    check_positions(doc, every_table_written=True)


# Lists of tables: tomli_w writes short ones as inline tables and long ones as [[arrays.of.tables]],
# with sub-tables of an element written as [headers] below it. Keys stay simple here so that a failure
# points at the table structure rather than at key decoding.
simple_keys = st.one_of(bare_keys, st.sampled_from(["a b", "a.b", "$schema", "é"]))
nested_tables = st.recursive(
    st.dictionaries(simple_keys, st.one_of(scalars, lists), max_size=3),
    lambda children: st.dictionaries(
        simple_keys, st.one_of(scalars, children, st.lists(children, min_size=1, max_size=3)), max_size=3
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(nested_tables, st.booleans())
def test_dumped_arrays_of_tables_slice_back_to_themselves(value: dict[str, Any], multiline: bool) -> None:
    text = tomli_w.dumps(value, multiline_strings=multiline)
    doc = ok(text)
    assert same(doc.value, tomllib.loads(text))
    if not multiline:  # multi-line strings are written with "\r\n" turned into "\n"
        assert same(doc.value, value)
    check_positions(doc, every_table_written=True)


@settings(max_examples=150, deadline=None)
@given(st.text())
@example("a = " + "[" * 5000)
@example("a = " + "[" * 5000 + "]" * 5000)
@example("\ufeff")
@example("a = 1\r")
def test_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse_toml(text, RAILWAY)
    if isinstance(result, ParseFailure):
        assert result.message.startswith("invalid TOML: ")
        assert 0 <= result.start <= result.end <= len(text)
    else:
        assert result.value == tomllib.loads(text)
        for start, end in [*result.value_offsets.values(), *result.key_offsets.values()]:
            assert 0 <= start <= end <= len(text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                " = ",
                "=",
                "1",
                '"',
                "'",
                "[",
                "]",
                "{",
                "}",
                ",",
                ".",
                "\n",
                "#",
                "\\",
                '"""',
                "'''",
                "[[",
                "]]",
                "x.y",
                " ",
                "\r\n",
                "true",
                "é",
            ]
        ),
        max_size=30,
    )
)
def test_never_raises_on_toml_like_text(parts: list[str]) -> None:
    text = "".join(parts)
    result = parse_toml(text, RAILWAY)
    if isinstance(result, Document):
        assert result.value == tomllib.loads(text)
        for pointer in [*result.value_offsets, *result.key_offsets]:
            result.value_at(pointer)
    else:
        assert 0 <= result.start <= result.end <= len(text)
