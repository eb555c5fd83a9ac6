"""Tests for railcheck.sources.iac: Railway IaC files (`.railway/railway.py` / `.ts`) read statically."""

from __future__ import annotations

import copy
import pickle
import sys
from pathlib import Path

import pytest
from helpers import paths
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from railcheck.sources.iac import UNKNOWN, IacFile, IacService, IacValue, built_elsewhere, read_iac
from railcheck.sources.text import ParseFailure

FIXTURES = paths.FIXTURES / "iac"
LANGUAGES = {".py": "python", ".ts": "typescript"}


def load(name: str) -> tuple[str, IacFile]:
    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    result = read_iac(text, LANGUAGES[path.suffix])
    assert isinstance(result, IacFile), result
    return text, result


def read(text: str, language: str = "python") -> IacFile:
    result = read_iac(text, language)
    assert isinstance(result, IacFile), result
    return result


def by_name(result: IacFile) -> dict[str, IacService]:
    return {service.name: service for service in result.services}


def written(text: str, value: IacValue | ParseFailure) -> str:
    return text[value.start : value.end]


def values(service: IacService) -> dict[str, object]:
    return {key: value.value for key, value in service.settings.items()}


def messages(result: IacFile) -> list[str]:
    return [problem.message for problem in result.problems]


def py(body: str, imports: str = "define_railway, github, postgres, project, service") -> str:
    """A railway.py whose program returns `project("p", resources=[<body>])`."""
    return (
        f"from railway_sdk import {imports}\n\n"
        "@define_railway\n"
        "def railway():\n"
        f'    return project("p", resources=[{body}])\n'
    )


def ts(body: str, imports: str = "defineRailway, github, postgres, project, service") -> str:
    return (
        f'import {{ {imports} }} from "railway/iac";\n'
        f'export default defineRailway(() => project("p", {{ resources: [{body}] }}));\n'
    )


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("name", ["shop.py", "shop.ts"])
def test_shop_services_and_aliases(name: str) -> None:
    text, result = load(name)
    functions = ["nightly"] if name.endswith(".py") else []
    assert [s.name for s in result.services] == ["api", "worker", "web", "admin", *functions]
    assert [(db, text[start:end]) for db, start, end in result.databases] == [
        ("postgres", '"postgres"'),
        ("cache", '"cache"'),
    ]
    assert result.problems == ()
    services = by_name(result)

    api = services["api"]
    assert values(api) == {
        "root": "services/api",  # the github source's rootDirectory wins over root=
        "start": "uvicorn main:app --host 0.0.0.0 --port $PORT",
        "healthcheck": "/health",
        "healthcheckTimeout": 120,
        "build": "pip install -r requirements.txt",
        "preDeploy": ["python manage.py migrate", "python manage.py collectstatic --noinput"],
        "variables": {"LOG_LEVEL": "warning", "PORT": "8000", "DATABASE_URL": UNKNOWN},  # env wins over variables
        "domains": [{"domain": "api.example.com", "port": 8000}, "shop.example.com"],
        "replicas": 2,
        "sourceType": "github",
        "sourceRepo": "acme/shop",
    }
    assert text[api.name_start : api.name_end] == '"api"'
    assert text[api.call_start : api.call_end].replace("\n", "").replace(" ", "").startswith('service("api",')
    assert text[api.call_start : api.call_end].endswith(")")

    root = api.settings["root"]
    assert written(text, root) == "API_ROOT" and root.origin is not None
    assert text[root.origin[0] : root.origin[1]] == '"services/api"'
    assert root.text_start is not None and text[root.text_start : root.text_start + 12] == "services/api"
    start = api.settings["start"]
    assert written(text, start) == '"uvicorn main:app --host 0.0.0.0 --port $PORT"'
    assert start.text_start == start.start + 1 and start.origin is None
    variables = api.settings["variables"]
    assert written(text, variables).startswith(('{"DATABASE_URL"', "{ DATABASE_URL"))
    entries = dict(variables.entries)
    assert written(text, entries["LOG_LEVEL"]) == '"warning"'
    assert written(text, entries["PORT"]) == '"8000"'
    assert entries["DATABASE_URL"].value is UNKNOWN
    assert "reference" in (entries["DATABASE_URL"].reason or "")
    assert written(text, entries["DATABASE_URL"]) == "db.env.DATABASE_URL"
    assert [written(text, item) for _, item in api.settings["preDeploy"].entries] == [
        '"python manage.py migrate"',
        '"python manage.py collectstatic --noinput"',
    ]

    worker = services["worker"]
    assert values(worker)["root"] == "services/worker"
    assert values(worker)["start"] == "python -m worker --queue default"
    assert written(text, worker.settings["start"]) == "WORKER_START"
    assert values(worker)["healthcheck"] == "/healthz"  # run={"healthcheck": ...}
    assert values(worker)["build"] == "make worker"  # build={"buildCommand": ...}
    assert values(worker)["preDeploy"] == ["python -m worker.check"]  # a string becomes a one-item list
    assert written(text, worker.settings["preDeploy"]) == '"python -m worker.check"'
    assert values(worker)["variables"] == {"PYTHONUNBUFFERED": "1", "LOG_LEVEL": "info"}
    assert written(text, worker.settings["variables"]) == "SHARED_ENV"
    assert values(worker)["configFile"] == "/services/worker/railway.toml"
    assert "domains" not in worker.settings and "replicas" not in worker.settings

    web = services["web"]  # a typed source dict: its rootDirectory counts; run.command beats deploy.startCommand
    assert values(web) == {
        "root": "services/web",
        "start": "gunicorn web.wsgi",
        "healthcheck": "/ready",
        "healthcheckTimeout": 30,
        "sourceType": "github",
        "sourceRepo": "acme/shop",
    }
    assert values(services["admin"])["root"] == "services/admin"

    for service in result.services:
        for value in service.settings.values():
            assert 0 <= value.start <= value.end <= len(text)


