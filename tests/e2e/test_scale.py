"""A generated 200-service monorepo: every rule runs without crashing, and the output is deterministic."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.running import invoke

from benchmarks.generate import BROKEN_EVERY, write_monorepo


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


def test_parallel_run_equals_single_process_run(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import railcheck.parallel as parallel

    root = write_monorepo(tmp_path / "repo", 150)
    # Repository-wide findings too: a root .python-version nobody sees, a drifted copy, an unused suppression.
    (root / ".python-version").write_text("3.11\n")
    (root / "services" / "svc1" / ".python-version").unlink()
    (root / "requirements.txt").write_text(
        "fastapi==0.115.6\nuvicorn[standard]==0.32.1\nhttpx==0.28.1\npydantic==2.10.5\n"
    )
    (root / "railcheck.toml").write_text('ignore = { RW102 = "generated", RW105 = "unused on purpose" }\n')
    monkeypatch.setattr(parallel, "MIN_SERVICES", 100)
    forked = invoke("check", str(root), "--output-format", "json", "--no-cache").output
    monkeypatch.setattr(parallel, "MIN_SERVICES", 10**9)
    single = invoke("check", str(root), "--output-format", "json", "--no-cache").output
    assert forked == single
    codes = {d["code"] for d in json.loads(forked)["diagnostics"]}
    assert {"PV005", "RQ005", "RC006", "RP001"} <= codes


def _forked_and_single(root: Path, monkeypatch, *arguments: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    import railcheck.parallel as parallel

    monkeypatch.setattr(parallel, "MIN_SERVICES", 100)
    forked = invoke("check", str(root), "--output-format", "json", "--no-cache", *arguments).output
    monkeypatch.setattr(parallel, "MIN_SERVICES", 10**9)
    return forked, invoke("check", str(root), "--output-format", "json", "--no-cache", *arguments).output


def test_parallel_run_reports_the_iac_file_and_undecodable_copies_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = write_monorepo(tmp_path / "repo", 150)
    (root / ".railway").mkdir()
    # A form the IaC reader does not follow (IC009), read by every chunk of a parallel run.
    (root / ".railway" / "railway.py").write_text(
        "from railway_sdk import define_railway, project, service\n\n"
        'railway = define_railway(project("shop", resources=[service("api", root="services/api")]))\n'
    )
    original = (root / "services" / "svc3" / "requirements.txt").read_bytes()
    (root / "requirements.txt").write_bytes(original)
    (root / "services" / "svc3" / "requirements.txt").write_bytes(original + b"httpx==0.28.1  # caf\xe9\n")
    forked, single = _forked_and_single(root, monkeypatch)
    assert forked == single
    codes = [d["code"] for d in json.loads(forked)["diagnostics"]]
    assert codes.count("IC009") == 1 and "RQ005" in codes


def test_parallel_run_counts_a_suppressed_finding_in_a_shared_file_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = write_monorepo(tmp_path / "repo", 150)
    (root / ".railway").mkdir()
    (root / ".railway" / "railway.py").write_text('from railway_sdk import service\nservice("api", root=\n')
    forked, single = _forked_and_single(root, monkeypatch)
    assert forked == single
    assert [d["code"] for d in json.loads(forked)["diagnostics"]].count("RC001") == 1
    (root / "railcheck.toml").write_text('ignore = { RC001 = "being rewritten" }\n')
    forked, single = _forked_and_single(root, monkeypatch)
    assert forked == single
    document = json.loads(forked)
    assert "RC001" not in {d["code"] for d in document["diagnostics"]}
    assert document["summary"]["suppressed"] == 1
    assert [(s["code"], s["count"]) for s in document["summary"]["suppressions"]] == [("RC001", 1)]


def test_parallel_run_reports_misplaced_iac_files_once_each(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # IC004 runs in every chunk: the repository-root finding must merge into one, and each service's own
    # misplaced file is reported by the chunk that holds the service, once.
    root = write_monorepo(tmp_path / "repo", 150)
    (root / "railway.ts").write_text('import { service } from "railway";\n')
    for index in (4, 5):
        (root / "services" / f"svc{index}" / ".railway").mkdir()
        (root / "services" / f"svc{index}" / ".railway" / "railway.py").write_text("")
    forked, single = _forked_and_single(root, monkeypatch)
    assert forked == single
    paths = sorted(d["path"] for d in json.loads(forked)["diagnostics"] if d["code"] == "IC004")
    assert paths == ["railway.ts", "services/svc4/.railway/railway.py", "services/svc5/.railway/railway.py"]
    (root / "railcheck.toml").write_text('ignore = { IC004 = "moving soon" }\n')
    forked, single = _forked_and_single(root, monkeypatch)
    assert forked == single
    assert [(s["code"], s["count"]) for s in json.loads(forked)["summary"]["suppressions"]] == [("IC004", 3)]


class _CountedServices(tuple):  # type: ignore[type-arg]
    """A project's services that count how often a rule walks all of them."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def test_python_evidence_walks_the_services_once_not_once_per_service(tmp_path: Path, registry) -> None:  # type: ignore[no-untyped-def]
    # 10,000 marker-less services took 17.8 s, 20,000 took 74.6 s: each service rebuilt every other root.
    from dataclasses import replace

    from benchmarks.generate import write_markerless_monorepo
    from railcheck.config import load_config
    from railcheck.project import load_project

    root = write_markerless_monorepo(tmp_path / "repo", 60)
    project = load_project(root, load_config(root))
    counted = replace(project, services=_CountedServices(project.services))
    rule = registry.find("SV001")()
    findings = [diagnostic for service in project.services for diagnostic in rule.check(service, counted)]
    assert len(findings) == 60  # every service: src/main.py exists below it
    assert _CountedServices.walks <= 1


def test_parallel_run_judges_a_root_python_version_with_the_services_parsed_configs(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Whether Railpack builds a service as Python (PV005) depends on its railpack.json, which the
    # repository-wide check of a parallel run used to see unparsed: a Node service counted as Python.
    root = write_monorepo(tmp_path / "repo", 2)
    (root / ".python-version").write_text("3.11\n")
    for index in range(2):
        service = root / "services" / f"svc{index}"
        (service / ".python-version").unlink()
        (service / "railpack.json").write_text('{"provider": "node"}')
        (service / "package.json").write_text("{}")
    monkeypatch.setattr("railcheck.parallel.MIN_SERVICES", 1)
    forked = invoke("check", str(root), "--output-format", "json", "--no-cache").output
    monkeypatch.setattr("railcheck.parallel.MIN_SERVICES", 10**9)
    single = invoke("check", str(root), "--output-format", "json", "--no-cache").output
    assert forked == single
    assert "PV005" not in {d["code"] for d in json.loads(single)["diagnostics"]}
