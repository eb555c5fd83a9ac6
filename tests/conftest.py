"""Shared pytest fixtures and options: the rule registry, snapshot updates, and the session's clean-up.

The helpers that are not fixtures live in tests/helpers/; they are re-exported here too, since a test module
may import them from `conftest`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from helpers.paths import CHECKOUT
from helpers.repos import SERVICE, example_path, write_repo
from helpers.running import canonical, fix_in_memory, invoke, run_rules

from railcheck.registry import Registry, load_registry

__all__ = ["SERVICE", "canonical", "example_path", "fix_in_memory", "invoke", "registry", "run_rules", "write_repo"]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


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
    checkout = CHECKOUT

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
