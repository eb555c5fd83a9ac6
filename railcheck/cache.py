"""Result cache: a run over an unchanged repository replays the previous report instead of checking again.

The key is content-addressed: railcheck's version, the hashes of its rules and schemas, the Python version,
the configuration, the options that change findings, and the path and content hash of every input: the
files below the checked paths and below the root of every service the check loads, the repository's
top-level entries and the files configuration names. File hashes are reused from the previous run while a
file's size, times and inode are unchanged, as git's index does, except for files modified within two
seconds of being hashed, which are hashed again ("racily clean"). Entries are written atomically, so
concurrent runs never read half an entry; a damaged entry is a miss. Nothing that resolves outside the
repository is read, and a `.railcheck_cache` that is not a plain folder disables the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from railcheck import __version__
from railcheck._resources import resource_dir
from railcheck.cache_store import CacheFolder
from railcheck.repository import decide_outermost_first, outside_lexically, parent_of as _parent, read_regular_file

CACHE_DIR = ".railcheck_cache"
_STAT_FILE = "stat.json"
_RACY_SECONDS = 2.0
MAX_ENTRIES = 16  # results of the last few states (branches, stashes) are worth keeping; more is clutter


# Paths are repo-relative POSIX strings here: the cache runs over every file of the repository on every run,
# where PurePosixPath joins and comparisons cost the most.


class Confinement:
    """Which folders of a repository are inside it once links are resolved: one lstat per folder, cached,
    and a resolution only for a folder that is a link. Decided outermost first, without recursion, so a
    path of any depth is fine."""

    def __init__(self, root: Path) -> None:
        self.root = root  # resolved
        self._folders: dict[str, bool] = {".": True}

    def inside(self, folder: str) -> bool:
        return not outside_lexically(folder) and decide_outermost_first(folder, self._folders, self._decide)

    def _decide(self, folder: str) -> bool:
        if not self._folders[_parent(folder)]:
            return False
        full = f"{self.root}/{folder}"
        try:
            link = stat.S_ISLNK(os.lstat(full).st_mode)
        except (OSError, ValueError):
            link = False
        return not link or Path(os.path.realpath(full)).is_relative_to(self.root)


class ResultCache:
    """One repository's cache folder; every method fails soft (a miss), never raising."""

    def __init__(self, root: Path) -> None:
        self.folder = CacheFolder(root / CACHE_DIR)
        self.root = Path(os.path.realpath(root))  # confinement is judged on resolved paths
        # Without a private secret, or with a .railcheck_cache that is a link or a file (a cloned repository
        # can commit one), the repository runs without a cache.
        self.usable = self.folder.usable
        self._stats: dict[str, list[Any]] = self._load_stats() if self.usable else {}
        self._stamps: dict[str, list[int]] = {}  # the stamp of every file `key` hashed, this run
        self._missing: set[str] = set()  # files `key` found absent
        self.confinement = Confinement(self.root)
        self._root_stamp: list[int] | None = None  # the top level's when `key` ran; its entries are keyed one by one
        self._started = time.time()

    def tracked(self) -> bool:
        """Whether git tracks the cache folder (asked only when the folder exists: a checkout that holds a
        tracked one has created it)."""
        if not os.path.lexists(self.folder.path):
            return False
        from railcheck.git import GitCheckout

        checkout = GitCheckout.holding(self.folder.path.parent)
        return checkout is not None and bool(checkout.run("ls-files", "-z", "--", CACHE_DIR))

    # --- keys ----------------------------------------------------------------------------------

    def key(self, files: Iterable[str], settings: dict[str, Any], config_text: str | None) -> str:
        """The key of a check over `files` (repo-relative paths, from `inputs`) with these settings."""
        self._root_stamp = self._stamp_of(".")
        digest = hashlib.sha256()
        # The Python version too: `ast` accepts different syntax in each (a 3.12 `type` statement fails on 3.11).
        python = f"{sys.implementation.name}-{'.'.join(map(str, sys.version_info[:3]))}"
        identity = {"version": __version__, "python": python, "settings": settings, "config": config_text, "code": _code_hash()}
        digest.update(json.dumps(identity, sort_keys=True).encode())
        for path in sorted(files):
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + self._file_hash(path).encode() + b"\n")
        return digest.hexdigest()

    def changed_since_key(self, files: Iterable[str]) -> bool:
        """Whether any of `files` appeared, disappeared or changed its stamp since `key` hashed it: a run that
        read a file mid-edit must not store its findings under the old content."""
        for path in files:
            if not self.confinement.inside(_parent(path)):
                continue
            try:
                status = os.lstat(f"{self.root}/{path}")
            except (OSError, ValueError):
                if path not in self._missing:
                    return True
                continue
            # A folder's stamp changes when an entry is added or removed: a file created during the run.
            if path in self._missing or self._stamps.get(path) != _stamp(status):
                return True
        return self._root_stamp != self._stamp_of(".")

    def _file_hash(self, path: str) -> str:
        if not self.confinement.inside(_parent(path)):
            return "outside"  # reached through a linked folder that leaves the repository: never read
        absolute = f"{self.root}/{path}"
        try:
            status = os.lstat(absolute)
        except (OSError, ValueError):  # ValueError: a configured path with a NUL character
            self._missing.add(path)
            return "missing"
        self._missing.discard(path)
        stamp = self._stamps[path] = _stamp(status)
        if stat.S_ISDIR(status.st_mode):
            return "folder"  # its presence is the input; its entries are listed on their own
        recorded = self._stats.get(path)
        # A link's own time says nothing of its target's content, so a link is hashed afresh every run.
        link = stat.S_ISLNK(status.st_mode)
        if recorded and recorded[:4] == stamp and not link:
            return str(recorded[4])
        content = self._link_hash(absolute) if link else _content_hash(absolute, status)
        # A file modified just now may change again within its timestamp's granularity, keeping the same
        # stamp ("racily clean", as git calls it): its hash is never kept for reuse, so the next run reads it.
        if link or status.st_mtime >= self._started - _RACY_SECONDS:
            self._stats.pop(path, None)
        else:
            self._stats[path] = [*stamp, content]
        return content

    def _link_hash(self, absolute: str) -> str:
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

    # --- dependencies --------------------------------------------------------------------------
    # The key covers the files below the walked folders. A check may also look elsewhere: a command names
    # `node_modules/x.sh` (a folder the walk skips), an IaC service's config file outside its root. Those
    # observations are stored with the entry, each with its hash, and an entry whose dependencies changed
    # is a miss.

    def dependencies(self, observed: Iterable[str], files: Iterable[str], walked: set[str]) -> dict[str, str] | None:
        """The hash of everything in `observed` (Repository.observed) that the key does not cover; None when
        one of them changed too recently to tell whether the check saw it before or after (do not store)."""
        keyed = set(files)
        found = {}
        for path in observed:
            if path.endswith("/"):  # a listing
                folder = path[:-1] or "."
                if folder not in walked:
                    found[path] = self._listing_hash(folder)
                    if self._recent(folder):
                        return None
            elif path not in keyed and _parent(path) not in walked and self._folder_exists(_parent(path)):
                # (Below a missing folder nothing is there to change: the check also observed that folder,
                # and the first missing one has an existing parent, so it is keyed or a dependency itself.)
                found[path] = self._file_hash(path)
                if self._recent(path):
                    return None
        return found

    def _folder_exists(self, folder: str) -> bool:
        return self.confinement.inside(folder) and os.path.isdir(f"{self.root}/{folder}")

    def _recent(self, path: str) -> bool:
        """Whether `path` changed within the racy window before this run began, or since: by its change
        time (which `touch -d` cannot set ahead, unlike the modification time), or, when it is missing, by
        its folder's (a deletion during the run)."""
        for candidate in (path, _parent(path)):
            if not self.confinement.inside(_parent(candidate)):
                return False
            try:
                return os.lstat(f"{self.root}/{candidate}").st_ctime >= self._started - _RACY_SECONDS
            except (OSError, ValueError):
                continue
        return False

    def _stamp_of(self, path: str) -> list[int] | None:
        try:
            return _stamp(os.lstat(f"{self.root}/{path}"))
        except (OSError, ValueError):
            return None

    def _listing_hash(self, folder: str) -> str:
        if not self.confinement.inside(folder):
            return "outside"
        try:
            names = sorted(entry.name for entry in os.scandir(f"{self.root}/{folder}") if not (folder == "." and entry.name == CACHE_DIR))
        except (OSError, ValueError):
            return "unlisted"
        return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()

    def _still(self, dependencies: dict[str, str]) -> bool:
        return all((self._listing_hash(path[:-1] or ".") if path.endswith("/") else self._file_hash(path)) == digest for path, digest in dependencies.items())

    # --- entries -------------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry stored under `key`, unless it is damaged or something it depends on has changed."""
        if not self.usable:
            return None
        text = self.folder.read(f"{key}.json")
        if text is None:
            return None
        try:
            entry = json.loads(text)
            return entry if isinstance(entry, dict) and self._still(dict(entry.get("dependencies", {}))) else None
        except (ValueError, TypeError, AttributeError, RecursionError):
            return None

    def put(self, key: str, value: dict[str, Any], dependencies: dict[str, str] | None = None) -> None:
        if not self.usable:
            return
        self.folder.write(f"{key}.json", json.dumps({**value, "dependencies": dependencies or {}}))
        self.folder.write(_STAT_FILE, json.dumps({"files": self._stats}))
        self.folder.evict(MAX_ENTRIES, protected=_STAT_FILE)

    def _load_stats(self) -> dict[str, list[Any]]:
        text = self.folder.read(_STAT_FILE)
        if text is None:
            return {}
        try:
            document = json.loads(text)
            return {path: entry for path, entry in dict(document["files"]).items() if isinstance(entry, list) and len(entry) == 5}
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return {}  # no trustworthy record: hash everything


