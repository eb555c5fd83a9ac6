"""What the final stage of a Dockerfile build holds, as far as the Dockerfile says statically: its working
folder, variables, the copies from the build context (and so which repository folder is /app), and its
start command. Imported only for services Railway builds from a Dockerfile (railcheck.builder decides).
Reads only through `project.repository`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.origins import INSTALLS_PROJECT, CommandText, Origin
from railcheck.sources.text import LineIndex

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.repository import Repository
    from railcheck.sources.dockerfile import Dockerfile, Instruction, Stage, Word

_PLAIN_WORD = re.compile(r"[\w@%+=:,./${}-]+")


@dataclass(frozen=True, slots=True)
class Copy:
    """A `COPY`/`ADD` from the build context: its source words and where they land in the image."""

    instruction: Instruction
    sources: tuple[str, ...]
    destination: str  # absolute in the image


@dataclass(frozen=True, slots=True)
class Image:
    """What the final stage of a Dockerfile build holds, as far as the Dockerfile says statically."""

    path: PurePosixPath
    dockerfile: Dockerfile
    lines: LineIndex
    workdir: str
    env: tuple[tuple[str, str], ...]
    copies: tuple[Copy, ...]  # from the build context only (no `--from`), in the final stage's chain
    start: CommandText | None
    start_instructions: tuple[Instruction, ...]  # the ENTRYPOINT and CMD that make up `start`
    # The repository folder the image holds at /app, when the start command runs there and every copy
    # into /app agrees with it (`COPY . .`, `COPY backend/ .`, then `COPY src/ ./src/`): `/app/x` is then
    # `<app_root>/x`, as in a Railpack image with that root. None when the layout is not modelled.
    app_root: PurePosixPath | None
    # True when a RUN installs the project itself (`pip install .`, `uv sync`, ...): its packages, a src
    # layout's included, then import from site-packages.
    installs_project: bool = False

    def variable(self, name: str) -> str | None:
        return dict(self.env).get(name)


def read_image(dockerfile: PurePosixPath, service: Service, project: Project) -> Image | None:
    """The image the Dockerfile at `dockerfile` builds for `service`; None when it cannot be read."""
    repository = project.repository
    if repository is None:
        return None
    text = repository.read(dockerfile) if repository.is_file(dockerfile) else None
    return _image(dockerfile, text, service.root, repository) if text is not None else None


def _image(path: PurePosixPath, text: str, context: PurePosixPath, repository: Repository) -> Image:
    from railcheck.sources.dockerfile import env_pairs, parse_dockerfile

    dockerfile = parse_dockerfile(text)
    lines = LineIndex(text)
    workdir = "/"
    env: dict[str, str] = {}
    copies: list[Copy] = []
    cmd = entrypoint = None
    unknown_under_app = False  # a copy into /app whose content is not known statically
    installs = False
    for instruction in _final_chain(dockerfile):
        keyword = instruction.keyword
        if keyword == "WORKDIR" and instruction.words:
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.words[-1].text))
        elif keyword == "ENV":
            env.update((name, value) for name, value, _ in env_pairs(instruction))
        elif (
            keyword in ("COPY", "ADD")
            and instruction.flag("from") is None
            and len(instruction.words) >= 2
            and not instruction.heredocs
        ):
            *sources, destination = (word.text for word in instruction.words)
            target = posixpath.normpath(posixpath.join(workdir, destination))
            copies.append(Copy(instruction, tuple(sources), target))
        elif keyword in ("COPY", "ADD") and len(instruction.words) >= 2:
            destination = posixpath.normpath(posixpath.join(workdir, instruction.words[-1].text))
            # `--from` or a heredoc: not from the repository
            unknown_under_app |= _within_app(destination) or destination == "/"
        elif keyword == "CMD":
            cmd = instruction
        elif keyword == "ENTRYPOINT":
            entrypoint, cmd = instruction, None  # a later ENTRYPOINT resets a CMD inherited from before it
        elif keyword == "RUN" and INSTALLS_PROJECT.search(" ".join((instruction.arguments, *instruction.heredocs))):
            installs = True
    parts = tuple(instruction for instruction in (entrypoint, cmd) if instruction is not None and instruction.words)
    if entrypoint is not None and not entrypoint.exec_form:
        parts = (entrypoint,)  # a shell-form ENTRYPOINT ignores CMD
    app_root = _app_root(copies, context, repository) if workdir == "/app" and not unknown_under_app else None
    return Image(
        path,
        dockerfile,
        lines,
        workdir,
        tuple(env.items()),
        tuple(copies),
        _start(path, text, lines, parts),
        parts,
        app_root,
        installs,
    )


def _within_app(image_path: str) -> bool:
    return image_path == "/app" or image_path.startswith("/app/")


def _app_root(copies: list[Copy], context: PurePosixPath, repository: Repository) -> PurePosixPath | None:
    """The repository folder that every copy into /app agrees to put there, or None."""
    mounts = []  # (image path, repository path) of each copied file or folder that lands under /app
    for copy in copies:
        if copy.destination == "/":
            return None  # the context's own `app/` folder, if any, would become /app
        if not _within_app(copy.destination):
            continue
        into_folder = (
            copy.instruction.words[-1].text.endswith("/") or len(copy.sources) > 1 or copy.destination == "/app"
        )
        for source in copy.sources:
            if "$" in source or "://" in source:
                return None
            normal = posixpath.normpath(source.lstrip("/") or ".")
            if normal == ".." or normal.startswith("../"):
                return None
            wildcard = any(char in normal for char in "*?[")
            origin = (
                context / posixpath.dirname(normal) if wildcard else (context if normal == "." else context / normal)
            )
            if wildcard or repository.is_dir(origin):
                mounts.append((copy.destination, origin))  # a folder's contents (or matching files) land there
            else:
                name = PurePosixPath(normal).name
                mounts.append(
                    (
                        posixpath.join(copy.destination, name) if into_folder else copy.destination,
                        origin if wildcard else context / normal,
                    )
                )
    roots = [origin for image, origin in mounts if image == "/app"]
    if not roots:
        # Only parts of a folder are copied (`COPY apps/api/requirements.txt .`, `COPY apps/api/src/ ./src/`):
        # /app is that folder when every copy keeps its path below it.
        candidates = {_mounted_from(image, origin) for image, origin in mounts if _within_app(image)}
        if len(candidates) != 1 or None in candidates:
            return None
        roots = [root for root in candidates if root is not None]
    root = roots[-1]
    for image, origin in mounts:
        if not _within_app(image):
            continue
        relative = image[len("/app") :].lstrip("/")
        if (root / relative if relative else root) != origin:
            return None  # this copy puts something else there than the folder at /app holds
    return root


def _mounted_from(image: str, origin: PurePosixPath) -> PurePosixPath | None:
    """The repository folder that would be /app if `origin` lands at `image` under it (`apps/api/src` at
    /app/src: `apps/api`); None when the copy renames or moves it (`COPY main.py ./app.py`)."""
    below = PurePosixPath(image[len("/app") :].lstrip("/")).parts
    if not below or origin.parts[-len(below) :] != below:
        return None
    return PurePosixPath(*origin.parts[: -len(below)]) if len(origin.parts) > len(below) else PurePosixPath(".")


def _final_chain(dockerfile: Dockerfile) -> list[Instruction]:
    """The instructions that shape the last stage: those of the stages it is built `FROM`, then its own."""
    if not dockerfile.stages:
        return []
    by_name = {stage.name: stage for stage in dockerfile.stages if stage.name}
    chain = [dockerfile.stages[-1]]
    while chain[-1].base.lower() in by_name and by_name[chain[-1].base.lower()] not in chain:
        chain.append(by_name[chain[-1].base.lower()])
    return [instruction for stage in reversed(chain) for instruction in stage.instructions]


def _start(path: PurePosixPath, text: str, lines: LineIndex, parts: tuple[Instruction, ...]) -> CommandText | None:
    """The command the container runs: ENTRYPOINT with CMD as its arguments (exec form), or CMD alone."""
    import shlex  # Dockerfile builds only

    if not parts:
        return None
    first, last = parts[0], parts[-1]
    origin = Origin(
        " + ".join(f"`{part.keyword}` in {path}" for part in parts), path, lines.span(first.start, last.end)
    )
    exec_form = all(part.exec_form for part in parts)
    if len(parts) == 1 and not first.exec_form:
        written = text[first.argument_start : first.end].rstrip()
        base = first.argument_start if written == first.arguments.strip() else None
        return CommandText(first.arguments.strip(), "start", origin, base, lines if base is not None else None)
    words = [
        word.text if part.exec_form else part.arguments.strip()
        for part in parts
        for word in (part.words if part.exec_form else part.words[:1])
    ]
    return CommandText(
        " ".join(word if _PLAIN_WORD.fullmatch(word) else shlex.quote(word) for word in words),
        "start",
        origin,
        exec_form=exec_form,
    )


def _built_stages(dockerfile: Dockerfile) -> list[Stage]:
    """The stages a build of the last stage certainly runs: it, the stages it is built `FROM`, and those
    its instructions copy or mount from (`--from=name`, `--from=0`, `--mount=...,from=name`), transitively.
    BuildKit skips every other stage, so nothing in them can fail the build."""
    stages = dockerfile.stages
    by_name = {stage.name: stage for stage in stages if stage.name}

    def named(reference: str) -> Stage | None:
        reference = reference.lower()
        if reference.isdigit():
            return stages[int(reference)] if int(reference) < len(stages) else None
        return by_name.get(reference)

    built = [stages[-1]] if stages else []
    for stage in built:  # grows while it is walked
        references = [stage.base]
        for instruction in stage.instructions:
            references += [value for name, value, _ in instruction.flags if name == "from"]
            references += re.findall(
                r"(?:^|,)from=([^,\s]+)", " ".join(value for name, value, _ in instruction.flags if name == "mount")
            )
        for reference in references:
            found = named(reference)
            if found is not None and found not in built:
                built.append(found)
    return built


def context_sources(image: Image) -> Iterator[tuple[Instruction, Word, str]]:
    """Each static `COPY`/`ADD` source taken from the build context, in the stages the build runs, with its
    path relative to the context (a leading `/` is still inside it). Variables, wildcards, URLs, heredocs,
    `--from` sources and paths that climb out are left out: their meaning is not known statically."""
    for instruction in (instruction for stage in _built_stages(image.dockerfile) for instruction in stage.instructions):
        if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None or instruction.heredocs:
            continue
        for word in instruction.words[:-1]:
            text = word.text
            if word.dynamic or any(char in text for char in "*?[") or "://" in text or text.startswith(("git@", "<<")):
                continue
            normal = posixpath.normpath(text.lstrip("/") or ".")
            if normal != ".." and not normal.startswith("../"):
                yield instruction, word, normal
