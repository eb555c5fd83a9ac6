"""Discovery: which services a check of some targets covers, found without reading any config file.

A folder holding railpack.json, railway.json or railway.toml is a service (its path is its name); services
declared in railcheck's configuration and the services of Railway's IaC file (`.railway/railway.py` or
`.ts`, the one config file discovery reads) join them. The result is a `Plan`: what loading (railcheck/project.py)
then reads into the model. Folders are walked with the walker's policy for discovery: links never entered,
`SKIPPED_DIRS`, `.gitignore`, git's exclude files and the configured `exclude` honoured.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from railcheck.config import Config, ServiceDeclaration
from railcheck.ignore_files import IgnoreFiles
from railcheck.layout import IAC_FILES, MAX_SERVICES, RAILPACK_FILE, SERVICE_MARKERS, SKIPPED_DIRS
from railcheck.model import IacDocument
from railcheck.repository import FileProblem, Repository
from railcheck.sources.text import LineIndex, ParseFailure
from railcheck.walker import FOLDER, OTHER, Listing, WalkPolicy, walk

if TYPE_CHECKING:
    from railcheck.sources.iac import IacService


@dataclass(frozen=True, slots=True)
class Plan:
    """What discovery found for some targets: the service folders and declared services to load."""

    folders: tuple[PurePosixPath, ...]
    declarations: tuple[ServiceDeclaration, ...]
    # How many services there were before MAX_SERVICES cut the list (RC007).
    discovered: int
    # Services of the IaC file to load, by name (their roots are static and not declared in config).
    iac_services: tuple[str, ...] = ()
    iac_roots: tuple[PurePosixPath, ...] = ()  # their root directories
    # Folders discovery could not list (no permission, a path longer than PATH_MAX), with the reason: the
    # services in them are not checked, and the report says so.
    unlisted: tuple[tuple[PurePosixPath, str], ...] = ()
    # Railpack configs under another name (`railpack.staging.json`, the RAILPACK_CONFIG_FILE case) named on
    # the command line: each is checked as the config of a service rooted at the service folder holding it.
    named_railpack: tuple[tuple[PurePosixPath, PurePosixPath], ...] = ()  # (root, config file)

    def split(self, parts: int) -> list[Plan]:
        """`parts` plans covering these services between them; declared and IaC services and the unlisted
        folders go to the first."""
        chunks = [self.folders[index::parts] for index in range(parts)]
        first = Plan(
            chunks[0], self.declarations, 0, self.iac_services, self.iac_roots, self.unlisted, self.named_railpack
        )
        return [first, *(Plan(chunk, (), 0) for chunk in chunks[1:])]

    def only(self, roots: Collection[PurePosixPath]) -> Plan:
        """The services of this plan rooted at `roots`."""
        iac = [(name, root) for name, root in zip(self.iac_services, self.iac_roots, strict=True) if root in roots]
        return Plan(
            tuple(folder for folder in self.folders if folder in roots),
            tuple(declaration for declaration in self.declarations if declaration.root in roots),
            0,
            tuple(name for name, _ in iac),
            tuple(root for _, root in iac),
            (),
            tuple(pair for pair in self.named_railpack if pair[0] in roots),
        )

    def roots(self) -> tuple[PurePosixPath, ...]:
        """The root directory of every service to load."""
        return (
            *self.folders,
            *(declaration.root for declaration in self.declarations),
            *self.iac_roots,
            *(root for root, _ in self.named_railpack),
        )

    @property
    def size(self) -> int:
        return len(self.folders) + len(self.declarations) + len(self.iac_services) + len(self.named_railpack)


def is_named_railpack_config(path: PurePosixPath) -> bool:
    """`railpack.<anything>.json` (or `railpack-staging.json`): a Railpack config a RAILPACK_CONFIG_FILE
    variable points at, under another name than the one Railpack reads by default."""
    name = path.name
    return (
        name != RAILPACK_FILE
        and name.startswith("railpack")
        and name.endswith(".json")
        and len(name) > len("railpack.json")
    )


def discover(root: Path, config: Config, targets: Iterable[PurePosixPath] = (PurePosixPath("."),)) -> Plan:
    """Find the services under `targets` (repo-relative folders or files), reading no config file (only the
    IaC file and the ignore files)."""
    resolved = root.resolve()
    return Discovery(resolved, config, Repository(resolved)).plan(tuple(targets))


def literal_variables(call: IacService) -> dict[str, str]:
    """The service's variables that are literal strings in the IaC file."""
    value = call.settings.get("variables")
    if value is None or not isinstance(value.value, dict):
        return {}
    return {key: item for key, item in value.value.items() if isinstance(key, str) and isinstance(item, str)}


