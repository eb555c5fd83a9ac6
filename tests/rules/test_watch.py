"""The WP rules on whole repositories: findings, fixes of railpack.json, railway.toml and IaC lists, and
what `explain-service` shows (the patterns themselves: tests/unit/test_watch_patterns.py)."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest
from helpers.paths import FIXTURES
from helpers.repos import write_repo
from helpers.running import fix_in_memory, invoke, run_rules


def test_unsafe_fixes_turn_the_broken_twin_into_one_without_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Path(
        shutil.copytree(FIXTURES / "watch-paths-broken", tmp_path / "repo", ignore=shutil.ignore_patterns("expected"))
    )
    monkeypatch.chdir(work)
    invoke("check", "--fix", "--unsafe-fixes", "--select", "WP")
    left = invoke("check", "--select", "WP", "--output-format", "concise").output
    # The typo and the misplaced negation have no certain fix; everything else is repaired.
    assert [line.split(" ")[1] for line in left.splitlines() if ": WP" in line] == ["WP004", "WP001"]
    relative = (work / "services/relative/railway.toml").read_text()
    assert '"/services/relative/templates/**"' in relative


def test_a_pattern_naming_a_dependency_folder_is_never_called_empty(tmp_path: Path, registry) -> None:
    # railcheck does not list node_modules or .venv, so it cannot know that nothing there matches.
    write_repo(
        tmp_path,
        {"railway.toml": '[build]\nwatchPatterns = ["/services/svc/**", "/node_modules/shared/**"]\n', "main.py": ""},
    )
    rule = registry.find("WP001")(None, None)
    _, found = run_rules(tmp_path, [rule], registry)
    assert found == []


def test_a_cut_listing_is_not_taken_for_no_match(tmp_path: Path, registry, monkeypatch: pytest.MonkeyPatch) -> None:
    import railcheck.watchpaths as watchpaths

    files = {"railway.toml": '[build]\nwatchPatterns = ["/services/svc/**/*.txt"]\n'}
    files.update({f"m{index}.py": "" for index in range(5)})
    write_repo(tmp_path, files)
    monkeypatch.setattr(watchpaths, "LISTING_LIMIT", 3)
    _, found = run_rules(tmp_path, [registry.find("WP001")(None, None), registry.find("WP002")(None, None)], registry)
    assert found == []
    monkeypatch.setattr(watchpaths, "LISTING_LIMIT", 100)
    _, found = run_rules(tmp_path, [registry.find("WP001")(None, None), registry.find("WP002")(None, None)], registry)
    assert sorted(diagnostic.code for diagnostic in found) == ["WP001", "WP002"]


def test_explain_service_lists_patterns_and_what_deploys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "watch-paths-broken")
    lockfile = invoke("explain-service", "services/lockfile").output
    assert "    /services/lockfile/**/*.py\n" in lockfile
    assert "does NOT deploy  services/lockfile/requirements.txt" in lockfile
    assert "deploys          services/lockfile/requirements.txt" not in lockfile
    relative = invoke("explain-service", "services/relative").output
    assert "templates/**   (meant: /services/relative/templates/**)" in relative
    assert "deploys          services/relative/requirements.txt" in relative
    assert "watch paths: none" in invoke("explain-service", "../clean-monorepo/services/web").output


# Watch patterns written in the IaC file (`build: { watchPatterns: [...] }` of a `service(...)` call).

_TS_HEAD = 'import { defineRailway, project, service } from "railway/iac";\n'


def _iac_repo(root: Path, program: str, *, python: bool = False) -> Path:
    """A repository whose one service `api` (root services/api) is declared in the IaC file."""
    name = ".railway/railway.py" if python else ".railway/railway.ts"
    return write_repo(
        root,
        {
            f"/{name}": program,
            "/services/api/app.py": "",
            "/services/api/requirements.txt": "flask\n",
            "/shared/util.py": "",
        },
    )


def _wp_rules(registry):  # type: ignore[no-untyped-def]
    return [registry.find(code)(None, None) for code in ("WP001", "WP002", "WP003", "WP004")]


def test_iac_fixture_unsafe_fix_rewrites_the_literal_in_the_typescript_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = Path(
        shutil.copytree(FIXTURES / "iac-watch-ts", tmp_path / "repo", ignore=shutil.ignore_patterns("expected"))
    )
    monkeypatch.chdir(work)
    invoke("check", "--fix", "--unsafe-fixes", "--select", "WP")
    assert ": WP" not in invoke("check", "--select", "WP", "--output-format", "concise").output
    assert (
        'watchPatterns: ["/services/worker/*.txt", "/services/worker/src/**"]'
        in (work / ".railway/railway.ts").read_text()
    )


def test_iac_list_missing_the_root_gets_the_pattern_on_a_line_of_its_own(tmp_path: Path, registry) -> None:
    program = _TS_HEAD + (
        'export default defineRailway(() => project("p", { resources: [service("api", {\n'
        '  root: "services/api",\n  build: {\n    watchPatterns: [\n      "/shared/**",\n    ],\n  },\n})] }));\n'
    )
    _iac_repo(tmp_path, program)
    _, found = run_rules(tmp_path, _wp_rules(registry), registry)
    assert [(d.code, str(d.path), d.span.start.line, d.span.start.column) for d in found] == [
        ("WP002", ".railway/railway.ts", 5, 20)
    ]
    _, texts = fix_in_memory(tmp_path, _wp_rules(registry), registry, unsafe=True)
    assert (
        '    watchPatterns: [\n      "/services/api/**",\n      "/shared/**",\n    ],\n'
        in texts[PurePosixPath(".railway/railway.ts")]
    )


def test_iac_list_through_a_name_is_judged_but_not_edited(tmp_path: Path, registry) -> None:
    # Another service could use the same name: rewriting the literal there is not certain.
    program = (
        'from railway_sdk import define_railway, project, service\n\nPATTERNS = ["/shared/**", "/services/api/*.txt", "src/**"]\n\n\n'
        "@define_railway\ndef main(ctx=None):\n"
        '    return project("p", resources=[service("api", root="services/api", build={"watchPatterns": PATTERNS})])\n'
    )
    _iac_repo(tmp_path, program, python=True)
    write_repo(tmp_path, {"/services/api/src/x.py": ""})
    _, found = run_rules(tmp_path, _wp_rules(registry), registry)
    assert [(d.code, d.span.start.line, d.span.start.column, d.fix) for d in found] == [("WP001", 3, 50, None)]


@pytest.mark.parametrize(
    "patterns",
    ['["/shared/**", process.env.WATCH]', 'process.env.WATCH ? ["/shared/**"] : []', '[...extra, "/shared/**"]'],
)
def test_iac_list_that_is_not_static_gives_no_finding(tmp_path: Path, registry, patterns: str) -> None:
    program = _TS_HEAD + (
        'const extra = JSON.parse(process.env.EXTRA ?? "[]");\n'
        'export default defineRailway(() => project("p", { resources: [service("api", {\n'
        f'  root: "services/api", build: {{ watchPatterns: {patterns} }},\n}})] }}));\n'
    )
    _iac_repo(tmp_path, program)
    _, found = run_rules(tmp_path, _wp_rules(registry), registry)
    assert found == []


def test_explain_service_shows_iac_watch_patterns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(FIXTURES / "iac-watch-py")
    jobs = invoke("explain-service", "services/jobs").output
    assert (
        "  watch paths (.railway/railway.py:21, from the repository root):\n    !**/*.md\n    /services/jobs/**\n"
        in jobs
    )
    assert "deploys          services/jobs/requirements.txt" in jobs
    program = _TS_HEAD + (
        'export default defineRailway(() => project("p", { resources: [service("api", {\n'
        '  root: "services/api", build: { watchPatterns: [process.env.WATCH] },\n})] }));\n'
    )
    _iac_repo(tmp_path / "dynamic", program)
    monkeypatch.chdir(tmp_path / "dynamic")
    assert (
        "watch paths: set in the IaC file, but not a list of known strings"
        in invoke("explain-service", "services/api").output
    )


def test_iac_list_written_in_a_helper_for_two_services_is_not_edited(tmp_path: Path, registry) -> None:
    # One `service(...)` call in a helper declares both services: editing its list would change both.
    program = _TS_HEAD + (
        'const api = (name: string) => service(name, { root: "services/api", build: { watchPatterns: ["src/**", "/services/api/*.txt"] } });\n'
        'export default defineRailway(() => project("p", { resources: [api("api"), api("api-2")] }));\n'
    )
    _iac_repo(tmp_path, program)
    write_repo(tmp_path, {"/services/api/src/x.py": ""})
    _, found = run_rules(tmp_path, _wp_rules(registry), registry)
    assert [(d.code, d.span.start.line, d.fix) for d in found] == [("WP001", 2, None)]  # the same finding, once
