"""What every reporter receives: the findings, the texts they point into, and a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from typing import NamedTuple

from railcheck.types import EMPTY_MAPPING, Applicability, Diagnostic, Severity


class RuleInfo(NamedTuple):
    """What a reporter may say about a rule (SARIF and Markdown list them): no behaviour, only text."""

    # A named tuple, not a frozen dataclass, for the cost at import (see run.CheckSettings).

    code: str
    name: str
    summary: str
    severity: Severity
    documentation: str
    help_uri: str


class Report(NamedTuple):
    """A run's findings, the texts they point into, and the counts and options the reporters show."""

    # A named tuple, not a frozen dataclass, for the cost at import (see types.Position). Its mappings default
    # to one shared empty read-only mapping, as a named tuple's defaults are shared.

    diagnostics: tuple[Diagnostic, ...]
    texts: Mapping[PurePosixPath, str] = EMPTY_MAPPING
    services: int = 0
    files: int = 0
    fail_on: Severity = Severity.WARNING
    # ANSI colours in the terminal formats (decided by the command line: --color, NO_COLOR, FORCE_COLOR, a tty).
    color: bool = False
    # Path prefix (repo root relative to the working directory) so printed paths can be clicked.
    display_prefix: str = ""
    # The checked root relative to the top of the git work tree holding it ("" at the top, or outside git):
    # what CI systems resolve paths from.
    repository_prefix: str = ""
    suppressed: int = 0
    # Fixes applied by --fix, per rule code.
    fixed: Mapping[str, int] = EMPTY_MAPPING
    # False with --fix-only: the remaining problems were not collected, so the summary must not claim "passed".
    remaining_shown: bool = True
    # --show-fixes: every fix title is printed, and the fixes applied are listed.
    show_fixes: bool = False
    applied: tuple[tuple[str, str, tuple[PurePosixPath, ...]], ...] = ()
    # Every rule that ran (and the engine codes), for the formats that describe rules (SARIF, Markdown:
    # `DESCRIBES_RULES`); empty in a report for another format.
    rules: tuple[RuleInfo, ...] = ()
    # Lines the change under review touched, by path (paths as in `diagnostics`); None when unknown.
    changed_lines: dict[PurePosixPath, frozenset[int]] | None = None
    # Findings hidden by --baseline.
    baselined: int = 0
    # (code, count, reason) of findings hidden by configuration.
    suppressions: tuple[tuple[str, int, str | None], ...] = ()

    @classmethod
    def merge(cls, reports: list[Report]) -> Report:
        """One report for several repositories: paths are rewritten as the user sees them (from the working
        directory)."""
        if len(reports) == 1:
            return reports[0]
        diagnostics, texts = [], {}
        for report in reports:
            prefix = PurePosixPath(report.display_prefix or ".")
            for path, text in report.texts.items():
                texts[prefix / path] = text
            for diagnostic in report.diagnostics:
                moved = tuple(item._replace(path=prefix / item.path) for item in diagnostic.related)
                fix = diagnostic.fix
                if fix is not None:
                    fix = fix._replace(edits=tuple(edit._replace(path=prefix / edit.path) for edit in fix.edits))
                diagnostics.append(replace(diagnostic, path=prefix / diagnostic.path, related=moved, fix=fix))
        fixed: Counter[str] = Counter()
        for report in reports:
            fixed.update(report.fixed)
        return cls(
            diagnostics=tuple(diagnostics),
            texts=texts,
            services=sum(report.services for report in reports),
            fail_on=reports[0].fail_on if reports else Severity.WARNING,
            suppressed=sum(report.suppressed for report in reports),
            fixed=fixed,
            remaining_shown=all(report.remaining_shown for report in reports),
            show_fixes=any(report.show_fixes for report in reports),
            rules=reports[0].rules if reports else (),
            baselined=sum(report.baselined for report in reports),
            suppressions=tuple(item for report in reports for item in report.suppressions),
            changed_lines=(
                None
                if any(report.changed_lines is None for report in reports)
                else {
                    PurePosixPath(report.display_prefix or ".") / path: lines
                    for report in reports
                    for path, lines in (report.changed_lines or {}).items()
                }
            ),
            applied=tuple(
                (code, title, tuple(PurePosixPath(report.display_prefix or ".") / path for path in paths))
                for report in reports
                for code, title, paths in report.applied
            ),
        )

    def repository_relative(self) -> Report:
        """This report with paths relative to the top of the git work tree instead of the working directory
        (merge such reports to combine several checked roots)."""
        return self._replace(display_prefix=self.repository_prefix)

    def shown_path(self, path: PurePosixPath) -> str:
        if str(path) == ".":
            return self.display_prefix.rstrip("/") or "."
        return f"{self.display_prefix}{path}"

    def counts(self) -> dict[Severity, int]:
        counts = dict.fromkeys(Severity, 0)
        for diagnostic in self.diagnostics:
            counts[diagnostic.severity] += 1
        return counts

    def fixable(self, applicability: Applicability = Applicability.SAFE) -> int:
        return sum(
            1 for diagnostic in self.diagnostics if diagnostic.fix and diagnostic.fix.applicability is applicability
        )
