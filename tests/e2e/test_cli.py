"""The command line end to end: the example monorepo, formats, selection, exit codes, fixes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers.paths import CHECKOUT
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck import __version__

ROOT = CHECKOUT
EXAMPLE = ROOT / "examples" / "monorepo"


def findings(output: str) -> list[tuple[str, str, int, int]]:
    return [
        (d["code"], d["path"], d["span"]["start"]["line"], d["span"]["start"]["column"])
        for d in json.loads(output)["diagnostics"]
        if d["span"]
    ]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "monorepo", ignore=shutil.ignore_patterns(".railcheck_cache")))


def test_version() -> None:
    assert __version__ in invoke("--version").output


def test_example_monorepo_reports_the_incident_at_exact_positions() -> None:
    result = invoke("check", str(EXAMPLE), "--output-format", "json")
    assert result.exit_code == 1
    found = findings(result.output)
    for expected in [
        ("RP114", "services/ml/railpack.json", 4, 3),  # "version": a label Railpack does not read
        ("RP114", "services/ml/railpack.json", 5, 3),  # "metadata": a label block
        ("RP001", "services/ml/railpack.json", 12, 3),  # "providers": typo of provider
        ("RP001", "services/ml/railpack.json", 13, 3),  # "healthCheckPath": a Railway key, wrong case
        ("RP107", "services/backend/railpack.json", 25, 23),  # ${{Postgres.DATABASE_URL}}
        ("RW001", "railway.json", 3, 3),  # top-level "builder"
    ]:
        assert expected in found
    diagnostics = {(d["path"], d["span"]["start"]["line"]): d for d in json.loads(result.output)["diagnostics"]}
    health = diagnostics[("services/ml/railpack.json", 13)]
    assert "healthcheckPath" in health["help"] and "railway.json" in health["help"]
    assert "belongs under `build`" in diagnostics[("railway.json", 3)]["message"]


def test_full_format_shows_snippet_caret_and_help() -> None:
    result = invoke("check", str(EXAMPLE / "services" / "ml"))
    lines = result.output.splitlines()
    index = next(i for i, line in enumerate(lines) if ":13:3: RP001" in line)
    assert lines[index + 3] == '13 |   "healthCheckPath": "/api/health",'
    assert lines[index + 4] == "   |   ^^^^^^^^^^^^^^^^^ RP001"
    assert lines[index + 5].startswith("  = help: Railway reads it from railway.json")


def test_concise_and_json_lines_carry_the_same_findings() -> None:
    concise = invoke("check", str(EXAMPLE), "--output-format", "concise").output.splitlines()[:-3]
    lines = [
        json.loads(line) for line in invoke("check", str(EXAMPLE), "--output-format", "json-lines").output.splitlines()
    ]
    assert len([line for line in concise if re.search(r": [A-Z]{2}\d{3} ", line)]) == len(lines)
    assert all(
        {"code", "name", "severity", "message", "help", "path", "service", "span", "fix", "related"} <= set(line)
        for line in lines
    )


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = invoke("check", str(EXAMPLE), "--output-format", "json", "--output-file", str(target))
    assert result.output == "" and json.loads(target.read_text())["version"] == 1


def test_output_is_deterministic() -> None:
    assert (
        invoke("check", str(EXAMPLE), "--output-format", "json").output
        == invoke("check", str(EXAMPLE), "--output-format", "json").output
    )


def test_select_ignore_and_unknown_selector() -> None:
    only = findings(invoke("check", str(EXAMPLE), "--output-format", "json", "--select", "RW001").output)
    assert {code for code, *_ in only} == {"RW001"}
    by_name = findings(
        invoke("check", str(EXAMPLE), "--output-format", "json", "--select", "railpack-unknown-key,RP107").output
    )
    assert {code for code, *_ in by_name} == {"RP001", "RP107"}
    without = findings(invoke("check", str(EXAMPLE), "--output-format", "json", "--ignore", "RP,RW102").output)
    assert not any(code.startswith("RP") or code == "RW102" for code, *_ in without)
    bad = invoke("check", str(EXAMPLE), "--select", "XX999")
    assert bad.exit_code == 2 and "names no rule" in bad.output


def test_fail_on_and_exit_zero(tmp_path: Path) -> None:
    start = "uvicorn main:app --host 0.0.0.0 --port {}"
    files = {"requirements.txt": "fastapi\nuvicorn\n", "main.py": "app = 1\n"}
    # ST004, a warning
    write_repo(tmp_path, {**files, "railpack.json": '{"deploy": {"startCommand": "%s"}}' % start.format(8000)})
    assert invoke("check", str(tmp_path)).exit_code == 1
    assert invoke("check", str(tmp_path), "--fail-on", "error").exit_code == 0
    assert invoke("check", str(tmp_path), "--exit-zero").exit_code == 0
    write_repo(tmp_path, {**files, "railpack.json": '{"deploy": {"startCommand": "%s"}}' % start.format("$PORT")})
    assert invoke("check", str(tmp_path)).exit_code == 0


def test_file_path_checks_only_its_service(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {"/services/a/railpack.json": '{"versions": 1}', "/services/b/railpack.json": '{"versions": 1}'}
    )
    result = invoke("check", str(tmp_path / "services" / "a" / "railpack.json"), "--output-format", "json")
    assert {path for _, path, *_ in findings(result.output)} == {"services/a/railpack.json"}
    module = tmp_path / "services" / "b" / "main.py"
    module.write_text("app = None\n")
    result = invoke("check", str(module), "--output-format", "json")
    assert {path for _, path, *_ in findings(result.output)} == {"services/b/railpack.json"}


def test_paths_in_two_repositories_are_checked_each_with_its_own_root(tmp_path: Path) -> None:
    first = write_repo(tmp_path / "one", {"railpack.json": '{"versions": 1}'})
    second = write_repo(tmp_path / "two", {"railpack.json": '{"Provider": "python"}'})
    result = invoke("check", str(first), str(second), "--output-format", "json-lines")
    codes = sorted(json.loads(line)["code"] for line in result.output.splitlines())
    assert codes == ["RP001", "RP003"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("check", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_rules_and_rule_documentation() -> None:
    table = invoke("rules").output
    assert "RP001" in table and "RC002" in table
    codes = [rule["code"] for rule in json.loads(invoke("rules", "--format", "json").output)]
    assert codes == sorted(codes) and "RC001" in codes
    doc = invoke("rule", "RP108").output
    assert "## Why is this bad?" in doc and "list-replaces-generated" in doc
    assert invoke("rule", "list-replaces-generated").output == doc
    assert "internal-error" in invoke("rule", "RC002").output
    assert invoke("rule", "ZZ123").exit_code == 2


def test_fix_on_the_example_applies_safe_fixes_only(example: Path) -> None:
    before = {path: path.read_bytes() for path in example.rglob("*") if path.is_file()}
    result = invoke("check", str(example), "--fix", "--output-format", "json")
    assert result.exit_code == 1
    changed = {path.relative_to(example).as_posix() for path, data in before.items() if path.read_bytes() != data}
    assert changed == {"services/backend/railway.json", "services/backend/.python-version", "services/ml/railpack.json"}
    assert (
        '"$schema": "https://railway.com/railway.schema.json"'
        in (example / "services/backend/railway.json").read_text()
    )
    assert (example / "services/backend/.python-version").read_text() == "3.13\n"
    assert "--host 0.0.0.0 --port 8000" in (example / "services/ml/railpack.json").read_text()
    remaining = json.loads(result.output)["diagnostics"]
    assert remaining and not [d for d in remaining if d["fix"] and d["fix"]["applicability"] == "safe"]
    # A second run finds nothing more to fix.
    again = {path: path.read_bytes() for path in example.rglob("*") if path.is_file()}
    invoke("check", str(example), "--fix")
    assert all(path.read_bytes() == data for path, data in again.items())


def test_diff_writes_nothing_and_exit_non_zero_on_fix(example: Path) -> None:
    before = {path: path.read_bytes() for path in example.rglob("*") if path.is_file()}
    diff = invoke("check", str(example), "--diff", "--unsafe-fixes")
    assert diff.exit_code == 1
    assert (
        '+        "...",' in diff.output and '-  "$schema": "https://railway.app/railway.schema.json",' in diff.output
    )
    assert all(path.read_bytes() == data for path, data in before.items())
    fixed = invoke("check", str(example / "services" / "backend"), "--fix-only", "--exit-non-zero-on-fix")
    assert fixed.exit_code == 1 and "Fixed 2 problems (PV002 ×1, RW103 ×1)" in fixed.output
    assert invoke("check", str(example / "services" / "backend"), "--fix-only", "--exit-non-zero-on-fix").exit_code == 0


def test_fix_keeps_comments_crlf_and_missing_final_newline(tmp_path: Path) -> None:
    text = '{\r\n  // keep me\r\n  "deploy": {"StartCommand": "python main.py",}, /* and me */\r\n  "provider": "Python"\r\n}'
    write_repo(tmp_path, {"railpack.json": text})
    invoke("check", str(tmp_path), "--fix")
    fixed = (tmp_path / "services/svc/railpack.json").read_bytes().decode()
    assert fixed == text.replace("StartCommand", "startCommand").replace('"Python"', '"python"')


def test_show_fixes_lists_titles_and_applied_fixes(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path,
        {
            "railpack.json": '{\n  "healthCheckPath": "/health",\n  "deploy": {"startCommand": "uvicorn main:app --host 127.0.0.1 --port $PORT"}\n}\n',
            "main.py": "app = 1\n",
        },
    )
    listed = invoke("check", str(repo), "--show-fixes", "--output-format", "concise", "--no-cache").output
    assert "  fix (safe): Listen on 0.0.0.0" in listed
    assert "fix (unsafe): Move `healthCheckPath` to services/svc/railway.json as `deploy.healthcheckPath`" in listed
    applied = invoke("check", str(repo), "--fix", "--unsafe-fixes", "--show-fixes", "--output-format", "concise").output
    assert "Applied fixes:" in applied and "services/svc/railway.json: RP001 Move `healthCheckPath`" in applied
    created = json.loads((repo / "services/svc/railway.json").read_text())
    assert created["deploy"] == {"healthcheckPath": "/health"}
    assert "healthCheckPath" not in (repo / "services/svc/railpack.json").read_text()
    # Where the root directory is unclear (SV003), railcheck does not guess where railway.json belongs.
    ambiguous = invoke(
        "check", str(EXAMPLE / "services" / "ml"), "--show-fixes", "--output-format", "concise", "--no-cache"
    ).output
    assert "Move `healthCheckPath`" not in ambiguous


def test_a_file_outside_every_service_checks_the_whole_repository(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            "/services/a/railpack.json": '{"versions": 1}',
            "/services/b/railpack.json": '{"versions": 1}',
            "/.python-version": "3.12\n",
        },
    )
    for changed in ("railcheck.toml", ".python-version"):
        result = invoke("check", str(tmp_path / changed), "--output-format", "json", "--no-cache")
        assert {path for _, path, *_ in findings(result.output)} >= {
            "services/a/railpack.json",
            "services/b/railpack.json",
        }, changed


def test_no_services_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "railcheck.toml").touch()
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0 and "no services found" in result.output


def test_engine_codes_can_be_ignored_and_codes_are_case_insensitive(tmp_path: Path) -> None:
    write_repo(tmp_path, {"railpack.json": '{"versions": 1}'})
    (tmp_path / "railcheck.toml").write_text('ignore = { RW105 = "not used" }\n')
    with_unused = json.loads(invoke("check", str(tmp_path), "--output-format", "json", "--no-cache").output)
    assert "RC006" in {d["code"] for d in with_unused["diagnostics"]}
    silenced = invoke("check", str(tmp_path), "--output-format", "json", "--no-cache", "--ignore", "RC006")
    assert silenced.exit_code == 1 and "RC006" not in {d["code"] for d in json.loads(silenced.output)["diagnostics"]}
    assert {
        d["code"]
        for d in json.loads(invoke("check", str(tmp_path), "--output-format", "json", "--select", "rp001").output)[
            "diagnostics"
        ]
    } == {"RP001"}
    assert "railpack-unknown-key" in invoke("rule", "rp001").output


def test_a_top_level_file_checks_every_service_even_when_the_root_is_a_service() -> None:
    # As pre-commit passes a staged railcheck.toml or root requirements file: any service may depend on it.
    assert (EXAMPLE / "railway.json").exists()  # the repository root is itself a service here
    whole = invoke("check", str(EXAMPLE), "--output-format", "json", "--no-cache").output
    for name in ("railcheck.toml", "requirements-deploy.txt"):
        assert (EXAMPLE / name).exists()
        assert invoke("check", str(EXAMPLE / name), "--output-format", "json", "--no-cache").output == whole


def test_checking_one_service_judges_it_as_the_whole_run_does() -> None:
    alone = findings(invoke("check", str(EXAMPLE / "railway.json"), "--output-format", "json", "--no-cache").output)
    whole = findings(invoke("check", str(EXAMPLE), "--output-format", "json", "--no-cache").output)
    assert alone and set(alone) <= set(whole)


def test_a_top_level_module_of_a_root_service_checks_only_that_service(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo"))
    (repo / "main.py").write_text("app = object()\n")
    result = invoke("check", str(repo / "main.py"), "--output-format", "json", "--no-cache")
    assert json.loads(result.output)["summary"]["services"] == 1
    result = invoke("check", str(repo / "railcheck.toml"), "--output-format", "json", "--no-cache")
    assert json.loads(result.output)["summary"]["services"] == 4


def test_the_program_ends_with_complete_output_and_its_exit_status(example: Path) -> None:
    # `python -m railcheck` (like the console script) ends the process without interpreter teardown: the
    # buffered report must still arrive whole, and each exit status must survive.
    import subprocess
    import sys

    program = [sys.executable, "-m", "railcheck"]
    found = subprocess.run(
        [*program, "check", str(example), "--output-format", "json", "--no-cache"], capture_output=True, text=True
    )
    assert found.returncode == 1, found.stderr
    assert findings(found.stdout) == findings(
        invoke("check", str(example), "--output-format", "json", "--no-cache").output
    )
    assert subprocess.run([*program, "--version"], capture_output=True, text=True).returncode == 0
    usage = subprocess.run([*program, "check", str(example / "missing")], capture_output=True, text=True)
    assert usage.returncode == 2 and "no such file or folder" in usage.stderr
    clean = subprocess.run(
        [*program, "check", str(example), "--exit-zero", "--output-format", "concise"], capture_output=True, text=True
    )
    assert clean.returncode == 0 and clean.stdout.rstrip().endswith("--fix --unsafe-fixes`.")


def test_the_program_runs_with_its_output_streams_closed(example: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    report = tmp_path / "report.txt"
    for closed in (1, 2):
        result = subprocess.run(
            [sys.executable, "-m", "railcheck", "check", str(example), "--exit-zero", "--output-file", str(report)],
            capture_output=True,
            preexec_fn=lambda fd=closed: os.close(fd),  # started like `railcheck ... >&-`
        )
        assert result.returncode == 0, result.stderr
        assert "RP001" in report.read_text()


def test_services_sharing_a_name_keep_their_own_health_checks(tmp_path: Path) -> None:
    # A service declared as `web` at the root and the folder service `web`: one name, two route tables.
    app = "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return {}\n"
    start = '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}'
    repo = write_repo(
        tmp_path / "repo",
        {
            "/railcheck.toml": '[services.web]\nroot = "/"\n',
            "/railpack.json": start,
            "/main.py": app,
            "/requirements.txt": "fastapi\nuvicorn\n",
            "/railway.json": '{"deploy": {"healthcheckPath": "/health"}}',
            "/web/railpack.json": start,
            "/web/main.py": app,
            "/web/requirements.txt": "fastapi\nuvicorn\n",
            "/web/railway.json": '{"deploy": {"healthcheckPath": "/missing"}}',
        },
    )
    found = [
        (code, path)
        for code, path, _, _ in findings(invoke("check", str(repo), "--output-format", "json", "--no-cache").output)
    ]
    assert ("HC001", "web/railway.json") in found
    assert ("HC001", "railway.json") not in found


def test_a_root_service_may_cd_into_its_image_folder(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path / "repo",
        {
            "/railpack.json": '{"provider": "python", "deploy": {"startCommand": "cd /app && python main.py"}}',
            "/main.py": "print('hi')\n",
            "/requirements.txt": "requests\n",
        },
    )
    codes = {
        code for code, _, _, _ in findings(invoke("check", str(repo), "--output-format", "json", "--no-cache").output)
    }
    assert "CM002" not in codes


def test_a_declared_and_a_discovered_service_sharing_name_and_root_keep_their_own_facts(tmp_path: Path) -> None:
    # `api` is declared with its configs in api/deploy/, which leaves api/railpack.json to a discovered
    # service also called `api`: each one's start command is checked against its own files only.
    repo = write_repo(
        tmp_path / "repo",
        {
            "/railcheck.toml": '[services.api]\nroot = "api"\nrailpack-config = "deploy/railpack.json"\nrailway-config = "/api/deploy/railway.json"\n',
            "/api/railpack.json": '{"deploy": {"startCommand": "python main.py"}}',
            "/api/deploy/railpack.json": '{"deploy": {"startCommand": "python missing.py"}}',
            "/api/deploy/railway.json": "{}",
            "/api/main.py": "print(1)\n",
            "/api/requirements.txt": "requests\n",
        },
    )
    document = json.loads(invoke("check", str(repo), "--output-format", "json", "--no-cache").output)
    missing = [d["message"] for d in document["diagnostics"] if d["code"] == "CM002"]
    assert len(missing) == 1 and "declared in railcheck.toml" in missing[0], missing


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_is_reported_as_such(example: Path) -> None:
    import subprocess
    import sys

    for arguments in (["check", str(example)], ["rules"]):
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [sys.executable, "-m", "railcheck", *arguments], stdout=full, stderr=subprocess.PIPE, text=True
            )
        assert result.returncode == 2, result.stderr
        assert (
            "No space left on device" in result.stderr
            and "Traceback" not in result.stderr
            and "bug" not in result.stderr
        )


def test_a_declared_railway_config_written_with_dots_inside_the_repository_is_found(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path / "repo",
        {
            "/railcheck.toml": '[services.api]\nroot = "services/api"\nrailway-config = "services/api/../../configs/api.json"\n',
            "/configs/api.json": '{"deploy": {"healthcheckPath": "health"}}',
            "/services/api/railpack.json": '{"provider": "python"}',
            "/services/api/main.py": "",
            "/services/api/requirements.txt": "requests\n",
        },
    )
    found = {
        (code, path)
        for code, path, _, _ in findings(invoke("check", str(repo), "--output-format", "json", "--no-cache").output)
    }
    assert ("RW104", "configs/api.json") in found  # the file was read: its health-check path lacks the `/`
    assert not {code for code, _ in found} & {"RW106"}
