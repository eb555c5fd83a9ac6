"""Offsets in a decoded text (code points, as railcheck counts them) to and from protocol positions.

The protocol counts a line's characters in the code units of the negotiated encoding (UTF-16 unless client
and server agree on another), so an emoji is two characters to most editors but one code point here.
"""

from __future__ import annotations

from dataclasses import dataclass

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class PositionMap:
    """Conversions for one text in one encoding. Lines end at "\\n" (a "\\r" before it stays on its line)."""

    text: str
    encoding: str = UTF16

    def position(self, offset: int) -> tuple[int, int]:
        """(0-based line, character in code units) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset)
        start = self.text.rfind("\n", 0, offset) + 1
        return line, _units(self.text[start:offset], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The code-point offset of a protocol position; past the end of a line means its end."""
        start = 0
        for _ in range(max(0, line)):
            found = self.text.find("\n", start)
            if found < 0:
                return len(self.text)
            start = found + 1
        end = self.text.find("\n", start)
        end = len(self.text) if end < 0 else end
        counted = 0
        for index in range(start, end):
            if counted >= character:
                return index
            counted += _units(self.text[index], self.encoding)
        return end
