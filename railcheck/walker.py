"""The one folder walker: what railcheck may look at below a folder, with the policy as a parameter.

Defined once here, for discovery (which folders hold services) and for the repository's file listings
(`Repository.files_under`, what rules search below a service):
- a linked folder is never entered, whatever the policy: a link can lead out of the repository or in a loop
  (a listing's entry is a `FOLDER` only when it is a folder itself, never a link to one);
- the policy's `skipped` names (VCS metadata, dependency trees, caches: `layout.SKIPPED_DIRS`) are never
  entered;
- its `ignore` files, when given, prune folders as git would (discovery's `.gitignore` files, git's exclude
  files and the configured `exclude`, railcheck/ignore_files.py);
- its `file_limit` stops a listing of files.
Listing a folder is the caller's: the repository lists through its cache, which records what the result
cache depends on; discovery lists with `scandir` and records the folders it cannot list. Folders are
visited breadth first, so a limit keeps the files nearest the start. Imports nothing of railcheck but the
layout constants.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from railcheck.layout import GITIGNORE, SKIPPED_DIRS

# What a folder entry is, as one `scandir` reports it without following links.
FILE, FOLDER, LINK, OTHER = "file", "folder", "link", "other"


def entry_kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_symlink():
            return LINK
        if entry.is_dir(follow_symlinks=False):
            return FOLDER
        return FILE if entry.is_file(follow_symlinks=False) else OTHER
    except OSError:
        return OTHER


# A folder's listing: entry name -> kind (FILE, FOLDER, LINK or OTHER); None when it cannot be listed.
Listing = Mapping[str, str]
ListFolder = Callable[[PurePosixPath], Listing | None]
# The ignore files that apply below a folder, outermost first, as the ignore policy keeps them.
Specs = tuple[tuple[str, Any], ...]

if TYPE_CHECKING:
    # For the type checker only: creating a Protocol class costs a pre-commit run's start-up time.
    class IgnorePolicy(Protocol):
        """Ignore files weighed as git weighs them (railcheck/ignore_files.py implements it)."""

        def specs_above(self, folder: PurePosixPath) -> Specs:
            """The ignore files of the folders strictly above `folder`."""
            ...

        def with_spec_of(self, folder: PurePosixPath, specs: Specs) -> Specs:
            """`specs` and the patterns of `folder`'s own ignore file."""
            ...

        def ignored(self, folder: PurePosixPath, specs: Specs) -> bool:
            """Whether `folder` is ignored, given the ignore files above it."""
            ...


class WalkPolicy(NamedTuple):
    """What a walk may enter and how far it goes (links are never entered; see the module docstring)."""

    # A NamedTuple, not a frozen dataclass: as immutable, and a fifth of the cost at import, which every
    # pre-commit run pays.

    skipped: frozenset[str] = SKIPPED_DIRS
    ignore: IgnorePolicy | None = None
    file_limit: int | None = None


def child_of(folder: PurePosixPath, name: str) -> PurePosixPath:
    # The repository root is "."; joining to it directly is the common case and the cheaper one.
    return folder / name if str(folder) != "." else PurePosixPath(name)


def walk(start: PurePosixPath, list_folder: ListFolder, policy: WalkPolicy) -> Iterator[tuple[PurePosixPath, Listing]]:
    """Every folder the policy lets a walk from `start` enter, with its listing, breadth first (`start`
    first). A folder that cannot be listed is left out, and so is everything below it."""
    ignore = policy.ignore
    # Each folder carries the ignore files of the folders above it, so a folder's own ignore file is read only
    # when its listing shows one, and a repository without any costs no pattern matching at all.
    queue = deque([(start, ignore.specs_above(start) if ignore is not None else ())])
    while queue:
        folder, specs = queue.popleft()
        listing = list_folder(folder)
        if listing is None:
            continue
        yield folder, listing
        if ignore is not None and GITIGNORE in listing:
            specs = ignore.with_spec_of(folder, specs)
        for name, kind in listing.items():
            if kind != FOLDER or name in policy.skipped:
                continue
            child = child_of(folder, name)
            if ignore is None or not ignore.ignored(child, specs):
                queue.append((child, specs))


def walk_files(start: PurePosixPath, list_folder: ListFolder, policy: WalkPolicy) -> Iterator[PurePosixPath]:
    """The files below `start` (anything listed that is neither a folder nor a link: a link may lead out of
    the repository), breadth first, at most `policy.file_limit`. No folder is listed once the limit is
    reached, so a caller that records what it listed records no more than the answer needs."""
    limit = policy.file_limit
    if limit is not None and limit <= 0:
        return
    count = 0
    for folder, listing in walk(start, list_folder, policy):
        for name, kind in listing.items():
            if kind in (FOLDER, LINK):
                continue
            yield child_of(folder, name)
            count += 1
            if count == limit:
                return
