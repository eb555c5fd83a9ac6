"""Every rule's Valid and Invalid examples, run as tests: findings, positions, fixes, idempotence, no mutation."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import example_path, write_repo
from helpers.running import canonical, fix_in_memory, run_rules

from railcheck.config import load_config
from railcheck.registry import load_registry
from railcheck.rule import Invalid, ProjectRule, Rule, Valid
from railcheck.types import Applicability


def _cases() -> list[object]:
    cases = []
    for rule in load_registry().rules:
        valid = invalid = 0
        for example in rule.examples:
            if isinstance(example, Valid):
                cases.append(pytest.param(rule, example, id=f"{rule.code}-valid-{valid}"))
                valid += 1
            else:
                cases.append(pytest.param(rule, example, id=f"{rule.code}-invalid-{invalid}"))
                invalid += 1
    return cases


def _documents(project):  # type: ignore[no-untyped-def]
    for service in project.services:
        for document in (service.railpack, service.railway, service.railway_ignored):
            if document is not None:
                yield document


@pytest.mark.parametrize(("rule_class", "example"), _cases())
def test_example(tmp_path: Path, registry, rule_class: type[Rule], example: Valid | Invalid) -> None:
    write_repo(tmp_path, example.files)
    # Options come from the example's own railcheck.toml, as they would for a user.
    rule = rule_class(None, load_config(tmp_path).rule_options.get(rule_class.code))
    project, diagnostics = run_rules(tmp_path, [rule], registry)
    before = [canonical(document.value) for document in _documents(project)]
    # Run the rule again on the same project to see that it did not mutate what it was given.
    if isinstance(rule, ProjectRule):
        list(rule.check(project))
    else:
        for service in project.services:
            list(rule.check(service, project))
    assert [canonical(document.value) for document in _documents(project)] == before, "the rule mutated its input"

    found = [
        (d.code, example_path(d.path), d.span.start.line if d.span else 0, d.span.start.column if d.span else 0)
        for d in diagnostics
    ]
    if isinstance(example, Valid):
        assert found == []
        return
    assert sorted(found) == sorted(example.expect)
    for diagnostic in diagnostics:
        assert diagnostic.message and not diagnostic.message.endswith("."), diagnostic.message
        assert diagnostic.severity is rule.severity
    if example.fixed is None:
        return
    _, texts = fix_in_memory(tmp_path, [rule], registry, example.unsafe_fixes)
    changed = {example_path(path): text for path, text in texts.items()}
    assert changed == example.fixed
    # Fixing the fixed text again changes nothing, and no applicable fix is left.
    write_repo(tmp_path, dict(changed.items()))
    _, again = fix_in_memory(tmp_path, [rule], registry, example.unsafe_fixes)
    assert again == {}
    minimum = Applicability.UNSAFE if example.unsafe_fixes else Applicability.SAFE
    _, remaining = run_rules(tmp_path, [rule], registry)
    assert not [d for d in remaining if d.fix and d.fix.applicability.rank >= minimum.rank]
