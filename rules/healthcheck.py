"""HC: Railway's health check, matched against the routes the start command's app actually serves.

The app is found from the effective start command and read statically (Python's `ast`), following imports and
`include_router`/`register_blueprint` into other modules of the root directory, a few levels deep.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

from railcheck import (
    Consequence,
    Diagnostic,
    Invalid,
    Project,
    Related,
    Requires,
    Service,
    ServiceRule,
    Severity,
    Span,
    Valid,
)
from railcheck.facts import app_root, facts, module_info, runtime_pythonpath, script, start_servers
from railcheck.modules import find_module, search_bases
from railcheck.root_evidence import paths_checkable
from railcheck.servers import Server, only_workers
from railcheck.sources.shell import ShellScript
from railcheck.walk import setting_pointers

FAMILY = "HC"
MAX_DEPTH = 4
# The served object of a Django project; its routes come from ROOT_URLCONF, not from the module.
DJANGO_APPS = ("get_wsgi_application", "get_asgi_application")
# A Django project's wsgi.py, for the examples below.
DJANGO_WSGI = (
    'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE",'
    ' "site.settings")\napplication = get_wsgi_application()\n'
)


@dataclass
class RouteTable:
    """Static paths the app serves, where they were found, and why the table may be incomplete."""

    paths: list[tuple[str, PurePosixPath]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    app: PurePosixPath | None = None


@dataclass(frozen=True)
class _Written:
    """Where a health-check path is written: a Document pointer, or a span of the IaC file."""

    path: PurePosixPath
    span: Span | None


def _health_paths(service: Service, project: Project) -> Iterator[tuple[_Written, str]]:
    if service.iac is not None and project.iac is not None:
        value = service.iac.settings.get("healthcheck")
        if value is not None and isinstance(value.value, str) and value.value.startswith("/"):
            yield _Written(project.iac.path, project.iac.span(value.start, value.end)), value.value
    document = service.railway
    if document is None or not isinstance(document.value, dict):
        return
    for pointer in setting_pointers(document.value, "deploy", "healthcheckPath"):
        value = document.get(pointer)
        if isinstance(value, str) and value.startswith("/"):
            yield _Written(document.path, document.value_span(pointer)), value


def _route_table(service: Service, project: Project) -> RouteTable | None:
    """Routes of the app the effective start command serves; None when there is no app to read."""
    key = ("routes", id(service))
    if key in project.memo:
        return project.memo[key]  # type: ignore[return-value]
    table = None
    for server in start_servers(service, project):
        if server.module is None or server.attribute is None or server.kind == "python -m":
            continue
        bases = search_bases(
            app_root(service, project), server.cwd, server.search_dirs, runtime_pythonpath(service, project, server)
        )
        table = _django_routes(service, project, server, bases)
        if table is None:
            table = RouteTable()
            _collect(project, bases, server.module, server.attribute, "", table, 0)
        break
    project.memo[key] = table
    return table


def _django_routes(service: Service, project: Project, server: Server, bases: list[PurePosixPath]) -> RouteTable | None:
    """For `application = get_wsgi_application()` (or ASGI), the routes of the project's ROOT_URLCONF across
    `include(...)`; None when the served object is not Django's."""
    repository = project.repository
    path = find_module(repository, bases, server.module) if repository is not None and server.module else None
    info = module_info(project, path) if path is not None and path.suffix == ".py" else None
    from railcheck.sources.pymodule import ModuleInfo  # loaded with the module analysis (start-up time)

    if not isinstance(info, ModuleInfo) or server.attribute is None:
        return None
    definition = info.definitions.get(info.aliases.get(server.attribute, server.attribute))
    if definition is None or definition.call is None or definition.call.rpartition(".")[2] not in DJANGO_APPS:
        return None
    from railcheck.djangoapp import settings_file, url_routes  # Django projects only (start-up time)

    table = RouteTable(app=path)
    settings = settings_file(service, project, server, bases)
    if settings is None:
        table.reasons.append(
            "the Django settings module is not certain from the files (DJANGO_SETTINGS_MODULE may be set in Railway's"
            " variables)"
        )
        return table
    wanted = [_request_path(path) for _, path in _health_paths(service, project)]
    routes, reasons = url_routes(project, bases, settings, wanted)
    table.paths += routes
    table.reasons += reasons
    return table


