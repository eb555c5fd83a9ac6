"""railcheck/routes.py and railcheck/dependencies.py, read directly: the values HC and ST find in Project.derived."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from railcheck.config import load_config
from railcheck.project import Project, load_project

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
