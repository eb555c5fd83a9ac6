"""Repeated requirements of one project: the rules RQ002 (no version satisfies both lines) and RQ006
(redundant, with a safe fix); the version sets they compare: tests/unit/test_specifiers.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import run_rules


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
