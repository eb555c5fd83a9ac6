"""The model rules see: a `Service` (its root directory and config documents) and the `Project` (every
service of one repository, the texts read, the read-only repository view, the IaC file).

Plain frozen data without I/O: discovery (railcheck/discovery.py) finds the services, loading
(railcheck/project.py) reads their files into these types, and rules only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from railcheck.config import Config
from railcheck.files import Stamp
from railcheck.sources.text import Document, LineIndex
from railcheck.types import Span

if TYPE_CHECKING:
    from railcheck.derived import Derived
    from railcheck.repository import FileProblem, Repository
    from railcheck.sources.iac import IacFile, IacService


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
        from railcheck.derived import Derived  # the layer above the model: it computes from the model

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


@dataclass(frozen=True, slots=True, eq=False)
class IacDocument:
    """The parsed IaC file: where it is, its text (for positions) and what it declares."""

    path: PurePosixPath
    text: str
    lines: LineIndex
    file: IacFile

    def span(self, start: int, end: int) -> Span:
        return self.lines.span(start, end)
