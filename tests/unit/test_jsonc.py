"""Tests for railcheck.sources.jsonc: values, offsets, JWCC extensions, and error messages with their spans."""

from __future__ import annotations

import json
import math
from pathlib import PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.sources.jsonc import parse_json
from railcheck.sources.text import Document, ParseFailure, split_pointer

RAILPACK = PurePosixPath("railpack.json")
RAILWAY = PurePosixPath("railway.json")


def ok(text: str, *, jwcc: bool = True, **kwargs: Any) -> Document:
    result = parse_json(text, RAILPACK if jwcc else RAILWAY, jwcc=jwcc, **kwargs)
    assert isinstance(result, Document), result
    return result


def fail(text: str, *, jwcc: bool = True, **kwargs: Any) -> ParseFailure:
    result = parse_json(text, RAILPACK if jwcc else RAILWAY, jwcc=jwcc, **kwargs)
    assert isinstance(result, ParseFailure), result
    check_span(text, result)
    return result


def check_span(text: str, failure: ParseFailure) -> None:
    assert 0 <= failure.start <= failure.end <= len(text)
    if failure.start == failure.end:
        assert failure.start == len(text), "only an end-of-file error may have an empty span"


def resolve(value: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def bad_token(text: str, jwcc: bool = True) -> tuple[str, str]:
    failure = fail(text, jwcc=jwcc)
    return failure.message, text[failure.start : failure.end]


# --- values and offsets ------------------------------------------------------------------------------------------


def test_offsets_of_values_and_keys() -> None:
    text = '{\n  "build": {"cmds": ["a", 1, true, null]},\n  "n": -1.5e3\n}'
    doc = ok(text, jwcc=False)
    assert doc.value == json.loads(text)
    assert text[slice(*doc.value_offsets[""])] == text
    assert text[slice(*doc.value_offsets["/build"])] == '{"cmds": ["a", 1, true, null]}'
    assert text[slice(*doc.value_offsets["/build/cmds"])] == '["a", 1, true, null]'
    assert text[slice(*doc.value_offsets["/build/cmds/0"])] == '"a"'
    assert text[slice(*doc.value_offsets["/build/cmds/3"])] == "null"
    assert text[slice(*doc.value_offsets["/n"])] == "-1.5e3"
    assert text[slice(*doc.key_offsets["/build/cmds"])] == '"cmds"'
    assert "" not in doc.key_offsets and "/build/cmds/0" not in doc.key_offsets
    assert doc.duplicates == ()


def test_escaped_strings_and_pointer_escaping() -> None:
    text = r'{"a/b": 1, "m~n": {"x\"y": "tab\there \u00e9 \ud83d\ude00"}}'
    doc = ok(text)
    assert doc.value == json.loads(text)
    assert text[slice(*doc.value_offsets["/a~1b"])] == "1"
    assert text[slice(*doc.key_offsets["/a~1b"])] == '"a/b"'
    assert text[slice(*doc.key_offsets["/m~0n"])] == '"m~n"'
    assert doc.value["m~n"]['x"y'] == "tab\there \u00e9 \U0001f600"
    assert '/m~0n/x"y' in doc.value_offsets


def test_crlf_text() -> None:
    text = '{\r\n  // comment\r\n  "a": [1,\r\n    2],\r\n}\r\n'
    doc = ok(text)
    assert doc.value == {"a": [1, 2]}
    start, end = doc.value_offsets["/a/1"]
    assert text[start:end] == "2"
    assert doc.value_span("/a/1").start.line == 4 and doc.value_span("/a/1").start.column == 5
    assert ok('{"a":\r\n1}\r\n', jwcc=False).value == {"a": 1}


def test_scalar_root_and_empty_containers() -> None:
    assert ok("  42 ", jwcc=False).value == 42
    doc = ok("[{}, []]")
    assert doc.value == [{}, []]
    assert doc.value_offsets["/0"] == (1, 3) and doc.value_offsets["/1"] == (5, 7)


def test_numbers_match_json_loads() -> None:
    for token in ["0", "-0", "-0.0", "1e400", "12345678901234567890123", "1E+2", "2.5e-3"]:
        assert ok(f"[{token}]", jwcc=False).value == json.loads(f"[{token}]")


# --- JWCC extensions -----------------------------------------------------------------------------------------------

COMMENTED = """// top
{
  /* block */ "a" /* before colon */ : /* after colon */ 1, // line
  "b": [1, 2, /* inside */ 3,], /**/ /***/ /* ** */
  "c": {"d": null,},
}
/* trailing */
"""


def test_comments_and_trailing_commas_accepted_in_jwcc() -> None:
    doc = ok(COMMENTED)
    assert doc.value == {"a": 1, "b": [1, 2, 3], "c": {"d": None}}
    assert COMMENTED[slice(*doc.value_offsets["/b/2"])] == "3"
    assert COMMENTED[slice(*doc.key_offsets["/a"])] == '"a"'


@pytest.mark.parametrize(
    ("text", "token"),
    [("// c\n{}", "// c"), ('{"a": /* c */ 1}', "/* c */"), ("{} /* unclosed", "/* unclosed")],
)
def test_comments_rejected_in_strict(text: str, token: str) -> None:
    message, found = bad_token(text, jwcc=False)
    assert "railway.json is strict JSON" in message and "comments and trailing commas are not allowed" in message
    assert found == token


@pytest.mark.parametrize("text", ['{"a": 1,}', "[1, 2,]", '{"a": [1,\n],\n}'])
def test_trailing_comma_rejected_in_strict(text: str) -> None:
    message, found = bad_token(text, jwcc=False)
    assert "trailing comma" in message and "strict JSON" in message
    assert found == ","


def test_line_comment_at_end_of_file_needs_a_newline() -> None:
    # hujson ends a line comment at '\n' only; "null//" fails with "parsing comment: unexpected EOF".
    failure = fail('{"a": 1} // done')
    assert "newline" in failure.message and (failure.start, failure.end) == (9, 16)
    assert ok('{"a": 1} // done\n').value == {"a": 1}


def test_unterminated_block_comment() -> None:
    message, found = bad_token('{"a": 1 /* oops }')
    assert "unterminated block comment" in message and found == "/*"


# --- duplicates ------------------------------------------------------------------------------------------------


def test_duplicate_keys_last_wins() -> None:
    text = '{"a": {"x": 1}, "b": 2, "a": {"y": 3}, "a": {"z": 4}}'
    doc = ok(text, jwcc=False)
    assert doc.value == {"a": {"z": 4}, "b": 2}
    first, second, third = (text.index('"a"', i) for i in (0, 2, 30))
    assert doc.duplicates == (
        ("", "a", (first, first + 3), (second, second + 3)),
        ("", "a", (first, first + 3), (third, third + 3)),
    )
    assert doc.key_offsets["/a"] == (third, third + 3)
    assert text[slice(*doc.value_offsets["/a"])] == '{"z": 4}'
    # Offsets under the overwritten occurrences are dropped: every pointer resolves in the value.
    assert set(doc.value_offsets) == {"", "/a", "/a/z", "/b"}


def test_nested_duplicate_pointer() -> None:
    doc = ok('{"s": {"k": 1, "k": 2}}')
    assert doc.value == {"s": {"k": 2}}
    assert [(p, k) for p, k, _, _ in doc.duplicates] == [("/s", "k")]


# --- errors --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jwcc", [True, False])
def test_byte_order_mark_rejected(jwcc: bool) -> None:
    failure = fail('\ufeff{"a": 1}', jwcc=jwcc)
    assert (failure.start, failure.end) == (0, 1)
    assert "byte-order mark" in failure.message and "without a BOM" in failure.message
    assert ("Railpack" in failure.message) is jwcc


@pytest.mark.parametrize("text", ["", "   \n\t", "\r\n"])
def test_empty_file(text: str) -> None:
    for jwcc in (True, False):
        failure = fail(text, jwcc=jwcc)
        assert "the file is empty" in failure.message and "expected a JSON object" in failure.message
        assert (failure.start, failure.end) == (len(text), len(text))
    assert "comments" in fail("// nothing\n").message


def test_missing_comma_between_members() -> None:
    message, found = bad_token('{"a": 1\n "b": 2}')
    assert message.startswith("expected ',' or '}' after an object member, found '\"'")
    assert found == '"'
    message, found = bad_token("[1 2]")
    assert message.startswith("expected ',' or ']' after an array element, found '2'") and found == "2"


def test_missing_colon() -> None:
    message, found = bad_token('{"a" 1}')
    assert "expected ':'" in message and found == "1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1", "expected ',' or ']' after an array element, found end of file"),
        ('{"a": ', "expected a value, found end of file"),
        ('{"a"', "expected ':' after the object key \"a\", found end of file"),
        ("{", "expected an object key in double quotes, found end of file"),
    ],
)
def test_end_of_file_errors(text: str, expected: str) -> None:
    failure = fail(text)
    assert failure.message == expected and (failure.start, failure.end) == (len(text), len(text))


