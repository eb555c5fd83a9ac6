"""Read and validate railcheck's configuration (`railcheck.toml`, or `[tool.railcheck]` in pyproject.toml),
and find the repository root a path belongs to (the nearest folder with a configuration or `.git`), for the
command line and the language server alike."""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from railcheck.layout import ROOT_MARKERS
from railcheck.types import EMPTY_MAPPING, Severity, Span

CONFIG_FILE_NAMES = ("railcheck.toml", "pyproject.toml")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why. The CLI exits 2."""


@dataclass(frozen=True, slots=True, eq=False)
class ServiceDeclaration:
    """A service declared in config: its Railway root directory and, optionally, where its configs live."""

    name: str
    root: PurePosixPath
    railpack_config: str | None = None
    railway_config: str | None = None
    # Railway service variables that Railpack reads at build time (RAILPACK_*), as the user mirrors them here.
    variables: dict[str, str] = field(default_factory=dict)


class Config(NamedTuple):
    """railcheck's settings for one repository, already validated."""

    # A named tuple, not a frozen dataclass, for the cost at import (see types.Position); its mappings
    # default to one shared empty read-only mapping.

    source: PurePosixPath | None = None
    # The config file's text, so that findings about it (RC006) can point at the right line.
    text: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: Mapping[str, str | None] = EMPTY_MAPPING
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = EMPTY_MAPPING
    fail_on: Severity = Severity.WARNING
    exclude: tuple[str, ...] = ()
    services: tuple[ServiceDeclaration, ...] = ()
    # Per-rule options as written (selector -> table); each rule validates its own.
    rule_options: Mapping[str, dict[str, object]] = EMPTY_MAPPING
    # Declared copies: (original, copies), repo-relative.
    sync: tuple[tuple[PurePosixPath, tuple[PurePosixPath, ...]], ...] = ()


def config_key_span(config: Config, *keys: str, value: bool = False) -> Span | None:
    """Where `keys` (a path of table keys, e.g. "services", "api", "railpack-config") is written in the
    configuration file: the innermost key that exists (with `value`, the value of the last key when it is
    there); None without a file or when it does not parse."""
    if config.source is None or config.text is None:
        return None
    from railcheck.sources.text import Document, escape_pointer_token
    from railcheck.sources.toml import parse_toml

    document = parse_toml(config.text, config.source)
    if not isinstance(document, Document):
        return None
    pointer = "/tool/railcheck" if config.source.name == "pyproject.toml" else ""
    found = None
    for key in keys:
        pointer += f"/{escape_pointer_token(key)}"
        if pointer not in document.key_offsets:
            return found
        found = document.key_span(pointer)
    return document.value_span(pointer) if value else found


def find_root(path: Path) -> Path:
    """The repository a path belongs to: the nearest folder with railcheck.toml, a [tool.railcheck] table, or .git."""
    # Lexical, like _group_by_root: resolving would follow a link out of the repository and check its target.
    start = Path(os.path.abspath(path))
    # os.path's tests answer False where a folder may not be searched (Path's raise PermissionError).
    if not os.path.isdir(start):
        start = start.parent
    for folder in (start, *start.parents):
        # A linked folder is never a root: a pull request can link a checked folder to any folder that has
        # railcheck.toml or .git (`_group_by_root` then refuses the path, which leads out of the repository).
        if not os.path.islink(folder) and (
            any(os.path.exists(folder / marker) for marker in ROOT_MARKERS) or find_config_file(folder)
        ):
            return folder
    return start


def find_config_file(root: Path) -> Path | None:
    """The config file that applies to the repository at `root`: railcheck.toml beats pyproject.toml."""
    for name in CONFIG_FILE_NAMES:
        candidate = root / name
        # A railcheck.toml that is not a readable file inside the repository is still the configuration,
        # refused when loaded; a pyproject.toml counts only when it can be read and has the table.
        if name == "railcheck.toml" and os.path.lexists(candidate) and not os.path.isdir(candidate):
            return candidate
        if (
            name == "pyproject.toml"
            and os.path.lexists(candidate)
            and "[tool.railcheck" in (_read_confined(root, name)[0] or "")
        ):
            return candidate
    return None


