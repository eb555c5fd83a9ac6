"""Which pushes deploy a service: its watch patterns, the files it builds from, and whether a change to each
of those files matches the patterns.

Owns: finding every `build.watchPatterns` list of a service's Railway config (the base one and each
environment's) and of its `service(...)` call in the IaC file, correcting the patterns written relative
to the root directory (so the rules judge what the author meant and report the slip once), the files and
folders the service consumes, and whether any file of the repository matches a pattern. Reads only
through `project.repository`; results are kept in `Project.derived`, which calls the `find_`/`list_`
functions here on first use.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from railcheck.edits import insert_first_item, prepend_to_list, replace_value
from railcheck.sources.text import Document
from railcheck.sources.watch import PatternList, WatchPattern, matches, parse_pattern
from railcheck.types import Edit, Span
from railcheck.walk import setting_pointers

if TYPE_CHECKING:
    from railcheck.model import IacDocument, Project, Service
    from railcheck.sources.iac import IacValue

# Files at the root directory that shape the build (docs/railpack-facts.md, "Image layout" and "WP: watch paths"),
# and what each does there.
_DEPENDENCIES = "dependencies are installed from it"
_PYTHON = "it sets the Python version"
BUILD_INPUTS = {
    "requirements.txt": _DEPENDENCIES, "pyproject.toml": _DEPENDENCIES, "uv.lock": _DEPENDENCIES,
    "poetry.lock": _DEPENDENCIES, "pdm.lock": _DEPENDENCIES, "Pipfile": _DEPENDENCIES, "Pipfile.lock": _DEPENDENCIES,
    ".python-version": _PYTHON, "runtime.txt": _PYTHON, ".tool-versions": _PYTHON, "mise.toml": _PYTHON,
    ".mise.toml": _PYTHON, "Procfile": "it sets the start command",
}  # fmt: skip
# How many files of one folder are listed to decide "nothing there matches"; a longer listing is cut, and
# then only a match found is an answer.
LISTING_LIMIT = 20_000


# The three value types below are named tuples, not frozen dataclasses: as immutable, and importing this module
# (every check of a service with watch patterns) would pay about a million instructions per dataclass.
class WatchList(NamedTuple):
    """One `watchPatterns` list: where it is written and its patterns, as written and as meant.

    The list is either in a Railway config file (`document` and its JSON `pointer`) or in the IaC file
    (`iac`, the `watchPatterns` value of a `service(...)` call); the methods below give positions and edits
    in either."""

    path: PurePosixPath
    written: tuple[WatchPattern, ...]
    # Index of a pattern written relative to the root directory → the repository-relative pattern meant.
    corrections: dict[int, str]
    # The patterns with the root-relative slips corrected: what the other checks judge. Parsed with the list,
    # so rules read it without parsing.
    meant: PatternList
    document: Document | None = None
    pointer: str = ""
    iac: IacList | None = None

    def meant_after(self, first: list[str]) -> PatternList:
        """The patterns meant with `first` (patterns as written) put before them, as a prepending fix makes them."""
        added = (pattern for index, text in enumerate(first) if (pattern := parse_pattern(text, index)) is not None)
        return PatternList((*added, *self.meant.patterns))

    @property
    def includes_anything(self) -> bool:
        return any(pattern.includes for pattern in self.written)

    def list_span(self) -> Span:
        """Where the list is named: the `watchPatterns` key of a config file, the list itself in the IaC file."""
        if self.iac is not None:
            return self.iac.span(self.iac.value.start, self.iac.value.end)
        assert self.document is not None
        return self.document.key_span(self.pointer)

    def pattern_span(self, index: int) -> Span:
        if self.iac is not None:
            item = self.iac.items[index]
            return self.iac.span(item.start, item.end)
        assert self.document is not None
        return self.document.value_span(f"{self.pointer}/{index}")

    def replace(self, index: int, text: str) -> Edit | None:
        """The edit writing `text` in place of the pattern at `index`; None when that edit is not certain."""
        if self.iac is not None:
            return self.iac.replace(index, text)
        assert self.document is not None
        return replace_value(self.document, f"{self.pointer}/{index}", text)

    def prepend(self, text: str) -> Edit | None:
        """The edit putting `text` first in the list; None when that edit is not certain."""
        if self.iac is not None:
            return self.iac.prepend(text)
        assert self.document is not None
        return prepend_to_list(self.document, self.pointer, text)


class IacList(NamedTuple):
    """A `build.watchPatterns` list of the IaC file whose items are all known strings."""

    document: IacDocument
    value: IacValue
    items: tuple[IacValue, ...]
    # Whether the list is written inside this service's own `service(...)` call, and that call declares no
    # other service (a helper function called twice runs one call for two services).
    own: bool

    def span(self, start: int, end: int) -> Span:
        return self.document.span(start, end)

    @property
    def in_place(self) -> bool:
        """Whether the list and every item are literals written in the service's own call (not through a
        name or a helper that other services may share), so an edit changes this service's patterns only."""
        return (
            self.own
            and self.value.origin is None
            and all(item.origin is None and item.text_start is not None for item in self.items)
        )

    def replace(self, index: int, text: str) -> Edit | None:
        if not self.in_place:
            return None
        item = self.items[index]
        return Edit(self.document.path, item.start, item.end, json.dumps(text, ensure_ascii=False))

    def prepend(self, text: str) -> Edit | None:
        if not self.in_place:
            return None
        source = self.document.text
        return insert_first_item(
            self.document.path, source, self.value.start, self.items[0].start, json.dumps(text, ensure_ascii=False)
        )


