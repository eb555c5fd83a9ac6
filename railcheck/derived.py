"""Values derived from one loaded Project, each computed on first use and kept for the project's lifetime.

Owns the one place where derived values live: a typed table per value, and a named method that computes the
value on first use (laziness keeps a pre-commit run of one service fast) and returns the kept one afterwards.
The computations themselves live with their subject (`facts.py`, `builder.py`, `watchpaths.py`, ...); their
modules are imported on the first miss, so a run pays only for the values its rules ask for. Rules read
parsed and resolved values here and never parse text themselves.

Per-service tables are keyed by `id(service)`: names and roots can repeat (a declared service may share both
with a discovered one), and the services live as long as the project that holds this object.
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import PathSpec

    from railcheck.builder import Build
    from railcheck.facts import ServiceFacts, StartModule
    from railcheck.image import Image
    from railcheck.model import Project, Service
    from railcheck.plan import StepItem, StepPlan
    from railcheck.routes import UnservedHealthChecks
    from railcheck.sources.django_settings import LiteralSetting
    from railcheck.sources.pymodule import ModuleInfo
    from railcheck.sources.requirements import RequirementsFile
    from railcheck.sources.text import ParseFailure
    from railcheck.sources.watch import WatchPattern
    from railcheck.watchpaths import Consumed, WatchList

# A folder's files as a listing gives them (repo-relative strings), and whether the listing is complete.
Listing = tuple[list[str], bool]
# Evidence that a repository-root config belongs to a subfolder's service, and those folders.
SubfolderRoots = tuple[tuple[str, ...], tuple[PurePosixPath, ...]]


class Derived:
    """The derived values of one Project, by name; see each method for what it computes and where."""

    __slots__ = (
        "_build",
        "_build_writes",
        "_consumed",
        "_declared_dependencies",
        "_django_settings",
        "_facts",
        "_file_matches",
        "_folders_below_root",
        "_gitignores",
        "_iac_calls",
        "_image",
        "_listings",
        "_modules",
        "_paths_checkable",
        "_project",
        "_requirement_files",
        "_requirements",
        "_root_evidence",
        "_service_calls",
        "_service_roots",
        "_start_modules",
        "_step_commands",
        "_step_plans",
        "_subfolder_roots",
        "_unserved_health_checks",
        "_watch_lists",
    )

    def __init__(self, project: Project) -> None:
        self._project = project
        self._facts: dict[int, ServiceFacts] = {}
        self._build: dict[int, Build] = {}
        self._image: dict[int, Image | None] = {}
        self._root_evidence: dict[int, tuple[str, ...]] = {}
        self._subfolder_roots: dict[int, SubfolderRoots] = {}
        self._build_writes: dict[int, dict[PurePosixPath, str]] = {}
        self._declared_dependencies: dict[int, frozenset[str] | None] = {}
        self._watch_lists: dict[int, tuple[WatchList, ...]] = {}
        self._consumed: dict[int, tuple[Consumed, ...]] = {}
        self._unserved_health_checks: dict[int, UnservedHealthChecks] = {}
        self._paths_checkable: dict[int, bool] = {}
        self._requirement_files: dict[int, tuple[tuple[PurePosixPath, str], ...]] = {}
        # By the path's text: callers build a new path object per question, and a string hashes and compares
        # in C where a path object runs Python code for both.
        self._modules: dict[str, ModuleInfo | ParseFailure | None] = {}
        self._requirements: dict[str, RequirementsFile] = {}
        self._django_settings: dict[tuple[PurePosixPath, str], LiteralSetting | None] = {}
        self._gitignores: dict[PurePosixPath, PathSpec | None] = {}
        self._listings: dict[str, Listing] = {}
        self._file_matches: dict[tuple[bool, str], bool | None] = {}
        self._service_calls: dict[PurePosixPath, int | None] = {}
        self._folders_below_root: tuple[PurePosixPath, ...] | None = None
        self._service_roots: frozenset[PurePosixPath] | None = None
        self._iac_calls: Counter[tuple[int, int]] | None = None
        self._start_modules: dict[int, tuple[StartModule, ...]] = {}
        self._step_plans: dict[int, StepPlan | None] = {}
        self._step_commands: dict[int, tuple[StepItem, ...]] = {}

    # --- per service ------------------------------------------------------------------------------
    # Each lookup comes first and makes no closure: the hot ones are asked about a hundred times per service.

    def facts(self, service: Service) -> ServiceFacts:
        """The effective values Railpack and Railway use for the service, with their origins (facts.py)."""
        try:
            return self._facts[id(service)]
        except KeyError:
            from railcheck.facts import resolve_facts

            found = self._facts[id(service)] = resolve_facts(service, self._project)
            return found

    def build(self, service: Service) -> Build:
        """Which builder Railway uses for the service and what decided it (builder.py)."""
        try:
            return self._build[id(service)]
        except KeyError:
            from railcheck.builder import resolve_build

            found = self._build[id(service)] = resolve_build(service, self._project)
            return found

    def image(self, service: Service) -> Image | None:
        """The image a Dockerfile build makes; None for other builders or an unreadable Dockerfile (builder.py)."""
        try:
            return self._image[id(service)]
        except KeyError:
            from railcheck.builder import resolve_image

            found = self._image[id(service)] = resolve_image(service, self._project)
            return found

    def root_evidence(self, service: Service) -> tuple[str, ...]:
        """Signs that the service's config was written for another root directory (root_evidence.py, SV003)."""
        try:
            return self._root_evidence[id(service)]
        except KeyError:
            from railcheck.root_evidence import find_root_evidence

            found = self._root_evidence[id(service)] = find_root_evidence(service, self._project)
            return found

    def subfolder_roots(self, service: Service) -> SubfolderRoots:
        """For a repository-root config: evidence it belongs to a subfolder's service, and those folders."""
        try:
            return self._subfolder_roots[id(service)]
        except KeyError:
            from railcheck.root_evidence import find_subfolder_roots

            found = self._subfolder_roots[id(service)] = find_subfolder_roots(service, self._project)
            return found

    def paths_checkable(self, service: Service) -> bool:
        """Whether path and module checks make sense for the service: its root directory and the image's layout
        are known (root_evidence.py)."""
        try:
            return self._paths_checkable[id(service)]
        except KeyError:
            from railcheck.root_evidence import decide_paths_checkable

            found = self._paths_checkable[id(service)] = decide_paths_checkable(service, self._project)
            return found

    def requirement_files(self, service: Service) -> tuple[tuple[PurePosixPath, str], ...]:
        """The service's root-level requirements*.txt files that were read, with their texts, in name order."""
        try:
            return self._requirement_files[id(service)]
        except KeyError:
            from railcheck.facts import list_requirement_files

            found = self._requirement_files[id(service)] = list_requirement_files(service, self._project)
            return found

    def build_writes(self, service: Service) -> dict[PurePosixPath, str]:
        """Paths the install and build commands write, with the first command's label (build_outputs.py).
        Callers only read the mapping."""
        try:
            return self._build_writes[id(service)]
        except KeyError:
            from railcheck.build_outputs import find_build_writes

            found = self._build_writes[id(service)] = find_build_writes(service, self._project)
            return found

    def declared_dependencies(self, service: Service) -> frozenset[str] | None:
        """Canonical names (and `name[extra]` forms) the service's manifests declare; None when some come from
        elsewhere (dependencies.py)."""
        try:
            return self._declared_dependencies[id(service)]
        except KeyError:
            from railcheck.dependencies import find_declared_dependencies

            found = self._declared_dependencies[id(service)] = find_declared_dependencies(service, self._project)
            return found

    def watch_lists(self, service: Service) -> tuple[WatchList, ...]:
        """The service's watch-pattern lists that hold a pattern, base first (watchpaths.py)."""
        try:
            return self._watch_lists[id(service)]
        except KeyError:
            from railcheck.walk import declares_watch_patterns

            found: tuple[WatchList, ...] = ()
            # Most services declare no watch patterns: asking that first spares them importing watchpaths.py,
            # which every commit's check would pay for.
            if declares_watch_patterns(service):
                from railcheck.watchpaths import find_watch_lists

                found = find_watch_lists(service, self._project)
            self._watch_lists[id(service)] = found
            return found

    def consumed(self, service: Service) -> tuple[Consumed, ...]:
        """Files and folders inside the root directory that the service's build reads (watchpaths.py)."""
        try:
            return self._consumed[id(service)]
        except KeyError:
            from railcheck.watchpaths import find_consumed

            found = self._consumed[id(service)] = find_consumed(service, self._project)
            return found

    def unserved_health_checks(self, service: Service) -> UnservedHealthChecks:
        """The static routes of the app the effective start command serves (Django's across its URLconf), and
        the health-check paths none of them serves; (None, ()) when there is no app to read (routes.py)."""
        try:
            return self._unserved_health_checks[id(service)]
        except KeyError:
            from railcheck.routes import unserved_health_checks

            found = self._unserved_health_checks[id(service)] = unserved_health_checks(service, self._project)
            return found

    # --- per file or folder -----------------------------------------------------------------------

    def module_info(self, path: PurePosixPath) -> ModuleInfo | ParseFailure | None:
        """The static analysis (`ast`) of the Python module at `path`; None when it cannot be read."""
        key = str(path)
        try:
            return self._modules[key]
        except KeyError:
            repository = self._project.repository
            text = repository.read(path) if repository is not None else None
            found: ModuleInfo | ParseFailure | None = None
            if text is not None:
                from railcheck.sources.pymodule import analyse_module  # ast, on the first module only

                found = analyse_module(text)
            self._modules[key] = found
            return found

    def requirements(self, path: PurePosixPath) -> RequirementsFile:
        """The requirements file at `path` parsed as pip reads it; no lines when the project did not read it."""
        key = str(path)
        try:
            return self._requirements[key]
        except KeyError:
            from railcheck.sources.requirements import RequirementsFile, parse_requirements

            text = self._project.texts.get(path)
            found = self._requirements[key] = parse_requirements(text) if text is not None else RequirementsFile(())
            return found

    def django_setting(self, path: PurePosixPath, name: str) -> LiteralSetting | None:
        """The setting `name` of the Django settings module at `path`, when the file assigns it a certain literal
        list of strings; None otherwise or when it cannot be read."""
        key = (path, name)
        try:
            return self._django_settings[key]
        except KeyError:
            repository = self._project.repository
            text = repository.read(path) if repository is not None else None
            found: LiteralSetting | None = None
            if text is not None:
                from railcheck.sources.django_settings import literal_setting  # Django projects only

                found = literal_setting(text, name)
            self._django_settings[key] = found
            return found

    def gitignore(self, folder: PurePosixPath) -> PathSpec | None:
        """The patterns of `folder`'s .gitignore; None when the folder has none or it cannot be read
        (build_outputs.py)."""
        try:
            return self._gitignores[folder]
        except KeyError:
            from railcheck.build_outputs import read_gitignore

            found = self._gitignores[folder] = read_gitignore(self._project, folder)
            return found

    def listing(self, folder: str) -> Listing:
        """The files below `folder`, cut at watchpaths.LISTING_LIMIT, and whether the listing is complete."""
        try:
            return self._listings[folder]
        except KeyError:
            from railcheck.watchpaths import list_files

            found = self._listings[folder] = list_files(self._project, folder)
            return found

    def any_file_matches(self, pattern: WatchPattern) -> bool | None:
        """Whether some file of the repository matches the watch pattern; None when a cut listing gives no answer
        or the pattern names a folder railcheck never lists (watchpaths.py). Asked for a pattern and then for its
        correction, by WP001 and by the corrections: each is scanned once."""
        key = (pattern.anchored, pattern.body)
        try:
            return self._file_matches[key]
        except KeyError:
            from railcheck.watchpaths import find_matching_file

            found = self._file_matches[key] = find_matching_file(self._project, pattern)
            return found

    # --- per project ------------------------------------------------------------------------------

    def folders_below_root(self) -> tuple[PurePosixPath, ...]:
        """Folders one and two levels below the repository root, without hidden and dependency folders; every
        repository-root service may ask twice (root_evidence.py)."""
        if self._folders_below_root is None:
            from railcheck.root_evidence import list_folders_below_root

            self._folders_below_root = list_folders_below_root(self._project)
        return self._folders_below_root

    def service_roots(self) -> frozenset[PurePosixPath]:
        """Every service's root directory; built once, since asking per service made SV001 quadratic."""
        if self._service_roots is None:
            self._service_roots = frozenset(service.root for service in self._project.services)
        return self._service_roots

    def first_service_call(self) -> int | None:
        """The offset of the IaC file's first `service(...)` call as its text reads (sources/iac/mentions.py),
        for a file that yields no service (IC009); None without a call or without an IaC file."""
        iac = self._project.iac
        if iac is None:
            return None
        try:
            return self._service_calls[iac.path]
        except KeyError:
            from railcheck.sources.iac.mentions import first_service_call  # the IaC package loads only with IaC

            language = "python" if iac.path.suffix == ".py" else "typescript"
            found = self._service_calls[iac.path] = first_service_call(iac.text, language)
            return found

    def iac_calls(self) -> Counter[tuple[int, int]]:
        """How many services each `service(...)` call of the IaC file declares (more than one through a
        helper function), by the call's offsets."""
        if self._iac_calls is None:
            iac = self._project.iac
            self._iac_calls = (
                Counter((call.call_start, call.call_end) for call in iac.file.services) if iac else Counter()
            )
        return self._iac_calls

    # --- per service, asked by several rules ------------------------------------------------------

    def start_modules(self, service: Service) -> tuple[StartModule, ...]:
        """The servers of the effective start command, where the image searches their imports and the file each
        module is (facts.py); DJ001 and HC001/HC002 both start from them."""
        try:
            return self._start_modules[id(service)]
        except KeyError:
            from railcheck.facts import resolve_start_modules

            found = self._start_modules[id(service)] = resolve_start_modules(service, self._project)
            return found

    def step_plan(self, service: Service) -> StepPlan | None:
        """railpack.json's steps, deploy layers and certainly kept steps, read once for RP111 and RP112; None
        without a railpack.json object (plan.py)."""
        try:
            return self._step_plans[id(service)]
        except KeyError:
            from railcheck.plan import find_step_plan

            found = self._step_plans[id(service)] = find_step_plan(service)
            return found

    def step_commands(self, service: Service) -> tuple[StepItem, ...]:
        """Each command of each railpack.json step with its step and pointer, read once for the four RP rules
        that judge commands; () without a railpack.json object (plan.py)."""
        try:
            return self._step_commands[id(service)]
        except KeyError:
            from railcheck.plan import find_step_commands

            found = self._step_commands[id(service)] = find_step_commands(service)
            return found
