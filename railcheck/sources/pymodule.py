"""Python modules read statically: the names a module binds at top level, and the web routes it registers.

This owns the answers to "does `main.py` define `app`" (for `uvicorn main:app`) and "which paths does the app
in this module serve" (for a health check path), for FastAPI, Starlette and Flask. The analysed code is never
imported or executed: libcst only parses it. libcst is imported on first use because importing it costs
~100 ms, which runs that never look at Python code should not pay.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import functools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from railcheck.sources.text import ParseFailure

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = None  # bound to the libcst module by analyse_module; every helper below runs after that

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
_DECORATORS = _VERBS | {"route", "api_route", "websocket", "websocket_route"}
_REGISTERS = frozenset({"add_api_route", "add_url_rule", "add_route", "add_websocket_route", "add_api_websocket_route"})
_INCLUDES = {"include_router": "prefix", "register_blueprint": "url_prefix"}
_ROUTERS = {"APIRouter": "prefix", "Blueprint": "url_prefix", "Router": None}
_ROUTE_CLASSES = frozenset({"Route", "WebSocketRoute", "APIRoute", "APIWebSocketRoute"})
# FastAPI serves these unless told otherwise, and health checks do sometimes point at /docs.
_FASTAPI_DOCS = {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
_ERROR_AT = re.compile(r"error at (\d+):(\d+): ")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # libcst's line breaks (LineIndex only knows \n)


@dataclass(frozen=True, slots=True)
class Definition:
    """A top-level binding; start/end are the offsets of the bound name's token."""

    name: str
    kind: str  # "assign" | "annassign" | "import" | "def" | "class"
    start: int
    end: int
    call: str | None  # dotted callee as written when the assigned value is a call: "FastAPI", "create_app"
    imported_from: str | None  # module path of an import, with leading dots when relative
    imported_name: str | None = None  # `from m import x as name` -> "x", so a resolver can look x up in m


@dataclass(frozen=True, slots=True)
class Route:
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
    """Parse `text` with libcst and collect definitions and routes; never raises, never runs the code."""
    global cst
    import libcst as cst

    base = 1 if text.startswith("\ufeff") else 0  # libcst drops a BOM, so its offsets start after it
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return _syntax_failure(text, base, error)
    except Exception as error:  # libcst has known crashes on odd input; report them, never propagate
        message = f"invalid Python: libcst cannot parse this file ({type(error).__name__})"
        return ParseFailure(message, 0, min(1, len(text)))
    try:
        walker = _Walker()
        walker.statements(module.body)
        return walker.finish(_offsets(module, walker.nodes, text[base:]), base, text)
    except RecursionError:
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

    def walk(owner: str, prefix: str | None, seen: frozenset[str]) -> None:
        found.extend((_join(prefix, route.path), route) for route in info.routes if canon(route.owner) == owner)
        for parent, child, at in info.includes:
            if canon(parent) != owner:
                continue
            child = canon(child)
            definition = info.definitions.get(child)
            if definition is None or definition.kind not in ("assign", "annassign") or child in seen:
                why = "is included recursively" if child in seen else "is not defined in this module"
                if definition is not None and definition.kind == "import":
                    why = f"is imported from `{definition.imported_from}`; its routes are in that module"
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


def _syntax_failure(text: str, base: int, error: Any) -> ParseFailure:
    message, match = error.message, _ERROR_AT.search(error.message)
    starts = [base] + [newline.end() for newline in _NEWLINE.finditer(text, base)]
    if match is None:  # tokenizer errors have no position in the message, and raw_line is all there is
        offset = starts[min(max(error.raw_line, 1), len(starts)) - 1]
        return ParseFailure(f"invalid Python: {message}", offset, min(offset + 1, len(text)))
    message = message[: match.start()] + message[match.end() :]
    offset = min(starts[min(max(int(match.group(1)), 1), len(starts)) - 1] + int(match.group(2)), len(text))
    # libcst's PEG parser reports the start of the token after the one it choked on (`x = = 1` points at `1`):
    # step back over whitespace to the offending token's end, then over one word or one symbol to its start.
    end = offset
    while end > base and text[end - 1] in " \t\f\r\n\\":
        end -= 1
    start = end - 1
    while start > base and (text[start - 1] + text[end - 1]).replace("_", "a").isalnum():
        start -= 1
    if end == base:
        start, end = offset, min(offset + 1, len(text))
    return ParseFailure(f"invalid Python: {message}", start, end)


def _dotted(node: Any) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    head = _dotted(node.value) if isinstance(node, cst.Attribute) else None
    return None if head is None else f"{head}.{node.attr.value}"


