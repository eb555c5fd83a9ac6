"""Output formats. Each reporter turns diagnostics into text and knows nothing about rules.

`REPORTERS` maps a format name to a function `(Report) -> str`; a format's module is imported only when it
is used, so that naming the formats (for the command line) costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from railcheck.report.model import Report, RuleInfo

_WHERE = {
    "full": ("text", "full"),
    "concise": ("text", "concise"),
    "json": ("machine", "json_report"),
    "json-lines": ("machine", "json_lines"),
    "github": ("ci", "github"),
    "markdown": ("ci", "markdown"),
    "sarif": ("sarif", "sarif_report"),
    "junit": ("ci", "junit"),
    "gitlab": ("ci", "gitlab"),
}


# Formats read by CI systems, which resolve paths from the repository root whatever folder railcheck ran
# in: their paths are repository-relative (terminal formats keep paths relative to the working directory).
REPOSITORY_RELATIVE = frozenset({"github", "markdown", "sarif", "junit", "gitlab"})
# Formats that describe the rules (`Report.rules`): the other formats' reports leave that list empty, since
# gathering every rule's documentation is work a run pays for nothing otherwise.
DESCRIBES_RULES = frozenset({"sarif", "markdown"})


class _Reporters(Mapping[str, Callable[[Report], str]]):
    def __getitem__(self, name: str) -> Callable[[Report], str]:
        module, function = _WHERE[name]
        return getattr(importlib.import_module(f"railcheck.report.{module}"), function)

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


REPORTERS: Mapping[str, Callable[[Report], str]] = _Reporters()

__all__ = ["DESCRIBES_RULES", "REPORTERS", "REPOSITORY_RELATIVE", "Report", "RuleInfo"]