def test_python_f_string_without_placeholders_and_function_kind() -> None:
    text, result = load("shop.py")
    services = by_name(result)
    health = services["worker"].settings["healthcheck"]
    assert health.value == "/healthz" and written(text, health) == "HEALTH"
    assert health.origin is not None and text[health.origin[0] : health.origin[1]] == 'f"/healthz"'
    nightly = services["nightly"]
    assert nightly.kind == "function" and values(nightly) == {"start": "python nightly.py"}
    assert services["api"].kind == "service"


def test_the_brief_example() -> None:
    text = """from railway_sdk import define_railway, github, postgres, project, service

API_ROOT = "services/api"

@define_railway
def railway():
    return project("shop", resources=[
        service("api", source=github("acme/shop", rootDirectory=API_ROOT), start="uvicorn main:app --host 0.0.0.0 --port $PORT",
                healthcheck="/health", build="pip install -r requirements.txt", preDeploy=["python manage.py migrate"],
                env={"DATABASE_URL": "${{postgres.DATABASE_URL}}"}, domains=[{"domain": "api.example.com", "targetPort": 8080}]),
        service("worker", root="services/worker", startCommand="python worker.py"),
        postgres("postgres"),
    ])
"""
    result = read(text)
    api, worker = result.services
    assert values(api)["variables"] == {"DATABASE_URL": "${{postgres.DATABASE_URL}}"}
    assert values(api)["domains"] == [{"domain": "api.example.com", "targetPort": 8080}]  # as written
    assert values(worker) == {"root": "services/worker", "start": "python worker.py"}
    assert result.databases == (("postgres", text.index('"postgres")'), text.index('"postgres")') + 10),)
    assert result.problems == ()


# ------------------------------------------------------------------------------------ alias semantics


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Python chains aliases with `or`: an empty value falls through to the next alias.
        ('service("a", start="", startCommand="x")', {"start": "x"}),
        ('service("a", startCommand="x", run={"command": "y"})', {"start": "x"}),
        ('service("a", run={}, deploy={"startCommand": "z"})', {"start": "z"}),
        ('service("a", run=None, deploy={"healthcheckPath": "/h"})', {"healthcheck": "/h"}),
        ('service("a", healthcheckPath="/p", run={"healthcheck": "/r"})', {"healthcheck": "/p"}),
        # ... but healthcheckTimeout and preDeploy go by key presence (dict.get(key, fallback)).
        ('service("a", healthcheckTimeout=None, run={"healthcheckTimeout": 30})', {}),
        ('service("a", run={"healthcheckTimeout": 30}, deploy={"healthcheckTimeout": 60})', {"healthcheckTimeout": 30}),
        ('service("a", preDeploy=None, deploy={"preDeployCommand": ["m"]})', {"preDeploy": ["m"]}),
        ('service("a", preDeployCommand="m", run={"preDeploy": "n"})', {"preDeploy": ["m"]}),
        ('service("a", rootDirectory="r")', {"root": "r"}),
        ('service("a", root="", rootDirectory="r")', {"root": "r"}),
        ('service("a", root="x", source=github("o/r"))', {"root": "x", "sourceType": "github", "sourceRepo": "o/r"}),
        (
            'service("a", root="x", source=github("o/r", rootDirectory=""))',
            {"root": "x", "sourceType": "github", "sourceRepo": "o/r"},
        ),
        (
            'service("a", root="x", source={"type": "image", "image": "n", "rootDirectory": "y"})',
            {"root": "y", "sourceType": "image"},
        ),
        ('service("a", build="")', {"build": ""}),
        ('service("a", build={"builder": "RAILPACK"})', {"builder": "RAILPACK"}),
        ('service("a", env={}, variables={})', {}),
        ('service("a", env={"A": "1"}, variables={"A": "2", "B": "3"})', {"variables": {"A": "1", "B": "3"}}),
        ('service("a", replicas={"us-west2": 2})', {"replicas": {"us-west2": 2}}),
        ('service("a", regions={"us-west2": 1})', {"replicas": {"us-west2": 1}}),
        (
            'service("a", configFile="/railway.json", domains=["a.example.com"])',
            {"configFile": "/railway.json", "domains": ["a.example.com"]},
        ),
        ('service("a", **{"start": "s", "root": "r"})', {"start": "s", "root": "r"}),
        ('service("a", start=dict(command="x")["command"])', {"start": UNKNOWN}),
        ('service("a", env=dict(A="1"))', {"variables": {"A": "1"}}),
        ('service("a", replicas=-1, healthcheckTimeout=1.5)', {"replicas": -1, "healthcheckTimeout": 1.5}),
    ],
)
def test_python_alias_semantics(body: str, expected: dict[str, object]) -> None:
    (service,) = read(py(body)).services
    assert values(service) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # TypeScript chains aliases with `??`: only null/undefined fall through.
        ('service("a", { start: "", startCommand: "x" })', {"start": ""}),
        ('service("a", { start: null, startCommand: "x" })', {"start": "x"}),
        ('service("a", { start: undefined, run: { command: "y" } })', {"start": "y"}),
        ('service("a", { deploy: { startCommand: "z", healthcheckPath: "/h" } })', {"start": "z", "healthcheck": "/h"}),
        ('service("a", { healthcheckTimeout: null, run: { healthcheckTimeout: 30 } })', {"healthcheckTimeout": 30}),
        ('service("a", { preDeploy: "", deploy: { preDeployCommand: ["m"] } })', {"preDeploy": ["m"]}),
        ('service("a", { preDeploy: ["a", "b"] })', {"preDeploy": ["a", "b"]}),
        ('service("a", { root: "", rootDirectory: "r" })', {"root": ""}),
        (
            'service("a", { root: "x", source: github("o/r", { rootDirectory: "y" }) })',
            {"root": "y", "sourceType": "github", "sourceRepo": "o/r"},
        ),
        (
            'service("a", { root: "x", source: github("o/r") })',
            {"root": "x", "sourceType": "github", "sourceRepo": "o/r"},
        ),
        ('service("a", { build: { buildCommand: "b" } })', {"build": "b"}),
        ('service("a", { env: {} })', {"variables": {}}),
        ('service("a", { variables: { A: "2", B: "3" }, env: { A: "1" } })', {"variables": {"A": "1", "B": "3"}}),
        ('service("a", { configFile: "" })', {}),
        ('service("a", { "start": \'it\\\'s\', [`root`]: "r" })', {"start": "it's", "root": "r"}),
        ('service("a", { start: "x" } as const satisfies object)', {"start": "x"}),
        ('service("a", { replicas: 0x10, healthcheckTimeout: 1_000 })', {"replicas": 16, "healthcheckTimeout": 1000}),
    ],
)
def test_typescript_alias_semantics(body: str, expected: dict[str, object]) -> None:
    (service,) = read(ts(body), "typescript").services
    assert values(service) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (py('service("a", root="x", source={"repo": "o/r", "rootDirectory": "y"})'), "python"),
        (ts('service("a", { root: "x", source: { repo: "o/r", rootDirectory: "y" } })'), "typescript"),
    ],
)
def test_untyped_source_root_directory_is_ignored_like_the_sdk(text: str, language: str) -> None:
    result = read(text, language)
    assert values(result.services[0]) == {"root": "x", "sourceRepo": "o/r"}  # no type: not a github source
    (problem,) = result.problems
    assert "ignores its rootDirectory" in problem.message and written(text, problem) == '"y"'


