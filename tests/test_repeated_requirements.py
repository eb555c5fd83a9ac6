"""Repeated requirements of one project: railcheck.specifiers (can both hold, implies, merge) and the rules
RQ002 (no version satisfies both lines) and RQ006 (redundant, with a safe fix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_rules, write_repo

from railcheck.specifiers import cannot_both_hold, combined, implies


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("==3.1.0", "==3.0.3", True),
        ("==1.0", "==1.0.0", False),  # PEP 440 pads releases: the same version
        ("<2", ">=3", True),
        ("<1.0", ">=1.0", True),
        ("<=1.0", ">=1.0", False),
        (">1.0", "==1.0", True),
        ("~=1.4", "==2.0", True),
        ("==1.*", "==2.*", True),
        (">=0.25.0", ">=0.25.2", False),
        ("", ">=1", False),
        (">=1,!=1.5", "==1.5", True),
        ("<2", "==2.0rc1", True),  # `<2` excludes 2's pre-releases, as pip reads it
        ("===1.0", ">=1", False),  # arbitrary equality: not judged by interval
        ("===foo", "==1", True),  # ... but a pin is checked against it, as pip does
    ],
)
def test_cannot_both_hold(first: str, second: str, expected: bool) -> None:
    assert cannot_both_hold(first, second) is expected
    assert cannot_both_hold(second, first) is expected


@pytest.mark.parametrize(
    ("stronger", "weaker", "expected"),
    [
        (">=0.25.2", ">=0.25.0", True),
        (">=0.25.0", ">=0.25.2", False),
        (">=5.3.6", ">=5.3.6", True),
        ("==1.2", ">=1,<2", True),
        (">=1", "", True),
        ("", ">=1", False),
        (">=1,!=1.5", "!=1.5", True),
        (">=1", "!=1.5", False),
        ("~=1.9", "<2", True),
        (">=2.0rc1", ">=1", False),  # pre-releases are not judged
        ("==1.*", ">=1", False),  # nor wildcards
    ],
)
def test_implies(stronger: str, weaker: str, expected: bool) -> None:
    assert implies(stronger, weaker) is expected


def test_combined_merges_and_sorts() -> None:
    assert combined(">=1.5", "<2") == "<2,>=1.5"
    assert combined(">=5.3.6", ">=5.3.6") == ">=5.3.6"
    assert combined("==x y", ">=1") is None


@pytest.mark.parametrize(
    ("text", "codes", "fixed"),
    [
        ("httpx>=0.25.0\nhttpx>=0.25.2\n", ["RQ006"], "httpx>=0.25.2\n"),
        ("celery>=5.3.6\ncelery[redis]>=5.3.6\n", ["RQ006"], "celery[redis]>=5.3.6\n"),
        # Extras on the weaker side only: the other line does not say all it does.
        ("celery[redis]>=5.3.6\ncelery>=5.4\n", ["RQ006"], None),
        ("flask==3.1.0\nflask==3.0.3\n", ["RQ002"], None),
        ("x @ https://a.example/x.whl\nx @ https://b.example/x.whl\n", ["RQ002"], None),
        ("x @ https://a.example/x.whl\nx @ https://a.example/x.whl\n", ["RQ006"], "x @ https://a.example/x.whl\n"),
        # A URL and a specifier: not judged, so info without a fix.
        ("x @ https://a.example/x.whl\nx==1.0\n", ["RQ006"], None),
        # A removal would lose the comment.
        ("httpx>=0.25.0  # pinned for the api\nhttpx>=0.25.2\n", ["RQ006"], None),
        # Hash-checking mode: each line carries its own hashes.
        ("rq==1.16 --hash=sha256:" + "a" * 64 + "\nrq==1.16 --hash=sha256:" + "b" * 64 + "\n", ["RQ006"], None),
        # Different markers are different requirements.
        ("numpy==1.26 ; python_version < '3.12'\nnumpy==2.1 ; python_version >= '3.12'\n", [], None),
    ],
)
def test_repeated_requirements(tmp_path: Path, registry, text: str, codes: list[str], fixed: str | None) -> None:
    root = write_repo(tmp_path, {"requirements.txt": text, "railpack.json": "{}"})
    rules = [registry.find("RQ002")(), registry.find("RQ006")()]
    _, diagnostics = run_rules(root, rules, registry)
    assert [d.code for d in diagnostics] == codes
    fixes = [d.fix for d in diagnostics if d.fix is not None]
    if fixed is None:
        assert fixes == []
    else:
        (edit,) = fixes[0].edits
        assert text[: edit.start] + edit.content + text[edit.end :] == fixed


def test_the_old_name_still_selects_rq002(registry) -> None:
    assert registry.find("duplicate-requirement") is registry.find("RQ002")
