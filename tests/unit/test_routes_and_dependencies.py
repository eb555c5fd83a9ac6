"""railcheck/routes.py and railcheck/dependencies.py, read directly: the values HC and ST find in Project.derived."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from railcheck.config import load_config
from railcheck.model import Project
from railcheck.project import load_project

SERVICE = PurePosixPath("services/api")
FASTAPI = (
    "from fastapi import APIRouter, FastAPI\napp = FastAPI()\napi = APIRouter(prefix='/api')\n"
    "@api.get('/health')\ndef health():\n    return {}\napp.include_router(api)\n"
)


def _service(root: Path, files: dict[str, str]) -> Project:
    (root / "railcheck.toml").write_text("")
    for name, text in files.items():
        (root / SERVICE / name).parent.mkdir(parents=True, exist_ok=True)
        (root / SERVICE / name).write_text(text)
    return load_project(root, load_config(root))


def _railway(start: str, *health_paths: str) -> str:
    environments = ", ".join(
        f'"env{index}": {{"deploy": {{"healthcheckPath": "{path}"}}}}' for index, path in enumerate(health_paths[1:])
    )
    return (
        f'{{"deploy": {{"startCommand": "{start}", "healthcheckPath": "{health_paths[0]}"}},'
        f' "environments": {{{environments}}}}}'
    )


def test_health_check_paths_no_route_serves(tmp_path: Path) -> None:
    railway = _railway("uvicorn main:app --host 0.0.0.0 --port $PORT", "/api/health", "/health")
    project = _service(tmp_path, {"railway.json": railway, "main.py": FASTAPI})
    table, unserved = project.derived.unserved_health_checks(project.services[0])
    assert table is not None and table.app == SERVICE / "main.py" and table.reasons == []
    routes = [route for route, _ in table.paths]
    assert "/api/health" in routes and "/health" not in routes  # the router's prefix is applied
    # Only the environment's `/health` is unserved, located at its value in railway.json.
    assert [(where.path, path) for where, path in unserved] == [(SERVICE / "railway.json", "/health")]
    where = unserved[0][0]
    assert where.span is not None and where.span.start.offset == railway.index('"/health"')


def test_no_route_table_without_an_app_to_read(tmp_path: Path) -> None:
    # The start module is missing: ST001 says so, and there are no routes to judge a health check by.
    project = _service(tmp_path, {"railway.json": _railway("uvicorn main:app", "/health")})
    assert project.derived.unserved_health_checks(project.services[0]) == (None, ())


def test_a_django_route_table_follows_the_urlconf(tmp_path: Path) -> None:
    wsgi = (
        "import os\nfrom django.core.wsgi import get_wsgi_application\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\napplication = get_wsgi_application()\n'
    )
    files = {
        "railway.json": _railway("gunicorn site.wsgi:application", "/api/health/"),
        "site/wsgi.py": wsgi,
        "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
        "site/urls.py": "from django.urls import include, path\nurlpatterns = [path('api/', include('site.api'))]\n",
        "site/api.py": "from django.urls import path\nurlpatterns = [path('health/', print)]\n",
    }
    project = _service(tmp_path, files)
    table, unserved = project.derived.unserved_health_checks(project.services[0])
    assert table is not None and table.app == SERVICE / "site/wsgi.py"
    assert "/api/health/" in [route for route, _ in table.paths]
    assert unserved == ()


def test_declared_dependencies_by_canonical_name(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "api"\ndependencies = ["Flask_Login>=0.6", "celery[redis]"]\n'
    project = _service(
        tmp_path,
        {"railpack.json": "{}", "requirements.txt": "FastAPI==0.115\nuvicorn[standard]\n", "pyproject.toml": pyproject},
    )
    declared = project.derived.declared_dependencies(project.services[0])
    assert declared == {
        "fastapi",
        "uvicorn",
        "uvicorn[standard]",
        "flask-login",
        "celery",
        "celery[redis]",
    }


def test_dependencies_from_elsewhere_leave_the_set_unknown(tmp_path: Path) -> None:
    # `-r base.txt` brings requirements railcheck does not list: absence from the set would prove nothing.
    project = _service(tmp_path, {"railpack.json": "{}", "requirements.txt": "fastapi\n-r base.txt\n"})
    assert project.derived.declared_dependencies(project.services[0]) is None


@pytest.mark.parametrize("tool", ['[tool]\npoetry = "x"\n', "tool = 1\n", '[tool.poetry]\ndependencies = "x"\n'])
def test_a_tool_table_of_another_shape_declares_nothing(tmp_path: Path, tool: str) -> None:
    # Not a crash (it was RC002 for ST001 and ST005): a pyproject.toml railcheck cannot read declares nothing.
    project = _service(tmp_path, {"railpack.json": "{}", "pyproject.toml": tool})
    assert project.derived.declared_dependencies(project.services[0]) is None


def test_no_manifest_declares_nothing_known(tmp_path: Path) -> None:
    project = _service(tmp_path, {"railpack.json": "{}"})
    assert project.derived.declared_dependencies(project.services[0]) is None


def test_start_modules_resolve_each_server_once_where_the_image_imports_from(tmp_path: Path) -> None:
    # railpack.json's PYTHONPATH puts src/ on the search path: the module is found there, not at the root.
    files = {
        "railway.json": _railway("uvicorn main:app --host 0.0.0.0 --port $PORT", "/api/health"),
        "railpack.json": '{"deploy": {"variables": {"PYTHONPATH": "src"}}}',
        "src/main.py": FASTAPI,
    }
    project = _service(tmp_path, files)
    service = project.services[0]
    (start,) = project.derived.start_modules(service)
    assert start.server.module == "main" and start.path == SERVICE / "src/main.py"
    assert start.bases == (SERVICE, SERVICE / "src")
    # Kept per service: DJ001 and the HC route tables get the same resolution, not one each.
    assert project.derived.start_modules(service) is project.derived.start_modules(service)
    table, _ = project.derived.unserved_health_checks(service)
    assert table is not None and table.app == SERVICE / "src/main.py"


def test_django_settings_found_only_from_a_start_module_that_names_them(tmp_path: Path) -> None:
    from railcheck.djangoapp import settings_file

    wsgi = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n'
    files = {
        "railway.json": _railway("gunicorn site.wsgi", "/health"),
        "site/wsgi.py": wsgi,
        "site/settings.py": "ALLOWED_HOSTS = ['*']\n",
    }
    (tmp_path / "django").mkdir()
    (tmp_path / "fastapi").mkdir()
    django = _service(tmp_path / "django", files)
    (start,) = django.derived.start_modules(django.services[0])
    assert settings_file(django.services[0], django, start) == SERVICE / "site/settings.py"
    fastapi = _service(
        tmp_path / "fastapi", {"railway.json": _railway("uvicorn main:app", "/health"), "main.py": FASTAPI}
    )
    (start,) = fastapi.derived.start_modules(fastapi.services[0])
    assert start.path == SERVICE / "main.py" and settings_file(fastapi.services[0], fastapi, start) is None


def test_one_pattern_serves_what_any_of_its_routes_serves() -> None:
    from railcheck.routes import request_path, routes_pattern

    routes = ("/items/{item_id}", "/users/<int:user_id>/posts", "/health", "/a|b", "/api/")
    served = routes_pattern(routes)
    assert served is not None and routes_pattern(()) is None
    for wanted in ("/items/3", "/items/3/x", "/users/7/posts", "/health", "/health/", "/healthz", "/a|b", "/a", "/api"):
        singles = [routes_pattern((route,)) for route in routes]
        alone = any(single is not None and single.fullmatch(request_path(wanted)) for single in singles)
        assert bool(served.fullmatch(request_path(wanted))) == alone, wanted
    assert served.fullmatch("/items/3") and not served.fullmatch("/items/3/x") and not served.fullmatch("/a")
