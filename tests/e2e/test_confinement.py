"""The git folder and links out of the repository, end to end with the real git and file system.

A pull request controls every file of the checkout, including links and railcheck.toml; it must never make
railcheck read or write `.git` (tokens, hooks, `core.fsmonitor`), check, cache into or fix a folder outside
the repository, run a program the checkout holds, or crash on its configuration. Each test plants the hostile
layout and a canary outside the repository that must stay as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from helpers.git_repos import checkout, git

TOKEN = "Q0FOQVJZLVRPS0VO"
SERVICE = {
    "services/api/railway.json": '{"$schema": "https://railway.com/railway.schema.json", "deploy": {"startCommand": "python main.py"}}\n',
    "services/api/main.py": "print(1)\n",
    "services/api/requirements.txt": "flask\n",
}


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "railcheck", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
        check=False,
    )


def with_token(repo: Path) -> bytes:
    """What actions/checkout leaves in `.git/config`: the job's token."""
    git(repo, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {TOKEN}")
    return (repo / ".git" / "config").read_bytes()


def hostile_git_config(canary: Path) -> str:
    return f'[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = "touch {canary}; false"\n'


# --- the git folder is never read or written ----------------------------------------------------------


@pytest.mark.parametrize("copy", [".git/config", ".GIT/config", "g/config", "services/../.git/config"])
def test_sync_never_writes_into_the_git_folder(tmp_path: Path, copy: str) -> None:
    canary = tmp_path / "canary"
    repo = checkout(
        tmp_path,
        {
            **SERVICE,
            "evil.txt": hostile_git_config(canary),
            "railcheck.toml": f'[[sync]]\nsource = "evil.txt"\ncopies = ["{copy}"]\n',
        },
    )
    (repo / "g").symlink_to(".git")
    before = (repo / ".git" / "config").read_bytes()
    result = run_cli("check", "--fix", "--no-cache", ".", cwd=repo)
    # Named, a configuration error; through the link, a finding that the copy cannot be read.
    assert result.returncode == (1 if copy == "g/config" else 2), result.stdout + result.stderr
    assert (repo / ".git" / "config").read_bytes() == before
    git(repo, "status")
    assert not canary.exists()


@pytest.mark.parametrize("source", [".git/config", ".Git/config", "g/config"])
def test_sync_never_reads_the_git_folder(tmp_path: Path, source: str) -> None:
    repo = checkout(
        tmp_path,
        {**SERVICE, "copy.txt": "x\n", "railcheck.toml": f'[[sync]]\nsource = "{source}"\ncopies = ["copy.txt"]\n'},
    )
    (repo / "g").symlink_to(".git")
    with_token(repo)
    for output_format in ("github", "markdown", "json"):
        result = run_cli("check", "--no-cache", "--output-format", output_format, ".", cwd=repo)
        assert TOKEN not in result.stdout + result.stderr
        assert "[core]" not in result.stdout + result.stderr


def test_a_committed_link_into_the_git_folder_is_neither_read_nor_fixed(tmp_path: Path) -> None:
    repo = checkout(tmp_path, SERVICE)
    before = with_token(repo)
    requirements = repo / "services/api/requirements.txt"
    requirements.unlink()
    requirements.symlink_to("../../.git/config")
    (repo / "services/api/railpack.json").symlink_to("../../g/config")
    (repo / "g").symlink_to(".git")
    for options in (["--no-cache"], [], ["--fix"], ["--diff"]):
        result = run_cli("check", *options, "--output-format", "github", ".", cwd=repo)
        assert TOKEN not in result.stdout + result.stderr, options
        assert "[core]" not in result.stdout + result.stderr, options
    assert (repo / ".git" / "config").read_bytes() == before
    # said, not silently skipped
    assert "services/api/requirements.txt" in run_cli("check", "--no-cache", ".", cwd=repo).stdout


def test_the_repository_refuses_every_path_into_the_git_folder(tmp_path: Path) -> None:
    from railcheck.repository import Repository

    repo = checkout(tmp_path, SERVICE)
    (repo / "g").symlink_to(".git")
    (repo / "config-link").symlink_to(".git/config")
    repository = Repository(repo.resolve())
    for name in (".git/config", ".GIT/config", "g/config", "config-link", "services/../.git/config"):
        assert repository.read(PurePosixPath(name)) is None, name
        assert not repository.exists(PurePosixPath(name)), name
    assert not repository.is_dir(PurePosixPath("g"))
    assert not repository.is_dir(PurePosixPath(".git"))
    assert repository.read(PurePosixPath("services/api/main.py")) == "print(1)\n"


@pytest.mark.parametrize("argument", [".git", ".git/svc/railpack.json", "g/svc"])
def test_a_path_argument_in_the_git_folder_is_refused(tmp_path: Path, argument: str) -> None:
    repo = checkout(tmp_path, SERVICE)
    (repo / ".git/svc").mkdir()
    (repo / ".git/svc/railpack.json").write_text('{"provider": "python", "SECRET": 1}\n')
    (repo / "g").symlink_to(".git")
    result = run_cli("check", argument, cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SECRET" not in result.stdout + result.stderr
    assert not (repo / ".git/.railcheck_cache").exists()


# --- a PATH, a baseline or a folder that leads out of the repository ------------------------------------


def outside_project(tmp_path: Path, marker: bool) -> Path:
    outside = tmp_path / "outside"
    (outside / "svc").mkdir(parents=True)
    if marker:
        (outside / "railcheck.toml").write_text("")
    (outside / "svc/railway.json").write_text(
        '{\n  "$schema": "https://schema.railpack.com",\n  "build": {"builder": "NIXPACKS"}\n}\n'
    )
    (outside / "svc/main.py").write_text("print(1)\n")
    return outside


@pytest.mark.parametrize("marker", [True, False])
@pytest.mark.parametrize("argument", ["services/api", "services/api/svc/railway.json", "services/api/svc"])
def test_a_path_argument_linked_out_of_the_repository_is_refused(tmp_path: Path, marker: bool, argument: str) -> None:
    outside = outside_project(tmp_path, marker)
    repo = checkout(tmp_path, {"railcheck.toml": ""})
    (repo / "services").mkdir()
    (repo / "services/api").symlink_to(outside)
    before = {path: path.read_bytes() for path in outside.rglob("*") if path.is_file()}
    for options in ([], ["--fix"]):
        result = run_cli("check", *options, argument, cwd=repo)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "outside" in result.stderr
    assert {path: path.read_bytes() for path in outside.rglob("*") if path.is_file()} == before
    assert not (outside / ".railcheck_cache").exists()


def test_a_repository_reached_through_a_link_is_still_checked(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", **SERVICE})
    (tmp_path / "link").symlink_to(repo)
    result = run_cli("check", "--no-cache", str(tmp_path / "link"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_baseline_is_never_written_into_a_linked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "baseline.json").write_text("keep\n")
    repo = checkout(tmp_path, {"railcheck.toml": "", **SERVICE})
    (repo / "ci").symlink_to(outside)
    result = run_cli("check", "--write-baseline", "ci/baseline.json", ".", cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outside the repository" in result.stderr
    assert (outside / "baseline.json").read_text() == "keep\n"
    assert os.listdir(outside) == ["baseline.json"]
    assert run_cli("check", "--write-baseline", ".git/baseline.json", ".", cwd=repo).returncode == 2
    assert not (repo / ".git/baseline.json").exists()


# --- git: never a planted repository, never a program from the checkout, never unbounded -----------------


def test_a_planted_git_file_is_not_used(tmp_path: Path) -> None:
    from railcheck.gitdiff import changed_lines

    canary = tmp_path / "canary"
    repo = checkout(tmp_path, SERVICE)
    service = repo / "services/api"
    (service / "railcheck.toml").write_text("")
    subprocess.run(["git", "init", "-q", f"--separate-git-dir={tmp_path / 'evilgit'}", "."], cwd=service, check=True)
    git(service, "config", "filter.evil.clean", f"sh -c 'touch {canary}; cat'")
    (service / ".gitattributes").write_text("* filter=evil\n")
    git(service, "add", "-A")
    git(service, "commit", "-qm", "x")
    canary.unlink()
    with open(service / "main.py", "a") as stream:
        stream.write("# edit\n")
    os.utime(service / "main.py", (946684800, 946684800))  # stat-dirty: git would clean it to compare
    warnings: list[str] = []
    assert changed_lines(service, "HEAD", warn=warnings.append) is None
    assert not canary.exists()
    assert warnings and ".git" in warnings[0]


def test_a_linked_worktree_is_used(tmp_path: Path) -> None:
    from railcheck.gitdiff import changed_lines

    repo = checkout(tmp_path, SERVICE)
    git(repo, "branch", "base", "HEAD~1")
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "HEAD")
    assert changed_lines(tmp_path / "wt", "base") == {PurePosixPath(name): frozenset({1}) for name in SERVICE}


def test_a_submodule_is_used(tmp_path: Path) -> None:
    from railcheck.gitdiff import changed_lines

    (tmp_path / "library").mkdir()
    library = checkout(tmp_path / "library", SERVICE)
    repo = checkout(tmp_path, {"README.md": "top\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    git(repo, "commit", "-qm", "submodule")
    assert (repo / "lib/.git").is_file()  # names repo/.git/modules/lib
    warnings: list[str] = []
    assert changed_lines(repo / "lib", "HEAD~1", warn=warnings.append) == {
        PurePosixPath(name): frozenset({1}) for name in SERVICE
    }
    assert warnings == []


def test_git_is_never_run_from_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from railcheck import git as railcheck_git
    from railcheck.gitdiff import changed_lines

    canary = tmp_path / "canary"
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    repo = checkout(tmp_path, {**SERVICE, "git": f'#!/bin/sh\ntouch {canary}\nexec {real} "$@"\n'})
    (repo / "git").chmod(0o755)
    # An empty entry (`PATH=:$PATH`, `$EXTRA:$PATH` with EXTRA unset) means "the current folder".
    monkeypatch.setenv("PATH", f":node_modules/.bin:{os.environ['PATH']}")
    railcheck_git.git_program.cache_clear()
    try:
        assert changed_lines(repo, "HEAD~1", [PurePosixPath("services/api/main.py")]) == {
            PurePosixPath("services/api/main.py"): frozenset({1})
        }
    finally:
        railcheck_git.git_program.cache_clear()
    assert not canary.exists()


def test_a_large_diff_is_not_kept_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from railcheck import gitdiff

    repo = checkout(tmp_path, {**SERVICE, "data/big.txt": "x\n" * 50_000})
    monkeypatch.setattr(gitdiff, "MAX_DIFF_BYTES", 4096)
    # Only the checked paths are compared: an unrelated large file costs nothing.
    assert gitdiff.changed_lines(repo, "HEAD~1", [PurePosixPath("services/api/main.py")]) == {
        PurePosixPath("services/api/main.py"): frozenset({1})
    }
    warnings: list[str] = []
    assert gitdiff.changed_lines(repo, "HEAD~1", [PurePosixPath("data/big.txt")], warn=warnings.append) is None
    assert warnings and "4 KiB" in warnings[0]


# --- hostile configuration is a configuration error, printed harmlessly ----------------------------------


def test_a_deeply_nested_configuration_is_a_configuration_error(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {**SERVICE, "railcheck.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n"})
    result = run_cli("check", ".", cwd=repo)
    assert result.returncode == 2
    assert "internal error" not in result.stderr
    assert "railcheck.toml" in result.stderr and "nesting" in result.stderr


def test_configuration_errors_cannot_print_workflow_commands(tmp_path: Path) -> None:
    repo = checkout(
        tmp_path,
        {
            **SERVICE,
            "railcheck.toml": '[rules."RW1\\n::warning::SPOOF"]\nseverity = "error"\n[[sync]]\nsource = "a\\n::error::SPOOF2"\ncopies = ["b"]\n',
        },
    )
    result = run_cli("check", "--output-format", "github", ".", cwd=repo)
    assert result.returncode == 2
    assert "SPOOF" in result.stderr  # said, escaped
    assert not [line for line in (result.stdout + result.stderr).splitlines() if line.lstrip().startswith("::")]


def test_a_path_argument_cannot_print_a_workflow_command(tmp_path: Path) -> None:
    repo = checkout(tmp_path, SERVICE)
    (repo / "services/x\n::error::SPOOF").mkdir()
    (repo / "services/x\n::error::SPOOF/out").symlink_to(tmp_path)
    for argument in ("missing\n::error::SPOOF", "services/x\n::error::SPOOF/out"):
        result = run_cli("check", argument, cwd=repo)
        assert result.returncode == 2
        assert "SPOOF" in result.stderr
        assert not [line for line in (result.stdout + result.stderr).splitlines() if line.lstrip().startswith("::")]
