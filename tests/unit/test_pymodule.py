"""Tests for railcheck.sources.pymodule: top-level definitions, routes and includes, read without running code."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import unicodedata
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.sources import pymodule
from railcheck.sources.pymodule import ModuleInfo, Route, analyse_module, routes_for
from railcheck.sources.text import ParseFailure


def ok(text: str) -> ModuleInfo:
    info = analyse_module(text)
    assert isinstance(info, ModuleInfo), info
    return info


def fail(text: str) -> ParseFailure:
    result = analyse_module(text)
    assert isinstance(result, ParseFailure), result
    assert result.message.startswith("invalid Python: ")
    assert 0 <= result.start <= result.end <= len(text)
    return result


def paths(info: ModuleInfo, app: str) -> dict[str | None, tuple[str, ...]]:
    found, _ = routes_for(info, app)
    return {path: route.methods for path, route in found}


FASTAPI = textwrap.dedent(
    '''\
    """Orders service."""
    from __future__ import annotations

    import os

    from fastapi import APIRouter, FastAPI, WebSocket
    from fastapi.middleware.cors import CORSMiddleware

    from .settings import settings

    API_PREFIX = "/api"

    app = FastAPI(title="orders", docs_url=None, redoc_url=None)
    app.add_middleware(CORSMiddleware, allow_origins=["*"])

    health = APIRouter(tags=["health"])
    orders = APIRouter(prefix="/orders")
    admin = APIRouter(prefix="/admin")


    @health.get("/health")
    async def healthcheck() -> dict[str, str]:
        return {"status": os.environ.get("STATUS", "ok")}


    @health.api_route("/ready", methods=["get", "HEAD"])
    async def ready() -> dict[str, str]:
        return {"status": "ready"}


    @orders.get("")
    async def list_orders() -> list[dict[str, int]]:
        return []


    @orders.post("/{order_id}/" "cancel", status_code=202)
    async def cancel(order_id: int) -> None:
        return None


    @admin.delete(f"/cache")
    async def clear_cache() -> None:
        return None


    @app.websocket("/ws")
    async def stream(socket: WebSocket) -> None:
        await socket.accept()


    @app.get(API_PREFIX + settings.version)
    async def version() -> str:
        return "1"


    orders.include_router(admin)
    app.include_router(health, prefix="/api")
    app.include_router(orders, prefix=API_PREFIX)
    app.include_router(router=orders, prefix="/v2")
    app.add_api_route("/metrics", version, methods=["GET"])
    '''
)


def test_fastapi_module_routes_through_router_chains() -> None:
    info = ok(FASTAPI)
    assert info.routers == {"health": "", "orders": "/orders", "admin": "/admin"}
    assert ("app", "health", "/api") in info.includes and ("orders", "admin", "") in info.includes
    found = paths(info, "app")
    assert found["/api/health"] == ("GET",)
    assert found["/api/ready"] == ("GET", "HEAD")
    assert found["/v2/orders"] == ("GET",)
    assert found["/v2/orders/{order_id}/cancel"] == ("POST",)
    assert found["/v2/orders/admin/cache"] == ("DELETE",)  # router included into a router included into the app
    assert found["/ws"] == ("WEBSOCKET",)
    assert found["/metrics"] == ("GET",)
    assert found["/openapi.json"] == ("GET",)  # FastAPI's own, kept unless openapi_url=None
    assert "/docs" not in found and "/redoc" not in found
    # `prefix=API_PREFIX` is a variable: those routes are listed with an unknown path, and the reason is given.
    assert None in found
    _, reasons = routes_for(info, "app")
    expected = "prefix of an include into `app` is not static: prefix is a variable (`API_PREFIX`) (line 58)"
    assert expected in reasons
    dynamic = [route for route in info.routes if route.path is None]
    assert [route.reason for route in dynamic] == ["path is a variable (`API_PREFIX`)"]
    (route,) = dynamic
    assert FASTAPI[route.start : route.end] == "app.get(API_PREFIX + settings.version)"
    cancel = next(route for route in info.routes if route.path == "/{order_id}/cancel")
    assert FASTAPI[cancel.start : cancel.end] == 'orders.post("/{order_id}/" "cancel", status_code=202)'
    assert cancel.owner == "orders"
    assert info.definitions["app"].call == "FastAPI"
    assert info.definitions["settings"].imported_from == ".settings"


FLASK = textwrap.dedent(
    """\
    from flask import Blueprint, Flask, jsonify

    app = Flask(__name__)
    api = Blueprint("api", __name__, url_prefix="/api")
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    v1 = Blueprint("v1", __name__, url_prefix="/v1")

    @app.route("/")
    def index():
        return "hi"

    @api.route("/health", methods=("GET", "POST"))
    def health():
        return jsonify(ok=True)

    @admin.get("/stats")
    def stats():
        return {}

    @v1.put("/items/<int:item_id>")
    def put_item(item_id):
        return {}

    def legacy():
        return "old"

    app.add_url_rule("/legacy", "legacy", legacy)
    api.register_blueprint(v1)
    app.register_blueprint(api)
    app.register_blueprint(admin, url_prefix="/internal")
    """
)


def test_flask_blueprints_and_url_prefix_override() -> None:
    info = ok(FLASK)
    assert info.routers == {"api": "/api", "admin": "/admin", "v1": "/v1"}
    assert paths(info, "app") == {
        "/": ("GET",),
        "/legacy": ("GET",),
        "/api/health": ("GET", "POST"),
        "/api/v1/items/<int:item_id>": ("PUT",),  # nested blueprint: parent prefix, then its own
        "/internal/stats": ("GET",),  # a registration url_prefix replaces the blueprint's own
    }
    assert routes_for(info, "app")[1] == []
    assert info.definitions["app"].call == "Flask" and info.definitions["legacy"].kind == "def"


STARLETTE = textwrap.dedent(
    """\
    from starlette.applications import Starlette
    from starlette.routing import Mount, Route, WebSocketRoute

    async def homepage(request): ...
    async def health(request): ...
    async def ws(socket): ...

    admin = Starlette(routes=[Route("/users", homepage, methods=["GET", "DELETE"])])

    routes = [
        Route("/", homepage),
        Route("/health" + "z", endpoint=health),
        WebSocketRoute("/ws", ws),
        Mount("/api", routes=[Route("/status", health), Mount("/v1", routes=[Route("/ping", health)])]),
        Mount("/admin", app=admin),
        *extra_routes,
    ]

    app = Starlette(debug=True, routes=routes)
    """
)


def test_starlette_routes_list_mounts_and_sub_apps() -> None:
    info = ok(STARLETTE)
    assert info.includes == (("app", "admin", "/admin"),)
    assert paths(info, "app") == {
        "/": ("GET",),
        "/healthz": ("GET",),
        "/ws": ("WEBSOCKET",),
        "/api/status": ("GET",),
        "/api/v1/ping": ("GET",),
        "/admin/users": ("GET", "DELETE"),
    }
    route = next(route for route in info.routes if route.path == "/healthz")
    assert STARLETTE[route.start : route.end] == 'Route("/health" + "z", endpoint=health)'
    assert any(r == "routes list of `app` has an entry this analysis cannot read (line 16)" for r in info.dynamic)


def test_what_uvicorn_targets_can_be() -> None:
    text = textwrap.dedent(
        """\
        from .core import app as application
        from . import settings
        import app.main
        import os.path as osp
        from factory import create_app

        app = create_app()
        server = factories.make_server(config)
        api: "FastAPI" = FastAPI()
        def main(): ...
        class Config: ...
        """
    )
    info = ok(text)
    defs = info.definitions
    assert defs["application"].kind == "import"
    assert (defs["application"].imported_from, defs["application"].imported_name) == (".core", "app")
    assert (defs["settings"].imported_from, defs["settings"].imported_name) == (".", "settings")
    assert defs["osp"].imported_from == "os.path"
    # The later binding wins over `import app.main`.
    assert defs["app"].kind == "assign" and defs["app"].call == "create_app"
    assert defs["server"].call == "factories.make_server"
    assert defs["api"].kind == "annassign" and defs["api"].call == "FastAPI"
    assert (defs["main"].kind, defs["Config"].kind) == ("def", "class")
    for name, definition in defs.items():
        assert text[definition.start : definition.end] == name
    _, reasons = routes_for(info, "application")
    assert reasons == ["`application` is imported from `.core`; its routes are in that module"]


def test_def_app_and_conditional_bindings() -> None:
    text = "def app():\n    return 1\n\ntry:\n    import uvloop\nexcept ImportError:\n    uvloop = None\n"
    text += "if DEBUG: debug_app = make()\nelse:\n    with ctx():\n        prod, (a, *rest) = 1, (2, 3)\ndel a\n"
    defs = ok(text).definitions
    assert defs["app"].kind == "def" and defs["app"].call is None
    assert defs["uvloop"].kind == "assign"  # the except branch binds it last
    assert {"debug_app", "prod", "rest"} <= defs.keys() and "a" not in defs


def test_offsets_slice_to_names_with_crlf_lone_cr_bom_and_wide_characters() -> None:
    for newline in ("\n", "\r\n", "\r"):
        lines = ["\ufeff# é𝔘 ünïcode", "x𝔘 = 'é'; app = FastAPI()", "@app.get('/ä')", "def h(): ..."]
        text = newline.join(lines) + newline
        info = ok(text)
        for name in ("x𝔘", "app", "h"):
            definition = info.definitions[name]
            assert text[definition.start : definition.end] == name
        (route,) = [route for route in info.routes if route.path == "/ä"]
        assert text[route.start : route.end] == "app.get('/ä')"


def test_dynamic_registrations_are_reasons() -> None:
    text = textwrap.dedent(
        """\
        from fastapi import FastAPI
        from .views import *

        app = FastAPI()
        for path in ["/a", "/b"]:
            app.add_api_route(path, handler)

        def register(target):
            @target.get("/in-function")
            def inner(): ...

        getattr(app, "post")("/x")(handler)
        app.add_api_route(f"/items/{kind}", handler)
        app.add_api_route(path=PATHS.health, endpoint=handler)
        """
    )
    info = ok(text)
    assert info.dynamic == (
        "star import from `.views` may define names and routes not seen here (line 2)",
        "routes are registered on `app` inside a `for` loop (line 6)",
        "routes are registered on `target` inside function `register` (line 9)",
        "routes may be registered on `app` through getattr (line 12)",
        "a route on `app` has no static path: path is an f-string with placeholders (line 13)",
        "a route on `app` has no static path: path is an attribute (`PATHS.health`) (line 14)",
    )
    found, reasons = routes_for(info, "app")
    assert [path for path, _ in found].count(None) == 2
    assert len(reasons) == len(info.dynamic)


def test_includes_this_module_cannot_follow() -> None:
    text = textwrap.dedent(
        """\
        from .api import router
        app = FastAPI(openapi_url=None)
        loop = APIRouter()
        loop.include_router(loop)
        app.include_router(router, prefix="/api")
        app.include_router(loop)
        app.mount("/static", StaticFiles(directory="static"), name="static")
        """
    )
    found, reasons = routes_for(ok(text), "app")
    assert found == []
    assert reasons == [
        "`router` included into `app` at '/api' is imported from `.api`; its routes are in that module",
        "`loop` included into `loop` at '/' is included recursively",
        "`StaticFiles(directory=\"static\")` included into `app` at '/static' is not defined in this module",
    ]


def test_syntax_errors_point_at_the_offending_token() -> None:
    text = "import os\r\nnamé = 'ü'\r\nx = = 1\r\n"
    failure = fail(text)
    assert text[failure.start : failure.end] == "="
    assert failure.start == text.index("= =") + 2
    assert "error at" not in failure.message
    failure = fail("app = FastAPI()\nif app:\nreturn_value = 1\n")
    assert failure.message == "invalid Python: expected an indented block after 'if' statement on line 2"
    assert (failure.start, failure.end) == (24, 36)  # `return_value`, where the indented block should be
    failure = fail("\ufeffx = = 1")
    assert (failure.start, failure.end) == (5, 6)
    assert fail("x = 'unterminated\n").message == "invalid Python: unterminated string literal (detected at line 1)"


def test_planted_module_is_never_imported_or_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed.marker"
    planted = textwrap.dedent(
        f"""\
        open({str(marker)!r}, "w").write("top level")
        import sys; sys.modules.setdefault("planted_marker_module", sys)
        __import__("os").system("touch {marker}")
        app = FastAPI(title=open({str(marker)!r}, "w").write("argument"))

        @app.get(open({str(marker)!r}, "w").name)
        def handler(x=open({str(marker)!r}, "w")):
            return open({str(marker)!r}, "w")

        class Evil(metaclass=__import__("builtins").exec("open({str(marker)!r}, 'w')")):
            pass

        exec("open({str(marker)!r}, 'w')")
        """
    )
    (tmp_path / "planted.py").write_text(planted)
    info = ok(planted)
    assert "handler" in info.definitions and "Evil" in info.definitions
    assert routes_for(info, "app")[0][0][0] == "/openapi.json"
    assert not marker.exists()
    assert "planted_marker_module" not in sys.modules and "planted" not in sys.modules


def test_routes_are_plain_values() -> None:
    (route,) = list(ok("app = Flask(__name__)\napp.add_url_rule('/x', view_func=v)\n").routes)
    assert route == Route("/x", ("GET",), "app", 22, 57, None)


FRAGMENTS = [
    "app = FastAPI()\n",
    "router = APIRouter(prefix='/v1')\n",
    "@router.get('/x')\n",
    "@app.route(p)\n",
    "def f():\n",
    "    pass\n",
    "app.include_router(router, prefix='/api')\n",
    "for i in x:\n",
    "app = Starlette(routes=[Route('/a', f), Mount('/m', routes=r), *z])\n",
    "from . import *\n",
    "x = (",
    ")\n",
    "f'{",
    "'\n",
    "\r\n",
    "\t",
    "é",
    "\ufeff",
    "\\\n",
    "if x: y = 1\n",
    "else:\n",
]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    check_result(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS)).map("".join))
def test_never_raises_on_python_like_text(text: str) -> None:
    check_result(text)


def check_result(text: str) -> None:
    result = analyse_module(text)
    if isinstance(result, ParseFailure):
        assert 0 <= result.start <= result.end <= len(text)
        return
    for definition in result.definitions.values():
        assert text[definition.start : definition.end] == definition.name
    for route in result.routes:
        assert 0 <= route.start < route.end <= len(text)
    for name in {route.owner for route in result.routes} | set(result.routers):
        routes_for(result, name)


def test_offsets_survive_whitespace_libcst_does_not_round_trip() -> None:
    # libcst's codegen drops a `\` continuation line before a statement, so its offsets drift from the text.
    text = "\\\napp = FastAPI()\n\\\nif x:\n    y = 1\n\\\napp.add_api_route('/z', h)\ndef z(): ...\n"
    info = ok(text)
    for name in ("app", "y", "z"):
        assert text[info.definitions[name].start : info.definitions[name].end] == name
    (route,) = [route for route in info.routes if route.path == "/z"]
    assert text[route.start : route.end] == "app.add_api_route('/z', h)"


def test_offsets_survive_whitespace_libcst_moves() -> None:
    # libcst drops the space before this `:`, so every later offset would be one short.
    text = "try:\n    pass\nexcept (OSError, ValueError) :\n    pass\n\n\nfrom x import app\n"
    definition = ok(text).definitions["app"]
    assert text[definition.start : definition.end] == "app"


def test_chained_assignment_names_the_same_app() -> None:
    info = ok("app = application = Flask(__name__)\n@application.get('/h')\ndef h(): ...\n")
    assert info.definitions["app"].call == info.definitions["application"].call == "Flask"
    assert info.aliases == {"application": "app"}
    assert paths(info, "application") == paths(info, "app") == {"/h": ("GET",)}
    info = ok(
        "app = Flask(__name__)\napplication = app\nbp = Blueprint('b', __name__)\n@bp.get('/b')\ndef b(): ...\n"
        "application.register_blueprint(bp, url_prefix='/x')\nwsgi = application\n"
    )
    assert paths(info, "wsgi") == {"/x/b": ("GET",)}


# --- ast: positions in UTF-8 bytes, identifiers NFKC-normalised, CPython's own syntax and line breaks ---------------


def test_offsets_count_code_points_where_ast_counts_utf8_bytes() -> None:
    # ast's columns count UTF-8 bytes: 2-, 3- and 4-byte characters earlier on a line must not shift what follows.
    text = (
        "é = '€😀'; app = FastAPI(); from m import (x as ñ)\n"
        "ä = app; app.include_router(rö, prefix='/€')\n"
        "app.mount('/s', Static(directory='😀')); app.add_api_route('/ä', h)\n"
        "async  def  Ωx(): ...\n"
    )
    assert unicodedata.is_normalized("NFKC", text)  # ast spells every name here as written
    info = ok(text)
    for name in ("é", "app", "ñ", "ä", "Ωx"):
        assert text[info.definitions[name].start : info.definitions[name].end] == name
    (route,) = [route for route in info.routes if route.path == "/ä"]
    assert text[route.start : route.end] == "app.add_api_route('/ä', h)"
    assert info.includes == (("app", "rö", "/€"), ("app", "Static(directory='😀')", "/s"))
    assert info.aliases == {"ä": "app"}


def test_names_are_kept_as_written_when_ast_would_normalise_them() -> None:
    # ast applies NFKC to identifiers (`ﬁ` becomes `fi`); definitions, owners and aliases keep the text's spelling.
    text = "ﬁ = FastAPI(openapi_url=None)\n@ﬁ.get('/x')\ndef 𝔘(): ...\nimport os as ℌ\nwsgi = ﬁ\n"
    text += "def later():\n    ﬁ.ｍｏｕｎｔ('/m', other)\n"  # Python reads the attribute as `mount`
    info = ok(text)
    assert list(info.definitions) == ["ﬁ", "𝔘", "ℌ", "wsgi", "later"]
    for name, definition in info.definitions.items():
        assert text[definition.start : definition.end] == name
    assert paths(info, "wsgi") == {"/x": ("GET",)}
    assert info.dynamic == ("routes are registered on `ﬁ` inside function `later` (line 7)",)


def test_line_numbers_follow_ast_line_breaks() -> None:
    # \r, \r\n and \n end lines; \f, \v and U+2028 (allowed in comments and strings) do not.
    text = "# a\u2028b\x0bc\x0c\nx = '\u2028\x0c'\r\rfor i in r:\r\x0c    app.add_api_route(i, h)\r\n"
    text += "@app.get('/q')\ndef y(): ..."
    info = ok(text)
    assert info.dynamic == ("routes are registered on `app` inside a `for` loop (line 5)",)
    (route,) = info.routes
    assert text[route.start : route.end] == "app.get('/q')"
    assert text[info.definitions["y"].start : info.definitions["y"].end] == "y"


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("éΩ𐐀 = = 1\n", "="),
        ("x = 'é€😀' $ 1\n", "$"),
        ("s = 'ü'\r\nt = f'{a b}'\r\n", "a b"),  # 3.11 reports this against "(a b)", not the line
        ("\ufeffé = 'unterminated\n", "'"),
        ("x = 1\x00\n", "\x00"),
        ("x = '\ud800'\n", "\ud800"),
    ],
)
def test_syntax_error_positions_are_code_points(text: str, token: str) -> None:
    failure = fail(text)
    assert text[failure.start : failure.end] == token, failure
    assert failure.start == (text.rindex(token) if token == "=" else text.index(token))


def test_nesting_too_deep_to_parse_is_a_failure_not_a_crash() -> None:
    assert fail("-" * 100_000 + "1").message == "invalid Python: nesting too deep to analyse"
    assert fail("x = " + "+".join(["'a'"] * 100_000)).message == "invalid Python: nesting too deep to analyse"


def test_warnings_about_the_analysed_code_are_neither_raised_nor_shown() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")  # as under `python -W error`: an invalid escape would become a SyntaxError
        info = ok("import re\nPATTERN = re.compile('\\d+')\n")
    assert "PATTERN" in info.definitions and caught == []


def test_backslash_continuation_lines_join_as_in_cpython() -> None:
    # A `\` line joins the next one, indentation and all: CPython rejects the first module (libcst did not) and
    # binds `app` in the second at top level.
    assert fail("x = 1\n  \\\nif x:\n    y = 1\n").message == "invalid Python: unexpected indent"
    assert ok("def f():\n    pass\n\\\napp = Flask(__name__)\n").definitions["app"].kind == "assign"


def test_nested_registrations_in_every_written_form() -> None:
    text = textwrap.dedent(
        """\
        def setup(app):
            app.add_url_rule("/a", view_func=v)
            app.add_url_rule("/b", view_func=v)
        def applied():
            app.get("/x") (handler)
        def continued():
            app.get("/y") \\
                (handler)
        class Views:
            @bp.route("/z")
            def z(self): ...
        def plain():
            return settings.get("mount_point"), os.environ.get("ROUTE")
        """
    )
    assert ok(text).dynamic == (
        "routes are registered on `app` inside function `setup` (line 2)",  # the first of two
        "routes are registered on `app` inside function `applied` (line 5)",
        "routes are registered on `app` inside function `continued` (line 7)",
        "routes are registered on `bp` inside class `Views` (line 10)",
    )
    # Blocks whose text has none of these hints are not walked, so every registering name must contain one.
    assert all(pymodule._NESTED_HINT.search(f"x.{name}(") for name in pymodule._NESTED_CALLS)
    # A word in data is not a registration: such a body is skipped, and its absence of reasons is right.
    assert ok("def handler():\n    return {'route': 1, 'mount': 2}\n").dynamic == ()


def test_analysis_needs_no_libcst() -> None:
    code = (
        "import sys; sys.modules['libcst'] = None\n"
        "from railcheck.sources.pymodule import analyse_module\n"
        "print(type(analyse_module('app = FastAPI()')).__name__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "ModuleInfo"


# Decorators around the shape `_Walker.verb_route` reads without the general reading: owners, verbs and arguments
# it takes and ones it must leave to `any_registration`.
DECORATOR_OWNERS = ["app", "router", "api.v1", "get_router()", "x[0]"]
DECORATOR_VERBS = ["get", "post", "delete", "head", "trace", "route", "api_route", "websocket", "include_router", "Get"]
DECORATOR_ARGUMENTS = [
    "",
    "'/a'",
    '"/items/{item_id}"',
    "b'/a'",
    "f'/a'",
    "f'/{x}'",
    "'/a' + '/b'",
    "PATH",
    "*paths",
    "1",
    "None",
    "path='/b'",
    "rule='/b'",
    "response_model=Item",
    "methods=['GET', 'POST']",
    "methods=methods",
    "**options",
    "'/a', '/b'",
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(DECORATOR_OWNERS),
    st.sampled_from(DECORATOR_VERBS),
    st.lists(st.sampled_from(DECORATOR_ARGUMENTS), max_size=3),
)
def test_verb_routes_read_as_the_general_reading_does(owner: str, verb: str, arguments: list[str]) -> None:
    # Keyword arguments after positional ones, as Python requires.
    ordered = sorted(arguments, key=lambda argument: "=" in argument or argument.startswith("**"))
    text = f"@{owner}.{verb}({', '.join(ordered)})\ndef handler():\n    return {{}}\n"
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef)
    decorator = definition.decorator_list[0]

    def read(fast: bool) -> tuple[object, ...]:
        walker = pymodule._Walker(pymodule.SourcePositions(text))
        if fast:
            walker.registration(decorator, decorator=True)
        else:
            walker.any_registration(decorator, decorator=True)
        return walker.routes, walker.includes, walker.reasons, walker.definitions

    assert read(fast=True) == read(fast=False)
    if ordered in (["'/a'"], ["'/a'", "response_model=Item"]) and verb in ("get", "post") and owner.isidentifier():
        # The shape the shortcut exists for does take it.
        walker = pymodule._Walker(pymodule.SourcePositions(text))
        assert isinstance(decorator, ast.Call) and walker.verb_route(decorator)
        assert walker.routes == [Route("/a", (verb.upper(),), owner, 1, text.index("\n"), None)]
