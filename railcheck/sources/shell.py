"""Shell command lines from deploy configs, split into simple commands whose words carry exact offsets.

Owns: parsing one command string (Railpack build command, Railway `startCommand` / `buildCommand` /
`preDeployCommand`, a Procfile line) with the tree-sitter bash grammar into `SimpleCommand`s, shell
unquoting of static words, control operators, recursion into `sh -c '...'`, and syntax errors as
`ParseFailure`. Offsets are code points into the string given, so callers add the string's own offset.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from railcheck.sources.text import ParseFailure

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


class Word(NamedTuple):
    """One shell word. `text` is unquoted when `static`; with expansions, quotes go but `$...` stays as written."""

    # Named tuples, not frozen dataclasses: as immutable, and cheaper to create at import, which every run pays.

    text: str
    start: int
    end: int
    static: bool


class SimpleCommand(NamedTuple):
    assignments: tuple[tuple[str, Word], ...]
    words: tuple[Word, ...]
    redirects: tuple[Word, ...]
    start: int
    end: int


class ShellScript(NamedTuple):
    commands: tuple[SimpleCommand, ...]
    operators: tuple[tuple[str, int, int], ...]


_EXPANSIONS = {"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion", "process_substitution"}
_OPERATORS = frozenset({"&&", "||", "|", "|&", ";", "&"})
# Inside these, `|`, `||`, `;` are pattern, test or arithmetic syntax, not control operators.
_NOT_CONTROL = {
    "case_item",
    "binary_expression",
    "unary_expression",
    "test_command",
    "c_style_for_statement",
    "arithmetic_expansion",
    "parenthesized_expression",
}
# The grammar accepts these as command names (and `;;` anywhere), but bash rejects them outside their compound.
_MISPLACED_KEYWORDS = frozenset({"then", "else", "elif", "fi", "do", "done", "esac", "}"})
_HOLDS_ASSIGNMENTS = {"command", "declaration_command", "variable_assignments"}
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh"})
# A pattern string, compiled on first use (re's own cache): only commands run through `env` need it.
_ENV_ASSIGNMENT = r"[A-Za-z_][A-Za-z0-9_]*="
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# Inside double quotes a backslash only escapes $ ` " \ and newline; before anything else it stays.
_DQ_ESCAPES = {"$": "$", "`": "`", '"': '"', "\\": "\\", "\n": ""}
_WORD_ESCAPES = {"\n": ""}  # unquoted: backslash-newline joins lines, any other backslash quotes its character
_ANSI_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "\\": "\\", "'": "'", '"': '"'}  # $'...', common ones

_parser: Parser | None = None
# One tree-sitter Parser is not safe to share between threads; parses are short, so a lock suffices.
_parser_lock = threading.Lock()


def _unescape(raw: str, table: dict[str, str], keep_unknown: bool) -> str:
    return _ESCAPE.sub(lambda m: table.get(m[1], m[0] if keep_unknown else m[1]), raw)


class _Builder:
    """Turns one syntax tree into commands; `base` shifts offsets when `text` is an inner `sh -c` script."""

    def __init__(self, text: str, base: int) -> None:
        self.text, self.base = text, base
        self.commands: list[SimpleCommand] = []
        self.operators: list[tuple[str, int, int]] = []

    def raw(self, node: Node) -> str:
        return self.text[node.start_byte : node.end_byte]

    def word(self, node: Node) -> Word:
        text, static = self.unquote(node)
        return Word(text, *self.span(node), static)

    def unquote(self, node: Node) -> tuple[str, bool]:
        kind, raw = node.type, self.raw(node)
        if kind in _EXPANSIONS:
            return raw, False
        if kind == "raw_string":
            return raw[1:-1], True
        if kind == "ansi_c_string":
            return _unescape(raw[2:-1], _ANSI_C_ESCAPES, True), True
        if kind == "word":
            return _unescape(raw, _WORD_ESCAPES, False), True
        if kind not in ("string", "translated_string", "concatenation"):
            return raw, True  # number, glob, brace expression, array: literal as written
        quoted = kind != "concatenation"
        table = _DQ_ESCAPES if quoted else _WORD_ESCAPES
        start = node.start_byte + (kind == "translated_string") + quoted
        end = node.end_byte - quoted
        parts: list[str] = []
        static = True
        for child in node.children:
            if child.start_byte < start or child.end_byte > end:
                continue  # the quotes themselves
            parts.append(_unescape(self.text[start : child.start_byte], table, quoted))
            if child.type == "string_content":
                parts.append(_unescape(self.raw(child), _DQ_ESCAPES, True))
            elif child.is_named:
                part, part_static = self.unquote(child)
                parts.append(part)
                static = static and part_static
            else:
                parts.append(self.raw(child))  # a lone `$` inside "..."
            start = child.end_byte
        parts.append(_unescape(self.text[start:end], table, quoted))
        return "".join(parts), static

    def assignment(self, node: Node) -> tuple[str, Word]:
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        end = self.span(node)[1]  # `A=` has no value node: an empty word, zero-width after the `=`
        return self.raw(name) if name else "", self.word(value) if value else Word("", end, end, True)

    def redirect_targets(self, node: Node, words: list[Word]) -> list[Word]:
        if node.type != "file_redirect":
            return []  # here-documents and here-strings feed stdin, they name no file
        targets = node.children_by_field_name("destination")
        operator = next((c.type for c in node.children if not c.is_named), "")
        # The grammar folds words after `> file` into the redirect; bash treats them as arguments.
        words.extend(self.word(extra) for extra in targets[1:])
        if not targets or (operator in (">&", "<&") and (targets[0].type == "number" or self.raw(targets[0]) == "-")):
            return []  # 2>&1, >&- duplicate or close a descriptor
        return [self.word(targets[0])]

    def command(self, node: Node) -> None:
        assignments: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirects: list[Word] = []
        # `cmd > out` wraps cmd in a redirected_statement. The grammar also hangs `a && b > out` and
        # `a | b > out` on the whole list or pipeline, where bash gives the redirect to the last command.
        children, holder, parent = list(node.children), node, node.parent
        while parent is not None and parent.type in ("list", "pipeline", "negated_command"):
            if parent.named_children[-1] != holder:
                break
            holder, parent = parent, parent.parent
        if (
            parent is not None
            and parent.type == "redirected_statement"
            and parent.child_by_field_name("body") == holder
        ):
            children += parent.children_by_field_name("redirect")
        for child in children:
            if child.type == "variable_assignment":
                assignments.append(self.assignment(child))
            elif child.type == "command_name" and child.named_child_count:
                words.append(self.word(child.named_children[0]))
            elif child.type.endswith("redirect"):
                redirects.extend(self.redirect_targets(child, words))
            elif child.is_named and child.type != "comment":
                words.append(self.word(child))
        words.sort(key=lambda w: w.start)
        if words and words[0].text.rsplit("/", 1)[-1] == "env":
            while len(words) > 1 and words[1].static and re.match(_ENV_ASSIGNMENT, words[1].text):
                word = words.pop(1)
                name, _, value = word.text.partition("=")
                inline = self.text[word.start - self.base :].startswith(name + "=")
                start = word.start + len(name) + 1 if inline else word.start
                assignments.append((name, Word(value, min(start, word.end), word.end, True)))
        self.commands.append(SimpleCommand(tuple(assignments), tuple(words), tuple(redirects), *self.span(node)))
        if words:
            self.inner_script(words)

    def inner_script(self, words: list[Word]) -> None:
        index = inline_script_index([word.text for word in words])
        if index is None:
            return
        script = words[index]
        raw = self.text[script.start - self.base : script.end - self.base]
        if not script.static and not raw.startswith('"'):
            # A double-quoted script keeps its `$VAR`s as written (`sh -c "uvicorn ... --port $PORT"`, the
            # form Railway documents); the inner shell sees them expanded, which the inner parse models.
            return
        # Only follow scripts whose characters sit 1:1 in the outer text, so offsets stay exact.
        if raw == script.text:
            offset = script.start
        elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == script.text:
            offset = script.start + 1
        else:
            return
        # Recursion stays shallow: without escapes only two quote kinds can nest.
        inner = _parse(script.text, offset)
        if isinstance(inner, ShellScript):  # a broken inner script is left to rules on the word itself
            self.commands.extend(inner.commands)
            self.operators.extend(inner.operators)

    def walk(self, root: Node) -> None:
        stack = [root]  # iterative: deeply nested $( ( ... ) ) must not hit Python's recursion limit
        while stack:
            node = stack.pop()
            kind, parent = node.type, node.parent
            if kind == "command":
                self.command(node)
            elif kind in ("declaration_command", "unset_command", "variable_assignments") or (
                kind == "variable_assignment" and parent is not None and parent.type not in _HOLDS_ASSIGNMENTS
            ):
                self.declaration(node)
            elif kind in _OPERATORS and not node.is_named:
                if parent is None or parent.type not in _NOT_CONTROL:
                    self.operators.append((kind, *self.span(node)))
            stack.extend(reversed(node.children))

    def declaration(self, node: Node) -> None:
        # export/declare/local/readonly/unset: the keyword and its flags as words, NAME=value pairs as
        # assignments. A bare `A=1` (or `A=1 B=2`) is a simple command made only of assignments.
        keyword = node.children[0]
        words = [] if keyword.is_named else [Word(keyword.type, *self.span(keyword), True)]
        assigned: list[tuple[str, Word]] = []
        for child in [node] if node.type == "variable_assignment" else node.named_children:
            if child.type == "variable_assignment":
                assigned.append(self.assignment(child))
            elif child.type != "variable_name" or node.type == "unset_command":
                words.append(self.word(child))
        self.commands.append(SimpleCommand(tuple(assigned), tuple(words), (), *self.span(node)))

    def syntax_error(self, root: Node) -> ParseFailure | None:
        """The first ERROR/MISSING node, or a construct the grammar accepts but bash rejects."""
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing or node.is_error:
                return self.failure(node)
            if (node.type == ";;" and node.parent is not None and node.parent.type != "case_item") or (
                node.type == "command_name" and self.raw(node) in _MISPLACED_KEYWORDS
            ):
                return ParseFailure(f"syntax error: unexpected {self.raw(node)!r}", *self.span(node))
            stack.extend(reversed(node.children))
        return None

    def failure(self, node: Node) -> ParseFailure:
        start, end = self.span(node)
        if node.is_missing and node.type not in ("word", "command_name", "command"):
            return ParseFailure(f"syntax error: missing {node.type!r}", start, end)
        if node.is_missing:
            before = node  # name the operator left without a command: `a &&`, `a |`
            while before.prev_sibling is None and before.parent is not None:
                before = before.parent
            after = f" after {before.prev_sibling.type!r}" if before.prev_sibling is not None else ""
            return ParseFailure(f"syntax error: expected a command{after}", start, end)
        raw = self.raw(node)  # ERROR nodes often begin with the blank before the culprit
        start, end, text = start + len(raw) - len(raw.lstrip()), end - len(raw) + len(raw.rstrip()), raw.strip()
        for opener, what in (
            ("'", "single quote"),
            ('"', "double quote"),
            ("`", "backquote"),
            ("$(", "command substitution"),
            ("${", "parameter expansion"),
        ):
            if text.startswith(opener):
                return ParseFailure(f"unterminated {what}", start, end)
        token = node
        while token.child_count:
            token = token.children[0]
        if token is node:
            return ParseFailure(f"syntax error: unexpected {(text.split() or [text])[0]!r}", start, end)
        if token.type in ("if", "for", "while", "until", "case", "select"):
            return ParseFailure(f"unterminated {token.type!r} statement", start, end)
        return ParseFailure(f"syntax error: unexpected {self.raw(token)!r}", *self.span(token))

    def span(self, node: Node) -> tuple[int, int]:
        return self.base + node.start_byte, self.base + node.end_byte


def _get_parser() -> Parser:
    global _parser
    if _parser is None:
        # Imported here, not at module load: the grammar costs time that a linter run without shell rules skips.
        from tree_sitter import Language, Parser

        _parser = Parser(Language(_bash_grammar()))
    return _parser


def _bash_grammar() -> object:
    """tree-sitter-bash's compiled grammar. Its package's `__init__` imports importlib.resources (with tempfile
    and more: about 5 ms, paid by every run that reads a command) for query files railcheck never reads, so
    the compiled module is loaded on its own; should its layout change, the package is imported as usual."""
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec("tree_sitter_bash")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_binding" + suffix)
            if os.path.isfile(path):
                loader = importlib.machinery.ExtensionFileLoader("tree_sitter_bash._binding", path)
                binding = importlib.util.spec_from_loader(loader.name, loader)
                if binding is None:
                    break
                module = importlib.util.module_from_spec(binding)
                loader.exec_module(module)
                return module.language()
    import tree_sitter_bash

    return tree_sitter_bash.language()


def _parse(text: str, base: int) -> ShellScript | ParseFailure:
    # tree-sitter-bash 0.25.1 calls isdigit() on the code point after `{`; above 255 that reads out of
    # bounds and can SIGSEGV (tree-sitter-bash#337). Parsing an ASCII stand-in avoids it, makes the
    # grammar's byte offsets equal code-point offsets of `text`, and matches bash, which splits words on
    # ASCII blanks only (the grammar's iswspace() would also split on U+00A0). Word text comes from `text`.
    data = _NON_ASCII.sub("x", text).encode("ascii")
    with _parser_lock:
        tree = _get_parser().parse(data)
    builder = _Builder(text, base)
    failure = builder.syntax_error(tree.root_node)
    if failure is not None:
        return failure
    builder.walk(tree.root_node)
    # Inner `sh -c` scripts are appended after their outer command; sorting restores source order.
    commands = sorted(builder.commands, key=lambda c: c.start)
    return ShellScript(tuple(commands), tuple(sorted(builder.operators, key=lambda o: o[1])))


def inline_script_index(words: Sequence[str]) -> int | None:
    """Where the words run a script given inline (`sh -c SCRIPT`; any shell, by path too, with options such as
    `-l`, `-e` or `--login` before `-c`): the index of SCRIPT, or None (no shell, a script file, no script)."""
    if not words or words[0].rsplit("/", 1)[-1] not in _SHELLS:
        return None
    for index, word in enumerate(words[1:], 1):
        if word == "--" or not word.startswith("-"):
            return None  # a script file
        if not word.startswith("--") and "c" in word[1:]:
            return index + 1 if index + 1 < len(words) else None
    return None


@lru_cache(maxsize=4096)
def parse_shell(text: str) -> ShellScript | ParseFailure:
    """Every simple command of `text` with word offsets, or why `text` is not valid shell. Never raises.

    Cached by text: the result is immutable and its offsets are relative to `text`, and a monorepo's
    services repeat the same install and start commands."""
    return _parse(text, 0)