class Consumed(NamedTuple):
    """A file or folder the service's build reads, and why railcheck thinks so."""

    path: PurePosixPath
    folder: bool
    reason: str

    @property
    def suggestion(self) -> str:
        return f"/{self.path}/**" if self.folder else f"/{self.path}"


def watch_lists(service: Service, project: Project) -> tuple[WatchList, ...]:
    """The service's watch-pattern arrays that hold at least one pattern, base first (`Project.derived`)."""
    return project.derived.watch_lists(service)


def find_watch_lists(service: Service, project: Project) -> tuple[WatchList, ...]:
    """Find `watch_lists`; `Project.derived` calls it once per service."""
    return tuple(_watch_lists(service, project))


def _watch_lists(service: Service, project: Project) -> Iterator[WatchList]:
    document = service.railway
    if document is not None and isinstance(document.value, dict):
        for pointer in setting_pointers(document.value, "build", "watchPatterns"):
            values = document.get(pointer)
            if isinstance(values, list):
                written = _parsed(values)
                if written:
                    corrections = _corrections(service, project, written)
                    yield WatchList(
                        document.path, written, corrections, _meant(written, corrections), document, pointer
                    )
    iac = iac_watch_list(service, project)
    if iac is not None:
        written = _parsed([item.value for item in iac.items])
        if written:
            corrections = _corrections(service, project, written)
            yield WatchList(iac.document.path, written, corrections, _meant(written, corrections), iac=iac)


def iac_watch_list(service: Service, project: Project) -> IacList | None:
    """The service's `build.watchPatterns` in the IaC file, when it is a list of known strings. A list the
    file computes (or any item of it) is left out whole: what it covers is unknown, so nothing is judged."""
    value = service.iac.settings.get("watchPatterns") if service.iac is not None else None
    if value is None or project.iac is None or not isinstance(value.value, list):
        return None
    items = tuple(item for _, item in value.entries)
    if len(items) != len(value.value) or not all(isinstance(item.value, str) for item in items):
        return None
    call = service.iac
    assert call is not None
    inside = call.call_start <= value.start and value.end <= call.call_end
    return IacList(
        project.iac, value, items, inside and project.derived.iac_calls()[(call.call_start, call.call_end)] == 1
    )


def _parsed(values: list[object]) -> tuple[WatchPattern, ...]:
    return tuple(
        pattern
        for index, value in enumerate(values)
        if isinstance(value, str) and (pattern := parse_pattern(value, index)) is not None
    )


def _meant(written: tuple[WatchPattern, ...], corrections: dict[int, str]) -> PatternList:
    patterns = (
        parse_pattern(corrected, pattern.index) if (corrected := corrections.get(pattern.index)) else pattern
        for pattern in written
    )
    return PatternList(pattern for pattern in patterns if pattern is not None)


def _corrections(service: Service, project: Project, written: tuple[WatchPattern, ...]) -> dict[int, str]:
    return {
        pattern.index: fix for pattern in written if (fix := root_relative_fix(service, project, pattern)) is not None
    }


