"""Untrusted repositories, end to end with the real git and file system: nothing a checkout holds makes
railcheck run a command, touch a file outside the repository, trust a result it did not compute, or hang.

Each test plants the hostile layout a pull request could commit and a canary outside the repository (in
tmp_path) that must stay as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.git_repos import checkout, git
from helpers.paths import CHECKOUT
from helpers.running import invoke

ROOT = CHECKOUT
RAILPACK = '{\n  "provider": "python",\n  "providr": "x"\n}\n'


def json_findings(*args: str) -> list[tuple[str, str, str]]:
    result = invoke("check", *args, "--output-format", "json")
    assert result.exit_code in (0, 1), result.output
    return [(d["code"], d["path"], d["message"]) for d in json.loads(result.output)["diagnostics"]]


# --- 1. git runs only the repository the user checked out ----------------------------------------------


def plant_bare_repository(folder: Path, source: Path, canary: Path) -> None:
    """The files of a bare repository (valid objects, refs and HEAD) whose config runs a command when git
    reads the index: what a pull request can commit into any folder."""
    for name in ("HEAD", "objects", "refs", "index"):
        subprocess.run(["cp", "-r", str(source / ".git" / name), str(folder / name)], check=True)
    (folder / "config").write_text(
        f'[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = ..\n\tfsmonitor = "touch {canary}; false"\n'
    )


def test_base_ref_never_runs_a_command_from_a_planted_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = checkout(tmp_path, {"sub/railcheck.toml": "", "sub/svc/railpack.json": RAILPACK})
    canary = tmp_path / "canary"
    plant_bare_repository(repo / "sub", repo, canary)
    monkeypatch.chdir(repo)
    # Git run the way railcheck did picks the planted repository: the layout is live.
    subprocess.run(["git", "-C", "sub", "diff", "HEAD~1", "--", "."], capture_output=True, check=False)
    assert canary.exists()
    canary.unlink()

    result = invoke("check", "sub", "--base-ref", "HEAD~1", "--output-format", "github", "--no-cache")
    assert result.exit_code == 1, result.output
    assert not canary.exists()
    # The changed lines still come from the real checkout: the finding is annotated on line 3.
    assert "file=sub/svc/railpack.json,line=3" in result.output


def test_git_ignores_git_variables_in_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import PurePosixPath

    from railcheck.gitdiff import changed_lines

    repo = checkout(tmp_path, {"svc/railpack.json": RAILPACK})
    planted = tmp_path / "planted"
    planted.mkdir()
    canary = tmp_path / "canary"
    plant_bare_repository(planted, repo, canary)
    # A pre-commit hook or a CI step can leave these set; they must not redirect railcheck's git.
    monkeypatch.setenv("GIT_DIR", str(planted))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'core.fsmonitor'='touch {canary}; false'")
    assert changed_lines(repo, "HEAD~1") == {PurePosixPath("svc/railpack.json"): frozenset({1, 2, 3, 4})}
    assert not canary.exists()


def test_a_base_ref_that_looks_like_an_option_is_not_one(tmp_path: Path) -> None:
    from railcheck.gitdiff import changed_lines

    repo = checkout(tmp_path, {"svc/railpack.json": RAILPACK})
    canary = tmp_path / "canary"
    assert changed_lines(repo, f"--output={canary}") is None
    assert not canary.exists()


# --- 2. a cache entry that came with the checkout is never trusted ---------------------------------------


def entries(repo: Path) -> list[Path]:
    return [
        path for path in (repo / ".railcheck_cache").iterdir() if path.suffix == ".json" and path.name != "stat.json"
    ]


def test_a_forged_cache_entry_is_never_replayed(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    expected = json_findings(str(repo), "--no-cache")
    assert expected
    assert json_findings(str(repo)) == expected
    (entry,) = entries(repo)
    # What an attacker commits: the entry for this very state, emptied (whatever its format, the findings go).
    forged = entry.read_text(encoding="utf-8").replace('"diagnostics": [{', '"diagnostics": [], "x": [{')
    assert forged != entry.read_text(encoding="utf-8")
    entry.write_text(forged, encoding="utf-8")
    assert json_findings(str(repo)) == expected


def test_an_entry_written_by_another_user_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    expected = json_findings(str(repo))
    (entry,) = entries(repo)
    entry.write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    # Another user (another secret) finds the entry, cannot tell it from a forged one, and checks again.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    entry.write_text(
        entry.read_text(encoding="utf-8").replace('"diagnostics": [{', '"diagnostics": [], "x": [{'), encoding="utf-8"
    )
    assert json_findings(str(repo)) == expected


def test_the_secret_is_private_and_outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    json_findings(str(repo))
    (secret,) = (home / "railcheck").iterdir()
    assert secret.stat().st_mode & 0o777 == 0o600
    assert entries(repo)
    # A secret others can read (or a link) is no secret: no cache at all, rather than a forgeable one.
    for spoil in ("readable", "link"):
        shutil.rmtree(repo / ".railcheck_cache", ignore_errors=True)
        if spoil == "readable":
            secret.chmod(0o644)
        else:
            secret.unlink()
            (tmp_path / "elsewhere").write_bytes(b"k" * 32)
            secret.symlink_to(tmp_path / "elsewhere")
        json_findings(str(repo))
        assert not (repo / ".railcheck_cache").exists()


def test_a_tracked_cache_folder_is_refused_with_a_finding(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    expected = json_findings(str(repo), "--no-cache")
    json_findings(str(repo))
    git(repo, "status")  # refreshes the index
    assert json_findings(str(repo)) == expected  # git said "untracked" for this index, and is not asked again
    git(repo, "add", "-f", ".railcheck_cache")
    git(repo, "commit", "-qm", "cache")
    found = json_findings(str(repo))
    assert [finding for finding in found if finding not in expected] == [
        (
            "RC008",
            ".railcheck_cache",
            "`.railcheck_cache` is tracked by git: railcheck does not use a result cache that comes with the repository",
        ),
    ]
    assert json_findings(str(repo)) == found  # and it stays refused (never replayed from the folder)
    assert json_findings(str(repo), "--no-cache") == found  # the same findings with the cache off


# --- 3. nothing is written outside the repository, or through a link --------------------------------------


def test_cache_files_are_never_written_through_links(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    folder = repo / ".railcheck_cache"
    folder.mkdir()
    canary, existing = tmp_path / "canary", tmp_path / "existing"
    existing.write_text("keep\n")
    (folder / ".gitignore").symlink_to(canary)
    (folder / "stat.json").symlink_to(existing)
    expected = json_findings(str(repo), "--no-cache")
    assert json_findings(str(repo)) == expected
    assert json_findings(str(repo)) == expected
    assert not os.path.exists(canary)
    assert existing.read_text() == "keep\n"


def test_a_baseline_is_never_written_through_a_link(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    outside = tmp_path / "outside"
    outside.write_text("keep\n")
    (repo / "baseline.json").symlink_to(outside)
    result = invoke("check", str(repo), "--write-baseline", str(repo / "baseline.json"))
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "keep\n"
    assert not (repo / "baseline.json").is_symlink()
    assert json.loads((repo / "baseline.json").read_text())["findings"]


# --- 4. no read of a file railcheck did not just write can hang or fill the memory ------------------------


def run_bounded(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "railcheck", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize("special", ["zero", "fifo"])
def test_special_files_in_the_cache_folder_are_never_read(tmp_path: Path, special: str) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    expected = run_bounded("check", str(repo), "--output-format", "json", "--no-cache").stdout
    assert run_bounded("check", str(repo), "--output-format", "json").stdout == expected
    folder = repo / ".railcheck_cache"
    for path in folder.iterdir():
        if path.suffix == ".json":
            path.unlink()
            if special == "zero":
                path.symlink_to("/dev/zero")
            else:
                os.mkfifo(path)
    assert run_bounded("check", str(repo), "--output-format", "json").stdout == expected


@pytest.mark.parametrize("special", ["zero", "fifo", "outside"])
def test_a_baseline_in_the_repository_is_read_like_any_of_its_files(tmp_path: Path, special: str) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    baseline = repo / "railcheck-baseline.json"
    if special == "zero":
        baseline.symlink_to("/dev/zero")
    elif special == "fifo":
        os.mkfifo(baseline)
    else:
        (tmp_path / "secret.json").write_text('{"version": 1, "tool": "railcheck", "findings": []}\n')
        baseline.symlink_to(tmp_path / "secret.json")
    result = run_bounded("check", str(repo), "--baseline", str(baseline))
    assert result.returncode == 2, result.stderr
    assert "baseline" in result.stderr


_SWAP_FOR_A_PIPE = """
import os, sys
import railcheck.fixes as fixes
settle = fixes.settle
def settle_then_swap(texts, *rest, **options):
    outcome = settle(texts, *rest, **options)
    for path in outcome.texts:  # someone replaces the file with a pipe between reading and writing
        os.unlink(path)
        os.mkfifo(path)
    return outcome
