"""Repository-level notices (RW102): one finding per run listing the files, whatever the run's shape
(one process, forked chunks, the cache), with suppressions and the baseline judged file by file."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.notices import fold_notices
from railcheck.types import FILE_START, Diagnostic, Severity

CONFIG = '{\n  "deploy": {"startCommand": "python main.py"}\n}\n'


def many_services(root: Path, count: int) -> None:
    files: dict[str, str] = {}
    for index in range(count):
        files |= {f"/services/s{index:02}/railway.json": CONFIG, f"/services/s{index:02}/main.py": "print(1)\n"}
    write_repo(root, files)


def notices(*args: str) -> list[dict]:  # type: ignore[type-arg]
    result = invoke("check", "--output-format", "json", "--select", "RW102", *args)
    assert result.exit_code == 0, result.output  # RW102 is info: below the default fail-on
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "RW102"]


def test_one_notice_lists_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many_services(tmp_path, 5)
    monkeypatch.chdir(tmp_path)
    (found,) = notices("--no-cache")
    assert found["path"] == "services/s00/railway.json" and found["service"] is None
    assert (
        "5 files use it (services/s00/railway.json, services/s01/railway.json, services/s02/railway.json and 2 more, listed in the notes)"
        in found["message"]
    )
    assert [related["path"] for related in found["related"]] == [
        f"services/s{index:02}/railway.json" for index in range(1, 5)
    ]
    # Checking one service still shows that service's own notice, with its service(...) call.
    (one,) = notices("--no-cache", "services/s03")
    assert (
        one["message"].startswith("Railway config as code (railway.json) is deprecated")
        and 'service("s03"' in one["help"]
    )


def test_statistics_count_the_notice_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many_services(tmp_path, 4)
    monkeypatch.chdir(tmp_path)
    output = invoke("check", "--no-cache", "--select", "RW102", "--statistics").output
    assert output.splitlines()[0].split() == ["1", "RW102", "config-as-code-deprecated"]


def test_a_parallel_run_reports_what_one_process_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from railcheck import parallel
    from railcheck.config import load_config
    from railcheck.discovery import discover

    many_services(tmp_path, 45)
    monkeypatch.chdir(tmp_path)
    assert parallel.workers(discover(tmp_path, load_config(tmp_path))) > 1, "expected a run that forks"
    forked = notices("--no-cache")
    monkeypatch.setattr(parallel, "workers", lambda plan: 1)
    assert notices("--no-cache") == forked and len(forked) == 1 and len(forked[0]["related"]) == 44


def test_the_baseline_is_judged_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many_services(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    assert invoke("check", "--select", "RW102", "--write-baseline", "baseline.json").exit_code == 0
    assert json.loads((tmp_path / "baseline.json").read_text())  # three entries, one per file
    assert notices("--baseline", "baseline.json") == []
    write_repo(tmp_path, {"/services/new/railway.json": CONFIG, "/services/new/main.py": "print(1)\n"})
    (found,) = notices("--baseline", "baseline.json")
    assert found["path"] == "services/new/railway.json" and found["related"] == []


def test_a_cached_run_equals_an_uncached_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    repo = tmp_path / "repo"
    many_services(repo, 3)
    (repo / ".railcheck_cache").mkdir()
    monkeypatch.chdir(repo)
    first = notices()
    assert notices() == first == notices("--no-cache") and len(first) == 1
    (repo / "services/s01/railway.json").unlink()
    (repo / "services/s01/railway.toml").write_text(
        '# railcheck: ignore[RW102] kept until the move\n[deploy]\nstartCommand = "python main.py"\n'
    )
    cached = notices()
    assert cached == notices("--no-cache")
    assert [related["path"] for related in cached[0]["related"]] == ["services/s02/railway.json"]


def _notice(path: str, code: str = "RW102") -> Diagnostic:
    return Diagnostic(
        code, "config-as-code-deprecated", f"about {path}", Severity.INFO, PurePosixPath(path), FILE_START, service=path
    )


def test_fold_leaves_single_notices_and_other_codes_alone(registry) -> None:  # type: ignore[no-untyped-def]
    rules = [rule() for rule in registry.rules if rule.code in ("RW102", "RW101")]
    single = (_notice("a/railway.json"), _notice("b/railway.json", "RW101"))
    assert fold_notices(single, rules) == single
    folded = fold_notices(
        (_notice("a/railway.json"), _notice("b/railway.json", "RW101"), _notice("c/railway.toml")), rules
    )
    assert [(d.code, str(d.path), len(d.related)) for d in folded] == [
        ("RW102", "a/railway.json", 1),
        ("RW101", "b/railway.json", 0),
    ]
