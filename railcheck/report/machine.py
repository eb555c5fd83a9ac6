"""Machine-readable output: `json` (one versioned document) and `json-lines` (one finding per line).

The field names are a contract (documented in docs/output-formats.md): add fields, never rename them.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from railcheck.diagnostic_json import diagnostic_json
from railcheck.report.model import Report
from railcheck.sources.text import LineIndex
from railcheck.types import Severity

FORMAT_VERSION = 1


def json_report(report: Report) -> str:
    indexes: dict[PurePosixPath, LineIndex] = {}
    counts = report.counts()
    document = {
        "version": FORMAT_VERSION,
        "diagnostics": [diagnostic_json(diagnostic, report.texts, indexes) for diagnostic in report.diagnostics],
        "summary": {
            "services": report.services,
            "total": len(report.diagnostics),
            **{severity.value: counts[severity] for severity in Severity},
            "suppressed": report.suppressed,
            "suppressions": [
                {"code": code, "count": count, "reason": reason} for code, count, reason in report.suppressions
            ],
            "baselined": report.baselined,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def json_lines(report: Report) -> str:
    indexes: dict[PurePosixPath, LineIndex] = {}
    return "".join(
        json.dumps(diagnostic_json(diagnostic, report.texts, indexes), ensure_ascii=False) + "\n"
        for diagnostic in report.diagnostics
    )