def test_unterminated_and_invalid_strings() -> None:
    message, found = bad_token('{"a": "abc')
    assert "unterminated string" in message and found == '"abc'
    message, found = bad_token('{"a": "abc\n", "b": 1}')
    assert "unterminated string" in message and "line break" in message and found == "\n"
    message, found = bad_token('["a\tb"]')
    assert "control character U+0009" in message and "\\t" in message and found == "\t"
    message, found = bad_token('["\\x41"]')
    assert "invalid escape" in message and found == "\\x"
    message, found = bad_token('["\\u12G4"]')
    assert "\\u escape" in message and found == "\\u12"
    message, found = bad_token('["line \\\ncontinued"]')
    assert "backslash" in message and found == "\\\n"


JSON5_CASES = [
    ("{'a': 1}", "single-quoted keys", "'a'"),
    ("{\"a\": 'x'}", "single-quoted strings", "'x'"),
    ("{name: 1}", "unquoted key", "name"),
    ('{"mode": 0x1F}', "hexadecimal", "0x1F"),
    ('{"mode": 0644}', "file modes must be written in decimal, e.g. 420", "0644"),
    ('{"n": +5}', "leading '+'", "+5"),
    ('{"n": .5}', "start with a decimal point", ".5"),
    ('{"n": 5.}', "end with a decimal point", "5."),
    ('{"n": NaN}', "NaN and Infinity", "NaN"),
    ('{"n": -Infinity}', "NaN and Infinity", "-Infinity"),
    ('{"s": "a\nb"}', "raw line breaks", "\n"),
    ("[1,,]", "at most one trailing comma", ","),
    ("[,]", "at most one trailing comma", ","),
    ('{"a": 1,,}', "at most one trailing comma", ","),
]


