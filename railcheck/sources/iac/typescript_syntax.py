"""The TypeScript front end's view of the syntax: tree-sitter's parser, literals, and helpers on its nodes.

Owns: the one shared tree-sitter parser (loaded on first use, so a run without TypeScript IaC files never
loads the grammar, and used under a lock), decoding JavaScript string escapes and number literals, and
walking tree-sitter nodes (named children without comments, statements, call arguments, casts that
change nothing, brackets left open).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Tree

_parser: Parser | None = None
# One tree-sitter Parser is not safe to share between threads; parses are short, so a lock suffices.
_parser_lock = threading.Lock()
SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
    "\n": "",
    "\r": "",
    "\r\n": "",
    "\u2028": "",
    "\u2029": "",
}
FUNCTION_NODES = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function",
        "function_declaration",
        "generator_function",
        "generator_function_declaration",
        "method_definition",
    }
)
LOOP_NODES = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
TRANSPARENT_NODES = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)


def parse_typescript(data: bytes) -> Tree:
    """The syntax tree of UTF-8 `data`; the parser is loaded on first use and shared under a lock."""
    with _parser_lock:
        return _loaded_parser().parse(data)


def _loaded_parser() -> Parser:
    global _parser
    if _parser is None:
        # Imported here, not at module load: the grammar costs time that a run without IaC files skips.
        import tree_sitter_typescript
        from tree_sitter import Language, Parser

        _parser = Parser(Language(tree_sitter_typescript.language_typescript()))
    return _parser


def unescape_javascript(raw: str) -> str:
    """A string literal's body with its escapes decoded, as JavaScript cooks it."""

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if escape.startswith("u{"):
            code = int(escape[2:-1], 16)
            return chr(code) if code <= 0x10FFFF else match.group(0)
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return escape

    value = _ESCAPE.sub(replace, raw)
    if SURROGATE.search(value):  # `\uD83D\uDE00` is one character written as a UTF-16 pair
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return value


def javascript_number(raw: str) -> int | float | None:
    """The value of a number literal (separators, hex/octal/binary, BigInt); None when it is not one."""
    text = raw.replace("_", "")
    try:
        if text.endswith("n"):
            return int(text[:-1], 0)
        if re.fullmatch(r"0[xXoObB][0-9a-fA-F]+", text):
            return int(text, 0)
        if re.fullmatch(r"[0-9]+", text):
            return int(text)
        return float(text)
    except ValueError:
        return None


def children_of(node: Node) -> list[Node]:
    """The named children of `node`, comments left out."""
    return [c for c in node.named_children if c.type != "comment"]


def has_unclosed_bracket(node: Node) -> bool:
    """Whether `node` holds more opening brackets than closing ones (among its own tokens)."""
    depth = 0
    for leaf in descendants(node, ("{", "(", "[", "}", ")", "]", "${")):
        depth += 1 if leaf.type in ("{", "(", "[", "${") else -1
    return depth > 0


def statements_of(node: Node) -> list[Node]:
    """The statements a branch or body runs: a block's statements, an else clause's, or the one statement."""
    if node.type == "else_clause":
        inner = children_of(node)
        return [s for child in inner for s in statements_of(child)]
    return children_of(node) if node.type == "statement_block" else [node]


def call_arguments(call: Node) -> list[Node]:
    """The arguments of a call expression (none for a tagged template)."""
    arguments = call.child_by_field_name("arguments")
    return children_of(arguments) if arguments is not None and arguments.type == "arguments" else []


def declared_values(declaration: Node) -> list[Node]:
    """The initial values of a `const`/`let`/`var` declaration's declarators."""
    values = []
    for declarator in children_of(declaration):
        value = declarator.child_by_field_name("value") if declarator.type == "variable_declarator" else None
        if value is not None:
            values.append(value)
    return values


def unwrap(node: Node) -> Node:
    """`node` without the brackets, casts and `!` around it, which change nothing at run time."""
    while node.type in TRANSPARENT_NODES:
        inner = children_of(node)
        if not inner:
            return node
        node = inner[-1] if node.type == "type_assertion" else inner[0]
    return node


def descendants(node: Node, kinds: tuple[str, ...]) -> Iterator[Node]:
    """`node` and the nodes below it whose type is in `kinds`, in source order (tokens too when `kinds` has "{")."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in kinds:
            yield current
        stack.extend(reversed(current.children if "{" in kinds else current.named_children))
