"""HC: Railway's health check, matched against the routes the start command's app actually serves.

The app is found from the effective start command and read statically (Python's `ast`), following imports and
`include_router`/`register_blueprint` into other modules of the root directory, a few levels deep.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    Valid,
)
from railcheck.facts import facts, script
from railcheck.routes import health_check_paths
from railcheck.servers import only_workers
from railcheck.sources.shell import ShellScript

FAMILY = "HC"
# A Django project's wsgi.py, for the examples below.
DJANGO_WSGI = (
    'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE",'
    ' "site.settings")\napplication = get_wsgi_application()\n'
)


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
        table, unserved = project.derived.unserved_health_checks(service)
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
        table, unserved = project.derived.unserved_health_checks(service)
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
        for written, path in health_check_paths(service, project):
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
