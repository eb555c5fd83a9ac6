"""Values several rules read per service are worked out once (`Project.derived`): railpack.json's step plan
(RP111, RP112), its step commands (RP102, RP103, RP104, RP106) and whether a service declares watch patterns
(the four WP rules), with the same answers the per-rule walks gave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from railcheck.plan import certainly_kept_steps, deploy_layers, keeps_generated_deploy, layers, read_step_plan
from railcheck.registry import load_registry
from railcheck.walk import declares_watch_patterns, step_items
from tests.helpers.counting import counting as _counting
from tests.helpers.repos import write_repo
from tests.helpers.running import run_rules

# A layer naming no step (RP111) and two copying nothing (RP112: `$deps` in a step, `$web` in the deploy).
RAILPACK = (
    '{"steps": {"web": {"inputs": [{"step": "node-install"}, "$deps"], "commands": ["make"]},'
    ' "deps": {"commands": ["make deps"]}}, "deploy": {"base": {"image": "python:3.12"}, "inputs": ["...", "$web"]}}'
)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"deploy": []},
        {"deploy": {"inputs": "web"}},
        {"Steps": {"a": {"Inputs": ["...", "$b"]}, "b": {"deployOutputs": []}}, "Deploy": {"Base": "$a"}},
        {
            "steps": {"a": {"commands": ["x"]}, "b": {"deployOutputs": []}, "d": {"inputs": [{"step": "b"}]}},
            "deploy": {"inputs": [{"step": "d", "include": ["."]}]},
        },
    ],
)
def test_the_step_plan_reads_what_the_single_walks_read(config: dict[str, Any]) -> None:
    plan = read_step_plan(config)
    assert plan.deploy_layers == deploy_layers(config)
    assert set(plan.kept) == certainly_kept_steps(config)
    assert plan.keeps_generated == keeps_generated_deploy(config)
    assert {name: plan.inputs[name] for name in plan.steps} == {
        name: layers(step, "inputs", pointer) for name, (pointer, step) in plan.steps.items()
    }


def test_rp111_and_rp112_share_one_plan_per_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _counting(monkeypatch, "railcheck.plan.find_step_plan")
    registry = load_registry()
    write_repo(tmp_path, {"railpack.json": RAILPACK, "requirements.txt": "flask\n", "main.py": ""})
    rules = [rule() for code in ("RP111", "RP112") if (rule := registry.find(code)) is not None]
    project, diagnostics = run_rules(tmp_path, rules, registry)
    assert sorted(d.code for d in diagnostics) == ["RP111", "RP112", "RP112"]
    assert read == list(project.services)


def test_the_command_rules_share_one_reading_of_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _counting(monkeypatch, "railcheck.plan.find_step_commands")
    registry = load_registry()
    commands = '["PATH:/app/bin", "python -c \'print(1 + 2)\'"]'
    write_repo(tmp_path, {"railpack.json": f'{{"steps": {{"build": {{"commands": {commands}}}}}}}', "main.py": ""})
    rules = [rule() for code in ("RP102", "RP103", "RP104", "RP106") if (rule := registry.find(code)) is not None]
    assert len(rules) == 4
    project, diagnostics = run_rules(tmp_path, rules, registry)
    assert sorted(d.code for d in diagnostics) == ["RP102", "RP106"]
    (service,) = project.services
    assert read == [service]
    assert service.railpack is not None
    assert project.derived.step_commands(service) == tuple(step_items(service.railpack.value, "commands"))


def test_the_wp_rules_ask_once_whether_watch_patterns_are_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _counting(monkeypatch, "railcheck.walk.declares_watch_patterns")
    registry = load_registry()
    write_repo(tmp_path, {"railway.json": '{"build": {"watchPatterns": ["app/**"]}}', "app/main.py": ""})
    rules = [rule() for rule in registry.rules if rule.code.startswith("WP")]
    assert len(rules) == 4
    project, diagnostics = run_rules(tmp_path, rules, registry)
    assert [d.code for d in diagnostics] == ["WP001"]
    assert asked == list(project.services)


@pytest.mark.parametrize(
    ("railway", "declared"),
    [
        ('{"build": {"watchPatterns": ["/a/**"]}}', True),
        ('{"environments": {"staging": {"build": {"watchPatterns": []}}}}', True),  # an empty list is declared
        ('{"build": {"watchPatterns": "/a/**"}}', False),  # not a list: the schema rules report it
        ('{"build": {"builder": "RAILPACK"}}', False),
    ],
)
def test_declared_watch_patterns(tmp_path: Path, railway: str, declared: bool) -> None:
    write_repo(tmp_path, {"railway.json": railway, "main.py": ""})
    registry = load_registry()
    project, _ = run_rules(tmp_path, [], registry)
    (service,) = project.services
    assert declares_watch_patterns(service) is declared
