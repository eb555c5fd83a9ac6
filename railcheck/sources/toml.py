"""TOML files (railway.toml, pyproject.toml) as Documents: values from tomllib, positions from a light scanner.

tomllib validates and decodes; the scanner below only walks the already-valid text to find where each
key and value sits, so it can stay small and lenient.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import PurePosixPath

from railcheck.sources.text import Document, LineIndex, ParseFailure, join_pointer

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]\}#\r\n]*")
# A pattern string, compiled on first use (re's own cache): only a file that does not parse needs it.
_TOMLLIB_POSITION = r"\(at line (\d+), column (\d+)\)"
_MAX_DEPTH = 64


@lru_cache(maxsize=1024)
def parse_toml(text: str, path: PurePosixPath) -> Document | ParseFailure:
    """Parse `text` as TOML; never raises. Failures carry tomllib's message and position.

    Cached: loading a service parses its pyproject.toml, Pipfile and mise.toml to report them broken, and
    the facts read the same documents again."""
    lines = LineIndex(text)
    try:
        value = tomllib.loads(text)
    except ValueError as error:  # TOMLDecodeError, or int() refusing more than sys.get_int_max_str_digits()
        message = str(error)
        offset = len(text)
        match = re.search(_TOMLLIB_POSITION, message)
        if match:
            offset = lines.line_start(int(match.group(1))) + int(match.group(2)) - 1
            message = message[: match.start()].strip()
        return ParseFailure(f"invalid TOML: {message}", offset, min(offset + 1, len(text)))
    except RecursionError:
        return ParseFailure(f"invalid TOML: nesting deeper than {_MAX_DEPTH} levels", 0, min(1, len(text)))
    scanner = _Scanner(text)
    try:
        scanner.run()
    except (IndexError, ValueError, RecursionError):
        # Positions are best effort; a pointer without one falls back to its nearest ancestor.
        pass
    return Document(path, text, value, scanner.values, scanner.keys, lines)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.values: dict[str, tuple[int, int]] = {"": (0, len(text))}
        self.keys: dict[str, tuple[int, int]] = {}
        self.array_tables: dict[str, int] = {}

    def run(self) -> None:
        table = ""
        text = self.text
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(text):
                return
            start = self.pos
            if text.startswith("[[", start):
                self.pos += 2
                pointer = self.key_path("", header=True)
                self.pos = text.index("]]", self.pos) + 2
                index = self.array_tables.get(pointer, 0)
                self.array_tables[pointer] = index + 1
                table = join_pointer(pointer, index)
                self.values.setdefault(pointer, (start, self.pos))
                self.values[table] = (start, self.pos)
                self.keys[table] = (start, self.pos)
            elif text[start] == "[":
                self.pos += 1
                table = self.key_path("", header=True)
                self.pos = text.index("]", self.pos) + 1
                self.values[table] = (start, self.pos)
            else:
                pointer = self.key_path(table)
                self.skip_blank()
                if text[self.pos] != "=":
                    raise ValueError("expected '='")
                self.pos += 1
                self.skip_blank()
                self.value(pointer, 0)

    def key_path(self, parent: str, header: bool = False) -> str:
        """Read a dotted key and record each part's key offsets; returns the full pointer.

        In a table header, a part naming an array of tables continues into its latest element.
        """
        pointer = parent
        while True:
            self.skip_blank()
            start = self.pos
            key = self.key()
            pointer = join_pointer(pointer, key)
            self.keys.setdefault(pointer, (start, self.pos))
            self.skip_blank()
            if self.pos < len(self.text) and self.text[self.pos] == ".":
                self.pos += 1
                if header and pointer in self.array_tables:
                    pointer = join_pointer(pointer, self.array_tables[pointer] - 1)
                continue
            return pointer

    def key(self) -> str:
        text = self.text
        if text[self.pos] in "\"'":
            start = self.pos
            self.string()
            raw = text[start : self.pos]
            if raw[0] == "'":
                return raw[1:-1]
            # TOML escapes and raw tabs are not JSON's; let tomllib decode the (already valid) key.
            return next(iter(tomllib.loads(raw + " = 0")))
        match = _BARE_KEY.match(text, self.pos)
        if not match:
            raise ValueError("expected a key")
        self.pos = match.end()
        return match.group()

    def value(self, pointer: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise ValueError("too deep")
        text = self.text
        start = self.pos
        char = text[start]
        if char in "\"'":
            self.string()
        elif char == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if text[self.pos] == "]":
                    break
                self.value(join_pointer(pointer, index), depth + 1)
                index += 1
                self.skip_blank(newlines=True)
                if text[self.pos] == ",":
                    self.pos += 1
            self.pos += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.skip_blank()
                if text[self.pos] == "}":
                    break
                member = self.key_path(pointer)
                self.skip_blank()
                self.pos += 1  # '='
                self.skip_blank()
                self.value(member, depth + 1)
                self.skip_blank()
                if text[self.pos] == ",":
                    self.pos += 1
            self.pos += 1
        else:
            match = _SCALAR.match(text, start)
            assert match is not None
            self.pos = start + len(match.group().rstrip())
        self.values[pointer] = (start, self.pos)

    def string(self) -> None:
        text = self.text
        quote = text[self.pos]
        triple = text.startswith(quote * 3, self.pos)
        delimiter = quote * 3 if triple else quote
        index = self.pos + len(delimiter)
        while True:
            if quote == '"' and text[index] == "\\":
                index += 2
                continue
            if text.startswith(delimiter, index):
                index += len(delimiter)
                # A multi-line string may end with up to two extra quotes before the delimiter.
                while triple and index < len(text) and text[index] == quote:
                    index += 1
                self.pos = index
                return
            index += 1

    def skip_blank(self, newlines: bool = False) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end == -1 else end
            else:
                return