def test_typescript_sdk_entry_points_and_program_shapes() -> None:
    namespace = (
        'import * as iac from "railway/iac";\n'
        'export default iac.defineRailway((ctx, p) => p("x", { resources: [iac.service("a", { start: "s" })] }));\n'
    )
    assert [s.name for s in read(namespace, "typescript").services] == ["a"]
    root_package = (
        'import { defineRailway as define, service as svc, project } from "railway";\n'
        'function main() {\n  const api = svc("api", { root: "r" });\n'
        '  return project("x", { resources: [api] });\n}\n'
        "export default define(main);\n"
    )
    assert values(read(root_package, "typescript").services[0]) == {"root": "r"}
    definition = (
        'import { defineRailway, service } from "railway/iac";\n'
        'export default defineRailway(async () => { return { name: "x", services: [service("a", {})] }; });\n'
    )
    assert [s.name for s in read(definition, "typescript").services] == ["a"]


def test_python_program_shapes() -> None:
    lam = (
        "import railway_sdk as r\n"
        'railway = r.define_railway(lambda ctx=None: r.project("x", resources=[r.service("a", start="s")]))\n'
    )
    assert values(read(lam).services[0]) == {"start": "s"}
    call = (
        "from railway_sdk import define_railway, project, service as svc\n"
        "def main():\n    return project('x', {'resources': [svc('a', root='r')]})\n"
        "define_railway(main)\n"
    )
    result = read(call)
    assert values(result.services[0]) == {"root": "r"} and result.problems == ()


def test_typescript_project_parameter_is_not_a_missing_import() -> None:
    text = (
        'import { defineRailway, service } from "railway/iac";\n'
        'export default defineRailway((ctx, project) => project("x", { resources: [service("a", {})] }));\n'
    )
    result = read(text, "typescript")
    assert [s.name for s in result.services] == ["a"] and result.problems == ()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "from railway_sdk import define_railway, fn, project\n@define_railway\ndef r():\n"
            "    return project('p', resources=[fn('hook', 'functions/hook.ts', root='fns')])\n",
            "python",
        ),
        (
            "from railway_sdk import define_railway, fn, project\n@define_railway\ndef r():\n"
            "    return project('p', resources=[fn('hook', code_file='hook.ts', start='x')])\n",
            "python",
        ),
    ],
)
def test_python_fn_with_code_file_builds_its_own_start_command(text: str, language: str) -> None:
    (hook,) = read(text, language).services
    assert hook.kind == "function"
    start = hook.settings["start"]
    assert start.value is UNKNOWN and start.reason == "is built by fn() from its code file"
    assert written(text, start) in ("'functions/hook.ts'", "'hook.ts'")


def test_group_nesting_and_duplicates() -> None:
    text = py(
        'group("g", [service("a"), [service("b")]]), *[service("c")], postgres("db")',
        "define_railway, group, postgres, project, service",
    )
    result = read(text)
    assert [s.name for s in result.services] == ["a", "b", "c"]
    twice = (
        "from railway_sdk import define_railway, project, service\n@define_railway\ndef r():\n"
        "    api = service('api')\n    return project('p', resources=[api, api])\n"
    )
    assert [s.name for s in read(twice).services] == ["api"]


# ------------------------------------------------------------------------------------------- helper functions

