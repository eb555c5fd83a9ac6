"""Running railcheck from a test: rules in memory on a repository, fixes settled in memory, the CLI in-process."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from click.testing import CliRunner, Result

from railcheck.cli import main
from railcheck.config import load_config
from railcheck.engine import check
from railcheck.fixes import settle
from railcheck.model import Project
from railcheck.project import load_project
from railcheck.registry import Registry
from railcheck.rule import Rule
from railcheck.types import Applicability, Diagnostic


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
