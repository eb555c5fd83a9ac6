"""`--config FILE`: the named configuration replaces the discovered one, its folder is the repository root,
and a file that cannot be used (missing, a pipe, a device, too large, not TOML) is an exit-2 error naming it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.cli import main

# Two RP001 findings (unknown keys) in the repository-root service, none anywhere under deploy/ but the
# declared api service's RP001.
FILES = {
    "/railcheck.toml": 'select = ["RP004"]\n',
    "/services/web/railpack.json": '{"helthCheck": "/"}\n',
    "/deploy/railcheck.ci.toml": 'exclude = ["legacy"]\n\n[services.api]\nroot = "apps/api"\nrailpack-config = "railpack.json"\n',
    "/deploy/apps/api/railpack.json": '{"versoin": 1}\n',
    "/deploy/legacy/railpack.json": '{"old": 1}\n',
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, FILES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(*args: str) -> list[tuple[str, str]]:
    result = invoke("check", "--no-cache", "--output-format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return sorted((d["code"], d["path"]) for d in json.loads(result.stdout)["diagnostics"])


def test_the_named_file_replaces_the_discovered_one_and_its_folder_is_the_root(repo: Path) -> None:
    assert findings() == []  # the discovered railcheck.toml selects only RP004
    # Declared root, railpack-config and exclude are relative to deploy/, the named file's folder.
    # Machine formats name paths from the repository root, which is now deploy/.
    assert findings("--config", "deploy/railcheck.ci.toml", "deploy") == [("RP001", "apps/api/railpack.json")]
    concise = invoke(
        "check", "--no-cache", "--output-format", "concise", "--config", "deploy/railcheck.ci.toml", "deploy"
    ).output
    assert concise.startswith("deploy/apps/api/railpack.json:1:2: RP001")  # terminal formats: from the working folder


def test_paths_are_relative_to_the_named_file_from_any_working_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "deploy" / "apps")
    assert findings("--config", "../railcheck.ci.toml") == [("RP001", "apps/api/railpack.json")]


def test_a_path_outside_the_named_files_folder_is_a_usage_error(repo: Path) -> None:
    result = invoke("check", "--config", "deploy/railcheck.ci.toml", "services/web")
    assert result.exit_code == 2
    assert (
        "services/web is outside" in result.output
        and "the folder of --config deploy/railcheck.ci.toml" in result.output
    )


def test_a_named_pyproject_is_read_for_its_table_and_must_have_one(repo: Path) -> None:
    (repo / "deploy" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.railcheck]\nselect = ["RP001"]\nexclude = ["legacy"]\n'
    )
    assert findings("--config", "deploy/pyproject.toml", "deploy") == [("RP001", "apps/api/railpack.json")]
    (repo / "deploy" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = invoke("check", "--config", "deploy/pyproject.toml", "deploy")
    assert (
        result.exit_code == 2
        and "--config deploy/pyproject.toml: a pyproject.toml named as the configuration needs a [tool.railcheck] table"
        in result.output
    )


def test_errors_in_the_named_file_name_it(repo: Path) -> None:
    (repo / "deploy" / "bad.toml").write_text('select = ["RP001"]\nfail-on = [\n')
    result = invoke("check", "--config", "deploy/bad.toml", "deploy")
    assert result.exit_code == 2 and "deploy/bad.toml:3: not valid TOML" in result.output
    (repo / "deploy" / "bad.toml").write_text('selekt = ["RP001"]\n')
    result = invoke("check", "--config", "deploy/bad.toml", "deploy")
    assert result.exit_code == 2 and "bad.toml: unknown key(s) 'selekt'" in result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: None, "no such file"),
        (lambda path: path.mkdir(), "not a regular file"),
        (os.mkfifo, "not a regular file"),
        (lambda path: path.symlink_to("/dev/zero"), "not a regular file"),
        (lambda path: path.write_text("#" * (2 * 1024 * 1024 + 1)), "larger than 2 MiB"),
        (lambda path: path.write_bytes(b'select = ["RP\xff"]\n'), "not UTF-8 (byte 0xff at byte offset 13)"),
    ],
    ids=["missing", "folder", "fifo", "dev-zero", "too-large", "not-utf8"],
)
def test_a_named_file_that_cannot_be_used_is_an_exit_2_error_and_never_hangs(repo: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    named = repo / "deploy" / "named.toml"
    make(named)
    # A separate process with a time limit: a pipe read with blocking would hang this test, not fail it.
    command = [
        sys.executable,
        "-c",
        "import sys; from railcheck.cli import main; sys.argv[0] = 'railcheck'; main()",
        "check",
        "--config",
        "deploy/named.toml",
        "deploy",
    ]
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"--config deploy/named.toml: {message}" in result.stderr


def test_a_link_the_user_names_is_followed(repo: Path) -> None:
    (repo / "deploy" / "linked.toml").symlink_to(repo / "deploy" / "railcheck.ci.toml")
    assert findings("--config", "deploy/linked.toml", "deploy") == [("RP001", "apps/api/railpack.json")]


def test_explain_service_and_standard_input_use_the_named_file(repo: Path) -> None:
    result = invoke("explain-service", "--config", "deploy/railcheck.ci.toml", "deploy/apps/api")
    assert result.exit_code == 0, result.output
    assert "service api" in result.output and "declared in railcheck.ci.toml" in result.output
    text = '{"versoin": 1, "other": 2}\n'
    arguments = [
        "check",
        "--no-cache",
        "--config",
        "deploy/railcheck.ci.toml",
        "--output-format",
        "json",
        "--stdin-filename",
        "deploy/apps/api/railpack.json",
        "-",
    ]
    result = CliRunner().invoke(main, arguments, input=text)
    assert sorted(d["code"] for d in json.loads(result.stdout)["diagnostics"]) == ["RP001", "RP001"]


def test_the_cache_tells_named_files_apart(repo: Path) -> None:
    # The same text under two names: a finding about the configuration names the file of this run.
    for name in ("one.toml", "two.toml"):
        (repo / "deploy" / name).write_text('ignore = ["RP113"]\n')
    (repo / ".railcheck_cache").mkdir()
    for name in ("one.toml", "two.toml", "one.toml"):
        result = invoke("check", "--config", f"deploy/{name}", "--output-format", "json", "deploy")
        paths = {d["path"] for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "RC006"}
        assert paths == {name}, result.output
