"""IaC files as the whole run sees them: services joining the project, the exit code, explain-service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import invoke

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["iac-authoring-ts", "iac-authoring-py"])
def test_services_without_root_are_checked_from_the_repository_root(name: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shutil.copytree(FIXTURES / name, tmp_path / name))
    result = invoke("check", "--output-format", "concise")
    assert "in 3 services" in result.output and result.exit_code == 1
    suffix = "ts" if name.endswith("ts") else "py"
    # The hard-coded port of `app`, reported on its own word inside the IaC file.
    port = next(line for line in result.output.splitlines() if " ST004 " in line)
    position = port.split(" ")[0]
    line, column = (int(part) for part in position.split(":")[1:3])
    text = (tmp_path / name / ".railway" / f"railway.{suffix}").read_text().splitlines()[line - 1]
    assert text[column - 1 :].startswith("8000")


@pytest.mark.parametrize(("language", "text"), [
    ("py", "from railway_sdk import service\napi = service(name_from_somewhere())\n"),
    ("ts", 'import { service } from "railway/iac";\nexport const api = service(names[0], {});\n'),
])
def test_a_file_calling_service_that_yields_none_never_passes(language: str, text: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".railway").mkdir()
    (tmp_path / ".railway" / f"railway.{language}").write_text(text)
    (tmp_path / "railcheck.toml").touch()
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "concise")
    assert "All checks passed" not in result.output
    assert " IC009 " in result.output and result.exit_code == 1
    assert "line 2" not in result.output and f".railway/railway.{language}:2:" in result.output  # at the call


def test_explain_service_names_the_iac_line_of_each_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shutil.copytree(FIXTURES / "iac-authoring-py", tmp_path / "repo"))
    output = invoke("explain-service", ".").output
    app = output.split("service ingestion")[0]
    assert 'declared by service("app") at .railway/railway.py:19:' in app
    assert "root               not set: the repository root" in app
    assert "start              'uvicorn app.main:app --host 0.0.0.0 --port 8000'  (.railway/railway.py:23)" in app
    assert "builder            'RAILPACK'  (.railway/railway.py:22)" in app
    assert "build      true  [`build` of `service(\"app\")` in .railway/railway.py (.railway/railway.py:22)]" in app
