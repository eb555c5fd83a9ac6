"""Railway watch patterns (`build.watchPatterns`): gitignore-style patterns, matched from the repository root.

Owns: reading one list of patterns into `WatchPattern`s (negation, the literal folder a pattern is confined
to) and matching repo-relative file paths against one pattern or the whole list, with pathspec's git
semantics. Railway matches the patterns from the repository root even when the service has a root
directory, and a negation only takes away what an earlier pattern included (docs/railpack-facts.md, "WP: watch
paths"). No I/O.

Railway does not say which matcher it uses. Git reads `**` inside a segment (`/app/**.js`, the example in
Railway's own docs) as a plain `*`, other matchers as "any depth"; `lenient_body` gives the second reading,
and callers that must be certain a path is *not* matched ask both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_GLOB = re.compile(r"[*?\[\\]")
# `**` glued to other characters in a segment: git reads it as `*`, other matchers as "any folders".
_GLUED_AFTER = re.compile(r"(?<=[^/])\*\*")
_GLUED_BEFORE = re.compile(r"\*\*(?=[^/])")


@dataclass(frozen=True, slots=True)
class WatchPattern:
    """One pattern as written, at position `index` of its list."""

    text: str
    index: int
    negated: bool
    # The pattern without `!` and without a leading `/`: what it matches, from the repository root.
    body: str
    # True when git anchors it to the repository root (a `/` before its last character); else it matches
    # a name at any depth.
    anchored: bool
    # The deepest folder (repo-relative, "." for the whole repository) outside of which it matches nothing.
    folder: str

    @property
    def includes(self) -> bool:
        return not self.negated


def parse_pattern(text: str, index: int) -> WatchPattern | None:
    """The pattern, or None for what git skips: blank lines and `#` comments."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    negated = stripped.startswith("!")
    body = stripped[1:] if negated else stripped
    anchored = "/" in body.rstrip("/")
    body = body.lstrip("/")
    folder = "."
    if anchored:
        segments = body.rstrip("/").split("/")[:-1]
        folder = "/".join(_takewhile_literal(segments)) or "."
    return WatchPattern(text, index, negated, body, anchored, folder)


def _takewhile_literal(segments: list[str]) -> Iterable[str]:
    for segment in segments:
        if _GLOB.search(segment):
            return
        yield segment


def lenient_body(body: str) -> str:
    """The body with glued `**` read as "any folders" (`app/**.js` → `app/**/*.js`)."""
    return _GLUED_BEFORE.sub("**/*", _GLUED_AFTER.sub("*/**", body))


@lru_cache(maxsize=4096)
def _compiled(line: str) -> Any:
    # Imported on first use: most services declare no watch patterns. A pattern git accepts but matches
    # nothing with (`src\\`, a lone `!`) matches nothing here too, instead of stopping the rule.
    from railcheck.patterns import gitignore_spec

    return gitignore_spec([line])


# A literal path segment: no glob character or escape, no whitespace, and no `!` or `#` first, which git
# reads specially at the start of a line (kept out everywhere: such names fall back to pathspec).
_LITERAL_SEGMENT = re.compile(r"[^*?\[\]\\/\s!#][^*?\[\]\\/\s]*")


def _literal(segment: str) -> bool:
    return segment not in (".", "..") and _LITERAL_SEGMENT.fullmatch(segment) is not None


@lru_cache(maxsize=4096)
def _matcher(line: str) -> Callable[[str], bool]:
    """A function telling whether a path matches the gitignore line `line`, exactly as pathspec's
    `match_file` does. The shapes nearly every watch list is made of (`/a/b/**`, `/a/b`, `/a/b/`, `name`,
    `name/`, `*.ext`, `**/*.ext`) are compared as strings; compiling each into pathspec's regular
    expression cost more than a whole service's other watch checks. Every other line, and any path
    pathspec would first normalise (a leading `/` or `./`, a line break), goes to pathspec."""
    shape = _shape(line)
    if shape is None:
        compiled: Callable[[str], bool] = _compiled(line).match_file
        return compiled
    kind, text = shape

    def match(path: str) -> bool:
        if path.startswith(("/", "./")) or "\n" in path:
            return bool(_compiled(line).match_file(path))
        if kind == "under":  # `/a/b/**`, `/a/b/`: what the folder holds
            return path.startswith(text)
        if kind == "anchored":  # `/a/b`: the file, or what the folder holds
            return path == text or path.startswith(f"{text}/")
        segments = path.split("/")
        if kind == "name":  # `name`: a file or folder of that name at any depth
            return text in segments
        if kind == "folder":  # `name/`: a folder of that name at any depth
            return text in segments[:-1]
        return any(segment.endswith(text) for segment in segments)  # `*.ext`: a name ending so

    return match


def _shape(line: str) -> tuple[str, str] | None:
    """(kind, text) for a line `_matcher` compares as strings; None for any other."""
    for prefix in ("/**/*", "**/*", "*"):
        if line.startswith(prefix):
            suffix = line[len(prefix) :]
            return ("suffix", suffix) if _literal(suffix) else None
    if line.startswith("/"):
        body = line[1:]
        under = body.endswith(("/**", "/"))
        folder = body[:-3] if body.endswith("/**") else body.removesuffix("/")
        if not all(_literal(segment) for segment in folder.split("/")):
            return None
        return ("under", f"{folder}/") if under else ("anchored", folder)
    name = line.removesuffix("/")
    if _literal(name):
        return ("folder", name) if line.endswith("/") else ("name", name)
    return None


@lru_cache(maxsize=4096)
def _lenient(body: str) -> str | None:
    """The lenient reading of `body` when it differs from git's, else None."""
    other = lenient_body(body)
    return other if other != body else None


def matches(pattern: WatchPattern, path: str, *, lenient: bool = True) -> bool:
    """Whether the pattern (ignoring its `!`) names the repo-relative file `path`: as git reads it, or
    (with `lenient`) as a matcher reading glued `**` as any folders does."""
    body = ("/" if pattern.anchored else "") + pattern.body
    if _matcher(body)(path):
        return True
    other = _lenient(body) if lenient else None
    return other is not None and _matcher(other)(path)


class PatternList:
    """A whole list, matched as git matches an ignore file: the last pattern that names a path decides."""

    def __init__(self, patterns: Iterable[WatchPattern]) -> None:
        self.patterns = tuple(patterns)

    def deploys(self, path: str) -> bool:
        """Whether a change to `path` matches the list (and so deploys). Inclusions are read leniently and
        negations strictly, so a "does not deploy" answer holds for either reading of `**`."""
        decided = False
        for pattern in self.patterns:
            if matches(pattern, path, lenient=pattern.includes):
                decided = pattern.includes
        return decided
