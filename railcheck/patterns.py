"""Gitignore-style patterns: `.gitignore` files read leniently, as git reads them, and the patterns of
railcheck's own configuration (`exclude`, `per-file-ignores`) checked, so a bad one is a configuration error
that says where it is."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from typing import Any


def gitignore_spec(lines: Iterable[str]) -> Any:
    """The patterns of an ignore file. A line git accepts but matches nothing with (`!`, a trailing lone
    backslash) is left out, as git leaves it out, instead of stopping the run."""
    lines = list(lines)
    try:
        return _compiled(lines)
    except ValueError:  # GitIgnorePatternError; rare, so only then is each line tried on its own
        return _compiled([line for line in lines if _valid(line)])


def config_spec(patterns: Iterable[str], key: str, source: str, text: str | None) -> Any:
    """The patterns of a configuration key; raises ConfigError naming the first bad one and its line."""
    patterns = list(patterns)
    try:
        return _compiled(patterns)
    except ValueError:  # GitIgnorePatternError: find the first bad one to say where it is
        from railcheck.config import ConfigError

        pattern = next((pattern for pattern in patterns if not _valid(pattern)), None)
        if pattern is None:
            raise
        raise ConfigError(
            f"{source}{_line_of(pattern, text)}: `{key}`: {json.dumps(pattern)} is not a valid gitignore pattern (a"
            " lone `!`, or a `\\` with nothing after it)"
        ) from None


def _compiled(lines: list[str]) -> Any:
    # Imported only when a .gitignore or a pattern exists: most runs need no pattern matching at all.
    import pathspec

    with warnings.catch_warnings():
        # A bracket set such as `[[]` (git: the character `[`) makes Python's `re` warn that nested sets may
        # mean something else one day. The pattern means what git means today; the warning would only reach
        # the user's terminal as noise about railcheck's internals.
        warnings.simplefilter("ignore", FutureWarning)
        return pathspec.GitIgnoreSpec.from_lines(lines)


def _valid(line: str) -> bool:
    try:
        _compiled([line])
    except ValueError:
        return False
    return True


def _line_of(pattern: str, text: str | None) -> str:
    """`:<line>` of the first line of the configuration text that holds `pattern` as a TOML string."""
    if text is None:
        return ""
    spellings = (json.dumps(pattern, ensure_ascii=False), f"'{pattern}'")
    for number, line in enumerate(text.splitlines(), 1):
        if any(spelling in line for spelling in spellings):
            return f":{number}"
    return ""
