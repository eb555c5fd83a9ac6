"""The result cache: replays an unchanged repository, never serves stale findings, survives concurrency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import CHECKOUT, EXAMPLE
from helpers.running import invoke


def run(repo: Path, *extra: str) -> str:
    return invoke("check", str(repo), "--output-format", "json", *extra).output


def test_unchanged_repository_replays_identical_output(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    cold = run(repo)
    entries = [
        path for path in (repo / ".railcheck_cache").iterdir() if path.suffix == ".json" and path.name != "stat.json"
    ]
    assert len(entries) == 1
    assert run(repo) == cold == run(repo, "--no-cache")
    # The second run replayed the first one's entry (a miss would have stored a second one).
    assert (
        len(
            [
                path
                for path in (repo / ".railcheck_cache").iterdir()
                if path.suffix == ".json" and path.name != "stat.json"
            ]
        )
        == 1
    )
    # snippets come back too
    assert invoke("check", str(repo)).output == invoke("check", str(repo), "--no-cache").output
    assert (repo / ".railcheck_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_edit_changes_exactly_its_findings(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    before = {(d["code"], d["path"], d["message"]) for d in json.loads(run(repo))["diagnostics"]}
    frontend = repo / "services/frontend/railpack.json"
    # Same size, written straight after the run: only the content hash can tell.
    frontend.write_text(frontend.read_text().replace('"provider": "node"', '"providex": "node"'))
    after = {(d["code"], d["path"], d["message"]) for d in json.loads(run(repo))["diagnostics"]}
    assert after - before == {
        (
            "RP001",
            "services/frontend/railpack.json",
            "Railpack ignores unknown key `providex` at the top level; did you mean `provider`?",
        )
    }
    assert before - after == set()
    assert run(repo) == run(repo, "--no-cache")


def test_configuration_and_options_are_part_of_the_key(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    full = json.loads(run(repo))["diagnostics"]
    assert {d["code"] for d in json.loads(run(repo, "--select", "RP001"))["diagnostics"]} == {"RP001"}
    (repo / "railcheck.toml").write_text('ignore = ["RP001"]\n')
    assert not [d for d in json.loads(run(repo))["diagnostics"] if d["code"] == "RP001"]
    (repo / "railcheck.toml").write_text("")
    assert json.loads(run(repo))["diagnostics"] == full


def test_concurrent_runs_agree(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    expected = run(repo, "--no-cache")
    command = [sys.executable, "-m", "railcheck", "check", str(repo), "--output-format", "json"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=CHECKOUT) for _ in range(4)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(json.loads(output)["diagnostics"] == json.loads(expected)["diagnostics"] for output in outputs)
    assert not [path for path in (repo / ".railcheck_cache").iterdir() if path.name.endswith(".tmp")]
    assert run(repo) == expected


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    expected = run(repo)
    for damage in ('{"diagnostics": [{"code": 1}]', '{"diagnostics": [], "texts": [], "services": 1}', "[]"):
        for path in (repo / ".railcheck_cache").iterdir():
            if path.suffix == ".json":
                path.write_text(damage)
        assert run(repo) == expected


def test_old_entries_are_evicted(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    frontend = repo / "services" / "frontend" / "railpack.json"
    original = frontend.read_text()
    for index in range(25):
        frontend.write_text(original.replace('"provider"', f'"x{index}": 1, "provider"'))  # a file the check reads
        run(repo)
    entries = [
        path for path in (repo / ".railcheck_cache").iterdir() if path.suffix == ".json" and path.name != "stat.json"
    ]
    assert len(entries) <= 16


def _copy(fixture: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(fixture, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))


def test_a_subfolder_check_sees_edits_to_the_iac_file(tmp_path: Path) -> None:
    repo = _copy(EXAMPLE.parent.parent / "tests" / "fixtures" / "iac-rules", tmp_path)
    target = repo / "services" / "api"
    run(target)
    iac = repo / ".railway" / "railway.py"
    iac.write_text(
        iac.read_text().replace('start="uvicorn main:app --host 0.0.0.0 --port 8000"', 'start="gunicorn main:app"')
    )
    assert run(target) == run(target, "--no-cache")


def test_a_subfolder_check_sees_edits_to_a_declared_config_elsewhere(tmp_path: Path) -> None:
    repo = _copy(EXAMPLE, tmp_path)
    (repo / "deploy").mkdir()
    (repo / "services/backend/railway.json").rename(repo / "deploy/backend.json")
    (repo / "railcheck.toml").write_text(
        '[services.backend]\nroot = "services/backend"\nrailway-config = "/deploy/backend.json"\n'
    )
    target = repo / "services" / "backend"
    before = run(target)
    declared = repo / "deploy" / "backend.json"
    declared.write_text(declared.read_text().replace('"deploy": {', '"deploy": {\n    "numReplicas": "two",', 1))
    after = run(target)
    assert after == run(target, "--no-cache") and after != before


def test_findings_for_a_file_edited_during_the_run_are_not_stored(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import railcheck.run as run_module

    repo = _copy(EXAMPLE, tmp_path)
    config = repo / "services" / "frontend" / "railpack.json"
    original = config.read_text()
    edited = original.replace('"provider": "node"', '"providex": "node"')
    check = run_module._check

    def edit_then_check(*arguments, **options):  # type: ignore[no-untyped-def]
        config.write_text(edited)  # an editor save between the cache key and the reads
        return check(*arguments, **options)

    monkeypatch.setattr(run_module, "_check", edit_then_check)
    run(repo)
    monkeypatch.setattr(run_module, "_check", check)
    config.write_text(original)  # back to the content the key was made from
    assert run(repo) == run(repo, "--no-cache")


def test_a_new_empty_folder_is_an_input(tmp_path: Path) -> None:
    repo = _copy(EXAMPLE, tmp_path)
    config = repo / "services" / "backend" / "railpack.json"
    # Without the package installed from git (which might provide `pkg`), the missing module is certain.
    git_install = "git+https://github.com/example-org/orbit-platform.git#subdirectory=packages/core"
    config.write_text(
        config.read_text()
        .replace("uvicorn main:app", "uvicorn pkg.mod:app")
        .replace(git_install, "-r requirements-deploy.txt")
    )
    before = run(repo)
    assert "ST001" in before
    (repo / "services" / "backend" / "pkg" / "mod").mkdir(parents=True)  # a namespace package: the module resolves
    after = run(repo)
    assert after == run(repo, "--no-cache") and after != before


def test_editing_a_linked_file_inside_the_repository_is_seen(tmp_path: Path) -> None:
    # The link keeps its size and time; only its target changes, so the key must follow it inside.
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    frontend = repo / "services/frontend/railpack.json"
    shared = repo / "shared-railpack.json"
    shared.write_text(frontend.read_text())
    frontend.unlink()
    frontend.symlink_to(Path("../../shared-railpack.json"))
    before = run(repo)
    assert before == run(repo, "--no-cache")
    shared.write_text(shared.read_text().replace('"provider": "node"', '"providex": "node"'))
    after = run(repo)
    assert after == run(repo, "--no-cache")
    assert "providex" in after and "providex" not in before


def test_links_out_of_the_repository_and_pipes_are_never_read(tmp_path: Path) -> None:
    # A pipe would block a reader forever; the run (cache on) has to finish without opening either.
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    outside = tmp_path / "outside-pipe"
    os.mkfifo(outside)
    (repo / "services/frontend/Procfile").symlink_to(outside)
    os.mkfifo(repo / "services/frontend/requirements.txt")
    command = [sys.executable, "-m", "railcheck", "check", str(repo), "--output-format", "json"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60)
    second = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert first.returncode == second.returncode == 1, first.stderr
    assert first.stdout == second.stdout
    assert "not a regular file" in first.stdout


_WATCH_OPENS = """
import os, sys
outside = sys.argv.pop(1)
touched = []
def audit(event, arguments):
    path = arguments[0] if event in ("open", "os.scandir", "os.listdir") and arguments else None
    if isinstance(path, (str, os.PathLike)) and os.path.realpath(path).startswith(outside):
        touched.append(f"{event} {path}")
