"""Human output: `full` (source snippet, underline, help and notes) and `concise` (one line each)."""

from __future__ import annotations

from railcheck.report.escape import one_line
from railcheck.report.model import Report
from railcheck.types import Applicability, Diagnostic, Severity, Span

_TAB = "    "


# SGR parameters: bold for the place, red / yellow / cyan for the severity (and the code beside it).
_BOLD = "1"
_SEVERITY_COLOR = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}


def _paint(report: Report, text: str, style: str) -> str:
    return f"\x1b[{style}m{text}\x1b[0m" if report.color else text


def _headline(report: Report, diagnostic: Diagnostic) -> str:
    where = one_line(report.shown_path(diagnostic.path))
    if diagnostic.span is not None:
        where += f":{diagnostic.span.start.line}:{diagnostic.span.start.column}"
    marker = " [*]" if diagnostic.fix and diagnostic.fix.applicability is Applicability.SAFE else ""
    color = _SEVERITY_COLOR[diagnostic.severity]
    # Paths and messages quote the repository's names and values: one line each, whatever they hold.
    return (
        f"{_paint(report, where, _BOLD)}: {_paint(report, diagnostic.code, color)}{marker} "
        f"{_paint(report, diagnostic.severity.value, color)}: {one_line(diagnostic.message)}"
    )


def concise(report: Report) -> str:
    lines = []
    for diagnostic in report.diagnostics:
        lines.append(_headline(report, diagnostic))
        if report.show_fixes and diagnostic.fix:
            lines.append(f"  fix ({diagnostic.fix.applicability.value}): {one_line(diagnostic.fix.title)}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _block(report: Report, diagnostic: Diagnostic, *, show_fix: bool) -> list[str]:
    """One finding in full: headline, source snippet, help, fix (when `show_fix`) and related notes."""
    block = [_headline(report, diagnostic)]
    text = report.texts.get(diagnostic.path)
    if diagnostic.span is not None and text is not None:
        block.extend(_snippet(text, diagnostic.span, diagnostic.code))
    if diagnostic.help:
        block.append(f"  = help: {one_line(diagnostic.help)}")
    if diagnostic.fix and show_fix:
        block.append(f"  = fix ({diagnostic.fix.applicability.value}): {one_line(diagnostic.fix.title)}")
    for related in diagnostic.related:
        where = one_line(report.shown_path(related.path))
        if related.span is not None:
            where += f":{related.span.start.line}:{related.span.start.column}"
        block.append(f"  = note: {where}: {one_line(related.message)}")
    return block


def full(report: Report) -> str:
    blocks = []
    for diagnostic in report.diagnostics:
        # Safe fixes are summed up in the summary's "[*] N fixable" unless asked for one by one.
        show_fix = report.show_fixes or (
            diagnostic.fix is not None and diagnostic.fix.applicability is not Applicability.SAFE
        )
        blocks.append("\n".join(_block(report, diagnostic, show_fix=show_fix)))
    blocks.append(summary(report))
    return "\n\n".join(blocks) + "\n"


def _snippet(text: str, span: Span, code: str) -> list[str]:
    lines = text.splitlines()
    number = span.start.line
    if number > len(lines):
        lines.append("")
    first = max(1, number - 1)
    gutter = len(str(number))
    out = [f"{' ' * gutter} |"]
    for index in range(first, number + 1):
        out.append(f"{index:>{gutter}} | {lines[index - 1].expandtabs(4) if index <= len(lines) else ''}")
    line = lines[number - 1]
    prefix = line[: span.start.column - 1].expandtabs(4)
    if span.end.line == span.start.line:
        covered = line[span.start.column - 1 : span.end.column - 1].expandtabs(4)
    else:
        covered = line[span.start.column - 1 :].expandtabs(4)
    out.append(f"{' ' * gutter} | {' ' * len(prefix)}{'^' * max(1, len(covered))} {code}")
    return out


def summary(report: Report) -> str:
    counts = report.counts()
    total = len(report.diagnostics)
    scope = f"{report.services} service{'s' if report.services != 1 else ''}"
    if not report.remaining_shown:
        text = f"Checked {scope}; remaining problems not shown (--fix-only)."
    elif total == 0 and report.baselined:
        text = f"No new problems ({scope})."  # not "All checks passed": the baseline holds some
    elif total == 0:
        text = f"All checks passed ({scope})."
    else:
        parts = [
            f"{counts[severity]}"
            f" {severity.value}{'s' if counts[severity] != 1 and severity is not Severity.INFO else ''}"
            for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            if counts[severity]
        ]
        text = f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {scope}."
    if report.fixed:
        applied = ", ".join(f"{code} \u00d7{count}" for code, count in sorted(report.fixed.items()))
        text = (
            f"Fixed {sum(report.fixed.values())} problem{'s' if sum(report.fixed.values()) != 1 else ''} ({applied}). "
            + text
        )
    if report.show_fixes and report.applied:
        listing = "\n".join(
            f"  {', '.join(report.shown_path(path) for path in paths)}: {code} {title}"
            for code, title, paths in report.applied
        )
        text = f"Applied fixes:\n{listing}\n" + text
    if report.suppressed:
        reasons = "; ".join(
            f"{code} \u00d7{count}" + (f" ({reason})" if reason else "") for code, count, reason in report.suppressions
        )
        text += f" {report.suppressed} suppressed by configuration" + (f": {reasons}." if reasons else ".")
    if report.baselined:
        text += f" {report.baselined} hidden by the baseline."
    safe = report.fixable(Applicability.SAFE)
    unsafe = report.fixable(Applicability.UNSAFE)
    if safe:
        text += f"\n[*] {safe} fixable with `railcheck check --fix`."
    if unsafe:
        text += f"\n{unsafe} more fixable with `--fix --unsafe-fixes`."
    return text


def statistics(report: Report) -> str:
    """`--statistics`: how many findings of each code (most first), how many of them `--fix` can fix, then
    the summary."""
    by_code: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_code.setdefault(diagnostic.code, []).append(diagnostic)
    rows = sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0]))
    width = max((len(str(len(found))) for _, found in rows), default=1)
    lines = []
    for code, found in rows:
        safe = sum(1 for diagnostic in found if diagnostic.fix and diagnostic.fix.applicability is Applicability.SAFE)
        fixable = f" [*] {safe} fixable" if safe else ""
        lines.append(
            f"{len(found):>{width}} {_paint(report, code, _SEVERITY_COLOR[found[0].severity])} {found[0].name}{fixable}"
        )
    lines.append(summary(report))
    return "\n".join(lines) + "\n"
