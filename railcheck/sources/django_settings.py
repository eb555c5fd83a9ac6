"""Django settings read statically (stdlib `ast`): the settings module a `wsgi.py`/`asgi.py`/`manage.py` names,
and the `ALLOWED_HOSTS` and `MIDDLEWARE` a settings module leaves, when they are plain literals.

Never imports the code. Anything that is not certain from the text (a value read from the environment, a
star import or a change after the assignment, a computed list) is reported as unknown (`None`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from railcheck.sources.pymodule import SourcePositions


@dataclass(frozen=True, slots=True)
class LiteralSetting:
    """A top-level setting whose final value is a literal list or tuple of strings, and where it is assigned."""

    values: tuple[str, ...]
    start: int  # offsets of the assignment's value in the module text
    end: int


def settings_module_named(text: str) -> str | None:
    """The literal module of `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")` in the text, if any."""
    if "DJANGO_SETTINGS_MODULE" not in text:  # most start modules are not Django's: no second parse for them
        return None
    tree = parse_python(text)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and len(node.args) == 2
        ):
            key, value = node.args
            if string_value(key) == "DJANGO_SETTINGS_MODULE" and string_value(value):
                return string_value(value)
    return None


def literal_setting(text: str, name: str) -> LiteralSetting | None:
    """The final value of the top-level `name` when it is a literal list or tuple of strings certain from this
    module alone, else None."""
    found = _final_value(text, name)
    if found is None:
        return None
    node, start, end = found
    values = _strings(node)
    return LiteralSetting(values, start, end) if values is not None else None


def literal_string(text: str, name: str) -> str | None:
    """The final value of the top-level `name` when it is a string literal certain from this module alone."""
    found = _final_value(text, name)
    return string_value(found[0]) if found is not None else None


def _final_value(text: str, name: str) -> tuple[ast.expr, int, int] | None:
    """The value last assigned to the top-level `name` and its offsets; None when there is none or a later
    statement may change it (a star import, `+=`, `.append`, a conditional assignment)."""
    tree = parse_python(text)
    if tree is None:
        return None
    found: tuple[ast.expr, int, int] | None = None
    positions = SourcePositions(text)
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
            if found is not None:
                return None  # a star import after the assignment may replace it; one before is overridden
            continue
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in statement.targets
        ):
            found = (statement.value, *positions.span(statement.value))
        elif _mentions(statement, name):
            return None
    return found


def _mentions(statement: ast.stmt, name: str) -> bool:
    return any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(statement))


def _strings(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple)):
        strings = tuple(value for value in map(string_value, node.elts) if value is not None)
        if len(strings) == len(node.elts):
            return strings
    return None


def string_value(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


@lru_cache(maxsize=64)
def parse_python(text: str) -> ast.Module | None:
    """The module's syntax tree, or None when it does not parse. Cached by text: DJ001 reads two settings and HC
    a third from the same settings module, and the trees are only read, never changed."""
    try:
        return ast.parse(text.removeprefix("\ufeff"))  # ast rejects a leading BOM; positions skip it too
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Django's `validate_host`: `*`, an exact name, or `.example.com` for the domain and its subdomains."""
    host = host.lower()
    for pattern in allowed:
        pattern = pattern.lower()
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith(".") and (host.endswith(pattern) or host == pattern[1:]):
            return True
    return False
