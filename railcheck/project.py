"""Discover a repository's services and load their files once into an immutable Project.

This is the only module that reads the files railcheck checks. Rules receive the Project and never
touch the file system. Unreadable or unparseable files become FileProblems, never exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from railcheck.config import Config, ServiceDeclaration
from railcheck.derived import Derived
from railcheck.facts import SERVICE_FILES
from railcheck.patterns import config_spec, gitignore_spec
from railcheck.repository import FileProblem, Repository, Stamp, read_regular_file
from railcheck.sources.jsonc import parse_json
from railcheck.sources.text import Document, LineIndex, ParseFailure
from railcheck.sources.toml import parse_toml
from railcheck.types import Span

if TYPE_CHECKING:
    from railcheck.sources.iac import IacFile, IacService

RAILPACK_FILE = "railpack.json"
RAILWAY_FILES = ("railway.toml", "railway.json")  # railway.toml wins when both exist
SERVICE_MARKERS = (RAILPACK_FILE, *RAILWAY_FILES)
# More services than this are not checked (RC007): a safety limit, far above real monorepos.
MAX_SERVICES = 20_000
# Never searched: VCS metadata, dependency trees, caches. Also anything .gitignore or `exclude` names.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".railcheck_cache",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
    }
)


@dataclass(frozen=True, slots=True)
class Service:
    """One Railway service: its root directory (the build context, `/app` in the image) and its configs."""

    name: str
    root: PurePosixPath
    root_source: str
    railpack_path: PurePosixPath
    railpack: Document | None
    # Railway's config as code: the file Railway reads, and a railway.json it ignores beside a railway.toml.
    railway: Document | None = None
    railway_ignored: Document | None = None
    # True when the railpack config path was declared (RAILPACK_CONFIG_FILE): then a missing file fails the build.
    railpack_declared: bool = False
    # Config files the configuration declares for this service but that do not exist.
    missing: tuple[PurePosixPath, ...] = ()
    # Railway variables that shape the build (RAILPACK_* and friends): from the IaC file and the configuration.
    variables: tuple[tuple[str, str], ...] = ()
    # The `service(...)` call in .railway/railway.py or .railway/railway.ts that manages this service, if any.
    iac: IacService | None = None
    # Why the service is not built from this repository (its IaC source is an image, a function or another
    # repository), else None. The engine runs no rule that checks the build on such a service (`checks_build`).
    built_elsewhere: str | None = None

    def variable(self, name: str) -> str | None:
        return dict(self.variables).get(name)

    def display_root(self) -> str:
        return "/" if str(self.root) == "." else f"{self.root}/"


@dataclass(frozen=True, slots=True)
class Project:
    """Everything railcheck knows about one repository, built once and shared by every rule."""

    root: Path
    config: Config
    services: tuple[Service, ...]
    problems: tuple[FileProblem, ...] = ()
    # Every text railcheck read, by repo-relative path: reporters show snippets from it, fixes edit it.
    texts: dict[PurePosixPath, str] = field(default_factory=dict)
    # Read-only view of the repository for rules that look beyond config files (modules, referenced paths).
    repository: Repository | None = field(default=None, compare=False, repr=False)
    # Values derived from the model on first use and shared by rules (railcheck.derived): a new, empty one
    # for every project, so a fix round or a `replace` never sees values computed from other texts.
    derived: Derived = field(init=False, compare=False, repr=False)
    # How many services discovery found; more than len(services) when MAX_SERVICES cut the list (RC007).
    discovered: int = 0
    # Railway's infrastructure-as-code file at the repository root, when there is one and it parsed.
    iac: IacDocument | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", Derived(self))  # frozen: the one assignment, at construction

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    @property
    def observed(self) -> dict[str, Stamp | None]:
        """What checks have looked at in the repository so far, with stamps (`Repository.observed`), for the cache."""
        return dict(self.repository.observed) if self.repository is not None else {}


IAC_FILES = (PurePosixPath(".railway/railway.py"), PurePosixPath(".railway/railway.ts"))


@dataclass(frozen=True, slots=True, eq=False)
class IacDocument:
    """The parsed IaC file: where it is, its text (for positions) and what it declares."""

    path: PurePosixPath
    text: str
    lines: LineIndex
    file: IacFile

    def span(self, start: int, end: int) -> Span:
        return self.lines.span(start, end)


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


def may_read(path: PurePosixPath, config: Config) -> bool:
    """Whether a check may read `path` (or look at its presence): the names and shapes railcheck.watched
    lists for the pre-commit hooks, the IaC files, and the configured sync files."""
    import re

    from railcheck.watched import NAME_PATTERNS, watched_names, watched_paths

    name = path.name
    if (
        name in watched_names()
        or str(path) in watched_paths()
        or any(re.fullmatch(pattern, name) for pattern in NAME_PATTERNS)
    ):
        return True
    return any(path == source or path in copies for source, copies in config.sync)


def discover(root: Path, config: Config, targets: Iterable[PurePosixPath] = (PurePosixPath("."),)) -> Plan:
    """Find the services under `targets` (repo-relative folders or files), without reading any file."""
    loader = _Loader(root.resolve(), config, {})
    return loader.plan(tuple(targets))


def load_project(
    root: Path,
    config: Config,
    targets: Iterable[PurePosixPath] = (PurePosixPath("."),),
    overlay: Mapping[PurePosixPath, str] | None = None,
    *,
    plan: Plan | None = None,
    parse: bool = True,
) -> Project:
    """Discover the services under `targets` (or load the ones `plan` names) and load them. Never raises on bad files.

    `overlay` gives texts that replace (or add) files, as the fixer sees them before writing. With `parse`
    False, only the layout is built: config files are neither read nor parsed, and rules that need a file
    read it through the repository (the repository-wide rules of a parallel run).
    """
    loader = _Loader(root.resolve(), config, overlay or {}, parse=parse)
    plan = plan or loader.plan(tuple(targets))
    services = [loader.declared_service(declaration) for declaration in plan.declarations]
    services += [loader.iac_service(name) for name in plan.iac_services]
    services += [loader.discovered_service(folder) for folder in plan.folders]
    services += [loader.named_railpack_service(root, path) for root, path in plan.named_railpack]
    services.sort(key=lambda service: (str(service.root), service.name))
    for folder, reason in plan.unlisted:
        loader.problems.append(
            FileProblem(
                folder,
                f"cannot be listed ({reason}): the services inside this folder are not checked",
                help="Make the folder readable (or its path shorter), or exclude it (`exclude` in railcheck.toml).",
            )
        )
    for service in services if parse else ():
        # Read the root-level files Railpack consults now, so their problems are reported with the rest.
        present = loader.repository.listdir(service.root)
        for name in (name for name in SERVICE_FILES if name in present):
            if name.endswith(".toml") or name == "Pipfile":
                loader.parse_toml_file(service.root / name)  # a broken pyproject.toml is reported (RC001)
            else:
                loader.repository.read(service.root / name)
        for name in present:
            if name.startswith("requirements") and name.endswith(".txt"):
                loader.repository.read(service.root / name)
    for source, copies in config.sync:
        for path in (source, *copies):
            loader.repository.read(path)
    return Project(
        loader.root,
        config,
        tuple(services),
        tuple(loader.problems),
        loader.texts,
        loader.repository,
        discovered=max(plan.discovered, len(services)),
        iac=loader.iac,
    )


def _literal_variables(call: IacService) -> dict[str, str]:
    """The service's variables that are literal strings in the IaC file."""
    value = call.settings.get("variables")
    if value is None or not isinstance(value.value, dict):
        return {}
    return {key: item for key, item in value.value.items() if isinstance(key, str) and isinstance(item, str)}


