"""Values with where they were written: an `Origin` (a file and a span, or a description for defaults), a
`Candidate` value, and a `CommandText` (a shell command in a config file, mapped back to its offsets).

Plain data, no I/O: the facts, the builder and the image model all describe values this way, and none of
them needs the others to do so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from railcheck.sources.text import LineIndex
from railcheck.types import Span

# A command that installs the project itself (`pip install .`, `pip install -e .[dev]`, `uv sync`, `poetry
# install`): its dependencies then come from pyproject.toml, and the installer checks `requires-python`.
INSTALLS_PROJECT = re.compile(
    r"\binstall\b[^&|;]*\s(-e\s+)?\./?(\[[^\]]*\])?(\s|$)|\buv\s+sync\b|\b(poetry|pdm)\s+install\b"
)


class Origin(NamedTuple):
    """Where a value was written (a file and a span), or, for defaults, a description alone."""

    # Origin and Candidate are named tuples, not frozen dataclasses: as immutable, and cheaper to create at
    # import, which every run pays. CommandText stays a dataclass: it compares by identity (eq=False).

    label: str
    path: PurePosixPath | None = None
    span: Span | None = None


class Candidate(NamedTuple):
    value: str
    origin: Origin


@dataclass(frozen=True, slots=True, eq=False)
class CommandText:
    """A shell command written in a config file, and how its characters map back into that file.

    `base` is the file offset of `text[0]` when the literal maps one to one onto the text (no escapes);
    otherwise spans fall back to the whole literal.
    """

    text: str
    kind: str  # "start" | "install" | "build" | "pre-deploy"
    origin: Origin
    base: int | None = None
    lines: LineIndex | None = None
    exec_form: bool = False  # railpack {"cmd": ...}: split into words, run without a shell

    def span(self, start: int, end: int) -> Span | None:
        if self.base is not None and self.lines is not None:
            return self.lines.span(self.base + start, self.base + end)
        return self.origin.span
