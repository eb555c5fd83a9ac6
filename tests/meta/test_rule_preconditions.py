"""The built-in rules leave to the engine what the engine does: a service rule does not name its own service
on a finding (the engine stamps it), and a rule that reads the repository through `self.repository(project)`
declares the precondition that makes it there."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from railcheck import ServiceRule
from railcheck.registry import Registry
from railcheck.rule import Requires, Rule

READS_REPOSITORY = (Requires.REPOSITORY, Requires.PATHS_CHECKABLE)


def _class_source(rule: type[Rule]) -> ast.ClassDef:
    """The rule's class statement, its line numbers those of its file."""
    lines, first = inspect.getsourcelines(rule)
    tree = ast.parse(textwrap.dedent("".join(lines)))
    ast.increment_lineno(tree, first - 1)
    found = tree.body[0]
    assert isinstance(found, ast.ClassDef)
    return found


def _calls(tree: ast.AST, method: str) -> list[ast.Call]:
    """Calls of `<something>.<method>(...)` anywhere in `tree`."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
    ]


def own_service_named(tree: ast.AST) -> list[int]:
    """Lines where a finding is given `service=service.name`, the service the engine stamps anyway."""
    return [
        call.lineno
        for call in _calls(tree, "diagnostic")
        for keyword in call.keywords
        if keyword.arg == "service" and ast.unparse(keyword.value) == "service.name"
    ]


def reads_repository(tree: ast.AST) -> bool:
    return any(ast.unparse(call.func) == "self.repository" for call in _calls(tree, "repository"))


def test_service_rules_leave_the_service_of_their_findings_to_the_engine(registry: Registry) -> None:
    named = {
        f"{inspect.getsourcefile(rule)} ({rule.code})": lines
        for rule in registry.rules
        if issubclass(rule, ServiceRule) and (lines := own_service_named(_class_source(rule)))
    }
    assert named == {}, "drop `service=service.name`: the engine puts the checked service on the finding"


def test_rules_reading_the_repository_declare_it(registry: Registry) -> None:
    undeclared = [
        rule.code
        for rule in registry.rules
        if reads_repository(_class_source(rule)) and not any(item in rule.requires for item in READS_REPOSITORY)
    ]
    assert undeclared == [], "declare `requires = (Requires.REPOSITORY,)` (or PATHS_CHECKABLE) on these rules"


@pytest.mark.parametrize(
    ("source", "named", "reads"),
    [
        (
            "def check(self, service, project):\n    yield self.diagnostic(p, None, 'm', service=service.name)\n",
            [2],
            False,
        ),
        (
            "def check(self, service, project):\n    yield self.diagnostic(p, None, 'm', service=other.name)\n",
            [],
            False,
        ),
        ("def check(self, project):\n    repository = self.repository(project)\n", [], True),
        ("def check(self, project):\n    repository = project.repository\n", [], False),
    ],
)
def test_the_scans_see_what_they_look_for(source: str, named: list[int], reads: bool) -> None:
    tree = ast.parse(source)
    assert own_service_named(tree) == named
    assert reads_repository(tree) is reads
