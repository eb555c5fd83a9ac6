"""The `railcheck` command line: parse options, then hand off to small build/execute functions.

Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from railcheck import __version__
from railcheck.config import find_root
from railcheck.report import REPORTERS, REPOSITORY_RELATIVE, Report
from railcheck.report.escape import one_line
from railcheck.run import EXIT_CLEAN, EXIT_ERROR, CheckSettings, check_repository
from railcheck.types import Severity

if TYPE_CHECKING:
    from railcheck.config import Config

CONFIG_HELP = (
    "Use this railcheck.toml (or pyproject.toml with [tool.railcheck]) instead of the one found. Its folder is "
    "then the repository root: the paths it names are relative to that folder, and every PATH must be inside it."
)


def run() -> None:
    """The `railcheck` program (console script and `python -m railcheck`): `main` in a process of its own."""
    # A check builds many small objects that live until the process ends, and the collector's frequent
    # passes over them find no garbage: about a tenth of a large run's time. Leave what is loaded out of
    # those passes and run them ten times less often (peak memory is measured by benchmarks/run.py). Only
    # here, not in `main`, which tests and other programs call inside their own long-lived process.
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    try:
        main()
    except SystemExit as stop:
        status = stop.code
    except OSError as error:  # standard output cannot take the report (a full disk): not a bug to report
        status = _cannot_write(error)
    else:
        status = 0
    if not isinstance(status, int):  # what Python does with `sys.exit("message")`
        if status is not None:
            print(status, file=sys.stderr)
        status = 0 if status is None else 1
    # Every file railcheck writes is closed by now; only the two streams hold buffered output. Tearing down
    # the interpreter would then free every object of the run one by one, about 30 ms on a 1,000-service
    # repository, for nothing: the process ends here instead, as mypy's does.
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when the program was started with the stream closed
                stream.flush()
        except (BrokenPipeError, ValueError):  # `railcheck check | head`: the reader has gone; or closed
            pass
        except OSError as error:
            status = _cannot_write(error)
    os._exit(status)


def _cannot_write(error: OSError) -> int:
    try:
        print(f"railcheck: cannot write the output: {error.strerror or error}", file=sys.__stderr__)
    except (OSError, ValueError, AttributeError):
        pass  # standard error is gone too; the exit status says it
    return EXIT_ERROR


class _CheckByDefault(click.Group):
    """A group whose arguments, when they do not start with a command name, are those of `check`.

    So `railcheck --fix` and `railcheck services/api` mean `railcheck check --fix` and `railcheck check
    services/api`. A first argument that names a command is that command, even if a folder has the same
    name (`railcheck rules` lists the rules; `railcheck ./rules` or `railcheck check rules` checks it).
    """

    GROUP_OPTIONS = ("-h", "--help", "--version")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in self.GROUP_OPTIONS):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [PATHS]...  (the same as `check`)")
        formatter.write_usage(ctx.command_path, "COMMAND [ARGS]...", prefix=" " * len("Usage: "))


@click.group(cls=_CheckByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="railcheck")
def main() -> None:
    """Lint Railway and Railpack deploy configs across a monorepo.

    Without a command, railcheck runs `check` with the options and paths given: `railcheck --fix` is
    `railcheck check --fix`. A first argument that is a command's name runs that command, even where a
    folder has the same name: write `railcheck ./rules` or `railcheck check rules` to check such a folder.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what is left.")