@pytest.mark.parametrize(("text", "expected", "token"), JSON5_CASES)
def test_json5_extras_named_explicitly(text: str, expected: str, token: str) -> None:
    message, found = bad_token(text)
    assert expected in message
    assert "Railpack accepts JSON with comments and trailing commas (JWCC), not JSON5" in message
    assert found == token
    strict_message, strict_found = bad_token(text, jwcc=False)
    assert "JSON5" not in strict_message and strict_found == token


def test_other_value_errors() -> None:
    message, found = bad_token('{"a": True}')
    assert "write true" in message and found == "True"
    message, found = bad_token('{"a": npm}')
    assert "expected a value, found npm" in message and "double quotes" in message and found == "npm"
    message, found = bad_token('{"a": -}')
    assert "digit" in message and found == "-"
    message, found = bad_token('{"a": 1} {"b": 2}')
    assert "after the top-level value" in message and found == "{"
    message, found = bad_token('{"a": 1/2}')
    assert "found '/'" in message and found == "/"
    message, found = bad_token('{"a": \x00}')
    assert "U+0000" in message and found == "\x00"


def test_huge_integer_is_a_failure_not_an_exception() -> None:
    text = "[" + "9" * 5000 + "]"
    message, found = bad_token(text)
    assert "too long" in message and found == "9" * 5000


# --- depth and speed -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_fails_cleanly(opener: str) -> None:
    text = opener * 10_000 + "1" + ("]" if opener == "[" else "}") * 10_000
    failure = fail(text)
    assert "nesting deeper than 256 levels" in failure.message
    assert failure.start == 256 * len(opener) and text[failure.start] in "[{"


def test_nesting_limit_is_exact_and_large_limits_do_not_recurse() -> None:
    assert isinstance(parse_json("[" * 256 + "]" * 256, RAILPACK, jwcc=True), Document)
    assert isinstance(parse_json("[" * 257 + "]" * 257, RAILPACK, jwcc=True), ParseFailure)
    assert isinstance(parse_json("[" * 10_000 + "]" * 10_000, RAILPACK, jwcc=True, max_depth=20_000), Document)


def test_large_inputs_parse_exactly() -> None:
    # How fast is the benchmarks' business (benchmarks/run.py); a timed assertion here only flakes on a
    # loaded machine. This keeps the inputs that once exposed quadratic paths parsing to the right values.
    service = {
        "build": {"builder": "RAILPACK", "watchPatterns": ["src/**", "package.json"]},
        "deploy": {
            "startCommand": 'node dist/main.js --port "$PORT"',
            "numReplicas": 2,
            "healthcheckTimeout": 30.5,
            "sleepApplication": False,
            "region": None,
        },
    }
    text = json.dumps({"services": [service] * 4000}, indent=2)
    assert len(text) > 1_000_000
    doc = ok(text)
    assert doc.value == json.loads(text)
    wide = json.dumps({f"key{i}": i for i in range(10_000)})
    assert len(ok(wide).value) == 10_000
    repeated = "{" + ", ".join('"k": 1' for _ in range(10_000)) + "}"
    assert len(ok(repeated).duplicates) == 9_999


