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
from collections.abc import Iterable
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


def matches(pattern: WatchPattern, path: str, *, lenient: bool = True) -> bool:
    """Whether the pattern (ignoring its `!`) names the repo-relative file `path`: as git reads it, or
    (with `lenient`) as a matcher reading glued `**` as any folders does."""
    body = ("/" if pattern.anchored else "") + pattern.body
    if _compiled(body).match_file(path):
        return True
    other = lenient_body(body) if lenient else body
    return other != body and bool(_compiled(other).match_file(path))


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
