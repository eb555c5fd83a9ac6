"""Run the selected rules over a Project, each where its declared preconditions hold (railcheck/preconditions.py),
a service rule's findings stamped with their service: isolate crashing rules, apply suppressions, sort the findings.

Knows nothing about the command line or output formats.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from railcheck import inline
from railcheck.codes import engine_diagnostic
from railcheck.config import Config, ConfigError, config_key_span
from railcheck.model import Project
from railcheck.preconditions import Preconditions
from railcheck.registry import Registry
from railcheck.rule import ProjectRule, Rule, ServiceRule
from railcheck.types import Diagnostic

if TYPE_CHECKING:
    from railcheck.inline import InlineSuppression


class Suppressed(NamedTuple):
    """A finding that configuration suppressed, the entry that did it, and the reason given there (if any)."""

    # Named tuples, not frozen dataclasses, for the cost at import (see run.CheckSettings).

    diagnostic: Diagnostic
    reason: str | None
    # ("ignore", selector), ("per-file-ignores", pattern) or ("inline", "path:line")
    entry: tuple[str, str] = ("ignore", "")


class CheckResult(NamedTuple):
    diagnostics: tuple[Diagnostic, ...]
    suppressed: tuple[Suppressed, ...]
    internal_errors: int
    # Every inline suppression comment in the files read, for judging unused ones across processes.
    inline: tuple[InlineSuppression, ...] = ()


def instantiate(
    registry: Registry,
    config: Config,
    *,
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Rule]:
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
            raise ConfigError(
                f"[rules.{selector if selector.isprintable() else repr(selector)}]: no rule has that code or name"
            )
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


def check(
    project: Project,
    rules: Iterable[Rule],
    registry: Registry,
    *,
    complete: bool = False,
    used: Iterable[tuple[str, str]] = (),
) -> CheckResult:
    """Run `rules` over `project`. A rule that raises yields an RC002 finding; the others still run.

    With `complete` (every configured rule over the whole repository), suppressions that matched nothing
    are reported as RC006 (`used` adds suppressions that matched in other processes of the same run).
    """
    rules = list(rules)
    raw: list[Diagnostic] = []
    errors = 0
    preconditions = Preconditions(project)  # decided once per service for all rules
    for rule in rules:
        for diagnostic in _run_one(rule, project, preconditions):
            errors += diagnostic.code == "RC002"
            raw.append(diagnostic)
    if project.discovered > len(project.services):
        raw.append(_too_many(project))
    kept, suppressed = _suppress(raw, project.config, registry)
    kept, by_comment, declared = inline.apply(kept, project.texts)
    suppressed += [Suppressed(diagnostic, item.reason, item.entry) for diagnostic, item in by_comment]
    used_entries = {item.entry for item in suppressed} | set(used)
    if complete:
        kept += unused_suppressions(project.config, used_entries)
        kept += inline.unused(declared, used_entries, {rule.code for rule in rules})
    kept += inline.malformed(declared)
    unique = {identity(diagnostic): diagnostic for diagnostic in kept}
    ordered = sorted(_applicable_fixes_only(unique.values(), project), key=Diagnostic.sort_key)
    return CheckResult(tuple(ordered), tuple(suppressed), errors, tuple(declared))


def _applicable_fixes_only(diagnostics: Iterable[Diagnostic], project: Project) -> list[Diagnostic]:
    """The findings, each fix that could never be applied taken off (it would break a file, write one it must
    not, or change nothing), whatever the rule's edit builders missed."""
    if not any(diagnostic.fix for diagnostic in diagnostics):
        return list(diagnostics)
    from railcheck.fixes import offered

    repository = project.repository

    def writable(path: PurePosixPath) -> bool:
        # Not a file whose text is not its content (not UTF-8), nor one that exists but was not read (a new
        # file's place taken by a folder, a link, a file too large): writing would lose data or be refused.
        if repository is None:
            return True
        return path not in repository.lossy and (path in project.texts or not repository.exists(path))

    parsed = parsed_on_load(project)
    return [offered(diagnostic, project.texts, writable, parsed) for diagnostic in diagnostics]


def parsed_on_load(project: Project) -> frozenset[PurePosixPath]:
    """The config files the project parsed, at the text `project.texts` holds, with the reader
    `fixes.still_parses` uses for their name, so that offering a fix does not parse them again (a large
    repository has one per service with a fix). Loading reads a Railpack config as JWCC and Railway's as strict
    JSON (project.py); `still_parses` picks by name (`reads_as_jwcc`), and reads a `.toml` file with the same
    reader as loading. A file read otherwise is left out, and parsed."""
    from railcheck.fixes import reads_as_jwcc  # loaded by the caller already: runs with fixes only

    found = set()
    for service in project.services:
        for document, jwcc in ((service.railpack, True), (service.railway, False), (service.railway_ignored, False)):
            if document is None or project.texts.get(document.path) != document.text:
                continue
            path = document.path
            if path.suffix == ".toml" or (path.suffix == ".json" and reads_as_jwcc(path) is jwcc):
                found.add(path)
    return frozenset(found)


