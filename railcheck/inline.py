"""Inline suppression comments: finding them in the texts a check read, and matching findings to them.

`// railcheck: ignore[RP001,RP003] why` in railpack.json (JWCC) and `# railcheck: ignore[RW001] why` in
TOML files, requirements files and .python-version suppress the named codes on the comment's line and,
when the comment stands alone on its line, on the next line. A reason is required: a comment without one
suppresses nothing and is reported (RC006), as is one that suppressed nothing in a complete run. Fixes
never delete them: they edit values, and a comment is not part of any value.
Comments are only looked for in files that hold the marker, so a run without any costs one substring
search per file read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import NamedTuple

from railcheck.codes import engine_diagnostic
from railcheck.sources.text import LineIndex
from railcheck.types import Diagnostic, Span

MARKER = "railcheck:"
_SUPPRESSION = re.compile(r"railcheck:\s*ignore\[(?P<codes>[^\]\n]*)\](?P<reason>[^\n]*)")
# A pattern string, compiled on first use (re's own cache): only files holding a suppression comment need it.
_CODE = r"[A-Z]{2}\d{3}"
# Files whose `#` comments may hold a suppression (railway.json is strict JSON: no comments at all).
_HASH_NAMES = (".python-version", ".tool-versions")
_REQUIREMENTS = re.compile(r"requirements[^/]*\.txt")


class InlineSuppression(NamedTuple):
    """One `railcheck: ignore[...]` comment: where it is, the codes it names, the lines it covers, and why."""

    # A named tuple, not a frozen dataclass, for the cost at import (see run.CheckSettings).

    path: PurePosixPath
    span: Span
    codes: tuple[str, ...]
    reason: str
    lines: frozenset[int]

    @property
    def entry(self) -> tuple[str, str]:
        """How a suppression is recorded as used (as the configuration's ("ignore", selector) entries)."""
        return ("inline", f"{self.path}:{self.span.start.line}")

    @property
    def well_formed(self) -> bool:
        """Whether the comment suppresses anything: it gives a reason and names rule codes only."""
        return bool(self.reason and self.codes and all(re.fullmatch(_CODE, code) for code in self.codes))


def comment_token(path: PurePosixPath) -> str | None:
    """The comment opener of a file whose comments may suppress findings, None for other files."""
    name = path.name
    if name.endswith(".json"):
        return None if name.startswith("railway") else "//"  # Railpack's config is JWCC; Railway's is strict JSON
    if name.endswith(".toml") or name in _HASH_NAMES or _REQUIREMENTS.fullmatch(name):
        return "#"
    return None


def _comment_start(line: str, token: str) -> int | None:
    """Where the first comment of `line` starts, outside single-line strings; None without one."""
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote is not None:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = None
        elif char == '"' or (char == "'" and token == "#"):
            quote = char
        elif line.startswith(token, index):
            return index
        index += 1
    return None


def suppressions_in(path: PurePosixPath, text: str) -> list[InlineSuppression]:
    """The suppression comments of one file (none when its kind has no comments)."""
    token = comment_token(path)
    if token is None or MARKER not in text:
        return []
    lines = LineIndex(text)
    found = []
    offset = 0
    in_multiline = False
    for number, line in enumerate(text.split("\n"), start=1):
        line_start = offset
        offset += len(line) + 1
        # A TOML multi-line string ('''/""") spans lines: a `#` inside it is text, not a comment.
        delimiters = line.count('"""') + line.count("'''") if token == "#" else 0
        was_in_multiline = in_multiline
        in_multiline ^= delimiters % 2 == 1
        if was_in_multiline or delimiters or MARKER not in line:
            continue
        start = _comment_start(line, token)
        if start is None or (
            token == "#" and start > 0 and not line[start - 1].isspace() and _REQUIREMENTS.fullmatch(path.name)
        ):
            continue  # pip: `#` opens a comment only at the start of a line or after whitespace
        match = _SUPPRESSION.search(line, start)
        if match is None or line[start + len(token) : match.start()].strip():
            continue  # the marker is not at the start of the comment
        codes = tuple(code.strip().upper() for code in match.group("codes").split(",") if code.strip())
        alone = not line[:start].strip()
        if not alone and path.name == ".python-version":
            continue  # Railpack's tests cover whole-line comments there (railpack#426), not one after the version
        span = lines.span(line_start + start, line_start + len(line.rstrip()))
        covered = frozenset({number, number + 1} if alone else {number})
        found.append(InlineSuppression(path, span, codes, match.group("reason").strip(), covered))
    return found


def apply(
    diagnostics: Iterable[Diagnostic], texts: dict[PurePosixPath, str]
) -> tuple[list[Diagnostic], list[tuple[Diagnostic, InlineSuppression]], list[InlineSuppression]]:
    """(kept findings, (finding, suppression) pairs, every suppression comment in `texts`).

    A comment without a reason or with a malformed code suppresses nothing (see `malformed`)."""
    declared = [item for path, text in texts.items() if MARKER in text for item in suppressions_in(path, text)]
    if not declared:
        return list(diagnostics), [], []
    valid = [item for item in declared if item.well_formed]
    by_line: dict[tuple[PurePosixPath, int, str], InlineSuppression] = {}
    for item in valid:
        for line in sorted(item.lines):
            for code in item.codes:
                by_line.setdefault((item.path, line, code), item)
    kept, suppressed = [], []
    for diagnostic in diagnostics:
        at_line = diagnostic.span.start.line if diagnostic.span is not None else None
        match = by_line.get((diagnostic.path, at_line, diagnostic.code)) if at_line is not None else None
        if match is None:
            kept.append(diagnostic)
        else:
            suppressed.append((diagnostic, match))
    return kept, suppressed, declared


def _finding(item: InlineSuppression, message: str, help: str) -> Diagnostic:
    return engine_diagnostic("RC006", item.path, message, help, item.span)


def _written(item: InlineSuppression) -> str:
    return f"`railcheck: ignore[{','.join(item.codes)}]`"


def malformed(declared: Iterable[InlineSuppression]) -> Iterator[Diagnostic]:
    """RC006 for comments that cannot suppress anything: no reason, or no or malformed codes."""
    for item in declared:
        wrong = [code for code in item.codes if not re.fullmatch(_CODE, code)]
        if not item.codes or wrong:
            named = f" (`{wrong[0]}` is not one)" if wrong else ""
            yield _finding(
                item,
                f"{_written(item)} names no rule code{named}, so it suppresses nothing",
                "Name the codes to suppress, e.g. `railcheck: ignore[RP001] why it is fine here`.",
            )
        elif not item.reason:
            yield _finding(
                item,
                f"{_written(item)} gives no reason, so it suppresses nothing",
                "Say after the bracket why the finding does not apply here; reviewers and reports see it.",
            )


def unused(declared: Iterable[InlineSuppression], used: set[tuple[str, str]], ran: set[str]) -> Iterator[Diagnostic]:
    """RC006 for well-formed comments that suppressed nothing although every code they name ran (judge
    this only in a complete run: a rule that did not run suppresses nothing)."""
    for item in declared:
        if item.well_formed and item.entry not in used and set(item.codes) <= ran:
            yield _finding(
                item,
                f"{_written(item)} suppressed nothing in this run",
                "Remove it, so that the problem it hid is reported again if it comes back.",
            )
