"""One `railcheck check` over one repository: load, check (or replay the cache), fix, baseline, report.

The CLI parses options into CheckSettings and calls `check_repository`; everything here is independent of
click, so it can be driven from tests or another front end.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from railcheck.report import DESCRIBES_RULES, Report
from railcheck.types import EMPTY_MAPPING, Applicability, Diagnostic, Severity

if TYPE_CHECKING:
    from railcheck.config import Config
    from railcheck.discovery import Plan
    from railcheck.engine import CheckResult, Suppressed
    from railcheck.files import Stamp
    from railcheck.model import Project
    from railcheck.registry import Registry
    from railcheck.report import RuleInfo
    from railcheck.rule import Rule
    from railcheck.sources.text import LineIndex

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


class CheckSettings(NamedTuple):
    """The options of `railcheck check`, parsed."""

    # The value types here and in the other modules every check imports are named tuples, not frozen
    # dataclasses: as immutable, and a dataclass costs some millions of instructions to create at import
    # (its methods are compiled from source), which every run pays, pre-commit on one file included.

    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    fix_only: bool = False
    show_fixes: bool = False
    exit_non_zero_on_fix: bool = False
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    output_format: str = "full"
    output_file: Path | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    base_ref: str | None = None
    fail_on: Severity | None = None
    exit_zero: bool = False
    cache: bool = True
    color: str = "auto"  # auto | always | never
    statistics: bool = False
    # `--config FILE`: this configuration instead of the one found at the repository root, whose folder
    # is then the repository root (config.named_config_root).
    config: Path | None = None

    def conflict(self) -> str | None:
        """Why these options cannot be meant together (one would be silently ignored), or None."""
        if self.unsafe_fixes and not (self.fix or self.diff):
            return "--unsafe-fixes does nothing without --fix, --fix-only or --diff"
        if self.statistics and self.diff:
            return "--statistics counts findings; --diff prints fixes: choose one"
        if self.statistics and self.output_format not in ("full", "concise"):
            return (
                f"--statistics prints a terminal table; it cannot be combined with --output-format {self.output_format}"
            )
        if self.diff and self.output_format != "full":
            return f"--diff prints a unified diff; it cannot be combined with --output-format {self.output_format}"
        return None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> CheckSettings:
        return cls(
            fix=bool(options["fix"] or options["fix_only"]),
            unsafe_fixes=bool(options["unsafe_fixes"]),
            diff=bool(options["diff"]),
            fix_only=bool(options["fix_only"]),
            show_fixes=bool(options["show_fixes"]),
            exit_non_zero_on_fix=bool(options["exit_non_zero_on_fix"]),
            select=_split(options["select"]) or None,
            extend_select=_split(options["extend_select"]),
            ignore=_split(options["ignore"]),
            output_format=str(options["output_format"]),
            output_file=options["output_file"],
            baseline=options["baseline"],
            write_baseline=options["write_baseline"],
            base_ref=options["base_ref"] or None,
            fail_on=Severity(options["fail_on"]) if options["fail_on"] else None,
            exit_zero=bool(options["exit_zero"]),
            cache=not options.get("no_cache", False),
            color=str(options.get("color") or "auto"),
            statistics=bool(options.get("statistics")),
            config=options.get("config"),
        )

    def wants_color(self, environ: Mapping[str, str], stdout_is_terminal: bool) -> bool:
        """Colour for the terminal formats: `--color` first, then NO_COLOR and FORCE_COLOR (https://no-color.org,
        https://force-color.org: any non-empty value), then whether standard output is a terminal."""
        if self.output_format not in ("full", "concise") or self.color == "never":
            return False
        if self.color == "always":
            return True
        if environ.get("NO_COLOR"):
            return False
        if environ.get("FORCE_COLOR"):
            return True
        return stdout_is_terminal and self.output_file is None and environ.get("TERM") != "dumb"


class RepositoryRun(NamedTuple):
    """The report and exit status of one repository's check, and what a fix run produced."""

    # RepositoryRun and Findings are named tuples, not frozen dataclasses, for the cost at import (see
    # CheckSettings); their mappings default to one shared empty read-only mapping.

    report: Report
    status: int
    diff: str = ""
    # Messages for standard error, such as "wrote 12 findings to baseline.json".
    notes: tuple[str, ...] = ()
    # With an overlay, the texts the fixes produced (nothing was written).
    fixed: Mapping[PurePosixPath, str] = EMPTY_MAPPING


class Findings(NamedTuple):
    """What checking a repository found: everything a report needs, and what the cache stores."""

    diagnostics: tuple[Diagnostic, ...]
    texts: dict[PurePosixPath, str]
    services: int
    suppressions: tuple[tuple[str, int, str | None], ...] = ()
    internal_errors: int = 0
    # What the check looked at in the repository, with stamps (Repository.observed); for the cache, never stored.
    observed: Mapping[str, Stamp | None] = EMPTY_MAPPING

    @property
    def suppressed(self) -> int:
        return sum(count for _, count, _ in self.suppressions)

    @classmethod
    def of(cls, project: Project, result: CheckResult, extra: Sequence[Diagnostic] = ()) -> Findings:
        diagnostics = tuple(sorted((*result.diagnostics, *extra), key=Diagnostic.sort_key))
        return cls(
            diagnostics,
            project.texts,
            len(project.services),
            _suppression_summary(result.suppressed),
            result.internal_errors,
            project.observed,
        )

    def encode(self) -> dict[str, Any]:
        from railcheck.diagnostic_json import diagnostic_json

        # Only the texts a report can show: the files the findings point into and those their fixes edit.
        paths = {d.path for d in self.diagnostics} | {r.path for d in self.diagnostics for r in d.related}
        paths |= {edit.path for d in self.diagnostics if d.fix is not None for edit in d.fix.edits}
        indexes: dict[PurePosixPath, LineIndex] = {}
        return {
            "diagnostics": [diagnostic_json(diagnostic, self.texts, indexes) for diagnostic in self.diagnostics],
            "texts": {str(path): text for path, text in self.texts.items() if path in paths},
            "services": self.services,
            "suppressions": [list(item) for item in self.suppressions],
            "internal_errors": self.internal_errors,
        }

    @classmethod
    def decode(cls, data: dict[str, Any]) -> Findings:
        from railcheck.diagnostic_json import diagnostic_from_json

        return cls(
            tuple(diagnostic_from_json(item) for item in data["diagnostics"]),
            {PurePosixPath(path): text for path, text in data["texts"].items()},
            int(data["services"]),
            tuple((code, count, reason) for code, count, reason in data["suppressions"]),
            int(data["internal_errors"]),
        )


def check_repository(
    root: Path,
    targets: list[PurePosixPath],
    registry: Registry,
    settings: CheckSettings,
    overlay: Mapping[PurePosixPath, str] | None = None,
    config: Config | None = None,
) -> RepositoryRun:
    """Check (and with the settings, fix, baseline) one repository; returns its report and exit status.

    `overlay` gives texts that stand in for files (standard input with `--stdin-filename`). Then nothing is
    written and the cache is not used: the fixed texts are in `RepositoryRun.fixed`. `config`, when the
    caller has loaded it already (`--config`), is used instead of loading it again.
    """
    from railcheck.config import load_config
    from railcheck.engine import instantiate

    config = config or load_config(root, settings.config)
    rules = instantiate(
        registry, config, select=settings.select, extend_select=settings.extend_select, ignore=settings.ignore
    )
    # Unused suppressions can only be judged when every configured rule ran over the whole repository.
    complete = (
        targets == [PurePosixPath(".")]
        and settings.select is None
        and not settings.extend_select
        and not settings.ignore
    )
    notes: list[str] = []
    fixing = FixResult()
    if settings.fix or settings.diff:
        findings, fixing = _check_and_fix(root, config, targets, rules, registry, settings, complete, overlay or {})
    elif settings.cache and settings.baseline is None and settings.write_baseline is None and not overlay:
        findings = _cached_check(root, config, targets, rules, registry, settings, complete)
    else:
        from railcheck.layout import CACHE_DIR

        findings = _check(root, config, targets, rules, registry, complete, overlay=overlay or {})
        # Said with the cache off too (a check's findings never depend on it); the cache module and git are
        # loaded only when there is a cache folder to ask about.
        if os.path.lexists(os.path.join(root, CACHE_DIR)):
            from railcheck.cache import cache_folder_tracked

            if cache_folder_tracked(root)[0]:
                findings = _with_tracked_cache(findings)
    findings = _with_unchecked_targets(root, config, targets, findings)
    # Engine codes are not rules, but `--ignore RC006` (or `ignore = ["RC006"]`) still silences them.
    from railcheck.codes import engine_codes_matching

    silenced = {code for selector in (*settings.ignore, *config.ignore) for code in engine_codes_matching(selector)}
    diagnostics = tuple(diagnostic for diagnostic in findings.diagnostics if diagnostic.code not in silenced)
    absorbed = 0
    if settings.write_baseline is not None:
        from railcheck import baseline

        count = baseline.write(settings.write_baseline, diagnostics, findings.texts, root)
        notes.append(f"railcheck: wrote {count} finding{'s' if count != 1 else ''} to {settings.write_baseline}")
        absorbed = count  # the report says they are recorded, not that the checks passed
        diagnostics = ()
    elif settings.baseline is not None:
        from railcheck import baseline

        location = PurePosixPath(Path(os.path.relpath(os.path.abspath(settings.baseline), root)).as_posix())
        kept, absorbed = baseline.apply(baseline.read(settings.baseline, root), diagnostics, findings.texts, location)
        diagnostics = tuple(sorted(kept, key=Diagnostic.sort_key))
    from railcheck.notices import fold_notices

    # Last, so that suppressions and the baseline were judged on each file's own finding.
    diagnostics = fold_notices(diagnostics, rules)
    changed = None
    if settings.base_ref:
        from railcheck.gitdiff import changed_lines

        # Only the files with findings: the lines of any other file change nothing in the report.
        warned = len(notes)
        changed = changed_lines(root, settings.base_ref, {diagnostic.path for diagnostic in diagnostics}, notes.append)
        if changed is None and len(notes) == warned:  # git said why already, or this says it once
            notes.append(
                f"railcheck: warning: cannot compare with --base-ref {settings.base_ref} (not a git ref here, or git is"
                " missing); findings keep their usual order"
            )
    threshold = settings.fail_on or config.fail_on
    report = Report(
        diagnostics=() if settings.fix_only else diagnostics,
        texts=findings.texts,
        services=findings.services,
        fail_on=threshold,
        display_prefix=_display_prefix(root),
        repository_prefix=_repository_prefix(root),
        suppressed=findings.suppressed,
        fixed=fixing.applied,
        remaining_shown=not settings.fix_only,
        show_fixes=settings.show_fixes,
        applied=tuple(fixing.log),
        rules=rule_infos(registry) if settings.output_format in DESCRIBES_RULES else (),
        changed_lines=changed,
        baselined=absorbed,
        suppressions=findings.suppressions,
    )
    if findings.internal_errors or fixing.problems:
        status = EXIT_ERROR
    elif settings.diff:
        status = EXIT_FINDINGS if fixing.diff else EXIT_CLEAN
    elif (settings.exit_non_zero_on_fix and fixing.applied) or (
        not settings.exit_zero
        and not settings.fix_only
        and any(diagnostic.severity.at_least(threshold) for diagnostic in diagnostics)
    ):
        status = EXIT_FINDINGS
    else:
        status = EXIT_CLEAN
    return RepositoryRun(report, status, fixing.diff, tuple(notes), fixing.texts)


class FixResult:
    """What fixing did, for the report and the exit status (nothing when the run does not fix)."""

    # A plain class, not a dataclass: it is filled in place, and a dataclass costs some millions of
    # instructions to create at import, which every run pays.

    def __init__(self, problems: list[Diagnostic] | None = None) -> None:
        self.applied: Counter[str] = Counter()
        self.log: list[tuple[str, str, tuple[PurePosixPath, ...]]] = []
        self.problems: list[Diagnostic] = [] if problems is None else problems
        self.diff = ""
        self.texts: dict[PurePosixPath, str] = {}


def _layout(root: Path, config: Config, plan: Plan, wide_rules: list[Rule]) -> Project:
    """The project the repository-wide rules of a parallel run see: every service, with config files parsed
    only for the services those rules read them of (parsing all would repeat the workers' work)."""
    from railcheck.project import load_project

    layout = load_project(root, config, plan=plan, parse=False)
    wanted = {service.root for rule in wide_rules for service in rule.services_read(layout)}
    if not wanted:
        return layout
    parsed = {
        (service.name, service.root): service for service in load_project(root, config, plan=plan.only(wanted)).services
    }
    return replace(
        layout,
        services=tuple(parsed.get((service.name, service.root), service) for service in layout.services),
    )


def _check(
    root: Path,
    config: Config,
    targets: list[PurePosixPath],
    rules: list[Rule],
    registry: Registry,
    complete: bool,
    plan: Plan | None = None,
    overlay: Mapping[PurePosixPath, str] = {},
) -> Findings:
    from railcheck import inline, parallel
    from railcheck.discovery import discover
    from railcheck.engine import check
    from railcheck.project import load_project
    from railcheck.repository import merge_observed

    if overlay:
        # Texts that stand in for files take part in discovery (a config given only as text makes a
        # service), and workers would read the files themselves: one process, discovering as it loads.
        project = load_project(root, config, targets, overlay)
        return Findings.of(project, check(project, rules, registry, complete=complete))
    plan = plan or discover(root, config, targets)
    count = parallel.workers(plan)
    if count == 1:
        project = load_project(root, config, plan=plan)
        return Findings.of(project, check(project, rules, registry, complete=complete))
    merged = parallel.merge(parallel.check_chunks(root, config, plan, rules, registry, count))
    # Rules that compare across the repository, the service limit and unused suppressions: once, on the layout.
    wide_rules = [rule for rule in rules if rule.repository_wide]
    layout = _layout(root, config, plan, wide_rules)
    wide = check(layout, wide_rules, registry, complete=complete, used=merged.used)
    suppressed = merged.suppressed + Counter((item.diagnostic.code, item.reason) for item in wide.suppressed)
    # Comments in files the workers read: unused only if no process used them (the wide check judged its own).
    unused = (
        list(
            inline.unused(
                merged.inline, merged.used | {item.entry for item in wide.suppressed}, {rule.code for rule in rules}
            )
        )
        if complete
        else []
    )
    paths = {d.path for d in wide.diagnostics} | {r.path for d in wide.diagnostics for r in d.related}
    texts = {**merged.texts, **{path: text for path, text in layout.texts.items() if path in paths}}
    return Findings(
        tuple(sorted(dict.fromkeys((*merged.diagnostics, *wide.diagnostics, *unused)), key=Diagnostic.sort_key)),
        texts,
        merged.services,
        tuple(
            (code, count, reason)
            for (code, reason), count in sorted(suppressed.items(), key=lambda pair: (pair[0][0], pair[0][1] or ""))
        ),
        merged.internal_errors + wide.internal_errors,
        merge_observed((merged.observed, layout.observed)),
    )


def _cached_check(
    root: Path,
    config: Config,
    targets: list[PurePosixPath],
    rules: list[Rule],
    registry: Registry,
    settings: CheckSettings,
    complete: bool,
) -> Findings:
    """`_check`, replayed from .railcheck_cache/ when nothing that could change the findings has changed."""
    from railcheck.cache import ResultCache
    from railcheck.discovery import discover

    cache = ResultCache(root)
    if cache.tracked():
        return _with_tracked_cache(_check(root, config, targets, rules, registry, complete))
    # Discovery runs on every run anyway (the check reuses the plan): the services it finds are part of the
    # key, and what the check then reads is recorded with the entry.
    plan = discover(root, config, targets)
    # The configuration's name too: findings about it (RC006, RP110) name the file.
    options = {
        "targets": [str(target) for target in targets],
        "select": settings.select,
        "extend": settings.extend_select,
        "ignore": settings.ignore,
        "config": str(config.source),
    }
    key = cache.key(plan, options, config.text)
    stored = cache.get(key)
    if stored is not None:
        try:
            return Findings.decode(stored)
        except Exception:
            pass
    findings = _check(root, config, targets, rules, registry, complete, plan)
    # A crash is never worth replaying, and findings for files edited during the run belong to no state.
    if not findings.internal_errors:
        dependencies = cache.dependencies(findings.observed)
        if dependencies is not None:
            cache.put(key, findings.encode(), dependencies)
    return findings


def _with_tracked_cache(findings: Findings) -> Findings:
    """`findings` and RC008: the repository's `.railcheck_cache` is tracked by git."""
    from railcheck.codes import engine_diagnostic
    from railcheck.layout import CACHE_DIR

    return _adding(
        findings,
        [
            engine_diagnostic(
                "RC008",
                PurePosixPath(CACHE_DIR),
                f"`{CACHE_DIR}` is tracked by git: railcheck does not use a result cache that comes with the"
                " repository",
                f"Untrack it with `git rm -r --cached {CACHE_DIR}` and commit; until then every run checks everything"
                " again.",
            )
        ],
    )


def _adding(findings: Findings, extra: list[Diagnostic]) -> Findings:
    """`findings` with the engine's `extra` findings among them, in report order."""
    if not extra:
        return findings
    return findings._replace(diagnostics=tuple(sorted((*findings.diagnostics, *extra), key=Diagnostic.sort_key)))


def _with_unchecked_targets(root: Path, config: Config, targets: list[PurePosixPath], findings: Findings) -> Findings:
    """`findings` and RC009 for each file named on the command line that railcheck does not read, so a named
    file is never skipped silently."""
    from railcheck.codes import engine_diagnostic
    from railcheck.project import may_read

    unchecked = []
    for target in targets:
        # os.path.isfile, not Path.is_file: a folder that cannot be listed must not raise (it is reported already).
        if str(target) == "." or may_read(target, config) or not os.path.isfile(root / target):
            continue
        if target in findings.texts or str(target) in findings.observed:
            continue  # read after all (a Dockerfile under another name, a sync source)
        unchecked.append(
            engine_diagnostic(
                "RC009",
                target,
                f"{target} was named on the command line, but railcheck does not read it: nothing in it was checked",
                "railcheck reads Railway and Railpack configs (railpack*.json, railway.json/.toml), the files Railpack"
                " reads to build a Python service, Dockerfiles and Python modules; the services holding the file were"
                " checked.",
            )
        )
    return _adding(findings, unchecked)


def _check_and_fix(
    root: Path,
    config: Config,
    targets: list[PurePosixPath],
    rules: list[Rule],
    registry: Registry,
    settings: CheckSettings,
    complete: bool,
    given: Mapping[PurePosixPath, str],
) -> tuple[Findings, FixResult]:
    """Fix and report what is left. With `given` texts standing in for files, only fixes that edit nothing
    but those texts are applied (half of a fix across files would lose data), and nothing is written."""
    from railcheck.engine import check
    from railcheck.fixes import remove_stale_staging, settle, write_atomically
    from railcheck.project import load_project

    project = load_project(root, config, targets, given)
    result = check(project, rules, registry, complete=complete)

    def lint(overlay: dict[PurePosixPath, str]) -> list[Diagnostic]:
        found = (
            check(load_project(root, config, targets, {**given, **overlay}), rules, registry).diagnostics
            if overlay
            else result.diagnostics
        )
        if not given:
            return list(found)
        return [
            d if d.fix is None or all(edit.path in given for edit in d.fix.edits) else replace(d, fix=None)
            for d in found
        ]

    minimum = Applicability.UNSAFE if settings.unsafe_fixes else Applicability.SAFE
    lossy = frozenset(project.repository.lossy) if project.repository is not None else frozenset()
    outcome = settle(dict(project.texts), lint, minimum, lossy)
    fixing = FixResult(problems=outcome.problems)
    if settings.diff:
        fixing.diff = unified_diff(project.texts, outcome.texts, _display_prefix(root))
        return Findings.of(project, result, outcome.problems), fixing
    if given:
        # Nothing is written: the fixed texts go back to the caller, and the report is about them.
        fixing.applied, fixing.log, fixing.texts = outcome.applied, outcome.log, outcome.texts
        project = load_project(root, config, targets, {**given, **outcome.texts})
        return Findings.of(project, check(project, rules, registry, complete=complete), outcome.problems), fixing
    # What a fix run killed between staging and renaming left beside the files it was fixing.
    remove_stale_staging(root, {path.parent for path in (*project.texts, *outcome.texts)})
    if outcome.texts:
        write_atomically(root, dict(project.texts), outcome.texts)
        fixing.applied, fixing.log = outcome.applied, outcome.log
        project = load_project(root, config, targets)
        result = check(project, rules, registry, complete=complete)
    return Findings.of(project, result, outcome.problems), fixing


def _suppression_summary(suppressed: Sequence[Suppressed]) -> tuple[tuple[str, int, str | None], ...]:
    counts: Counter[tuple[str, str | None]] = Counter((item.diagnostic.code, item.reason) for item in suppressed)
    return tuple(
        (code, count, reason)
        for (code, reason), count in sorted(counts.items(), key=lambda pair: (pair[0][0], pair[0][1] or ""))
    )


def rule_infos(registry: Registry) -> tuple[RuleInfo, ...]:
    """Every rule's public description, for the report formats that describe rules."""
    from railcheck import DOCS_URL
    from railcheck.codes import ENGINE_CODES
    from railcheck.report import RuleInfo

    infos = [
        RuleInfo(
            rule.code,
            rule.name,
            rule.summary,
            rule.default_severity,
            rule.documentation(),
            f"{DOCS_URL}#{rule.code.lower()}",
        )
        for rule in registry.rules
    ]
    infos += [
        RuleInfo(code, name, summary, Severity.ERROR, doc, f"{DOCS_URL}#{code.lower()}")
        for code, (name, summary, doc) in ENGINE_CODES.items()
    ]
    return tuple(sorted(infos, key=lambda info: info.code))


def unified_diff(before: dict[PurePosixPath, str], after: dict[PurePosixPath, str], prefix: str) -> str:
    import difflib

    chunks: list[str] = []
    for path in sorted(after):
        old = before.get(path)
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                after[path].splitlines(keepends=True),
                fromfile=f"a/{prefix}{path}" if old is not None else "/dev/null",
                tofile=f"b/{prefix}{path}",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)


def _display_prefix(root: Path) -> str:
    relative = os.path.relpath(root, Path.cwd())
    return "" if relative == "." else f"{Path(relative).as_posix()}/"


def _repository_prefix(root: Path) -> str:
    """`root` relative to the nearest folder at or above it holding `.git` (a folder, or a file in a
    worktree), found lexically; "" when that is `root` or there is none."""
    start = Path(os.path.abspath(root))
    top = next((folder for folder in (start, *start.parents) if os.path.lexists(folder / ".git")), start)
    relative = start.relative_to(top).as_posix()
    return "" if relative == "." else f"{relative}/"
