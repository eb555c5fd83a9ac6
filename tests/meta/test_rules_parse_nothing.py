"""Rules read a finished model: they parse no text themselves, and derived values are kept typed.

Parsed and resolved values (requirements files, Python modules, Django settings, watch patterns, facts) come
from `Project.derived` and the helpers that read it; a rule that called a parser would parse again per call
and bypass the one place that keeps the result for the project.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
# Functions of railcheck's readers that turn text into a model; a rule must not call them.
PARSERS = re.compile(
    r"^(parse_\w*|analyse_module|literal_setting|literal_string|settings_module_named|first_service_call)$"
)


def parser_calls(source: str) -> list[str]:
    """`line: name` for each parser a module imports from railcheck's readers (`railcheck.sources...`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("railcheck.sources"):
            found += [f"{node.lineno}: {alias.name}" for alias in node.names if PARSERS.match(alias.name)]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and PARSERS.match(node.attr):
            found.append(f"{node.lineno}: {node.attr}")  # `pymodule.analyse_module`, not `project.derived.X`
    return found


def test_no_rule_parses_text() -> None:
    modules = sorted((REPOSITORY / "rules").glob("*.py"))
    assert len(modules) > 10  # the glob found the rule modules
    calls = {module.name: parser_calls(module.read_text(encoding="utf-8")) for module in modules}
    assert {name: found for name, found in calls.items() if found} == {}


def test_the_check_notices_a_rule_that_parses() -> None:
    # A deliberate violation, as a rule module would write it: imported lazily inside check(), and by module.
    violation = (
        "def check(self, service, project):\n"
        "    from railcheck.sources.requirements import parse_requirements\n"
        "    from railcheck.sources import pymodule\n"
        "    return parse_requirements(project.texts[path]), pymodule.analyse_module(text)\n"
    )
    assert parser_calls(violation) == ["2: parse_requirements", "4: analyse_module"]
    allowed = "from railcheck.sources.text import LineIndex\ncall = project.derived.first_service_call()\n"
    assert parser_calls(allowed) == []


def test_derived_values_are_kept_typed() -> None:
    # The untyped memo (`dict[object, object]` read back with `# type: ignore`) is gone for good.
    sources = sorted((REPOSITORY / "railcheck").rglob("*.py")) + sorted((REPOSITORY / "rules").glob("*.py"))
    untyped = [str(path.relative_to(REPOSITORY)) for path in sources if "dict[object, object]" in path.read_text()]
    assert untyped == []
