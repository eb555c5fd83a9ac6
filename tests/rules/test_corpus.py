"""Every rule over every hand-written railpack.json of the robustness corpus: no rule may crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.paths import FIXTURES
from helpers.repos import write_repo
from helpers.running import invoke

CORPUS = FIXTURES / "corpus"
VALID = [
    "minimal-empty-object",
    "python-pip-full",
    "python-uv-full",
    "python-poetry-full",
    "node-full",
    "staticfile-full",
    "shell-full",
    "comments-everywhere",
    "crlf-line-endings",
]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda path: path.stem)
def test_no_rule_crashes(tmp_path: Path, path: Path) -> None:
    write_repo(tmp_path, {"railpack.json": path.read_bytes()})
    result = invoke("check", str(tmp_path), "--output-format", "json")
    assert result.exit_code in (0, 1), result.output
    codes = [diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]]
    assert "RC002" not in codes


@pytest.mark.parametrize("name", VALID)
def test_valid_configs_have_no_errors(tmp_path: Path, name: str) -> None:
    write_repo(tmp_path, {"railpack.json": (CORPUS / f"{name}.json").read_bytes()})
    # The corpus holds railpack.json files alone, so only the rules about that file apply.
    result = invoke("check", str(tmp_path), "--output-format", "json", "--fail-on", "error", "--select", "RC,RP,RW")
    errors = [d for d in json.loads(result.output)["diagnostics"] if d["severity"] == "error"]
    assert errors == [] and result.exit_code == 0
