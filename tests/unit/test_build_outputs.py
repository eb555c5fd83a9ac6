"""Paths the build creates (railcheck/build_outputs.py): what commands write, output folders, .gitignore."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.build_outputs import created_paths
from railcheck.sources.shell import ShellScript, parse_shell


def _written(text: str) -> list[str]:
    parsed = parse_shell(text)
    assert isinstance(parsed, ShellScript)
    return [path for command in parsed.commands for path in created_paths(command)]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("npx next export -o /app/out", ["/app/out"]),
        ("tsc --outDir=dist", ["dist"]),
        ("esbuild src/index.ts --bundle --outdir build/js", ["build/js"]),
        ("mkdir -p logs tmp", ["logs", "tmp"]),
        ("python gen.py > schema.json", ["schema.json"]),
        ("cp -R .next/static .next/standalone/.next/static", [".next/standalone/.next/static"]),
        ("git clone --depth 1 https://example.com/x.git vendor/x", ["vendor/x"]),
        ("tar -xzf assets.tgz -C public/assets", ["public/assets"]),
        ("unzip -q model.zip -d models", ["models"]),
        ("git clone https://example.com/x.git", []),  # the folder is named after the URL: not guessed
        ("python main.py", []),
    ],
)
def test_created_paths_names_what_a_command_writes(command: str, expected: list[str]) -> None:
    assert _written(command) == expected


@pytest.mark.parametrize(
    "files",
    [
        # Written by an earlier build command, then used by the start command.
        {
            "railpack.json": '{"steps": {"build": {"commands": ["...", "mkdir -p /app/bin", "cp tools/run.sh bin/run.sh"]}}, "deploy": {"startCommand": "bash bin/run.sh"}}',
            "tools/run.sh": "",
        },
        # In a framework's output folder.
        {"railpack.json": '{"deploy": {"startCommand": "python dist/server.py"}}', "requirements.txt": "flask\n"},
        # Ignored by the repository's .gitignore: build outputs are not committed.
        {"railpack.json": '{"deploy": {"startCommand": "bash generated/start.sh"}}', "/.gitignore": "generated/\n"},
    ],
)
def test_paths_the_build_creates_are_not_missing(tmp_path: Path, files: dict[str, str]) -> None:
    write_repo(tmp_path, files)
    output = invoke("check", str(tmp_path), "--output-format", "concise", "--select", "CM002,CM004,ST001").output
    assert "All checks passed" in output, output


def test_a_path_nothing_creates_is_still_missing(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {"railpack.json": '{"deploy": {"startCommand": "bash generated/start.sh"}}', "/.gitignore": "other/\n"},
    )
    output = invoke("check", str(tmp_path), "--output-format", "concise", "--select", "CM002").output
    assert "CM002 error" in output and "generated/start.sh" in output


def test_explain_service_lists_the_paths_the_build_creates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_repo(
        tmp_path,
        {
            "railpack.json": '{"steps": {"build": {"commands": ["...", "npx next export -o /app/out"]}}}',
            "package.json": "{}",
        },
    )
    monkeypatch.chdir(tmp_path)
    output = invoke("explain-service", "services/svc").output
    assert (
        "paths the build creates:\n    services/svc/out  (written by `steps.build.commands[1]` in railpack.json)"
        in output
    )