def _static(node: Any, noun: str = "path") -> tuple[str | None, str | None]:
    """(value, None) for a string literal, a concatenation of them or an f-string without placeholders; else
    (None, why)."""
    if isinstance(node, cst.SimpleString):
        literal = node.value
    elif isinstance(node, cst.FormattedString):
        if any(isinstance(part, cst.FormattedStringExpression) for part in node.parts):
            return None, f"{noun} is an f-string with placeholders"
        texts = (part.value for part in node.parts if isinstance(part, cst.FormattedStringText))
        body = "".join(texts).replace("{{", "{").replace("}}", "}")
        literal = node.prefix.replace("f", "").replace("F", "") + node.start[len(node.prefix) :] + body + node.end
    elif isinstance(node, cst.ConcatenatedString) or isinstance(getattr(node, "operator", None), cst.Add):
        (left, why), (right, why_right) = _static(node.left, noun), _static(node.right, noun)
        return (left + right, None) if left is not None and right is not None else (None, why or why_right)
    elif node is None:
        return None, f"{noun} argument is missing"
    else:
        dotted = _dotted(node)
        if dotted is not None:
            return None, f"{noun} is {'an attribute' if '.' in dotted else 'a variable'} (`{dotted}`)"
        return None, f"{noun} is {'computed by a call' if isinstance(node, cst.Call) else 'not a string literal'}"
    try:
        value = ast.literal_eval(literal)  # a literal evaluator: it never runs code
    except Exception:  # malformed escapes, which libcst's parser lets through
        return None, f"{noun} literal cannot be decoded"
    return (value, None) if isinstance(value, str) else (None, f"{noun} is a bytes literal")


