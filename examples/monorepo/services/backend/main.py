"""Orbit API: the public backend service."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from fastapi import FastAPI

import orbit_core  # installed from packages/core at build time

app = FastAPI(title="orbit-backend", version=orbit_core.__version__)

STARTED_AT = datetime.now(timezone.utc)


@app.get("/api/health")
def health() -> dict[str, str]:
    # Railway's health check hits this before switching traffic over.
    return {
        "status": "healthy",
        "service": "backend",
        "started_at": STARTED_AT.isoformat(),
    }


@app.get("/api/version")
def version() -> dict[str, str]:
    return {
        "core": orbit_core.__version__,
        "commit": os.environ.get("RAILWAY_GIT_COMMIT_SHA", "unknown")[:7],
    }
