"""`sarif`: SARIF 2.1.0 (OASIS), for GitHub code scanning and other result viewers; and `fingerprint`.

Positions follow the SARIF text-region rules (§3.30.2): lines and columns are 1-based, `endColumn` is one
past the last character of the region, exactly like the exclusive end of a railcheck `Span`, so the
columns are copied unchanged. railcheck counts columns in Unicode code points, which the run declares
with `columnKind: "unicodeCodePoints"` (required when there are results, §3.14.27).

Two adjustments the specification asks for:
- URIs must be URIs, not IRIs (§3.10.4): paths are percent-encoded (`sör.json` -> `s%C3%B6r.json`).
- Text positions must not depend on a byte order mark (§3.30.2), while railcheck keeps a leading BOM
  in the decoded text (offset 0, column 1 of line 1). For a file that starts with one, offsets and the
  columns of line 1 are moved back by one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from railcheck.report.escape import utf8_bytes
from railcheck.report.model import Report, RuleInfo
from railcheck.types import Diagnostic, Position, Severity, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "railcheck/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_BOM = "\ufeff"


# --- fingerprint -------------------------------------------------------------------------------------


def fingerprint(diagnostic: Diagnostic, text: str | None) -> str:
    """A stable identity for a finding, version 1: 64 lowercase hex digits.

    It is the SHA-256 of the UTF-8 encoding of the JSON array (no spaces after separators, non-ASCII
    written as is) `[code, path, snippet, message]`, where
    - `code` is the rule code (`RP001`) and `message` the finding's message, as they are;
    - `path` is `str(diagnostic.path)`: repository-relative, `/`-separated, never the printed path, so
      the fingerprint does not depend on the working directory;
    - `snippet` is the offending source: the text the span covers, with runs of white space collapsed to
      one space; when the span covers no text (or only white space), the lines the span touches (a span
      ending at column 1 of a line does not touch that line), each trimmed and collapsed the same way (a
      leading BOM is dropped), joined with `\\n`, and when that is blank too, the first non-blank line after
      the span's first line; `""` when there is none, when the finding has no span, or when `text` (the
      file's decoded text) is None. The span's own text comes first so that fixing one finding on a line
      does not change the fingerprint of another finding on the same line.

    Line and column numbers are deliberately left out, so the fingerprint survives edits elsewhere in
    the file that move the finding up or down, and re-indentation. It changes when the offending lines,
    the message, the code or the file change. Two findings with the same code and message on identical
    lines of one file share a fingerprint; consumers that need uniqueness count occurrences.

    This definition is a contract (baselines store it): change it only together with a new version key.
    """
    snippet = ""
    if diagnostic.span is not None and text is not None:
        covered = " ".join(text[diagnostic.span.start.offset : diagnostic.span.end.offset].split())
        snippet = covered or _offending_lines(text, diagnostic.span)
    payload = json.dumps(
        [diagnostic.code, str(diagnostic.path), snippet, diagnostic.message], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(utf8_bytes(payload)).hexdigest()


def _offending_lines(text: str, span: Span) -> str:
    lines = text.removeprefix(_BOM).split("\n")
    first = max(0, span.start.line - 1)
    last = span.end.line - 1 if span.end.line > span.start.line and span.end.column == 1 else span.end.line
    snippet = "\n".join(" ".join(line.split()) for line in lines[first : max(span.start.line, last)])
    if not snippet.strip():
        # A finding anchored at a position rather than at content (the start of a file, say) on a blank
        # line: the first non-blank line after it, so blank lines inserted above do not change it.
        snippet = next((" ".join(line.split()) for line in lines[first:] if line.strip()), "")
    return snippet


# --- SARIF -------------------------------------------------------------------------------------------


def pascal_case(name: str) -> str:
    """`railway-unknown-key` -> `RailwayUnknownKey`: SARIF allows any readable name (§3.49.7); the SARIF
    SDK's validator (SARIF2012) asks for a Pascal-case identifier, as in the specification's example."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-") if part)


