"""Configuration: where it is read from, validation with precise messages, and its effect on a run."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.config import ConfigError, load_config, parse_config
from railcheck.types import Severity


def codes(output: str) -> list[str]:
    return sorted(d["code"] for d in json.loads(output)["diagnostics"])


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.select is None and config.fail_on is Severity.WARNING and config.services == ()


def test_railcheck_toml_beats_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.railcheck]\nfail-on = "info"\n')
    assert load_config(tmp_path).fail_on is Severity.INFO
    (tmp_path / "railcheck.toml").write_text('fail-on = "error"\n')
    assert load_config(tmp_path).fail_on is Severity.ERROR


def test_unknown_keys_and_wrong_types_are_rejected_precisely() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(
            {"selekt": ["RP"], "fail-on": "fatal", "services": {"api": {"rot": "x"}}},
            source=PurePosixPath("railcheck.toml"),
        )
    message = str(error.value)
    assert "railcheck.toml: unknown key(s) 'selekt'" in message
    assert "fail-on: 'fatal' is not one of" in message
    assert "services.api" in message and "'rot'" in message


def test_declared_root_may_not_leave_the_repository() -> None:
    with pytest.raises(ConfigError, match="outside the repository"):
        parse_config({"services": {"api": {"root": "../elsewhere"}}})


def test_bad_config_exits_2_with_the_message(tmp_path: Path) -> None:
    write_repo(tmp_path, {"railpack.json": "{}"})
    (tmp_path / "railcheck.toml").write_text("ignore = 3\n")
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "ignore" in result.output
    (tmp_path / "railcheck.toml").write_text("ignore = [\n")
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "not valid TOML" in result.output
    (tmp_path / "railcheck.toml").write_text('ignore = ["NOPE"]\n')
    assert invoke("check", str(tmp_path)).exit_code == 2


def test_ignore_with_reason_per_file_ignores_and_severity(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "/services/a/railpack.json": '{"versions": 1, "provider": "Python"}',
            "/services/b/railpack.json": '{"versions": 1}',
        },
    )
    assert codes(invoke("check", str(tmp_path), "--output-format", "json").output) == ["RP001", "RP001", "RP004"]
    (tmp_path / "railcheck.toml").write_text(
        'ignore = { RP004 = "we normalise providers next sprint" }\n'
        '[per-file-ignores]\n"services/b/**" = ["railpack-unknown-key"]\n'
    )
    result = invoke("check", str(tmp_path), "--output-format", "json")
    document = json.loads(result.output)
    assert codes(result.output) == ["RP001"] and document["summary"]["suppressed"] == 2
    (tmp_path / "railcheck.toml").write_text('[severity]\nRP = "info"\nRP001 = "warning"\n')
    result = json.loads(invoke("check", str(tmp_path), "--output-format", "json").output)
    assert {(d["code"], d["severity"]) for d in result["diagnostics"]} == {("RP001", "warning"), ("RP004", "info")}


def test_select_in_config_and_cli_extend_select(tmp_path: Path) -> None:
    write_repo(tmp_path, {"railpack.json": '{"versions": 1, "provider": "Python"}'})
    (tmp_path / "railcheck.toml").write_text('select = ["RP004"]\n')
    assert codes(invoke("check", str(tmp_path), "--output-format", "json").output) == ["RP004"]
    assert codes(invoke("check", str(tmp_path), "--output-format", "json", "--extend-select", "RP001").output) == [
        "RP001",
        "RP004",
    ]


def test_declared_service_claims_the_folder_of_its_railpack_config(tmp_path: Path) -> None:
    # The seed's ML service before the fix: deployed from the repository root, config in services/ml.
    write_repo(tmp_path, {"/services/ml/railpack.json": '{"versions": "1"}'})
    (tmp_path / "railcheck.toml").write_text(
        '[services.ml]\nroot = "/"\nrailpack-config = "services/ml/railpack.json"\n'
    )
    document = json.loads(invoke("check", str(tmp_path), "--output-format", "json").output)
    assert [(d["code"], d["service"]) for d in document["diagnostics"]] == [("RP001", "ml")]
    assert document["summary"]["services"] == 1


def test_exclude_skips_folders(tmp_path: Path) -> None:
    write_repo(tmp_path, {"/legacy/old/railpack.json": '{"versions": 1}', "/services/new/railpack.json": "{}"})
    (tmp_path / "railcheck.toml").write_text('exclude = ["legacy/"]\n')
    document = json.loads(invoke("check", str(tmp_path), "--output-format", "json").output)
    assert document["diagnostics"] == [] and document["summary"]["services"] == 1


def test_rule_options_are_validated(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {"railpack.json": '{"packages": {"python": "3.13"}}', ".python-version": "3.12\n", "main.py": ""}
    )
    (tmp_path / "railcheck.toml").write_text('[rules.PV002]\nsource-of-truth = "pyproject"\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "source-of-truth must be" in result.output
    (tmp_path / "railcheck.toml").write_text('[rules.python-version-mismatch]\nsource = "x"\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "has no option source" in result.output
    (tmp_path / "railcheck.toml").write_text("[rules.RP001]\nx = 1\n")
    assert "takes no options" in invoke("check", str(tmp_path)).output
    (tmp_path / "railcheck.toml").write_text('[rules.PV002]\nsource-of-truth = ".python-version"\n')
    document = json.loads(invoke("check", str(tmp_path), "--output-format", "json").output)
    assert [(d["code"], d["path"]) for d in document["diagnostics"]] == [("PV002", "services/svc/railpack.json")]