def _argument(call: Any, index: int | None, *names: str) -> tuple[bool, Any]:
    """(given, node) for the keyword argument in `names`, else the positional argument at `index`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names:
            return True, arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return (True, positional[index]) if index is not None and index < len(positional) else (False, None)


def _methods(call: Any, verb: str) -> tuple[str, ...]:
    if verb in _VERBS or "websocket" in verb.lower():
        return ("WEBSOCKET",) if "websocket" in verb.lower() else (verb.upper(),)
    given, node = _argument(call, None, "methods")
    if not given:
        return ("GET",)  # the default of Flask's route, FastAPI's api_route and Starlette's Route for functions
    literal = isinstance(node, (cst.List, cst.Tuple, cst.Set))
    values = [_static(element.value)[0] for element in node.elements] if literal else [None]
    return tuple(value.upper() for value in values if value is not None) if None not in values else ()


class _Walker:
    """Walks top-level statements keeping libcst nodes, which one codegen pass at the end turns into offsets."""

    def __init__(self) -> None:
        self.nodes: set[Any] = set()
        self.definitions: dict[str, tuple[str, Any, str | None, str | None, str | None]] = {}
        self.routes: list[tuple[str | None, tuple[str, ...], str, Any, str | None]] = []
        self.includes: list[tuple[str, str, str | None]] = []
        self.routers: dict[str, str | None] = {}
        self.reasons: dict[str, Any] = {}  # message -> node it points at; the first occurrence wins
        self.lists: dict[str, Any] = {}  # top-level list literals, for `Starlette(routes=routes)`
        self.aliases: dict[str, str] = {}

    def statements(self, body: Sequence[Any]) -> None:
        for statement in body:
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in statement.body:
                    self.small(small)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                kind = "def" if isinstance(statement, cst.FunctionDef) else "class"
                self.define(statement.name.value, kind, statement.name)
                for decorator in statement.decorators:
                    self.registration(decorator.decorator, decorator=True)
                self.nested(statement.body, f"{'function' if kind == 'def' else 'class'} `{statement.name.value}`")
            elif isinstance(statement, (cst.For, cst.While)):
                self.nested(statement, f"a `{'for' if isinstance(statement, cst.For) else 'while'}` loop")
            elif hasattr(statement, "body"):  # if/else, try/except/finally, with: their names bind at module level
                body = statement.body
                self.statements(body.body if isinstance(body, cst.IndentedBlock) else [body])
                self.statements(getattr(statement, "handlers", ()))
                rest = (getattr(statement, "orelse", None), getattr(statement, "finalbody", None))
                self.statements([child for child in rest if child is not None])

    def small(self, node: Any) -> None:
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            call = _dotted(node.value.func) if isinstance(node.value, cst.Call) else None
            for name in (name for target in targets for name in _bound_names(target)):
                self.define(name.value, "assign" if isinstance(node, cst.Assign) else "annassign", name, call)
            names = [target.value for target in targets if isinstance(target, cst.Name)]
            if isinstance(node.value, cst.Name):
                self.aliases.update((name, node.value.value) for name in names if name != node.value.value)
            elif names:  # `app = application = FastAPI()`: one object with two names
                self.created(names[0], node.value)
                self.aliases.update((name, names[0]) for name in names[1:] if name != names[0])
        elif isinstance(node, cst.Import):
            for alias in node.names:
                module = _dotted(alias.name) or ""
                bound: Any = alias.asname.name if alias.asname is not None else _leftmost(alias.name)
                self.define(bound.value, "import", bound, None, module if alias.asname else module.split(".")[0])
        elif isinstance(node, cst.ImportFrom):
            module = "." * len(node.relative) + (_dotted(node.module) or "")
            if isinstance(node.names, cst.ImportStar):
                return self.reason(f"star import from `{module}` may define names and routes not seen here", node)
            for alias in node.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                self.define(bound.value, "import", bound, None, module, _dotted(alias.name))
        elif isinstance(node, cst.Del):
            for name in _bound_names(node.target):
                self.definitions.pop(name.value, None)
        elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            self.registration(node.value, decorator=False)

    def define(self, name: str, kind: str, node: Any, call: str | None = None, *imported: str | None) -> None:
        self.nodes.add(node)
        self.routers.pop(name, None)  # a rebinding forgets what the name was
        self.aliases.pop(name, None)
        self.definitions.pop(name, None)  # re-insert, so iteration order follows the last bindings
        self.definitions[name] = (kind, node, call, *imported, None, None)[:5]

    def reason(self, message: str, node: Any) -> None:
        self.nodes.add(node)
        self.reasons.setdefault(message, node)

    def created(self, name: str, value: Any) -> None:
        """`name = APIRouter(prefix=...)`, `name = Starlette(routes=[...])`, `name = FastAPI(...)`, `name = [...]`."""
        if isinstance(value, (cst.List, cst.Tuple)):
            self.lists[name] = value
        callee = (_dotted(value.func) or "").rsplit(".", 1)[-1] if isinstance(value, cst.Call) else ""
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
        if not isinstance(routes, (cst.List, cst.Tuple)):
            return self.reason(f"routes of `{owner}` come from an expression this analysis cannot read", routes)
        for item in (element.value for element in routes.elements):
            kind = (_dotted(item.func) or "").rsplit(".", 1)[-1] if isinstance(item, cst.Call) else ""
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
        if not isinstance(call, cst.Call):
            return
        for inner in (call.func, getattr(call.func, "func", None)):
            if isinstance(inner, cst.Call) and _dotted(inner.func) == "getattr" and inner.args:
                holder = _dotted(inner.args[0].value) or "an object"
                return self.reason(f"routes may be registered on `{holder}` through getattr", call)
        if not decorator and isinstance(call.func, cst.Call):
            call, decorator = call.func, True  # `app.get("/x")(handler)` is the decorator form, applied by hand
        owner = _dotted(call.func.value) if isinstance(call.func, cst.Attribute) else None
        verb: str = call.func.attr.value if owner is not None else ""
        if (verb in _DECORATORS) if decorator else (verb in _REGISTERS):
            self.add_route(owner or "", _static(_argument(call, 0, "path", "rule")[1]), _methods(call, verb), call)
        elif not decorator and (verb in _INCLUDES or verb == "mount"):
            included = _argument(call, 1 if verb == "mount" else 0, "app", "router", "blueprint")[1]
            given, node = _argument(call, 0, "path") if verb == "mount" else _argument(call, None, _INCLUDES[verb])
            prefix, why = _static(node, "prefix") if given else ("", None)
            if why:
                self.reason(f"prefix of an include into `{owner}` is not static: {why}", call)
            code = cst.Module([]).code_for_node(included) if included is not None else "?"
            self.includes.append((owner or "", _dotted(included) or code, prefix))

    def add_route(self, owner: str, path: tuple[str | None, str | None], methods: tuple[str, ...], node: Any) -> None:
        self.nodes.add(node)
        self.routes.append((path[0], methods, owner, node, path[1]))
        if path[0] is None:
            self.reason(f"a route on `{owner}` has no static path: {path[1]}", node)

    def nested(self, node: Any, where: str) -> None:
        """Registrations inside functions, classes and loops happen (or not) at runtime: reasons, not routes.

        Plain `.get(...)` calls are left out: in function bodies they are nearly always dict or environ lookups.
        """
        calls = _REGISTERS | _INCLUDES.keys() | {"route", "api_route", "mount"}
        for found in _descendants(node):
            if type(found) is cst.Decorator:
                call, names = found.decorator, _DECORATORS
            elif type(found) is cst.Call:
                applied = type(found.func) is cst.Call  # `app.get("/x")(handler)`
                call, names = (found.func, _DECORATORS) if applied else (found, calls)
            else:
                continue
            func = call.func if type(call) is cst.Call else None
            if type(func) is cst.Attribute and func.attr.value in names:
                self.reason(f"routes are registered on `{_dotted(func.value) or 'an object'}` inside {where}", found)

    def finish(self, offsets: dict[Any, tuple[int, int]], base: int, text: str) -> ModuleInfo:
        def span(node: Any) -> tuple[int, int]:
            start, end = offsets.get(node, (0, 0))
            return start + base, end + base

        starts = [0] + [newline.end() for newline in _NEWLINE.finditer(text)]
        definitions = {
            name: Definition(name, kind, *span(node), *rest)
            for name, (kind, node, *rest) in self.definitions.items()
        }
        routes = tuple(Route(path, methods, owner, *span(node), why) for path, methods, owner, node, why in self.routes)
        lines = [bisect.bisect_right(starts, span(node)[0]) for node in self.reasons.values()]
        dynamic = tuple(f"{message} (line {line})" for message, line in zip(self.reasons, lines))
        return ModuleInfo(definitions, routes, tuple(self.includes), dict(self.routers), dynamic, dict(self.aliases))


def _leftmost(node: Any) -> Any:
    return node if isinstance(node, cst.Name) else _leftmost(node.value)


def _bound_names(target: Any) -> Iterator[Any]:
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _bound_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _bound_names(target.value)


def _descendants(node: Any) -> Iterator[Any]:
    """Every node under `node`, read off dataclass fields: libcst's visitors rebuild each node they pass, which
    made this walk four times slower."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        for name in _field_names(node.__class__):
            value = getattr(node, name)
            if type(value) in (list, tuple):
                stack.extend(item for item in value if _is_node(item.__class__))
            elif _is_node(value.__class__):
                stack.append(value)