def _read_confined(root: Path, name: str) -> tuple[str | None, str | None]:
    """The text of the file `name` in `root`, read like the files railcheck checks (a link only to a file
    inside the repository, no pipe or device, 2 MiB at most, UTF-8), or why it was not read."""
    from railcheck.repository import Repository

    repository = Repository(Path(os.path.realpath(root)))
    text = repository.read(PurePosixPath(name))
    if text is not None:
        return text, None
    reason = repository.problems[0].message if repository.problems else "does not exist"
    return None, reason if reason.startswith("`") else f"{name} {reason}"


def load_config(root: Path, named: Path | None = None) -> Config:
    """Load the configuration for the repository at `root`; defaults when there is none. Raises ConfigError.

    `named` is the file given with `--config`, used instead of the one found at `root`; `root` is then its
    folder (see `named_config_root`), so its paths stay relative to where it is written."""
    if named is not None:
        return _config_of(read_named_config(named), PurePosixPath(named.name), shown=str(named), required=True)
    path = find_config_file(root)
    if path is None:
        return Config()
    text, problem = _read_confined(root, path.name)
    if text is None:
        raise ConfigError(f"{problem}; it was not used")
    return _config_of(text, PurePosixPath(path.name), shown=path.name)


def named_config_root(named: Path) -> Path:
    """The repository root of a run with `--config FILE`: the folder FILE is written in, as the user wrote
    it (a link is not resolved), since `exclude`, `per-file-ignores`, `[[sync]]` and service roots are relative to it.
    """
    return Path(os.path.abspath(named)).parent


def read_named_config(named: Path) -> str:
    """The text of the configuration file the user named with `--config`. The user's own choice, so a link
    is followed wherever it leads; but it is read like every other file (a regular file of at most 2 MiB,
    opened without blocking, UTF-8), so a pipe or a device named there neither hangs nor fills memory."""
    from railcheck.files import read_regular_file
    from railcheck.layout import MAX_FILE_BYTES
    from railcheck.report.escape import one_line

    shown = one_line(str(named))
    try:
        status = os.stat(named)  # follows the link the user named; stat never blocks, even on a pipe
    except FileNotFoundError:
        raise ConfigError(f"--config {shown}: no such file") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL character in the name
        raise ConfigError(f"--config {shown}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(
            f"--config {shown}: not a regular file (a folder, pipe, socket or device); name a railcheck.toml or"
            " pyproject.toml"
        )
    if status.st_size > MAX_FILE_BYTES:
        raise ConfigError(f"--config {shown}: larger than {MAX_FILE_BYTES // 2**20} MiB; it was not read")
    data = read_regular_file(os.path.realpath(named))
    if data is None:
        raise ConfigError(f"--config {shown}: cannot be read (no permission, or it changed while being opened)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"--config {shown}: not UTF-8 (byte 0x{data[error.start]:02x} at byte offset {error.start}); TOML files are"
            " UTF-8"
        ) from None


def _config_of(text: str, source: PurePosixPath, *, shown: str, required: bool = False) -> Config:
    """The Config a railcheck.toml, or a pyproject.toml's `[tool.railcheck]` table, holds; `shown` names
    the file in messages; `required`: a pyproject.toml without the table is an error (it was named)."""
    from railcheck.sources.text import ParseFailure
    from railcheck.sources.toml import parse_toml

    # The reader of the files railcheck checks: a deep nesting is a parse failure there, not a crash.
    parsed = parse_toml(text, source)
    if isinstance(parsed, ParseFailure):
        line = text.count("\n", 0, parsed.start) + 1
        raise ConfigError(f"{shown}:{line}: not valid TOML: {parsed.message.removeprefix('invalid TOML: ')}")
    document = parsed.value
    if source.name == "pyproject.toml":
        tool = document.get("tool", {})
        if required and not (isinstance(tool, dict) and isinstance(tool.get("railcheck"), dict)):
            raise ConfigError(
                f"--config {shown}: a pyproject.toml named as the configuration needs a [tool.railcheck] table"
            )
        table = tool.get("railcheck", {})
        prefix = "tool.railcheck"
    else:
        table, prefix = document, ""
    return parse_config(table, source=source, prefix=prefix)._replace(text=text)


