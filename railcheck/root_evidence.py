"""Whether a service's root directory is in doubt, and so whether path checks can trust it.

`root_evidence` collects signs that a config was written for another root directory than the one railcheck
inferred (SV003 reports them); `paths_checkable` is the precondition of every rule that resolves paths.
This sits above the facts, the builder, the image model and build outputs, since it weighs all of them;
none of them imports it. Computed once per service and kept in `Project.derived`; reads only through
`project.repository`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.facts import command_servers, facts, script
from railcheck.layout import SKIPPED_DIRS
from railcheck.sources.shell import ShellScript

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.repository import Repository
    from railcheck.servers import Server


def root_evidence(service: Service, project: Project) -> tuple[str, ...]:
    """Signs that the service's config was written for the repository root rather than the folder railcheck
    inferred as its root directory. Empty when the root was declared or nothing points elsewhere."""
    return project.derived.root_evidence(service)


def find_root_evidence(service: Service, project: Project) -> tuple[str, ...]:
    """Find `root_evidence`; `Project.derived` calls it once per service."""
    from railcheck.modules import find_module, search_bases

    evidence: list[str] = []
    repository = project.repository
    declared = service.root_source.startswith("declared")
    if not declared and str(service.root) != "." and repository is not None:
        dotted = ".".join(service.root.parts) + "."
        in_image = f"/app/{service.root}"
        for command in facts(service, project).commands:
            written = _first_root_path(command.text, in_image)
            # The folder itself is no sign when the root directory holds a folder of that name (`api/api/`).
            if written is not None and not (written == in_image and repository.is_dir(service.root / service.root)):
                evidence.append(f"{command.origin.label} uses {written}, a path from the repository root")
            if command.kind != "start":
                continue
            for server in command_servers(command):
                module = server.module
                if (
                    module
                    and module.startswith(dotted)
                    and find_module(repository, search_bases(service.root, server.cwd, (), ()), module) is None
                ) and find_module(repository, [PurePosixPath(".")], module) is not None:
                    evidence.append(
                        f"{command.origin.label} imports `{module}`, which resolves only from the repository root"
                    )
        evidence += _dockerfile_root_evidence(service, project)
        from railcheck.build_outputs import created_by_build
        from railcheck.root_paths import root_only_paths

        parsed = (
            (command, found)
            for command in facts(service, project).commands
            if isinstance(found := script(command), ShellScript)
        )
        evidence += root_only_paths(
            repository, service.root, parsed, lambda path: created_by_build(service, project, path) is not None
        )
        variables = service.railpack.get("/deploy/variables/PYTHONPATH") if service.railpack is not None else None
        if isinstance(variables, str) and f"/app/{service.root}" in variables:
            evidence.append(
                f"PYTHONPATH in railpack.json lists /app/{service.root}, a folder only a repository-root build has"
            )
    elif str(service.root) == "." and service.root_source.startswith("the folder holding"):
        evidence += subfolder_roots(service, project)[0]
    return tuple(dict.fromkeys(evidence))


def _first_root_path(text: str, in_image: str) -> str | None:
    """How `text` writes the root directory's own folder as the image would hold it from a repository-root
    build: `/app/api/...` for a path into it, `/app/api` for the folder itself (`cd /app/api`,
    `PYTHONPATH=/app/api`, `--app-dir /app/api`); None when it does not (`/app/api2`, `/app/api.py`)."""
    start = text.find(in_image)
    while start != -1:
        end = start + len(in_image)
        following = text[end : end + 1]
        if following == "/":
            return f"{in_image}/..."
        if not following or not (following.isalnum() or following in "._-"):
            return in_image  # the name ends here: the folder itself
        start = text.find(in_image, end)
    return None


def subfolder_roots(service: Service, project: Project) -> tuple[tuple[str, ...], tuple[PurePosixPath, ...]]:
    """For a config discovered at the repository root: start targets that do not exist from there but do
    from one or two folders down, as when the config belongs to a service whose root directory is that
    folder (Railway reads a repository-root config for it). Returns the evidence and those folders."""
    return project.derived.subfolder_roots(service)


def find_subfolder_roots(service: Service, project: Project) -> tuple[tuple[str, ...], tuple[PurePosixPath, ...]]:
    """Find `subfolder_roots`; `Project.derived` calls it once per service."""
    repository = project.repository
    if repository is None or not _layout_is_root_directory(service, project):
        return (), ()
    evidence: list[str] = []
    folders: list[PurePosixPath] = []
    candidates: tuple[PurePosixPath, ...] | None = None  # listed only when a target is missing
    for command in facts(service, project).start_commands:
        for server in command_servers(command):
            if (server.module is None and server.kind != "python file") or _target_exists(
                repository, PurePosixPath("."), server
            ):
                continue
            if candidates is None:
                candidates = project.derived.folders_below_root()
            matching = [folder for folder in candidates if _target_exists(repository, folder, server)]
            if matching:
                what = (
                    f"imports `{server.module}`"
                    if server.module is not None
                    else f"runs `{server.target.text if server.target else ''}`"
                )
                evidence.append(
                    f"{command.origin.label} {what}, which exists only from"
                    f" {', '.join(f'{folder}/' for folder in matching[:3])}"
                )
                folders += [folder for folder in matching if folder not in folders]
    dockerfile_folders = _subfolders_with_dockerfile(service, project)
    if dockerfile_folders:
        from railcheck.builder import build_of

        evidence.append(
            f"{build_of(service, project).origin.label} selects a Dockerfile build, which finds no `Dockerfile` at the"
            f" repository root but one in {', '.join(f'{folder}/' for folder in dockerfile_folders[:3])}"
        )
        folders += [folder for folder in dockerfile_folders if folder not in folders]
    return tuple(evidence), tuple(folders)


def _subfolders_with_dockerfile(service: Service, project: Project) -> list[PurePosixPath]:
    """For a repository-root config whose `builder = "DOCKERFILE"` finds no Dockerfile there (and names no
    `dockerfilePath`): the folders one or two levels down that hold one, as when the config belongs to the
    service built there (Railway reads a repository-root config for a subfolder service too)."""
    from railcheck.builder import DOCKERFILE, DOCKERFILE_NAME, build_of

    build = build_of(service, project)
    repository = project.repository
    if build.builder != DOCKERFILE or build.requested is not None or build.dockerfile is not None or repository is None:
        return []
    return [folder for folder in project.derived.folders_below_root() if repository.is_file(folder / DOCKERFILE_NAME)]


def _layout_is_root_directory(service: Service, project: Project) -> bool:
    """Whether the running image holds the root directory at /app, so a start target missing from it would
    be found from another root directory. False for a readable Dockerfile whose layout is not modelled (`WORKDIR
    /app/site` after `COPY . .`) or that copies a subfolder to /app (`COPY apps/api/src/ ./src/`): its
    paths were written for the context it copies from, not for a different root directory."""
    from railcheck.builder import DOCKERFILE, builds_with

    if builds_with(service, project) != DOCKERFILE:
        return True
    from railcheck.builder import image_of

    image = image_of(service, project)
    # No readable Dockerfile (DF004's case): nothing says what the image holds, and the config's paths are
    # the evidence left.
    return image is None or image.app_root == service.root


def _target_exists(repository: Repository, root: PurePosixPath, server: Server) -> bool:
    """Whether the server's module or script exists when `root` is the root directory (unknown counts as yes)."""
    from railcheck.modules import find_module, image_path, search_bases

    if server.module is not None:
        return (
            find_module(repository, search_bases(root, server.cwd, server.search_dirs, ()), server.module) is not None
        )
    target = server.target
    path = image_path(root, server.cwd, target.text) if target is not None and target.static else None
    return path is None or repository.is_file(path)


