"""A Django URLconf read statically (stdlib `ast`): the `urlpatterns` list of `path`, `re_path` and `include`.

Owns turning one module's text into its route entries, each with the route as Django matches it (no
leading slash) or the module an `include` names, and the reasons the list may be incomplete. Never imports
the code; anything that is not a literal is a reason, not a guess.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from railcheck.sources.django_settings import parse_python, string_value

_ROUTE_CALLS = frozenset({"path", "re_path", "url"})
# A `re_path` pattern simple enough to read as a plain route: `^health/$`, `^api/`.
_SIMPLE_REGEX = re.compile(r"\^?([A-Za-z0-9_\-./]*)(\$?)")


@dataclass(frozen=True, slots=True)
class UrlEntry:
    """One entry of `urlpatterns`: a route to a view, or a route prefix whose patterns live in `include`."""

    route: str
    include: str | None  # dotted module of `include("app.urls")`


@dataclass(frozen=True, slots=True)
class UrlConf:
    entries: tuple[UrlEntry, ...]
    reasons: tuple[str, ...]  # why the entries may be incomplete
    # Routes whose sub-routes come from an object railcheck does not read (`admin.site.urls`): only paths
    # under them are in doubt. (route, reason)
    opaque: tuple[tuple[str, str], ...] = ()


def read_urlconf(text: str) -> UrlConf | None:
    """The module's `urlpatterns`; None when it does not parse or defines none."""
    tree = parse_python(text)
    if tree is None:
        return None
    entries: list[UrlEntry] = []
    reasons: list[str] = []
    opaque: list[tuple[str, str]] = []
    found = False
    for statement in tree.body:
        target = _target(statement)
        if target != "urlpatterns":
            continue
        found = True
        if isinstance(statement, ast.Assign):
            entries.clear()
            reasons.clear()
            opaque.clear()
        # `_target` named a target, so the statement is an assignment of one of the kinds that have a value.
        value = statement.value  # type: ignore[attr-defined]
        for element in _elements(value, reasons, statement.lineno):
            _entry(element, entries, reasons, opaque)
    return UrlConf(tuple(entries), tuple(reasons), tuple(opaque)) if found else None


def _target(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id
    if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    return None


def _elements(value: ast.expr, reasons: list[str], line: int) -> list[ast.expr]:
    """The list elements of `[...]`, `[...] + [...]` and `[...] + static(...)` (static() adds media files only)."""
    if isinstance(value, (ast.List, ast.Tuple)):
        return list(value.elts)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _elements(value.left, reasons, line) + _elements(value.right, reasons, line)
    if isinstance(value, ast.Call) and _name(value.func) == "static":
        return []
    reasons.append(f"`urlpatterns` is built by code railcheck does not read (line {line})")
    return []


def _entry(element: ast.expr, entries: list[UrlEntry], reasons: list[str], opaque: list[tuple[str, str]]) -> None:
    line = getattr(element, "lineno", 0)
    if not isinstance(element, ast.Call) or _name(element.func) not in _ROUTE_CALLS or not element.args:
        reasons.append(f"an entry of `urlpatterns` is not a `path(...)` railcheck can read (line {line})")
        return
    kind = _name(element.func)
    route = string_value(element.args[0])
    if route is None:
        reasons.append(f"a route that is not a string literal (line {line})")
        return
    if kind != "path":
        simple = _SIMPLE_REGEX.fullmatch(route)
        if simple is None:
            reasons.append(f"a regular-expression route railcheck does not read (line {line})")
            return
        if not simple.group(2) and not _is_include(element):
            reasons.append(f"an open-ended regular-expression route (line {line})")  # `^health` serves /healthz too
            return
        route = simple.group(1)
    view = element.args[1] if len(element.args) > 1 else None
    if isinstance(view, ast.Call) and _name(view.func) == "include":
        target = view.args[0] if view.args else None
        if isinstance(target, ast.Tuple) and target.elts:
            target = target.elts[0]
        module = string_value(target) if target is not None else None
        if module is None:
            reasons.append(f"an `include(...)` of something other than a module name (line {line})")
            return
        entries.append(UrlEntry(route, module))
    elif isinstance(view, ast.Tuple) or (isinstance(view, ast.Attribute) and view.attr == "urls"):
        # `admin.site.urls`, `api.urls` (django-ninja), `(patterns, "app")`: routes under `route` railcheck cannot list
        opaque.append((route, f"the routes under `{route}` come from an object railcheck does not read (line {line})"))
    else:
        entries.append(UrlEntry(route, None))


def _is_include(call: ast.Call) -> bool:
    return len(call.args) > 1 and isinstance(call.args[1], ast.Call) and _name(call.args[1].func) == "include"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
