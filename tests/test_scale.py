"""A generated 200-service monorepo: every rule runs without crashing, and the output is deterministic."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.generate import BROKEN_EVERY, write_monorepo
from conftest import invoke


def test_two_hundred_services_give_identical_results_twice(tmp_path: Path) -> None:
    root = write_monorepo(tmp_path / "repo", 200)
    first = invoke("check", str(root), "--output-format", "json")
    second = invoke("check", str(root), "--output-format", "json")
    assert first.exit_code == 1 and first.output == second.output
    document = json.loads(first.output)
    codes = {d["code"] for d in document["diagnostics"]}
    assert "RC002" not in codes
    assert document["summary"]["services"] == 200
    # Every broken service reports the incident's mistakes; clean ones report nothing.
    broken = {f"services/svc{index}" for index in range(0, 200, BROKEN_EVERY)}
    assert {d["service"] for d in document["diagnostics"]} == broken
    assert {"RP001", "ST003", "ST004", "SV003", "PV002"} <= codes