def list_folders_below_root(project: Project) -> tuple[PurePosixPath, ...]:
    """Folders one and two levels below the repository root, without hidden and dependency folders;
    `Project.derived` lists them once per run (every repository-root service may ask twice)."""
    repository = project.repository
    assert repository is not None
    found = []
    for name in repository.listdir(PurePosixPath(".")):
        folder = PurePosixPath(name)
        if name.startswith(".") or name in SKIPPED_DIRS or not repository.is_dir(folder):
            continue
        found.append(folder)
        found += [
            folder / child
            for child in repository.listdir(folder)
            if not child.startswith(".") and child not in SKIPPED_DIRS and repository.is_dir(folder / child)
        ]
    return tuple(found)


def _dockerfile_root_evidence(service: Service, project: Project) -> list[str]:
    """A Dockerfile whose build-context paths exist only from the repository root was written for that context."""
    from railcheck.builder import image_of

    image = image_of(service, project)
    repository = project.repository
    if image is None or repository is None:
        return []
    from railcheck.image import context_sources  # with the image: Dockerfile services only

    missing = [
        (instruction, word, path)
        for instruction, word, path in context_sources(image)
        if not repository.exists(service.root / path)
    ]
    # One source the repository root holds is the sign; sources missing under both readings stay DF002.
    for instruction, word, path in missing:
        if repository.exists(PurePosixPath(path)):
            return [
                f"`{instruction.keyword} {word.text}` in {image.path} names a path that exists only from the repository"
                " root"
            ]
    return []


def root_readings(service: Service, project: Project) -> tuple[PurePosixPath, ...]:
    """The other root directories the service may have when its root is in doubt (SV003): the repository
    root for a subfolder, the folders the start targets point at for the repository root. Empty otherwise."""
    if not root_evidence(service, project):
        return ()
    if str(service.root) != ".":
        return (PurePosixPath("."),)
    return subfolder_roots(service, project)[1]


def paths_checkable(service: Service, project: Project) -> bool:
    """Whether path and module checks make sense for the service: its root directory is known (not
    ambiguous, SV003) and exists (IC001), its builder is known (DF005), and a Dockerfile build puts the
    whole root directory at `/app`. Rules that resolve paths skip the service otherwise, so one finding
    explains the cause instead of a cascade of "not found". Decided once per service (`Project.derived`)."""
    return project.derived.paths_checkable(service)


def decide_paths_checkable(service: Service, project: Project) -> bool:
    """Decide `paths_checkable`; `Project.derived` calls it once per service."""
    if root_evidence(service, project) or project.repository is None or not project.repository.is_dir(service.root):
        return False
    from railcheck.builder import DOCKERFILE, builds_with, image_of

    builder = builds_with(service, project)
    if builder != DOCKERFILE:
        return builder in ("railpack", "nixpacks")  # an undecided builder leaves the layout unknown
    # A Dockerfile image matches the `/app` model only when one repository folder is what it holds at /app
    # (`app_root`); other layouts are not modelled, and an unknown layout must not produce "not found".
    image = image_of(service, project)
    return image is not None and image.app_root is not None