def _stamp(status: os.stat_result) -> list[int]:
    """What says a file may have changed without reading it, as git's index keeps it: size, modification
    and change times, inode (`cp -p` keeps the size and modification time, not the other two)."""
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


def _content_hash(absolute: str | Path, status: os.stat_result) -> str:
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


def tree_files(root: Path, folders: Iterable[str], skipped: frozenset[str], confinement: Confinement | None = None, walked: set[str] | None = None) -> Iterator[str]:
    """Every file, folder and link below `folders`, skipping what discovery skips. Folders count because an
    empty one is still an importable namespace package for a start module. A link counts by its target (a
    relinked folder changes what a check sees), and a link to a folder inside the repository is walked at
    its target, whose files a check reads through it; nothing that resolves outside is walked. `walked`
    receives every folder walked."""
    root = Path(os.path.realpath(root))
    confinement = confinement or Confinement(root)
    seen: set[str] = walked if walked is not None else set()
    stack = [folder for folder in folders if confinement.inside(folder)]
    while stack:
        folder = stack.pop()
        if folder in seen:
            continue  # walked already (as a target, below another one, or as a link's target)
        seen.add(folder)
        prefix = "" if folder == "." else f"{folder}/"
        if prefix:
            yield folder
        try:
            with os.scandir(f"{root}/{prefix}") as listing:
                entries = list(listing)
        except (OSError, ValueError):  # ValueError: a configured root with a NUL character
            continue
        for entry in entries:
            path = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in skipped:
                    yield path  # its existence is keyed (rules test `.venv`); what is looked at inside is a dependency
                else:
                    stack.append(path)
                continue
            yield path
            if entry.is_symlink():
                target = Path(os.path.realpath(entry.path))
                if target.is_relative_to(root) and os.path.isdir(target):  # False, not an error, where it may not be searched
                    stack.append(target.relative_to(root).as_posix())


def inputs(root: Path, targets: Iterable[PurePosixPath], roots: Iterable[PurePosixPath], extra: Iterable[PurePosixPath], skipped: frozenset[str], confinement: Confinement | None = None) -> tuple[list[str], set[str]]:
    """The files a check of `targets` can depend on, as repo-relative paths: everything below each target
    folder (a file's folder) and below the root directory of every service the check loads (`roots`, from
    discovery: a file outside every service makes it check them all), the repository's top-level entries,
    the ignore files above each target, and `extra` paths. Also returns the folders walked, whose every
    entry is therefore keyed."""
    root = Path(os.path.realpath(root))
    folders = {target if os.path.isdir(root / target) else target.parent for target in targets} | set(roots)
    walked: set[str] = set()
    files = set(tree_files(root, (str(folder) for folder in folders), skipped, confinement, walked))
    files.update(str(ancestor / ".gitignore") for folder in folders for ancestor in folder.parents)
    try:
        # Every top-level entry, folders included: rules test top-level names (a `railway.py` folder, say).
        files.update(entry.name for entry in os.scandir(root))
    except OSError:
        pass
    files.update(str(path) for path in extra)
    files.discard(CACHE_DIR)  # the first run creates it: the second would miss
    return sorted(files), walked


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
