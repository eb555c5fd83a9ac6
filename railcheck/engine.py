"""Run the selected rules over a Project: isolate crashing rules, apply suppressions, sort the findings.

Knows nothing about the command line or output formats.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from railcheck.codes import ENGINE_CODES
from railcheck.config import Config, ConfigError
from railcheck.project import Project
from railcheck.registry import Registry
from railcheck.rule import ProjectRule, Rule, ServiceRule
from railcheck.types import Diagnostic, Severity

@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding that configuration suppressed, with the reason given there (if any)."""

    diagnostic: Diagnostic
    reason: str | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    diagnostics: tuple[Diagnostic, ...]
    suppressed: tuple[Suppressed, ...]
    internal_errors: int


def instantiate(registry: Registry, config: Config, *, select: Iterable[str] | None = None, extend_select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """The rules to run, each with its effective severity. `select`, when given, replaces config's selection."""
    chosen = registry.select(
        tuple(select) if select is not None else config.select,
        (*config.extend_select, *extend_select),
        tuple(ignore),
    )
    overrides = sorted(config.severity.items(), key=lambda item: registry.specificity(item[0]))
    options = {}
    for selector, values in config.rule_options.items():
        found = registry.find(selector)
        if found is None:
            raise ConfigError(f"[rules.{selector}]: no rule has that code or name")
        options[found.code] = values
    rules = []
    for rule_class in chosen:
        severity = None
        for selector, value in overrides:
            if rule_class in registry.matching(selector):
                severity = value
        try:
            rules.append(rule_class(severity, options.get(rule_class.code)))
        except (TypeError, ValueError) as error:
            raise ConfigError(f"[rules.{rule_class.code}]: {error}") from error
    return rules


def check(project: Project, rules: Iterable[Rule], registry: Registry) -> CheckResult:
    """Run `rules` over `project`. A rule that raises yields an RC002 finding; the others still run."""
    raw: list[Diagnostic] = []
    errors = 0
    for rule in rules:
        for diagnostic in _run_one(rule, project):
            errors += diagnostic.code == "RC002"
            raw.append(diagnostic)
    kept, suppressed = _suppress(raw, project.config, registry)
    unique = {_identity(diagnostic): diagnostic for diagnostic in kept}
    ordered = sorted(unique.values(), key=Diagnostic.sort_key)
    return CheckResult(tuple(ordered), tuple(suppressed), errors)


def _identity(diagnostic: Diagnostic) -> tuple[object, ...]:
    return (diagnostic.code, diagnostic.path, diagnostic.span, diagnostic.message)


def _run_one(rule: Rule, project: Project) -> Iterator[Diagnostic]:
    if isinstance(rule, ProjectRule):
        yield from _guarded(rule, None, lambda: rule.check(project))
    elif isinstance(rule, ServiceRule):
        for service in project.services:
            yield from _guarded(rule, service.name, lambda service=service: rule.check(service, project))  # type: ignore[misc]


def _guarded(rule: Rule, service: str | None, produce):  # type: ignore[no-untyped-def]
    try:
        # Materialise inside the guard: a generator raises when iterated, not when called.
        return list(produce())
    except Exception as error:  # noqa: BLE001 - one broken rule must not stop the run
        where = f" on service {service}" if service else ""
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        name = ENGINE_CODES["RC002"][0]
        return [
            Diagnostic(
                code="RC002",
                name=name,
                message=f"rule {rule.code} ({rule.name}) failed{where}: {detail}",
                severity=Severity.ERROR,
                path=PurePosixPath("."),
                span=None,
                service=service,
                help="This is a bug in railcheck; the rule's other findings are missing. Please report it with this message.",
            )
        ]


def _suppress(diagnostics: list[Diagnostic], config: Config, registry: Registry) -> tuple[list[Diagnostic], list[Suppressed]]:
    if not config.ignore and not config.per_file_ignores:
        return diagnostics, []
    import pathspec

    ignored_codes: dict[str, str | None] = {}
    for selector, reason in config.ignore.items():
        for rule in registry.matching(selector):
            ignored_codes[rule.code] = reason
    per_file = [
        (pathspec.GitIgnoreSpec.from_lines([pattern]), {rule.code for selector in selectors for rule in registry.matching(selector)})
        for pattern, selectors in config.per_file_ignores
    ]
    kept, suppressed = [], []
    for diagnostic in diagnostics:
        if diagnostic.code in ignored_codes:
            suppressed.append(Suppressed(diagnostic, ignored_codes[diagnostic.code]))
        elif any(diagnostic.code in codes and spec.match_file(str(diagnostic.path)) for spec, codes in per_file):
            suppressed.append(Suppressed(diagnostic, None))
        else:
            kept.append(diagnostic)
    return kept, suppressed