sys.addaudithook(audit)
from railcheck.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("TOUCHED", touched, file=sys.stderr)
"""


def test_files_behind_a_linked_folder_out_of_the_repository_are_never_read(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "railway.py").write_text("from railway import service\nservice('api', root='services/api')\n")
    (outside / "app.py").write_text("app = 1\n")
    (repo / ".railway").symlink_to(outside, target_is_directory=True)  # the IaC file, through a linked folder
    (repo / "ext").symlink_to(outside, target_is_directory=True)
    (repo / "railcheck.toml").write_text('[[sync]]\nsource = "ext/app.py"\ncopies = ["services/api/app.py"]\n')
    for arguments in ((), ("ext",), ("--no-cache",)):
        command = [sys.executable, "-c", _WATCH_OPENS, str(outside), "check", *arguments, "--output-format", "json"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=repo)
        assert "TOUCHED []" in result.stderr, (arguments, result.stderr)


def test_relinking_a_folder_changes_the_findings(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    service = repo / "services" / "linked"
    service.mkdir()
    (service / "railpack.json").write_text(
        '{"provider": "python", "deploy": {"startCommand": "gunicorn lib.app:app --bind 0.0.0.0:$PORT"}}\n'
    )
    (service / "requirements.txt").write_text("gunicorn==23.0.0\n")
    for name, text in (("shared1", "app = 1\n"), ("shared2", "other = 1\n")):
        (repo / name).mkdir()
        (repo / name / "app.py").write_text(text)
    (service / "lib").symlink_to(Path("../../shared1"), target_is_directory=True)
    before = run(repo)
    (service / "lib").unlink()
    (service / "lib").symlink_to(Path("../../shared2"), target_is_directory=True)
    after = run(repo)
    assert after == run(repo, "--no-cache")
    assert "ST002" in after and "ST002" not in before


def test_an_ignore_file_above_a_checked_subfolder_is_an_input(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {"a/b/c/railpack.json": '{"provider": "python"}\n', "a/b/d/railpack.json": '{"provider": "python"}\n'},
    )
    assert json.loads(run(repo / "a" / "b"))["summary"]["services"] == 2
    (repo / "a" / ".gitignore").write_text("b/c/\n")
    assert json.loads(run(repo / "a" / "b"))["summary"]["services"] == 1


def test_a_configured_path_with_a_nul_character_is_not_a_crash(tmp_path: Path) -> None:
    repo = _layout(tmp_path / "repo", {"svc/railpack.json": '{"provider": "python"}\n'})
    (repo / "railcheck.toml").write_text('[[sync]]\nsource = "a\\u0000b"\ncopies = ["svc/requirements.txt"]\n')
    for extra in ((), ("--no-cache",)):
        result = invoke("check", str(repo), "--output-format", "json", *extra)
        assert result.exit_code in (0, 1), result.output


# --- what a check loads decides what its key covers ---------------------------------------------------

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
UVICORN = '{"provider": "python", "deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}\n'


def _layout(repo: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    (repo / "railcheck.toml").touch()
    return repo


def _cached_equals_fresh(path: Path, *targets: str) -> str:
    cached = invoke("check", *targets, "--output-format", "json").output if targets else run(path)
    fresh = (
        invoke("check", *targets, "--output-format", "json", "--no-cache").output
        if targets
        else run(path, "--no-cache")
    )
    assert cached == fresh
    return cached


@pytest.mark.parametrize(
    "target", ["svc/src", "scripts/tool.py", "svc"], ids=["folder-inside-a-service", "file-outside-services", "service"]
)
def test_moving_the_start_module_is_seen_from_any_target(tmp_path: Path, target: str) -> None:
    repo = _layout(
        tmp_path / "repo",
        {
            "svc/railpack.json": UVICORN,
            "svc/main.py": APP,
            "svc/requirements.txt": "fastapi\nuvicorn\n",
            "svc/src/x.py": "",
            "scripts/tool.py": "",
        },
    )
    before = _cached_equals_fresh(repo, str(repo / target))
    (repo / "svc" / "main.py").rename(repo / "svc" / "main2.py")
    after = _cached_equals_fresh(repo, str(repo / target))
    assert "ST001" in after and "ST001" not in before


def test_a_repository_reached_through_a_link_is_keyed_like_any_other(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {"svc/railpack.json": UVICORN, "svc/main.py": APP, "svc/requirements.txt": "fastapi\nuvicorn\n"},
    )
    (tmp_path / "linked").symlink_to(repo, target_is_directory=True)
    before = _cached_equals_fresh(repo, str(tmp_path / "linked" / "svc"))
    (repo / "svc" / "main.py").rename(repo / "svc" / "main2.py")
    assert "ST001" in _cached_equals_fresh(repo, str(tmp_path / "linked" / "svc")) and "ST001" not in before


def test_edits_behind_a_folder_link_inside_the_repository_are_seen(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {
            "svc/railpack.json": UVICORN.replace("main:app", "lib.main:app"),
            "svc/requirements.txt": "fastapi\nuvicorn\n",
            "shared/main.py": APP,
        },
    )
    (repo / "svc" / "lib").symlink_to(Path("../shared"), target_is_directory=True)
    before = _cached_equals_fresh(repo, str(repo / "svc"))
    (repo / "shared" / "main.py").write_text(APP.replace("app =", "apX ="))
    assert "ST002" in _cached_equals_fresh(repo, str(repo / "svc")) and "ST002" not in before


def test_a_dangling_top_level_link_is_an_input(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {"svc/railpack.json": UVICORN, "svc/main.py": APP, "svc/requirements.txt": "fastapi\nuvicorn\n"},
    )
    before = _cached_equals_fresh(repo, str(repo / "svc"))
    (repo / ".python-version").symlink_to("nowhere")
    assert _cached_equals_fresh(repo, str(repo / "svc")) != before


def test_a_copy_keeping_size_and_time_is_seen(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo", {"svc/railpack.json": '{"provider": "python"}\n', "alt.json": '{"providex": "python"}\n'}
    )
    target = repo / "svc" / "railpack.json"
    os.utime(repo / "alt.json", ns=(1_000_000_000, 1_000_000_000))
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    before = run(repo)
    shutil.copy2(repo / "alt.json", target)  # same size, same modification time, new content
    assert "providex" in _cached_equals_fresh(repo) and "providex" not in before


def test_a_very_deep_configured_path_is_not_a_crash(tmp_path: Path) -> None:
    repo = _layout(tmp_path / "repo", {"svc/railpack.json": '{"provider": "python"}\n'})
    deep = "/".join(["d"] * 1100) + "/requirements.txt"
    (repo / "railcheck.toml").write_text(f'[[sync]]\nsource = "{deep}"\ncopies = ["svc/requirements.txt"]\n')
    for extra in ((), ("--no-cache",)):
        result = invoke("check", str(repo), "--output-format", "json", *extra)
        assert result.exit_code in (0, 1), result.output


def test_a_cache_folder_that_is_a_link_is_never_written_through(tmp_path: Path) -> None:
    # A cloned repository may commit `.railcheck_cache` as a link: writing and evicting through it would
    # change files anywhere.
    repo = _layout(
        tmp_path / "repo",
        {"svc/railpack.json": UVICORN, "svc/main.py": APP, "svc/requirements.txt": "fastapi\nuvicorn\n"},
    )
    victim = tmp_path / "victim"
    victim.mkdir()
    for index in range(20):
        (victim / f"data{index}.json").write_text("{}")
    (repo / ".railcheck_cache").symlink_to(victim, target_is_directory=True)
    expected = run(repo, "--no-cache")
    assert run(repo) == run(repo) == expected
    assert sorted(path.name for path in victim.iterdir()) == sorted(f"data{index}.json" for index in range(20))


def test_an_edit_within_the_timestamp_granule_is_seen_after_other_runs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A file system whose stamps cannot tell an edit right after a run (as with coarse timestamps): the hash
    # taken while the file was that fresh must never be trusted later, whatever other runs stored meanwhile.
    import time

    import railcheck.cache as cache

    monkeypatch.setattr(cache, "_stamp", lambda status: [status.st_size, 0, 0, 0])
    monkeypatch.setattr(cache, "_RACY_SECONDS", 0.5)
    repo = _layout(
        tmp_path / "repo",
        {
            "web/railpack.json": UVICORN,
            "web/main.py": APP,
            "web/requirements.txt": "fastapi\nuvicorn\n",
            "api/railpack.json": UVICORN,
            "api/main.py": APP,
            "api/requirements.txt": "fastapi\nuvicorn\n",
        },
    )
    before = run(repo / "web")
    (repo / "web" / "main.py").write_text(APP.replace("app =", "apX ="))  # same size, so the same stamp
    time.sleep(0.6)
    run(repo / "api")  # another target, stored later
    after = run(repo / "web")
    assert after == run(repo / "web", "--no-cache") and "ST002" in after and "ST002" not in before


def test_a_new_top_level_folder_is_an_input(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {"web/railpack.json": UVICORN, "web/main.py": APP, "web/requirements.txt": "fastapi\nuvicorn\n"},
    )
    before = _cached_equals_fresh(repo, str(repo / "web"))
    (repo / "railway.py").mkdir()  # IC004 reads top-level names, folders included
    assert _cached_equals_fresh(repo, str(repo / "web")) != before


# --- what a check looks at beyond its key ------------------------------------------------------------


def test_a_file_in_a_skipped_folder_that_a_command_names_is_a_dependency(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {
            "web/railpack.json": '{"provider": "python", "deploy": {"startCommand": "bash node_modules/s.sh"}}\n',
            "web/requirements.txt": "requests\n",
        },
    )
    before = _cached_equals_fresh(repo)
    (repo / "web" / "node_modules").mkdir()  # the walk skips node_modules; CM002 looks inside
    (repo / "web" / "node_modules" / "s.sh").write_text("echo hi\n")
    assert _cached_equals_fresh(repo) != before


def test_an_iac_config_file_outside_the_service_root_is_a_dependency(tmp_path: Path) -> None:
    repo = _layout(
        tmp_path / "repo",
        {
            ".railway/railway.py": "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
            '    return project("shop", resources=[service("api", root="services/api", variables={"RAILPACK_CONFIG_FILE": "../../configs/api.json"})])\n',
            "services/api/main.py": "x = 1\n",
            "services/api/requirements.txt": "flask\n",
            "configs/api.json": '{"deploy": {"startCommand": "gunicorn main:app"}}\n',
        },
    )
    before = _cached_equals_fresh(repo, str(repo / "services" / "api"))
    (repo / "configs" / "api.json").write_text('{"deploy": {"startCommand": "python main.py"}}\n')
    assert _cached_equals_fresh(repo, str(repo / "services" / "api")) != before


def test_a_skipped_folder_appearing_in_a_service_is_seen(tmp_path: Path) -> None:
    # The walk does not enter .venv or node_modules, but rules test whether they exist.
    repo = _layout(
        tmp_path / "repo",
        {
            "svc/railpack.json": '{"provider": "python", "steps": {"build": {"commands": ["cd node_modules && ls"]}}}\n',
            "svc/requirements.txt": "requests\n",
            "svc/main.py": "",
        },
    )
    before = _cached_equals_fresh(repo)
    (repo / "svc" / "node_modules").mkdir()
    after = _cached_equals_fresh(repo)
    assert "CM002" in before and "CM002" not in after


def test_a_dependency_edited_while_the_check_runs_is_not_stored(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import railcheck.run as run_module

    repo = _layout(
        tmp_path / "repo",
        {
            ".railway/railway.py": "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
            '    return project("shop", resources=[service("api", root="services/api", variables={"RAILPACK_CONFIG_FILE": "../../configs/api.json"})])\n',
            "services/api/main.py": "x = 1\n",
            "services/api/requirements.txt": "flask\n",
            "configs/api.json": '{"deploy": {"startCommand": "gunicorn main:app"}}\n',
        },
    )
    import time

    import railcheck.cache as cache

    monkeypatch.setattr(cache, "_RACY_SECONDS", 0.5)
    run(repo / "services" / "api")  # the cache folder exists from here on
    time.sleep(0.6)  # every file older than the racy window, so only the edits below can be recent
    (repo / "services" / "api" / "main.py").write_text("x = 2\n")  # a keyed change: the next run checks
    check = run_module._check

    def edited_meanwhile(*arguments, **keywords):  # type: ignore[no-untyped-def]
        findings = check(*arguments, **keywords)
        (repo / "configs" / "api.json").write_text('{"deploy": {"startCommand": "python main.py"}}\n')
        return findings

    monkeypatch.setattr(run_module, "_check", edited_meanwhile)
    run(repo / "services" / "api")
    monkeypatch.setattr(run_module, "_check", check)
    _cached_equals_fresh(repo, str(repo / "services" / "api"))


def test_a_very_deep_path_in_a_config_keeps_the_entry_small(tmp_path: Path) -> None:
    deep = "/app/" + "a/" * 10000
    repo = _layout(
        tmp_path / "repo",
        {
            "svc/railpack.json": json.dumps({"provider": "python", "deploy": {"variables": {"PYTHONPATH": deep}}})
            + "\n",
            "svc/requirements.txt": "requests\n",
            "svc/main.py": "",
        },
    )
    _cached_equals_fresh(repo)
    sizes = [path.stat().st_size for path in (repo / ".railcheck_cache").iterdir() if path.suffix == ".json"]
    assert max(sizes) < 1_000_000, sizes


def test_a_deeply_nested_entry_is_a_miss(tmp_path: Path) -> None:
    repo = Path(shutil.copytree(EXAMPLE, tmp_path / "repo", ignore=shutil.ignore_patterns(".railcheck_cache")))
    expected = run(repo)
    for path in (repo / ".railcheck_cache").iterdir():
        if path.suffix == ".json":
            path.write_text("[" * 200_000 + "]" * 200_000)
    assert run(repo) == expected


def _iac_service_with_outside_config(tmp_path: Path) -> Path:
    return _layout(
        tmp_path / "repo",
        {
            ".railway/railway.py": "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
            '    return project("shop", resources=[service("api", root="services/api", variables={"RAILPACK_CONFIG_FILE": "../../configs/api.json"})])\n',
            "services/api/main.py": "x = 1\n",
            "services/api/requirements.txt": "flask\n",
            "configs/api.json": '{"deploy": {"startCommand": "gunicorn main:app"}}\n',
        },
    )


@pytest.mark.parametrize("change", ["delete-a-dependency", "create-a-file-in-the-service"])
def test_a_change_while_the_check_runs_is_not_stored(tmp_path: Path, monkeypatch, change: str) -> None:  # type: ignore[no-untyped-def]
    import time

    import railcheck.cache as cache
    import railcheck.run as run_module

    monkeypatch.setattr(cache, "_RACY_SECONDS", 0.5)
    repo = _iac_service_with_outside_config(tmp_path)
    (repo / "services" / "api" / "Procfile").write_text("web: bash start.sh\n")  # CM002 while start.sh is missing
    assert "CM002" in run(repo / "services" / "api", "--no-cache")
    run(repo / "services" / "api")
    time.sleep(0.6)
    (repo / "services" / "api" / "main.py").write_text("x = 2\n")  # a keyed change: the next run checks
    check = run_module._check

    def changed_meanwhile(*arguments, **keywords):  # type: ignore[no-untyped-def]
        if change == "create-a-file-in-the-service":  # after the key, before the rules look
            (repo / "services" / "api" / "start.sh").write_text("echo hi\n")
        findings = check(*arguments, **keywords)
        if change == "delete-a-dependency":  # after the rules looked, before the entry is stored
            (repo / "configs" / "api.json").unlink()
        return findings

    monkeypatch.setattr(run_module, "_check", changed_meanwhile)
    run(repo / "services" / "api")
    monkeypatch.setattr(run_module, "_check", check)
    if change == "create-a-file-in-the-service":
        (repo / "services" / "api" / "start.sh").unlink()  # back to the state the key describes
    _cached_equals_fresh(repo, str(repo / "services" / "api"))


def test_a_dependency_dated_in_the_future_does_not_stop_storing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    import railcheck.cache as cache

    monkeypatch.setattr(cache, "_RACY_SECONDS", 0.5)
    repo = _iac_service_with_outside_config(tmp_path)
    hour = time.time() + 3600
    os.utime(repo / "configs" / "api.json", (hour, hour))  # an archive's or a skewed clock's date
    time.sleep(0.6)
    run(repo / "services" / "api")
    entries = [
        path for path in (repo / ".railcheck_cache").iterdir() if path.suffix == ".json" and path.name != "stat.json"
    ]
    assert len(entries) == 1


# --- the cache costs only what the check reads --------------------------------------------------------


def test_files_no_rule_reads_are_never_hashed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import railcheck.cache as cache

    repo = _layout(
        tmp_path / "repo",
        {"svc/railpack.json": UVICORN, "svc/main.py": APP, "svc/requirements.txt": "fastapi\nuvicorn\n"},
    )
    for folder in ("svc/static/img", "assets"):  # a frontend's build output, a folder of data: no rule reads them
        (repo / folder).mkdir(parents=True)
        for index in range(300):
            (repo / folder / f"f{index}.bin").write_bytes(b"x" * 1000)
    hashed: list[str] = []
    content_hash = cache._content_hash
    monkeypatch.setattr(
        cache, "_content_hash", lambda absolute, status: hashed.append(str(absolute)) or content_hash(absolute, status)
    )
    cold = _cached_equals_fresh(repo)
    assert hashed and not [path for path in hashed if "/static/" in path or "/assets/" in path]
    hashed.clear()
    assert run(repo) == cold
    assert not [path for path in hashed if "/static/" in path or "/assets/" in path]
    # What the check does read is still seen: a new file in a folder it lists, an edit of a file it reads.
    (repo / "svc" / "main.py").write_text(APP.replace("app =", "apX ="))
    assert "ST002" in _cached_equals_fresh(repo)


def test_code_hash_covers_subpackages_at_any_depth(tmp_path: Path) -> None:
    from railcheck.cache import hash_code_folders

    nested = tmp_path / "package" / "sources" / "iac"
    nested.mkdir(parents=True)
    (nested / "reader.py").write_text("A = 1\n")
    (tmp_path / "package" / "__pycache__").mkdir()
    (tmp_path / "package" / "__pycache__" / "x.json").write_text("{}")
    before = hash_code_folders([tmp_path / "package"])
    (tmp_path / "package" / "__pycache__" / "x.json").write_text("[]")
    assert hash_code_folders([tmp_path / "package"]) == before
    (nested / "reader.py").write_text("A = 2\n")
    assert hash_code_folders([tmp_path / "package"]) != before