def _iac_railway_config(call: IacService) -> PurePosixPath | None:
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
    config = _join(root, declaration.railpack_config) if declaration.railpack_config else None
    return _within(target, root) or _within(root, target) or target == config


def _claimed_config_dirs(declarations: Iterable[ServiceDeclaration]) -> set[PurePosixPath]:
    """Folders whose config files belong to a declared service rooted elsewhere, so they are not services."""
    claimed = set()
    for declaration in declarations:
        if declaration.railpack_config:
            claimed.add(_join(declaration.root, declaration.railpack_config).parent)
        if declaration.railway_config:
            claimed.add(PurePosixPath(declaration.railway_config.lstrip("/")).parent)
    claimed.discard(PurePosixPath("."))
    return claimed


def _join(root: PurePosixPath, relative: str) -> PurePosixPath:
    # Railpack joins RAILPACK_CONFIG_FILE onto the source dir, so a leading "/" is still relative to the root.
    return PurePosixPath(os.path.normpath(root / relative.lstrip("/")))


def _within(path: PurePosixPath, folder: PurePosixPath) -> bool:
    return str(folder) == "." or path == folder or folder in path.parents


class _Loader:
    def __init__(self, root: Path, config: Config, overlay: Mapping[PurePosixPath, str], parse: bool = True) -> None:
        self.root = root
        self.config = config
        self.parse = parse
        self.repository = Repository(root, overlay)
        self.problems = self.repository.problems
        self.texts = self.repository.texts
        self._ignore = _IgnoreRules(root, config)
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
                self.problems.append(
                    FileProblem(path, parsed.message, LineIndex(text).span(parsed.start, max(parsed.start, parsed.end)))
                )
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

    # --- discovery -----------------------------------------------------------------------------

    def plan(self, targets: tuple[PurePosixPath, ...]) -> Plan:
        declared = {declaration.root: declaration for declaration in self.config.services}
        claimed = _claimed_config_dirs(self.config.services)
        folders: set[PurePosixPath] = set()
        for target in targets:
            found = set(self.service_folders(target))
            inside = Path(os.path.realpath(self.root / target)).is_relative_to(self.root)
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
            config_file = _literal_variables(call).get("RAILPACK_CONFIG_FILE")
            if call.name in iac and config_file:
                # Its railpack.json sits in another folder, which is therefore not a service of its own.
                claimed.add(_join(iac[call.name], config_file).parent)
            railway_config = _iac_railway_config(call)
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
            targets, claimed_files={_join(d.root, d.railpack_config) for d in self.config.services if d.railpack_config}
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
            if not Path(os.path.realpath(self.root / target)).is_relative_to(self.root):
                continue  # a link out of the repository is never followed
            root = next(
                (folder for folder in (target.parent, *target.parent.parents) if self._is_service_folder(folder)),
                target.parent,
            )
            found.append((root, target))
        return tuple(dict.fromkeys(found))

    def service_folders(self, target: PurePosixPath) -> Iterator[PurePosixPath]:
        """Service folders for one target: every one below a directory, and the nearest one above it."""
        absolute = self.root / target
        is_dir = os.path.isdir(absolute)  # False, not an error, below a folder that may not be searched
        folder = target if is_dir else target.parent
        if not Path(os.path.realpath(self.root / folder)).is_relative_to(self.root):
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
        # Each folder carries the ignore files of the folders above it, so a folder's own .gitignore is read
        # only when its listing shows one, and a repository without any costs no pattern matching at all.
        stack = [(start, self._ignore.specs_above(start))]
        while stack:
            folder, specs = stack.pop()
            try:
                entries = list(os.scandir(self.root / folder))
            except FileNotFoundError:
                continue  # removed while the run walked
            except OSError as error:
                self.unlisted[folder] = error.strerror or type(error).__name__
                continue
            names = {entry.name for entry in entries}
            if any(marker in names for marker in SERVICE_MARKERS):
                yield folder
            if ".gitignore" in names:
                specs = self._ignore.with_spec_of(folder, specs)
            for entry in entries:
                # follow_symlinks=False: a linked folder is never entered, so no loop and no escape.
                if entry.name in SKIPPED_DIRS or not entry.is_dir(follow_symlinks=False):
                    continue
                child = folder / entry.name if str(folder) != "." else PurePosixPath(entry.name)
                if not self._ignore.ignored(child, specs):
                    stack.append((child, specs))

    def _is_service_folder(self, folder: PurePosixPath) -> bool:
        # A config given only as text (an editor's unsaved new file, standard input) makes a service too.
        return any(
            os.path.lexists(self.root / folder / marker) or folder / marker in self.repository.overlay
            for marker in SERVICE_MARKERS
        )

    # --- services ------------------------------------------------------------------------------

    def discovered_service(self, folder: PurePosixPath) -> Service:
        has_railpack = (
            os.path.lexists(self.root / folder / RAILPACK_FILE) or folder / RAILPACK_FILE in self.repository.overlay
        )
        source = "the folder holding railpack.json" if has_railpack else "the folder holding its Railway config"
        railway, ignored = self._railway_in(folder)
        return Service(
            name=str(folder),
            root=folder,
            root_source=source,
            railpack_path=folder / RAILPACK_FILE,
            railpack=self._document(folder / RAILPACK_FILE, jwcc=True),
            railway=railway,
            railway_ignored=ignored,
        )

    def named_railpack_service(self, root: PurePosixPath, path: PurePosixPath) -> Service:
        railway, ignored = self._railway_in(root)
        return Service(
            name=str(path),
            root=root,
            root_source=f"the service folder holding {path.name}, named on the command line",
            railpack_path=path,
            railpack=self._document(path, jwcc=True),
            railway=railway,
            railway_ignored=ignored,
            railpack_declared=True,
        )

    def iac_service(self, name: str) -> Service:
        assert self.iac is not None
        call = next(service for service in self.iac.file.services if service.name == name)
        root = self.iac_roots()[name]
        variables = _literal_variables(call)
        config_file = variables.get("RAILPACK_CONFIG_FILE")
        railpack_path = _join(root, config_file) if config_file else root / RAILPACK_FILE
        elsewhere = self.built_elsewhere().get(name)
        railway, ignored = self._railway_in(root) if elsewhere is None else (None, None)
        railway_config = _iac_railway_config(call)
        if railway_config is not None and elsewhere is None:  # Railway reads the file `configFile` names
            railway, ignored = self._document(railway_config, jwcc=False), None
        return Service(
            name=name,
            root=root,
            root_source=f'`service("{name}")` in {self.iac.path}',
            railpack_path=railpack_path,
            # Built elsewhere: the repository's config files at its (nominal) root are not its own.
            railpack=self._document(railpack_path, jwcc=True) if elsewhere is None else None,
            railway=railway,
            railway_ignored=ignored,
            railpack_declared=config_file is not None,
            missing=(railpack_path,) if config_file and elsewhere is None and not self._exists(railpack_path) else (),
            variables=tuple(sorted(variables.items())),
            iac=call,
            built_elsewhere=elsewhere,
        )

    def declared_service(self, declaration: ServiceDeclaration) -> Service:
        railpack_path = _join(declaration.root, declaration.railpack_config or RAILPACK_FILE)
        missing = []
        if declaration.railpack_config and not self._exists(railpack_path):
            missing.append(railpack_path)
        if declaration.railway_config:
            railway_path = PurePosixPath(declaration.railway_config.lstrip("/"))
            if not self._exists(railway_path):
                missing.append(railway_path)
            railway = self._document(railway_path, jwcc=False)
            ignored = None
        else:
            railway, ignored = self._railway_in(declaration.root)
        return Service(
            name=declaration.name,
            root=declaration.root,
            root_source=f"declared in {self.config.source or 'the configuration'}",
            railpack_path=railpack_path,
            railpack=self._document(railpack_path, jwcc=True),
            railway=railway,
            railway_ignored=ignored,
            railpack_declared=declaration.railpack_config is not None,
            missing=tuple(missing),
            variables=tuple(sorted(declaration.variables.items())),
        )

    def _exists(self, path: PurePosixPath) -> bool:
        return self.repository.exists(path)

    def _railway_in(self, folder: PurePosixPath) -> tuple[Document | None, Document | None]:
        toml = self._document(folder / "railway.toml", jwcc=False)
        json_document = self._document(folder / "railway.json", jwcc=False)
        if toml is not None:
            return toml, json_document
        return json_document, None

    # --- reading -------------------------------------------------------------------------------

    def parse_toml_file(self, path: PurePosixPath) -> None:
        """Read a TOML file of the service and record a FileProblem when it does not parse."""
        text = self.repository.read(path)
        if text is None or not self.parse:
            return
        parsed = parse_toml(text, path)
        if isinstance(parsed, ParseFailure):
            self.problems.append(
                FileProblem(path, parsed.message, LineIndex(text).span(parsed.start, max(parsed.start, parsed.end)))
            )

    def _document(self, path: PurePosixPath, *, jwcc: bool) -> Document | None:
        """Read and parse one config file; None when absent or broken (a FileProblem says why)."""
        if not self.parse:
            return None
        text = self.repository.read(path)
        if text is None:
            return None
        parsed = parse_toml(text, path) if path.suffix == ".toml" else parse_json(text, path, jwcc=jwcc)
        if isinstance(parsed, ParseFailure):
            span = LineIndex(text).span(parsed.start, max(parsed.start, parsed.end))
            self.problems.append(FileProblem(path, parsed.message, span))
            return None
        return parsed