def any_file_matches(project: Project, pattern: WatchPattern) -> bool | None:
    """Whether some file of the repository matches the pattern; None when the listing was cut before an answer
    or the pattern names a folder railcheck never lists (`node_modules`, `.venv`, ...)."""
    return project.derived.any_file_matches(pattern)


def find_matching_file(project: Project, pattern: WatchPattern) -> bool | None:
    """Answer `any_file_matches`; `Project.derived` asks once per pattern."""
    from railcheck.layout import SKIPPED_DIRS

    if SKIPPED_DIRS.intersection(pattern.body.split("/")):
        return None
    files, complete = project.derived.listing(pattern.folder)
    if any(matches(pattern, path) for path in files):
        return True
    return False if complete else None


def root_relative_fix(service: Service, project: Project, pattern: WatchPattern) -> str | None:
    """The repository-relative pattern meant, when `pattern` matches nothing but does match read from the
    service's root directory; else None."""
    if (
        str(service.root) == "."
        or pattern.negated
        or not pattern.anchored
        or pattern.body.startswith(f"{service.root}/")
    ):
        return None
    if not root_known(service, project):
        return None  # the root directory is in doubt (SV003) or missing: "from the root directory" would be a guess
    if any_file_matches(project, pattern) is not False:
        return None
    candidate = parse_pattern(f"/{service.root}/{pattern.body}", pattern.index)
    if candidate is None or not any_file_matches(project, candidate):
        return None
    return candidate.text


def root_known(service: Service, project: Project) -> bool:
    """Whether the service's root directory is certain (no SV003 evidence) and exists. Watch paths need no
    more: unlike module checks, they do not depend on how the image lays the files out."""
    from railcheck.root_evidence import root_evidence

    repository = project.repository
    return repository is not None and not root_evidence(service, project) and repository.is_dir(service.root)


def list_files(project: Project, folder: str) -> tuple[list[str], bool]:
    """The files below `folder` (repo-relative strings), and whether the listing is complete;
    `Project.derived.listing` lists each folder once."""
    repository = project.repository
    if repository is None or not repository.is_dir(PurePosixPath(folder)):
        return [], repository is not None
    found = repository.files_under(PurePosixPath(folder), limit=LISTING_LIMIT)
    return [str(path) for path in found], len(found) < LISTING_LIMIT


def deploys_on_change(patterns: PatternList, project: Project, item: Consumed) -> bool | None:
    """Whether a change to the consumed file (or to some file of the folder) deploys; None when unknown."""
    return folder_deploys(patterns, project, item.path) if item.folder else patterns.deploys(str(item.path))


def folder_deploys(patterns: PatternList, project: Project, folder: PurePosixPath) -> bool | None:
    """Whether a change to some file below `folder` deploys; None when unknown (no file, or a cut listing)."""
    files, complete = project.derived.listing(str(folder))
    if any(patterns.deploys(path) for path in files):
        return True
    return False if complete and files else None


def consumed(service: Service, project: Project) -> tuple[Consumed, ...]:
    """Files and folders the service's build reads, inside its root directory (others are not uploaded);
    computed once per service (`Project.derived`)."""
    return project.derived.consumed(service)


def find_consumed(service: Service, project: Project) -> tuple[Consumed, ...]:
    """Find `consumed`, each path once; `Project.derived` calls it once per service."""
    return tuple({item.path: item for item in _consumed(service, project)}.values())  # the first reason found wins


def _consumed(service: Service, project: Project) -> Iterator[Consumed]:
    repository = project.repository
    if repository is None:
        return
    root = service.root
    names = set(repository.listdir(root))
    for name, reason in BUILD_INPUTS.items():
        if name in names and repository.is_file(root / name):
            yield Consumed(root / name, False, reason)
    if service.railpack is not None:
        yield Consumed(service.railpack.path, False, "Railpack's build config")
    yield from _dockerfile_inputs(service, project)
    yield from _included_requirements(service, project)
    yield from _path_dependencies(service, project)
    yield from _build_folders(service, project)


