"""`railcheck explain-service PATH --output-format json`: the resolved view as a versioned document."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.paths import EXAMPLE, FIXTURES
from helpers.repos import write_repo
from helpers.running import invoke


def _spanned(root: Path, origin: dict) -> str:
    text = (root / origin["path"]).read_text(encoding="utf-8")
    return text[origin["span"]["start"]["offset"] : origin["span"]["end"]["offset"]]


def test_every_candidate_points_at_the_text_it_was_read_from() -> None:
    result = invoke("explain-service", str(EXAMPLE / "services" / "ml"), "--output-format", "json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["version"] == 1
    (service,) = document["services"]
    assert service["name"] == "services/ml" and service["root"]["path"] == "services/ml"
    assert service["root"]["evidence"]  # the example's ml service was written for the repository root
    assert service["provider"]["value"] == "python"
    versions = service["python_version"]
    assert [candidate["used"] for candidate in versions].count(True) == 1
    for candidate in [*versions, service["provider"]]:
        if candidate["origin"]["path"] is not None:
            assert candidate["value"] in _spanned(EXAMPLE, candidate["origin"])
    (start,) = [command for command in service["start_command"] if command["used"]]
    assert start["kind"] == "start" and start["text"].split()[0] in _spanned(EXAMPLE, start["origin"])
    # The text form shows the same winner.
    assert f"* {start['text']}" in invoke("explain-service", str(EXAMPLE / "services" / "ml")).output


def test_the_builder_and_what_decided_it(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path,
        {
            "railway.json": '{"build": {"builder": "DOCKERFILE"}}\n',
            "Dockerfile": "FROM python:3.12\n",
            "/services/other/railpack.json": "{}\n",
        },
    )
    (service,) = json.loads(invoke("explain-service", str(root / "services/svc"), "--output-format", "json").output)[
        "services"
    ]
    assert service["builder"]["value"] == "dockerfile" and service["builder"]["dockerfile"] == "services/svc/Dockerfile"
    assert _spanned(root, service["builder"]["origin"]) == '"DOCKERFILE"'
    assert service["plan"] is None  # Railpack's plan; a Dockerfile build has none
    assert service["config_files"] == {"railpack": None, "railway": "services/svc/railway.json"}
    (other,) = json.loads(invoke("explain-service", str(root / "services/other"), "--output-format", "json").output)[
        "services"
    ]
    assert other["builder"]["value"] == "railpack" and other["builder"]["origin"]["path"] is None
    assert other["plan"] is not None and other["python_version"][-1]["used"]


def test_iac_settings_carry_their_spans_in_the_iac_file() -> None:
    root = FIXTURES / "iac-authoring-py"
    services = json.loads(invoke("explain-service", str(root), "--output-format", "json").output)["services"]
    assert services and all(service["iac"]["path"] == ".railway/railway.py" for service in services)
    text = (root / ".railway/railway.py").read_text(encoding="utf-8")
    for service in services:
        call = service["iac"]["span"]
        assert f'"{service["name"]}"' in text[call["start"]["offset"] : call["end"]["offset"]]
        for setting in service["iac"]["settings"].values():
            if setting["known"] and isinstance(setting["value"], str) and setting["written_at"] is None:
                assert setting["value"] in text[setting["span"]["start"]["offset"] : setting["span"]["end"]["offset"]]
    assert (
        json.loads(invoke("explain-service", str(EXAMPLE / "services" / "ml"), "--output-format", "json").output)[
            "services"
        ][0]["iac"]
        is None
    )


def test_plan_steps_and_deploy_layers_point_into_railpack_json(tmp_path: Path) -> None:
    railpack = '{\n  "provider": "python",\n  "steps": {"tools": {"inputs": [{"step": "install"}], "commands": ["make"]}},\n  "deploy": {"inputs": ["...", {"step": "tools", "include": ["bin"]}]}\n}\n'
    root = write_repo(tmp_path, {"railpack.json": railpack, "requirements.txt": "fastapi\n"})
    (service,) = json.loads(invoke("explain-service", str(root / "services/svc"), "--output-format", "json").output)[
        "services"
    ]
    found = service["plan"]
    assert found["provider"] == "python" and "install" in found["possible_generated_steps"]
    (tools,) = found["steps"]
    assert tools["name"] == "tools" and not tools["changes_generated_step"]
    assert _spanned(root, {"path": "services/svc/railpack.json", "span": tools["span"]}) == '"tools"'
    assert [(layer["kind"], layer["source"]) for layer in tools["inputs"]] == [("step", "install")]
    assert [(layer["kind"], layer["source"], layer["include"]) for layer in found["deploy_layers"]] == [
        ("spread", None, None),
        ("step", "tools", ["bin"]),
    ]
    assert _spanned(root, {"path": "services/svc/railpack.json", "span": found["deploy_layers"][1]["span"]}).startswith(
        '{"step": "tools"'
    )


def test_the_text_names_the_deploy_base_whatever_the_keys_case(tmp_path: Path) -> None:
    # Railpack reads `Deploy.Base` as `deploy.base`: the text shows it as the base, not as a deploy input.
    railpack = '{"Deploy": {"Base": {"image": "python:3.12"}, "startCommand": "python main.py"}}'
    write_repo(tmp_path, {"railpack.json": railpack, "main.py": "x = 1\n", "requirements.txt": ""}, service="svc")
    output = invoke("explain-service", str(tmp_path / "svc")).output
    assert 'base: {"image": "python:3.12"}' in output
    assert "Railpack's runtime image" not in output
