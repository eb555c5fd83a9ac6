"""Which lines a change touched, from git: used to put annotations on changed lines first in CI.

Runs `git merge-base` and `git diff` on the checkout (railcheck.git says how, safely); never fetches. The
diff compares two commits, the merge base and HEAD, never the work tree: comparing files on disk makes git
run the clean filters the checkout's attributes name. Only the given paths are compared, and at most
MAX_DIFF_BYTES of diff are read. Any failure means "unknown" (None), never an error: ordering annotations
is a nicety; `warn` hears why when it is not an ordinary one (no such ref).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
MAX_DIFF_BYTES = 16 * 1024 * 1024
_PATHS_PER_COMMAND = 500  # far below any system's limit on the length of a command line


def changed_lines(
    root: Path,
    base: str,
    paths: Iterable[PurePosixPath] | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[PurePosixPath, frozenset[int]] | None:
    """Lines added or changed between `base` (its merge base with HEAD) and HEAD, by repo-relative path;
    only `paths` (all of `root` when None) are compared."""
    from railcheck.git import GitCheckout, GitOutputTooLarge

    checkout = GitCheckout.holding(root, warn)
    if checkout is None or base.startswith("-"):  # a "ref" like `--output=FILE` would be an option to git
        return None
    merge_base = checkout.run("merge-base", base, "HEAD")
    if merge_base is None:
        return None
    wanted = ["."] if paths is None else sorted({str(path) for path in paths})
    found: dict[PurePosixPath, frozenset[int]] = {}
    budget = MAX_DIFF_BYTES
    for start in range(0, len(wanted), _PATHS_PER_COMMAND):
        # No external diff program and no textconv driver: both would run commands the checkout names.
        arguments = (
            "--literal-pathspecs",
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--relative",
            merge_base.strip(),
            "HEAD",
            "--",
        )
        try:
            diff = checkout.run(*arguments, *wanted[start : start + _PATHS_PER_COMMAND], limit=budget)
        except GitOutputTooLarge:
            if warn is not None:
                warn(
                    f"railcheck: warning: the diff since {base} is larger than {MAX_DIFF_BYTES // 1024} KiB; findings"
                    " are not ordered by changed lines"
                )
            return None
        if diff is None:
            return None
        budget -= len(diff.encode("utf-8", "surrogateescape"))
        found.update(parse_diff(diff))
    return found


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
