"""`railcheck [OPTIONS] [PATHS]` is `railcheck check [OPTIONS] [PATHS]`; command names keep their meaning."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers.paths import EXAMPLE
from helpers.repos import write_repo
from helpers.running import invoke


def _copy(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / name, ignore=shutil.ignore_patterns(".railcheck_cache")))


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".railcheck_cache" not in path.parts
    }


def test_fix_without_a_command_changes_the_same_bytes_and_prints_the_same_report(tmp_path: Path) -> None:
    explicit, short = _copy(tmp_path, "explicit"), _copy(tmp_path, "short")
    before = _files(explicit)
    cwd = os.getcwd()
    try:
        os.chdir(explicit)
        with_command = invoke("check", "--fix")
        os.chdir(short)
        without = invoke("--fix")
    finally:
        os.chdir(cwd)
    assert _files(explicit) != before  # the example has safe fixes, so the comparison below means something
    assert _files(short) == _files(explicit)
    assert (without.exit_code, without.output) == (with_command.exit_code, with_command.output)


def test_paths_and_files_without_a_command(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {"railpack.json": '{"provider": "pyhton"}\n'})
    for args in ([str(root)], [str(root / "services/svc/railpack.json")], ["--output-format", "concise", str(root)]):
        short, explicit = invoke(*args), invoke("check", *args)
        assert short.exit_code == explicit.exit_code == 1
        assert short.output == explicit.output


def test_a_command_name_wins_over_a_folder_of_that_name(tmp_path: Path) -> None:
    write_repo(tmp_path, {"/rules/railpack.json": '{"provider": "pyhton"}\n'})
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        listing = invoke("rules")
        checked = invoke("./rules", "--output-format", "concise")
    finally:
        os.chdir(cwd)
    assert listing.exit_code == 0 and "RP001" in listing.output
    assert checked.exit_code == 1 and "rules/railpack.json" in checked.output


def test_help_shows_both_forms_and_version_still_works() -> None:
    text = invoke("--help").output
    assert "[OPTIONS] [PATHS]...  (the same as `check`)" in text and "COMMAND [ARGS]..." in text
    assert invoke("--version").exit_code == 0
    assert "--fix" in invoke("--fix", "--help").output  # the help of `check`