@click.option(
    "--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply fixes that change behaviour on purpose."
)
@click.option(
    "--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if there is any)."
)
@click.option("--show-fixes", is_flag=True, help="Show the fix of every finding, and list the fixes --fix applied.")
@click.option(
    "--fix-only", is_flag=True, help="Apply fixes and report only what was fixed, not the remaining problems."
)
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when --fix changed a file, even if nothing is left (for pre-commit).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hide findings recorded in this baseline file; report entries that no longer match (RC005).",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record every current finding in this file and exit 0.",
)
@click.option(
    "--base-ref",
    help="A git ref (e.g. origin/main): findings on lines changed since it are annotated first (github format).",
)
@click.option(
    "--select",
    multiple=True,
    help="Rules to run (codes, prefixes or names, comma-separated); replaces the configured selection.",
)
@click.option("--extend-select", multiple=True, help="Rules to run in addition to the selection.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option("--output-format", type=click.Choice(list(REPORTERS)), default="full", show_default=True)
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice([severity.value for severity in Severity]),
    help="Lowest severity that makes the exit code 1 (default: the configured `fail-on`, else warning).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check everything again instead of replaying an unchanged repository's results from .railcheck_cache/.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print how many findings of each code there are (and how many --fix can fix) instead of the findings.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help=(
        "Colour the full and concise formats; auto: when standard output is a terminal and NO_COLOR is unset"
        " (FORCE_COLOR forces it)."
    ),
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when problems are found (errors in railcheck itself still exit 2)."
)
@click.option("--config", "config", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.option(
    "--stdin-filename",
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "With PATH `-`: standard input is this file's text; its service is checked with it. With --fix, the fixed text"
        " goes to standard output (the report to standard error) and nothing is written."
    ),
)
def check(paths: tuple[Path, ...], stdin_filename: Path | None, **options: object) -> None:
    """Check the services under PATHS (default: the current directory).

    A PATH may be a repository, a service folder, or files (as pre-commit passes them): every file maps to
    the service that holds it, and the whole service is checked. `-` reads one file from standard input
    (see --stdin-filename), as editors and formatter plugins call linters.
    """
    settings = CheckSettings.from_options(options)
    if (stdin_filename is not None) != (paths == (Path("-"),)):
        raise click.UsageError("read standard input with both `--stdin-filename FILE` and the single PATH `-`")
    try:
        code = (
            execute_stdin(stdin_filename, settings)
            if stdin_filename is not None
            else execute(paths or (Path("."),), settings)
        )
    except click.ClickException:
        raise
    except Exception as error:
        if isinstance(error, _user_errors()):
            _warn(f"railcheck: {error}")
        else:
            _warn(
                f"railcheck: internal error: {type(error).__name__}: {error}. This is a bug in railcheck; please"
                " report it."
            )
        code = EXIT_ERROR
    sys.exit(code)


def _user_errors() -> tuple[type[Exception], ...]:
    """Errors that are the user's to fix (configuration, selection, a file a fix could not write, a baseline),
    imported only when one was raised: a clean run never loads the baseline module."""
    from railcheck.baseline import BaselineError
    from railcheck.config import ConfigError
    from railcheck.fixes import FixWriteError
    from railcheck.registry import SelectionError

    return (ConfigError, SelectionError, FixWriteError, BaselineError)


def execute(paths: Sequence[Path], settings: CheckSettings) -> int:
    """Check (and fix) every repository the paths belong to; print the report; return the exit code."""
    from railcheck.registry import load_registry

    if conflict := settings.conflict():
        raise click.UsageError(conflict)
    for path in paths:
        if _missing(path):
            raise click.UsageError(f"no such file or folder: {one_line(str(path))}")
    registry = load_registry()
    if settings.config is not None:
        root, targets, config = _under_named_config(paths, settings.config)
        runs = [check_repository(root, targets, registry, settings, config=config)]
    else:
        runs = [check_repository(root, targets, registry, settings) for root, targets in _group_by_root(paths).items()]
    for run in runs:
        for note in run.notes:
            _warn(note)
        if not run.report.services:
            # Usually a mistyped path; say so, since "All checks passed" alone would hide it.
            _warn(
                f"railcheck: warning: no services found under {', '.join(str(path) for path in paths)} (a service is a"
                " folder with railpack.json, railway.json or railway.toml)"
            )
    color = settings.wants_color(os.environ, _is_terminal(sys.stdout))
    if settings.diff:
        output = "".join(run.diff for run in runs)
    else:
        # One report even when the paths span several repositories (a JSON document must stay one document).
        for_ci = settings.output_format in REPOSITORY_RELATIVE
        report = Report.merge([run.report.repository_relative() if for_ci else run.report for run in runs])
        render = _statistics if settings.statistics else REPORTERS[settings.output_format]
        output = render(report._replace(color=color))
    _emit(output, settings.output_file, color=color)
    return max((run.status for run in runs), default=EXIT_CLEAN)


