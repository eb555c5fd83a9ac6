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
_TS_NOISE = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`", re.DOTALL)
_TS_ALIAS = re.compile(r"\bservice\s+as\s+([A-Za-z_$][\w$]*)")


def calls_service(text: str, language: str) -> bool:
    """True when `text` calls `service(...)` (or an alias of it, or `sdk.service(...)`); never raises."""
    if language == "python":
        return _python_calls_service(text)
    code = _TS_NOISE.sub(lambda match: " " * len(match.group()), text)
    names = {"service", *_TS_ALIAS.findall(code)}
    pattern = r"(?:\.\s*service|(?<![\w$.])(?:" + "|".join(re.escape(name) for name in names) + r"))\s*(?:<[^<>()]*>\s*)?\("
    return re.search(pattern, code) is not None


def _python_calls_service(text: str) -> bool:
    try:
        tree = ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # the reader has reported why the file does not parse
    nodes = list(ast.walk(tree))
    names = {"service"} | {alias.asname for node in nodes if isinstance(node, ast.ImportFrom)
                           for alias in node.names if alias.name == "service" and alias.asname}
    for node in nodes:
        if isinstance(node, ast.Call):
            callee = node.func
            if (isinstance(callee, ast.Name) and callee.id in names) or (isinstance(callee, ast.Attribute) and callee.attr == "service"):
                return True
    return False
