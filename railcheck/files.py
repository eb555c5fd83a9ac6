"""Reading one file of a checked repository safely: a regular file only, opened without following a link and
without blocking, size-limited; and the stamp (size, times, inode) that says whether it changed since.

The lowest layer of file access: git.py, the walker, the repository and the cache all read through it, and
it imports nothing of railcheck but the layout constants.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from railcheck.layout import MAX_FILE_BYTES

# Where a piece of information came from and that file's or folder's stamp when it was taken (size, times,
# inode, as git's index keeps them): the result cache compares it after the check, so findings that read a
# file mid-edit are never stored.
Stamp = tuple[str, tuple[int, int, int, int]]


def stamp_of(status: os.stat_result) -> tuple[int, int, int, int]:
    """What says a file may have changed without reading it: size, modification and change times, inode
    (`cp -p` keeps the size and modification time, not the other two)."""
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def read_regular_file(path: str | Path, limit: int = MAX_FILE_BYTES, dir_fd: int | None = None) -> bytes | None:
    """The bytes of `path` (relative to the open folder `dir_fd`, when given) when it is a regular file of
    at most `limit` bytes, opened without following a link and without blocking (a pipe never makes the run
    wait); None for anything else."""
    return read_regular_file_stamped(path, limit, dir_fd)[0]


def read_regular_file_stamped(
    path: str | Path, limit: int = MAX_FILE_BYTES, dir_fd: int | None = None
) -> tuple[bytes | None, os.stat_result | None]:
    """`read_regular_file`, with the file's status as it was opened (None when it was not read)."""
    try:
        descriptor = os.open(
            path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), dir_fd=dir_fd
        )
    except (OSError, ValueError):  # ValueError: a NUL character in the path
        return None, None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None, None
        chunks = []
        size = 0
        while chunk := os.read(descriptor, max(status.st_size + 1 - size, 65536)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return None, None  # grew past the limit while being read
        return b"".join(chunks), status
    except OSError:
        return None, None
    finally:
        os.close(descriptor)
