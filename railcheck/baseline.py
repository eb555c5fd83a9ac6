"""Baselines: record today's findings so that a team adopting railcheck fails only on new ones.

A baseline file holds one fingerprint per finding (rule code, path and the offending line's text, never
its line number), so unrelated edits that shift lines keep matching. Entries that match nothing any more
are reported as stale (RC005), so the baseline only ever shrinks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from railcheck.codes import engine_diagnostic
from railcheck.types import Diagnostic

FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or written; the CLI exits 2."""


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    path: str
    fingerprint: str
    message: str


def _fingerprint(diagnostic: Diagnostic, texts: dict[PurePosixPath, str]) -> str:
    from railcheck.report.sarif import fingerprint

    return fingerprint(diagnostic, texts.get(diagnostic.path))


def _refuse_leaving(path: Path, resolved: str, root: Path) -> None:
    """Refuse a baseline named inside the checked repository (`root`), where a pull request controls the
    folders and links, when its `resolved` location (the file's to read, the folder's to write) leaves the
    repository or lies in git's own folder."""
    import os

    from railcheck.repository import git_folders, resolves_into_git

    inside = Path(os.path.realpath(root))
    if not Path(os.path.abspath(path)).is_relative_to(root):
        return  # named by the user outside the repository: theirs
    if not Path(resolved).is_relative_to(inside):
        raise BaselineError(
            f"{path} is reached through a symbolic link outside the repository; railcheck does not follow it"
        )
    if resolves_into_git(Path(resolved), inside, git_folders(inside)):
        raise BaselineError(f"{path} is inside the git folder (.git), which railcheck never reads or writes")


def write(path: Path, diagnostics: Iterable[Diagnostic], texts: dict[PurePosixPath, str], root: Path) -> int:
    """Write a baseline of `diagnostics`; returns how many entries it holds. Inside the repository at
    `root`, only where it could be read back (never through a linked folder out of it, never into .git)."""
    import os

    _refuse_leaving(path, os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), path.name), root)
    entries = sorted(
        (
            {"code": d.code, "path": str(d.path), "fingerprint": _fingerprint(d, texts), "message": d.message}
            for d in diagnostics
        ),
        key=lambda entry: (entry["path"], entry["code"], entry["fingerprint"]),
    )
    document = {"version": FORMAT_VERSION, "tool": "railcheck", "findings": entries}

    from railcheck.writing import FOLDER_FLAGS, create_file

    # Staged and renamed: a link standing at `path` is replaced, never written through, and a failed write
    # (a full disk) leaves the old baseline.
    try:
        folder = os.open(path.parent, FOLDER_FLAGS & ~os.O_NOFOLLOW)  # the folder the user named, as named
    except OSError as error:
        raise BaselineError(f"cannot write baseline {path}: {error.strerror or error}") from error
    try:
        written = create_file(
            folder,
            path.name,
            (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape"),
        )
    finally:
        os.close(folder)
    if written is None:
        raise BaselineError(f"cannot write baseline {path}")
    return len(entries)


MAX_BASELINE_BYTES = 64 * 1024 * 1024


def read(path: Path, root: Path) -> list[Entry]:
    """The entries of the baseline at `path`. The file may sit in the checked repository (`root`), where a
    pull request controls it: a link from there out of the repository, a pipe, a device or an oversized
    file is refused, never read."""
    import os

    from railcheck.files import read_regular_file

    resolved = os.path.realpath(path)
    _refuse_leaving(path, resolved, root)
    if not os.path.exists(resolved):
        raise BaselineError(f"cannot read baseline {path}: no such file")
    data = read_regular_file(resolved, MAX_BASELINE_BYTES)
    if data is None:
        raise BaselineError(
            f"cannot read baseline {path}: not a regular file of at most {MAX_BASELINE_BYTES // 1024 // 1024} MiB"
        )
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("version") != FORMAT_VERSION:
            raise BaselineError(
                f"{path}: baseline version {document.get('version')!r} is not {FORMAT_VERSION}; write it again with"
                " --write-baseline"
            )
        return [
            Entry(item["code"], item["path"], item["fingerprint"], item.get("message", ""))
            for item in document["findings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise BaselineError(f"{path} is not a railcheck baseline: {error}") from error


def apply(
    entries: list[Entry],
    diagnostics: Iterable[Diagnostic],
    texts: dict[PurePosixPath, str],
    baseline_path: PurePosixPath,
) -> tuple[list[Diagnostic], int]:
    """Drop findings the baseline holds (each entry absorbs one finding); add RC005 for entries left over.

    Returns the remaining diagnostics and how many the baseline absorbed.
    """
    available = Counter(entry.fingerprint for entry in entries)
    kept: list[Diagnostic] = []
    absorbed = 0
    for diagnostic in diagnostics:
        key = _fingerprint(diagnostic, texts)
        if available[key] > 0:
            available[key] -= 1
            absorbed += 1
        else:
            kept.append(diagnostic)
    for entry in entries:
        if available[entry.fingerprint] > 0:
            available[entry.fingerprint] -= 1
            kept.append(
                engine_diagnostic(
                    "RC005",
                    baseline_path,
                    f"{entry.code} in {entry.path} is in the baseline but no longer found ({entry.message})",
                    "Refresh the baseline with `railcheck check --write-baseline FILE`.",
                )
            )
    return kept, absorbed
