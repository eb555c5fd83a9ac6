"""Formats for CI systems: `github` (workflow commands), `markdown` (a job summary), `junit`, `gitlab`.

Paths are printed as `report.shown_path` gives them; the command line hands these formats a report whose
paths are relative to the repository root (`Report.repository_relative`), which is what annotations and
Code Quality reports are resolved from, whatever folder railcheck ran in.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

from railcheck.report.escape import encodable, one_line
from railcheck.report.model import Report
from railcheck.report.sarif import fingerprint
from railcheck.report.text import _block
from railcheck.types import Diagnostic, Severity

# --- github ------------------------------------------------------------------------------------------

# GitHub shows at most this many annotations of each level (error, warning, notice) per step and drops
# the rest silently.
GITHUB_ANNOTATION_LIMIT = 10
_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github_data(value: str) -> str:
    """Escape a workflow command's message (as actions/toolkit's escapeData)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(value: str) -> str:
    """Escape a workflow command's property value (as actions/toolkit's escapeProperty)."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


def is_changed(report: Report, diagnostic: Diagnostic) -> bool:
    """Whether the finding starts on a line the change under review touched (False when unknown)."""
    if report.changed_lines is None or diagnostic.span is None:
        return False
    return diagnostic.span.start.line in report.changed_lines.get(diagnostic.path, frozenset())


def github_command(report: Report, diagnostic: Diagnostic) -> str:
    properties: list[tuple[str, object]] = []
    if str(diagnostic.path) != ".":
        properties.append(("file", report.shown_path(diagnostic.path)))
    span = diagnostic.span
    if span is not None:
        start, end = span.start, span.end
        end_line = end.line
        if end.line > start.line and end.column == 1:
            end_line -= 1  # the span ends with a line break: the next line is not part of it
        properties.append(("line", start.line))
        if end.line == start.line:
            # Columns are 1-based, end exclusive (as railcheck's spans);
            # GitHub rejects columns on multi-line annotations.
            properties += [("col", start.column), ("endLine", end_line), ("endColumn", end.column)]
        else:
            properties.append(("endLine", end_line))
    elif str(diagnostic.path) != ".":
        properties.append(("line", 1))  # a finding about the whole file: anchored on its first line, as in SARIF
    properties.append(("title", f"{diagnostic.code} {diagnostic.name}"))
    message = diagnostic.message if not diagnostic.help else f"{diagnostic.message}\n{diagnostic.help}"
    rendered = ",".join(f"{key}={github_property(str(value))}" for key, value in properties)
    return f"::{_GITHUB_COMMANDS[diagnostic.severity]} {rendered}::{github_data(message)}"


def github(report: Report) -> str:
    """One workflow command per finding, findings on changed lines first, at most 10 per level."""
    changed = [diagnostic for diagnostic in report.diagnostics if is_changed(report, diagnostic)]
    others = [diagnostic for diagnostic in report.diagnostics if not is_changed(report, diagnostic)]
    shown: Counter[Severity] = Counter()
    lines, left_out = [], 0
    for diagnostic in (*changed, *others):
        if shown[diagnostic.severity] >= GITHUB_ANNOTATION_LIMIT:
            left_out += 1
            continue
        shown[diagnostic.severity] += 1
        lines.append(github_command(report, diagnostic))
    if left_out:
        lines.append(
            f"railcheck: {left_out} more problem{'s were' if left_out != 1 else ' was'} not annotated "
            f"(GitHub shows at most {GITHUB_ANNOTATION_LIMIT} annotations of each level per step); "
            "the step summary (--output-format markdown) lists all of them."
        )
    return "".join(line + "\n" for line in lines)


# --- markdown ----------------------------------------------------------------------------------------


# Outside code spans these would make links, images or emphasis of a name from the repository (a table
# cell cannot start a heading or a quote).
_MARKDOWN_SYNTAX = re.compile(r"([\\\[\]!*_~])")


def _markdown_inline(value: str) -> str:
    """Text for a table cell or a summary line: pipes and Markdown syntax escaped, line breaks as <br>,
    other control characters as escapes, and `<` outside code spans written as an entity so that it is
    not taken for HTML."""
    parts = "\n".join(one_line(line) for line in value.replace("\r\n", "\n").split("\n")).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: no code spans
        parts = ["\\`".join(_MARKDOWN_SYNTAX.sub(r"\\\1", part) for part in parts)]
    else:
        for number in range(0, len(parts), 2):
            parts[number] = _MARKDOWN_SYNTAX.sub(r"\\\1", parts[number])
    for number in range(0, len(parts), 2):
        parts[number] = parts[number].replace("&", "&amp;").replace("<", "&lt;")
    return "`".join(parts).replace("|", "\\|").replace("\n", "<br>")


def _code_span(value: str) -> str:
    value = one_line(value)  # a code span cannot hold a line break: it would end the table row
    fence = "``" if "`" in value else "`"
    padding = " " if "`" in value else ""
    return f"{fence}{padding}{value}{padding}{fence}".replace("|", "\\|")


def _location(report: Report, diagnostic: Diagnostic) -> str:
    where = report.shown_path(diagnostic.path)
    if diagnostic.span is not None:
        where += f":{diagnostic.span.start.line}:{diagnostic.span.start.column}"
    return where


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 and noun != 'info' else ''}"


# GitHub rejects a step summary over 1 MiB (and shows none of it); the summary stays within this many bytes.
MARKDOWN_LIMIT = 1024 * 1024
_SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def _severity_parts(counts: dict[Severity, int]) -> str:
    return ", ".join(_plural(counts[severity], severity.value) for severity in _SEVERITY_ORDER if counts[severity])


def markdown(report: Report, limit: int = MARKDOWN_LIMIT) -> str:
    """A job summary (for $GITHUB_STEP_SUMMARY or a merge request note): counts, the findings (errors
    first, then warnings, then infos) and the rules; at most `limit` bytes, with a line saying how many
    findings did not fit and how to see them."""
    out = ["## railcheck", ""]
    services = _plural(report.services, "service")
    suppressed = f" {report.suppressed} suppressed by configuration." if report.suppressed else ""
    if not report.remaining_shown:
        out += [f"Checked {services}; remaining problems not shown (--fix-only).{suppressed}"]
        return "\n".join(out) + "\n"
    if not report.diagnostics:
        out += ["No problems found.", "", f"Checked {services}.{suppressed}"]
        return "\n".join(out) + "\n"
    out += [
        (
            f"**{_plural(len(report.diagnostics), 'problem')}** ({_severity_parts(report.counts())}) in"
            f" {services}.{suppressed}"
        ),
        "",
    ]
    out += ["| Severity | Code | Location | Message |", "| --- | --- | --- | --- |"]
    details = _markdown_rule_details(report)
    # Room for the rows: what is left after the rest, and after a truncation line (at most a few hundred bytes).
    room = limit - len(encodable("\n".join([*out, *details])).encode()) - 1024
    # stable: report order within a severity
    ordered = sorted(report.diagnostics, key=lambda diagnostic: -diagnostic.severity.rank)
    left_out: dict[Severity, int] = dict.fromkeys(Severity, 0)
    for diagnostic in ordered:
        # Escaped before measuring: a lone surrogate in a message is printed as its escape, and counted so.
        row = encodable(
            f"| {diagnostic.severity.value} | {diagnostic.code} | {_code_span(_location(report, diagnostic))} |"
            f" {_markdown_inline(diagnostic.message)} |"
        )
        size = len(row.encode()) + 1
        if any(left_out.values()) or size > room:
            left_out[diagnostic.severity] += 1
            continue
        room -= size
        out.append(row)
    if any(left_out.values()):
        out += [
            "",
            (
                f"**{_plural(sum(left_out.values()), 'more problem')}** ({_severity_parts(left_out)}) not listed:"
                " GitHub keeps at most 1 MiB of a step summary. For the complete report run `railcheck check"
                " --output-format concise` on the same paths, or write a SARIF or JSON report (`--output-format sarif"
                " --output-file FILE`)."
            ),
        ]
    return "\n".join([*out, *details]) + "\n"


def _markdown_rule_details(report: Report) -> list[str]:
    """A collapsed section per rule found: its summary and documentation link."""
    rules = {rule.code: rule for rule in report.rules}
    found = Counter(diagnostic.code for diagnostic in report.diagnostics)
    names = {diagnostic.code: diagnostic.name for diagnostic in report.diagnostics}
    out: list[str] = []
    for code in sorted(found):
        rule = rules.get(code)
        name = rule.name if rule else names[code]
        out += ["", "<details>", f"<summary>{code} {name} ({_plural(found[code], 'finding')})</summary>", ""]
        if rule and rule.summary:
            out += [_markdown_inline(rule.summary), ""]
        if rule and rule.help_uri:
            out += [f"Documentation: <{rule.help_uri}>", ""]
        out.append("</details>")
    return out


# --- junit -------------------------------------------------------------------------------------------

# Characters XML 1.0 does not allow at all, even as references.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", value)


def _failure_body(report: Report, diagnostic: Diagnostic) -> str:
    return "\n".join(_block(report, diagnostic, show_fix=True))


def junit(report: Report) -> str:
    """JUnit XML: one test case per finding, or one passing test case when there is none.

    Findings at or above `--fail-on` are failures; those below are skipped cases (their text in
    system-out), so a job that passes does not show failed tests (GitLab, Jenkins: `<skipped>` is not a failure).
    """
    failing = [diagnostic for diagnostic in report.diagnostics if diagnostic.severity.at_least(report.fail_on)]
    counts = {"tests": str(max(1, len(report.diagnostics))), "failures": str(len(failing)), "errors": "0"}
    skipped = str(len(report.diagnostics) - len(failing))
    root = ET.Element("testsuites", {"name": "railcheck", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "railcheck", **counts, "skipped": skipped})
    for diagnostic in report.diagnostics:
        path = report.shown_path(diagnostic.path)
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": _xml_text(path), "name": _xml_text(f"{diagnostic.code} {_location(report, diagnostic)}")},
        )
        body = _xml_text(_failure_body(report, diagnostic))
        if diagnostic.severity.at_least(report.fail_on):
            failure = ET.SubElement(
                case, "failure", {"type": diagnostic.severity.value, "message": _xml_text(diagnostic.message)}
            )
            failure.text = body
        else:
            below = f"{diagnostic.severity.value}, below --fail-on {report.fail_on.value}: {diagnostic.message}"
            ET.SubElement(case, "skipped", {"message": _xml_text(below)})
            ET.SubElement(case, "system-out").text = body
    if not report.diagnostics:
        ET.SubElement(suite, "testcase", {"classname": "railcheck", "name": "railcheck check"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- gitlab ------------------------------------------------------------------------------------------

_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _gitlab_severity(report: Report, diagnostic: Diagnostic) -> str:
    """Below `--fail-on` a finding is `info` (it fails nothing); at or above it at least `minor`."""
    if not diagnostic.severity.at_least(report.fail_on):
        return "info"
    return _GITLAB_SEVERITY[diagnostic.severity] if diagnostic.severity is not Severity.INFO else "minor"


def gitlab(report: Report) -> str:
    """GitLab Code Quality: a JSON array of issues.

    GitLab keeps one issue per fingerprint, so a finding whose `fingerprint` repeats an earlier one in
    the report (same code, file, offending line and message) gets the SHA-256 of `{fingerprint}:{n}` for
    its n-th repetition (n = 1, 2, ...), in report order.
    """
    seen: Counter[str] = Counter()
    issues = []
    for diagnostic in report.diagnostics:
        base = fingerprint(diagnostic, report.texts.get(diagnostic.path))
        repeat = seen[base]
        seen[base] += 1
        identity = base if repeat == 0 else hashlib.sha256(f"{base}:{repeat}".encode()).hexdigest()
        issues.append(
            {
                "description": diagnostic.message,
                "check_name": diagnostic.code,
                "fingerprint": identity,
                "severity": _gitlab_severity(report, diagnostic),
                "location": {
                    "path": report.shown_path(diagnostic.path),
                    "lines": {"begin": diagnostic.span.start.line if diagnostic.span else 1},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
