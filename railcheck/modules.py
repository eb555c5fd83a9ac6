"""Resolve Python module names and image paths against a service's root directory, statically.

The image's working directory `/app` is the root directory (docs/railpack-facts.md, "Image layout"), so `/app/x` means
`<root>/x`. Nothing is imported: resolution only asks the Repository which files exist.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath

from railcheck.repository import Repository

APP = "/app"


def image_path(root: PurePosixPath, cwd: str, value: str) -> PurePosixPath | None:
    """The repo path an image path refers to: `/app/x` and `x` (relative to `cwd`) map into `root`.

    None when the path lies outside `/app` (a system path) or climbs out of the root directory.
    """
    # A relative value from a working directory `cd` made absolute (`cd /app/api && uvicorn main:app`) is an
    # absolute path too.
    path = value if value.startswith("/") else posixpath.join(cwd, value)
    if path.startswith("/"):
        if path != APP and not path.startswith(APP + "/"):
            return None
        relative = path[len(APP) :].lstrip("/") or "."
    else:
        relative = path
    normal = posixpath.normpath(relative)
    if normal == ".." or normal.startswith("../"):
        return None
    return root if normal == "." else root / normal


def escapes_root(cwd: str, value: str) -> bool:
    """True when a relative path climbs above the root directory (`../shared` from the root)."""
    if value.startswith("/"):
        return False
    normal = posixpath.normpath(posixpath.join(cwd, value))
    return normal == ".." or normal.startswith("../")


def search_bases(
    root: PurePosixPath, cwd: str, extra_dirs: Iterable[str], pythonpath: Iterable[str]
) -> list[PurePosixPath]:
    """Where `import x` looks, in order: the working directory (and --app-dir style options), then PYTHONPATH."""
    bases = []
    # The working directory itself is "." from where the command stands; the other entries are relative to it.
    for value in (*extra_dirs, ".", *pythonpath):
        if not value:
            continue
        path = image_path(root, cwd, value)
        if path is not None and path not in bases:
            bases.append(path)
    return bases


def find_module(repository: Repository, bases: Iterable[PurePosixPath], module: str) -> PurePosixPath | None:
    """The file (or namespace folder) that `import module` finds first, or None.

    As Python's path finder looks in each search folder: a package (`x/__init__.py`) before a module (`x.py`);
    a folder without `__init__.py` is a namespace package only when no later folder holds a regular one.
    """
    parts = [part for part in module.split(".") if part]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    namespace = None
    dotted = "/".join(parts)
    for base in bases:
        # Candidates as text, a path object only for the one found: `base / "a" / "b"` is `f"{base}/a/b"` (or
        # `a/b` below "."), since a base is normalised and the parts are identifiers.
        path = dotted if str(base) == "." else f"{base}/{dotted}"
        for candidate in (f"{path}/__init__.py", f"{path}.py"):
            if repository.is_file(candidate):
                return PurePosixPath(candidate)
        if namespace is None and repository.is_dir(path):
            namespace = PurePosixPath(path)  # importable, though it defines nothing itself
    return namespace


def module_candidates(repository: Repository, root: PurePosixPath, module: str, cwd: str) -> list[str]:
    """Dotted module names, relative to `cwd`, of files under the root named like `module`'s last part."""
    last = module.split(".")[-1]
    base = image_path(root, cwd, ".") or root
    found = []
    for path in repository.files_under(root):
        if path.name != f"{last}.py" and not (path.name == "__init__.py" and path.parent.name == last):
            continue
        target = path.parent if path.name == "__init__.py" else path.with_suffix("")
        try:
            relative = target.relative_to(base)
        except ValueError:
            continue
        dotted = ".".join(relative.parts)
        if dotted and all(part.isidentifier() for part in relative.parts):
            found.append(dotted)
    return sorted(found)
