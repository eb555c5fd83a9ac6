"""JSON and JWCC parsing with exact source offsets for every value and key.

Owns `parse_json`: it turns the text of `railway.json` (strict RFC 8259 JSON) or `railpack.json` (JWCC,
read by Railpack through tailscale/hujson and then Go encoding/json) into a `Document`, or into a
`ParseFailure` that says what was expected, what was found and where. It accepts exactly what those
readers accept, and names the JSON5/JavaScript habits they reject, because configs are often copied
from editors that allow them.

The parser is iterative (an explicit stack), so nesting depth is bounded by `max_depth`, not by Python's
recursion limit, and it matches compiled regexes at positions so that it stays fast in a pre-commit hook.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from railcheck.sources.text import Document, LineIndex, ParseFailure, join_pointer

# The body of a valid string, unrolled (no nested quantifiers) so that a failed match stays linear.
_STRING_BODY = r'[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*'
_STRING = re.compile(f'"{_STRING_BODY}"')
_STRING_PREFIX = re.compile(_STRING_BODY)
# ASCII digits only: `\d` would accept other scripts' digits, which Go rejects.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORD = re.compile(r"(?:[^\W\d]|\$)[\w$]*")
_LOOSE = re.compile(r"[\w.+\-$]+")  # a run of characters that a JSON5 number or identifier might use
_SINGLE_QUOTED = re.compile(r"'[^'\n]*'")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]{0,3}")
_STRICT_SPACE = re.compile(r"[ \t\r\n]*")
# hujson skips whitespace, `//` comments up to and including '\n', and `/* ... */` comments.
_JWCC_SPACE = re.compile(r"(?:[ \t\r\n]+|//[^\n]*\n|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/)*")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_NOT_LITERALS = {
    "True": "true",
    "False": "false",
    "None": "null",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "Null": "null",
    "nil": "null",
    "undefined": "null",
}
_JWCC_HINT = "Railpack accepts JSON with comments and trailing commas (JWCC), not JSON5"


class _Fail(Exception):
    """Raised inside the parser to unwind to `parse_json`, which turns it into a `ParseFailure`."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message, start, end)


class _Frame:
    """An open object or array: where it starts, what it holds so far, and (objects) its keys."""

    __slots__ = ("closer", "container", "key", "pointer", "seen", "start")

    def __init__(self, pointer: str, start: int, is_object: bool) -> None:
        self.pointer = pointer
        self.start = start
        self.closer = "}" if is_object else "]"
        self.container: Any = {} if is_object else []
        self.seen: dict[str, tuple[int, int]] = {}  # key -> offsets of its first occurrence
        self.key = ""


def parse_json(text: str, path: PurePosixPath, *, jwcc: bool, max_depth: int = 256) -> Document | ParseFailure:
    """Parse `text` as JWCC (`jwcc=True`, railpack.json) or strict JSON; never raises on any `str`."""
    parser = _Parser(text, path, jwcc, max_depth)
    try:
        value = parser.run()
    except _Fail as failure:
        return ParseFailure(*failure.args)
    return Document(
        path, text, value, parser.value_offsets, parser.key_offsets, LineIndex(text), tuple(parser.duplicates)
    )


def _clip(token: str) -> str:
    return token if len(token) <= 40 else token[:37] + "..."


