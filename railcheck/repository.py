"""Read-only, cached access to the files of one repository, confined to it.

Every file of a checked repository that railcheck reads goes through here, except railcheck's own
configuration and `.gitignore` files (read during discovery): links out of the repository, folders,
pipes, oversized and non-UTF-8 files become FileProblems instead of exceptions. An overlay of in-memory
texts (what `--fix` would write) takes precedence over the disk.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from railcheck.sources.text import LineIndex
from railcheck.types import Span

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be read or parsed: where (when the text could be decoded) and why."""

    path: PurePosixPath
    message: str
    span: Span | None = None
    help: str | None = None


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of `path` when it is a regular file of at most `limit` bytes, opened without following a
    link and without blocking (a pipe never makes the run wait); None for anything else."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
                return None
            return file.read()
        except OSError:
            return None


def _quietly(test: Callable[[Path], bool], path: Path) -> bool:
    """A file-system test that answers False instead of raising (names too long, permission denied ...)."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


# What a folder entry is, as one `scandir` reports it without following links.
FILE, FOLDER, LINK, OTHER = "file", "folder", "link", "other"


def _kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_symlink():
            return LINK
        if entry.is_dir(follow_symlinks=False):
            return FOLDER
        return FILE if entry.is_file(follow_symlinks=False) else OTHER
    except OSError:
        return OTHER


class Repository:
    """The files under `root`, as railcheck may see them. Paths are repo-relative POSIX paths.

    Each folder is listed once (`scandir`, whose entries say file, folder or link without a system call
    per file); existence, kind and confinement of the entries are answered from that listing, and only
    links cost a resolution. A Repository lives for one load of the project: files written later are a
    new load's business.
    """

    def __init__(self, root: Path, overlay: Mapping[PurePosixPath, str] | None = None) -> None:
        self.root = root
        self.overlay = overlay or {}
        self.problems: list[FileProblem] = []
        self.texts: dict[PurePosixPath, str] = {}
        self._scans: dict[PurePosixPath, dict[str, str]] = {}
        self._listings: dict[PurePosixPath, tuple[str, ...]] = {}
        self._folders: dict[PurePosixPath, bool] = {PurePosixPath("."): True}

    def exists(self, path: PurePosixPath) -> bool:
        if path in self.overlay:
            return True
        kind = self._entry(path)
        return kind is not None and (kind != LINK or self._resolves_inside(self.root / path))

    def is_file(self, path: PurePosixPath) -> bool:
        if path in self.overlay:
            return True
        kind = self._entry(path)
        return kind == FILE or (kind == LINK and self._resolves_inside(self.root / path) and _quietly(os.path.isfile, self.root / path))

    def is_dir(self, path: PurePosixPath) -> bool:
        return self._folder_inside(path)

    def listdir(self, folder: PurePosixPath) -> tuple[str, ...]:
        """Names in `folder` (sorted; overlay files included); () when it is not a folder inside the repository."""
        if folder not in self._listings:
            names = set(self._scan(folder))
            names.update(path.name for path in self.overlay if path.parent == folder)
            self._listings[folder] = tuple(sorted(names))
        return self._listings[folder]

    def files_under(self, folder: PurePosixPath, limit: int = 5000) -> list[PurePosixPath]:
        """Files below `folder`, breadth first, skipping dependency and VCS folders and links; at most `limit`."""
        from railcheck.project import SKIPPED_DIRS

        found: list[PurePosixPath] = []
        queue = [folder]
        while queue and len(found) < limit:
            current = queue.pop(0)
            scan = self._scan(current)
            for name in self.listdir(current):
                path = current / name if str(current) != "." else PurePosixPath(name)
                kind = scan.get(name, FILE)  # names only in the overlay are files
                if kind == FOLDER:
                    if name not in SKIPPED_DIRS:
                        queue.append(path)
                elif kind != LINK:
                    found.append(path)
        return found[:limit]

    def _scan(self, folder: PurePosixPath) -> dict[str, str]:
        """Name → kind of the entries in `folder` (one scandir, cached); {} when it is not a folder inside."""
        scan = self._scans.get(folder)
        if scan is None:
            scan = {}
            if self._folder_inside(folder):
                try:
                    with os.scandir(self.root / folder) as entries:
                        scan = {entry.name: _kind(entry) for entry in entries}
                except OSError:
                    pass
            self._scans[folder] = scan
        return scan

    def _entry(self, path: PurePosixPath) -> str | None:
        """The kind of `path` in its folder's listing; None when absent or not lexically inside."""
        if path.is_absolute() or ".." in path.parts or str(path) == ".":
            return None
        return self._scan(path.parent).get(path.name)

    def _folder_inside(self, folder: PurePosixPath) -> bool:
        """Whether `folder` is a folder that resolves inside the repository; cached, and decided from the
        parent's listing, so only a linked folder costs a resolution."""
        known = self._folders.get(folder)
        if known is None:
            kind = self._entry(folder)
            if kind == LINK:
                full = self.root / folder
                known = self._folder_inside(folder.parent) and self._resolves_inside(full) and _quietly(os.path.isdir, full)
            else:
                known = kind == FOLDER
            self._folders[folder] = known
        return known

    def _resolves_inside(self, path: Path) -> bool:
        try:
            return Path(os.path.realpath(path)).is_relative_to(self.root)
        except (OSError, ValueError):
            return False

    def read(self, path: PurePosixPath) -> str | None:
        """The decoded text of a repo-relative file, or None (absent, or a FileProblem was recorded)."""
        if path in self.texts:
            return self.texts[path]
        if path in self.overlay:
            self.texts[path] = self.overlay[path]
            return self.overlay[path]
        absolute = self.root / path
        kind = self._entry(path)
        data = read_regular_file(absolute) if kind == FILE else None
        if data is None:
            # Not a plain file in a folder known to be inside (a link, a folder, a pipe, a path with `..`):
            # the careful way, which resolves the whole path and says what is wrong.
            if kind is None and self._folder_inside(path.parent) or not os.path.lexists(absolute):
                return None
            problem = self._unreadable(path, absolute)
            if problem:
                self.problems.append(FileProblem(path, problem))
                return None
            try:
                data = absolute.read_bytes()
            except OSError as error:
                self.problems.append(FileProblem(path, f"cannot be read: {error.strerror or error}"))
                return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            prefix = data[: error.start].decode("utf-8", errors="replace")
            replaced = data.decode("utf-8", errors="replace")
            self.texts[path] = replaced
            self.problems.append(
                FileProblem(
                    path,
                    f"`{path.name}` is not valid UTF-8 (byte 0x{data[error.start]:02x} at byte offset {error.start})",
                    LineIndex(replaced).span(len(prefix), len(prefix) + 1),
                    help="Save the file as UTF-8; Railway and Railpack read config files as UTF-8.",
                )
            )
            return None
        self.texts[path] = text
        return text

    def _unreadable(self, path: PurePosixPath, absolute: Path) -> str | None:
        # Resolve the whole path, not only its last part: a linked parent folder can lead out too.
        try:
            target = absolute.resolve(strict=True)
        except (OSError, RuntimeError):
            if absolute.is_symlink():
                return "is a broken symbolic link or a link loop"
            target = absolute
        if not target.is_relative_to(self.root):
            return "is a symbolic link to a file outside the repository; railcheck does not follow it"
        if target.is_dir():
            return "is a folder, but a file of this name is expected"
        try:
            status = target.stat()
        except OSError as error:
            return f"cannot be read: {error.strerror or error}"
        if not stat.S_ISREG(status.st_mode):
            # A FIFO or device would block or never end; config files are regular files.
            return "is not a regular file (a pipe, socket or device); it was not read"
        size = status.st_size
        if size > MAX_FILE_BYTES:
            return f"is {size / 1024 / 1024:.1f} MiB, larger than the {MAX_FILE_BYTES // 1024 // 1024} MiB railcheck reads; it was not checked"
        return None


