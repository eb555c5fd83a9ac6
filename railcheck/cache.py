"""Result cache: a run over an unchanged repository replays the previous report instead of checking again.

An entry is found by its key and kept only while what the check read is unchanged. The key names what the
check is: railcheck's version, the hashes of its rules and schemas, the Python version, the configuration,
the options that change findings, and the services discovery found for the targets (discovery runs on every
run, cached or not, so a new or removed service, or an ignore file that hides one, changes the key). The
entry holds the content hash of everything the check looked at through the repository (`Repository.observed`:
each file read, each name tested, each folder listed, with the kinds of its entries) and nothing else, so
files no rule reads cost nothing however many there are. Several entries per key keep a few recent states.
File hashes are reused from the previous run while a file's size, times and inode are unchanged, as git's
index does, except for files modified within two seconds of the run ("racily clean"); findings for a check
during which something it read changed are never stored. The folder itself is untrusted (cache_store.py):
entries are authenticated, read confined and written without following links. Nothing that resolves outside
the repository is read: the cache asks the repository's own `Confinement`, so it hashes exactly what reads
may reach.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from railcheck import __version__
from railcheck._resources import resource_dir
from railcheck.cache_store import CacheFolder
from railcheck.files import Stamp, read_regular_file, stamp_of
from railcheck.layout import CACHE_DIR
from railcheck.repository import Confinement
from railcheck.repository import parent_of as _parent
from railcheck.walker import entry_kind

_STAT_FILE = "stat.json"
_RACY_SECONDS = 2.0
MAX_ENTRIES = 16  # results of the last few states (branches, stashes) are worth keeping; more is clutter


# Paths are repo-relative POSIX strings here: the cache runs over every file of the repository on every run,
# where PurePosixPath joins and comparisons cost the most.


class ResultCache:
    """One repository's cache folder; every method fails soft (a miss), never raising."""

    def __init__(self, root: Path) -> None:
        self.folder = CacheFolder(root / CACHE_DIR)
        self.root = Path(os.path.realpath(root))  # confinement is judged on resolved paths
        # Without a private secret, or with a .railcheck_cache that is a link or a file (a cloned repository
        # can commit one), the repository runs without a cache.
        self.usable = self.folder.usable
        self._stats: dict[str, list[Any]] = {}
        # The stamp of the git index when git last said the cache folder is not tracked: until the index
        # changes, the answer cannot change, and git is not asked again (a process costs a warm run 5%).
        self._untracked_at: list[int] | None = None
        if self.usable:
            self._load_stats()
        self.confinement = Confinement(self.root)
        self._started = time.time()

    def tracked(self) -> bool:
        """`cache_folder_tracked`, without asking git again while the git index is as it was when git last
        said no (remembered in the authenticated stat.json; a process costs a warm run about 5%)."""
        tracked, index = cache_folder_tracked(self.root, self._untracked_at)
        if not tracked and index is not None and index != self._untracked_at and self.usable:
            self._untracked_at = index
            self.folder.write(_STAT_FILE, json.dumps({"files": self._stats, "untracked_at": index}))
        return tracked

    # --- keys ---------------------------------------------------------------------------------

    def key(self, plan: Any, settings: dict[str, Any], config_text: str | None) -> str:
        """The key of a check of the services `plan` (discovery.Plan) with these settings."""
        # The Python version too: `ast` accepts different syntax in each (a 3.12 `type` statement fails on 3.11).
        python = f"{sys.implementation.name}-{'.'.join(map(str, sys.version_info[:3]))}"
        services = {
            "folders": [str(folder) for folder in plan.folders],
            "declared": [declaration.name for declaration in plan.declarations],
            "discovered": plan.discovered,
            "iac": list(plan.iac_services),
            "iac_roots": [str(root) for root in plan.iac_roots],
            # Folders discovery could not list (RC001): an ignore file that starts or stops skipping one
            # changes the findings without changing any file the check reads.
            "unlisted": [str(folder) for folder, _ in plan.unlisted],
        }
        identity = {
            "version": __version__,
            "python": python,
            "settings": settings,
            "config": config_text,
            "code": _code_hash(),
            "services": services,
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def _file_hash(self, path: str) -> str:
        if not self.confinement.inside(_parent(path)):
            return "outside"  # reached through a linked folder that leaves the repository: never read
        absolute = f"{self.root}/{path}"
        try:
            status = os.lstat(absolute)
        except (OSError, ValueError):  # ValueError: a configured path with a NUL character
            return "missing"
        stamp = _stamp(status)
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
        if not self.confinement.leads_inside(resolved):
            return f"link:{target}"
        try:
            return f"link:{target}:{_content_hash(resolved, os.stat(resolved))}"
        except OSError:
            return f"link:{target}:missing"

    # --- what the check read -----------------------------------------------------------------

    def dependencies(self, observed: Mapping[str, Stamp | None]) -> dict[str, str] | None:
        """The hash of everything in `observed` (Repository.observed: paths, and folders listed with a
        trailing "/"); None when something the check read has changed since it read it, or, where no stamp
        was taken, changed too recently to tell (do not store)."""
        found: dict[str, str] = {}
        missing: set[str] = set()
        for path in sorted(observed):  # a folder before what is below it
            name = path[:-1] or "." if path.endswith("/") else path
            # Below a missing folder nothing can change unless the folder appears, which is recorded already:
            # a path a thousand folders deep is one dependency, not a thousand.
            if name != "." and _parent(name) in missing:
                missing.add(name)
                continue
            found[path] = self._listing_hash(name) if path.endswith("/") else self._file_hash(path)
            if found[path] == "missing":
                missing.add(name)
        # Compared after hashing: what was hashed is what the check read when every stamp is still the same.
        for path, source in observed.items():
            if path not in found:
                continue
            if source is None:
                if self._recent(path.rstrip("/") or "."):
                    return None
                continue
            where, before = source
            try:
                if stamp_of(os.stat(f"{self.root}/{where}")) != before:
                    return None
            except (OSError, ValueError):
                return None
        return found

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

    def _listing_hash(self, folder: str) -> str:
        """The names in `folder` with the kind of each (as the listing says, without a system call per
        entry): a check that walks a folder sees both."""
        if not self.confinement.inside(folder):
            return "outside"
        try:
            with os.scandir(f"{self.root}/{folder}") as listing:
                names = sorted(
                    f"{entry.name}\0{entry_kind(entry)}"
                    for entry in listing
                    if not (folder == "." and entry.name == CACHE_DIR)
                )
        except (OSError, ValueError):
            return "unlisted"
        return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()

    def _still(self, dependencies: dict[str, str]) -> bool:
        return all(
            (self._listing_hash(path[:-1] or ".") if path.endswith("/") else self._file_hash(path)) == digest
            for path, digest in dependencies.items()
        )

    # --- entries -------------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        """An entry stored under `key` whose every dependency is unchanged (the newest first); None when
        there is none, or it is damaged."""
        if not self.usable:
            return None
        for name in self.folder.names(f"{key}-", MAX_ENTRIES):
            text = self.folder.read(name)
            if text is None:
                continue
            try:
                entry = json.loads(text)
                if isinstance(entry, dict) and self._still(dict(entry.get("dependencies", {}))):
                    return entry
            except (ValueError, TypeError, AttributeError, RecursionError):
                continue
        return None

    def put(self, key: str, value: dict[str, Any], dependencies: dict[str, str]) -> None:
        if not self.usable:
            return
        # One entry per key and state of what the check read: switching back to a branch replays its entry.
        state = hashlib.sha256(json.dumps(dependencies, sort_keys=True).encode()).hexdigest()[:16]
        self.folder.write(f"{key}-{state}.json", json.dumps({**value, "dependencies": dependencies}))
        self.folder.write(_STAT_FILE, json.dumps({"files": self._stats, "untracked_at": self._untracked_at}))
        self.folder.evict(MAX_ENTRIES, protected=_STAT_FILE)

    def _load_stats(self) -> None:
        text = self.folder.read(_STAT_FILE)
        if text is None:
            return
        try:
            document = json.loads(text)
            self._stats = {
                path: entry
                for path, entry in dict(document["files"]).items()
                if isinstance(entry, list) and len(entry) == 5
            }
            untracked_at = document.get("untracked_at")
            self._untracked_at = untracked_at if isinstance(untracked_at, list) else None
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            self._stats = {}  # no trustworthy record: hash everything


def cache_folder_tracked(root: Path, untracked_at: list[int] | None = None) -> tuple[bool, list[int] | None]:
    """Whether git tracks `root`'s cache folder, and the stamp of the git index the answer holds for (None
    when there is none to remember). Git is asked only when the folder exists (a checkout that holds a
    tracked one has created it) and the index differs from `untracked_at`, the last one git said no for."""
    folder = Path(root) / CACHE_DIR
    if not os.path.lexists(folder):
        return False, None
    from railcheck.git import GitCheckout

    checkout = GitCheckout.holding(Path(root))
    if checkout is None:
        return False, None
    try:  # a linked worktree's `.git` is a file naming its git folder elsewhere: asked every time
        index = list(stamp_of(os.stat(f"{checkout.git_dir}/index"))) if os.path.isdir(checkout.git_dir) else None
    except OSError:
        index = None
    if index is not None and index == untracked_at:
        return False, index
    return bool(checkout.run("ls-files", "-z", "--", CACHE_DIR)), index


def _stamp(status: os.stat_result) -> list[int]:
    """The file's stamp (`repository.stamp_of`) as the stat file keeps it in JSON."""
    return list(stamp_of(status))


def _content_hash(absolute: str | Path, status: os.stat_result) -> str:
    """The content hash of a regular file railcheck would read; a pipe, device or oversized file (which
    railcheck reports without reading) is keyed by its kind, size and time instead of being read."""
    data = read_regular_file(absolute) if stat.S_ISREG(status.st_mode) else None
    if data is None:
        return f"unread:{stat.S_IFMT(status.st_mode)}:{status.st_size}:{status.st_mtime_ns}"
    return hashlib.sha256(data).hexdigest()


def _code_hash() -> str:
    """Hash of railcheck's own code, built-in rules and schemas, so changed code never replays old findings."""
    return hash_code_folders((resource_dir("rules"), resource_dir("schemas"), Path(__file__).resolve().parent))


def hash_code_folders(folders: Iterable[Path]) -> str:
    """Hash of every .py and .json file below `folders`, at any depth: a subpackage left out (sources/iac/,
    lsp/) would replay findings made by older code after an upgrade."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts and path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
