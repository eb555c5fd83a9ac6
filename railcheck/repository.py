"""Read-only, cached access to the files of one repository, confined to it.

Every file of a checked repository that railcheck reads goes through here (railcheck's own configuration
too), except the ignore files discovery reads as it walks (railcheck/ignore_files.py), the file `--config`
names and what the result cache hashes, which railcheck/files.py reads directly: links out of the repository, folders,
pipes, oversized and non-UTF-8 files become FileProblems instead of exceptions (a `.txt` file with a
UTF-16/UTF-32 byte order mark is decoded by it, as pip decodes requirements files). An overlay of in-memory
texts (what `--fix` would write) takes precedence over the disk.

What stays inside the repository is `Confinement`'s answer (the result cache asks it too, so its hashes and
the reads they stand for cannot disagree); listings of files below a folder come from the walker
(railcheck/walker.py) with the repository's own listings. Below it are only the layout constants, the
single-file reader (railcheck/files.py), git.py and the walker: nothing here imports a higher layer.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from railcheck.files import Stamp, read_regular_file, read_regular_file_stamped, stamp_of
from railcheck.layout import FILES_UNDER_LIMIT, MAX_FILE_BYTES, PATH_MAX, SKIPPED_DIRS
from railcheck.sources.text import LineIndex, ParseFailure
from railcheck.types import Span
from railcheck.walker import FILE, FOLDER, LINK, WalkPolicy, entry_kind, walk_files

# pip reads a requirements file by its byte order mark (`auto_decode` in pip/_internal/utils/encoding.py),
# so a `.txt` file saved as UTF-16 or UTF-32 by a Windows editor installs fine. runtime.txt is Railpack's.
_PIP_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


# How every file but a requirements-style `.txt` is decoded: no byte order mark, UTF-8.
_UTF8 = (b"", "utf-8")
# `Repository._entry`'s mark for a name it has not been asked about yet (None means: not there). A string, so
# that the kinds table stays typed `str | None`; compared by identity, so no kind can be taken for it.
_UNASKED = "unasked"


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be read or parsed: where (when the text could be decoded) and why."""

    path: PurePosixPath
    message: str
    span: Span | None = None
    help: str | None = None

    @classmethod
    def unparsed(cls, path: PurePosixPath, text: str, failure: ParseFailure) -> FileProblem:
        """The file at `path`, whose `text` a reader gave up on: its message, where it stopped."""
        return cls(path, failure.message, LineIndex(text).span(failure.start, max(failure.start, failure.end)))


def merge_observed(parts: Iterable[Mapping[str, Stamp | None]]) -> dict[str, Stamp | None]:
    """Several repositories' `observed` as one; a path stamped differently by two of them (it changed
    between their reads) gets a stamp nothing matches, so the cache never stores that check."""
    merged: dict[str, Stamp | None] = {}
    for part in parts:
        for path, source in part.items():
            known = merged.get(path)
            if known is None:
                merged[path] = source
            elif source is not None and source != known:
                merged[path] = ("", (-1, -1, -1, -1))
    return merged


def parent_of(path: str) -> str:
    """The folder of a repo-relative POSIX path string ("." at the top)."""
    return path.rpartition("/")[0] or "."


def names_git_folder(path: str) -> bool:
    """Whether a repo-relative POSIX path string has a `.git` part, in any case (a case-insensitive file
    system opens `.GIT` as `.git`): git's own folder holds the CI token and the commands git runs, and is
    never part of what railcheck checks."""
    return ".git" in path.lower() and any(part.lower() == ".git" for part in path.split("/"))


def outside_lexically(path: str) -> bool:
    """Whether a repo-relative POSIX path string leaves the repository as written (absolute, `..`), names
    the git folder, or is longer than any path the system opens."""
    # Asked for every path a check looks at: the substring tests come first, since a path without ".." (or
    # ".git", in any case) as a substring has no such part either, and most paths have neither.
    return (
        len(path) > PATH_MAX
        or path.startswith("/")
        or (".." in path and ".." in path.split("/"))
        or names_git_folder(path)  # which tests for the substring first
    )