@functools.cache
def _field_names(node_type: Any) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(node_type))


@functools.cache
def _is_node(kind: Any) -> bool:
    return issubclass(kind, cst.CSTNode)  # cached: CSTNode is an ABC, and its isinstance checks are slow


def _offsets(module: cst.Module, wanted: set[Any], source: str) -> dict[Any, tuple[int, int]]:
    """Code-point offsets of the `wanted` nodes, from one codegen pass that only counts characters.

    libcst's PositionProvider gives the same answer but records every node through the metadata machinery, at
    about five times the cost; it stays as the fallback should libcst move the internal CodegenState.
    """
    try:
        from libcst._nodes.internal import CodegenState
    except ImportError:
        from libcst.metadata import MetadataWrapper, PositionProvider

        starts = [0] + [newline.end() for newline in _NEWLINE.finditer(module.code)]
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        def point(position: Any) -> int:
            return int(starts[position.line - 1] + position.column)

        return {node: (point(r.start), point(r.end)) for node, r in positions.items() if node in wanted}

    found: dict[Any, tuple[int, int]] = {}

    class Counter(CodegenState):
        offset = 0
        faithful = True  # whether every token so far is exactly the source text at its offset

        def add_indent_tokens(self) -> None:
            for token in self.indent_tokens:
                self.add_token(token)

        def add_token(self, value: str) -> None:
            self.faithful = self.faithful and source.startswith(value, self.offset)
            self.offset += len(value)

        def pop_trailing_newline(self) -> None:
            self.offset -= len(self.default_newline)

        @contextmanager
        def record_syntactic_position(self, node: Any, **_: Any) -> Iterator[None]:
            start = self.offset
            yield
            if node in wanted:
                found[node] = (start, self.offset)

    counter = Counter(module.default_indent, module.default_newline, tokens=[""])  # "": no synthetic final newline
    module._codegen(counter)
    if counter.faithful and counter.offset == len(source):
        return found
    # libcst's codegen does not always give back the text: it drops `\` continuation lines and may re-indent the
    # statement after one. Only whitespace and those backslashes move, and every wanted span starts and ends on a
    # token character, so map the n-th other character of the generated code onto the n-th one of the source.
    def kept(char: str) -> bool:
        return not char.isspace() and char != "\\"

    targets = [index for index, char in enumerate(source) if kept(char)] + [len(source)]
    ranks, rank = [], 0
    for char in module.code:
        ranks.append(rank)
        rank += kept(char)
    ranks.append(rank)

    def at(offset: int, shift: int = 0) -> int:
        return min(targets[min(ranks[offset], len(targets) - 1)] + shift, len(source))

    return {node: (at(start), at(end - 1, 1) if end > start else at(start)) for node, (start, end) in found.items()}
