"""Result cache: a run over an unchanged repository replays the previous report instead of checking again.

The key is content-addressed: railcheck's version, the hashes of its rules and schemas, the configuration,
the options that change findings, and the path and content hash of every file under the checked paths
(the files discovery would visit). File hashes are reused from the previous run while a file's size and
modification time are unchanged, as git's index does, except for files modified within the last two
seconds of that run, which are hashed again ("racily clean"). Entries are written atomically, so
concurrent runs never read half an entry; a damaged entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from railcheck import __version__
from railcheck._resources import resource_dir
from railcheck.repository import read_regular_file

CACHE_DIR = ".railcheck_cache"
_STAT_FILE = "stat.json"
_RACY_SECONDS = 2.0
MAX_ENTRIES = 16  # results of the last few states (branches, stashes) are worth keeping; more is clutter


class ResultCache:
    """One repository's cache folder; every method fails soft (a miss), never raising."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.root = root
        self._stats: dict[str, list[Any]] = self._load_stats()
        self._missing: set[str] = set()  # files `key` found absent
        self._folders: dict[str, bool] = {".": True}  # folder -> inside the repository once links are resolved
        self._started = time.time()

    # --- keys ----------------------------------------------------------------------------------

    def key(self, files: Iterable[PurePosixPath], settings: dict[str, Any], config_text: str | None) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps({"version": __version__, "settings": settings, "config": config_text, "code": _code_hash()}, sort_keys=True).encode())
        for path in sorted(files):
            digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + self._file_hash(path).encode() + b"\n")
        return digest.hexdigest()

    def changed_since_key(self, files: Iterable[PurePosixPath]) -> bool:
        """Whether any of `files` appeared, disappeared, or changed size or modification time since `key`
        hashed them: a run that read a file mid-edit must not store its findings under the old content."""
        for path in files:
            if not self._folder_inside(path.parent):
                continue
            try:
                status = os.lstat(self.root / path)
            except (OSError, ValueError):
                if str(path) not in self._missing:
                    return True
                continue
            if stat.S_ISDIR(status.st_mode):
                continue  # a folder changes by its entries, which are listed on their own
            recorded = self._stats.get(str(path))
            if str(path) in self._missing or not recorded or recorded[:2] != [status.st_size, status.st_mtime_ns]:
                return True
        return False

    def _file_hash(self, path: PurePosixPath) -> str:
        if not self._folder_inside(path.parent):
            return "outside"  # reached through a linked folder that leaves the repository: never read
        absolute = self.root / path
        try:
            status = os.lstat(absolute)
        except (OSError, ValueError):  # ValueError: a configured path with a NUL character
            self._missing.add(str(path))
            return "missing"
        self._missing.discard(str(path))
        if stat.S_ISDIR(status.st_mode):
            return "folder"  # its presence is the input; its entries are listed on their own
        recorded = self._stats.get(str(path))
        fresh = status.st_mtime >= self._stats_written - _RACY_SECONDS
        # A link's own time says nothing of its target's content, so a link is hashed afresh every run.
        link = stat.S_ISLNK(status.st_mode)
        if recorded and recorded[0] == status.st_size and recorded[1] == status.st_mtime_ns and not fresh and not link:
            return str(recorded[2])
        content = self._link_hash(absolute) if link else _content_hash(absolute, status)
        self._stats[str(path)] = [status.st_size, status.st_mtime_ns, content]
        return content

    def _folder_inside(self, folder: PurePosixPath) -> bool:
        """Whether `folder` is inside the repository once links are resolved: one lstat per folder, cached,
        and a resolution only for a folder that is a link."""
        key = str(folder)
        known = self._folders.get(key)
        if known is None:
            if folder.is_absolute() or ".." in folder.parts:
                known = False
            else:
                known = self._folder_inside(folder.parent)
                full = self.root / folder
                try:
                    link = known and stat.S_ISLNK(os.lstat(full).st_mode)
                except (OSError, ValueError):
                    link = False
                if link:
                    known = Path(os.path.realpath(full)).is_relative_to(self.root)
            self._folders[key] = known
        return known

    def _link_hash(self, absolute: Path) -> str:
        """A link's target name and, when it resolves to a file inside the repository, that file's content;
        a link out of the repository is never followed, only its name counts."""
        try:
            target = os.readlink(absolute)
            resolved = Path(os.path.realpath(absolute))
        except (OSError, ValueError):
            return "link:unreadable"
        if not resolved.is_relative_to(self.root):
            return f"link:{target}"
        try:
            return f"link:{target}:{_content_hash(resolved, os.stat(resolved))}"
        except OSError:
            return f"link:{target}:missing"

    # --- entries -------------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._write(f"{key}.json", json.dumps(value))
        self._write(_STAT_FILE, json.dumps({"written": self._started, "files": self._stats}))
        self._evict()

    def _evict(self) -> None:
        try:
            entries = sorted((path for path in self.folder.iterdir() if path.suffix == ".json" and path.name != _STAT_FILE), key=lambda path: path.stat().st_mtime)
            for path in entries[:-MAX_ENTRIES]:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # another run may be evicting the same files

    def _write(self, name: str, text: str) -> None:
        import tempfile  # only when storing: a replayed run never pays for it

        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by railcheck: its result cache is never committed.\n*\n")
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.folder / name)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _load_stats(self) -> dict[str, list[Any]]:
        try:
            document = json.loads((self.folder / _STAT_FILE).read_text(encoding="utf-8"))
            self._stats_written = float(document["written"])
            return dict(document["files"])
        except (OSError, ValueError, KeyError, TypeError):
            self._stats_written = float("inf")  # no trustworthy record: hash everything
            return {}