fixes.settle = settle_then_swap
from railcheck.cli import main
main(sys.argv[1:])
"""


def test_a_fix_target_swapped_for_a_pipe_is_not_waited_on(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railway.json": '{"build": {"builder": "nixpacks"}}\n'})
    command = [sys.executable, "-c", _SWAP_FOR_A_PIPE, "check", ".", "--fix"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=repo, check=False)
    assert result.returncode == 2, result.stderr
    assert "cannot be re-read before writing" in result.stderr


# --- 5. configuration files are confined like any other file ---------------------------------------------


@pytest.mark.parametrize("name", ["railcheck.toml", "pyproject.toml"])
def test_a_configuration_linked_out_of_the_repository_is_not_read(tmp_path: Path, name: str) -> None:
    repo = checkout(tmp_path, {"svc/railpack.json": RAILPACK})
    secret = tmp_path / "secret.toml"
    table = "[tool.railcheck]\n" if name == "pyproject.toml" else ""
    secret.write_text(f'{table}select = ["TOP-SECRET-VALUE"]\n')
    (repo / name).symlink_to(secret)
    result = invoke("check", str(repo), "--no-cache")
    assert "TOP-SECRET-VALUE" not in result.output
    if name == "railcheck.toml":
        assert result.exit_code == 2
        assert "railcheck.toml is a symbolic link to a file outside the repository" in result.output
    else:  # an unreadable pyproject.toml is not a railcheck configuration: the defaults apply
        assert result.exit_code == 1, result.output


@pytest.mark.parametrize("special", ["zero", "fifo"])
def test_a_configuration_that_is_a_device_or_pipe_is_refused_at_once(tmp_path: Path, special: str) -> None:
    repo = checkout(tmp_path, {"svc/railpack.json": RAILPACK})
    if special == "zero":
        (repo / "railcheck.toml").symlink_to("/dev/zero")
    else:
        os.mkfifo(repo / "railcheck.toml")
    result = run_bounded("check", str(repo), "--no-cache")
    assert result.returncode == 2
    assert "railcheck.toml" in result.stderr


# --- 16. nothing is left behind -------------------------------------------------------------------------


def without_file_space() -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_a_full_disk_during_a_cache_write_leaves_nothing_behind(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railpack.json": RAILPACK})
    command = [sys.executable, "-m", "railcheck", "check", str(repo), "--output-format", "json"]
    full = subprocess.run(
        command, capture_output=True, text=True, timeout=60, cwd=ROOT, preexec_fn=without_file_space, check=False
    )
    assert full.returncode == 1, full.stderr
    leftovers = (
        sorted(path.name for path in (repo / ".railcheck_cache").iterdir())
        if (repo / ".railcheck_cache").exists()
        else []
    )
    assert leftovers == []
    # Once there is space again, the cache works as before.
    assert run_bounded("check", str(repo), "--output-format", "json").stdout == full.stdout
    assert (repo / ".railcheck_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_stale_staging_files_of_a_killed_fix_are_removed(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": "", "svc/railway.json": '{"build": {"builder": "nixpacks"}}\n'})
    service = repo / "svc"
    stale, fresh = service / ".railway.json.k2j4h5l6.railcheck-tmp", service / ".railway.json.a1b2c3d4.railcheck-tmp"
    for_a_new_file = service / ".railpack.json.zz_9y8x7.railcheck-tmp"  # a fix that was creating railpack.json
    unrelated = service / "notes.railcheck-tmp"
    for path in (stale, fresh, for_a_new_file, unrelated):
        path.write_text("half")
    hour_ago = os.stat(stale).st_mtime - 3600
    for path in (stale, for_a_new_file, unrelated):
        os.utime(path, (hour_ago, hour_ago))
    result = invoke("check", str(repo), "--fix")
    assert result.exit_code in (0, 1), result.output
    assert not stale.exists() and not for_a_new_file.exists()
    assert fresh.exists()  # may belong to a fix running right now
    assert unrelated.exists()  # not a name railcheck gives its staging files


# --- 9. odd service roots --------------------------------------------------------------------------------


def test_a_nul_in_a_declared_root_is_not_a_crash_in_a_cached_run(tmp_path: Path) -> None:
    repo = checkout(tmp_path, {"railcheck.toml": '[services.a]\nroot = "a\\u0000b"\n', "svc/railpack.json": RAILPACK})
    for extra in ((), ("--no-cache",), ()):
        result = invoke("check", str(repo), "--output-format", "json", *extra)
        assert result.exit_code in (0, 1), result.output
