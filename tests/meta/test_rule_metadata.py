"""Rule metadata: unique codes and names, families, documentation, and the README's generated table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.paths import CHECKOUT
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.codes import ENGINE_CODES
from railcheck.registry import REDIRECTS, load_registry
from railcheck.rule import Consequence, FixAvailability, Invalid, ProjectRule, ServiceRule, Valid
from railcheck.rules_table import rules_markdown
from railcheck.types import Severity

ROOT = CHECKOUT


def test_codes_and_names_are_unique(registry) -> None:
    codes = [rule.code for rule in registry.rules] + list(ENGINE_CODES)
    names = [rule.name for rule in registry.rules] + [name for name, _, _ in ENGINE_CODES.values()]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


def test_every_rule_is_documented_and_has_examples(registry) -> None:
    for rule in registry.rules:
        doc = rule.documentation()
        for heading in ("## What it does", "## Why is this bad?", "## Example"):
            assert heading in doc, (rule.code, heading)
        assert ("## Fix safety" in doc) == (rule.fix is not FixAvailability.NEVER), rule.code
        assert any(isinstance(example, Valid) for example in rule.examples)
        assert any(isinstance(example, Invalid) for example in rule.examples)
        assert rule.summary and not rule.summary.endswith("."), rule.code


def test_fix_flags_agree_with_examples(registry) -> None:
    for rule in registry.rules:
        fixed = [example for example in rule.examples if isinstance(example, Invalid) and example.fixed]
        if rule.fix is FixAvailability.NEVER:
            assert not fixed, rule.code
        else:
            assert fixed, f"{rule.code} declares fixes but no example shows one"


def test_redirects_point_at_rules(registry) -> None:
    for target in REDIRECTS.values():
        assert registry.find(target) is not None


def test_readme_rules_table_is_current(registry) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert match, "README lacks the rules markers"
    assert match.group(1) == rules_markdown(registry), "regenerate with `railcheck rules --format markdown`"


def test_changelog_names_every_rule(registry) -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    missing = [rule.code for rule in registry.rules if rule.code not in changelog]
    assert not missing, f"CHANGELOG.md does not mention {missing}"


def test_every_built_in_rule_has_complete_metadata(registry) -> None:
    # The registry does not check the built-in rules' metadata while it loads them (start-up time): this does.
    from railcheck.rule import metadata_problems

    assert {rule.code: metadata_problems(rule) for rule in registry.rules if metadata_problems(rule)} == {}


def test_a_rule_without_examples_is_refused() -> None:
    with pytest.raises(TypeError, match="Valid example"):

        class NoExamples(ProjectRule):
            """## What it does\nx\n## Why is this bad?\ny\n## Example\nz"""

            code = "ZZ001"
            name = "no-examples"
            summary = "Nothing"


def test_a_bad_code_is_refused() -> None:
    with pytest.raises(TypeError, match="two capitals"):

        class BadCode(ProjectRule):
            """## What it does\nx\n## Why is this bad?\ny\n## Example\nz"""

            code = "Z1"
            name = "bad-code"
            summary = "Nothing"
            examples = (Valid({}), Invalid({}, expect=[]))


def test_registry_loads_extra_rule_folders(tmp_path: Path) -> None:
    (tmp_path / "house.py").write_text(
        "from railcheck import ProjectRule, Valid, Invalid\n"
        'FAMILY = "HX"\n'
        "class HouseRule(ProjectRule):\n"
        '    """## What it does\\nx\\n## Why is this bad?\\ny\\n## Example\\nz"""\n'
        '    code = "HX001"\n    name = "house-rule"\n    summary = "House rule"\n'
        "    examples = (Valid({}), Invalid({}, expect=[]))\n"
        "    def check(self, project):\n        return iter(())\n"
    )
    registry = load_registry([tmp_path])
    assert registry.find("HX001") is not None
    assert registry.find("house-rule") is not None


def test_an_extra_rule_file_named_like_a_built_in_one_is_loaded(tmp_path: Path) -> None:
    # Both were loaded as `railcheck._rules.railpack`, so the extra file was the built-in module and its rule
    # silently missing.
    (tmp_path / "railpack.py").write_text(
        'from railcheck import ProjectRule, Valid, Invalid\nFAMILY = "HX"\n'
        "class HouseRule(ProjectRule):\n"
        '    """## What it does\\nx\\n## Why is this bad?\\ny\\n## Example\\nz"""\n'
        '    code = "HX002"\n    name = "house-railpack-rule"\n    summary = "House rule"\n'
        "    examples = (Valid({}), Invalid({}, expect=[]))\n"
        "    def check(self, project):\n        return iter(())\n"
    )
    registry = load_registry([tmp_path])
    assert registry.find("HX002") is not None and registry.find("RP001") is not None


def test_a_rule_from_an_extra_folder_is_checked_when_loaded(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        'from railcheck import ProjectRule\nFAMILY = "HX"\n'
        'class Bad(ProjectRule):\n    """## What it does\\nx"""\n    code = "HX1"\n    name = "bad"\n    summary = "Bad"\n'
    )
    with pytest.raises(TypeError, match="two capitals"):
        load_registry([tmp_path])


def test_docs_rules_page_is_current(registry) -> None:
    from railcheck.rules_table import rules_docs

    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_docs(registry), (
        "regenerate with `railcheck rules --format docs > docs/rules.md`"
    )


def test_every_rule_declares_its_consequence_and_its_severity_follows(registry) -> None:
    for rule in registry.rules:
        consequence = rule.__dict__.get("consequence")
        assert isinstance(consequence, Consequence), f"{rule.code} declares no consequence of its own"
        assert rule.default_severity is consequence.severity, (rule.code, consequence, rule.default_severity)


def test_a_severity_that_does_not_follow_from_the_consequence_is_refused() -> None:
    with pytest.raises(TypeError, match="does not follow from its consequence"):

        class _Overgraded(ServiceRule):
            """
            ## What it does
            x
            ## Why is this bad?
            x
            ## Example
            x
            """

            code = "ZZ901"
            name = "overgraded"
            summary = "Deprecated but harmless"
            consequence = Consequence.HARMLESS
            default_severity = Severity.WARNING
            examples = (Valid({}), Invalid({}, expect=[]))


def test_deprecated_but_working_settings_pass_at_the_default_fail_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The old railway.app $schema, the Nixpacks builder and config as code: all still deploy today.
    write_repo(
        tmp_path,
        {
            "railway.json": '{"$schema": "https://railway.app/railway.schema.json", "build": {"builder": "NIXPACKS"}, '
            '"deploy": {"startCommand": "gunicorn --bind 0.0.0.0:$PORT main:app"}}',
            "requirements.txt": "flask\ngunicorn\n",
            "main.py": "from flask import Flask\napp = Flask(__name__)\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "concise")
    assert "RW102 info" in result.output and "RW103 [*] info" in result.output and "RW105 info" in result.output, (
        result.output
    )
    assert " error" not in result.output and " warning" not in result.output and result.exit_code == 0, result.output
