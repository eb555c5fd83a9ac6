"""`railcheck check --stdin-filename FILE -`: standard input stands in for FILE, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.paths import FIXTURES

from railcheck.cli import main

FIXTURE = FIXTURES / "editor-service"
RAILPACK = "services/api/railpack.json"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = Path(shutil.copytree(FIXTURE, tmp_path / "repo", ignore=shutil.ignore_patterns("expected")))
    monkeypatch.chdir(root)
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def run(stdin: str | bytes, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main, ["check", "--stdin-filename", RAILPACK, "--output-format", "concise", *args, "-"], input=stdin
    )


def test_standard_input_is_checked_in_place_of_the_file(repo: Path) -> None:
    on_disk = (repo / RAILPACK).read_text()
    as_is = run(on_disk)
    assert as_is.exit_code == 1 and "ST003" in as_is.output and "PV006" in as_is.output
    edited = run(on_disk.replace("127.0.0.1", "0.0.0.0").replace("python3.11", "python3.12"))
    assert edited.exit_code == 1
    assert "ST003" not in edited.output and "PV006" not in edited.output and "RP001" in edited.output
    # The rest of the service is still read from disk: the .python-version beside it decides PV006.
    (repo / "services/api/.python-version").write_text("3.11\n")
    assert "PV006" not in run(on_disk).output


def test_fix_prints_the_fixed_text_and_writes_nothing(repo: Path) -> None:
    before = _files(repo)
    text = (repo / RAILPACK).read_text()
    fixed = CliRunner().invoke(main, ["--fix", "--unsafe-fixes", "--stdin-filename", RAILPACK, "-"], input=text)
    assert _files(repo) == before
    # PV006 and ST003 edit only this file; RP001's fix would also create railway.json, so it is left out.
    assert fixed.stdout == text.replace("127.0.0.1", "0.0.0.0").replace("python3.11", "python3.12")
    assert "RP001" in fixed.stderr and "Fixed 2 problems" in fixed.stderr
    assert fixed.exit_code == 1


def test_invalid_utf8_and_misuse_are_usage_errors(repo: Path) -> None:
    broken = run(b'{"provider": "\xff"}\n')
    assert broken.exit_code == 2 and "not valid UTF-8 (byte 0xff at byte offset 14)" in broken.output
    assert CliRunner().invoke(main, ["check", "-"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", "--stdin-filename", RAILPACK, "."]).exit_code == 2


def test_a_config_that_exists_only_on_standard_input_makes_its_folder_a_service(repo: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["check", "--stdin-filename", "services/new/railpack.json", "--output-format", "concise", "-"],
        input='{"provider": "pyhton"}\n',
    )
    assert result.exit_code == 1
    assert result.output.startswith("services/new/railpack.json:1:14: RP002")
    assert "in 1 service." in result.output and "services/api" not in result.output
    assert not (repo / "services/new").exists()