# The ignore files that apply below a folder: (folder holding the .gitignore, its patterns), outermost first.
_Specs = tuple[tuple[str, Any], ...]


class _IgnoreRules:
    """`.gitignore` files (the root's and nested ones), git's own exclude files (railcheck/git_excludes.py)
    and the configured `exclude` patterns."""

    def __init__(self, root: Path, config: Config) -> None:
        from railcheck.git_excludes import git_exclude_specs

        self._root = root
        self._exclude = (
            config_spec(config.exclude, "exclude", str(config.source), config.text) if config.exclude else None
        )
        self._git_excludes = git_exclude_specs(root)

    def specs_above(self, folder: PurePosixPath) -> _Specs:
        """The ignore files of the folders strictly above `folder` (where a walk starting at it begins)."""
        specs: _Specs = self._git_excludes
        for base in reversed(folder.parents):
            specs = self.with_spec_of(base, specs)
        return specs

    def with_spec_of(self, folder: PurePosixPath, specs: _Specs) -> _Specs:
        """`specs` and the patterns of `folder`'s .gitignore, when it has a readable one (a pipe is not read)."""
        data = read_regular_file(self._root / folder / ".gitignore")
        if data is None:
            return specs
        return (*specs, (str(folder), gitignore_spec(data.decode("utf-8", errors="replace").splitlines())))

    def ignored(self, folder: PurePosixPath, specs: _Specs) -> bool:
        """Whether `folder` is excluded by configuration or by one of `specs` (the ignore files above it)."""
        relative = f"{folder}/"
        if self._exclude is not None and self._exclude.match_file(relative):
            return True
        # As git decides: the deepest ignore file with a pattern matching the folder (its last such pattern,
        # `!` ones re-including) wins, then shallower ones, then git's exclude files (`specs` is outermost
        # first). Each ignore file's patterns are relative to the folder holding it.
        for base, spec in reversed(specs):
            verdict = spec.check_file(relative if base == "." else relative[len(base) + 1 :]).include
            if verdict is not None:
                return bool(verdict)
        return False
