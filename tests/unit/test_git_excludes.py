"""git's own exclude files (`.git/info/exclude`, `core.excludesFile`) hide folders from discovery as
`.gitignore` does, read as text without running git, without following a link out of the repository for
the repository's own file, and never waiting on a pipe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.git_excludes import _core_excludes_file

BROKEN = '{"helthCheck": "/"}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree (a `.git` folder as `git init` makes it) with a service and a scratch copy of it."""
    root = tmp_path / "repo"
    write_repo(root, {"/services/api/railpack.json": BROKEN, "/scratch/api/railpack.json": BROKEN})
    (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "info" / "exclude").write_text("# git ls-files --others --exclude-from=.git/info/exclude\n")
    (root / ".git" / "config").write_text("[core]\n\trepositoryformatversion = 0\n")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(root)
    return root


def checked(*args: str) -> list[str]:
    result = invoke("check", "--no-cache", "--output-format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return sorted({d["path"] for d in json.loads(result.stdout)["diagnostics"]})


BOTH = ["scratch/api/railpack.json", "services/api/railpack.json"]
ONLY_SERVICES = ["services/api/railpack.json"]


def test_info_exclude_hides_a_folder(repo: Path) -> None:
    assert checked() == BOTH
    (repo / ".git" / "info" / "exclude").write_text("# local scratch copies\nscratch/\n")
    assert checked() == ONLY_SERVICES


def test_core_excludes_file_from_the_repository_config_with_home_expansion(repo: Path) -> None:
    Path(os.environ["HOME"], "global-ignore").write_text("/scratch\n")
    (repo / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[core "x"]\n\texcludesFile = nothing\n[Core]\n\tExcludesFile = "~/global-ignore" ; a comment\n'
    )
    assert checked() == ONLY_SERVICES


def test_the_default_excludes_file_and_the_users_config(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.environ["HOME"])
    (home / ".config" / "git").mkdir(parents=True)
    (home / ".config" / "git" / "ignore").write_text("scratch/\n")
    assert checked() == ONLY_SERVICES  # ~/.config/git/ignore when nothing names a file
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    assert checked() == BOTH  # then $XDG_CONFIG_HOME/git/ignore, which does not exist
    (home / ".gitconfig").write_text("[core]\n\texcludesfile = ~/.config/git/ignore\n")
    assert checked() == ONLY_SERVICES
    # The repository's own setting comes last and wins.
    (repo / ".git" / "config").write_text("[core]\n\texcludesFile = /nonexistent/ignore\n")
    assert checked() == BOTH
    (repo / ".git" / "config").write_text("")
    # GIT_CONFIG_GLOBAL replaces the user's files: ~/.gitconfig is not read then.
    (home / "other-config").write_text("[core]\n\texcludesFile = /nonexistent/ignore\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "other-config"))
    assert checked() == BOTH
    (home / "other-config").write_text("[core]\n\texcludesFile = ~/.config/git/ignore\n")
    (home / ".gitconfig").unlink()
    assert checked() == ONLY_SERVICES


def test_the_users_linked_dotfiles_are_followed_but_not_a_link_in_the_work_tree(repo: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "gitconfig").write_text("[core]\n\texcludesFile = ~/.gitignore_global\n")
    (dotfiles / "gitignore").write_text("scratch/\n")
    home = Path(os.environ["HOME"])
    (home / ".gitconfig").symlink_to(dotfiles / "gitconfig")
    (home / ".gitignore_global").symlink_to(dotfiles / "gitignore")
    assert checked() == ONLY_SERVICES
    # A core.excludesFile inside the work tree is the repository's content: a link there is not followed.
    (home / ".gitconfig").unlink()
    (repo / ".git" / "config").write_text("[core]\n\texcludesFile = local-ignore\n")
    (repo / "local-ignore").symlink_to(dotfiles / "gitignore")
    assert checked() == BOTH
    (repo / "local-ignore").unlink()
    (repo / "local-ignore").write_text("scratch/\n")
    assert checked() == ONLY_SERVICES


def test_a_gitignore_re_includes_what_an_exclude_file_hides_as_git_does(repo: Path) -> None:
    """git's order: a .gitignore beats info/exclude, which beats core.excludesFile; a deeper .gitignore
    beats a shallower one; within a file the last matching pattern wins."""
    (repo / ".git" / "info" / "exclude").write_text("scratch/\n")
    (repo / ".gitignore").write_text("!scratch/\n")
    assert checked() == BOTH
    (repo / ".gitignore").write_text("api/\n")  # both api folders, at any depth
    (repo / "services" / ".gitignore").write_text("!api/\n")
    assert checked() == ONLY_SERVICES
    subprocess.run(
        ["git", "init", "-q", "--template=", str(repo)],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ignored = [line[3:] for line in status.splitlines() if line.startswith("!! ")]
    assert ignored and all(path.startswith("scratch/") for path in ignored), status


def test_patterns_are_relative_to_the_top_of_the_work_tree(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # railcheck's root is a folder below the work tree's top (its own railcheck.toml).
    write_repo(repo / "deploy", {"/services/api/railpack.json": BROKEN, "/scratch/api/railpack.json": BROKEN})
    monkeypatch.chdir(repo / "deploy")
    assert checked() == BOTH
    (repo / ".git" / "info" / "exclude").write_text("/scratch/\n")  # the top's scratch only
    assert checked() == BOTH
    (repo / ".git" / "info" / "exclude").write_text("/deploy/scratch/\n")
    assert checked() == ONLY_SERVICES


def test_a_link_out_of_the_repository_is_not_followed_for_info_exclude(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "exclude").write_text("scratch/\n")
    (repo / ".git" / "info" / "exclude").unlink()
    (repo / ".git" / "info" / "exclude").symlink_to(outside / "exclude")
    assert checked() == BOTH
    (repo / ".git" / "info" / "exclude").unlink()
    (repo / ".git" / "info").rmdir()
    (repo / ".git" / "info").symlink_to(outside)
    assert checked() == BOTH


def test_a_pipe_as_exclude_file_is_skipped_not_waited_on(repo: Path) -> None:
    (repo / ".git" / "info" / "exclude").unlink()
    os.mkfifo(repo / ".git" / "info" / "exclude")
    os.mkfifo(Path(os.environ["HOME"]) / "pipe")
    (repo / ".git" / "config").write_text("[core]\n\texcludesFile = ~/pipe\n")
    command = [
        sys.executable,
        "-c",
        "import sys; from railcheck.cli import main; sys.argv[0] = 'railcheck'; main()",
        "check",
        "--no-cache",
        "--output-format",
        "concise",
    ]
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "scratch/api/railpack.json" in result.stdout


def test_a_cached_run_equals_an_uncached_one_when_an_exclude_file_changes(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    (repo / ".railcheck_cache").mkdir()

    def run(*args: str) -> str:
        return invoke("check", "--output-format", "json", *args).stdout

    assert run() == run("--no-cache")
    (repo / ".git" / "info" / "exclude").write_text("scratch/\n")
    assert run() == run("--no-cache")
    Path(os.environ["HOME"], ".gitconfig").write_text("[core]\n\texcludesFile = ~/ignore\n")
    Path(os.environ["HOME"], "ignore").write_text("services/\n")
    (repo / ".git" / "info" / "exclude").write_text("")
    assert run() == run("--no-cache") and '"scratch/api/railpack.json"' in run() and "services/api" not in run()


def test_git_agrees(repo: Path) -> None:
    """The same exclude files, asked of git itself (the test runs git; railcheck never does)."""
    subprocess.run(
        ["git", "init", "-q", "--template=", str(repo)],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    Path(os.environ["HOME"], "ignore").write_text("**/api/\n!services/api/\n")
    with (repo / ".git" / "config").open("a") as config:
        config.write(f"[core]\n\texcludesFile = {os.environ['HOME']}/ignore\n")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ignored = [line[3:] for line in status.splitlines() if line.startswith("!! ")]
    assert ignored and all(path.startswith("scratch/") for path in ignored), status
    assert checked() == ONLY_SERVICES


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("[core]\nexcludesFile = a\n", "a"),
        ("[core] excludesfile = b # comment\n", "b"),
        ('[CORE]\n  EXCLUDESFILE = "c d" ; comment\n', "c d"),
        ("[core]\nexcludesFile = e\\\nf\n", "ef"),
        ('[core]\nexcludesFile = "g\\"h"\n', 'g"h'),
        ('[core "sub"]\nexcludesFile = i\n', None),
        ("[core.sub]\nexcludesFile = j\n", None),
        ("[user]\nexcludesFile = k\n", None),
        ("[core]\nexcludesFile = l\nexcludesFile = m\n", "m"),
        ('[core]\nexcludesFile = "unclosed\n', None),
        ("[core]\nexcludesFile\n", None),
    ],
)
def test_core_excludes_file_is_read_as_git_reads_config(text: str, value: str | None) -> None:
    assert _core_excludes_file(text) == value


def test_a_git_file_is_trusted_only_when_git_made_its_folder(repo: Path, tmp_path: Path) -> None:
    # A `.git` file naming any folder (an archive or a link could bring one): its info/exclude is not read.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "info").mkdir(parents=True)
    (elsewhere / "info" / "exclude").write_text("scratch/\n")
    shutil.rmtree(repo / ".git")
    (repo / ".git").write_text(f"gitdir: {elsewhere}\n")
    assert checked() == BOTH


def test_a_linked_worktree_reads_the_repositorys_info_exclude(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str, cwd: Path) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
            env=environment,
        )

    main = write_repo(tmp_path / "main", {"/services/api/railpack.json": BROKEN, "/scratch/api/railpack.json": BROKEN})
    git("init", "-q", ".", cwd=main)
    git("add", ".", cwd=main)
    git("commit", "-qm", "base", cwd=main)
    git("worktree", "add", "-q", str(tmp_path / "wt"), cwd=main)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path / "wt")
    assert checked() == BOTH
    (main / ".git" / "info").mkdir(exist_ok=True)
    (main / ".git" / "info" / "exclude").write_text("scratch/\n")
    assert checked() == ONLY_SERVICES