# (code, path, (start, end) offsets or None, message)
Identity = tuple[str, str, "tuple[int, int] | None", str]


def identity(diagnostic: Diagnostic) -> Identity:
    """What tells two findings apart (code first), in plain values, so that it also travels cheaply between
    processes: the same finding reported twice (two services reading one file) is kept once."""
    span = diagnostic.span
    where = (span.start.offset, span.end.offset) if span else None
    return (diagnostic.code, str(diagnostic.path), where, diagnostic.message)


def _run_one(rule: Rule, project: Project, preconditions: Preconditions) -> Iterator[Diagnostic]:
    if isinstance(rule, ProjectRule):
        if preconditions.project_holds(rule.requires):
            yield from _guarded(rule, None, rule.check, project)
    elif isinstance(rule, ServiceRule):
        check = rule.check
        for service, failure in preconditions.services_for(rule):
            if failure is not None:
                yield _failed(rule, service.name, failure)
                continue
            # `_guarded`, written out: this runs once per rule and service, tens of thousands of times in a
            # large repository, and the call is a measurable part of that.
            try:
                found = list(check(service, project))
            except Exception as error:
                yield _failed(rule, service.name, error)
                continue
            for diagnostic in found:
                # A finding is about the service checked, unless the rule named another one on purpose.
                yield diagnostic if diagnostic.service is not None else replace(diagnostic, service=service.name)


def _guarded(rule: Rule, service: str | None, produce, *arguments) -> list[Diagnostic]:
    try:
        # Materialise inside the guard: a generator raises when iterated, not when called.
        return list(produce(*arguments))
    except Exception as error:
        return [_failed(rule, service, error)]


def _failed(rule: Rule, service: str | None, error: Exception) -> Diagnostic:
    where = f" on service {service}" if service else ""
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return engine_diagnostic(
        "RC002",
        PurePosixPath("."),
        f"rule {rule.code} ({rule.name}) failed{where}: {detail}",
        "This is a bug in railcheck; the rule's other findings are missing. Please report it with this message.",
        service=service,
    )


def _too_many(project: Project) -> Diagnostic:
    return engine_diagnostic(
        "RC007",
        PurePosixPath("."),
        f"found {project.discovered} services, more than the {len(project.services)} railcheck checks in one run; the"
        " rest were skipped",
        "Check the repository in parts (pass service folders as paths), or exclude folders that are not services"
        " (`exclude`).",
    )


def _suppress(
    diagnostics: list[Diagnostic], config: Config, registry: Registry
) -> tuple[list[Diagnostic], list[Suppressed]]:
    if not config.ignore and not config.per_file_ignores:
        return diagnostics, []
    ignored_codes: dict[str, str | None] = {}
    for selector, reason in config.ignore.items():
        for rule in registry.matching(selector):
            ignored_codes[rule.code] = reason
    per_file = []
    if config.per_file_ignores:
        from railcheck.patterns import config_spec  # only when patterns exist: pathspec's import costs start-up time

        per_file = [
            (
                config_spec([pattern], "per-file-ignores", str(config.source), config.text),
                {rule.code for selector in selectors for rule in registry.matching(selector)},
            )
            for pattern, selectors in config.per_file_ignores
        ]
    selector_of = {rule.code: selector for selector in config.ignore for rule in registry.matching(selector)}
    kept, suppressed = [], []
    for diagnostic in diagnostics:
        pattern = next(
            (
                pattern
                for (pattern, _), (spec, codes) in zip(config.per_file_ignores, per_file, strict=True)
                if diagnostic.code in codes and spec.match_file(str(diagnostic.path))
            ),
            None,
        )
        if diagnostic.code in ignored_codes:
            suppressed.append(
                Suppressed(diagnostic, ignored_codes[diagnostic.code], ("ignore", selector_of[diagnostic.code]))
            )
        elif pattern is not None:
            suppressed.append(Suppressed(diagnostic, None, ("per-file-ignores", pattern)))
        else:
            kept.append(diagnostic)
    return kept, suppressed


def unused_suppressions(config: Config, used: set[tuple[str, str]]) -> list[Diagnostic]:
    """RC006 for every `ignore` selector and `per-file-ignores` pattern that suppressed nothing."""
    entries = [("ignore", selector) for selector in config.ignore] + [
        ("per-file-ignores", pattern) for pattern, _ in config.per_file_ignores
    ]
    unused = [entry for entry in entries if entry not in used]
    if not unused or config.source is None:
        return []
    found = []
    for table, key in unused:
        what = f"`ignore` entry `{key}`" if table == "ignore" else f"`per-file-ignores` pattern `{key}`"
        found.append(
            engine_diagnostic(
                "RC006",
                config.source,
                f"{what} suppressed nothing in this run",
                "Remove it, so that the problem it hid is reported again if it comes back.",
                config_key_span(config, table, key),
            )
        )
    return found