PY_HELPERS = """from railway_sdk import define_railway, github, project, service

SOURCE = github("acme/shop")


def web(name, start, root="services/web"):
    \"\"\"One web service.\"\"\"
    command = start
    return service(name, source=SOURCE, root=root, start=command)


def secrets():
    return {"API_KEY": "x"}


def branching(name):
    if name:
        return service(name)
    return service("other")


def forever(name):
    return forever(name)


@define_railway
def railway():
    return project("shop", resources=[
        web("api", "uvicorn main:app --port 8000", root="services/api"),
        web("site", start="python -m http.server"),
        service("worker", env={"A": "1", **secrets()}),
        branching("x"),
        forever("y"),
    ])
"""

TS_HELPERS = """import { defineRailway, github, project, service } from "railway/iac";

const source = github("acme/shop");
const web = function (this: void, name: string, start: string, root = "services/web") {
  return service(name, { source, root, start });
};
function secrets() {
  const key = "x";
  return { API_KEY: key };
}
function branching(name: string) {
  if (name) { return service(name, {}); }
  return service("other", {});
}
function forever(name: string): unknown { return forever(name); }

export default defineRailway(() => {
  return project("shop", {
    resources: [web("api", "uvicorn main:app --port 8000", "services/api"), web("site", "python -m http.server"),
                service("worker", { env: { A: "1", ...secrets() } }), branching("x"), forever("y")],
  });
});
"""


@pytest.mark.parametrize(("text", "language"), [(PY_HELPERS, "python"), (TS_HELPERS, "typescript")])
def test_helper_functions_are_followed_through_their_parameters(text: str, language: str) -> None:
    result = read(text, language)
    services = by_name(result)
    assert list(services) == ["api", "site", "worker"]
    api, site = services["api"], services["site"]
    assert values(api) == {
        "root": "services/api",
        "start": "uvicorn main:app --port 8000",
        "sourceType": "github",
        "sourceRepo": "acme/shop",
    }
    assert values(site)["root"] == "services/web" and values(site)["start"] == "python -m http.server"
    # Each service points at its own helper call and at the arguments as written there.
    assert written_call(text, api).startswith('web("api"') and written_call(text, site).startswith('web("site"')
    assert text[api.name_start : api.name_end] == '"api"'
    start = api.settings["start"]  # through a name bound inside the helper (Python): `origin` is the literal
    literal = (start.start, start.end) if start.origin is None else start.origin
    assert text[literal[0] : literal[1]] == '"uvicorn main:app --port 8000"'
    assert text[start.text_start : start.text_start + 7] == "uvicorn"
    assert written(text, site.settings["root"]) == '"services/web"'  # the default, where the helper declares it
    assert values(services["worker"])["variables"] == {"A": "1", "API_KEY": "x"}
    found = messages(result)
    assert any("branching" in m for m in found)  # a helper with a branch is not followed, and says so
    assert any("forever(), which calls itself" in m for m in found)


@pytest.mark.parametrize("path", [".railway/railway.ts", ".railway/railway.py"])
def test_authoring_fixtures_declare_every_service_with_its_options(path: str) -> None:
    """The acceptance fixtures, written from the SDKs' documentation: program bodies with statements, a shared
    source, services without root, helpers and spreads of their results."""
    folder = FIXTURES.parent / ("iac-authoring-" + ("ts" if path.endswith(".ts") else "py"))
    text = (folder / path).read_text(encoding="utf-8")
    result = read(text, LANGUAGES[Path(path).suffix])
    assert result.problems == ()
    assert [name for name, _, _ in result.databases] == ["db"]
    services = by_name(result)
    assert list(services) == ["app", "ingestion", "worker"]
    assert all("root" not in service.settings for service in services.values())  # the repository root
    assert all(values(service)["sourceType"] == "github" for service in services.values())
    app, ingestion, worker = services["app"], services["ingestion"], services["worker"]
    assert app.build_form == "object" and values(app)["builder"] == "RAILPACK" and values(app)["build"] == "true"
    assert values(app)["start"] == "uvicorn app.main:app --host 0.0.0.0 --port 8000"
    variables = app.settings["variables"]
    assert list(dict(variables.entries)) == ["PYTHONPATH", "DATABASE_URL", "OPENAI_API_KEY"]
    assert dict(variables.entries)["PYTHONPATH"].value == "."  # the spread after it sets only OPENAI_API_KEY
    assert dict(variables.entries)["OPENAI_API_KEY"].value is UNKNOWN
    assert ingestion.build_form == "string" and "builder" not in ingestion.settings
    assert values(ingestion)["build"] in ("RAILPACK", "DOCKERFILE")
    assert values(worker)["start"] == "python -m app.worker"
    assert written_call(text, worker).startswith('worker("worker"')
    start = app.settings["start"]
    assert text[start.text_start + start.value.index("8000") :].startswith('8000"')  # type: ignore[operator, union-attr]


@pytest.mark.parametrize(
    ("text", "language", "partial"),
    [
        (py('service("api")').replace("\n\n@", '\n\nPARTIAL = "api"\n\n@'), "python", True),
        (py('service("api")'), "python", False),
        (
            ts('service("api", {})').replace("export default", 'export const partial = "api";\nexport default'),
            "typescript",
            True,
        ),
        (ts('service("api", {})'), "typescript", False),
    ],
)
def test_partial_files_are_marked(text: str, language: str, partial: bool) -> None:
    result = read(text, language)
    assert [service.name for service in result.services] == ["api"] and result.partial is partial


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (ts('service("api", { root: "services/api", start: "x", env: Object.fromEntries(PAIRS) })'), "typescript"),
        (py('service("api", root="services/api", start="x", env=dict(PAIRS))'), "python"),
    ],
)
def test_a_computed_setting_is_unknown_for_that_key_only(text: str, language: str) -> None:
    (service,) = read(text, language).services
    assert values(service)["root"] == "services/api" and values(service)["start"] == "x"
    variables = service.settings["variables"]
    assert variables.value is UNKNOWN and "calls" in (variables.reason or "")


