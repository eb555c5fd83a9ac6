"""Loading: read the files of the services discovery found into the immutable model, once per run or fix round.

The only module that reads the config files railcheck checks, but the IaC file discovery reads (through a
`Repository`, so fix rounds see the fixer's texts). Rules receive the Project and never touch the file
system. Unreadable or unparseable files become FileProblems, never exceptions. The model is
railcheck/model.py, discovery railcheck/discovery.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from railcheck.config import Config, ServiceDeclaration
from railcheck.discovery import Discovery, Plan, iac_railway_config, join_config_path, literal_variables
from railcheck.layout import RAILPACK_FILE, SERVICE_FILES
from railcheck.model import Project, Service
from railcheck.repository import FileProblem, Repository
from railcheck.sources.jsonc import parse_json
from railcheck.sources.text import Document, ParseFailure
from railcheck.sources.toml import parse_toml


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
    resolved = root.resolve()
    discovery = Discovery(resolved, config, Repository(resolved, overlay or {}))
    loader = _Loader(discovery, parse=parse)
    plan = plan or discovery.plan(tuple(targets))
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


class _Loader:
    """Builds each service of a plan and reads its config files; problems go to the repository's list."""

    def __init__(self, discovery: Discovery, parse: bool = True) -> None:
        self.discovery = discovery
        self.root = discovery.root
        self.config = discovery.config
        self.parse = parse
        self.repository = discovery.repository
        self.problems = self.repository.problems
        self.texts = self.repository.texts
        self.iac = discovery.iac

    def discovered_service(self, folder: PurePosixPath) -> Service:
        # Joined once, and to the root as text: path objects cost more to join than the one lstat they name.
        railpack_path = folder / RAILPACK_FILE
        has_railpack = os.path.lexists(f"{self.root}/{railpack_path}") or railpack_path in self.repository.overlay
        source = "the folder holding railpack.json" if has_railpack else "the folder holding its Railway config"
        railway, ignored = self._railway_in(folder)
        return Service(
            name=str(folder),
            root=folder,
            root_source=source,
            railpack_path=railpack_path,
            railpack=self._document(railpack_path, jwcc=True),
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
        root = self.discovery.iac_roots()[name]
        variables = literal_variables(call)
        config_file = variables.get("RAILPACK_CONFIG_FILE")
        railpack_path = join_config_path(root, config_file) if config_file else root / RAILPACK_FILE
        elsewhere = self.discovery.built_elsewhere().get(name)
        railway, ignored = self._railway_in(root) if elsewhere is None else (None, None)
        railway_config = iac_railway_config(call)
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
        railpack_path = join_config_path(declaration.root, declaration.railpack_config or RAILPACK_FILE)
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
            self.problems.append(FileProblem.unparsed(path, text, parsed))

    def _document(self, path: PurePosixPath, *, jwcc: bool) -> Document | None:
        """Read and parse one config file; None when absent or broken (a FileProblem says why)."""
        if not self.parse:
            return None
        text = self.repository.read(path)
        if text is None:
            return None
        parsed = parse_toml(text, path) if path.suffix == ".toml" else parse_json(text, path, jwcc=jwcc)
        if isinstance(parsed, ParseFailure):
            self.problems.append(FileProblem.unparsed(path, text, parsed))
            return None
        return parsed
