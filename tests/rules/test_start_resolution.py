"""ST001 (start target resolves) where the start command changes folder first."""

from __future__ import annotations

from pathlib import Path

from helpers.repos import write_repo
from helpers.running import run_rules

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
