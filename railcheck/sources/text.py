"""Offsets to line/column positions for one decoded text, and the document protocol every parser fills."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from railcheck.types import Position, Span


class LineIndex:
    """Maps 0-based code-point offsets of `text` to 1-based line and column.

    A line ends after `\\n`; a `\\r` before it belongs to the line, so CRLF files count lines as editors do.
    """

    __slots__ = ("_length", "_starts")

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self._starts = starts
        self._length = len(text)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, self._length))
        line = bisect.bisect_right(self._starts, offset)
        return Position(line, offset - self._starts[line - 1] + 1, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based `line`."""
        return self._starts[max(1, min(line, len(self._starts))) - 1]

    def line_end(self, line: int, text: str) -> int:
        """Offset just past the last character of `line`, before its line terminator."""
        end = self._starts[line] - 1 if line < len(self._starts) else self._length
        if end > 0 and end <= len(text) and text[end - 1 : end] == "\r":
            end -= 1
        return end


def escape_pointer_token(token: str | int) -> str:
    """One JSON Pointer (RFC 6901) reference token."""
    token = str(token)
    return token.replace("~", "~0").replace("/", "~1") if "~" in token or "/" in token else token


def join_pointer(parent: str, token: str | int) -> str:
    # Called for every key and item a parser records (about 90,000 times on 1,000 services): a plain key is
    # joined without the call to escape it.
    if isinstance(token, str) and "~" not in token and "/" not in token:
        return f"{parent}/{token}"
    return f"{parent}/{escape_pointer_token(token)}"


_MISSING = object()


@lru_cache(maxsize=4096)
def split_pointer(pointer: str) -> tuple[str, ...]:
    """The unescaped tokens of `pointer`; cached, since every service asks for the same few pointers."""
    if not pointer:
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


class ParseFailure(NamedTuple):
    """Why a text could not be parsed, and where (offsets into the text)."""

    # A named tuple, not a frozen dataclass: as immutable, and cheaper to create at import, which every run
    # pays. (Document stays a dataclass: it compares by identity and keeps values derived from it.)

    message: str
    start: int
    end: int


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """A parsed structured file: its value plus, per JSON Pointer, the offsets of the value and of its key.

    Pointers use RFC 6901 (`/deploy/startCommand`, `/steps/build/commands/0`); `""` is the whole document.
    """

    path: PurePosixPath
    text: str
    value: Any
    value_offsets: dict[str, tuple[int, int]]
    key_offsets: dict[str, tuple[int, int]]
    lines: LineIndex = field(repr=False)
    # (pointer of the object, key, key offsets of the earlier occurrence, key offsets of the repeat)
    duplicates: tuple[tuple[str, str, tuple[int, int], tuple[int, int]], ...] = ()
    # Values derived from the document once and asked for by several rules (railcheck.schema's issues).
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def value_at(self, pointer: str) -> Any:
        """The value at `pointer`; raises KeyError when there is none."""
        value = self.get(pointer, _MISSING)
        if value is _MISSING:
            raise KeyError(pointer)
        return value

    def get(self, pointer: str, default: Any = None) -> Any:
        """The value at `pointer`, or `default` when there is none (never raises)."""
        # Rules ask for settings most files do not have: a miss returns without raising and catching.
        value = self.value
        for token in split_pointer(pointer):
            if isinstance(value, dict):
                if token not in value:
                    return default
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                return default
        return value

    def _nearest(self, offsets: dict[str, tuple[int, int]], pointer: str) -> tuple[int, int]:
        # Fall back to the closest ancestor that has a position, so a rule never lacks a span.
        while True:
            found = offsets.get(pointer) or self.value_offsets.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (0, 0)
            pointer = pointer.rsplit("/", 1)[0]

    def value_span(self, pointer: str) -> Span:
        return self.lines.span(*self._nearest(self.value_offsets, pointer))

    def key_span(self, pointer: str) -> Span:
        """The span of the key naming `pointer`'s value; for array items and the root, the value itself."""
        return self.lines.span(*self._nearest(self.key_offsets, pointer))

    def member_offsets(self, pointer: str) -> tuple[int, int]:
        """From the start of the key to the end of the value."""
        key = self.key_offsets.get(pointer)
        value = self._nearest(self.value_offsets, pointer)
        return (key[0], value[1]) if key else value
