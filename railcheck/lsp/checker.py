"""Check the service an edited file belongs to, with the editor's unsaved buffers in place of the files.

The same engine as `railcheck check`, over a project loaded with the buffers as its overlay; nothing here
knows about the protocol. One `RepositoryChecker` per repository keeps its configuration and rule instances
until `railcheck.toml` (or `[tool.railcheck]`) changes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from railcheck.types import Applicability, Diagnostic, Fix

if TYPE_CHECKING:
    from railcheck.config import Config
    from railcheck.registry import Registry
    from railcheck.rule import Rule

CONFIG_FILES = frozenset({"railcheck.toml", "pyproject.toml"})


_loading = threading.Lock()


@cache
def _registry() -> Registry:
    from railcheck.registry import load_registry

    return load_registry()


def registry() -> Registry:
    """The rules, loaded once for the server's lifetime (they are the installed ones; they do not change).

    The worker thread and the editor's thread may both ask first: loading imports the rule modules, which
    must happen once, so the first caller loads while the other waits.
    """
    with _loading:
        return _registry()


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    """One check of the services a file belongs to: findings by file and the texts they were found in."""

    diagnostics: Mapping[PurePosixPath, tuple[Diagnostic, ...]]
    # Every file the check read, as read (buffers included): findings' offsets point into these texts.
    texts: Mapping[PurePosixPath, str]
    services: tuple[str, ...]
    # The files the services read as their Railpack config, whatever their name (RAILPACK_CONFIG_FILE).
    railpack_paths: frozenset[PurePosixPath] = frozenset()
    # Findings about no file in particular (a rule that crashed, too many services): for the log.
    general: tuple[Diagnostic, ...] = ()


class RepositoryChecker:
    """Checks files of one repository; `ConfigError` from the constructor when its configuration is invalid."""

    def __init__(self, root: Path) -> None:
        from railcheck.codes import engine_codes_matching
        from railcheck.config import load_config
        from railcheck.engine import instantiate

        self.root = root
        self.config: Config = load_config(root)
        self.rules: list[Rule] = instantiate(registry(), self.config)
        # Engine codes are not rules, but `ignore = ["RC006"]` silences them, as in `railcheck check`.
        self.silenced = frozenset(code for selector in self.config.ignore for code in engine_codes_matching(selector))

    def check(self, path: PurePosixPath, overlay: Mapping[PurePosixPath, str]) -> ServiceCheck:
        """Check every service `path` belongs to (all of them for a file outside any service)."""
        from railcheck.engine import check
        from railcheck.project import load_project

        project = load_project(self.root, self.config, [path], overlay)
        result = check(project, self.rules, registry())
        found: dict[PurePosixPath, list[Diagnostic]] = {}
        general = []
        for diagnostic in result.diagnostics:
            if diagnostic.code in self.silenced:
                continue
            if diagnostic.span is None and str(diagnostic.path) == ".":
                general.append(diagnostic)
            else:
                found.setdefault(diagnostic.path, []).append(diagnostic)
        return ServiceCheck(
            {file: tuple(items) for file, items in found.items()},
            dict(project.texts),
            tuple(service.name for service in project.services),
            frozenset(service.railpack_path for service in project.services),
            tuple(general),
        )

    def fix_all(
        self, path: PurePosixPath, overlay: Mapping[PurePosixPath, str]
    ) -> tuple[Mapping[PurePosixPath, str], dict[PurePosixPath, str]]:
        """Every safe fix for the services of `path`, settled as `railcheck check --fix` settles them:
        the texts as read, and the new texts of the files that change (a file absent from the first is new)."""
        from railcheck.fixes import settle

        first = self.check(path, overlay)

        def lint(changes: dict[PurePosixPath, str]) -> list[Diagnostic]:
            result = self.check(path, {**overlay, **changes}) if changes else first
            return [diagnostic for found in result.diagnostics.values() for diagnostic in found]

        return first.texts, settle(dict(first.texts), lint, Applicability.SAFE).texts


def fixes_of(diagnostic: Diagnostic) -> Fix | None:
    """The fix an editor may apply: safe or unsafe ones (a display-only fix is advice, not an edit)."""
    fix = diagnostic.fix
    if fix is None or fix.applicability is Applicability.DISPLAY_ONLY or not fix.edits:
        return None
    return fix