def parse_config(table: Any, *, source: PurePosixPath | None = None, prefix: str = "") -> Config:
    """Validate a config table against schemas/railcheck-config.schema.json and build a Config."""
    _validate(table, source, prefix)
    ignore = table.get("ignore", {})
    if isinstance(ignore, list):
        ignore = dict.fromkeys(ignore)
    services = []
    for name, entry in table.get("services", {}).items():
        where = f"{_where(source, prefix)}services.{name}"
        root = normalise_repo_path(entry["root"], f"{where}.root")
        railpack_config = entry.get("railpack-config")
        if railpack_config is not None:
            # Railpack joins it onto the root directory, so it must stay inside the repository from there.
            normalise_repo_path(posixpath.normpath(f"{root}/{railpack_config.lstrip('/')}"), f"{where}.railpack-config")
        railway_config = entry.get("railway-config")
        if railway_config is not None:
            normalise_repo_path(posixpath.normpath(railway_config.lstrip("/") or "."), f"{where}.railway-config")
            # Kept normalised (`a/../b` as `b`): every consumer takes it as a repository path, and the
            # repository refuses to look at names with `..` in them.
            railway_config = ("/" if railway_config.startswith("/") else "") + posixpath.normpath(
                railway_config.lstrip("/") or "."
            )
        services.append(
            ServiceDeclaration(name, root, railpack_config, railway_config, dict(entry.get("variables", {})))
        )
    sync = tuple(
        (
            normalise_repo_path(entry["source"], f"{_where(source, prefix)}sync.source"),
            tuple(normalise_repo_path(copy, f"{_where(source, prefix)}sync.copies") for copy in entry["copies"]),
        )
        for entry in table.get("sync", ())
    )
    return Config(
        source=source,
        sync=sync,
        rule_options={selector: dict(options) for selector, options in table.get("rules", {}).items()},
        select=tuple(table["select"]) if "select" in table else None,
        extend_select=tuple(table.get("extend-select", ())),
        ignore=dict(ignore),
        per_file_ignores=tuple((pattern, tuple(codes)) for pattern, codes in table.get("per-file-ignores", {}).items()),
        severity={selector: Severity(value) for selector, value in table.get("severity", {}).items()},
        fail_on=Severity(table.get("fail-on", "warning")),
        exclude=tuple(table.get("exclude", ())),
        services=tuple(services),
    )


def normalise_repo_path(raw: str, where: str) -> PurePosixPath:
    """A repository-relative POSIX path from a config value; refuses paths that leave the repository."""
    from railcheck.repository import names_git_folder

    path = PurePosixPath(raw.replace("\\", "/").lstrip("/") or ".")
    if ".." in path.parts:
        raise ConfigError(f"{where}: {raw!r} points outside the repository")
    if names_git_folder(path.as_posix()):
        raise ConfigError(f"{where}: {raw!r} is inside the git folder (.git), which railcheck never reads or writes")
    return path


def _where(source: PurePosixPath | None, prefix: str) -> str:
    head = f"{source}: " if source else ""
    return f"{head}{prefix}." if prefix else head


def _validate(table: Any, source: PurePosixPath | None, prefix: str) -> None:
    from railcheck.schema import dotted, validate

    issues = validate(table, "railcheck-config.schema.json")
    if not issues:
        return
    messages = []
    for issue in issues:
        pointer = issue.pointer.rsplit("/", 1)[0] if issue.kind == "unknown-key" else issue.pointer
        key = dotted(pointer) if pointer else ""
        location = f"{_where(source, prefix)}{key}" if key else (_where(source, prefix).rstrip(". :") or "config")
        if issue.kind == "unknown-key":
            messages.append(f"{location}: unknown key(s) {issue.key!r}; allowed: {', '.join(sorted(issue.allowed))}")
        elif issue.kind == "enum":
            messages.append(
                f"{location}: {issue.message.split(' is not', 1)[0].replace(chr(34), chr(39))} is not one of"
                f" {', '.join(issue.allowed)}"
            )
        else:
            messages.append(f"{location}: {issue.message}")
    raise ConfigError("invalid configuration:\n  " + "\n  ".join(messages))
