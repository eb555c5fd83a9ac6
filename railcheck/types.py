"""Plain data shared by every layer: severities, positions, spans, edits, fixes and diagnostics.

Nothing here does I/O or imports anything else from railcheck.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, NamedTuple


class _EmptyMapping(Mapping[Any, Any]):
    """An empty mapping nobody can change: the default of a named tuple's mapping field, shared by every
    instance (a field cannot default to a new dict per instance, and a shared dict could be changed through any
    of them). Unlike `MappingProxyType({})` it pickles, as the one `EMPTY_MAPPING`."""

    __slots__ = ()

    def __getitem__(self, key: object) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "EMPTY_MAPPING"

    def __reduce__(self) -> str:
        return "EMPTY_MAPPING"  # pickle: the module's own instance


EMPTY_MAPPING: Mapping[Any, Any] = _EmptyMapping()


class Severity(enum.Enum):
    """How bad a finding is; ordered so that `ERROR > WARNING > INFO`."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Applicability(enum.Enum):
    """When a fix may be applied: `SAFE` with `--fix`, `UNSAFE` with `--unsafe-fixes`, `DISPLAY_ONLY` never."""

    DISPLAY_ONLY = "display-only"
    UNSAFE = "unsafe"
    SAFE = "safe"

    @property
    def rank(self) -> int:
        return _APPLICABILITY_RANK[self]


_APPLICABILITY_RANK = {Applicability.DISPLAY_ONLY: 0, Applicability.UNSAFE: 1, Applicability.SAFE: 2}


class Position(NamedTuple):
    """A place in a decoded text: 1-based line and column (in code points), 0-based offset."""

    # Position, Span, Edit, Fix and Related are named tuples, not frozen dataclasses: as immutable, ordered
    # the same way (field by field), and a fraction of the cost to create at import, which every run pays (a
    # dataclass's methods are compiled from source). Diagnostic stays a dataclass: rules and rule authors
    # derive findings from others with `dataclasses.replace`.

    line: int
    column: int
    offset: int


class Span(NamedTuple):
    """A half-open range `[start, end)` of a text."""

    start: Position
    end: Position


# Where a finding about a whole file (its existence, its kind) points: the start of its first line, so that
# every finding has a line for CI formats (SARIF's region.startLine) without reading the file.
FILE_START = Span(Position(1, 1, 0), Position(1, 1, 0))


class Edit(NamedTuple):
    """Replace `[start, end)` of the file at `path` (offsets into the text as read) with `content`."""

    path: PurePosixPath
    start: int
    end: int
    content: str


class Fix(NamedTuple):
    """A set of edits, possibly across files, that repairs one diagnostic."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @classmethod
    def safe(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, tuple(edits), Applicability.UNSAFE)

    @classmethod
    def display_only(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, tuple(edits), Applicability.DISPLAY_ONLY)


class Related(NamedTuple):
    """Another place that a diagnostic refers to, such as the value it conflicts with."""

    path: PurePosixPath
    span: Span | None
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `path` is repo-relative; `span` is None only for findings about a whole file."""

    code: str
    name: str
    message: str
    severity: Severity
    path: PurePosixPath
    span: Span | None
    service: str | None = None
    help: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        offset = self.span.start.offset if self.span else -1
        end = self.span.end.offset if self.span else -1
        return (str(self.path), offset, end, self.code, self.message)
