"""railcheck.sources.pymodule turns ast's positions (1-based lines, UTF-8 byte columns) into code-point offsets
with shortcuts for the common case (every line ends in a newline, the text is ASCII); these tests hold every
node's offsets to a plain reference computed line by line from the bytes."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.sources.pymodule import SourcePositions

LINES = [
    "import os",
    "x = 1",
    "from a import b as c",
    "def f(y: int) -> str:{nl}    return 'é' + str(y)",
    "class K:{nl}    z = f'{1}'",
    "s = '𝔘ñ'  # wide",
    "app.get('/items/{item_id}')",
    "",
]


def _reference(text: str, line: int, column: int) -> int:
    """The code-point offset of (line, byte column), counting lines as ast does: after each "\\n"."""
    body = text[1:] if text.startswith("\ufeff") else text
    offset = len(text) - len(body)
    for previous in body.split("\n")[: line - 1]:
        offset += len(previous) + 1
    current = body.split("\n")[line - 1]
    return offset + len(current.encode()[:column].decode())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(LINES), min_size=1, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.booleans(),
)
def test_every_node_is_placed_where_the_bytes_say(lines: list[str], newline: str, bom: bool, final: bool) -> None:
    body = newline.join(line.replace("{nl}", newline) for line in lines)
    text = ("\ufeff" if bom else "") + body + (newline if final else "")
    tree = ast.parse(text.removeprefix("\ufeff"))
    positions = SourcePositions(text)
    for node in ast.walk(tree):
        if not hasattr(node, "end_lineno") or node.end_lineno is None:
            continue
        expected = (
            _reference(text, node.lineno, node.col_offset),
            _reference(text, node.end_lineno, node.end_col_offset),
        )
        assert positions.span(node) == expected
        assert positions.offset(node.lineno, node.col_offset) == expected[0]


@pytest.mark.parametrize(
    ("text", "starts"), [("a\nbc\n\nd", [0, 2, 5, 6]), ("\ufeffa\nb", [1, 3]), ("a\r\nb\n", [0, 3, 5])]
)
def test_line_starts(text: str, starts: list[int]) -> None:
    assert SourcePositions(text).starts == starts
