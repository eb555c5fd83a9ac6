"""Shared test helpers: build small repositories on disk, run the CLI, run one rule in memory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner, Result

from railcheck.cli import main
from railcheck.config import load_config
from railcheck.engine import check
from railcheck.fixes import settle
from railcheck.project import Project, load_project
from railcheck.registry import Registry, load_registry
from railcheck.rule import Rule
from railcheck.types import Applicability, Diagnostic

SERVICE = "services/svc"


def write_repo(root: Path, files: dict[str, str | bytes], *, service: str = SERVICE) -> Path:
    """Write `files` under `root`: keys starting with `/` are repo-relative, the others relative to `service`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "railcheck.toml").touch()
    for name, content in files.items():
        path = root / (name[1:] if name.startswith("/") else f"{service}/{name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def example_path(path: PurePosixPath, service: str = SERVICE) -> str:
    """A diagnostic path as rule examples write it: relative to the service, or `/`-prefixed for the repo."""
    text = str(path)
    return text[len(service) + 1 :] if text.startswith(service + "/") else "/" + text


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


def run_rules(
    root: Path, rules: Iterable[Rule], registry: Registry, overlay: dict[PurePosixPath, str] | None = None
) -> tuple[Project, list[Diagnostic]]:
    project = load_project(root, load_config(root), overlay=overlay)
    return project, list(check(project, list(rules), registry).diagnostics)


def fix_in_memory(
    root: Path, rules: list[Rule], registry: Registry, unsafe: bool
) -> tuple[Project, dict[PurePosixPath, str]]:
    project, _ = run_rules(root, rules, registry)
    outcome = settle(
        dict(project.texts),
        lambda overlay: run_rules(root, rules, registry, overlay)[1],
        Applicability.UNSAFE if unsafe else Applicability.SAFE,
    )
    assert not outcome.problems, outcome.problems
    return project, outcome.texts


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def invoke(*args: str) -> Result:
    """Run the CLI in-process; a Python exception (not SystemExit) fails the calling test with its traceback."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"railcheck raised:\n{result.output}") from result.exception
    return result


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots", action="store_true", help="Rewrite tests/fixtures/*/expected/ from the current output."
    )


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.fixture(scope="session", autouse=True)
def _checkout_left_as_found() -> Iterable[None]:
    """Checks of the bundled example and fixtures write result caches into the checkout; remove them after
    the session (and any an earlier session left) so the tests leave the working tree as they found it."""
    checkout = Path(__file__).resolve().parents[1]

    def remove_caches() -> None:
        import shutil

        for folder in (checkout / "examples", checkout / "tests" / "fixtures"):
            for cache in folder.rglob(".railcheck_cache"):
                shutil.rmtree(cache, ignore_errors=True)

    remove_caches()
    yield
    remove_caches()


@pytest.fixture(scope="session", autouse=True)
def _private_user_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterable[None]:
    """Cache and configuration homes of the session's own: the cache's per-user secret never goes to the real
    user's, and the user's $XDG_CONFIG_HOME/git/ignore (git's default core.excludesFile) hides nothing."""
    import os

    names = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")
    previous = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(tmp_path_factory.mktemp(name.lower()))
    yield
    for name, value in previous.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value
