"""railcheck's code-point offsets as protocol positions, in each encoding a client may negotiate."""

from __future__ import annotations

import pytest

from railcheck.lsp.positions import UTF8, UTF16, UTF32, PositionMap

TEXT = 'a\n"🚀é": 1\r\nlast'


@pytest.mark.parametrize(("encoding", "after_rocket", "after_accent"), [(UTF16, 3, 4), (UTF8, 5, 7), (UTF32, 2, 3)])
def test_characters_are_counted_in_the_negotiated_code_units(
    encoding: str, after_rocket: int, after_accent: int
) -> None:
    positions = PositionMap(TEXT, encoding)
    rocket, accent = TEXT.index("🚀"), TEXT.index("é")
    assert positions.position(rocket + 1) == (1, after_rocket)
    assert positions.position(accent + 1) == (1, after_accent)
    assert positions.offset(1, after_rocket) == rocket + 1
    assert positions.offset(1, after_accent) == accent + 1


def test_lines_offsets_at_the_edges_and_past_a_line_end() -> None:
    positions = PositionMap(TEXT)
    assert positions.position(0) == (0, 0)
    assert positions.position(len(TEXT)) == (2, 4)
    assert positions.position(TEXT.index("last")) == (2, 0)  # "\r\n" ends line 1
    assert positions.offset(0, 99) == 1  # past the end of a line: its end, before "\n"
    assert positions.offset(9, 0) == len(TEXT)  # past the last line: the end of the text
    assert positions.position(10_000) == (2, 4)
