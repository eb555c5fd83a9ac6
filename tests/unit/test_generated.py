"""railcheck.generated: what Railpack generates for a service that a list without "..." replaces (RP108's words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import write_repo

from railcheck.config import load_config
from railcheck.generated import Replaced, replaced_by_lists, replaced_runtime_packages
from railcheck.project import load_project


def _replaced(root: Path) -> tuple[Replaced, str | None]:
    project = load_project(root, load_config(root))
    (service,) = project.services
    return replaced_by_lists(service, project), replaced_runtime_packages(service, project)


@pytest.mark.parametrize(
    ("files", "install", "packages"),
    [
        ({"requirements.txt": "psycopg2==2.9\n"}, "pip install -r requirements.txt", "`libpq5` (for psycopg)"),
        # The binary wheel brings its own libpq, so Railpack adds nothing.
        ({"requirements.txt": "psycopg2-binary==2.9\n"}, "pip install -r requirements.txt", None),
        # Django's PostgreSQL backend named in the settings counts like psycopg.
        (
            {"requirements.txt": "Django\n", "app/settings.py": "ENGINE = 'django.db.backends.postgresql'\n"},
            "pip install",
            "`libpq5` (for Django's PostgreSQL backend)",
        ),
        (
            {"requirements.txt": "mysqlclient\npydub\n"},
            "pip install",
            "`ffmpeg` (for pydub), `default-mysql-client` (for mysqlclient)",
        ),
        # A manifest in a subfolder counts too: Railpack searches the whole root directory.
        ({"main.py": "", "vendor/requirements.txt": "pycairo\n"}, None, "`libcairo2` (for pycairo)"),
        ({"pyproject.toml": "[project]\nname = 'x'\n", "uv.lock": ""}, "uv sync --locked", None),
        ({"Pipfile": "[packages]\n"}, "pipenv install", None),
    ],
)
def test_python_services(tmp_path: Path, files: dict[str, str], install: str | None, packages: str | None) -> None:
    replaced, runtime_packages = _replaced(write_repo(tmp_path, {"railpack.json": "{}", **files}))
    assert replaced.known
    assert (replaced.install_commands is None) == (install is None)
    if install is not None:
        assert install in str(replaced.install_commands)
    assert runtime_packages == packages
    assert ("/app/.venv" in replaced.deploy_inputs) == (install is not None)


def test_a_declared_playwright_variable_adds_the_browser_install(tmp_path: Path) -> None:
    root = write_repo(tmp_path, {"railpack.json": "{}", "main.py": ""})
    (root / "railcheck.toml").write_text(
        '[services.svc]\nroot = "services/svc"\nvariables = { RAILPACK_PYTHON_PLAYWRIGHT_INSTALL = "1" }\n'
    )
    replaced, runtime_packages = _replaced(root)
    assert "`playwright install --only-shell`" in str(replaced.install_commands)
    assert runtime_packages == "Playwright's browser libraries"


def test_other_providers_get_generic_words_and_nothing_about_apt_packages(tmp_path: Path) -> None:
    replaced, runtime_packages = _replaced(
        write_repo(
            tmp_path, {"railpack.json": '{"provider": "node"}', "package.json": "{}", "requirements.txt": "psycopg2\n"}
        )
    )
    assert not replaced.known
    assert runtime_packages is None
    assert "venv" not in str(replaced.install_commands) and "venv" not in replaced.deploy_inputs
