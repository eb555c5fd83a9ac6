"""What Railpack generates for one service that a railpack.json list without `"..."` replaces: the install
commands, the image's layers and the runtime apt packages, in words, as far as railcheck can know them.

Modelled for the Python provider (core/providers/python/python.go at b5e80580); for any other or an unknown
provider only what every provider does is said, and nothing about apt packages, which depend on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.repository import Repository

# Generated install commands per install manager
# (python.go, InstallPip/InstallUv/InstallPoetry/InstallPDM/InstallPipenv).
_PYTHON_INSTALL = {
    "pip": "`python -m venv /app/.venv`, copying requirements.txt and `pip install -r requirements.txt`",
    "uv": "copying the manifests and `uv sync --locked --no-dev --no-install-project`",
    "poetry": "copying the manifests and `poetry install --no-interaction --no-ansi --only main --no-root`",
    "pdm": "copying the manifests and `pdm install --check --prod --no-editable`",
    "pipenv": "copying the Pipfile and `pipenv install`",
}
# Runtime apt packages per dependency found in a manifest (python.go, pythonRuntimeDepRequirements).
_PYTHON_RUNTIME_PACKAGES = {
    "pycairo": ("libcairo2",),
    "pdf2image": ("poppler-utils",),
    "pydub": ("ffmpeg",),
    "pymovie": (
        "ffmpeg",
        "qt5-qmake",
        "qtbase5-dev",
        "qtbase5-dev-tools",
        "qttools5-dev-tools",
        "libqt5core5a",
        "python3-pyqt5",
    ),
}
_MANIFESTS = frozenset({"requirements.txt", "pyproject.toml", "Pipfile"})
_DJANGO_BACKEND = re.compile(r"django.db.backends.(postgresql|mysql)")
_FILE_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Replaced:
    """What the install commands and the image's layers hold when Railpack generates them; None when nothing."""

    install_commands: str | None
    deploy_inputs: str
    known: bool  # whether the provider's output is modelled (Python); otherwise the texts are generic


def replaced_by_lists(service: Service, project: Project) -> Replaced:
    """What `steps.install.commands` and `deploy.inputs` without `"..."` would drop."""
    from railcheck.facts import facts
    from railcheck.plan import certain_provider

    if certain_provider(service, project) != "python":
        return Replaced(
            "the install commands Railpack generates",
            "the layers Railpack puts in the image (the runtime tools and the built app)",
            False,
        )
    manager = facts(service, project).install_manager
    install = _PYTHON_INSTALL.get(manager) if manager else None
    if _truthy(service.variable("RAILPACK_PYTHON_PLAYWRIGHT_INSTALL")):
        install = (install + " and " if install else "") + "`playwright install --only-shell`"
    layers = (
        "the layers Railpack puts in the image (the Python runtime"
        + (", `/app/.venv`" if manager else "")
        + " and the app files from `build`)"
    )
    return Replaced(install and f"the install commands Railpack generates ({install})", layers, True)


def replaced_runtime_packages(service: Service, project: Project) -> str | None:
    """The runtime apt packages Railpack adds, which `deploy.aptPackages` without `"..."` would drop, as
    "`libpq5` (for psycopg), ..."; None when there are none or railcheck does not model the provider's."""
    from railcheck.plan import certain_provider

    if certain_provider(service, project) != "python":
        return None
    return _python_runtime_packages(service, project)


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().casefold() in ("1", "true")


def _python_runtime_packages(service: Service, project: Project) -> str | None:
    """The runtime apt packages Railpack adds (python.go, AddRuntimeDeps), as "`libpq5` (for psycopg)", ...;
    None when there are none or not every file could be looked at. Railpack searches every manifest and `.py`
    file under the root, case-insensitively."""
    repository = project.repository
    if repository is None:
        return None
    files = repository.files_under(service.root, _FILE_LIMIT)
    if len(files) >= _FILE_LIMIT:
        return None  # not every manifest was seen: unsure, so nothing is claimed
    manifests = "\n".join(repository.read(path) or "" for path in files if path.name in _MANIFESTS).casefold()
    found = [
        f"`{package}` (for {dependency})"
        for dependency, packages in _PYTHON_RUNTIME_PACKAGES.items()
        if dependency in manifests
        for package in packages
    ]
    if _truthy(service.variable("RAILPACK_PYTHON_PLAYWRIGHT_INSTALL")):
        found.append("Playwright's browser libraries")
    # Railpack greps every .py file for Django's backends; without Django in a manifest that costs reading the
    # whole tree for a case that hardly exists, so it is skipped (a missed finding, never a false one).
    backends = _django_backends(repository, files) if "django" in manifests else set()
    binary_psycopg = "psycopg2-binary" in manifests or "psycopg[binary]" in manifests
    if not binary_psycopg and ("psycopg" in manifests or "postgresql" in backends):
        found.append("`libpq5` (for " + ("psycopg" if "psycopg" in manifests else "Django's PostgreSQL backend") + ")")
    if "mysqlclient" in manifests or "mysql" in backends:
        found.append(
            "`default-mysql-client` (for "
            + ("mysqlclient" if "mysqlclient" in manifests else "Django's MySQL backend")
            + ")"
        )
    return ", ".join(dict.fromkeys(found)) or None


def _django_backends(repository: Repository, files: list[PurePosixPath]) -> set[str]:
    found: set[str] = set()
    for path in files:
        if path.suffix == ".py":
            found.update(match.group(1) for match in _DJANGO_BACKEND.finditer(repository.read(path) or ""))
    return found
