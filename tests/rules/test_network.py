"""PN001 on whole repositories: which variables and commands count as using the private network at build time."""

from __future__ import annotations

from pathlib import Path

from helpers.repos import write_repo
from helpers.running import run_rules

PRIVATE_URL = "postgresql://app@${{Postgres.RAILWAY_PRIVATE_DOMAIN}}:5432/app"


def _codes(tmp_path: Path, registry, files: dict[str, str]) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    write_repo(tmp_path, files)
    _, found = run_rules(tmp_path, [registry.find("PN001")(None, None)], registry)
    return [(d.code, d.span.start.line, d.span.start.column) for d in found if d.span]


def test_a_declared_private_database_url_makes_a_build_migration_an_error(tmp_path: Path, registry) -> None:
    config = f'[services.svc]\nroot = "services/svc"\nvariables = {{ DATABASE_URL = "{PRIVATE_URL}" }}\n'
    files = {
        "/railcheck.toml": config,
        "railway.json": '{"build": {"buildCommand": "pip check && alembic -c db.ini upgrade head"}}',
    }
    assert _codes(tmp_path, registry, files) == [("PN001", 1, 42)]


def test_a_reference_railway_may_resolve_publicly_is_not_reported(tmp_path: Path, registry) -> None:
    # ${{Postgres.DATABASE_URL}} alone does not show which network it uses: not certain, so no finding.
    config = '[services.svc]\nroot = "services/svc"\nvariables = { DATABASE_URL = "${{Postgres.DATABASE_URL}}" }\n'
    files = {"/railcheck.toml": config, "railway.json": '{"build": {"buildCommand": "python manage.py migrate"}}'}
    assert _codes(tmp_path, registry, files) == []


def test_a_step_variable_expanded_in_a_later_command(tmp_path: Path, registry) -> None:
    railpack = '{"steps": {"build": {"variables": {"SEARCH": "http://search.railway.internal:7700"}, "commands": ["curl -f ${SEARCH}/x -o x.json"]}}}'
    assert _codes(tmp_path, registry, {"railpack.json": railpack}) == [("PN001", 1, 108)]


def test_the_same_work_at_run_time_is_fine(tmp_path: Path, registry) -> None:
    config = f'[services.svc]\nroot = "services/svc"\nvariables = {{ DATABASE_URL = "{PRIVATE_URL}" }}\n'
    railway = '{"deploy": {"preDeployCommand": ["python manage.py migrate"], "startCommand": "curl http://api.railway.internal/x; gunicorn app:app"}}'
    assert _codes(tmp_path, registry, {"/railcheck.toml": config, "railway.json": railway}) == []
