"""Issue 15's acceptance: correctly configured monorepos give no error and no warning, and their broken
twins give exactly the intended findings (codes per service, whatever the wording)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.paths import FIXTURES
from helpers.running import invoke

# fixture -> {service: sorted codes of its errors and warnings}
EXPECTED = {
    "fastapi-worker-frontend": {},
    "fastapi-worker-frontend-broken": {
        "services/api": ["RQ002"],
        "services/worker": ["HC003"],
        "apps/frontend": ["ST004"],
    },
    "django-healthcheck-clean": {},
    "django-healthcheck": {"services/shop": ["DJ001"], "services/blog": ["HC001"]},
    "node-root-config": {"apps/admin": ["SV003"]},
    "node-and-worker-listen": {"apps/web": ["ST003"], "apps/site": ["ST004"], "services/worker": ["HC003"]},
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_errors_and_warnings(fixture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = shutil.copytree(FIXTURES / fixture, tmp_path / fixture, ignore=shutil.ignore_patterns("expected"))
    monkeypatch.chdir(work)
    report = json.loads(invoke("check", "--output-format", "json").output)
    found: dict[str, list[str]] = {}
    for diagnostic in report["diagnostics"]:
        if diagnostic["severity"] in ("error", "warning"):
            found.setdefault(diagnostic["service"], []).append(diagnostic["code"])
    assert {service: sorted(codes) for service, codes in found.items()} == EXPECTED[fixture]
