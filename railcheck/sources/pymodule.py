"""Python modules read statically: the names a module binds at top level, and the web routes it registers.

This owns the answers to "does `main.py` define `app`" (for `uvicorn main:app`) and "which paths does the app
in this module serve" (for a health check path), for FastAPI, Starlette and Flask. The analysed code is never
imported or executed: the standard library's `ast.parse` only parses it. `ast` and not a concrete syntax tree
(libcst) because this runs on every service's module in a pre-commit hook: a 200-line module takes about 2 ms
instead of 25, and there is no 100 ms import. Node positions are all the rules need; nothing here rewrites code.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, count
from operator import add
from typing import Any, NamedTuple

from railcheck.sources.text import ParseFailure

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
# The statement kinds `_Walker.statements` reads, as constants: a tuple written in the loop is built per statement.
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign)
_IMPORTS = (ast.Import, ast.ImportFrom)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_BLOCKS = (ast.If, ast.With, ast.AsyncWith, ast.Try, ast.TryStar)  # their names bind at module level
_VERB_METHODS = {verb: (verb.upper(),) for verb in _VERBS}
_DECORATORS = _VERBS | {"route", "api_route", "websocket", "websocket_route"}
_REGISTERS = frozenset({"add_api_route", "add_url_rule", "add_route", "add_websocket_route", "add_api_websocket_route"})
_INCLUDES = {"include_router": "prefix", "register_blueprint": "url_prefix"}
_NESTED_CALLS = _REGISTERS | _INCLUDES.keys() | {"route", "api_route", "mount"}
_ROUTERS = {"APIRouter": "prefix", "Blueprint": "url_prefix", "Router": None}
_ROUTE_CLASSES = frozenset({"Route", "WebSocketRoute", "APIRoute", "APIWebSocketRoute"})
# Constructors whose objects start with no routes but those read here (and FastAPI's docs pages). An app made
# by any other call (`create_app()`, `get_wsgi_application()`, `Litestar(...)`) may serve routes registered
# where this analysis does not look.
_READ_CONSTRUCTORS = frozenset({"FastAPI", "Starlette", "Flask", "Quart", *_ROUTERS})
# FastAPI serves these unless told otherwise, and health checks do sometimes point at /docs.
_FASTAPI_DOCS = {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks ast numbers lines by (not \f, \v or \u2028)
_FIRST_NAME = re.compile(r"[^\s\\.]*")  # `x`, or `a` of `a.b`; these match on any import alias
_LAST_WORD = re.compile(r"[^\s\\]*$")  # `y` of `x as y`
# What the text of any registration nested in a block contains: a decorator, part of one of _NESTED_CALLS, or
# an applied call `x.get(p)(f)`. Plain substring searches: a regex of words costs as much as walking the block.
# A body can register routes only if it holds a decorator or calls one of these by name (a word followed by
# "("); the word alone also occurs in data (`{"route": ...}`), which is no reason to walk the body.
_NESTED_HINT = re.compile(r"@|(?:[Rr]oute|[Rr]outer|[Mm]ount|add_url_rule|register_blueprint)\s*\(")
_APPLIED_HINT = re.compile(r"\)[\s\\]*[(#]")
_DEF_NAME = re.compile(r"(?:async[ \t\f\\\r\n]+)?(?:def|class)[ \t\f\\\r\n]+([^ \t\f\\\r\n(:\[]+)")


# Definition and Route are named tuples rather than frozen dataclasses: a module makes one per binding and
# per route, and a frozen dataclass takes three times as long to build, which a large repository feels.
class Definition(NamedTuple):
    """A top-level binding; start/end are the offsets of the bound name's token."""

    name: str
    kind: str  # "assign" | "annassign" | "import" | "def" | "class"
    start: int
    end: int
    call: str | None  # dotted callee as written when the assigned value is a call: "FastAPI", "create_app"
    imported_from: str | None  # module path of an import, with leading dots when relative
    imported_name: str | None = None  # `from m import x as name` -> "x", so a resolver can look x up in m


