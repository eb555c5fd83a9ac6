"""Python version pins outside pyproject.toml: .python-version, runtime.txt, .tool-versions, and Railpack's
reading of them.

This module owns how each of those small files names a Python version (with offsets, so a rule can point at
it) and Railpack's own normalisation of a version string. It parses given text only; it never reads files.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from packaging.version import InvalidVersion, Version


class VersionEntry(NamedTuple):
    """One version as written; offsets are 0-based code points into the file's text, end exclusive."""

    # A named tuple, not a frozen dataclass: as immutable, and cheaper to create at import, which every run pays.

    text: str
    start: int
    end: int
    line: int  # 1-based
    version: Version | None  # set when `text` is a plain CPython version such as 3.12 or python-3.12.4
    error: str | None  # why `text` is not a usable version, when it is not


# Prefixes people write before the number; only one is removed ("cpython-" before "python" on purpose).
_PREFIXES = ("cpython-", "python-", "python", "v")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}(?:(?:a|b|rc)[0-9]+)?")
# Interpreters pyenv and mise can install that are not CPython, which is all Railpack's Python provider builds.
# A pattern string, compiled on first use (re's own cache): only a version that is not a plain number needs it.
_OTHER_IMPLEMENTATIONS = (
    r"(?i)(pypy|jython|ironpython|graalpy|graalpython|micropython|stackless|pyston|cinder|nogil"
    r"|anaconda|miniconda|miniforge|mambaforge|activepython)"
)
# Go's regexp \d is ASCII only, so [0-9] (internal/utils/utils.go, ExtractSemverVersion).
_SEMVER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:\.[0-9]+)?")
# pyenv splits a .python-version line on bash's IFS plus \r (pyenv-version-file-read).
_WORD = re.compile(r"[^ \t\r\n]+")
# Go's unicode.IsSpace, used by strings.TrimSpace and strings.Fields; str.isspace() also counts \x1c-\x1f.
_GO_SPACE = (
    "\t\n\v\f\r"
    " \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_MINOR = re.compile(r"([0-9]+)\.([0-9]+)(?:\.[0-9]+)?(?:(?:a|b|rc)[0-9]+)?(?:\.x|\.\*)?", re.I)


def parse_python_version_file(text: str) -> tuple[VersionEntry, ...]:
    """.python-version as pyenv reads it: the first word of each line, skipping blank lines and `#` comments.

    pyenv allows several versions (one per line); the first is the one that `python` runs.
    """
    entries: list[VersionEntry] = []
    for number, (line_start, line_text) in enumerate(_lines(text), start=1):
        word = _WORD.search(line_text)
        if word is None or word.group().startswith("#"):
            continue
        entries.append(_entry(word.group(), line_start + word.start(), number))
    return tuple(entries)


def parse_runtime_txt(text: str) -> VersionEntry | None:
    """runtime.txt as Railpack reads it: the first `N`, `N.N` or `N.N.N` anywhere in the file; None if there is none.

    Railpack ignores everything around the number, so `pypy3.10` yields 3.10; the entry keeps the version and says why.
    """
    match = _SEMVER.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    entry = _entry(match.group(), match.start(), line)
    word = _WORD.search(text)
    if word is not None and re.match(_OTHER_IMPLEMENTATIONS, word.group()):
        return VersionEntry(
            entry.text,
            entry.start,
            entry.end,
            line,
            entry.version,
            f"{word.group()} is not CPython; Railpack reads it as {match.group()}",
        )
    return entry


def parse_tool_versions(text: str) -> VersionEntry | None:
    """.tool-versions (asdf, mise): the first version on the first `python` line; None without one."""
    for number, (line_start, line_text) in enumerate(_lines(text), start=1):
        content = line_text.split("#", 1)[0]  # asdf drops everything after `#`
        words = list(_WORD.finditer(content))
        if len(words) >= 2 and words[0].group() == "python":
            return _entry(words[1].group(), line_start + words[1].start(), number)
    return None


def normalise_railpack_version(spec: str) -> str:
    """Railpack's resolveToFuzzyVersion (core/resolver/version.go in github.com/railwayapp/railpack), step by step."""
    version = spec.strip(_GO_SPACE)
    if version in ("", "*"):
        return "latest"
    if ">=" in version or "<" in version:
        parts = [part for part in re.split(f"[{_GO_SPACE}]+", version) if part]
        for index, part in enumerate(parts):
            if part.startswith(">="):
                # The number follows ">=" in the same word, or is the next word (">= 3.10").
                value = part[2:]
                if value == "" and index + 1 < len(parts):
                    value = parts[index + 1]
                return value.strip(_GO_SPACE).split(".")[0]
        # A range with no ">=" word ("<3.13", ">3.9") falls through to the steps below, as in Go.
    if version.startswith("^"):
        return version[1:].split(".")[0]
    version = version.removeprefix("~").removeprefix("v")
    return version.replace(".x", "").rstrip(".")


def minor_of(spec: str) -> tuple[int, int] | None:
    """(major, minor) when `spec` names one minor release: "3.12", "3.12.4", "python-3.12", "3.12.x",
    "==3.12.1", "~3.12".

    None when it names no single minor: "3", "latest", ">=3.10", "~=3.10", "3.12t".
    """
    version = spec.strip()
    if version.startswith("=="):
        version = version[2:].strip()
    elif version.startswith("~") and not version.startswith("~="):
        version = version[1:]
    match = _MINOR.fullmatch(_strip_prefix(version))
    if match is None or len(match.group(1)) > 6 or len(match.group(2)) > 6:
        return None
    return int(match.group(1)), int(match.group(2))


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, content) per line, split as LineIndex counts lines: at \\n, with a \\r before it left in."""
    result: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        result.append((offset, line))
        offset += len(line) + 1
    return result


def _strip_prefix(text: str) -> str:
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            return text[len(prefix) :]
    return text


def _entry(text: str, start: int, line: int) -> VersionEntry:
    version, error = _version(text)
    return VersionEntry(text, start, start + len(text), line, version, error)


def _version(text: str) -> tuple[Version | None, str | None]:
    bare = _strip_prefix(text)
    if _PLAIN.fullmatch(bare):
        try:
            return Version(bare), None
        except (InvalidVersion, ValueError):  # ValueError: more digits than int() accepts
            return None, f"{text} is not a version"
    if re.match(_OTHER_IMPLEMENTATIONS, text):
        return None, f"{text} is not CPython"
    if text.lower() == "system":
        return None, "system means whatever interpreter the machine has, not a version"
    if re.fullmatch(r"[0-9]+(\.[0-9]+)*t", bare):
        return None, f"{text} is a free-threaded build, not a plain version"
    return None, f"{text} is not a version"