def iac_railway_config(call: IacService) -> PurePosixPath | None:
    """The Railway config file an IaC service names with `configFile` (absolute in the repository), if literal."""
    value = call.settings.get("configFile")
    if value is None or not isinstance(value.value, str) or not value.value.strip("/"):
        return None
    path = PurePosixPath(os.path.normpath(value.value.strip().lstrip("/")))
    return None if path.parts[:1] == ("..",) or path.suffix not in (".json", ".toml") else path


def _overlaps(declaration: ServiceDeclaration, target: PurePosixPath) -> bool:
    if str(target) == ".":
        return True
    root = declaration.root
    config = join_config_path(root, declaration.railpack_config) if declaration.railpack_config else None
    return _within(target, root) or _within(root, target) or target == config


def _claimed_config_dirs(declarations: Iterable[ServiceDeclaration]) -> set[PurePosixPath]:
    """Folders whose config files belong to a declared service rooted elsewhere, so they are not services."""
    claimed = set()
    for declaration in declarations:
        if declaration.railpack_config:
            claimed.add(join_config_path(declaration.root, declaration.railpack_config).parent)
        if declaration.railway_config:
            claimed.add(PurePosixPath(declaration.railway_config.lstrip("/")).parent)
    claimed.discard(PurePosixPath("."))
    return claimed


def join_config_path(root: PurePosixPath, relative: str) -> PurePosixPath:
    """A config path given relative to a service's root directory, as a repo-relative path."""
    # Railpack joins RAILPACK_CONFIG_FILE onto the source dir, so a leading "/" is still relative to the root.
    return PurePosixPath(os.path.normpath(root / relative.lstrip("/")))


def _within(path: PurePosixPath, folder: PurePosixPath) -> bool:
    return str(folder) == "." or path == folder or folder in path.parents