# --- properties ----------------------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)
dump_options = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 2, "\t"]),
        "separators": st.sampled_from([None, (",", ":"), (", ", ": "), (" ,  ", "  :  ")]),
        "ensure_ascii": st.booleans(),
    }
)


def same(a: Any, b: Any) -> bool:
    """Equality that also tells -0.0 from 0.0 and int from float, so offsets must point at the exact token."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, (list, dict)):
        return a == b
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(json_values, dump_options)
def test_strict_parse_equals_json_loads(value: Any, options: dict[str, Any]) -> None:
    text = json.dumps(value, **options)
    assert ok(text, jwcc=False).value == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(json_values, dump_options)
def test_offsets_slice_back_to_values_and_keys(value: Any, options: dict[str, Any]) -> None:
    text = json.dumps(value, **options)
    doc = ok(text, jwcc=False)
    for pointer, (start, end) in doc.value_offsets.items():
        assert same(json.loads(text[start:end]), resolve(doc.value, pointer))
    for pointer, (start, end) in doc.key_offsets.items():
        assert json.loads(text[start:end]) == split_pointer(pointer)[-1]
    # Every value and every object member has offsets.
    count = 0
    todo = [doc.value]
    while todo:
        item = todo.pop()
        count += 1
        todo.extend(item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
    assert len(doc.value_offsets) == count


GAPS = ["", " ", "\n", "\r\n", "// c\n", "//\n", "/* c */", "/**/", "/***/", "/* a\n * b **/", '// "x" /* y\r\n']
comment_text = st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=10)


@settings(max_examples=200, deadline=None)
@given(json_values, st.data())
def test_comments_and_trailing_commas_do_not_change_the_value(value: Any, data: st.DataObject) -> None:
    def gap() -> str:
        choice = data.draw(st.integers(0, len(GAPS) + 1))
        if choice < len(GAPS):
            return GAPS[choice]
        if choice == len(GAPS):
            return "//" + data.draw(comment_text) + "\n"
        body = data.draw(comment_text)
        while "*/" in body:
            body = body.replace("*/", "")
        return "/*" + body + "*/"

    parts: list[str] = []

    def emit(item: Any) -> None:
        if isinstance(item, (dict, list)):
            parts.append("{" if isinstance(item, dict) else "[")
            members = list(item.items()) if isinstance(item, dict) else [(None, x) for x in item]
            for index, (key, child) in enumerate(members):
                if index:
                    parts.append(",")
                parts.append(gap())
                if key is not None:
                    parts.extend([json.dumps(key), gap(), ":", gap()])
                emit(child)
                parts.append(gap())
            if members and data.draw(st.booleans()):
                parts.extend([",", gap()])
            parts.append("}" if isinstance(item, dict) else "]")
        else:
            parts.append(json.dumps(item))

    parts.append(gap())
    emit(value)
    parts.append(gap() + "\n")
    text = "".join(parts)
    doc = ok(text)
    assert doc.value == value
    for pointer, (start, end) in doc.value_offsets.items():
        if not isinstance(resolve(value, pointer), (dict, list)):
            assert same(json.loads(text[start:end]), resolve(doc.value, pointer))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for jwcc in (True, False):
        result = parse_json(text, RAILPACK, jwcc=jwcc)
        if isinstance(result, ParseFailure):
            check_span(text, result)


json_alphabet = st.text(st.sampled_from(list("{}[]:,\"\\/*-+.0123456789eEtrufalsn \n\t'x\x00\ufeff")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        json_alphabet,
        json_values.map(json.dumps).flatmap(
            lambda text: st.tuples(st.integers(0, len(text)), json_alphabet).map(lambda cut: text[: cut[0]] + cut[1])
        ),
    )
)
def test_strict_mode_accepts_exactly_what_json_loads_accepts(text: str) -> None:
    try:
        expected: Any = json.loads(text)
    except ValueError:
        expected = None
        accepted = False
    else:
        accepted = True
    result = parse_json(text, RAILWAY, jwcc=False)
    assert isinstance(result, Document) is accepted, (text, result)
    if accepted:
        assert isinstance(result, Document) and result.value == expected
    else:
        assert isinstance(result, ParseFailure)
        check_span(text, result)
    jwcc_result = parse_json(text, RAILPACK, jwcc=True)  # a superset of strict JSON
    assert not accepted or isinstance(jwcc_result, Document)
    if isinstance(jwcc_result, ParseFailure):
        check_span(text, jwcc_result)
