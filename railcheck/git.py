"""Running git read-only on the repository the user checked out, so that nothing in the checkout runs.

A pull request controls every file below the work tree, and any folder holding `HEAD`, `objects/`,
`refs/` and `config` is a bare repository to git: run there, git would obey that `config`
(`core.fsmonitor`, `diff.external` and textconv drivers all run commands). So the repository is the
nearest `.git` entry above the checked folder (a name git never checks out, so no pull request can plant
one), every command names that git folder and work tree explicitly, bare repositories are ignored, the
command-running settings are switched off, and the environment carries no `GIT_*` variable of the caller.
A `.git` file (a linked worktree's or a submodule's) is trusted only when the folder it names is one git
made for that purpose (`<repository>/.git/worktrees/<name>`, or `.git/modules/...` of an enclosing
repository): anything else may have come with an archive or a link, and its configuration could name
clean filters. Git itself is found once, by absolute path, so an empty or relative `PATH` entry never runs
a `git` program the checkout holds. Any failure is None: every use of git in railcheck is optional.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Settings given on the command line win over every configuration file, and `safe.bareRepository` is
# only obeyed from there (or the user's own configuration).
_HARDENING = (
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "diff.external=",
    "-c",
    "core.quotePath=false",  # a non-ASCII path as written, not octal-escaped and quoted
)
_TIMEOUT_SECONDS = 30


class GitOutputTooLarge(Exception):
    """Git wrote more than the caller's limit; the rest was not read."""


def _absolute_search_path() -> str:
    """The caller's PATH without empty or relative entries, which name folders of the checkout."""
    return os.pathsep.join(entry for entry in os.environ.get("PATH", "").split(os.pathsep) if os.path.isabs(entry))


@cache
def git_program() -> str | None:
    """Git's absolute path, looked up once over the absolute entries of PATH."""
    return shutil.which("git", path=_absolute_search_path())


def _environment() -> dict[str, str]:
    """The caller's locale, search path and home (for the user's own git configuration), nothing else:
    `GIT_DIR`, `GIT_CONFIG_PARAMETERS` and the like would redirect git or add settings."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if name in ("HOME", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "TMPDIR")
    }
    return {
        **kept,
        "PATH": _absolute_search_path(),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
    }


def _run(arguments: list[str], cwd: Path, limit: int | None = None) -> str | None:
    """Git's output, or None when it failed; raises GitOutputTooLarge past `limit` bytes of output."""
    program = git_program()
    if program is None:
        return None
    try:
        process = subprocess.Popen(
            [program, *_HARDENING, *arguments],
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    timer = threading.Timer(_TIMEOUT_SECONDS, process.kill)  # a hung git ends; what it wrote is then refused
    timer.start()
    try:
        assert process.stdout is not None
        # Read in pieces and stop at the limit: the whole diff of a large change never sits in memory.
        output = process.stdout.read() if limit is None else process.stdout.read(limit + 1)
        if limit is not None and len(output) > limit:
            process.kill()
            raise GitOutputTooLarge
        status = process.wait()
    finally:
        timer.cancel()
        if process.stdout is not None:  # always, with stdout=PIPE
            process.stdout.close()
        process.wait()
    return output.decode("utf-8", "surrogateescape") if status == 0 else None


def _made_by_git(git_dir: Path, work_tree: Path) -> bool:
    """Whether the folder a `.git` file names is a linked worktree's (`.git/worktrees/<name>`) or a
    submodule's of an enclosing repository (`<enclosing>/.git/modules/...`)."""
    parts = git_dir.parts
    if ".git" not in parts or not git_dir.is_dir():
        return False
    at = parts.index(".git")
    below = parts[at + 1 :]
    if len(below) == 2 and below[0] == "worktrees":
        return True
    return len(below) >= 2 and below[0] == "modules" and work_tree.is_relative_to(Path(*parts[:at]))


@dataclass(frozen=True)
class GitCheckout:
    """A non-bare repository found from a folder inside its work tree; `run` runs git on exactly it."""

    git_dir: str
    work_tree: str
    folder: Path  # where commands run, so that `--relative` and `.` mean the checked folder

    @classmethod
    def holding(cls, folder: Path, warn: Callable[[str], None] | None = None) -> GitCheckout | None:
        """The checkout whose work tree holds `folder`: the nearest `.git` folder or file above it (what git
        itself looks for first, but found here without git's discovery, which would stop at a bare layout).
        A `.git` file that names a folder git did not make for it means no git; `warn` hears why."""
        folder = Path(os.path.abspath(folder))
        for candidate in (folder, *folder.parents):
            dot_git = candidate / ".git"
            if not os.path.lexists(dot_git):
                continue
            if os.path.isdir(dot_git) and not os.path.islink(dot_git):
                return cls(str(dot_git), str(candidate), folder)
            git_dir = named_git_dir(dot_git)
            if git_dir is not None and _made_by_git(git_dir, Path(os.path.realpath(candidate))):
                return cls(str(git_dir), str(candidate), folder)
            if warn is not None:
                warn(
                    f"railcheck: warning: {dot_git} is not a git folder, nor a .git file naming a worktree's or"
                    " submodule's git folder; git was not run"
                )
            return None
        return None

    def run(self, *arguments: str, limit: int | None = None) -> str | None:
        return _run([f"--git-dir={self.git_dir}", f"--work-tree={self.work_tree}", *arguments], self.folder, limit)


def named_git_dir(dot_git: Path) -> Path | None:
    """The resolved folder a `.git` file names (`gitdir: <path>`), or None."""
    from railcheck.files import read_regular_file

    data = read_regular_file(dot_git, 4096)
    text = (data or b"").decode("utf-8", "replace").strip()
    if not text.startswith("gitdir:"):
        return None
    try:
        return Path(os.path.realpath(dot_git.parent / text.removeprefix("gitdir:").strip()))
    except (OSError, ValueError):
        return None
