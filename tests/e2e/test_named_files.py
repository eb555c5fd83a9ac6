"""Files named on the command line are never skipped silently: a Railpack config under another name is
checked as one, and a file railcheck does not read is reported as not checked (RC009)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

START = '{"deploy": {"startCommand": "uvicorn main:app --host %s --port $PORT"}}'
FILES = {
    "railpack.json": START % "0.0.0.0",
    "requirements.txt": "fastapi\nuvicorn\n",
    "main.py": "app = 1\n",
    "README.md": "# svc\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, {**FILES, "railpack.staging.json": START % "127.0.0.1"})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_named_railpack_config_under_another_name_is_checked_as_one(repo: Path) -> None:
    output = invoke("check", "--output-format", "concise", "services/svc/railpack.staging.json").output
    assert "services/svc/railpack.staging.json:1:54: ST003 [*] error: uvicorn listens on 127.0.0.1" in output, output


def test_its_fix_applies_to_that_file(repo: Path) -> None:
    invoke("check", "--fix", "services/svc/railpack.staging.json")
    assert (repo / "services/svc/railpack.staging.json").read_text() == START % "0.0.0.0"


def test_the_config_is_not_checked_unless_named(repo: Path) -> None:
    # Railway reads it only when RAILPACK_CONFIG_FILE says so, which the repository does not show.
    assert "railpack.staging.json" not in invoke("check", "--output-format", "concise").output


def test_a_named_file_railcheck_does_not_read_is_reported_as_not_checked(repo: Path) -> None:
    result = invoke("check", "--output-format", "concise", "services/svc/README.md", "services/svc/main.py")
    assert (
        "services/svc/README.md: RC009 info: services/svc/README.md was named on the command line, but railcheck does not read it"
        in result.output
    )
    assert result.output.count("RC009") == 1 and result.exit_code == 0, result.output


def test_rc009_can_be_ignored(repo: Path) -> None:
    assert (
        "RC009"
        not in invoke("check", "--output-format", "concise", "--ignore", "RC009", "services/svc/README.md").output
    )
