"""Which lines a change touched, from git: used to put annotations on changed lines first in CI.

Runs `git merge-base` and `git diff` in the repository; never fetches. Any failure means "unknown" (None),
never an error: ordering annotations is a nicety.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def changed_lines(root: Path, base: str) -> dict[PurePosixPath, frozenset[int]] | None:
    """Lines added or changed since `base` (its merge base with HEAD), by repo-relative path."""
    def git(*args: str) -> str | None:
        try:
            # quotePath off: git would otherwise write a non-ASCII path as an octal-escaped quoted string.
            command = ["git", "-C", str(root), "-c", "core.quotePath=false", *args]
            done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="surrogateescape", timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    merge_base = git("merge-base", base, "HEAD")
    if merge_base is None:
        return None
    top = git("rev-parse", "--show-toplevel")
    diff = git("diff", "--unified=0", "--no-color", "--no-ext-diff", "--relative", merge_base.strip(), "--", ".")
    if diff is None or top is None:
        return None
    return parse_diff(diff)


def parse_diff(diff: str) -> dict[PurePosixPath, frozenset[int]]:
    """Added line numbers per new-side path of a unified diff."""
    found: dict[PurePosixPath, set[int]] = {}
    current: PurePosixPath | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:].strip()
            current = None if name == "/dev/null" else PurePosixPath(name[2:] if name.startswith("b/") else name)
        elif current is not None and (match := _HUNK.match(line)):
            start, count = int(match.group(1)), int(match.group(2) or "1")
            found.setdefault(current, set()).update(range(start, start + count))
    return {path: frozenset(lines) for path, lines in found.items()}
