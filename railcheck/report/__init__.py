"""Output formats. Each reporter turns diagnostics into text and knows nothing about rules.

`REPORTERS` maps a format name to a function `(Report) -> str`.
"""

from __future__ import annotations

from collections.abc import Callable

from railcheck.report.model import Report, RuleInfo
from railcheck.report import ci, machine, sarif, text

REPORTERS: dict[str, Callable[[Report], str]] = {
    "full": text.full,
    "concise": text.concise,
    "json": machine.json_report,
    "json-lines": machine.json_lines,
    "github": ci.github,
    "markdown": ci.markdown,
    "sarif": sarif.sarif_report,
    "junit": ci.junit,
    "gitlab": ci.gitlab,
}

__all__ = ["REPORTERS", "Report", "RuleInfo"]