def sarif_report(report: Report) -> str:
    from railcheck import DOCS_URL, __version__

    rules = list(report.rules)
    index = {rule.code: position for position, rule in enumerate(rules)}
    for diagnostic in report.diagnostics:
        # A code the report has no description for (a hand-built report): describe it from the finding,
        # so that every ruleId still has a reportingDescriptor that ruleIndex points at.
        if diagnostic.code not in index:
            index[diagnostic.code] = len(rules)
            rules.append(RuleInfo(diagnostic.code, diagnostic.name, "", diagnostic.severity, "", ""))
    results = [_result(report, diagnostic, index[diagnostic.code]) for diagnostic in report.diagnostics]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "railcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": DOCS_URL.split("/blob/")[0],
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {
            # No absolute `uri`: it would differ per machine and reveal local paths (§3.14.14 allows leaving
            # it out); code scanning resolves the relative URIs from the checkout's root.
            SRCROOT: {
                "description": {
                    "text": (
                        "The repository root (the nearest folder above the checked paths holding .git or railcheck's"
                        " configuration); paths are relative to it."
                    )
                }
            },
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"id": rule.code, "name": pascal_case(rule.name)}
    if rule.summary:
        descriptor["shortDescription"] = {"text": rule.summary}
    if rule.documentation:
        descriptor["fullDescription"] = {"text": rule.documentation, "markdown": rule.documentation}
        descriptor["help"] = {"text": rule.documentation, "markdown": rule.documentation}
    if rule.help_uri:
        descriptor["helpUri"] = rule.help_uri
    descriptor["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    descriptor["properties"] = {"railcheck/name": rule.name}
    return descriptor


def _result(report: Report, diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    text = diagnostic.message if not diagnostic.help else f"{diagnostic.message}\n{diagnostic.help}"
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": _physical(report, diagnostic.path, diagnostic.span)}],
    }
    if diagnostic.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": _physical(report, item.path, item.span),
                "message": {"text": item.message},
            }
            for number, item in enumerate(diagnostic.related)
        ]
    if diagnostic.fix is not None and diagnostic.fix.edits:
        result["fixes"] = [_fix(report, diagnostic)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(diagnostic, report.texts.get(diagnostic.path))}
    if diagnostic.service is not None:
        result["properties"] = {"service": diagnostic.service}
    return result


def artifact_uri(report: Report, path: PurePosixPath) -> str:
    """The path as printed (relative to the repository root on the command line), percent-encoded; a folder
    ends in `/`."""
    shown = report.shown_path(path)
    if str(path) == ".":
        shown = "./" if shown == "." else shown + "/"
    return quote(utf8_bytes(shown), safe="/")


def _artifact(report: Report, path: PurePosixPath) -> dict[str, str]:
    return {"uri": artifact_uri(report, path), "uriBaseId": SRCROOT}


def _has_bom(report: Report, path: PurePosixPath) -> bool:
    return report.texts.get(path, "").startswith(_BOM)


def _column(position: Position, bom: bool) -> int:
    return max(1, position.column - 1) if bom and position.line == 1 else position.column


def _physical(report: Report, path: PurePosixPath, span: Span | None) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": _artifact(report, path)}
    if span is not None:
        bom = _has_bom(report, path)
        location["region"] = {
            "startLine": span.start.line,
            "startColumn": _column(span.start, bom),
            "endLine": span.end.line,
            "endColumn": _column(span.end, bom),
        }
    else:
        # A finding about a whole file (or the repository): GitHub code scanning rejects a result without
        # `region.startLine`, so it points at the first line, where a reader starts.
        location["region"] = {"startLine": 1}
    return location


def _fix(report: Report, diagnostic: Diagnostic) -> dict[str, Any]:
    assert diagnostic.fix is not None
    by_path: dict[PurePosixPath, list[dict[str, Any]]] = {}
    # SARIF's charOffset/charLength count "characters" (§3.30.9-10) from the start of the artifact; the
    # specification does not tie that unit to columnKind. railcheck's edit offsets are code points of
    # the decoded text, the same unit this run declares for columns (`unicodeCodePoints`), so they are
    # written as they are. They equal UTF-16 code units (what .NET and JavaScript consumers count) unless
    # the text before or inside the edit holds a character outside the Basic Multilingual Plane (emoji).
    # Replacements of one artifact are listed in file order, each in the coordinates of the unmodified
    # file (§3.57.1); edits to several files become one artifactChange per file (§3.55.3).
    for edit in sorted(diagnostic.fix.edits, key=lambda edit: (str(edit.path), edit.start, edit.end)):
        shift = 1 if _has_bom(report, edit.path) else 0
        start = max(0, edit.start - shift)
        replacement: dict[str, Any] = {
            "deletedRegion": {"charOffset": start, "charLength": max(0, edit.end - shift) - start}
        }
        if edit.content:
            replacement["insertedContent"] = {"text": edit.content}
        by_path.setdefault(edit.path, []).append(replacement)
    return {
        "description": {"text": diagnostic.fix.title},
        "artifactChanges": [
            {"artifactLocation": _artifact(report, path), "replacements": replacements}
            for path, replacements in by_path.items()
        ],
        "properties": {"applicability": diagnostic.fix.applicability.value},
    }
