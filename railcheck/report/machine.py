"""Machine-readable output: `json` (one versioned document) and `json-lines` (one finding per line).

The field names are a contract (documented in docs/output-formats.md): add fields, never rename them.
"""

from __future__ import annotations

import json
from typing import Any

from railcheck.report.model import Report
from railcheck.sources.text import LineIndex
from railcheck.types import Diagnostic, Position, Severity, Span

FORMAT_VERSION = 1


def _position(position: Position) -> dict[str, int]:
    return {"line": position.line, "column": position.column, "offset": position.offset}


def span_json(span: Span | None) -> dict[str, Any] | None:
    """A span as the JSON formats write it (also `explain-service --output-format json`)."""
    return None if span is None else {"start": _position(span.start), "end": _position(span.end)}



def diagnostic_dict(report: Report, diagnostic: Diagnostic, indexes: dict[str, LineIndex]) -> dict[str, Any]:
    fix = None
    if diagnostic.fix is not None:
        edits = []
        for edit in diagnostic.fix.edits:
            text = report.texts.get(edit.path, "")
            index = indexes.setdefault(str(edit.path), LineIndex(text))
            edits.append({"path": str(edit.path), "span": span_json(index.span(edit.start, edit.end)), "content": edit.content})
        fix = {"title": diagnostic.fix.title, "applicability": diagnostic.fix.applicability.value, "edits": edits}
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "path": str(diagnostic.path),
        "service": diagnostic.service,
        "span": span_json(diagnostic.span),
        "fix": fix,
        "related": [{"path": str(item.path), "span": span_json(item.span), "message": item.message} for item in diagnostic.related],
    }


def json_report(report: Report) -> str:
    indexes: dict[str, LineIndex] = {}
    counts = report.counts()
    document = {
        "version": FORMAT_VERSION,
        "diagnostics": [diagnostic_dict(report, diagnostic, indexes) for diagnostic in report.diagnostics],
        "summary": {
            "services": report.services,
            "total": len(report.diagnostics),
            **{severity.value: counts[severity] for severity in Severity},
            "suppressed": report.suppressed,
            "suppressions": [{"code": code, "count": count, "reason": reason} for code, count, reason in report.suppressions],
            "baselined": report.baselined,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def json_lines(report: Report) -> str:
    indexes: dict[str, LineIndex] = {}
    return "".join(json.dumps(diagnostic_dict(report, diagnostic, indexes), ensure_ascii=False) + "\n" for diagnostic in report.diagnostics)