def git_folders(root: Path) -> tuple[Path, ...]:
    """The resolved git folders of the work tree at `root` (its `.git` folder, or the folder a `.git` file
    names and that folder's common one): a link that resolves into one leads into git's own files."""
    dot_git = root / ".git"
    folders = []
    try:
        if dot_git.is_dir():
            folders.append(dot_git.resolve())
        elif dot_git.is_file() and (folder := _named_git_dir(dot_git)) is not None:
            folders.append(folder)
            common = (read_regular_file(folder / "commondir", 4096) or b"").decode("utf-8", "replace").strip()
            if common:
                folders.append((folder / common).resolve())
    except (OSError, ValueError, RuntimeError):
        pass
    return tuple(folders)


def _named_git_dir(dot_git: Path) -> Path | None:
    from railcheck.git import named_git_dir  # subprocess and its kin only for a `.git` file (worktrees)

    return named_git_dir(dot_git)


def resolves_inside(resolved: Path, root: Path, git: tuple[Path, ...]) -> bool:
    """Whether a resolved path lies inside the (resolved) `root` and outside its `git` folders."""
    return resolved.is_relative_to(root) and not resolves_into_git(resolved, root, git)


def resolves_into_git(resolved: Path, root: Path, git: tuple[Path, ...]) -> bool:
    """Whether a resolved path lies in a `.git` folder below `root`, or in one of the `git` folders."""
    inside = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else ""
    return names_git_folder(inside) or any(resolved.is_relative_to(folder) for folder in git)


def decide_outermost_first(folder: str, known: dict[str, bool], decide: Callable[[str], bool]) -> bool:
    """`known[folder]`, deciding it and every undecided folder above it first, outermost first, so that
    `decide` may rely on its parent's verdict; `known` must hold ".". No recursion: any depth is fine."""
    pending = []
    current = folder
    while current not in known:
        pending.append(current)
        current = parent_of(current)
    for current in reversed(pending):
        known[current] = decide(current)
    return known[folder]