def written_call(text: str, service: IacService) -> str:
    return text[service.call_start : service.call_end]


# ------------------------------------------------------------------------------------------- dynamic code


def test_python_dynamic_values_are_unknown_with_reasons() -> None:
    text, result = load("dynamic.py")
    services = by_name(result)
    assert list(services) == ["api", "spread"]
    api = services["api"].settings
    # A helper made of one `return` is followed; the value points at the literal it returns.
    assert api["start"].value == "uvicorn main:app" and written(text, api["start"]) == '"uvicorn main:app"'
    assert api["root"].value is UNKNOWN and "assigned more than once" in (api["root"].reason or "")
    assert api["healthcheck"].reason == "calls os.environ.get (through REGION)"  # the placeholder's own reason
    assert api["domains"].reason == "reads helpers.DOMAINS"
    variables = api["variables"]
    assert variables.value is UNKNOWN and "imported from .shared" in (variables.reason or "")
    entries = dict(variables.entries)  # written after the spread, so each is known to be set here
    assert entries["REGION"].value is UNKNOWN and "calls os.environ.get" in (entries["REGION"].reason or "")
    assert written(text, entries["REGION"]) == "REGION"
    assert entries["PORT"].value is UNKNOWN and "assigned more than once" in (entries["PORT"].reason or "")

    spread = services["spread"].settings  # **EXTRA could set anything not written out
    assert spread["start"].value == "python spread.py"
    assert spread["healthcheck"].value is UNKNOWN and "helpers.extra_settings" in (spread["healthcheck"].reason or "")
    assert written(text, spread["root"]) == "EXTRA"

    found = messages(result)
    assert any(m.startswith("imports helpers,") for m in found)
    assert any(m.startswith("imports the local module .shared") for m in found)
    dynamic = [p for p in result.problems if p.message.startswith("services built dynamically cannot be checked")]
    assert [written(text, p) for p in dynamic] == [
        'service(name, start="python -m " + name)',
        'service(f"{name}-worker")',
    ]
    assert "inside a comprehension" in dynamic[0].message and "inside a loop" in dynamic[1].message
    name_problem = next(p for p in result.problems if p.message.startswith("the name of service(...)"))
    assert written(text, name_problem) == 'os.environ["SERVICE_NAME"]'
    assert any(written(text, p) == "*services" and "changed by .append()" in p.message for p in result.problems)
    assert [d[0] for d in result.databases] == ["db"]


def test_typescript_dynamic_values_are_unknown_with_reasons() -> None:
    text, result = load("dynamic.ts")
    (api,) = result.services
    settings = api.settings
    assert settings["start"].reason == "calls helpers.start"
    assert settings["root"].reason == "is computed with an operator (through REGION)"  # the placeholder's
    assert written(text, settings["root"]) == "`services/${REGION}`"
    assert settings["healthcheck"].reason == "depends on a condition"
    entries = dict(settings["variables"].entries)
    assert settings["variables"].value is UNKNOWN
    assert "assigned again" in (entries["PORT"].reason or "")
    assert entries["EXTRA"].reason == "reads extra.a"
    found = messages(result)
    assert any(m.startswith("imports the local module ./shared") for m in found)
    assert any(m.startswith("loads the local module ../helpers") for m in found)
    dynamic = [p for p in result.problems if "services built dynamically cannot be checked" in p.message]
    assert any(written(text, p).startswith("...NAMES.map(") for p in dynamic)
    assert any(written(text, p) == "service(name, { start: `python -m ${name}` })" for p in dynamic)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("import os\nROOT = os.getenv('ROOT')\n", "calls os.getenv (through ROOT)"),
        ("import os\nROOT = os.environ['ROOT']\n", "reads os.environ[...] (through ROOT)"),
        ("ROOT = 'a' + 1\n", "is computed with an operator (through ROOT)"),
        ("for ROOT in ['a']:\n    pass\n", "uses the name ROOT, which comes from a loop"),
        ("if True:\n    ROOT = 'a'\n", "uses the name ROOT, which is assigned inside an if statement"),
        (
            "ROOT = 'a'\ndef f():\n    global ROOT\n",
            "uses the name ROOT, which is declared global in a function (line 3)",
        ),
        ("from helpers import ROOT\n", "uses the name ROOT, which is imported from helpers"),
        ("ROOT = ROOT2 = None\nROOT2 = 'x'\n", None),
    ],
)
def test_python_names_not_bound_to_literals(source: str, reason: str | None) -> None:
    text = source + py('service("a", root=ROOT)')
    service = read(text).services[0]
    if reason is None:
        assert "root" not in service.settings  # ROOT is None: no root directory at all
        return
    root = service.settings["root"]
    assert root.value is UNKNOWN and root.reason == reason and written(text, root) == "ROOT"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("const ROOT = process.env.ROOT;\n", "reads process.env.ROOT (through ROOT)"),
        ("let ROOT = 'a';\nROOT = 'b';\n", "uses the name ROOT, which is assigned again (line 2)"),
        ("const { ROOT } = cfg;\n", "uses the name ROOT, which is destructured"),
        ("import { ROOT } from './consts';\n", "uses the name ROOT, which is imported from ./consts"),
        ("const ROOT = `a${process.env.X}`;\n", "reads process.env.X (through ROOT)"),
    ],
)
def test_typescript_names_not_bound_to_literals(source: str, reason: str) -> None:
    text = source + ts('service("a", { root: ROOT })')
    root = read(text, "typescript").services[0].settings["root"]
    assert root.value is UNKNOWN and root.reason == reason and written(text, root) == "ROOT"


