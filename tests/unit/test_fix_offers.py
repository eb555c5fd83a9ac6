"""Whether a fix is offered depends on its result still parsing; railcheck.fixes answers that without parsing the
result when an edit only changes the plain content of a JSON string. These tests hold that answer to a full
parse of the result, on valid and broken texts and on edits anywhere."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.fixes import _inside_plain_string, _offer_keeps_parsing, apply_edits, still_parses
from railcheck.types import Edit

TEXTS = [
    '{"deploy": {"startCommand": "uvicorn main:app --host 127.0.0.1 --port 8000"}}',
    '// generated\n{"build": {"watchPatterns": ["/api/**", "!**/*.md"],}, "x": "a // b /* c */"}\n',
    '{"a": "tab\there", "b": "ok"}',  # a raw tab: Go rejects it, so the file does not parse
    '{"a": "esc\\"aped", "b": "line\\nbreak", "c": "plain"}',
    '{"a": "unterminated, "b": "x"}',
    '{"a": /* c */ "x", "b": "y"}',
    '{"a": "x", "a": "y"}',  # a duplicate key parses (another rule reports it)
    '{"a": "\ud800", "b": "x"}',  # a lone surrogate cannot be written
    '{"a": "x"} trailing',
]
CONTENTS = ["0.0.0.0", "$PORT", "", "é", 'x"y', "a\\b", "\t", "\n", "\ud800", "}", "//", "/*"]
PATHS = [PurePosixPath("svc/railpack.json"), PurePosixPath("svc/railway.json")]


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, Edit]:
    text = draw(st.sampled_from(TEXTS))
    path = draw(st.sampled_from(PATHS))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 12)))
    return text, Edit(path, start, end, draw(st.sampled_from(CONTENTS)))


@settings(max_examples=3000, deadline=None)
@given(edits())
def test_the_answer_is_the_full_parse_of_the_result(case: tuple[str, Edit]) -> None:
    text, edit = case
    result = apply_edits(text, [edit])
    assert _offer_keeps_parsing(edit.path, text, [edit], result) == still_parses(edit.path, result)


def test_a_host_or_port_in_a_start_command_takes_the_shortcut() -> None:
    text = TEXTS[0]
    path = PurePosixPath("svc/railpack.json")
    start = text.index("127.0.0.1")
    assert _inside_plain_string(text, Edit(path, start, start + len("127.0.0.1"), "0.0.0.0"))
    port = text.index("8000")
    assert _inside_plain_string(text, Edit(path, port, port + 4, "$PORT"))
    # Not for a key's quotes, a string with an escape, or content that would end the string.
    assert not _inside_plain_string(text, Edit(path, 1, 2, "x"))
    assert not _inside_plain_string(TEXTS[3], Edit(path, 7, 8, "x"))
    assert not _inside_plain_string(text, Edit(path, start, start + 1, '"'))
