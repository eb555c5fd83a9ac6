"""Whether an IaC file calls the SDK's `service` at all, however the reader fared with the rest of it.

IC009 compares this with the services the reader could follow: calls in the file but none read means the
program is in a form the reader does not follow. Comments, strings and docstrings never count, and an
import alias (`service as svc`) does. Python is answered from `ast` exactly; TypeScript from its text with
comments and string literals blanked, which is enough for a yes/no that errs towards "no".
"""

from __future__ import annotations

import ast
import re

# Comments and string literals, blanked before TypeScript calls are looked for; template literals keep no
# nesting (their `${...}` parts are rarely where services are declared).
_TYPESCRIPT_NOISE = re.compile(
    r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`", re.DOTALL
)
_TYPESCRIPT_ALIAS = re.compile(r"\bservice\s+as\s+([A-Za-z_$][\w$]*)")


def calls_service(text: str, language: str) -> bool:
    """True when `text` calls `service(...)` (or an alias of it, or `sdk.service(...)`); never raises."""
    return first_service_call(text, language) is not None


def first_service_call(text: str, language: str) -> int | None:
    """The offset of the first `service(...)` call (its callee) in `text`, or None; never raises."""
    if language == "python":
        return _python_first_call(text)
    code = _TYPESCRIPT_NOISE.sub(lambda match: " " * len(match.group()), text)
    names = {"service", *_TYPESCRIPT_ALIAS.findall(code)}
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = r"(?:\.\s*service|(?<![\w$.])(?:" + alternatives + r"))\s*(?:<[^<>()]*>\s*)?\("
    found = re.search(pattern, code)
    return None if found is None else found.start()


def _python_first_call(text: str) -> int | None:
    source = text.removeprefix("\ufeff")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the reader has reported why the file does not parse
    nodes = list(ast.walk(tree))
    names = {"service"} | {
        alias.asname
        for node in nodes
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name == "service" and alias.asname
    }
    calls = [
        node
        for node in nodes
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in names)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "service")
        )
    ]
    if not calls:
        return None
    first = min(calls, key=lambda node: (node.lineno, node.col_offset))
    # ast columns count UTF-8 bytes on lines split by universal newlines.
    line = source.splitlines(keepends=True)[first.lineno - 1] if source else ""
    before = sum(len(part) for part in source.splitlines(keepends=True)[: first.lineno - 1])
    column = len(line.encode("utf-8")[: first.col_offset].decode("utf-8", "replace"))
    return len(text) - len(source) + before + column
