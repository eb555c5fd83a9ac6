"""Adopting railcheck on an existing monorepo: baselines, suppressions with reasons, unused suppressions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.paths import EXAMPLE
from helpers.repos import write_repo
from helpers.running import invoke


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "monorepo", ignore=shutil.ignore_patterns(".railcheck_cache")))


def codes(output: str) -> list[tuple[str, str]]:
    return [(d["code"], d["path"]) for d in json.loads(output)["diagnostics"]]


def test_baseline_hides_todays_findings_and_reports_only_new_ones(example: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = invoke("check", str(example), "--write-baseline", str(baseline))
    assert written.exit_code == 0 and "wrote" in written.output
    assert invoke("check", str(example), "--baseline", str(baseline)).exit_code == 0
    # Unrelated edits that shift lines keep every entry matching.
    ml = example / "services/ml/railpack.json"
    ml.write_text("\n\n\n" + ml.read_text())
    shifted = invoke("check", str(example), "--baseline", str(baseline), "--output-format", "json")
    assert shifted.exit_code == 0 and codes(shifted.output) == []
    # One new problem: exit 1, and only that problem is reported.
    frontend = example / "services/frontend/railpack.json"
    frontend.write_text(frontend.read_text().replace('"provider": "node"', '"provider": "node", "providers": ["node"]'))
    new = invoke("check", str(example), "--baseline", str(baseline), "--output-format", "json")
    assert new.exit_code == 1
    assert codes(new.output) == [("RP001", "services/frontend/railpack.json")]
    assert json.loads(new.output)["summary"]["baselined"] > 10


def test_fixed_findings_become_stale_baseline_entries(example: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    invoke("check", str(example), "--write-baseline", str(baseline))
    ml = example / "services/ml/railpack.json"
    ml.write_text(ml.read_text().replace('"providers": ["python"],', ""))
    result = invoke("check", str(example), "--baseline", str(baseline), "--output-format", "json")
    stale = [d for d in json.loads(result.output)["diagnostics"] if d["code"] == "RC005"]
    assert len(stale) == 1 and "RP001 in services/ml/railpack.json" in stale[0]["message"]
    assert result.exit_code == 0  # stale entries are info: refreshing the baseline is not urgent


def test_broken_baseline_file_is_a_usage_error(example: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = invoke("check", str(example), "--baseline", str(bad))
    assert result.exit_code == 2 and "not a railcheck baseline" in result.output
    assert invoke("check", str(example), "--baseline", str(tmp_path / "missing.json")).exit_code == 2


def test_suppression_reasons_are_shown_and_unused_ones_reported(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {"/services/a/railpack.json": '{"versions": 1, "provider": "python"}', "/services/a/main.py": ""}
    )
    (tmp_path / "railcheck.toml").write_text(
        'ignore = { RP001 = "keys kept for the old deploy script", RW105 = "nixpacks until Q3" }\n'
        '[per-file-ignores]\n"legacy/**" = ["RP108"]\n'
    )
    full = invoke("check", str(tmp_path))
    assert "suppressed by configuration: RP001 ×1 (keys kept for the old deploy script)" in full.output
    document = json.loads(invoke("check", str(tmp_path), "--output-format", "json").output)
    unused = [d for d in document["diagnostics"] if d["code"] == "RC006"]
    assert sorted(d["message"] for d in unused) == [
        "`ignore` entry `RW105` suppressed nothing in this run",
        "`per-file-ignores` pattern `legacy/**` suppressed nothing in this run",
    ]
    assert {d["path"] for d in unused} == {"railcheck.toml"} and all(d["span"] for d in unused)
    assert document["summary"]["suppressions"] == [
        {"code": "RP001", "count": 1, "reason": "keys kept for the old deploy script"}
    ]
    # A partial run (some rules, or some paths) cannot tell whether a suppression is unused.
    partial = json.loads(invoke("check", str(tmp_path / "services" / "a"), "--output-format", "json").output)
    assert not [d for d in partial["diagnostics"] if d["code"] == "RC006"]
    selected = json.loads(invoke("check", str(tmp_path), "--select", "RP", "--output-format", "json").output)
    assert not [d for d in selected["diagnostics"] if d["code"] == "RC006"]
