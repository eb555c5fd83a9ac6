"""Creating files the safe way: a new file (O_EXCL|O_NOFOLLOW) in a folder opened without following a
link, renamed into place. A link planted where railcheck writes is replaced, never written through; an
interrupted or failed write (a full disk) leaves the old file and no temporary one.
"""

from __future__ import annotations

import os

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
FOLDER_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def create_file(folder: int, name: str, data: bytes, mode: int | None = None, replace: bool = True) -> bool | None:
    """Store `data` as `name` in the open folder: written to a new file (never through a link, never over
    another file), then renamed over `name` (`replace`) or linked to it unless it exists. True when
    written, False when `name` existed (and `replace` is off), None on failure, leaving nothing behind.
    `mode` None: as the umask allows."""
    temporary = f".{os.urandom(8).hex()}.tmp"
    try:
        descriptor = os.open(temporary, _CREATE, 0o666 if mode is None else mode, dir_fd=folder)
    except OSError:
        return None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            if mode is not None:
                os.fchmod(descriptor, mode)  # exactly this, whatever the umask
        finally:
            os.close(descriptor)
        if replace:
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            return True
        try:
            os.link(temporary, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
            return True
        except FileExistsError:
            return False
    except OSError:
        return None
    finally:
        try:
            os.unlink(temporary, dir_fd=folder)
        except OSError:
            pass  # renamed into place, as intended