def test_no_program_reads_top_level_projects() -> None:
    text = "from railway_sdk import project, service\nPROJECT = project('p', resources=[service('a', root='r')])\n"
    result = read(text)
    assert values(result.services[0]) == {"root": "r"}
    assert any("no function decorated with @define_railway" in m for m in messages(result))
    assert any("no defineRailway" in m for m in messages(read("", "typescript")))


def test_forgotten_import_is_reported_but_read() -> None:
    text = (
        "from railway_sdk import define_railway, project\n@define_railway\ndef r():\n"
        "    return project('p', resources=[service('a')])\n"
    )
    result = read(text)
    assert [s.name for s in result.services] == ["a"]
    (problem,) = result.problems
    assert problem.message.startswith("service is used but never imported") and written(text, problem) == "service"


# ---------------------------------------------------------------------------------------------- offsets


def test_offsets_are_code_points_with_bom_crlf_and_non_ascii() -> None:
    python = py('service("é-api", root="sérvices/ápi", start="echo 😀 && run")')
    typescript = ts('service("é-api", { root: "sérvices/ápi", start: "echo 😀 && run" })')
    for language, text in (("python", python), ("typescript", typescript)):
        comment = "# ünïcode 😀\n" if language == "python" else "// ünïcode 😀\n"
        for variant in (text, "\ufeff" + text.replace("\n", "\r\n"), comment + text):
            (service,) = read(variant, language).services
            assert variant[service.name_start : service.name_end] == '"é-api"'
            root, start = service.settings["root"], service.settings["start"]
            assert written(variant, root) == '"sérvices/ápi"' and written(variant, start) == '"echo 😀 && run"'
            assert start.text_start is not None and variant[start.text_start :].startswith("echo 😀 && run")


def test_escaped_strings_have_no_text_start() -> None:
    (service,) = read(py(r'service("a", start="a\tb", root=r"c\d", healthcheck="x" "y")')).services
    assert service.settings["start"].value == "a\tb" and service.settings["start"].text_start is None
    assert service.settings["root"].value == "c\\d" and service.settings["root"].text_start is not None
    assert service.settings["healthcheck"].value == "xy" and service.settings["healthcheck"].text_start is None
    (service,) = read(ts(r'service("a", { start: "a\u00e9\x41\u{1F600}\uD83D\uDE00" })'), "typescript").services
    assert service.settings["start"].value == "aéA😀😀" and service.settings["start"].text_start is None


# -------------------------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("text", "culprit", "fragment"),
    [
        ("from railway_sdk import service\nx = service('a' 'b' 1)\n", "'a' 'b' 1", "forgot a comma"),
        ("x = service('a',\n  start='s' root='r')\n", "'s' root", "forgot a comma"),
        ("x = (1,\n", "(", "never closed"),
        ("x = 'abc\n", "'", "unterminated string"),
        ("def f(:\n    pass\n", ":", "invalid syntax"),
        ("é = ('é' 'é' é)\n", "'é' 'é' é", "forgot a comma"),
        ("é = 1\nx = 'ü' é\n", "é", "invalid syntax"),
        ("x = 1\0\n", "\0", "null byte"),
    ],
)
def test_python_syntax_errors(text: str, culprit: str, fragment: str) -> None:
    failure = read_iac(text, "python")
    assert isinstance(failure, ParseFailure)
    assert fragment in failure.message and failure.message.startswith("invalid Python")
    assert written(text, failure) == culprit, (failure, written(text, failure))


@pytest.mark.parametrize(
    ("text", "culprit", "fragment"),
    [
        # tree-sitter recovers from errors by skipping tokens: the failure points at the last skipped one,
        # or at the place where a token is missing.
        ('import { service } from "railway/iac";\nconst x = service("a", { start: "s" ;\n', '"s"', "near"),
        ("const a = 1;\nconst b = ) 2;\n", ")", "near ')'"),
        ('const é = "ü";\nconst b = ) 2;\n', ")", "near ')'"),
        ("const a = {\n  b: 1,\n  c: 2\nconst d = 3;\n", "const", "near 'const'"),
        ("const a = [1, 2;\nconst z = 1;\n", "", "missing ']'"),
        (
            'import { service } from "railway/iac";\nexport default defineRailway(() => {\n  return 1;\n',
            ";",
            "end of file",
        ),
    ],
)
def test_typescript_syntax_errors(text: str, culprit: str, fragment: str) -> None:
    failure = read_iac(text, "typescript")
    assert isinstance(failure, ParseFailure) and failure.message.startswith("invalid TypeScript")
    assert fragment in failure.message and written(text, failure) == culprit, failure
    if fragment == "missing ']'":
        assert text[: failure.start].endswith("[1, 2")


def test_unknown_language() -> None:
    assert isinstance(read_iac("x = 1", "go"), ParseFailure)


def test_pathological_nesting_does_not_crash() -> None:
    # libcst's native parser overflows the C stack on these; the stdlib parser reports them instead.
    for text in (
        "x = " + "1 and " * 20000 + "1\n",
        "x = " + "(" * 5000 + ")" * 5000 + "\n",
        "x = " + "-" * 50000 + "1\n",
        py("[" * 300 + "]" * 300),
    ):
        assert isinstance(read_iac(text, "python"), (IacFile, ParseFailure))
    for text in (
        "const x = " + "[" * 5000 + "]" * 5000 + ";\n",
        ts("[" * 300 + "]" * 300),
        ts('service("a", { env: ' + "{ a: " * 200 + '"x"' + " }" * 200 + " })"),
    ):
        assert isinstance(read_iac(text, "typescript"), (IacFile, ParseFailure))


