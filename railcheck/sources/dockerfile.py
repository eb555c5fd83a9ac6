"""Dockerfiles read statically into instructions and stages, every word with its offsets in the file.

Owns: the escape parser directive, comments, line continuations (comment and blank lines inside them are
dropped, as BuildKit does), heredocs (their bodies are kept as text and never interpreted), the JSON exec
form of `CMD`/`ENTRYPOINT`/`RUN`/`COPY`/`ADD`, `--flag` options, `ENV`/`ARG` pairs and stages (`FROM ... AS
name`). Nothing is executed and no variable is expanded: a word holding `$` is marked dynamic. Bad input
never raises; what cannot be read becomes a `problems` entry and the rest is still returned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Instructions BuildKit knows; anything else fails the build ("unknown instruction").
KNOWN = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
# Instructions whose arguments may be a JSON array (the exec form).
_EXEC_CAPABLE = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
_DIRECTIVE = re.compile(r"[ \t]*#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S*)[ \t]*$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


@dataclass(frozen=True, slots=True)
class Word:
    """One argument word: its text (quotes removed in the exec form) and its offsets in the file."""

    text: str
    start: int
    end: int

    @property
    def dynamic(self) -> bool:
        """True when the word holds a variable reference, so its value is only known at build time."""
        return "$" in self.text


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction. `arguments` is the logical text after the keyword (continuations joined, flags
    included); `words` its whitespace-separated words after the flags, or the exec-form items."""

    keyword: str
    start: int
    end: int
    arguments: str
    words: tuple[Word, ...]
    flags: tuple[tuple[str, str, Word], ...] = ()  # (name, value, word): `--from=build`
    exec_form: bool = False
    heredocs: tuple[str, ...] = ()  # bodies of `<<EOF` documents, not interpreted

    def flag(self, name: str) -> str | None:
        return next((value for flag, value, _ in self.flags if flag == name), None)

    @property
    def argument_start(self) -> int:
        return self.words[0].start if self.words else self.end


@dataclass(frozen=True, slots=True)
class Stage:
    """A `FROM` and the instructions up to the next one; `name` from `AS name`, lower-cased as BuildKit does."""

    base: str
    name: str | None
    instructions: tuple[Instruction, ...]
    start: int


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Dockerfile:
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    problems: tuple[Problem, ...] = ()
    escape: str = "\\"
    # The `# syntax=` parser directive: the frontend image that reads the file, when it names one.
    syntax: str | None = None


def parse_dockerfile(text: str) -> Dockerfile:
    """Read `text` as BuildKit's Dockerfile frontend does, without running or expanding anything."""
    reader = _Reader(text)
    reader.read()
    return Dockerfile(
        tuple(reader.instructions),
        _stages(reader.instructions, reader.problems),
        tuple(reader.problems),
        reader.escape,
        reader.syntax,
    )


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.escape = "\\"
        self.syntax: str | None = None
        self.instructions: list[Instruction] = []
        self.problems: list[Problem] = []

    def read(self) -> None:
        offsets = []
        position = 0
        for line in self.lines:
            offsets.append(position)
            position += len(line)
        index = self._directives()
        while index < len(self.lines):
            line = self.lines[index].rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                index += 1
                continue
            index = self._instruction(index, offsets)

    def _directives(self) -> int:
        """Parser directives come first, before any comment, blank line or instruction."""
        seen = set()
        for index, line in enumerate(self.lines):
            match = _DIRECTIVE.match(line.rstrip("\r\n"))
            if match is None or match.group(1).lower() in seen:
                return index
            name = match.group(1).lower()
            seen.add(name)
            if name == "escape" and match.group(2) in ("\\", "`"):
                self.escape = match.group(2)
            elif name == "syntax" and match.group(2):
                self.syntax = match.group(2)
        return len(self.lines)

    def _instruction(self, index: int, offsets: list[int]) -> int:
        # The logical line: characters and, for each, its offset in the file.
        chars: list[str] = []
        where: list[int] = []
        start = offsets[index] + len(self.lines[index]) - len(self.lines[index].lstrip())
        while index < len(self.lines):
            raw = self.lines[index]
            body = raw.rstrip("\r\n")
            if chars and (not body.strip() or body.lstrip().startswith("#")):
                index += 1  # blank and comment lines inside a continuation are dropped
                continue
            trimmed = body.rstrip(" \t")
            continued = trimmed.endswith(self.escape)
            content = trimmed[:-1] if continued else body
            chars.extend(content)
            where.extend(range(offsets[index], offsets[index] + len(content)))
            index += 1
            if not continued:
                break
        logical = "".join(chars)
        end = (where[-1] + 1) if where else start
        keyword_match = re.match(r"\s*(\S+)", logical)
        if keyword_match is None:
            return index
        keyword = keyword_match.group(1).upper()
        rest_start = keyword_match.end()
        while rest_start < len(logical) and logical[rest_start] in " \t":
            rest_start += 1
        arguments = logical[rest_start:]
        base = [*where[rest_start:], end]
        heredocs: list[str] = []
        if keyword in ("RUN", "COPY", "ADD") and "<<" in arguments:
            index, heredocs = self._heredocs(arguments, index)
            if heredocs and index > 0:
                end = offsets[index - 1] + len(self.lines[index - 1].rstrip("\r\n"))
        if keyword not in KNOWN:
            self.problems.append(
                Problem(
                    f"unknown instruction `{keyword_match.group(1)}`",
                    where[keyword_match.start(1)],
                    where[keyword_match.end(1) - 1] + 1,
                )
            )
        flags, body_start = (
            _flags(arguments, base) if keyword in ("ADD", "COPY", "RUN", "FROM", "HEALTHCHECK") else ((), 0)
        )
        words, exec_form = _words(keyword, arguments, body_start, base)
        self.instructions.append(Instruction(keyword, start, end, arguments, words, flags, exec_form, tuple(heredocs)))
        return index

    def _heredocs(self, arguments: str, index: int) -> tuple[int, list[str]]:
        """Consume the bodies of the `<<NAME` documents the instruction opens; returns the next line index."""
        bodies = []
        for match in _HEREDOC.finditer(arguments):
            strip_tabs, name = match.group(1) == "-", match.group(3)
            body = []
            while index < len(self.lines):
                line = self.lines[index].rstrip("\r\n")
                index += 1
                if (line.lstrip("\t") if strip_tabs else line) == name:
                    break
                body.append(line)
            bodies.append("\n".join(body))
        return index, bodies


