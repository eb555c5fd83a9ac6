"""The engine: a crashing rule becomes RC002 (exit 2) and the other rules still run."""

from __future__ import annotations

from pathlib import Path

from helpers.repos import write_repo
from helpers.running import run_rules

from railcheck import Invalid, ProjectRule, Valid
from railcheck.registry import load_registry


class Exploding(ProjectRule):
    """## What it does\nRaises.\n## Why is this bad?\nIt is a test.\n## Example\nNone."""

    code = "ZZ901"
    name = "exploding"
    summary = "Raises"
    examples = (Valid({}), Invalid({}, expect=[]))

    def check(self, project):  # type: ignore[no-untyped-def]
        yield from ()
        raise KeyError("boom")


def test_a_crashing_rule_is_reported_and_the_others_run(tmp_path: Path) -> None:
    registry = load_registry()
    write_repo(tmp_path, {"railpack.json": '{"versions": 1}'})
    unknown_key = registry.find("RP001")
    assert unknown_key is not None
    _, diagnostics = run_rules(tmp_path, [Exploding(), unknown_key()], registry)
    assert sorted(d.code for d in diagnostics) == ["RC002", "RP001"]
    crash = next(d for d in diagnostics if d.code == "RC002")
    assert "ZZ901" in crash.message and "KeyError" in crash.message