def execute_stdin(filename: Path, settings: CheckSettings) -> int:
    """Check the service of `filename` with standard input as that file's text; with --fix, print the fixed text."""
    from railcheck.registry import load_registry

    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.UsageError(
            f"standard input is not valid UTF-8 (byte 0x{data[error.start]:02x} at byte offset {error.start}); Railway"
            " and Railpack read config files as UTF-8"
        ) from error
    config = None
    if settings.config is not None:
        root, (relative,), config = _under_named_config([filename], settings.config)
    else:
        root = find_root(filename)
        relative = _confined_relative(filename, root, {})
        if relative.parts[:1] == ("..",):
            raise click.UsageError(
                f"--stdin-filename {one_line(str(filename))} is outside the repository at {one_line(str(root))}"
            )
    run = check_repository(root, [relative], load_registry(), settings, {relative: text}, config=config)
    for note in run.notes:
        _warn(note)
    if settings.diff:
        _emit(run.diff, settings.output_file)
    elif settings.fix:
        # Like a formatter: the text goes back on standard output, the report beside it on standard error.
        _emit(run.fixed.get(relative, text), None)
        report = REPORTERS[settings.output_format](run.report)
        if settings.output_file is not None:
            _emit(report, settings.output_file)
        else:
            click.echo(report, nl=False, err=True)
    else:
        _emit(REPORTERS[settings.output_format](run.report), settings.output_file)
    return run.status


def _statistics(report: Report) -> str:
    from railcheck.report.text import statistics

    return statistics(report)


def _is_terminal(stream: object) -> bool:
    try:
        isatty = getattr(stream, "isatty", None)  # a replaced sys.stdout need not have one
        return bool(isatty is not None and isatty())
    except (AttributeError, OSError, ValueError):  # no stream, or a closed one
        return False


