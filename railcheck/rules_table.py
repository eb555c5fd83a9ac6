"""Render the rule list: a terminal table, the README's Markdown table, or JSON."""

from __future__ import annotations

import json

from railcheck.codes import ENGINE_CODES
from railcheck.registry import Registry
from railcheck.rule import FixAvailability


def _rows(registry: Registry) -> list[tuple[str, str, str, str, str]]:
    rows = [(rule.code, rule.name, rule.default_severity.value, rule.fix.value, rule.summary) for rule in registry.rules]
    rows += [(code, name, "error", FixAvailability.NEVER.value, summary) for code, (name, summary, _) in ENGINE_CODES.items()]
    return sorted(rows)


def rules_table(registry: Registry) -> str:
    rows = _rows(registry)
    width = max(len(row[1]) for row in rows)
    return "".join(f"{code}  {name:<{width}}  {severity:<7}  {'fix' if fix != 'never' else '   '}  {summary}\n" for code, name, severity, fix, summary in rows)


def rules_markdown(registry: Registry) -> str:
    lines = ["| Code | Name | Severity | Fix | Summary |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {code} | `{name}` | {severity} | {fix} | {summary} |" for code, name, severity, fix, summary in _rows(registry)]
    return "\n".join(lines) + "\n"


def rules_json(registry: Registry) -> str:
    keys = ("code", "name", "severity", "fix", "summary")
    return json.dumps([dict(zip(keys, row)) for row in _rows(registry)], indent=2) + "\n"
