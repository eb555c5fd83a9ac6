"""Scenario fixtures: each folder under tests/fixtures/ with a railcheck.toml is a small monorepo (which codes
each one shows: tests/fixtures/README.md).

For each: `railcheck check` must print exactly `expected/check.txt`; `railcheck check --fix` must change
exactly the files under `expected/fixed/` into their contents; a second `--fix` changes nothing.
Run `pytest --update-snapshots` to rewrite the expectations after an intended change, and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.paths import FIXTURES
from helpers.running import invoke
from helpers.scenarios import SCENARIOS


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "expected" not in path.relative_to(root).parts
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.name)
def test_scenario(scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_snapshots: bool) -> None:
    work = Path(shutil.copytree(scenario, tmp_path / scenario.name, ignore=shutil.ignore_patterns("expected")))
    monkeypatch.chdir(work)
    expected = scenario / "expected"

    report = invoke("check", "--output-format", "concise").output
    before = _files(work)
    invoke("check", "--fix", "--output-format", "concise")
    after = _files(work)
    changed = {name: data for name, data in after.items() if before.get(name) != data}

    if update_snapshots:
        shutil.rmtree(expected, ignore_errors=True)
        (expected / "fixed").mkdir(parents=True)
        (expected / "check.txt").write_text(report)
        for name, data in changed.items():
            target = expected / "fixed" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (expected / "fixed" / ".keep").touch()

    assert report == (expected / "check.txt").read_text()
    fixed = {
        path.relative_to(expected / "fixed").as_posix(): path.read_bytes()
        for path in (expected / "fixed").rglob("*")
        if path.is_file() and path.name != ".keep"
    }
    assert changed == fixed
    invoke("check", "--fix")
    assert _files(work) == after, "a second --fix changed files again"


def test_every_cross_file_rule_has_a_scenario(registry) -> None:
    snapshots = "".join((scenario / "expected" / "check.txt").read_text() for scenario in SCENARIOS)
    cross_file = [rule.code for rule in registry.rules if rule.code[:2] in ("PV", "RQ", "CM", "ST", "HC", "SV", "IC")]
    missing = [code for code in cross_file if f" {code} " not in snapshots]
    assert not missing, f"no scenario under tests/fixtures/ shows {missing}"


def test_every_finding_on_the_scenarios_has_a_position(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI formats need a line for every finding (SARIF's region.startLine, GitHub's line=): rules point at
    the value that defines the problem, or at the start of the file a finding is about as a whole."""
    import json

    without = []
    for scenario in (*SCENARIOS, FIXTURES.parent.parent / "examples" / "monorepo"):
        monkeypatch.chdir(scenario)
        report = json.loads(invoke("check", "--no-cache", "--output-format", "json").output)
        without += [
            f"{scenario.name}: {item['code']} {item['path']}" for item in report["diagnostics"] if not item.get("span")
        ]
    assert not without, without