def _content_hash(absolute: Path, status: os.stat_result) -> str:
    """The content hash of a regular file railcheck would read; a pipe, device or oversized file (which
    railcheck reports without reading) is keyed by its kind, size and time instead of being read."""
    data = read_regular_file(absolute) if stat.S_ISREG(status.st_mode) else None
    if data is None:
        return f"unread:{stat.S_IFMT(status.st_mode)}:{status.st_size}:{status.st_mtime_ns}"
    return hashlib.sha256(data).hexdigest()


def _code_hash() -> str:
    """Hash of railcheck's own code, built-in rules and schemas, so changed code never replays old findings."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for folder in (resource_dir("rules"), resource_dir("schemas"), package, package / "sources", package / "report"):
        for path in sorted(folder.glob("*")):
            if path.is_file() and path.suffix in (".py", ".json"):
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def tree_files(root: Path, targets: Iterable[PurePosixPath], skipped: frozenset[str]) -> Iterator[PurePosixPath]:
    """Every file, folder and link under the targets (a file target is its folder), skipping what discovery
    skips. Folders count because an empty one is still an importable namespace package for a start module;
    links count by their target (a relinked folder changes what a check sees) and are never walked into,
    and a target reached through a link out of the repository is not walked at all."""
    seen: set[PurePosixPath] = set()
    for target in targets:
        start = target if (root / target).is_dir() else target.parent
        if not Path(os.path.realpath(root / start)).is_relative_to(root):
            continue
        stack = [start]
        while stack:
            folder = stack.pop()
            if str(folder) != "." and folder not in seen:
                seen.add(folder)
                yield folder
            try:
                with os.scandir(root / folder) as listing:
                    entries = list(listing)
            except OSError:
                continue
            for entry in entries:
                path = folder / entry.name if str(folder) != "." else PurePosixPath(entry.name)
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in skipped:
                        stack.append(path)
                elif path not in seen:
                    seen.add(path)
                    yield path


def inputs(root: Path, targets: Iterable[PurePosixPath], extra: Iterable[PurePosixPath], markers: tuple[str, ...], skipped: frozenset[str]) -> list[PurePosixPath]:
    """The files a check of `targets` can depend on: everything under each target folder (for a file, under
    the service folder that holds it), the repository's top-level files, and `extra` paths."""
    folders = []
    for target in targets:
        folder = target if (root / target).is_dir() else target.parent
        if not (root / target).is_dir():
            # A file maps to its whole service: walk up to the folder holding a service marker.
            for ancestor in (folder, *folder.parents):
                if any((root / ancestor / marker).exists() for marker in markers):
                    folder = ancestor
                    break
        folders.append(folder)
    files = set(tree_files(root, folders, skipped))
    # The ignore files above a checked subfolder decide what discovery walks there.
    files.update(ancestor / ".gitignore" for folder in folders for ancestor in folder.parents)
    try:
        files.update(PurePosixPath(entry.name) for entry in os.scandir(root) if entry.is_file())
    except OSError:
        pass
    files.update(extra)
    return sorted(files)


def encode(diagnostics: Iterable[Any]) -> list[dict[str, Any]]:
    """Diagnostics as plain JSON data (dataclasses to dicts, paths and enums to strings)."""
    import dataclasses

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        if isinstance(value, PurePosixPath):
            return str(value)
        if hasattr(value, "value") and value.__class__.__module__ == "railcheck.types":
            return value.value
        return value

    return [plain(diagnostic) for diagnostic in diagnostics]


def decode(items: list[dict[str, Any]]) -> list[Any]:
    from railcheck.types import Applicability, Diagnostic, Edit, Fix, Position, Related, Severity, Span

    def span(data: dict[str, Any] | None) -> Span | None:
        return None if data is None else Span(Position(**data["start"]), Position(**data["end"]))

    found = []
    for item in items:
        fix = item["fix"]
        found.append(
            Diagnostic(
                code=item["code"], name=item["name"], message=item["message"], severity=Severity(item["severity"]),
                path=PurePosixPath(item["path"]), span=span(item["span"]), service=item["service"], help=item["help"],
                fix=None if fix is None else Fix(fix["title"], tuple(Edit(PurePosixPath(edit["path"]), edit["start"], edit["end"], edit["content"]) for edit in fix["edits"]), Applicability(fix["applicability"])),
                related=tuple(Related(PurePosixPath(related["path"]), span(related["span"]), related["message"]) for related in item["related"]),
            )
        )
    return found
