"""Which lines a change touched, from git: used to put annotations on changed lines first in CI.

Runs `git merge-base` and `git diff` on the checkout (railcheck.git says how, safely); never fetches. Any
failure means "unknown" (None), never an error: ordering annotations is a nicety.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def changed_lines(root: Path, base: str) -> dict[PurePosixPath, frozenset[int]] | None:
    """Lines added or changed since `base` (its merge base with HEAD), by repo-relative path."""
    from railcheck.git import GitCheckout

    checkout = GitCheckout.holding(root)
    if checkout is None or base.startswith("-"):  # a "ref" like `--output=FILE` would be an option to git
        return None
    merge_base = checkout.run("merge-base", base, "HEAD")
    if merge_base is None:
        return None
    # No external diff program and no textconv driver: both would run commands the checkout names.
    diff = checkout.run("diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--relative", merge_base.strip(), "--", ".")
    return None if diff is None else parse_diff(diff)


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
