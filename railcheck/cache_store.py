"""The result cache's folder on disk, treated as untrusted: what it holds may have come with the checkout.

Every file railcheck stores there carries an HMAC made with a secret of the user's own, kept outside every
repository (`$XDG_CACHE_HOME/railcheck/secret`, else `~/.cache/railcheck/secret`, created mode 0600), so
a file another user, another machine or a pull request wrote never verifies and is ignored. Reads go
through `read_regular_file` (no link followed, no pipe waited on, a size limit); writes create a new file
with O_EXCL|O_NOFOLLOW in the folder opened without following a link, then rename it into place, so
neither a planted link nor a full disk can make railcheck write elsewhere or leave a half-written file.
Every method fails soft: without a secret, or on any error, there is simply no cache.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

from railcheck.files import read_regular_file
from railcheck.writing import FOLDER_FLAGS, create_file

IGNORE_FILE = ".gitignore"
IGNORE_TEXT = "# Created by railcheck: its result cache is never committed.\n*\n"
_SECRET_BYTES = 32
_MAX_FILE_BYTES = 256 * 1024 * 1024  # an entry holds the texts its findings point into; bounded all the same


def user_secret() -> bytes | None:
    """This user's secret, created on first use; None when there is no private place to keep one. Checked
    on every use (a few system calls): a secret that became readable to others is no secret any more."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None  # relative (or `~` unknown): it would depend on the working directory, maybe a checkout
    folder = os.path.join(base, "railcheck")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        descriptor = os.open(folder, FOLDER_FLAGS)
    except OSError:
        return None
    try:
        secret = _private_secret(descriptor)
        if secret is None and not _exists(descriptor, "secret"):
            # Written in full under a temporary name, then linked to its name: a concurrent first run finds
            # no secret or a complete one, never a short one.
            create_file(descriptor, "secret", os.urandom(_SECRET_BYTES), mode=0o600, replace=False)
            secret = _private_secret(descriptor)
        return secret
    finally:
        os.close(descriptor)


def _private_secret(folder: int) -> bytes | None:
    """The secret, if it is a regular file of the right size that only this user can read."""
    try:
        status = os.stat("secret", dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077:
        return None
    data = read_regular_file("secret", _SECRET_BYTES, dir_fd=folder)
    return data if data is not None and len(data) == _SECRET_BYTES else None


class CacheFolder:
    """`.railcheck_cache/` of one repository: authenticated files in, authenticated files out."""

    def __init__(self, folder: Path) -> None:
        self.path = folder
        self._secret = user_secret()

    @property
    def usable(self) -> bool:
        return self._secret is not None and _is_folder_or_absent(self.path)

    def read(self, name: str) -> str | None:
        """The text stored as `name`, if this user stored it (unchanged since); else None."""
        folder = self._open(create=False)
        if folder is None:
            return None
        try:
            data = read_regular_file(name, _MAX_FILE_BYTES, dir_fd=folder)
        finally:
            os.close(folder)
        if data is None or self._secret is None:
            return None
        mac, _, body = data.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(name, body)):
            return None  # written by someone else, or altered
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def write(self, name: str, text: str) -> None:
        if self._secret is None:
            return
        folder = self._open(create=True)
        if folder is None:
            return
        try:
            if not _exists(folder, IGNORE_FILE):  # whatever stands there (even a link) is left alone
                create_file(folder, IGNORE_FILE, IGNORE_TEXT.encode(), mode=0o644)
            body = text.encode("utf-8", "surrogateescape")
            create_file(folder, name, self._mac(name, body) + b"\n" + body, mode=0o600)
        finally:
            os.close(folder)

    def names(self, prefix: str, limit: int) -> list[str]:
        """The names of the (at most `limit`) files starting with `prefix`, the most recently written first."""
        folder = self._open(create=False)
        if folder is None:
            return []
        try:
            with os.scandir(folder) as listing:
                found = [
                    (entry.stat(follow_symlinks=False).st_mtime_ns, entry.name)
                    for entry in listing
                    if entry.name.startswith(prefix)
                ]
        except OSError:
            return []
        finally:
            os.close(folder)
        # No more than a full folder's worth: names beyond that were not written by railcheck's eviction.
        return [name for _, name in sorted(found, reverse=True)][:limit]

    def evict(self, keep: int, protected: str) -> None:
        """Remove all but the `keep` most recently written entries (`*.json` other than `protected`)."""
        folder = self._open(create=False)
        if folder is None:
            return
        try:
            with os.scandir(folder) as listing:
                entries = [
                    (entry.stat(follow_symlinks=False).st_mtime, entry.name)
                    for entry in listing
                    if entry.name.endswith(".json") and entry.name != protected
                ]
            for _, name in sorted(entries)[:-keep]:
                os.unlink(name, dir_fd=folder)
        except OSError:
            pass  # another run may be evicting the same files
        finally:
            os.close(folder)

    def _mac(self, name: str, body: bytes) -> bytes:
        # The name is signed too: an entry moved to another key's name does not verify.
        assert self._secret is not None
        return hmac.new(self._secret, name.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()

    def _open(self, create: bool) -> int | None:
        """The folder, opened without following a link (so every later step acts inside it); None when it
        is absent (and not to be created), a link, or not a folder."""
        try:
            if create:
                try:
                    os.mkdir(self.path, 0o755)
                except FileExistsError:
                    pass
            return os.open(self.path, FOLDER_FLAGS)
        except OSError:
            return None


def _exists(folder: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return True  # unknown: do not touch it


def _is_folder_or_absent(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