class _Parser:
    def __init__(self, text: str, path: PurePosixPath, jwcc: bool, max_depth: int) -> None:
        self.text, self.n, self.jwcc, self.max_depth = text, len(text), jwcc, max_depth
        self.name = path.name or "this file"
        self.space = (_JWCC_SPACE if jwcc else _STRICT_SPACE).match
        self.strict = f"{self.name} is strict JSON, so comments and trailing commas are not allowed there"
        self.hint = _JWCC_HINT if jwcc else f"{self.name} must be strict JSON"
        self.value_offsets: dict[str, tuple[int, int]] = {}
        self.key_offsets: dict[str, tuple[int, int]] = {}
        self.duplicates: list[tuple[str, str, tuple[int, int], tuple[int, int]]] = []
        self.stack: list[_Frame] = []

    def run(self) -> Any:
        text, n, stack = self.text, self.n, self.stack
        if text.startswith("\ufeff"):
            # tailscale/hujson parse.go:199 rejects a leading BOM ("at start of value"); Railpack does not strip it.
            reader = "Railpack (tailscale/hujson)" if self.jwcc else "Go's encoding/json"
            raise _Fail(
                f"the file starts with a byte-order mark (U+FEFF), which {reader} rejects; "
                "save the file as UTF-8 without a BOM (e.g. in VS Code: 'Save with Encoding' > 'UTF-8')",
                0,
                1,
            )
        pos = self.skip(0)
        if pos >= n:
            what = "empty" if not text.strip(" \t\r\n") else "empty apart from comments"
            raise _Fail(f"the file is {what}; expected a JSON object such as {{}}", n, n)
        pointer = ""
        while True:
            # A value starts at `pos`: open a container, or read a whole scalar.
            char = text[pos] if pos < n else ""
            if char == "{" or char == "[":
                if len(stack) >= self.max_depth:
                    raise _Fail(f"nesting deeper than {self.max_depth} levels is not supported", pos, pos + 1)
                frame = _Frame(pointer, pos, char == "{")
                stack.append(frame)
                self.value_offsets[pointer] = (pos, pos + 1)  # placeholder keeps document order; set at the closer
                pos = self.skip(pos + 1)
                if not text.startswith(frame.closer, pos):
                    pointer, pos = self.next_item(frame, pos)
                    continue
                value, pos = self.close(pos)
            else:
                value, end = self.scalar(pos)
                self.value_offsets[pointer] = (pos, end)
                pos = end
            # The value is complete: add it to its container, then expect ',' or the closer (closing may cascade).
            while True:
                if not stack:
                    return self.finish(value, pos)
                frame = stack[-1]
                if frame.closer == "}":
                    frame.container[frame.key] = value  # a repeated key overwrites: the last one wins, as in Go
                else:
                    frame.container.append(value)
                pos = self.skip(pos)
                char = text[pos] if pos < n else ""
                if char == ",":
                    comma, pos = pos, self.skip(pos + 1)
                    if not text.startswith(frame.closer, pos):
                        break
                    if not self.jwcc:
                        message = f"trailing comma before '{frame.closer}' is not allowed: {self.strict}"
                        raise _Fail(message, comma, comma + 1)
                elif char != frame.closer:
                    raise self.separator_error(frame, pos)
                value, pos = self.close(pos)
            pointer, pos = self.next_item(frame, pos)

    def close(self, pos: int) -> tuple[Any, int]:
        frame = self.stack.pop()
        self.value_offsets[frame.pointer] = (frame.start, pos + 1)
        return frame.container, pos + 1

    def finish(self, value: Any, pos: int) -> Any:
        pos = self.skip(pos)
        if pos < self.n:
            raise _Fail(f"expected end of file after the top-level value, found {self.found(pos)}", pos, pos + 1)
        if self.duplicates:
            self.prune(value)
        return value

    def prune(self, root: Any) -> None:
        # Pointers under an overwritten duplicate member are stale; a later occurrence rewrote every live one.
        live: set[str] = set()
        todo: list[tuple[str, Any]] = [("", root)]
        while todo:
            pointer, value = todo.pop()
            live.add(pointer)
            if isinstance(value, dict):
                todo.extend((join_pointer(pointer, key), item) for key, item in value.items())
            elif isinstance(value, list):
                todo.extend((join_pointer(pointer, index), item) for index, item in enumerate(value))
        self.value_offsets = {p: o for p, o in self.value_offsets.items() if p in live}
        self.key_offsets = {p: o for p, o in self.key_offsets.items() if p in live}

    def skip(self, pos: int) -> int:
        """Skip whitespace (and, in JWCC, comments); reject comments that the mode does not allow."""
        text, n = self.text, self.n
        if pos < n and text[pos] in " \t\r\n/":
            space = self.space(text, pos)
            assert space is not None  # the pattern matches the empty string
            pos = space.end()
            if pos < n and text[pos] == "/" and text[pos + 1 : pos + 2] in ("/", "*"):
                raise self.comment_error(pos)
        return pos

    def comment_error(self, pos: int) -> _Fail:
        text, n = self.text, self.n
        line = text[pos + 1] == "/"
        if not self.jwcc:
            end = text.find("\n", pos) if line else text.find("*/", pos + 2) + 2
            return _Fail(f"comments are not allowed: {self.strict}", pos, n if end < pos + 2 else end)
        if line:
            # hujson ends a line comment at '\n' and fails with "parsing comment: unexpected EOF" without one.
            return _Fail(
                "this '//' comment is on the last line and has no line break after it, which Railpack "
                "(tailscale/hujson) rejects; add a newline at the end of the file",
                pos,
                n,
            )
        return _Fail("unterminated block comment: '/*' has no matching '*/'", pos, pos + 2)

    def next_item(self, frame: _Frame, pos: int) -> tuple[str, int]:
        """Return the pointer of the next member or element, and where its value starts."""
        if frame.closer == "]":
            return join_pointer(frame.pointer, len(frame.container)), pos
        text = self.text
        match = _STRING.match(text, pos)
        if match is None:
            raise self.key_error(pos)
        end = match.end()
        key = frame.key = self.decode(match.group())
        pointer = join_pointer(frame.pointer, key)
        first = frame.seen.get(key)
        if first is None:
            frame.seen[key] = (pos, end)
        else:
            self.duplicates.append((frame.pointer, key, first, (pos, end)))
        self.key_offsets[pointer] = (pos, end)
        pos = self.skip(end)
        if not text.startswith(":", pos):
            end = pos if pos >= self.n else pos + 1
            raise _Fail(f"expected ':' after the object key {_clip(match.group())}, found {self.found(pos)}", pos, end)
        return pointer, self.skip(pos + 1)

    @staticmethod
    def decode(token: str) -> str:
        # Fast path: without a backslash the content is the slice; otherwise let json decode the escapes.
        return json.loads(token) if "\\" in token else token[1:-1]

    def scalar(self, pos: int) -> tuple[Any, int]:
        text, n = self.text, self.n
        char = text[pos] if pos < n else ""
        if char == '"':
            match = _STRING.match(text, pos)
            if match is None:
                raise self.string_error(pos)
            return self.decode(match.group()), match.end()
        if char == "-" or "0" <= char <= "9":
            match = _NUMBER.match(text, pos)
            if match is not None:
                end = match.end()
                if end >= n or not (text[end].isalnum() or text[end] in "._+-$"):
                    if match.group(1) or match.group(2):
                        return float(match.group()), end
                    try:
                        return int(match.group()), end
                    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
                        raise _Fail(f"integer with {end - pos} digits is too long to be a number", pos, end) from None
        else:
            word = _WORD.match(text, pos)
            if word is not None and word.group() in _LITERALS:
                return _LITERALS[word.group()], word.end()
        raise self.value_error(pos)

    def found(self, pos: int) -> str:
        if pos >= self.n:
            return "end of file"
        char = self.text[pos]
        if char in "\r\n":
            return "a line break"
        return f"'{char}'" if char.isprintable() and char != " " else f"U+{ord(char):04X}"

    def separator_error(self, frame: _Frame, pos: int) -> _Fail:
        what = "an object member" if frame.closer == "}" else "an array element"
        message = f"expected ',' or '{frame.closer}' after {what}, found {self.found(pos)}"
        if pos >= self.n:
            return _Fail(message, pos, pos)
        if self.text[pos] in "\"'{[-0123456789" or self.text[pos].isalpha():
            message += " (missing comma?)"
        return _Fail(message, pos, pos + 1)

    def single_quote_error(self, pos: int, what: str) -> _Fail:
        match = _SINGLE_QUOTED.match(self.text, pos)
        end = match.end() if match else pos + 1
        return _Fail(f"single-quoted {what} are not allowed; use double quotes; {self.hint}", pos, end)

    def comma_error(self, pos: int, expected: str) -> _Fail:
        return _Fail(
            f"expected {expected}, found ','; JSON allows no empty elements and at most one trailing "
            f"comma; {self.hint}",
            pos,
            pos + 1,
        )

    def key_error(self, pos: int) -> _Fail:
        text, n = self.text, self.n
        if pos >= n:
            return _Fail("expected an object key in double quotes, found end of file", n, n)
        char = text[pos]
        if char == '"':
            return self.string_error(pos)
        if char == "'":
            return self.single_quote_error(pos, "keys")
        if char == ",":
            return self.comma_error(pos, "an object key")
        loose = _LOOSE.match(text, pos)
        if loose is not None:
            token = _clip(loose.group())
            return _Fail(
                f"unquoted key '{token}'; object keys must be in double quotes, e.g. \"{token}\"; {self.hint}",
                pos,
                loose.end(),
            )
        return _Fail(f"expected an object key in double quotes, found {self.found(pos)}", pos, pos + 1)

    def value_error(self, pos: int) -> _Fail:
        text, n = self.text, self.n
        if pos >= n:
            return _Fail("expected a value, found end of file", n, n)
        char = text[pos]
        if char == "'":
            return self.single_quote_error(pos, "strings")
        if char == ",":
            return self.comma_error(pos, "a value")
        loose = _LOOSE.match(text, pos)
        if loose is None:
            return _Fail(f"expected a value, found {self.found(pos)}", pos, pos + 1)
        return _Fail(self.word_message(loose.group()), pos, loose.end())

    def word_message(self, token: str) -> str:
        """Explain why a run of number/identifier characters is not a JSON value."""
        bare, shown = token.lstrip("+-"), _clip(token)
        if not bare:
            return f"expected a digit after '{token[-1]}'"
        if bare.lower() in ("nan", "infinity", "inf"):
            return f"{shown} is not a JSON number: NaN and Infinity are not allowed; {self.hint}"
        if token in _NOT_LITERALS:
            return f"{token} is not a JSON literal; write {_NOT_LITERALS[token]} (JSON literals are lowercase)"
        if re.match(r"0[xX]", bare):
            try:
                decimal = f"write {int(token, 16)}"
            except ValueError:
                decimal = "write the number"
            return f"hexadecimal numbers such as {shown} are not allowed; {decimal} in decimal; {self.hint}"
        if token.startswith("+"):
            return f"a leading '+' is not allowed in JSON numbers; write {_clip(token[1:])}; {self.hint}"
        if re.fullmatch(r"-?0[0-9]+(?:[.eE].*)?", token):
            example = f"{int(bare, 8)} for {bare}" if re.fullmatch("0[0-7]+", bare) else "420 for 0644"
            return (
                f"numbers cannot have leading zeros ({shown}); file modes must be written in decimal, "
                f"e.g. {example}; {self.hint}"
            )
        if bare.startswith("."):
            return f"a number cannot start with a decimal point ({shown}); write 0{_clip(bare)}; {self.hint}"
        if re.fullmatch(r"-?[0-9]+\.(?:[eE].*)?", token):
            return f"a number cannot end with a decimal point ({shown}); write a digit after it; {self.hint}"
        if token[0] in "-0123456789.":
            return f"invalid number {shown}"
        return f"expected a value, found {shown}; strings must be in double quotes"

    def string_error(self, pos: int) -> _Fail:
        """The string starting at `pos` did not match: find the first character that broke it."""
        text, n = self.text, self.n
        i = _STRING_PREFIX.match(text, pos + 1).end()  # type: ignore[union-attr]  # matches the empty string
        if i >= n:
            return _Fail("unterminated string: no closing '\"' before the end of the file", pos, n)
        char = text[i]
        if char in "\r\n":
            return _Fail(
                "unterminated string: the line ends before the closing '\"'; JSON strings cannot contain "
                f"raw line breaks (write \\n); {self.hint}",
                i,
                i + 1,
            )
        if char != "\\":
            escaped = "\\t" if char == "\t" else f"\\u{ord(char):04x}"
            return _Fail(
                f"raw control character U+{ord(char):04X} inside a string; write it as {escaped}; {self.hint}", i, i + 1
            )
        escape = text[i + 1 : i + 2]
        if not escape:
            return _Fail("unterminated string: no closing '\"' before the end of the file", pos, n)
        if escape == "u":
            end = _HEX_DIGITS.match(text, i + 2).end()  # type: ignore[union-attr]  # always matches
            return _Fail("invalid \\u escape: expected four hexadecimal digits", i, end)
        if escape in "\r\n":
            return _Fail(f"a backslash before a line break does not continue a JSON string; {self.hint}", i, i + 2)
        shown = escape if escape.isprintable() else f"U+{ord(escape):04X}"
        return _Fail(
            f"invalid escape '\\{shown}' in string; JSON allows only \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
            i,
            i + 2,
        )
