"""Every scenario fixture says which codes it covers, every rule code leads to a scenario (or this file says
why none shows it), and tests/fixtures/README.md indexes both ways. `pytest --update-snapshots` rewrites
the index from the fixtures; the `# covers:` lines are written by hand, and checked against each scenario's
expected report."""

from __future__ import annotations

from helpers.paths import FIXTURES
from helpers.scenarios import SCENARIOS, declared_covers, reported_codes, summary

from railcheck.codes import ENGINE_CODES
from railcheck.registry import Registry

INDEX = FIXTURES / "README.md"
# Rule codes that no scenario shows, and why. Each still has Valid/Invalid examples that run as tests
# (tests/rules/test_rule_examples.py); a scenario that shows one must take it off this list.
NOT_IN_A_SCENARIO: dict[str, str] = {}
# Folders under tests/fixtures/ that are not scenarios: inputs of parser and robustness tests.
OTHER_FOLDERS = {
    "corpus": "hand-written railpack.json variants, valid and broken, that no rule may crash on (see its README)",
    "iac": "Railway IaC programs (`.railway/railway.py` / `.ts`) read by tests/unit/test_iac_sources.py",
}


def test_each_scenario_declares_exactly_the_codes_its_report_shows() -> None:
    wrong = {}
    for scenario in SCENARIOS:
        declared = declared_covers(scenario)
        if declared is None or sorted(declared) != list(reported_codes(scenario)):
            wrong[scenario.name] = f"declares {declared}, reports {list(reported_codes(scenario))}"
    assert not wrong, (
        "each scenario's railcheck.toml needs one line `# covers: CODE ...` (or `# covers: none`) naming the"
        f" codes of expected/check.txt: {wrong}"
    )


def test_every_rule_code_leads_to_a_scenario_or_says_why_not(registry: Registry) -> None:
    covered = {code for scenario in SCENARIOS for code in declared_covers(scenario) or ()}
    codes = {rule.code for rule in registry.rules}
    missing = sorted(codes - covered - set(NOT_IN_A_SCENARIO))
    assert not missing, f"no scenario under tests/fixtures/ shows {missing}: add one, or a reason here"
    stale = sorted(code for code in NOT_IN_A_SCENARIO if code in covered or code not in codes)
    assert not stale, f"NOT_IN_A_SCENARIO lists codes a scenario shows, or that no rule has: {stale}"


def test_the_folders_under_fixtures_are_scenarios_or_described() -> None:
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert folders - {scenario.name for scenario in SCENARIOS} == set(OTHER_FOLDERS)


def test_the_index_is_current(update_snapshots: bool, registry: Registry) -> None:
    expected = index(registry)
    if update_snapshots:
        INDEX.write_text(expected)
    assert INDEX.read_text() == expected, "tests/fixtures/README.md is stale: run `pytest --update-snapshots`"


def index(registry: Registry) -> str:
    """tests/fixtures/README.md as the fixtures and the registry make it."""
    lines = [
        "# Test fixtures",
        "",
        "Small monorepos written for railcheck's tests. A *scenario* is a folder with its own `railcheck.toml`:",
        "`tests/rules/test_scenarios.py` runs `railcheck check` on a copy of it and compares the report with",
        "`expected/check.txt`, and `--fix` with `expected/fixed/`. Each scenario's `railcheck.toml` opens with",
        "a comment saying what it shows and a line `# covers: CODE ...` naming the codes of its report",
        "(`tests/meta/test_fixture_index.py` checks both, and that every rule code has a scenario).",
        "",
        "This file is generated: after adding a scenario, run `python3 -m pytest --update-snapshots`.",
        "",
        "## Codes and the scenarios that show them",
        "",
        "| code | rule | scenarios |",
        "| --- | --- | --- |",
    ]
    shown: dict[str, list[str]] = {}
    for scenario in SCENARIOS:
        for code in declared_covers(scenario) or ():
            shown.setdefault(code, []).append(scenario.name)
    names = {rule.code: rule.name for rule in registry.rules} | {code: item[0] for code, item in ENGINE_CODES.items()}
    for code in sorted(set(shown) | {rule.code for rule in registry.rules}):
        where = ", ".join(f"[{name}]({name}/)" for name in shown.get(code, ()))
        lines.append(f"| {code} | {names.get(code, '')} | {where or 'none: ' + NOT_IN_A_SCENARIO[code]} |")
    lines += ["", "## Scenarios", "", "| scenario | covers | what it shows |", "| --- | --- | --- |"]
    for scenario in SCENARIOS:
        covers = " ".join(declared_covers(scenario) or ()) or "no finding"
        lines.append(f"| [{scenario.name}]({scenario.name}/) | {covers} | {summary(scenario)} |")
    lines += ["", "## Other folders", ""]
    lines += [f"- [{name}/]({name}/): {text}." for name, text in sorted(OTHER_FOLDERS.items())]
    return "\n".join(lines) + "\n"