def _flags(arguments: str, base: list[int]) -> tuple[tuple[tuple[str, str, Word], ...], int]:
    """Leading `--name=value` options; returns them and where the remaining arguments start."""
    flags: list[tuple[str, str, Word]] = []
    for match in re.finditer(r"\S+", arguments):
        token = match.group()
        if not token.startswith("--"):
            return tuple(flags), match.start()
        name, _, value = token[2:].partition("=")
        flags.append((name, value, Word(token, base[match.start()], base[match.end() - 1] + 1)))
    return tuple(flags), len(arguments) if flags else 0  # only options, or nothing at all


def _words(keyword: str, arguments: str, start: int, base: list[int]) -> tuple[tuple[Word, ...], bool]:
    body = arguments[start:]
    stripped = body.strip()
    if keyword in _EXEC_CAPABLE and stripped.startswith("["):
        items = _exec_items(body, start, base)
        if items is not None:
            return items, True
    if keyword == "ENV" or keyword == "ARG" or keyword == "LABEL":
        return tuple(_quoted_words(body, start, base)), False
    return (
        tuple(
            Word(match.group(), base[start + match.start()], base[start + match.end() - 1] + 1)
            for match in re.finditer(r"\S+", body)
        ),
        False,
    )


def _exec_items(body: str, start: int, base: list[int]) -> tuple[Word, ...] | None:
    """The JSON array's strings with their offsets, or None when it is not an array of strings (then Docker
    runs the text in the shell form, as written)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    items = []
    position = 0
    for item in value:
        match = re.compile(r'"((?:[^"\\]|\\.)*)"').search(body, position)
        if match is None:  # cannot happen for valid JSON, but offsets are a nicety, not a reason to fail
            return tuple(Word(item, base[start], base[start]) for item in value)
        items.append(Word(item, base[start + match.start()], base[start + match.end() - 1] + 1))
        position = match.end()
    return tuple(items)


def _quoted_words(body: str, start: int, base: list[int]) -> list[Word]:
    """Whitespace-separated words where quotes group (`ENV A="x y"`); quotes and backslashes are removed."""
    words = []
    index = 0
    while index < len(body):
        if body[index] in " \t":
            index += 1
            continue
        begin = index
        text = []
        quote = None
        while index < len(body) and (quote or body[index] not in " \t"):
            char = body[index]
            if quote and char == quote:
                quote = None
            elif not quote and char in "\"'":
                quote = char
            elif char == "\\" and index + 1 < len(body) and quote != "'":
                index += 1
                text.append(body[index])
            else:
                text.append(char)
            index += 1
        words.append(Word("".join(text), base[start + begin], base[start + index - 1] + 1))
    return words


def env_pairs(instruction: Instruction) -> list[tuple[str, str, Word]]:
    """`ENV`/`ARG` settings as (name, value, word); the legacy `ENV NAME value with spaces` form included.
    An `ARG` without a default has the value ""."""
    words = instruction.words
    if instruction.keyword == "ENV" and words and "=" not in words[0].text:
        rest = instruction.arguments[len(instruction.arguments) - len(instruction.arguments.lstrip()) :].split(None, 1)
        return [(words[0].text, rest[1].strip() if len(rest) > 1 else "", words[0])]
    pairs = []
    for word in words:
        name, _, value = word.text.partition("=")
        pairs.append((name, value, word))
    return pairs


def _stages(instructions: list[Instruction], problems: list[Problem]) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    current: list[Instruction] = []
    header: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if header is not None:
                stages.append(_stage(header, current))
            header, current = instruction, []
        elif header is None:
            if instruction.keyword != "ARG":
                problems.append(
                    Problem(f"`{instruction.keyword}` before the first FROM", instruction.start, instruction.end)
                )
        else:
            current.append(instruction)
    if header is not None:
        stages.append(_stage(header, current))
    return tuple(stages)


def _stage(header: Instruction, body: list[Instruction]) -> Stage:
    words = [word.text for word in header.words]
    name = words[2].lower() if len(words) >= 3 and words[1].upper() == "AS" else None
    return Stage(words[0] if words else "", name, tuple(body), header.start)
