"""Repository-level notices: the findings of a `repository_notice` rule (RW102, one per config file) folded
into one finding per run, listing the files.

Folding happens last, on the findings a report shows: suppressions (configuration, per-file-ignores,
inline comments) and the baseline are judged on each file's own finding first, so suppressing one file
keeps working, and the single-process, parallel and cached runs, which agree on those findings, agree on
the folded one too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from railcheck.rule import Rule
from railcheck.types import Diagnostic


def fold_notices(diagnostics: Sequence[Diagnostic], rules: Iterable[Rule]) -> tuple[Diagnostic, ...]:
    """`diagnostics` (in report order) with each notice rule's findings replaced by the one its `fold` makes."""
    folding = {rule.code: rule for rule in rules if rule.repository_notice}
    groups: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code in folding:
            groups.setdefault(diagnostic.code, []).append(diagnostic)
    if not any(len(found) > 1 for found in groups.values()):
        return tuple(diagnostics)
    kept = [diagnostic for diagnostic in diagnostics if diagnostic.code not in groups]
    kept += [found[0] if len(found) == 1 else folding[code].fold(found) for code, found in groups.items()]
    return tuple(sorted(kept, key=Diagnostic.sort_key))