def _collect(
    project: Project,
    bases: list[PurePosixPath],
    module: str,
    attribute: str,
    prefix: str,
    table: RouteTable,
    depth: int,
) -> None:
    repository = project.repository
    path = find_module(repository, bases, module) if repository else None
    info = module_info(project, path) if path is not None and path.suffix == ".py" else None
    from railcheck.sources.pymodule import ModuleInfo, routes_for  # loaded with the module analysis

    if depth == 0 and (not isinstance(info, ModuleInfo) or attribute not in info.definitions):
        # The start command's own module is missing, broken or lacks the app: ST001/ST002 report that, and
        # there is no app whose routes a health check could reach (table.app stays None: nothing to say).
        return
    if path is None or path.suffix != ".py":
        table.reasons.append(f"module `{module}` could not be read")
        return
    if not isinstance(info, ModuleInfo):
        table.reasons.append(f"{path} could not be parsed")
        return
    if table.app is None:
        table.app = path
    for _ in range(len(info.aliases)):
        if attribute not in info.aliases:
            break
        attribute = info.aliases[attribute]  # `application = app`: follow to the name that was bound or imported
    definition = info.definitions.get(attribute)
    if (
        definition is not None
        and definition.kind == "import"
        and definition.imported_from is not None
        and depth < MAX_DEPTH
    ):
        # `from .core import app`: the app and its routes live in the other module.
        target = _absolute(module, definition.imported_from, path)
        _collect(project, bases, target, definition.imported_name or attribute, prefix, table, depth + 1)
        return
    found, reasons = routes_for(info, attribute)
    table.paths += [(prefix + route_path, path) for route_path, _ in found if route_path is not None]
    # Includes of imported routers into the app itself are followed below, so their "imported from" reasons
    # do not apply; imports included into a local router keep theirs (the routes are unverified, not absent).
    followed = {child for owner, child, _ in info.includes if owner == attribute}
    table.reasons += [
        reason
        for reason in reasons
        if not any(f"`{child}` included" in reason for child in followed) or "is imported from" not in reason
    ]
    if depth >= MAX_DEPTH:
        return
    for owner, child, at in info.includes:
        head, _, rest = child.partition(".")
        binding = info.definitions.get(head)
        if owner != attribute or binding is None or binding.kind != "import" or binding.imported_from is None:
            continue
        base_module = _absolute(module, binding.imported_from, path)
        if rest:  # `include_router(health.router)` after `from .api import health`
            target = f"{base_module}.{binding.imported_name}" if binding.imported_name else base_module
            _collect(project, bases, target, rest, prefix + (at or ""), table, depth + 1)
        else:  # `include_router(router)` after `from .api.health import router`
            _collect(project, bases, base_module, binding.imported_name or head, prefix + (at or ""), table, depth + 1)


def _absolute(current: str, imported: str, path: PurePosixPath) -> str:
    """`imported` as an absolute dotted module, resolving leading dots against the current module's package."""
    dots = len(imported) - len(imported.lstrip("."))
    if not dots:
        return imported
    package = current.split(".")
    package = package[: len(package) - (0 if path.name == "__init__.py" else 1)]
    package = package[: len(package) - (dots - 1)] if dots > 1 else package
    rest = imported[dots:]
    return ".".join([*package, rest] if rest else package)


def _unserved(service: Service, project: Project) -> tuple[RouteTable | None, list[tuple[_Written, str]]]:
    """The app's route table and the health-check paths none of its static routes matches; (None, []) when
    there is no app to read or paths cannot be checked (SV003 or IC001 explains why). Once per service:
    HC001 and HC002 both ask."""
    key = ("unserved", id(service))
    if key not in project.memo:
        table = _route_table(service, project) if paths_checkable(service, project) else None
        if table is None or table.app is None:
            project.memo[key] = None, []
        else:
            patterns = [_route_pattern(route) for route in dict.fromkeys(route for route, _ in table.paths)]
            wanted = [(written, path, _request_path(path)) for written, path in _health_paths(service, project)]
            project.memo[key] = (
                table,
                [
                    (written, path)
                    for written, path, request in wanted
                    if not any(pattern.fullmatch(request) for pattern in patterns)
                ],
            )
    return project.memo[key]  # type: ignore[return-value]


def _request_path(wanted: str) -> str:
    # Routing looks at the path only, never the query or fragment.
    return posixpath.normpath(wanted.partition("?")[0].partition("#")[0] or "/")


@lru_cache(maxsize=4096)
def _route_pattern(route: str) -> re.Pattern[str]:
    """A route (`/items/{item_id}`, Flask's `/items/<int:item_id>`) as a pattern of the request paths it serves;
    cached, since a monorepo's services repeat their routes."""
    escaped = re.escape(posixpath.normpath(route or "/")).replace(r"\<", "<").replace(r"\>", ">")
    return re.compile(re.sub(r"\\\{[^}]*\\\}|<[^>]*>", "[^/]+", escaped))