def _missing(path: Path) -> bool:
    """Whether `path` does not exist. One that cannot be looked at (a folder on its way may not be searched,
    as pre-commit passes a staged file there) is checked, so that discovery reports why it is not."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _warn(message: str) -> None:
    """A message on standard error. A CI runner reads every line of it for workflow commands, and the
    message may quote the repository (a configuration key): a line that would start with `::` does not."""
    from railcheck.report.escape import encodable

    lines = [one_line(line) for line in message.split("\n")]
    click.echo(
        encodable("\n".join(f"railcheck: {line}" if line.lstrip().startswith("::") else line for line in lines)),
        err=True,
    )


class _ReportError(click.ClickException):
    """The report could not be written (a full disk, a folder in the way): exit 2, like any other error."""

    exit_code = EXIT_ERROR


def _emit(text: str, output_file: Path | None, *, color: bool = False) -> None:
    from railcheck.report.escape import encodable

    text = encodable(text)
    if output_file is None:
        try:
            click.echo(text, nl=False, color=color or None)  # None: click strips ANSI sequences off a non-terminal
            if sys.stdout is not None:
                sys.stdout.flush()  # now, so that a full disk is reported as such, not as a bug
        except BrokenPipeError:
            pass  # the reader stopped reading (`| head`): what it did not take cannot be shown anyway
        except OSError as error:
            raise _ReportError(f"cannot write the report: {error.strerror or error}") from error
        return
    try:
        # `--output-file reports/railcheck.xml` on a fresh checkout
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _ReportError(f"cannot write {output_file}: {error.strerror or error}") from error


def _group_by_root(paths: Sequence[Path]) -> dict[Path, list[PurePosixPath]]:
    groups: dict[Path, list[PurePosixPath]] = {}
    resolved_roots: dict[Path, tuple[Path, tuple[Path, ...]]] = {}
    for path in paths:
        root = find_root(path)
        groups.setdefault(root, []).append(_confined_relative(path, root, resolved_roots))
    return groups


def _under_named_config(paths: Sequence[Path], config_file: Path) -> tuple[Path, list[PurePosixPath], Config]:
    """With `--config FILE`: the one repository root of the run (FILE's folder), every path relative to it,
    and the configuration. A path outside that folder is a usage error: its services would be checked with
    paths meant for another folder."""
    from railcheck.config import load_config, named_config_root

    root = named_config_root(config_file)
    config = load_config(root, config_file)  # first: a file that cannot be used is what to say before anything
    for path in paths:
        if os.path.relpath(os.path.abspath(path), root).split(os.sep)[0] == "..":
            raise click.UsageError(
                f"{one_line(str(path))} is outside {one_line(str(root))}, the folder of --config"
                f" {one_line(str(config_file))}: with --config, that folder is the repository root, and the"
                " configuration's paths are relative to it"
            )
    resolved_roots: dict[Path, tuple[Path, tuple[Path, ...]]] = {}
    return root, [_confined_relative(path, root, resolved_roots) for path in paths], config


def _confined_relative(
    path: Path, root: Path, resolved_roots: dict[Path, tuple[Path, tuple[Path, ...]]]
) -> PurePosixPath:
    """`path` relative to `root`, as written (a linked file is checked where it sits in the repository);
    a usage error when the folder it names or holds a file in resolves outside the repository or into git's
    own folder: a linked folder would check, cache into and fix what it leads to. `resolved_roots` keeps
    each root's resolution (pre-commit passes many files of one repository)."""
    from railcheck.repository import git_folders, names_git_folder, resolves_into_git

    absolute = path.absolute()
    folder = Path(os.path.realpath(absolute if os.path.isdir(absolute) else absolute.parent))
    if root not in resolved_roots:
        inside = Path(os.path.realpath(root))
        resolved_roots[root] = (inside, git_folders(inside))
    inside, git = resolved_roots[root]
    if not folder.is_relative_to(inside):
        raise click.UsageError(
            f"{one_line(str(path))} leads outside the repository at {one_line(str(root))} (through a symbolic link);"
            " railcheck checks only files inside it"
        )
    relative = PurePosixPath(Path(os.path.relpath(os.path.normpath(absolute), root)).as_posix())
    if names_git_folder(relative.as_posix()) or resolves_into_git(folder, inside, git):
        raise click.UsageError(f"{one_line(str(path))} is inside the git folder (.git), which railcheck never reads")
    return relative


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Show the documentation of the rule CODE (a code or a name)."""
    from railcheck.registry import load_registry
    from railcheck.rules_table import rule_documentation

    text = rule_documentation(load_registry(), code)
    if text is not None:
        click.echo(text, nl=False)
        return
    _warn(f"railcheck: no rule {code!r} (run `railcheck rules` for the list)")
    sys.exit(EXIT_ERROR)


@main.command("rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json", "docs"]),
    default="table",
    show_default=True,
)
def rules_command(output_format: str) -> None:
    """List every rule."""
    from railcheck.registry import load_registry
    from railcheck.rules_table import rules_docs, rules_json, rules_markdown, rules_table

    render = {"table": rules_table, "markdown": rules_markdown, "json": rules_json, "docs": rules_docs}[output_format]
    click.echo(render(load_registry()), nl=False)


@main.command("explain-service")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`json`: a versioned document for tools (docs/output-formats.md).",
)
@click.option("--config", "named_config", type=click.Path(path_type=Path), help=CONFIG_HELP)
def explain_service(path: Path, output_format: str, named_config: Path | None) -> None:
    """Show what Railpack and Railway will do with the service at PATH, and where each value comes from."""
    from railcheck.config import ConfigError, load_config
    from railcheck.explain import explain
    from railcheck.project import load_project

    try:
        if named_config is not None:
            root, (relative,), config = _under_named_config([path], named_config)
        else:
            root = find_root(path)
            relative = PurePosixPath(Path(os.path.relpath(os.path.abspath(path), root)).as_posix())
            config = load_config(root)
    except ConfigError as error:
        _warn(f"railcheck: {error}")
        sys.exit(EXIT_ERROR)
    project = load_project(root, config, [relative])
    if not project.services:
        _warn(
            f"railcheck: no service at {path} (a service is a folder with railpack.json, railway.json or railway.toml,"
            " or one declared in the configuration)"
        )
        sys.exit(EXIT_ERROR)
    if output_format == "json":
        import json

        from railcheck.explain import explain_json

        click.echo(json.dumps(explain_json(list(project.services), project), indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(explain(service, project) for service in project.services), nl=False)


@main.command("server")
def server_command() -> None:
    """Run the language server on standard input and output (started by an editor; see docs/editors.md)."""
    try:
        from railcheck.lsp.server import serve
    except ImportError as error:
        if error.name not in ("pygls", "lsprotocol") and not str(error.name).startswith(("pygls.", "lsprotocol.")):
            raise
        # railcheck is not on a package index: `pip install 'railcheck[lsp]'` would fetch whatever has the name.
        click.echo(
            "railcheck: the language server needs the `lsp` extra: install railcheck with it (from a checkout: pip"
            " install '.[lsp]'; see docs/editors.md)",
            err=True,
        )
        sys.exit(EXIT_ERROR)
    serve()