def _quietly(test: Callable[[str], bool], path: str) -> bool:
    """A file-system test that answers False instead of raising (names too long, permission denied ...)."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


class Confinement:
    """What stays inside a repository once links are resolved, for the repository's reads and the result
    cache's hashing alike, so the two cannot disagree: a resolved path is inside when it is below the root
    and outside git's own folders; a folder is inside when no link on its way leads out (one lstat per
    folder, cached, and a resolution only for a folder that is a link). Decided outermost first, without
    recursion, so a path of any depth is fine."""

    def __init__(self, root: Path) -> None:
        self.root = root  # resolved
        self._folders: dict[str, bool] = {".": True}
        # A link into git's own folder leads out of what is checked; found when the first link is resolved.
        self._git: tuple[Path, ...] | None = None

    def inside(self, folder: str) -> bool:
        return not outside_lexically(folder) and decide_outermost_first(folder, self._folders, self._decide)

    def _decide(self, folder: str) -> bool:
        if not self._folders[parent_of(folder)]:
            return False
        full = f"{self.root}/{folder}"
        try:
            link = stat.S_ISLNK(os.lstat(full).st_mode)
        except (OSError, ValueError):
            link = False
        return not link or self.leads_inside(Path(os.path.realpath(full)))

    def leads_inside(self, resolved: Path) -> bool:
        """Whether a resolved path is inside the repository and outside its git folders."""
        if self._git is None:
            self._git = git_folders(self.root)
        return resolves_inside(resolved, self.root, self._git)


class Repository:
    """The files under `root`, as railcheck may see them. Paths are repo-relative POSIX paths.

    Each folder is listed once (`scandir`, whose entries say file, folder or link without a system call
    per file); existence, kind and confinement of the entries are answered from that listing, and only
    links cost a resolution. A Repository lives for one load of the project: files written later are a
    new load's business. Internally paths are strings: this runs for every file of every service, and
    hashing and joining PurePosixPaths cost more than the file system calls they describe.
    """

    def __init__(self, root: Path, overlay: Mapping[PurePosixPath, str] | None = None) -> None:
        self.root = root
        self.overlay = overlay or {}
        self.problems: list[FileProblem] = []
        self.texts: dict[PurePosixPath, str] = {}
        # Files whose text in `texts` is not their content (bytes that are not UTF-8, shown replaced): a fix
        # must never write that text back.
        self.lossy: set[PurePosixPath] = set()
        self._root = str(root)
        self._overlay = {str(path): text for path, text in self.overlay.items()}
        self._read: dict[str, str | None] = {}
        self._scans: dict[str, dict[str, str]] = {}
        self._listings: dict[str, tuple[str, ...]] = {}
        self._folders: dict[str, bool] = {".": True}
        # `_entry`'s answer by name: the same file is asked about by several rules (exists, is_file, read).
        self._kinds: dict[str, str | None] = {}
        # Every path whose existence, kind or content a check looked at, and every folder it listed (with a
        # trailing "/"), with the stamp of what the answer came from (the file read, or the folder listing
        # that answered for a name), when one was taken: what the result cache's entry depends on.
        self.observed: dict[str, Stamp | None] = {}
        self._scan_stamps: dict[str, Stamp] = {}
        self._confinement = Confinement(root)

    # `exists`, `is_file` and `is_dir` take a path as its text too, for callers probing many candidates
    # without making a path object of each. The text must be written as `str` of a PurePosixPath writes it
    # (normalised, repo-relative: no `./`, `//` or trailing `/`); one written otherwise is answered as absent.

    def exists(self, path: PurePosixPath | str) -> bool:
        name = str(path)
        if name in self._overlay or name == ".":
            return True
        kind = self._entry(name)
        return kind is not None and (kind != LINK or self._resolves_inside(self._full(name)))

    def is_file(self, path: PurePosixPath | str) -> bool:
        name = str(path)
        if name in self._overlay:
            return True
        kind = self._entry(name)
        return kind == FILE or (
            kind == LINK and self._resolves_inside(self._full(name)) and _quietly(os.path.isfile, self._full(name))
        )

    def is_dir(self, path: PurePosixPath | str) -> bool:
        return self._folder_inside(str(path))

    def listdir(self, folder: PurePosixPath) -> tuple[str, ...]:
        """Names in `folder` (sorted; overlay files included); () when it is not a folder inside the repository."""
        key = str(folder)
        listing = self._listings.get(key)
        if listing is None:
            names = set(self._scan(key))
            self.observed[f"{key}/"] = self._scan_stamps.get(key)
            names.update(path.name for path in self.overlay if path.parent == folder)
            listing = self._listings[key] = tuple(sorted(names))
        return listing

    def files_under(self, folder: PurePosixPath, limit: int = FILES_UNDER_LIMIT) -> list[PurePosixPath]:
        """Files below `folder`, breadth first, skipping dependency and VCS folders and links; at most `limit`.
        Ignore files do not apply: a rule asks what the repository holds, not what discovery skips."""
        return list(walk_files(folder, self._listing, WalkPolicy(SKIPPED_DIRS, file_limit=limit)))

    def _listing(self, folder: PurePosixPath) -> dict[str, str]:
        """Name -> kind in `folder` for the walker, as `listdir` sees it (recorded for the cache; overlay names
        are files)."""
        scan = self._scan(str(folder))
        return {name: scan.get(name, FILE) for name in self.listdir(folder)}

    def _full(self, name: str) -> str:
        return self._root if name == "." else f"{self._root}/{name}"

    def _scan(self, folder: str) -> dict[str, str]:
        """Name → kind of the entries in `folder` (one scandir, cached); {} when it is not a folder inside."""
        scan = self._scans.get(folder)
        if scan is None:
            scan = {}
            if self._folder_inside(folder):
                try:
                    # Stamped before listing: an entry added while listing changes the folder after this.
                    self._scan_stamps[folder] = (folder, stamp_of(os.stat(self._full(folder))))
                    with os.scandir(self._full(folder)) as entries:
                        scan = {entry.name: entry_kind(entry) for entry in entries}
                except OSError:
                    pass
            self._scans[folder] = scan
        return scan

    def _entry(self, name: str) -> str | None:
        """The kind of the entry `name` (a repo-relative path) in its folder's listing; None when absent or
        not lexically inside."""
        # Kept by name: a folder is listed once and its stamp taken then, so a second ask would find the same
        # kind and leave `observed` as the first one left it (it only ever fills a missing stamp).
        kind = self._kinds.get(name, _UNASKED)
        if kind is not _UNASKED:
            return kind
        kind = None
        if name != "." and not outside_lexically(name):
            folder, _, base = name.rpartition("/")
            folder = folder or "."
            kind = self._scan(folder).get(base)
            if self.observed.get(name) is None:
                self.observed[name] = self._scan_stamps.get(folder)
        self._kinds[name] = kind
        return kind

    def _folder_inside(self, folder: str) -> bool:
        """Whether `folder` is a folder that resolves inside the repository; cached, and decided from the
        parent's listing, so only a linked folder costs a resolution."""
        return decide_outermost_first(folder, self._folders, self._decide_folder)

    def _decide_folder(self, folder: str) -> bool:
        kind = self._entry(folder)  # listed only when its parent is inside, which is decided by now
        if kind == LINK:
            full = self._full(folder)
            return self._resolves_inside(full) and _quietly(os.path.isdir, full)
        return kind == FOLDER

    def _resolves_inside(self, path: str | Path) -> bool:
        """Whether `path` resolves inside the repository and outside every git folder."""
        try:
            return self._confinement.leads_inside(Path(os.path.realpath(path)))
        except (OSError, ValueError):
            return False

    def text(self, path: PurePosixPath | str) -> str | None:
        """What `texts` holds for `path` (given as its text too): the text an earlier `read` of it gave, with
        replacement characters for a file that is not clean UTF-8; None when it was not read or could not be."""
        return self._read.get(str(path))

    def read(self, path: PurePosixPath) -> str | None:
        """The decoded text of a repo-relative file, or None (absent, or a FileProblem was recorded)."""
        name = str(path)
        if name in self._read:
            return self._read[name]
        normal = posixpath.normpath(name)
        if outside_lexically(normal):
            self._read[name] = None
            return None  # outside the repository, or longer than any path that opens: never looked at
        self.observed.setdefault(normal, None)  # `a/../b` (read the careful way) depends on b
        text = self._load(path, name)
        # Later reads get what `texts` holds: for a file that is not clean UTF-8, the text with replacement
        # characters (reported once, on this first read).
        self._read[name] = self.texts.get(path)
        return text

    def _load(self, path: PurePosixPath, name: str) -> str | None:
        if name in self._overlay:
            self.texts[path] = self._overlay[name]
            return self._overlay[name]
        kind = self._entry(name)
        data, status = read_regular_file_stamped(self._full(name)) if kind == FILE else (None, None)
        if status is not None:
            self.observed[name] = (name, stamp_of(status))  # the file itself, which also says it still exists
        if data is None:
            # Not a plain file in a folder known to be inside (a link, a folder, a pipe, a path with `..`):
            # the careful way, which resolves the whole path and says what is wrong.
            if kind is None and self._folder_inside(name.rpartition("/")[0] or "."):
                return None  # not in its folder's listing: absent (the common case, decided without a path object)
            absolute = self.root / path
            if not os.path.lexists(absolute):
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
            # Only a `.txt` file may be decoded otherwise: the others, most reads, are spared the call (which
            # tests the name again, as its own contract).
            mark, encoding = _pip_encoding(name, data) if name.endswith(".txt") else _UTF8
            text = data[len(mark) :].decode(encoding)
        except UnicodeDecodeError as error:
            prefix = data[len(mark) : len(mark) + error.start].decode(encoding, errors="replace")
            replaced = data[len(mark) :].decode(encoding, errors="replace")
            self.texts[path] = replaced
            offset = len(mark) + error.start
            self.lossy.add(path)
            self.problems.append(
                FileProblem(
                    path,
                    f"`{path.name}` is not valid {encoding.upper()} (byte 0x{data[offset]:02x} at byte offset"
                    f" {offset})",
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
        if not self._confinement.leads_inside(target):
            return "is a symbolic link into the git folder (.git); railcheck never reads git's own files"
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
            return (
                f"is {size / 1024 / 1024:.1f} MiB, larger than the {MAX_FILE_BYTES // 1024 // 1024} MiB railcheck"
                " reads; it was not checked"
            )
        return None


def _pip_encoding(name: str, data: bytes) -> tuple[bytes, str]:
    """How a file is decoded: a requirements-style `.txt` file that starts with a UTF-16/UTF-32 byte order
    mark as pip decodes it (the mark left out), every other file as UTF-8. Returns the mark and encoding."""
    if name.endswith(".txt") and name.rsplit("/", 1)[-1] != "runtime.txt":
        for mark, encoding in _PIP_BOMS:  # UTF-32-LE's mark starts with UTF-16-LE's: the longer one first
            if data.startswith(mark):
                return mark, encoding
    return b"", "utf-8"