class HealthcheckRouteMissing(ServiceRule):
    """
    ## What it does
    Finds the app that the start command serves, reads its routes statically (FastAPI and Starlette
    decorators and route lists, `APIRouter` prefixes and `include_router`, Flask routes and blueprints, and
    Django's `ROOT_URLCONF` with `path`, `re_path` and `include` across modules), and reports a
    `healthcheckPath` that no route serves.

    ## Why is this bad?
    Railway calls the path until it answers 200 and only then switches traffic. A path nobody serves
    answers 404 every time, and after the health-check timeout (300 s by default) the deploy fails.

    ## Example
    `"healthcheckPath": "/api/health"` while the app defines `@app.get("/health")`.
    """

    code = "HC001"
    name = "healthcheck-route-missing"
    summary = "No route of the app serves the health-check path"
    consequence = Consequence.FAILS
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT", "healthcheckPath":'
                    ' "/api/health"}}'
                ),
                "main.py": (
                    "from fastapi import APIRouter, FastAPI\napp = FastAPI()\napi ="
                    " APIRouter(prefix='/api')\n@api.get('/health')\ndef health():\n    return"
                    " {}\napp.include_router(api)\n"
                ),
            }
        ),
        Valid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT", "healthcheckPath":'
                    ' "/health?full=1"}}'
                ),
                "main.py": (
                    "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return {}\n"
                ),
            }
        ),
        # Routes this analysis cannot see (a factory's, Django's URLconf) are HC002's business, not a certain 404.
        Valid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "gunicorn config.wsgi:application", "healthcheckPath": "/healthz/"}}'
                ),
                "config/wsgi.py": (
                    "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
                ),
            }
        ),
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT", "healthcheckPath":'
                    ' "/api/health"}}'
                ),
                "main.py": (
                    "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return {}\n"
                ),
            },
            # Django: the ROOT_URLCONF of the settings module wsgi.py names, across include().
            expect=[("HC001", "railway.json", 1, 96)],
        ),
        Valid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "gunicorn site.wsgi:application", "healthcheckPath": "/api/health/"}}'
                ),
                "site/wsgi.py": DJANGO_WSGI,
                "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
                "site/urls.py": (
                    "from django.urls import include, path\nurlpatterns = [path('api/', include('site.api'))]\n"
                ),
                "site/api.py": "from django.urls import path\nurlpatterns = [path('health/', print)]\n",
            }
        ),
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "gunicorn site.wsgi:application", "healthcheckPath": "/health/"}}'
                ),
                "site/wsgi.py": DJANGO_WSGI,
                "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
                "site/urls.py": "from django.urls import path\nurlpatterns = [path('api/health/', print)]\n",
            },
            expect=[("HC001", "railway.json", 1, 82)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        table, unserved = _unserved(service, project)
        if table is None or table.reasons or table.app is None:
            return  # HC002 covers apps too dynamic to read
        for written, path in unserved:
            served = sorted({route for route, _ in table.paths})
            yield self.diagnostic(
                written.path,
                written.span,
                f"no route of the app in {table.app} serves the health-check path {path}, so every health check gets"
                " 404 and the deploy fails",
                help=(
                    "Routes found: " + ", ".join(served[:8]) + ("..." if len(served) > 8 else "") + ". "
                    if served
                    else "The app defines no routes. "
                )
                + "Point `healthcheckPath` at one, or add the route.",
                related=(Related(table.app, None, "the app the start command serves"),),
            )


class HealthcheckRouteUnverified(ServiceRule):
    """
    ## What it does
    Reports a `healthcheckPath` that railcheck could not match to a route because the app registers
    routes dynamically (in loops or functions, with computed paths, or from modules it cannot read), and no
    static route matched.

    ## Why is this bad?
    It may be fine. But if the path is not served, every deploy waits for the health-check timeout and
    fails; a static route for the health check keeps it obvious.

    ## Example
    Routes added with `for name in PLUGINS: app.add_api_route(f"/{name}", ...)` and
    `"healthcheckPath": "/ready"`.
    """

    code = "HC002"
    name = "healthcheck-route-unverified"
    summary = "The health-check path could not be matched to a route"
    # Unsure is not a finding against the user: at the default `fail-on = "warning"` this must not fail CI.
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railway.json": '{"deploy": {"startCommand": "uvicorn main:app", "healthcheckPath": "/health"}}',
                "main.py": (
                    "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return {}\n"
                ),
            }
        ),
        Invalid(
            {
                "railway.json": '{"deploy": {"startCommand": "uvicorn main:app", "healthcheckPath": "/ready"}}',
                "main.py": (
                    "from fastapi import FastAPI\napp = FastAPI()\nfor name in ['a', 'b']:\n    app.add_api_route('/' +"
                    " name, lambda: {})\n"
                ),
            },
            expect=[("HC002", "railway.json", 1, 68)],
        ),
        # An app made by a factory (Flask's create_app, Django's get_wsgi_application) has routes not read here.
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "gunicorn wsgi:application", "healthcheckPath": "/health"}}'
                ),
                "wsgi.py": "from app import create_app\napplication = create_app()\n",
                "app.py": (
                    "from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n   "
                    " app.get('/health')(lambda: 'ok')\n    return app\n"
                ),
            },
            expect=[("HC002", "railway.json", 1, 77)],
        ),
        # A router imported from another module, included into a local router that the app includes.
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "uvicorn main:app", "healthcheckPath": "/internal/healthz"}}'
                ),
                "main.py": (
                    "from fastapi import APIRouter, FastAPI\nfrom health import router as health_router\ninternal ="
                    " APIRouter(prefix='/internal')\ninternal.include_router(health_router)\napp ="
                    " FastAPI()\napp.include_router(internal)\n"
                ),
                "health.py": (
                    "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/healthz')\ndef healthz():\n   "
                    " return {}\n"
                ),
            },
            expect=[("HC002", "railway.json", 1, 68)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        table, unserved = _unserved(service, project)
        if table is None or not table.reasons:
            return
        for written, path in unserved:
            yield self.diagnostic(
                written.path,
                written.span,
                f"the health-check path {path} matches no static route of the app in {table.app}, and its routes cannot"
                f" all be read: {table.reasons[0]}",
                help=(
                    'Register the health-check route with a literal path (e.g. `@app.get("/health")`) so it can be'
                    " checked."
                ),
            )


class HealthcheckOnWorker(ServiceRule):
    """
    ## What it does
    Reports a `healthcheckPath` on a service whose start command certainly runs no HTTP server: only queue
    workers (`celery -A app worker`, `celery beat`, `rq worker`, `rqworker`, also through `python -m`),
    possibly after `cd`.

    ## Why is this bad?
    Railway calls the path until it answers 200. Nothing listens in a worker, so every call fails and the
    deploy is marked failed after the health-check timeout (300 s by default), although the worker runs.
    A warning, not an error: a worker may start a small HTTP server of its own from code railcheck does
    not read.

    ## Example
    `"startCommand": "celery -A tasks worker", "healthcheckPath": "/health"`.
    """

    code = "HC003"
    name = "healthcheck-on-worker"
    summary = "A health-check path on a service that runs no HTTP server"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {"railway.json": '{"deploy": {"startCommand": "celery -A tasks worker"}}', "requirements.txt": "celery\n"}
        ),
        # Anything besides the worker may serve HTTP: not certain.
        Valid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "celery -A tasks worker & uvicorn main:app --host 0.0.0.0 --port'
                    ' $PORT", "healthcheckPath": "/health"}}'
                ),
                "requirements.txt": "celery\nuvicorn\n",
                "main.py": (
                    "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return {}\n"
                ),
            }
        ),
        Valid(
            {
                "railway.json": '{"deploy": {"startCommand": "celery -A tasks flower", "healthcheckPath": "/"}}',
                "requirements.txt": "celery\nflower\n",
            }
        ),
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "celery -A tasks worker --loglevel info", "healthcheckPath":'
                    ' "/health"}}'
                ),
                "requirements.txt": "celery\n",
            },
            expect=[("HC003", "railway.json", 1, 90)],
        ),
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "cd backend && python -m rq.cli worker high", "healthcheckPath":'
                    ' "/health"}}'
                ),
                "requirements.txt": "rq\n",
            },
            expect=[("HC003", "railway.json", 1, 94)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        start = facts(service, project).start
        if start is None:
            return
        parsed = script(start)
        if not isinstance(parsed, ShellScript) or not only_workers(parsed):
            return
        related = (
            (Related(start.origin.path, start.origin.span, "the start command"),)
            if start.origin.path is not None
            else ()
        )
        for written, path in _health_paths(service, project):
            yield self.diagnostic(
                written.path,
                written.span,
                f"the health-check path {path} is set, but the start command `{start.text}` runs only a queue worker"
                " and no HTTP server, so no health check is ever answered and the deploy fails after the health-check"
                " timeout",
                help=(
                    "Remove `healthcheckPath` from this service's config (a worker needs none), or serve the path from"
                    " an HTTP server the start command runs."
                ),
                related=related,
            )