# ------------------------------------------------------------------------------------------- never run


@pytest.mark.parametrize("name", ["planted.py", "planted.ts"])
def test_planted_file_is_never_imported_or_executed(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("RAILCHECK_IAC_MARKER", str(marker))
    modules = set(sys.modules)
    _text, result = load(name)
    assert not marker.exists()
    assert not {m for m in set(sys.modules) - modules if "planted" in m or "railway" in m}  # nothing imported
    (service,) = result.services
    assert values(service)["root"] == "services/api"
    if name.endswith(".py"):
        assert service.settings["start"].value is UNKNOWN and service.settings["start"].reason == "calls _touch"


# ---------------------------------------------------------------------------------------------- values


def test_unknown_is_a_singleton_that_survives_copy_and_pickle() -> None:
    assert copy.deepcopy(UNKNOWN) is UNKNOWN and copy.copy(UNKNOWN) is UNKNOWN
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
    assert repr(UNKNOWN) == "UNKNOWN"
    assert type(UNKNOWN)() is UNKNOWN


# ------------------------------------------------------------------------------------------- properties


def _check(text: str, language: str) -> None:
    result = read_iac(text, language)
    assert isinstance(result, (IacFile, ParseFailure))
    spans: list[tuple[int, int]] = []
    if isinstance(result, ParseFailure):
        spans.append((result.start, result.end))
    else:
        spans += [(p.start, p.end) for p in result.problems]
        spans += [(d[1], d[2]) for d in result.databases]
        for service in result.services:
            spans += [(service.name_start, service.name_end), (service.call_start, service.call_end)]
            spans += [(v.start, v.end) for v in service.settings.values()]
    assert all(0 <= start <= end <= len(text) for start, end in spans), (spans, len(text))


_PIECES = st.sampled_from(
    [
        "service(",
        "project(",
        "postgres(",
        "github(",
        "group(",
        "define_railway",
        "defineRailway",
        "@",
        "def r():\n",
        "return ",
        "resources=[",
        "resources: [",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        ":",
        "=",
        '"',
        "'",
        "`",
        "${",
        "f'",
        "**",
        "...",
        "\n",
        "    ",
        "x",
        "root",
        "start",
        "env",
        "import ",
        "from railway_sdk import *\n",
        'import { service, project, defineRailway } from "railway/iac";\n',
        "é",
        "😀",
        "\ufeff",
        "\r",
        "\\",
        "#",
        "//",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
@example("")
@example("\ufeff")
@example("\ud800")
@example("x = '\ud800'")
@example(py('service("a", root=f"{"))'))
def test_read_iac_never_raises_on_python(text: str) -> None:
    _check(text, "python")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
@example("")
@example("\ud800")
@example("`${")
@example("const x = `\\u{110000}`;")
def test_read_iac_never_raises_on_typescript(text: str) -> None:
    _check(text, "typescript")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from(["python", "typescript"]))
def test_read_iac_never_raises_on_near_miss_files(text: str, language: str) -> None:
    _check(text, language)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_any_string_literal_round_trips(value: str) -> None:
    literal = repr(value)
    text = py(f'service("a", build={literal})')  # build= keeps even "", unlike the `or`-chained aliases
    (service,) = read(text).services
    start = service.settings["build"]
    assert start.value == value
    assert written(text, start) == literal
    if start.text_start is not None:
        assert text[start.text_start : start.text_start + len(value)] == value


@pytest.mark.parametrize(
    ("language", "text", "calls"),
    [
        ("python", "# TODO: add a service(...) for the api\nx = 1\n", False),
        ("python", '"""Add apps with service(name, root=...)"""\nproject("x", resources=[])\n', False),
        ("python", "from railway_sdk import service as svc\nsvc('api', root='a')\n", True),
        ("python", "service ('api')\n", True),
        ("python", "import railway_sdk as sdk\nsdk.service('a')\n", True),
        ("python", "def f(:\n", False),
        ("typescript", "// service(x)\nconst a = 'service(';\n", False),
        ("typescript", "import { service as svc } from 'railway';\nsvc('api', {root: 'a'})\n", True),
        ("typescript", "iac.service ('api')\n", True),
        ("typescript", "/* service(a) */ `service(${x})`\n", False),
        ("typescript", "myservice('a')\n", False),
        ("typescript", "service<Options>('a')\n", True),
    ],
)
def test_calls_service_ignores_comments_and_strings_and_follows_aliases(language: str, text: str, calls: bool) -> None:
    from railcheck.sources.iac.mentions import calls_service

    assert calls_service(text, language) is calls


# --------------------------------------------------------------- text joined from known parts (review, item 9)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ('PORT = "8000"\n' + py('service("api", start="uvicorn main:app --port " + PORT)'), "python"),
        ("PORT = 8000\n" + py('service("api", start=f"uvicorn main:app --port {PORT}")'), "python"),
        (
            'def web(name, port):\n    return service(name, start=f"uvicorn main:app --port {port}")\n'
            + py('web("api", 8000)'),
            "python",
        ),
        ("const PORT = 8000;\n" + ts('service("api", { start: `uvicorn main:app --port ${PORT}` })'), "typescript"),
        ('const PORT = "8000";\n' + ts('service("api", { start: "uvicorn main:app --port " + PORT })'), "typescript"),
        (
            'const web = (name: string, port: number) => service(name, { start: "uvicorn main:app --port " + port });\n'
            + ts('web("api", 8000)'),
            "typescript",
        ),
    ],
)
def test_text_joined_from_known_parts_is_known(text: str, language: str) -> None:
    (service,) = read(text, language).services
    assert values(service)["start"] == "uvicorn main:app --port 8000"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("import os\n" + py('service("api", start="python " + os.environ["APP"])'), "python"),
        ("PORT = 8000\n" + py('service("api", start="python --port " + PORT)'), "python"),  # a TypeError when run
        ("PORT = 8000\n" + py('service("api", start=f"python --port {PORT:>6}")'), "python"),
        (ts('service("api", { start: `python ${process.env.APP}` })'), "typescript"),
        ("const A = 1;\n" + ts('service("api", { start: A + 2 })'), "typescript"),
    ],
)
def test_text_with_an_unknown_part_stays_unknown(text: str, language: str) -> None:
    (service,) = read(text, language).services
    assert service.settings["start"].value is UNKNOWN