def _dockerfile_inputs(service: Service, project: Project) -> Iterator[Consumed]:
    """For a Dockerfile build: the Dockerfile and each file or folder its COPY/ADD takes from the context."""
    from railcheck.builder import image_of

    image = image_of(service, project)
    repository = project.repository
    if image is None or repository is None:
        return
    from railcheck.image import context_sources  # with the image: Dockerfile services only

    yield Consumed(image.path, False, "Railway builds the service from it")
    for instruction, word, relative in context_sources(image):
        if relative == ".":
            continue  # `COPY . .`: the whole root directory, which WP002 judges
        path = service.root / relative
        if repository.is_dir(path):
            yield Consumed(path, True, f"`{instruction.keyword} {word.text}` in {image.path}")
        elif repository.is_file(path):
            yield Consumed(path, False, f"`{instruction.keyword} {word.text}` in {image.path}")


def _included_requirements(service: Service, project: Project) -> Iterator[Consumed]:
    path = service.root / "requirements.txt"
    for line in project.derived.requirements(path).lines:
        if line.kind in ("include", "constraint") and line.url:
            target = _inside(service.root, path.parent, line.url)
            if target is not None and project.repository is not None and project.repository.is_file(target):
                yield Consumed(target, False, f"`{line.text}` in {path}")


def _table(container: dict[str, Any], key: str) -> dict[str, Any]:
    value = container.get(key)
    return value if isinstance(value, dict) else {}


def _path_dependencies(service: Service, project: Project) -> Iterator[Consumed]:
    from railcheck.facts import facts

    pyproject = facts(service, project).pyproject
    value = pyproject.value if pyproject is not None and isinstance(pyproject.value, dict) else {}
    tool = _table(value, "tool")
    uv = _table(tool, "uv")
    candidates: list[tuple[str, str]] = []
    sources = uv.get("sources")
    for name, source in sources.items() if isinstance(sources, dict) else ():
        if isinstance(source, dict) and isinstance(source.get("path"), str):
            candidates.append((source["path"], f"path dependency `{name}` in pyproject.toml"))
    workspace = uv.get("workspace")
    members = workspace.get("members") if isinstance(workspace, dict) else None
    for member in members if isinstance(members, list) else ():
        if isinstance(member, str):
            # A glob member (`packages/*`) stands for its literal folder.
            literal = member.split("*", 1)[0].rstrip("/") if "*" in member else member
            if literal:
                candidates.append((literal, f"uv workspace member `{member}`"))
    poetry = _table(tool, "poetry")
    dependencies = poetry.get("dependencies")
    for name, spec in dependencies.items() if isinstance(dependencies, dict) else ():
        if isinstance(spec, dict) and isinstance(spec.get("path"), str):
            candidates.append((spec["path"], f"path dependency `{name}` in pyproject.toml"))
    repository = project.repository
    for written, reason in candidates:
        target = _inside(service.root, service.root, written)
        if target is not None and repository is not None and target != service.root:
            if repository.is_dir(target):
                yield Consumed(target, True, reason)
            elif repository.is_file(target):
                yield Consumed(target, False, reason)


def _build_folders(service: Service, project: Project) -> Iterator[Consumed]:
    from railcheck.facts import facts, script
    from railcheck.modules import image_path
    from railcheck.sources.text import ParseFailure

    repository = project.repository
    for command in facts(service, project).commands:
        if command.kind not in ("build", "install"):
            continue
        parsed = script(command)
        if isinstance(parsed, ParseFailure):
            continue
        for simple in parsed.commands:
            words = simple.words
            if len(words) == 2 and words[0].text == "cd" and words[1].static:
                target = image_path(service.root, ".", words[1].text)
                if (
                    target is not None
                    and target != service.root
                    and repository is not None
                    and repository.is_dir(target)
                ):
                    yield Consumed(target, True, f"the {command.kind} command runs `cd {words[1].text}`")


def _inside(root: PurePosixPath, base: PurePosixPath, written: str) -> PurePosixPath | None:
    """`written` (relative to `base`) as a repo path, when it stays inside the root directory."""
    if written.startswith("/") or "://" in written:
        return None
    normal = posixpath.normpath(posixpath.join(str(base), written))
    if normal == ".." or normal.startswith("../"):
        return None
    if str(root) != "." and normal != str(root) and not normal.startswith(f"{root}/"):
        return None
    return PurePosixPath(normal)