class Route(NamedTuple):
    """One registration. `path` is as registered on `owner` (literal concatenations and Starlette Mount prefixes
    applied); `routes_for` adds the owner's own router prefix and the prefixes it is included under."""

    path: str | None
    methods: tuple[str, ...]  # "WEBSOCKET" for websocket routes
    owner: str
    start: int  # offsets of the decorator/call expression
    end: int
    reason: str | None  # why `path` is None


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """Prefixes (in `includes` and `routers`) are "" when absent and None when given but not static."""

    definitions: dict[str, Definition]
    routes: tuple[Route, ...]
    includes: tuple[tuple[str, str, str | None], ...]  # (owner, included expression as written, prefix)
    routers: dict[str, str | None]
    dynamic: tuple[str, ...]  # why the route table may be incomplete, each ending in "(line N)"
    aliases: dict[str, str] = field(default_factory=dict)  # `application = app`: the same object, so the same routes


def analyse_module(text: str) -> ModuleInfo | ParseFailure:
    """Parse `text` with `ast` and collect definitions and routes; never raises, never runs the code."""
    source = SourcePositions(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the analysed code's invalid escapes are not ours to report
            module = ast.parse(text[source.base :], type_comments=False)
        if not source.normalised:  # ast spells identifiers NFKC-normalised (a Fraktur U as `U`); keep them as written
            for node in ast.walk(module):
                if type(node) is ast.Name:
                    node.id = source.code(node)
        walker = _Walker(source)
        walker.statements(module.body)
        dynamic = tuple(f"{message} (line {line})" for message, line in walker.reasons.items())
        return ModuleInfo(
            walker.definitions, tuple(walker.routes), tuple(walker.includes), walker.routers, dynamic, walker.aliases
        )
    except SyntaxError as error:  # with IndentationError and TabError
        return source.failure(error)
    except ValueError as error:  # null bytes (older releases), lone surrogates (UnicodeEncodeError)
        start = getattr(error, "start", max(text[source.base :].find("\0"), 0)) + source.base
        return ParseFailure(f"invalid Python: {error}", min(start, len(text)), min(start + 1, len(text)))
    except (RecursionError, MemoryError):  # nesting deeper than the parser's stack or this module's recursion
        return ParseFailure("invalid Python: nesting too deep to analyse", 0, min(1, len(text)))


def routes_for(info: ModuleInfo, app_name: str) -> tuple[list[tuple[str | None, Route]], list[str]]:
    """Routes reachable from `app_name` in this module with full paths (None when not static), and why the list
    may be incomplete: the module's dynamic reasons, then includes that lead out of this module."""
    found: list[tuple[str | None, Route]] = []
    reasons = list(info.dynamic)

    def canon(name: str, hops: int = 0) -> str:
        return canon(info.aliases[name], hops + 1) if name in info.aliases and hops < len(info.aliases) else name

    app_name = canon(app_name)
    binding = info.definitions.get(app_name)
    if binding is not None and binding.kind == "import":
        reasons.append(f"`{app_name}` is imported from `{binding.imported_from}`; its routes are in that module")

    # Each route's owner resolved once, not once per router walked; without aliases every name is its own.
    owners = [canon(route.owner) for route in info.routes] if info.aliases else [route.owner for route in info.routes]

    def walk(owner: str, prefix: str | None, seen: frozenset[str]) -> None:
        made = info.definitions.get(owner)
        if made is not None and made.call is not None and made.call.rsplit(".", 1)[-1] not in _READ_CONSTRUCTORS:
            reasons.append(f"`{owner}` is made by `{made.call}(...)`, whose routes this analysis does not read")
        routes = zip(info.routes, owners, strict=True)
        found.extend((_join(prefix, route.path), route) for route, routed in routes if routed == owner)
        for parent, child, at in info.includes:
            if canon(parent) != owner:
                continue
            child = canon(child)
            definition = info.definitions.get(child)
            if definition is None or definition.kind not in ("assign", "annassign") or child in seen:
                why = "is included recursively" if child in seen else "is not defined in this module"
                head = info.definitions.get(child.partition(".")[0])
                if definition is not None and definition.kind == "import":
                    why = f"is imported from `{definition.imported_from}`; its routes are in that module"
                elif definition is None and "." in child and head is not None and head.kind == "import":
                    why = f"comes from the imported `{head.name}`; its routes are in that module"
                reasons.append(f"`{child}` included into `{owner}` at {at or '/'!r} {why}")
            elif (definition.call or "").endswith("Blueprint") and at:
                # Flask: a url_prefix given at registration replaces the blueprint's own.
                walk(child, _join(prefix, at), seen | {child})
            else:
                walk(child, _join(_join(prefix, at), info.routers.get(child, "")), seen | {child})

    walk(app_name, info.routers.get(app_name, ""), frozenset({app_name}))
    return found, reasons


def _join(left: str | None, right: str | None) -> str | None:
    if left is None or right is None:
        return None
    return left.rstrip("/") + "/" + right.lstrip("/") if left and right else left + right


class SourcePositions:
    """The text with ast's line numbering. ast positions are 1-based lines and UTF-8 byte columns; the API's are
    0-based code-point offsets into the whole text. ast rejects a leading BOM, so it parses what follows it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.base = 1 if text.startswith("\ufeff") else 0
        if "\r" in text:
            self.starts = [self.base, *(newline.end() for newline in _NEWLINE.finditer(text, self.base))]
        else:  # the common case, faster than the pattern: every line ends in "\n"
            # Line k+1 starts after the lengths of lines 0..k and their k+1 newlines; summed without a Python
            # call per line, since every service's start module is positioned.
            self.starts = [self.base, *map(add, accumulate(map(len, text.split("\n")[:-1])), count(1))]
        self.ascii = text.isascii()
        # Whether every identifier is written as ast spells it (NFKC) and as the text searches below expect.
        self.normalised = self.ascii or _is_nfkc(text)

    def offset(self, line: int, column: int) -> int:
        start = self.starts[line - 1]
        if self.ascii:
            return start + column
        prefix = self.text[start : start + column]  # at least `column` bytes' worth of characters
        if prefix.isascii():
            return start + column
        return start + len(prefix.encode()[:column].decode())

    def span(self, node: Any) -> tuple[int, int]:
        if self.ascii:  # bytes are characters: both ends without a call each (a span per definition and route)
            starts = self.starts
            return starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def code(self, node: Any) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def failure(self, error: SyntaxError) -> ParseFailure:
        """SyntaxError positions are 1-based and count code points; point at the offending token."""
        message, text = f"invalid Python: {error.msg}", self.text
        if error.lineno is None:  # null bytes: newer releases raise a SyntaxError without a position
            start = max(text.find("\0"), 0)
            return ParseFailure(message, start, min(start + 1, len(text)))
        number = min(max(error.lineno, 1), len(self.starts))
        first = self.starts[number - 1]
        line = text[first : self.starts[number] if number < len(self.starts) else len(text)].rstrip("\r\n")
        column = max((error.offset or 1) - 1, 0)
        written = (error.text or "").rstrip("\r\n")
        if sys.version_info < (3, 12) and written.startswith("(") and written != line and written[1:-1] in line:
            column += line.index(written[1:-1]) - 1  # 3.11 places errors in f-string braces in "(expression)"
        start = first + min(column, len(line))
        width = (error.end_offset or 0) - (error.offset or 0) if error.end_lineno == error.lineno else 0
        return ParseFailure(message, start, min(max(first + len(line), start + 1), start + max(width, 1), len(text)))


def _is_nfkc(text: str) -> bool:
    import unicodedata  # imported when first needed: most modules are ASCII

    return unicodedata.is_normalized("NFKC", text)


def _dotted(node: Any) -> str | None:
    if type(node) is ast.Name:
        return node.id
    if type(node) is ast.Constant and (node.value is None or type(node.value) is bool):
        return repr(node.value)  # read as the names they once were, so `docs_url=None` reads "None"
    head = _dotted(node.value) if type(node) is ast.Attribute else None
    return None if head is None else f"{head}.{node.attr}"


def _static(node: Any, noun: str = "path") -> tuple[str | None, str | None]:
    """(value, None) for a string literal, a concatenation of them or an f-string without placeholders; else
    (None, why)."""
    if type(node) is ast.Constant and isinstance(node.value, (str, bytes)):
        return (node.value, None) if isinstance(node.value, str) else (None, f"{noun} is a bytes literal")
    if type(node) is ast.JoinedStr:  # ast has already joined `"a" f"b"` and unescaped `{{`
        if any(type(part) is ast.FormattedValue for part in node.values):
            return None, f"{noun} is an f-string with placeholders"
        return "".join(str(part.value) for part in node.values if isinstance(part, ast.Constant)), None
    if type(node) is ast.BinOp and type(node.op) is ast.Add:
        (left, why), (right, why_right) = _static(node.left, noun), _static(node.right, noun)
        return (left + right, None) if left is not None and right is not None else (None, why or why_right)
    if node is None:
        return None, f"{noun} argument is missing"
    dotted = _dotted(node)
    if dotted is not None:
        return None, f"{noun} is {'an attribute' if '.' in dotted else 'a variable'} (`{dotted}`)"
    return None, f"{noun} is {'computed by a call' if type(node) is ast.Call else 'not a string literal'}"


def _argument(call: ast.Call, index: int | None, *names: str) -> tuple[bool, Any]:
    """(given, node) for the keyword argument in `names`, else the positional argument at `index`."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return True, keyword.value
    positional = [arg for arg in call.args if type(arg) is not ast.Starred]
    return (True, positional[index]) if index is not None and index < len(positional) else (False, None)


def _methods(call: ast.Call, verb: str) -> tuple[str, ...]:
    if verb in _VERB_METHODS:
        return _VERB_METHODS[verb]
    if "websocket" in verb.lower():
        return ("WEBSOCKET",)
    given, node = _argument(call, None, "methods")
    if not given:
        return ("GET",)  # the default of Flask's route, FastAPI's api_route and Starlette's Route for functions
    literal = type(node) in (ast.List, ast.Tuple, ast.Set)
    values = [_static(element)[0] for element in node.elts] if literal else [None]
    return tuple(value.upper() for value in values if value is not None) if None not in values else ()


def _callee(node: Any) -> str:
    """The last part of a call's dotted callee: "Route" for `routing.Route(...)`; "" when not such a call."""
    return (_dotted(node.func) or "").rsplit(".", 1)[-1] if type(node) is ast.Call else ""


class _Walker:
    """Walks top-level statements, recording definitions, routes, includes and reasons as it goes."""

    def __init__(self, source: SourcePositions) -> None:
        self.source = source
        self.definitions: dict[str, Definition] = {}
        self.routes: list[Route] = []
        self.includes: list[tuple[str, str, str | None]] = []
        self.routers: dict[str, str | None] = {}
        self.reasons: dict[str, int] = {}  # message -> line; the first occurrence wins
        self.lists: dict[str, Any] = {}  # top-level list literals, for `Starlette(routes=routes)`
        self.aliases: dict[str, str] = {}

    def statements(self, body: list[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, _DEFINITIONS):  # first: the statements a module has most of
                self.definition(statement)
            elif isinstance(statement, _ASSIGNMENTS):
                self.assign(statement)
            elif isinstance(statement, _IMPORTS):
                self.imports(statement)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                self.registration(statement.value, decorator=False)
            elif isinstance(statement, ast.Delete):
                for name in (name for target in statement.targets for name in _bound_names(target)):
                    self.definitions.pop(name.id, None)
            elif isinstance(statement, _LOOPS):
                self.nested(statement)
            elif isinstance(statement, _BLOCKS):
                # if/else, try/except/finally, with: their names bind at module level
                self.statements(statement.body)
                for handler in getattr(statement, "handlers", ()):
                    self.statements(handler.body)
                self.statements(getattr(statement, "orelse", []))
                self.statements(getattr(statement, "finalbody", []))

    def assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if node.value is None:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        call = _dotted(node.value.func) if isinstance(node.value, ast.Call) else None
        kind = "assign" if isinstance(node, ast.Assign) else "annassign"
        for name in (name for target in targets for name in _bound_names(target)):
            self.define(name.id, kind, self.source.span(name), call)
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        value = _dotted(node.value) if isinstance(node.value, (ast.Name, ast.Constant)) else None
        if value is not None:
            self.aliases.update((name, value) for name in names if name != value)
        elif names:  # `app = application = FastAPI()`: one object with two names
            self.created(names[0], node.value)
            self.aliases.update((name, names[0]) for name in names[1:] if name != names[0])

    def definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        kind = "class" if isinstance(node, ast.ClassDef) else "def"
        start = self.source.offset(node.lineno, node.col_offset)
        match = _DEF_NAME.match(self.source.text, start)  # always matches: the statement starts with its keywords
        self.define(match.group(1) if match else node.name, kind, match.span(1) if match else (start, start))
        for decorator in node.decorator_list:
            self.registration(decorator, decorator=True)
        self.nested(node)

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "") if isinstance(node, ast.ImportFrom) else None
        for alias in node.names:
            if alias.name == "*":
                self.reason(f"star import from `{module}` may define names and routes not seen here", node)
                continue
            start, end = self.source.span(alias)  # `x`, `x as y`, `a.b as c`, `a . b`
            first = _FIRST_NAME.match(self.source.text, start, end)  # `x`, or `a` of `a.b`
            bound = _LAST_WORD.search(self.source.text, start, end) if alias.asname else first
            if first is None or bound is None:  # never: both patterns match the empty string
                continue
            if module is None:
                self.define(bound.group(), "import", bound.span(), None, alias.name if alias.asname else first.group())
            else:
                self.define(bound.group(), "import", bound.span(), None, module, first.group())

    def define(
        self,
        name: str,
        kind: str,
        span: tuple[int, int],
        call: str | None = None,
        imported_from: str | None = None,
        imported_name: str | None = None,
    ) -> None:
        self.routers.pop(name, None)  # a rebinding forgets what the name was
        self.aliases.pop(name, None)
        self.definitions.pop(name, None)  # re-insert, so iteration order follows the last bindings
        self.definitions[name] = Definition(name, kind, *span, call, imported_from, imported_name)

    def reason(self, message: str, node: Any) -> None:
        self.reasons.setdefault(message, node.lineno)

    def created(self, name: str, value: Any) -> None:
        """`name = APIRouter(prefix=...)`, `name = Starlette(routes=[...])`, `name = FastAPI(...)`, `name = [...]`."""
        if type(value) in (ast.List, ast.Tuple):
            self.lists[name] = value
        callee = _callee(value)
        if callee in _ROUTERS:
            given, node = _argument(value, None, _ROUTERS[callee] or "-")
            self.routers[name], why = _static(node, "prefix") if given else ("", None)
            if why:
                self.reason(f"prefix of `{name}` is not static: {why}", value)
        if callee == "FastAPI":
            docs = {keyword: _argument(value, None, keyword) for keyword in _FASTAPI_DOCS}
            off = {k for k, (given, node) in docs.items() if given and _dotted(node) == "None"}
            for keyword, (given, node) in docs.items():
                if not off & {keyword, "openapi_url"}:  # without the schema FastAPI serves no docs pages either
                    self.add_route(name, _static(node) if given else (_FASTAPI_DOCS[keyword], None), ("GET",), value)
        given, routes = _argument(value, None, "routes") if callee else (False, None)
        if given:
            self.route_list(name, self.lists.get(_dotted(routes) or "", routes), "")

    def route_list(self, owner: str, routes: Any, prefix: str | None) -> None:
        if type(routes) not in (ast.List, ast.Tuple):
            return self.reason(f"routes of `{owner}` come from an expression this analysis cannot read", routes)
        for item in routes.elts:
            kind = _callee(item)
            path, why = _static(_argument(item, 0, "path")[1]) if kind else (None, None)
            full = _join(prefix, path)
            if kind in _ROUTE_CLASSES:
                methods = _methods(item, "websocket" if "WebSocket" in kind else "route")
                why = (why or "mount prefix is not static") if full is None else None
                self.add_route(owner, (full, why), methods, item)
            elif kind == "Mount" and _argument(item, None, "routes")[0]:
                self.route_list(owner, _argument(item, None, "routes")[1], full)
            elif kind == "Mount" and _dotted(_argument(item, 1, "app")[1]) is not None:
                self.includes.append((owner, _dotted(_argument(item, 1, "app")[1]) or "", full))
            else:
                self.reason(f"routes list of `{owner}` has an entry this analysis cannot read", item)

    def registration(self, call: Any, *, decorator: bool) -> None:
        """`@owner.get(path)`, `owner.add_api_route(path, ...)`, `owner.get(path)(handler)`, includes, mounts."""
        if type(call) is not ast.Call:
            return
        if decorator and self.verb_route(call):
            return
        self.any_registration(call, decorator=decorator)

    def verb_route(self, call: ast.Call) -> bool:
        """Record `@owner.get("/path")` (any HTTP verb, a plain name as owner, a string literal as path) and say
        True; False for any other decorator, which `any_registration` reads.

        Nearly every route of a module is such a decorator, and this reads it without the calls the general
        reading makes per decorator. It records what `any_registration` would: a Name owner is its `_dotted`
        form, a verb's methods are `_VERB_METHODS` (`_methods`), and the path is the first positional argument
        as `_argument` finds it when no `path=`/`rule=` keyword is given (a Constant is never Starred)
        (tests/unit/test_pymodule.py holds the two readings equal)."""
        func = call.func
        if type(func) is not ast.Attribute or type(func.value) is not ast.Name:
            return False
        methods = _VERB_METHODS.get(func.attr)
        args = call.args
        if methods is None or not args or type(args[0]) is not ast.Constant or type(args[0].value) is not str:
            return False
        if call.keywords and any(keyword.arg in ("path", "rule") for keyword in call.keywords):
            return False
        start, end = self.source.span(call)
        self.routes.append(Route(args[0].value, methods, func.value.id, start, end, None))
        return True

    def any_registration(self, call: Any, *, decorator: bool) -> None:
        """`registration` for every form, `verb_route`'s included."""
        for inner in (call.func, getattr(call.func, "func", None)):
            if type(inner) is ast.Call and _dotted(inner.func) == "getattr" and (inner.args or inner.keywords):
                first = inner.args[0] if inner.args else inner.keywords[0].value
                holder = _dotted(first.value if type(first) is ast.Starred else first) or "an object"
                return self.reason(f"routes may be registered on `{holder}` through getattr", call)
        if not decorator and type(call.func) is ast.Call:
            call, decorator = call.func, True  # `app.get("/x")(handler)` is the decorator form, applied by hand
        owner = _dotted(call.func.value) if type(call.func) is ast.Attribute else None
        verb: str = call.func.attr if owner is not None else ""
        if (verb in _DECORATORS) if decorator else (verb in _REGISTERS):
            self.add_route(owner or "", _static(_argument(call, 0, "path", "rule")[1]), _methods(call, verb), call)
        elif not decorator and (verb in _INCLUDES or verb == "mount"):
            included = _argument(call, 1 if verb == "mount" else 0, "app", "router", "blueprint")[1]
            given, node = _argument(call, 0, "path") if verb == "mount" else _argument(call, None, _INCLUDES[verb])
            prefix, why = _static(node, "prefix") if given else ("", None)
            if why:
                self.reason(f"prefix of an include into `{owner}` is not static: {why}", call)
            code = self.source.code(included) if included is not None else "?"
            self.includes.append((owner or "", _dotted(included) or code, prefix))

    def add_route(self, owner: str, path: tuple[str | None, str | None], methods: tuple[str, ...], node: Any) -> None:
        self.routes.append(Route(path[0], methods, owner, *self.source.span(node), path[1]))
        if path[0] is None:
            self.reason(f"a route on `{owner}` has no static path: {path[1]}", node)

    def nested(self, node: Any) -> None:
        """Registrations inside functions, classes and loops happen (or not) at runtime: reasons, not routes.

        Plain `.get(...)` calls are left out: in function bodies they are nearly always dict or environ lookups.
        """
        start, end = self.source.span(node)  # from `def`/`class`/`for`/`while`, after the definition's decorators
        text = self.source.text
        definition = type(node) in _DEFINITIONS
        if self.source.normalised and definition:
            body = text[self.source.offset(node.body[0].lineno, node.body[0].col_offset) : end]
            if "(" not in body and "@" not in body:
                return  # every registration is a call or a decorator; this body has neither
        if self.source.normalised and not _APPLIED_HINT.search(text, start, end):
            if not _NESTED_HINT.search(text, start, end):
                return  # the common handler body: skip the walk, which costs as much as the rest of the analysis
        if type(node) is ast.ClassDef:
            where = f"class `{node.name}`"
        elif definition:
            where = f"function `{node.name}`"
        else:
            where = f"a `{'while' if type(node) is ast.While else 'for'}` loop"
        top = node.body if definition else [node]
        found: list[tuple[ast.expr, frozenset[str]]] = []  # (call, method names that register), in any order
        for child in (child for statement in top for child in ast.walk(statement)):
            if isinstance(child, ast.Call):
                applied = isinstance(child.func, ast.Call)  # `app.get("/x")(handler)`
                found.append((child.func, _DECORATORS) if applied else (child, _NESTED_CALLS))
            elif isinstance(child, _DEFINITIONS):
                found += ((decorator, _DECORATORS) for decorator in child.decorator_list)
        for call, names in sorted(found, key=lambda pair: (pair[0].lineno, pair[0].col_offset)):
            func = call.func if isinstance(call, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr in names:
                self.reason(f"routes are registered on `{_dotted(func.value) or 'an object'}` inside {where}", call)


def _bound_names(target: Any) -> Iterator[ast.Name]:
    if type(target) is ast.Name:
        yield target
    elif type(target) in (ast.Tuple, ast.List):
        for element in target.elts:
            yield from _bound_names(element)
    elif type(target) is ast.Starred:
        yield from _bound_names(target.value)
