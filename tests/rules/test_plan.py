"""RP111/RP112 on the issue's config and its corrected twins, and the plan part of `explain-service`
(railcheck.plan itself: tests/unit/test_plan_shapes.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import invoke, run_rules

ISSUE_CONFIG = {
    "steps": {"web": {"inputs": [{"step": "node-install"}], "commands": ["npm run build"]}},
    "deploy": {"inputs": ["...", {"step": "web"}]},
}


def _findings(tmp_path: Path, registry, config: dict, **files: str) -> list[tuple[str, str]]:
    root = write_repo(tmp_path / "repo", {"railpack.json": json.dumps(config, indent=2), **files})
    rules = [registry.find(code)() for code in ("RP111", "RP112")]
    _, diagnostics = run_rules(root, rules, registry)
    text = json.dumps(config, indent=2)
    return [(d.code, text[d.span.start.offset : d.span.end.offset]) for d in diagnostics if d.span is not None]


def test_the_issue_config_gives_exactly_two_findings(tmp_path: Path, registry) -> None:
    found = _findings(tmp_path, registry, ISSUE_CONFIG, **{"package.json": "{}"})
    assert sorted(found) == [("RP111", '"node-install"'), ("RP112", '{\n        "step": "web"\n      }')]


def test_the_corrected_configs_give_none(tmp_path: Path, registry) -> None:
    with_include = json.loads(json.dumps(ISSUE_CONFIG))
    with_include["deploy"]["inputs"][1]["include"] = ["out"]
    existing_step = json.loads(json.dumps(with_include))
    existing_step["steps"]["web"]["inputs"] = [{"step": "install"}, "."]
    assert _findings(tmp_path / "a", registry, existing_step) == []
    defined = json.loads(json.dumps(with_include))
    defined["steps"]["node-install"] = {"inputs": ["...", "."], "commands": ["npm ci"]}
    assert _findings(tmp_path / "b", registry, defined) == []


@pytest.mark.parametrize(
    ("config", "files", "expected"),
    [
        # Node's `prune` in a service Railpack builds with Python: certain, so an error.
        (
            {"deploy": {"inputs": ["...", {"step": "prune", "include": ["."]}]}},
            {"requirements.txt": "flask\n"},
            ["RP111"],
        ),
        # The same with the provider forced in railpack.json, ignoring case as Railpack does.
        ({"provider": "Python", "deploy": {"inputs": ["...", {"step": "caddy", "include": ["."]}]}}, {}, ["RP111"]),
        # A Node project: railcheck does not know the provider for sure, so Node's names may exist.
        ({"deploy": {"inputs": ["...", {"step": "prune", "include": ["."]}]}}, {"package.json": "{}"}, []),
        # An unknown provider name is RP002's finding; no guess about its steps here.
        ({"provider": "nodejs", "deploy": {"inputs": ["...", {"step": "caddy", "include": ["."]}]}}, {}, []),
        # `deploy.base` naming a missing step.
        ({"deploy": {"base": {"step": "runtime"}}}, {}, ["RP111"]),
        # The `$name` string form.
        ({"steps": {"web": {"inputs": ["$node-install"], "commands": ["make"]}}}, {}, ["RP111"]),
        # A missing step in a step Railpack drops (deploy.inputs replaces and nothing needs it): no error.
        (
            {
                "steps": {"lint": {"inputs": [{"step": "linters"}], "commands": ["make lint"]}},
                "deploy": {"inputs": [{"step": "build", "include": ["."]}]},
            },
            {},
            [],
        ),
        # ... but reached through another kept step's inputs, it is in the plan.
        (
            {
                "steps": {
                    "lint": {"inputs": [{"step": "linters"}], "commands": ["make lint"]},
                    "web": {"inputs": [{"step": "build"}, {"step": "lint", "include": ["report"]}]},
                },
                "deploy": {"inputs": [{"step": "web", "include": ["."]}]},
            },
            {},
            ["RP111"],
        ),
        # A missing step without include: one finding (RP111), not a second one for the empty copy.
        ({"deploy": {"inputs": ["...", {"step": "node-build"}]}}, {}, ["RP111"]),
        # Layers after the first without include, in steps and deploy: local, image, empty include.
        ({"steps": {"web": {"inputs": [{"step": "install"}, {"local": True}], "commands": ["make"]}}}, {}, ["RP112"]),
        ({"deploy": {"inputs": ["...", {"image": "alpine", "include": []}]}}, {}, ["RP112"]),
        # A leading "..." puts the generated inputs first, so the next layer is copied onto them.
        ({"steps": {"build": {"inputs": ["...", {"step": "install"}]}}}, {}, ["RP112"]),
        # ... while a step's own first input needs no include (RP101 forbids one).
        ({"steps": {"web": {"inputs": [{"step": "install"}], "commands": ["make"]}}}, {}, []),
        # Railpack skips config for the `packages:*` steps, so what is written there is not judged.
        ({"steps": {"packages:mise": {"inputs": [{"step": "base"}, {"step": "install"}]}}}, {}, []),
        # A dropped null layer does not count as the first input.
        ({"steps": {"web": {"inputs": [None, {"step": "install"}], "commands": ["make"]}}}, {}, []),
    ],
)
def test_step_references_and_empty_copies(
    tmp_path: Path, registry, config: dict, files: dict[str, str], expected: list[str]
) -> None:
    assert sorted(code for code, _ in _findings(tmp_path, registry, config, **files)) == expected


def test_a_did_you_mean_names_an_existing_step(tmp_path: Path, registry) -> None:
    root = write_repo(tmp_path / "repo", {"railpack.json": json.dumps(ISSUE_CONFIG)})
    _, diagnostics = run_rules(root, [registry.find("RP111")()], registry)
    assert len(diagnostics) == 1 and diagnostics[0].help is not None
    assert diagnostics[0].help.startswith("Did you mean `install`?")
    assert "step `web` starts from nothing" in diagnostics[0].message


def test_every_reference_names_the_same_provider(tmp_path: Path, registry) -> None:
    # The provider was looked up at the first generated-looking name only, so an earlier finding said
    # "no provider" and a later one "the python provider", depending on the order of the references.
    config = {
        "provider": "python",
        "deploy": {"inputs": ["...", {"step": "frontend", "include": ["."]}, {"step": "prune", "include": ["."]}]},
    }
    root = write_repo(tmp_path / "repo", {"railpack.json": json.dumps(config), "requirements.txt": "flask\n"})
    _, diagnostics = run_rules(root, [registry.find("RP111")()], registry)
    assert len(diagnostics) == 2
    assert all("Railpack's python provider does not generate it" in diagnostic.message for diagnostic in diagnostics), [
        d.message for d in diagnostics
    ]


def test_explain_service_shows_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = {
        "steps": {
            "web": {"inputs": [{"step": "node-install"}], "commands": ["npm run build"]},
            "docs": {"inputs": ["...", "."], "commands": ["make docs"], "deployOutputs": [{"include": ["site"]}]},
            "build": {"commands": ["...", "make"]},
            "packages:mise": {"commands": ["x"]},
        },
        "deploy": {"inputs": ["...", {"step": "web"}, {"step": "web", "include": ["out"]}]},
    }
    root = write_repo(tmp_path / "repo", {"railpack.json": json.dumps(config), "requirements.txt": "flask\n"})
    monkeypatch.chdir(root)
    output = invoke("explain-service", "services/svc").output
    assert (
        "Railpack can generate (python, some only under conditions): build, install, packages:apt:build, packages:apt:runtime, packages:mise\n"
        in output
    )
    assert 'web: new step, from {"step": "node-install"} (no such step)' in output
    assert '"...": Railpack\'s generated layers' in output
    assert '{"step": "web"}: nothing from step `web` (no `include`)' in output
    assert '{"step": "web", "include": ["out"]}: `out` from step `web`' in output
    assert "(added for step `docs`): `site` from step `docs`" in output
    assert "packages:mise: Railpack skips these settings when it generates this step itself" in output
    assert "build: changes the generated step, from its generated inputs" in output
    assert "(added for step `build`)" not in output and "(added for step `packages:mise`)" not in output
