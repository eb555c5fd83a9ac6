"""The `railcheck` command line: parse options, then hand off to small build/execute functions.

Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import click

from railcheck import __version__
from railcheck.types import Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
ROOT_MARKERS = ("railcheck.toml", ".git")
FORMATS = ("full", "concise", "json", "json-lines")


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="railcheck")
def main() -> None:
    """Lint Railway and Railpack deploy configs across a monorepo."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rules to run (codes, prefixes or names, comma-separated); replaces the configured selection.")
@click.option("--extend-select", multiple=True, help="Rules to run in addition to the selection.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option("--output-format", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice([severity.value for severity in Severity]), help="Lowest severity that makes the exit code 1 (default: the configured `fail-on`, else warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found (errors in railcheck itself still exit 2).")
def check(paths: tuple[Path, ...], select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...], output_format: str, output_file: Path | None, fail_on: str | None, exit_zero: bool) -> None:
    """Check the services under PATHS (default: the current directory).

    A PATH may be a repository, a service folder, or files (as pre-commit passes them): every file maps to
    the service that holds it, and the whole service is checked.
    """
    from railcheck.config import ConfigError
    from railcheck.registry import SelectionError

    try:
        code = _check(paths or (Path("."),), _split(select) or None, _split(extend_select), _split(ignore), output_format, output_file, fail_on, exit_zero)
    except (ConfigError, SelectionError) as error:
        click.echo(f"railcheck: {error}", err=True)
        code = EXIT_ERROR
    sys.exit(code)


def _check(paths: Sequence[Path], select: tuple[str, ...] | None, extend_select: tuple[str, ...], ignore: tuple[str, ...], output_format: str, output_file: Path | None, fail_on: str | None, exit_zero: bool) -> int:
    from railcheck.config import load_config
    from railcheck.engine import check as run_check
    from railcheck.engine import instantiate
    from railcheck.project import load_project
    from railcheck.registry import load_registry
    from railcheck.report import REPORTERS, Report

    for path in paths:
        if not os.path.lexists(path):
            raise click.UsageError(f"no such file or folder: {path}")
    registry = load_registry()
    outputs, status = [], EXIT_CLEAN
    for root, targets in _group_by_root(paths).items():
        config = load_config(root)
        rules = instantiate(registry, config, select=select, extend_select=extend_select, ignore=ignore)
        project = load_project(root, config, targets)
        result = run_check(project, rules, registry)
        threshold = Severity(fail_on) if fail_on else config.fail_on
        report = Report(
            diagnostics=result.diagnostics,
            texts=project.texts,
            services=len(project.services),
            fail_on=threshold,
            display_prefix=_display_prefix(root),
            suppressed=len(result.suppressed),
        )
        outputs.append(REPORTERS[output_format](report))
        if result.internal_errors:
            status = EXIT_ERROR
        elif status == EXIT_CLEAN and not exit_zero and any(diagnostic.severity.at_least(threshold) for diagnostic in result.diagnostics):
            status = EXIT_FINDINGS
    _emit("".join(outputs), output_file)
    return status


def _emit(text: str, output_file: Path | None) -> None:
    if output_file is None:
        click.echo(text, nl=False)
        return
    output_file.write_text(text, encoding="utf-8")


def find_root(path: Path) -> Path:
    """The repository a path belongs to: the nearest folder with railcheck.toml, a [tool.railcheck] table, or .git."""
    from railcheck.config import find_config_file

    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS) or find_config_file(folder):
            return folder
    return start


def _group_by_root(paths: Sequence[Path]) -> dict[Path, list[PurePosixPath]]:
    groups: dict[Path, list[PurePosixPath]] = {}
    for path in paths:
        root = find_root(path)
        absolute = path.absolute()
        # Keep the link itself, not its target: a linked file is checked where it sits in the repository.
        relative = Path(os.path.relpath(os.path.normpath(absolute), root))
        groups.setdefault(root, []).append(PurePosixPath(relative.as_posix()))
    return groups


def _display_prefix(root: Path) -> str:
    relative = os.path.relpath(root, Path.cwd())
    return "" if relative == "." else f"{Path(relative).as_posix()}/"


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Show the documentation of the rule CODE (a code or a name)."""
    from railcheck.engine import ENGINE_CODES
    from railcheck.registry import load_registry

    found = load_registry().find(code)
    if found is not None:
        click.echo(f"# {found.name} ({found.code})\n\n{found.summary}.\n\nDefault severity: {found.default_severity.value}. Fix: {found.fix.value}.\n\n{found.documentation()}", nl=False)
        return
    if code in ENGINE_CODES:
        name, doc = ENGINE_CODES[code]
        click.echo(f"# {name} ({code})\n\nEmitted by the engine.\n\n{doc}", nl=False)
        return
    click.echo(f"railcheck: no rule {code!r} (run `railcheck rules` for the list)", err=True)
    sys.exit(EXIT_ERROR)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule."""
    from railcheck.registry import load_registry
    from railcheck.rules_table import rules_json, rules_markdown, rules_table

    render = {"table": rules_table, "markdown": rules_markdown, "json": rules_json}[output_format]
    click.echo(render(load_registry()), nl=False)