class Discovery:
    """Finds the services of one repository; reads nothing but the IaC file, through `repository`."""

    def __init__(self, root: Path, config: Config, repository: Repository) -> None:
        self.root = root
        self.config = config
        self.repository = repository
        self.problems = repository.problems
        self._policy = WalkPolicy(SKIPPED_DIRS, IgnoreFiles(root, config))
        self.unlisted: dict[PurePosixPath, str] = {}
        self.iac = self._read_iac()
        self._elsewhere: dict[str, str] | None = None

    def _read_iac(self) -> IacDocument | None:
        """Railway's CLI uses the `.railway/` folder at (or above) where it runs; railcheck reads the repository's."""
        for path in IAC_FILES:
            text = self.repository.read(path)
            if text is None:
                continue
            from railcheck.sources.iac import read_iac

            parsed = read_iac(text, "python" if path.suffix == ".py" else "typescript")
            if isinstance(parsed, ParseFailure):
                self.problems.append(FileProblem.unparsed(path, text, parsed))
                return None
            return IacDocument(path, text, LineIndex(text), parsed)
        return None

    def built_elsewhere(self) -> dict[str, str]:
        """IaC service name -> why it is not built from this repository (an image, a function, another repository)."""
        if self._elsewhere is None:
            from railcheck.sources.iac import built_elsewhere

            self._elsewhere = built_elsewhere(self.iac.file) if self.iac else {}
        return self._elsewhere

    def iac_roots(self) -> dict[str, PurePosixPath]:
        """IaC service name -> its root directory, for the services whose root is static (or not given)."""
        roots = {}
        for service in self.iac.file.services if self.iac else ():
            value = service.settings.get("root")
            if value is None:  # no `root` and no source rootDirectory: Railway builds from the repository root
                roots[service.name] = PurePosixPath(".")
            elif isinstance(value.value, str) and ".." not in PurePosixPath(value.value).parts:
                roots[service.name] = PurePosixPath(value.value.strip("/") or ".")
        return roots

    def plan(self, targets: tuple[PurePosixPath, ...]) -> Plan:
        declared = {declaration.root: declaration for declaration in self.config.services}
        claimed = _claimed_config_dirs(self.config.services)
        folders: set[PurePosixPath] = set()
        for target in targets:
            found = set(self.service_folders(target))
            inside = self._resolves_inside(target)
            # Top-level files other than the root service's own configs and modules may matter to any service.
            top_level = str(target.parent) == "." and target.name not in SERVICE_MARKERS and target.suffix != ".py"
            if (not found or top_level) and inside and not os.path.isdir(self.root / target):
                # A file outside every service, or at the top even when the repository root is a service (the
                # config, a root .python-version, a sync source), can affect any service: check them all.
                found = set(self.service_folders(PurePosixPath(".")))
                targets = (*targets, PurePosixPath("."))
            folders.update(found)
        declarations = tuple(
            declaration
            for declaration in self.config.services
            if any(_overlaps(declaration, target) for target in targets)
        )
        # IaC services join by root directory; a root declared in railcheck's configuration wins over them.
        iac = {
            name: root
            for name, root in self.iac_roots().items()
            if root not in declared and name not in {d.name for d in self.config.services}
        }
        for call in self.iac.file.services if self.iac else ():
            config_file = literal_variables(call).get("RAILPACK_CONFIG_FILE")
            if call.name in iac and config_file:
                # Its railpack.json sits in another folder, which is therefore not a service of its own.
                claimed.add(join_config_path(iac[call.name], config_file).parent)
            railway_config = iac_railway_config(call)
            if call.name in iac and railway_config is not None and railway_config.parent != PurePosixPath("."):
                claimed.add(railway_config.parent)  # `configFile=`: that Railway config is this service's
        iac_chosen = tuple(
            name
            for name, root in iac.items()
            if any(_within(target, root) or _within(root, target) or target in IAC_FILES for target in targets)
        )
        # A declared service owns the folder of its root only if it reads that folder's config files (a
        # service rooted at "/" with its configs elsewhere leaves a root railway.json to its own service).
        owned = {
            root
            for root, declaration in declared.items()
            if declaration.railway_config is None or declaration.railpack_config is None
        }
        # A service not built from this repository has no folder here: it leaves that folder's configs alone.
        iac_folders = {root for name, root in iac.items() if name not in self.built_elsewhere()}
        kept = tuple(
            folder
            for folder in sorted(folders)
            if folder not in claimed and folder not in owned and folder not in iac_folders
        )
        named = self._named_railpack(
            targets,
            claimed_files={
                join_config_path(d.root, d.railpack_config) for d in self.config.services if d.railpack_config
            },
        )
        total = len(declarations) + len(iac_chosen) + len(kept) + len(named)
        room = max(0, MAX_SERVICES - len(declarations) - len(iac_chosen) - len(named))
        return Plan(
            kept[:room],
            declarations[:MAX_SERVICES],
            total,
            iac_chosen,
            tuple(iac[name] for name in iac_chosen),
            tuple(sorted(self.unlisted.items())),
            named,
        )

    def _named_railpack(
        self, targets: tuple[PurePosixPath, ...], claimed_files: set[PurePosixPath]
    ) -> tuple[tuple[PurePosixPath, PurePosixPath], ...]:
        """Targets that are Railpack configs under another name and that no declared service reads already,
        each with the root of the service folder holding it (the file's own folder when none does)."""
        found = []
        for target in targets:
            if (
                not is_named_railpack_config(target)
                or target in claimed_files
                or not os.path.isfile(self.root / target)
            ):
                continue
            if not self._resolves_inside(target):
                continue  # a link out of the repository is never followed
            root = next(
                (folder for folder in (target.parent, *target.parent.parents) if self._is_service_folder(folder)),
                target.parent,
            )
            found.append((root, target))
        return tuple(dict.fromkeys(found))

    def _resolves_inside(self, path: PurePosixPath) -> bool:
        """Whether `path` stays in the repository once links are resolved (a link out is never followed)."""
        return Path(os.path.realpath(self.root / path)).is_relative_to(self.root)

    def service_folders(self, target: PurePosixPath) -> Iterator[PurePosixPath]:
        """Service folders for one target: every one below a directory, and the nearest one above it."""
        absolute = self.root / target
        is_dir = os.path.isdir(absolute)  # False, not an error, below a folder that may not be searched
        folder = target if is_dir else target.parent
        if not self._resolves_inside(folder):
            return  # reached through a linked folder that leads out of the repository
        below = list(self._walk(target)) if is_dir and not os.path.islink(absolute) else []
        yield from below
        if below:
            return
        # A file, or a folder inside a service: the nearest service folder above it owns it.
        for ancestor in (target, *target.parents) if not is_dir else target.parents:
            if self._is_service_folder(ancestor):
                yield ancestor
                break

    def _walk(self, start: PurePosixPath) -> Iterator[PurePosixPath]:
        """The service folders at and below `start`, walked with discovery's policy."""
        for folder, listing in walk(start, self._list, self._policy):
            if any(marker in listing for marker in SERVICE_MARKERS):
                yield folder

    def _list(self, folder: PurePosixPath) -> Listing | None:
        try:
            with os.scandir(f"{self.root}/{folder}") as entries:  # joined as text: once per folder of the walk
                # Discovery asks only whether an entry is a folder itself (the walker never enters a link),
                # so the rest are not told apart: one d_type test per entry, no more.
                return {entry.name: FOLDER if entry.is_dir(follow_symlinks=False) else OTHER for entry in entries}
        except FileNotFoundError:
            return None  # removed while the run walked
        except OSError as error:
            self.unlisted[folder] = error.strerror or type(error).__name__
            return None

    def _is_service_folder(self, folder: PurePosixPath) -> bool:
        # A config given only as text (an editor's unsaved new file, standard input) makes a service too.
        return any(
            os.path.lexists(self.root / folder / marker) or folder / marker in self.repository.overlay
            for marker in SERVICE_MARKERS
        )
