"""Which builder Railway uses for a service and why (what a Dockerfile build's image holds: railcheck.image).

Resolution follows Railway (docs/railpack-facts.md, "Builders"): an explicit `build.builder` in the
Railway config or in the IaC file's `build` object (any letter case) decides; without one,
`dockerfilePath` or the `RAILWAY_DOCKERFILE_PATH` variable selects that Dockerfile, else a file named
exactly `Dockerfile` at the root of the root directory; else Railpack. Another builder set beside a
`Dockerfile` stays undecided (see UNDECIDED). Computed once per service and kept in `Project.derived`;
reads only through `project.repository`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.origins import Origin

if TYPE_CHECKING:
    # Types only: what a Dockerfile build holds is read when a service has a Dockerfile (start-up time of
    # every pre-commit run).
    from railcheck.image import Image
    from railcheck.model import Project, Service

RAILPACK, DOCKERFILE, NIXPACKS = "railpack", "dockerfile", "nixpacks"
BUILDERS = frozenset({RAILPACK, DOCKERFILE, NIXPACKS})
# `builder = "RAILPACK"` (or "NIXPACKS") beside a `Dockerfile`: Railway's docs say the Dockerfile always
# wins, deployments are reported both ways. No rule about one builder's semantics runs for such a service
# (DF005 says why).
UNDECIDED = "undecided"
DOCKERFILE_NAME = "Dockerfile"  # detection is by this exact name, capital D (builds/dockerfiles.md)
_EXPLICIT = {"RAILPACK": RAILPACK, "DOCKERFILE": DOCKERFILE, "NIXPACKS": NIXPACKS}


@dataclass(frozen=True, slots=True)
class Build:
    """The builder of one service and what decided it. `dockerfile` is the repo path Railway reads (None
    unless the builder is a Dockerfile); `requested` is a `dockerfilePath`/`RAILWAY_DOCKERFILE_PATH` value
    as written, with its origin, whether or not a file exists there."""

    builder: str
    origin: Origin
    dockerfile: PurePosixPath | None = None
    requested: tuple[str, Origin] | None = None
    # A `Dockerfile` at the root directory that an explicit `builder` tries to set aside.
    ignored_dockerfile: PurePosixPath | None = None


def build_of(service: Service, project: Project) -> Build:
    """How Railway builds `service`, computed once per project."""
    return project.derived.build(service)


def builds_with(service: Service, project: Project) -> str:
    return project.derived.build(service).builder


def _setting(service: Service, project: Project, pointer: str) -> tuple[str, Origin] | None:
    """A `build` setting from the Railway config, else from the service's `build` object in the IaC file."""
    document = service.railway
    value = document.get(pointer) if document is not None else None
    if document is not None and isinstance(value, str) and value.strip():
        return value, Origin(
            f"`{pointer[1:].replace('/', '.')}` in {document.path}", document.path, document.value_span(pointer)
        )
    name = pointer.rsplit("/", 1)[-1]
    written = service.iac.settings.get(name) if service.iac is not None else None
    iac = project.iac
    if written is None or iac is None or not isinstance(written.value, str) or not written.value.strip():
        return None
    return written.value, Origin(
        f'`build.{name}` of `service("{service.name}")` in {iac.path}', iac.path, iac.span(written.start, written.end)
    )


def resolve_build(service: Service, project: Project) -> Build:
    """Decide how Railway builds `service`; `Project.derived` calls it once per service."""
    repository = project.repository
    # The listing is a short tuple kept by the repository: asked directly, not copied into a set per service.
    detected = (
        service.root / DOCKERFILE_NAME
        if repository is not None
        and DOCKERFILE_NAME in repository.listdir(service.root)
        and repository.is_file(service.root / DOCKERFILE_NAME)
        else None
    )
    requested = _setting(service, project, "/build/dockerfilePath")
    if requested is None and service.variable("RAILWAY_DOCKERFILE_PATH"):
        requested = (
            service.variable("RAILWAY_DOCKERFILE_PATH") or "",
            Origin("RAILWAY_DOCKERFILE_PATH (declared service variable)"),
        )
    explicit = _setting(service, project, "/build/builder")
    builder = _EXPLICIT.get(explicit[0].strip().upper()) if explicit else None
    if explicit is not None and builder is not None:
        origin = Origin(f'{explicit[1].label} = "{explicit[0]}"', explicit[1].path, explicit[1].span)
        if builder != DOCKERFILE:
            # The docs say a detected Dockerfile wins over any builder setting (Nixpacks included).
            return Build(
                UNDECIDED if detected is not None else builder, origin, requested=requested, ignored_dockerfile=detected
            )
        return Build(DOCKERFILE, origin, dockerfile_path(service, requested) if requested else detected, requested)
    if requested is not None:
        return Build(DOCKERFILE, requested[1], dockerfile_path(service, requested), requested)
    if detected is not None:
        return Build(
            DOCKERFILE,
            Origin("a `Dockerfile` at the root directory, which Railway uses automatically", detected),
            detected,
        )
    return Build(RAILPACK, Origin("Railway's default builder"))


def dockerfile_path(service: Service, requested: tuple[str, Origin]) -> PurePosixPath | None:
    """The repo path `dockerfilePath` names, inside the root directory (a leading `/` is still relative to
    it); None when it climbs out of the root directory."""
    normal = posixpath.normpath(requested[0].strip().lstrip("/") or ".")
    if normal == ".." or normal.startswith("../"):
        return None
    return service.root if normal == "." else service.root / normal


def image_of(service: Service, project: Project) -> Image | None:
    """The image a Dockerfile build produces; None for other builders or when the Dockerfile cannot be read."""
    return project.derived.image(service)


def resolve_image(service: Service, project: Project) -> Image | None:
    """Read the image of a Dockerfile build; `Project.derived` calls it once per service."""
    build = build_of(service, project)
    if build.builder != DOCKERFILE or build.dockerfile is None:
        return None
    from railcheck.image import read_image  # Dockerfile services only (start-up time)

    return read_image(build.dockerfile, service, project)
