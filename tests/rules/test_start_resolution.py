"""ST001 (start target resolves) where the start command changes folder first."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from helpers.repos import write_repo
from helpers.running import run_rules

from railcheck.registry import Registry

_FILES = {
    "services/svc/requirements.txt": "fastapi\nuvicorn\n",
    "services/svc/api/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
}


def _st001(tmp_path: Path, registry, start: str) -> list[str]:  # type: ignore[no-untyped-def]
    railway = '{"deploy": {"startCommand": "%s"}}' % start
    write_repo(tmp_path, {**_FILES, "services/svc/railway.json": railway})
    _, found = run_rules(tmp_path, [registry.find("ST001")(None, None)], registry)
    return [diagnostic.message for diagnostic in found]


def test_a_module_beside_the_folder_the_command_changes_into_resolves(tmp_path: Path, registry) -> None:
    assert _st001(tmp_path, registry, "cd api && uvicorn main:app --host 0.0.0.0 --port $PORT") == []


def test_a_module_missing_from_that_folder_is_still_reported(tmp_path: Path, registry) -> None:
    (message,) = _st001(tmp_path, registry, "cd api && uvicorn server:app --host 0.0.0.0 --port $PORT")
    assert "`server`" in message


FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_start_modules_give_the_module_the_full_search_does(registry: Registry) -> None:
    # ST001/ST002 take the effective start command's module from `Project.derived.start_modules` when it was
    # found there as a file; a copy of the server is not that server, so it is resolved from scratch.
    module = sys.modules[registry.find("ST001").__module__]
    compared = 0
    scenarios = [
        FIXTURES / name for name in sorted(os.listdir(FIXTURES)) if (FIXTURES / name / "railcheck.toml").is_file()
    ]
    for root in [*scenarios, FIXTURES.parent.parent / "examples" / "monorepo"]:
        project, _ = run_rules(root, [], registry)
        for service in project.services:
            if not project.derived.paths_checkable(service):
                continue
            for start in project.derived.start_modules(service):
                if start.server.module is None:
                    continue
                slow = module._resolve(service, project, replace(start.server))
                assert module._resolve(service, project, start.server) == slow
                compared += 1
    assert compared > 10
