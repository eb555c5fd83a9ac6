"""pip requirements files (requirements.txt, constraints.txt and friends), one logical line at a time, with offsets.

This module owns the requirements-file grammar: comments, backslash continuations, where a requirement ends and
its options begin, option syntax, and what each logical line is (requirement, include, path, URL...). It follows
pip's own reader (pip/_internal/req/req_file.py: join_lines, ignore_comments, break_args_options, then shlex and
optparse for the options) so that a line means here what it means to `pip install -r`. It never reads files, so
local paths are recognised by their shape rather than by existing, and `${VAR}` stays as written. Never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from railcheck.sources.text import LineIndex


class RequirementLine(NamedTuple):
    """One logical line; offsets are 0-based code points into the original text, end exclusive."""

    # Named tuples, not frozen dataclasses: as immutable, and cheaper to create at import, which every run pays.

    kind: str  # requirement | include | constraint | editable | option | path | url | invalid
    text: str  # without comment and continuation backslashes, stripped
    start: int
    end: int
    line: int  # 1-based, as LineIndex counts lines
    name: str | None = None  # canonical project name
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str | None = None
    url: str | None = None  # direct-reference URL, the URL/path of url/path lines, the target of -r/-c/-e
    argument: str | None = None  # -r/-c/-e value (else the first option's), as written, quotes included
    argument_start: int | None = None
    argument_end: int | None = None
    hashes: tuple[str, ...] = ()
    error: str | None = None


class RequirementsFile(NamedTuple):
    lines: tuple[RequirementLine, ...]


# pip's COMMENT_RE: `#` opens a comment only at the start or after whitespace, so `url#egg=name` survives.
_COMMENT = re.compile(r"(^|\s+)#.*$")
# pip's is_url(): http(s), ftp, file and the VCS schemes (git+https, hg+ssh, svn, bzr+sftp, ...).
# _URL, _EGG, _TRAILING_EXTRAS and _PIECE are pattern strings, compiled on first use (re's own cache): most
# files hold only plain requirements, and compiling them at import is work every run would pay.
_URL = r"(?i)(https?|ftp|file|git|svn|(git|hg|svn|bzr)\+[a-z-]+):"
_EGG = r"[#&]egg=([^&]*)"
_TRAILING_EXTRAS = r"^(.+)(\[[^\]]+\])$"  # pip's _strip_extras
_ARCHIVES = (
    ".whl",
    ".zip",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_OPTION_START = re.compile(r"(?<![^ ])-")  # a "-" at the start or after a space (only spaces split, as in pip)
_OPERATORS = ("==", "!=", "<=", ">=", "~=", "<", ">")
# One shlex.split (posix) word: plain runs with backslash escapes, '...' taken literally, "..." with \" and \\.
_WORD = re.compile(r"""(?:[^ \t\r\n'"\\]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+""", re.S)
_PIECE = r"""(?s)\\(.)|'([^']*)'|"((?:[^"\\]|\\.)*)"|(.)"""
# Options pip accepts in a requirements file (SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ, plus --global-option,
# which pip < 25.3 still takes), each with whether it takes a value. Long names may be abbreviated, as in optparse.
_LONG: dict[str, bool] = {
    "--index-url": True, "--pypi-url": True, "--extra-index-url": True, "--no-index": False,
    "--constraint": True, "--requirement": True, "--editable": True, "--find-links": True,
    "--no-binary": True, "--only-binary": True, "--prefer-binary": False, "--require-hashes": False,
    "--no-require-hashes": False, "--pre": False, "--all-releases": True, "--only-final": True,
    "--trusted-host": True, "--use-feature": True, "--hash": True, "--config-settings": True,
    "--global-option": True,
}  # fmt: skip
_SHORT = {"-i": "--index-url", "-c": "--constraint", "-r": "--requirement", "-e": "--editable",
          "-f": "--find-links", "-C": "--config-settings"}  # fmt: skip
# A line without a requirement is an editable, else an include, else a constraint: pip's ParsedLine precedence.
_KINDS = {"--editable": "editable", "--requirement": "include", "--constraint": "constraint"}
_HASH_ALGORITHMS = ("sha256", "sha384", "sha512")

# (option, value, value as written, start and end of that in the logical line)
_Option = tuple[str, str | None, str | None, int, int]


@lru_cache(maxsize=4096)
def parse_requirements(text: str) -> RequirementsFile:
    """Every logical line of `text` that is neither blank nor only a comment, in order."""
    index = LineIndex(text)
    found: list[RequirementLine] = []
    for joined, offsets in _logical_lines(text):
        cut = _COMMENT.search(joined)
        content = joined[: cut.start() if cut else len(joined)]
        lo = len(content) - len(content.lstrip())
        hi = len(content.rstrip())
        if lo >= hi:
            continue
        start, end = offsets[lo], offsets[hi - 1] + 1
        base = RequirementLine("invalid", content[lo:hi], start, end, index.position(start).line)
        found.append(_classify(base, offsets[lo:hi]))
    return RequirementsFile(tuple(found))


def _logical_lines(text: str) -> list[tuple[str, list[int]]]:
    """pip's join_lines over str.splitlines(), keeping each kept character's offset in `text`."""
    result: list[tuple[str, list[int]]] = []
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0
    for physical in text.splitlines(keepends=True):
        body = physical.splitlines()[0]
        if not body.endswith("\\") or _COMMENT.match(body):
            if _COMMENT.match(body):
                # pip prefixes a space so a comment line ending a continuation still reads as a comment.
                chars.append(" ")
                offsets.append(pos)
            chars.extend(body)
            offsets.extend(range(pos, pos + len(body)))
            result.append(("".join(chars), offsets))
            chars, offsets = [], []
        else:
            # pip strips backslashes from both ends of a continued line (str.strip("\\")).
            lead = len(body) - len(body.lstrip("\\"))
            kept = body.strip("\\")
            chars.extend(kept)
            offsets.extend(range(pos + lead, pos + lead + len(kept)))
        pos += len(physical)
    if chars:
        result.append(("".join(chars), offsets))
    return result


def _classify(base: RequirementLine, offsets: list[int]) -> RequirementLine:
    text = base.text
    # pip's break_args_options: the requirement runs up to the first space-separated word starting with "-".
    dash = _OPTION_START.search(text)
    split = dash.start() if dash else len(text)
    options, error = _parse_options(text, split)
    hashes = tuple(value for option, value, *_ in options if option == "--hash" and value is not None)
    if error is not None:
        return base._replace(error=error, hashes=hashes)
    requirement = text[:split].strip()
    if requirement:
        return _classify_requirement(base, requirement)._replace(hashes=hashes)
    deciding = [found for found in options if found[0] in _KINDS]
    first = min(deciding, key=lambda found: list(_KINDS).index(found[0])) if deciding else next(iter(options), None)
    kind = _KINDS.get(first[0], "option") if first else "option"
    _, value, written, lo, hi = first or ("", None, None, 0, 0)
    if value is None or written is None:
        return base._replace(kind=kind, hashes=hashes)
    # An empty attached value (`--requirement=`) sits just after the `=`.
    argument_start = offsets[lo] if hi > lo else offsets[lo - 1] + 1
    argument_end = offsets[hi - 1] + 1 if hi > lo else argument_start
    line = base._replace(
        kind=kind, hashes=hashes, argument=written, argument_start=argument_start, argument_end=argument_end
    )
    if kind == "editable":
        name, extras = _egg(value) if re.match(_URL, value) else (None, _strip_extras(value)[1])
        return line._replace(url=value, name=name, extras=extras)
    return line._replace(url=value) if kind != "option" else line


# `name[extras] <op> version` with a plain PEP 440 version: most lines of most files. Read without packaging,
# whose import costs ~15 ms at start-up; anything else goes through packaging.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SIMPLE = re.compile(
    rf"^\s*(?P<name>{_NAME})\s*"
    rf"(?:\[\s*(?P<extras>{_NAME}(?:\s*,\s*{_NAME})*)\s*\])?\s*"
    r"(?P<op>==|>=|<=|!=|<|>)\s*(?P<version>\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?)\s*$"
)


def _canonical(name: str) -> str:
    # PEP 503 normalisation, as packaging.utils.canonicalize_name does it.
    return re.sub(r"[-_.]+", "-", name).lower()


def _classify_requirement(base: RequirementLine, requirement: str) -> RequirementLine:
    simple = _SIMPLE.match(requirement)
    if simple:
        extras = (
            tuple(sorted({part.strip() for part in simple.group("extras").split(",")}))
            if simple.group("extras")
            else ()
        )
        return base._replace(
            kind="requirement",
            name=_canonical(simple.group("name")),
            specifier=simple.group("op") + simple.group("version"),
            extras=extras,
        )
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if re.match(_URL, requirement):
        # For URLs pip only splits the marker at "; ", since a bare ";" may belong to the URL.
        url, _, marker = requirement.partition("; ")
        kind = "path" if url.lower().startswith("file:") else "url"
        name, extras = _egg(url)
        return _with_marker(base._replace(kind=kind, url=url.strip(), name=name, extras=extras), marker)
    head, _, marker = requirement.partition(";")
    path, extras = _strip_extras(head.strip())
    before_at = head.split("@", 1)[0]
    # pip: a path has a separator or starts with "."; an archive name is a path unless it is `name @ url`.
    if (
        any(sep in before_at for sep in "/\\")
        or before_at.startswith(".")
        or ("@" not in head and path.lower().endswith(_ARCHIVES))
    ):
        return _with_marker(base._replace(kind="path", url=path, extras=extras), marker)
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement as problem:
        error = _readable(str(problem), requirement)
        if "${" in requirement:
            error += "; pip expands ${VAR} from the environment before parsing, which is not done here"
        return base._replace(error=error)
    return base._replace(
        kind="requirement", name=canonicalize_name(parsed.name), specifier=str(parsed.specifier),
        extras=tuple(sorted(parsed.extras)), marker=str(parsed.marker) if parsed.marker else None, url=parsed.url,
    )  # fmt: skip


def _with_marker(line: RequirementLine, marker: str) -> RequirementLine:
    if not marker.strip():
        return line
    from packaging.markers import InvalidMarker, Marker

    try:
        return line._replace(marker=str(Marker(marker.strip())))
    except InvalidMarker as problem:
        return line._replace(kind="invalid", name=None, url=None, extras=(), error=_readable(str(problem), marker))


def _egg(url: str) -> tuple[str | None, tuple[str, ...]]:
    """Project name and extras from a `#egg=name[extras]` fragment."""
    match = re.search(_EGG, url)
    return (_name_and_extras(match.group(1)) if match else None) or (None, ())


def _strip_extras(path: str) -> tuple[str, tuple[str, ...]]:
    """pip's _strip_extras: `./pkg[a,b]` is the path `./pkg` with extras a and b."""
    match = re.match(_TRAILING_EXTRAS, path)
    found = _name_and_extras("placeholder" + match.group(2)) if match else None
    return (match.group(1), found[1]) if match and found else (path, ())


def _name_and_extras(spec: str) -> tuple[str, tuple[str, ...]] | None:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        parsed = Requirement(spec)
    except InvalidRequirement:
        return None
    if parsed.specifier or parsed.marker or parsed.url:
        return None
    return canonicalize_name(parsed.name), tuple(sorted(parsed.extras))


def _readable(message: str, source: str) -> str:
    """packaging's first message line, plus where it stopped (its caret line) and pip's hint for a lone `=`."""
    lines = message.split("\n")
    readable = lines[0].strip()
    if len(lines) >= 3 and lines[2].endswith("^"):
        rest = source.strip()[max(0, len(lines[2]) - 5) :]
        readable += f" at {rest[:40]!r}" if rest.strip() else " at the end"
    if "=" in source and not any(operator in source for operator in _OPERATORS):
        readable += "; = is not a valid operator, did you mean ==?"
    return readable


def _parse_options(text: str, start: int) -> tuple[list[_Option], str | None]:
    """optparse over shlex.split(text[start:]) as pip does it, keeping where each value is written."""
    words: list[tuple[str, int, int]] = []
    pos = start
    while pos < len(text):
        if text[pos] in " \t\r\n":
            pos += 1
            continue
        match = _WORD.match(text, pos)
        if match is None or (match.end() < len(text) and text[match.end()] not in " \t\r\n"):
            return [], f"could not split options: unbalanced quote or backslash in {text[start:]!r}"
        words.append((match.group(), match.start(), match.end()))
        pos = match.end()
    found: list[_Option] = []
    index = 0
    while index < len(words):
        raw, lo, hi = words[index]
        word = _unquote(raw)
        index += 1
        if word == "--":
            break
        if word.startswith("--"):
            typed, equals, attached = word.partition("=")
            candidates = [name for name in _LONG if name == typed] or [name for name in _LONG if name.startswith(typed)]
            if len(candidates) != 1:
                listed = f" ({', '.join(sorted(candidates))}?)" if candidates else ""
                return found, f"{'ambiguous' if candidates else 'no such'} option: {typed}{listed}"
            option, prefix, value = candidates[0], typed + equals, attached if equals else None
            if not _LONG[option] and equals:
                return found, f"{option} option does not take a value"
        elif word.startswith("-") and len(word) > 1:
            if word[:2] not in _SHORT:
                return found, f"no such option: {word[:2]}"
            option, prefix, value = _SHORT[word[:2]], word[:2], word[2:] or None
        else:
            continue  # a stray positional word; pip's optparse collects and ignores it
        if _LONG[option] and value is None:
            if index >= len(words):
                return found, f"{prefix.rstrip('=')} option requires 1 argument"
            raw, lo, hi = words[index]
            value, prefix = _unquote(raw), ""
            index += 1
        if value is None:  # a flag: every valued option has its value by now
            found.append((option, None, None, lo, hi))
            continue
        skip = len(prefix) if raw.startswith(prefix) else 0
        found.append((option, value, raw[skip:], lo + skip, hi))
        # The checks pip's option callbacks make (_handle_merge_hash, _handle_config_settings).
        if option == "--hash" and value.partition(":")[0] not in _HASH_ALGORITHMS:
            return found, f"--hash takes sha256:, sha384: or sha512: followed by the digest, not {value!r}"
        if option == "--config-settings" and "=" not in value:
            return found, f"--config-settings takes KEY=VALUE, not {value!r}"
    return found, None


def _unquote(word: str) -> str:
    out: list[str] = []
    for piece in re.finditer(_PIECE, word):
        escaped, single, double, plain = piece.groups()
        if double is not None:
            out.append(re.sub(r'\\(["\\])', r"\1", double))
        else:
            out.append(next(part for part in (escaped, single, plain) if part is not None))
    return "".join(out)