def test_text_doubled_line_by_line_is_capped() -> None:
    lines = ['A0 = "xxxxxxxxxx"', *(f"A{i} = A{i - 1} + A{i - 1}" for i in range(1, 20))]
    text = "\n".join(lines) + "\n" + py('service("a", start="python " + A19)')
    (service,) = read(text).services
    assert service.settings["start"].value is UNKNOWN and "too long" in (service.settings["start"].reason or "")


# ------------------------------------------------- conditional spreads, groups spread, with_fields (items 7, 8)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "prod = True\n"
            + py(
                'service("api", root="services/api", start="python main.py", '
                'source=github("acme/app", **({"checkSuites": False} if prod else {})))'
            ),
            "python",
        ),
        (
            ts(
                'service("api", { root: "services/api", start: "python main.py", '
                'source: github("acme/app", { ...(process.env.CI ? { checkSuites: false } : {}) }) })'
            ),
            "typescript",
        ),
        (
            py(
                'service("api", **({"root": "services/api"} if True else {"root": "services/api"}), start="python main.py")'
            ),
            "python",
        ),
    ],
)
def test_a_conditional_spread_of_known_dicts_leaves_the_rest_known(text: str, language: str) -> None:
    (service,) = read(text, language).services
    assert values(service)["root"] == "services/api" and values(service)["start"] == "python main.py"


def test_a_conditional_spread_makes_only_its_own_keys_unknown() -> None:
    text = py(
        'service("api", root="r", env={"A": "1", **({"B": "2"} if x else {"B": "3"}), **({"C": "4"} if x else {})})'
    )
    (service,) = read(text).services
    entries = dict(service.settings["variables"].entries)
    assert entries["A"].value == "1" and entries["B"].value is UNKNOWN and entries["C"].value is UNKNOWN
    assert "condition" in (entries["C"].reason or "")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "def main():\n    pass\n"
            + py(
                '*group("backend", [service("web", root="w"), service("jobs", root="j")])',
                "define_railway, group, project, service",
            ),
            "python",
        ),
        (
            ts(
                '...group("backend", [service("web", { root: "w" }), service("jobs", { root: "j" })])',
                "defineRailway, group, project, service",
            ),
            "typescript",
        ),
    ],
)
def test_a_spread_group_gives_its_services(text: str, language: str) -> None:
    result = read(text, language)
    assert sorted(by_name(result)) == ["jobs", "web"] and not result.problems


def test_a_database_with_fields_is_still_the_database() -> None:
    text = py('postgres("db").with_fields(networking={"privateNetworkEndpoint": "pg"}), service("api", root="r")')
    result = read(text)
    assert [name for name, _, _ in result.databases] == ["db"] and not result.problems


# ------------------------------------------------- services not built from this repository (review, items 2, 3)


@pytest.mark.parametrize(
    ("body", "elsewhere"),
    [
        ('service("a", root="x", source=github("acme/app"))', {}),
        ('service("a", source=image("redis:7"))', {"a": "an image"}),
        ('fn("hook", code_file="functions/hook.ts")', {"hook": "function"}),
        ('fn("job", source=github("acme/app"))', {}),  # a function without a code file is a plain service
        # The other github() sources agree on one repository: the odd one out is another repository.
        (
            'service("a", source=github("acme/app")), service("b", source=github("Acme/App.git")), '
            'service("c", source=github("acme/other"))',
            {"c": "another repository"},
        ),
        # One each: which is this repository cannot be told from the file, so neither is checked.
        (
            'service("a", source=github("acme/app")), service("b", source=github("acme/other"))',
            {"a": "cannot tell", "b": "cannot tell"},
        ),
        ('service("a", source=github("acme/app")), service("b", source=github(REPO))', {}),  # not a literal: unsure
    ],
)
def test_services_built_elsewhere(body: str, elsewhere: dict[str, str]) -> None:
    text = "import os\nREPO = os.environ['R']\n" + py(body, "define_railway, fn, github, image, project, service")
    found = built_elsewhere(read(text))
    assert set(found) == set(elsewhere)
    for name, words in elsewhere.items():
        assert words in found[name]


@pytest.mark.parametrize("expression", ["[1] + 2", "{'a': 1} + 'b'", "postgres('x') + 'y'", "None + 'a'"])
def test_other_additions_are_unknown_not_a_crash(expression: str) -> None:
    (service,) = read(py(f'service("api", root="r", start={expression})')).services
    assert service.settings["start"].value is UNKNOWN


def test_lists_added_together_give_both_lists_resources() -> None:
    text = 'WORKERS = [service("jobs", root="j")]\n' + py('service("web", root="w")] + WORKERS + [postgres("db")')
    result = read(text)
    assert sorted(by_name(result)) == ["jobs", "web"] and [d[0] for d in result.databases] == ["db"]
