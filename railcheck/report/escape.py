"""Making text that came from the checked repository safe for the channel it is printed to.

File names, keys and values are chosen by whoever wrote the repository, possibly an untrusted pull request.
A line break in one of them could start a line a CI runner reads as a workflow command (`::error`,
`::add-mask::`) or end a Markdown table row; a lone surrogate (a JSON `"\\ud800"`, or a file name that is
not UTF-8) cannot be encoded at all. The reporters put such text through these functions.
"""

from __future__ import annotations

import re

# Characters that break a line or are invisible control codes: C0 (except tab), DEL, C1, and the Unicode
# line and paragraph separators, which some viewers break lines at. A pattern string, compiled on first use
# (re's own cache): most runs print no such text, and with U+2028 in it the class compiles to a large table
# that every run would pay for at import.
_CONTROL = "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]"
_NAMED = {"\n": "\\n", "\r": "\\r"}


def one_line(text: str) -> str:
    """`text` with line breaks and control characters written as escapes (`\\n`, `\\x1b`), so that it stays
    on the line it is printed on."""
    if text.isprintable():  # the usual case, checked in C
        return text
    return re.sub(_CONTROL, _escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    return _NAMED.get(character) or (
        f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}"
    )


def encodable(text: str) -> str:
    """`text` as valid UTF-8 can carry it: a lone surrogate becomes its escape (`\\udcff`), which is also
    the JSON escape for the same character, so JSON output stays valid and means the same."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def utf8_bytes(text: str) -> bytes:
    """`text` as bytes for a hash or a URI: a file name that was not UTF-8 gets its original bytes back."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a file name (a JSON "\ud800")
        return text.encode("utf-8", "backslashreplace")
