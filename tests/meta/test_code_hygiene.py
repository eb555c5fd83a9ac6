"""railcheck's own code has no unused imports, undefined names or other mistakes pyflakes finds.

Fixture monorepos are left out: their Python files are inputs for the rules, flaws included.
"""

from __future__ import annotations

import io
from pathlib import Path

from helpers.paths import CHECKOUT
from pyflakes.api import checkPath
from pyflakes.reporter import Reporter

REPOSITORY = CHECKOUT
CHECKED = [REPOSITORY / "railcheck", REPOSITORY / "rules", REPOSITORY / "benchmarks", REPOSITORY / "tests"]


def _sources() -> list[Path]:
    fixtures = REPOSITORY / "tests" / "fixtures"
    return sorted(path for folder in CHECKED for path in folder.rglob("*.py") if fixtures not in path.parents)


def test_pyflakes_finds_nothing() -> None:
    warnings, errors = io.StringIO(), io.StringIO()
    reporter = Reporter(warnings, errors)
    sources = _sources()
    assert len(sources) > 50  # the walk found the code, not an empty folder
    count = sum(checkPath(str(path), reporter) for path in sources)
    assert count == 0, warnings.getvalue() + errors.getvalue()


def test_pyflakes_would_notice_an_unused_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n")
    warnings = io.StringIO()
    assert checkPath(str(sample), Reporter(warnings, io.StringIO())) == 1
    assert "'os' imported but unused" in warnings.getvalue()
