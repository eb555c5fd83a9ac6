"""Hardening: valid configs give no error, mutated inputs never crash, big inputs stay fast, nothing runs."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.mutations import mutated_service
from helpers.paths import CHECKOUT
from helpers.repos import write_repo
from helpers.running import invoke
from helpers.schema_strategies import from_schema
from hypothesis import HealthCheck, given, settings

from railcheck.schema import load_schema

ROOT = CHECKOUT
SCHEMA_FAMILIES = "RC,RP,RW"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    railpack=from_schema(load_schema("railpack.schema.json")), railway=from_schema(load_schema("railway.schema.json"))
)
def test_configs_valid_under_our_schemas_raise_no_error(
    tmp_path_factory: pytest.TempPathFactory, railpack: dict, railway: dict
) -> None:
    root = write_repo(
        tmp_path_factory.mktemp("valid"), {"railpack.json": json.dumps(railpack), "railway.json": json.dumps(railway)}
    )
    result = invoke("check", str(root), "--select", SCHEMA_FAMILIES, "--output-format", "json", "--no-cache")
    errors = [(d["code"], d["message"]) for d in json.loads(result.output)["diagnostics"] if d["severity"] == "error"]
    # A valid document may still do something Railpack rejects at plan time (RP1xx semantics), never a schema error.
    assert not [error for error in errors if error[0] in ("RC001", "RP001", "RP002", "RW001", "RW002", "RC002")], errors


FUZZ_CASES = 60  # per CI run; docs/fuzzing.md records the long run (benchmarks/fuzz.py)


@pytest.mark.parametrize("case", range(FUZZ_CASES))
def test_mutated_configs_never_crash(tmp_path: Path, case: int) -> None:
    repo = write_repo(tmp_path, mutated_service(random.Random(20261127 + case)))
    started = time.perf_counter()
    result = invoke("check", str(repo), "--output-format", "json", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    assert "RC002" not in result.output
    assert time.perf_counter() - started < 30


def test_mutated_repositories_never_crash(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path / "repo",
        {
            "railpack.json": '{"deploy": {"startCommand": "uvicorn main:app"}}',
            "main.py": "app = 1\n",
            "requirements.txt": "uvicorn\n",
        },
    )
    service = repo / "services" / "svc"
    (service / "requirements.txt").unlink()
    (service / "requirements.txt").mkdir()  # a folder where a file should be
    (service / "main.py").unlink()
    (service / "main.py").symlink_to(service / "main.py")  # a link to itself
    (service / "Procfile").symlink_to("/etc/passwd")  # a link out of the repository
    weird = repo / "services" / "spaced ü name"
    weird.mkdir(parents=True)
    (weird / "railway.json").write_text('{"deploy": {"healthcheckPath": "health"}}')
    (repo / "services" / "loop").mkdir()
    (repo / "services" / "loop" / "again").symlink_to(repo / "services")
    result = invoke("check", str(repo), "--output-format", "json", "--no-cache")
    assert result.exit_code in (0, 1)
    document = json.loads(result.output)
    assert "RC002" not in {d["code"] for d in document["diagnostics"]}
    assert any(d["path"] == "services/spaced ü name/railway.json" for d in document["diagnostics"])
    assert not any("root:" in (d["message"] or "") for d in document["diagnostics"])  # /etc/passwd was never read


def test_big_inputs_stay_linear(tmp_path: Path) -> None:
    keys = ", ".join(f'"key{index}": {index}' for index in range(10_000))
    requirements = "".join(f"package-{index}=={index}.0\n" for index in range(100_000))
    repo = write_repo(tmp_path, {"railpack.json": "{" + keys + "}", "requirements.txt": requirements, "main.py": ""})
    started = time.perf_counter()
    result = invoke("check", str(repo), "--output-format", "json", "--no-cache")
    elapsed = time.perf_counter() - started
    assert (
        result.exit_code == 1
        and len([d for d in json.loads(result.output)["diagnostics"] if d["code"] == "RP001"]) == 10_000
    )
    assert elapsed < 60, f"took {elapsed:.1f}s: something is quadratic"


def test_repository_code_is_never_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    payload = f"open({str(marker)!r}, 'w').write('ran')\n"
    repo = write_repo(
        tmp_path / "repo",
        {
            "railpack.json": json.dumps(
                {
                    "deploy": {"startCommand": f'python -c "{payload.strip()}"'},
                    "steps": {"build": {"commands": [f"sh -c 'touch {marker}'"]}},
                }
            ),
            "main.py": payload + "app = 1\n",
            "app.py": payload,
            "setup.py": payload,
            "conftest.py": payload,
            "Procfile": f'web: python -c "{payload.strip()}"\n',
            "/sitecustomize.py": payload,
            "/jsonschema.py": payload,
            "/click.py": payload,
            "/.railway/railway.py": payload + "from railway_sdk import service\n",
        },
    )
    command = [str(Path(sys.executable).parent / "railcheck"), "check", ".", "--no-cache", "--fix", "--unsafe-fixes"]
    if not Path(command[0]).exists():
        command = [
            sys.executable,
            "-c",
            "import sys; from railcheck.cli import main; sys.argv[0] = 'railcheck'; main()",
            *command[1:],
        ]
    result = subprocess.run(
        command, cwd=repo, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": ""}
    )
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists(), "repository code ran"


def test_no_network_is_ever_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("railcheck tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    repo = write_repo(
        tmp_path,
        {
            "railpack.json": '{"$schema": "https://schema.railpack.com", "steps": {"install": {"commands": ["...", "curl -fsSL https://raw.githubusercontent.com/o/r/main/x -o x"]}}}',
            "railway.json": '{"$schema": "https://railway.app/railway.schema.json", "deploy": {"healthcheckPath": "http://api.railway.internal/health"}}',
            "requirements.txt": "core @ git+https://github.com/o/r.git@main\n",
        },
    )
    result = invoke("check", str(repo), "--output-format", "sarif", "--no-cache")
    assert result.exit_code == 1


def test_too_many_services_is_a_clear_finding_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import railcheck.discovery as discovery_module

    monkeypatch.setattr(discovery_module, "MAX_SERVICES", 5)
    repo = write_repo(tmp_path, {f"/services/s{index}/railpack.json": "{}" for index in range(8)})
    document = json.loads(invoke("check", str(repo), "--output-format", "json", "--no-cache").output)
    limited = [d for d in document["diagnostics"] if d["code"] == "RC007"]
    assert len(limited) == 1 and "8 services" in limited[0]["message"] and document["summary"]["services"] == 5


def test_config_paths_out_of_the_repository_are_refused(tmp_path: Path) -> None:
    write_repo(tmp_path, {"railpack.json": "{}"})
    for bad in (
        'root = "../../etc"',
        'root = "services/x"\nrailpack-config = "../../../etc/passwd"',
        'root = "x"\nrailway-config = "/../etc/passwd"',
    ):
        (tmp_path / "railcheck.toml").write_text(f"[services.evil]\n{bad}\n")
        result = invoke("check", str(tmp_path))
        assert result.exit_code == 2 and "outside the repository" in result.output, bad


# The bounded version of benchmarks/fuzz.py, with every feature of the long run (a tampered cache included).
FUZZ_FEATURES = frozenset({"names", "links", "special", "config", "iac", "cache"})


@pytest.mark.parametrize("first", range(0, 60, 20))
def test_hostile_repositories_never_crash_hang_escape_or_differ(first: int) -> None:
    import signal

    from benchmarks.fuzz import _on_alarm, run_case

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        outcomes = [run_case(20261206, case, 10.0, case % 4 == 0, FUZZ_FEATURES) for case in range(first, first + 20)]
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert [(outcome.case, outcome.failure, outcome.detail) for outcome in outcomes if outcome.failure] == []
    # the cached and multi-process comparisons ran (not after exit 2)
    assert sum(outcome.compared for outcome in outcomes) >= 2
