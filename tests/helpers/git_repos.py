"""Real git repositories for the security and confinement tests: a checkout as CI leaves it after a pull request."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")
    return subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def checkout(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository with two commits, the second changing `files` (the pull request)."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("base\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pull request")
    return repo
