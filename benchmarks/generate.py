"""Write synthetic Railway monorepos for benchmarks and scale tests: clean and broken services mixed.

Each service has railpack.json, railway.json, .python-version, requirements.txt and a FastAPI module of
about 200 lines. Every seventh service carries the incident's mistakes (invented keys, a localhost bind, a
module path for another root, a Python version mismatch), so rules have work to do. Every third service
declares watch patterns: correct ones, or on a broken service one with a misspelt folder.
"""

from __future__ import annotations

import json
from pathlib import Path

BROKEN_EVERY = 7
WATCHED_EVERY = 3


def _module(index: int) -> str:
    lines = ["from fastapi import APIRouter, FastAPI", "", "app = FastAPI()", 'router = APIRouter(prefix="/api")', ""]
    for number in range(30):
        lines += [
            f'@router.get("/items{number}/{{item_id}}")',
            f"def item_{number}(item_id: int) -> dict[str, int]:",
            f"    return {{'service': {index}, 'item': item_id, 'route': {number}}}",
            "",
            "",
        ]
    lines += [
        '@router.get("/health")',
        "def health() -> dict[str, str]:",
        '    return {"status": "ok"}',
        "",
        "",
        "app.include_router(router)",
        "",
    ]
    return "\n".join(lines)


def write_service(folder: Path, index: int, comments: bool = True) -> None:
    broken = index % BROKEN_EVERY == 0
    folder.mkdir(parents=True, exist_ok=True)
    railpack: dict[str, object] = {
        "$schema": "https://schema.railpack.com",
        "provider": "python",
        "packages": {"python": "3.12"},
        "steps": {"install": {"commands": ["...", "pip install --no-cache-dir -r requirements.txt"]}},
        "deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT", "variables": {"LOG_LEVEL": "info"}},
    }
    if broken:
        railpack["version"] = "1.0"
        railpack["deploy"] = {
            "startCommand": f"uvicorn services.svc{index}.main:app --host 127.0.0.1 --port 8000",
            "healthCheckPath": "/api/health",
        }
    railway: dict[str, dict[str, object] | str] = {
        "$schema": "https://railway.com/railway.schema.json",
        "build": {"builder": "RAILPACK"},
        "deploy": {"healthcheckPath": "/api/health", "restartPolicyType": "ON_FAILURE"},
    }
    if index % WATCHED_EVERY == 0:
        railway["build"] = {
            "builder": "RAILPACK",
            "watchPatterns": [f"/services/svc{index}/**", "/service/shared/**" if broken else "!**/*.md"],
        }
    # The peer tool reads strict JSON only, so benchmarks write railpack.json without comments.
    (folder / "railpack.json").write_text(
        ("// generated service\n" if comments else "") + json.dumps(railpack, indent=2) + "\n"
    )
    (folder / "railway.json").write_text(json.dumps(railway, indent=2) + "\n")
    (folder / ".python-version").write_text("3.11\n" if broken else "3.12\n")
    (folder / "requirements.txt").write_text(
        "fastapi==0.115.6\nuvicorn[standard]==0.32.1\nhttpx==0.28.1\npydantic==2.10.4\n"
    )
    (folder / "main.py").write_text(_module(index))


def write_monorepo(root: Path, services: int, comments: bool = True) -> Path:
    """A repository at `root` with `services` services under services/svcN; returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "railcheck.toml").write_text('ignore = { RW102 = "generated" }\n')
    for index in range(services):
        write_service(root / "services" / f"svc{index}", index, comments)
    return root


def write_markerless_monorepo(root: Path, services: int) -> Path:
    """A repository of `services` services with none of Railpack's Python markers at their roots (the code
    is in `src/`): every one makes SV001 look for Python evidence below its root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "railcheck.toml").write_text('ignore = { RW102 = "generated" }\n')
    for index in range(services):
        folder = root / "services" / f"svc{index}"
        (folder / "src").mkdir(parents=True, exist_ok=True)
        (folder / "railpack.json").write_text('{"deploy": {"startCommand": "python src/main.py"}}\n')
        (folder / "src" / "main.py").write_text(f"print({index})\n")
    return root
