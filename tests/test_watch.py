"""Tests for watch patterns: railcheck.sources.watch (reading and matching) and the WP rules on whole repositories."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest
from conftest import fix_in_memory, invoke, run_rules, write_repo

from railcheck.sources.watch import PatternList, matches, parse_pattern

FIXTURES = Path(__file__).parent / "fixtures"


def _pattern(text: str):  # type: ignore[no-untyped-def]
    pattern = parse_pattern(text, 0)
    assert pattern is not None
    return pattern


@pytest.mark.parametrize(
    ("text", "anchored", "folder"),
    [
        ("/services/api/**", True, "services/api"),
        ("services/api/**", True, "services/api"),  # a slash inside anchors it, as in git
        ("/services/*/src/**", True, "services"),
        ("*.py", False, "."),
        ("docs/", False, "."),  # only a trailing slash: a folder name at any depth
        ("/requirements.txt", True, "."),
    ],
)
def test_anchoring_and_folder(text: str, anchored: bool, folder: str) -> None:
    pattern = _pattern(text)
    assert (pattern.anchored, pattern.folder) == (anchored, folder)


def test_comments_and_blank_lines_are_not_patterns() -> None:
    assert parse_pattern("# note", 0) is None
    assert parse_pattern("   ", 1) is None
    assert _pattern("!docs/**").negated


def test_patterns_match_from_the_repository_root() -> None:
    assert matches(_pattern("/services/api/**"), "services/api/app.py")
    assert not matches(_pattern("src/**"), "services/api/src/app.py")
    assert matches(_pattern("*.py"), "services/api/src/app.py")
    assert matches(_pattern("/services/api"), "services/api/deep/x.py")  # a folder covers what it holds


def test_glued_double_star_is_read_both_ways_only_when_asked() -> None:
    # Railway's docs use `/app/**.js`; git reads it as `/app/*.js`, other matchers as any depth.
    pattern = _pattern("/app/**.js")
    assert matches(pattern, "app/a.js", lenient=False)
    assert not matches(pattern, "app/lib/a.js", lenient=False)
    assert matches(pattern, "app/lib/a.js")


def test_last_matching_pattern_decides_and_negations_are_strict() -> None:
    patterns = PatternList([_pattern("/api/**"), parse_pattern("!/api/**.md", 1)])  # type: ignore[list-item]
    assert patterns.deploys("api/main.py")
    assert not patterns.deploys("api/README.md")
    # A negation is read as git reads it (`!/api/*.md`), never leniently: "does not deploy" must hold
    # under both readings, so api/docs/x.md counts as deployed.
    assert patterns.deploys("api/docs/x.md")
    assert not PatternList([parse_pattern("!api/**", 0)]).deploys("api/main.py")  # type: ignore[list-item]


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
