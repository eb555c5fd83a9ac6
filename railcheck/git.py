"""Running git read-only on the repository the user checked out, so that nothing in the checkout runs.

A pull request controls every file below the work tree, and any folder holding `HEAD`, `objects/`,
`refs/` and `config` is a bare repository to git: run there, git would obey that `config`
(`core.fsmonitor`, `diff.external` and textconv drivers all run commands). So the repository is the
nearest `.git` entry above the checked folder (a name git never checks out, so no pull request can plant
one), every command names that git folder and work tree explicitly, bare repositories are ignored, the
command-running settings are switched off, and the environment carries no `GIT_*` variable of the caller.
Any failure is None: every use of git in railcheck is optional.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Settings given on the command line win over every configuration file, and `safe.bareRepository` is
# only obeyed from there (or the user's own configuration).
_HARDENING = (
    "-c", "safe.bareRepository=explicit",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "diff.external=",
    "-c", "core.quotePath=false",  # a non-ASCII path as written, not octal-escaped and quoted
)
_TIMEOUT_SECONDS = 30


def _environment() -> dict[str, str]:
    """The caller's locale, search path and home (for the user's own git configuration), nothing else:
    `GIT_DIR`, `GIT_CONFIG_PARAMETERS` and the like would redirect git or add settings."""
    kept = {name: value for name, value in os.environ.items() if name in ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "TMPDIR")}
    return {**kept, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}


def _run(arguments: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *_HARDENING, *arguments], cwd=cwd, env=_environment(), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, encoding="utf-8", errors="surrogateescape", timeout=_TIMEOUT_SECONDS, check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class GitCheckout:
    """A non-bare repository found from a folder inside its work tree; `run` runs git on exactly it."""

    git_dir: str
    work_tree: str
    folder: Path  # where commands run, so that `--relative` and `.` mean the checked folder

    @classmethod
    def holding(cls, folder: Path) -> GitCheckout | None:
        """The checkout whose work tree holds `folder`: the nearest `.git` folder or file above it (what git
        itself looks for first, but found here without git's discovery, which would stop at a bare layout)."""
        folder = Path(os.path.abspath(folder))
        for candidate in (folder, *folder.parents):
            if os.path.lexists(candidate / ".git"):
                return cls(str(candidate / ".git"), str(candidate), folder)
        return None

    def run(self, *arguments: str) -> str | None:
        return _run([f"--git-dir={self.git_dir}", f"--work-tree={self.work_tree}", *arguments], self.folder)
