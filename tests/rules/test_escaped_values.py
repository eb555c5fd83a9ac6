"""PV006 (hardcoded `pythonX.Y`) and RP107 (reference variable in railpack.json) skip a config whose text cannot
hold what they look for: they must still read values written with escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import run_rules

from railcheck.registry import Registry

ESCAPED = "/app/.venv/lib/\\u0070ython3.11/bin"  # `python3.11`, with no "python" in the file's text
CONFIGS = {
    "railway.json": '{"deploy": {"startCommand": "PYTHONPATH=%s uvicorn main:app"}}' % ESCAPED,
    "railway.toml": '[deploy]\nstartCommand = "PYTHONPATH=%s uvicorn main:app"\n' % ESCAPED,
    "railpack.json": '{"deploy": {"startCommand": "PYTHONPATH=%s uvicorn main:app"}}' % ESCAPED,
}


def _pv006(tmp_path: Path, registry: Registry, files: dict[str, str]) -> list[str]:
    write_repo(tmp_path, {"railpack.json": '{"packages": {"python": "3.12"}}', ".python-version": "3.12\n", **files})
    _, found = run_rules(tmp_path, [registry.find("PV006")(None, None)], registry)
    return [f"{diagnostic.path.name}: {diagnostic.message}" for diagnostic in found]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_a_version_written_with_escapes_is_found(tmp_path: Path, registry: Registry, name: str) -> None:
    (found,) = _pv006(tmp_path, registry, {name: CONFIGS[name]})
    assert found.startswith(f"{name}: `python3.11` does not exist in the image")


def test_a_config_without_the_word_has_nothing_to_report(tmp_path: Path, registry: Registry) -> None:
    assert _pv006(tmp_path, registry, {"railway.json": '{"deploy": {"startCommand": "gunicorn app"}}'}) == []


def test_a_reference_variable_written_with_escapes_is_found(tmp_path: Path, registry: Registry) -> None:
    railpack = '{"deploy": {"variables": {"DATABASE_URL": "\\u0024{{Postgres.DATABASE_URL}}"}}}'
    write_repo(tmp_path, {"railpack.json": railpack})
    _, found = run_rules(tmp_path, [registry.find("RP107")(None, None)], registry)
    assert [diagnostic.code for diagnostic in found] == ["RP107"]
    write_repo(tmp_path, {"railpack.json": '{"deploy": {"variables": {"LOG_LEVEL": "info"}}}'})
    assert run_rules(tmp_path, [registry.find("RP107")(None, None)], registry)[1] == []
