"""The test suite keeps its layout by kind: test modules only in tests/unit, tests/rules, tests/e2e and
tests/meta, helpers in tests/helpers, and no test module importing another (so a module can move between
folders without breaking the others)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from helpers.paths import CHECKOUT

TESTS = CHECKOUT / "tests"
KINDS = ("unit", "rules", "e2e", "meta")
# Folders of tests/ that hold no test modules.
SUPPORT = ("helpers", "fixtures", "__pycache__")


def _test_modules() -> list[Path]:
    return sorted(path for kind in KINDS for path in (TESTS / kind).glob("*.py"))


def test_test_modules_live_in_a_folder_of_their_kind() -> None:
    assert sorted(path.name for path in TESTS.glob("*.py")) == ["conftest.py"]
    folders = {path.name for path in TESTS.iterdir() if path.is_dir()}
    assert folders <= set(KINDS) | set(SUPPORT), (
        f"tests/ holds folders of no kind: {folders - set(KINDS) - set(SUPPORT)}"
    )
    strays = [path.name for path in (TESTS / "helpers").glob("test_*.py")]
    assert not strays, f"test modules among the helpers: {strays}"


def test_test_module_names_are_unique_across_kinds() -> None:
    # The folders are not packages (tests/rules would shadow the top-level `rules`), so pytest imports each
    # test module by its bare name: two of one name cannot both be collected.
    counts = Counter(path.name for path in _test_modules())
    assert [name for name, count in counts.items() if count > 1] == []


def test_no_test_module_imports_another() -> None:
    local = {path.stem for path in _test_modules()}
    offenders = []
    for path in _test_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            offenders += [f"{path.relative_to(TESTS)}: {name}" for name in names if name.split(".")[0] in local]
    assert not offenders, f"share code through tests/helpers/, not another test module: {offenders}"
