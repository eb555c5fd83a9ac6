"""A railpack.json string command in Railpack's prefix form is one mistake: RP102, not also CM004."""

from __future__ import annotations

from pathlib import Path

from helpers.repos import write_repo
from helpers.running import run_rules


def test_a_prefixed_command_gets_rp102_alone(tmp_path: Path, registry) -> None:  # type: ignore[no-untyped-def]
    railpack = (
        '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"},'
        ' "steps": {"build": {"commands": ["...", "PATH:/app/bin", "FILE:/app/x.conf"]}}}'
    )
    files = {"svc/railpack.json": railpack, "svc/requirements.txt": "fastapi\nuvicorn\n", "svc/main.py": "app = 1\n"}
    write_repo(tmp_path, files)
    rules = [registry.find(code)(None, None) for code in ("RP102", "CM004")]
    _, found = run_rules(tmp_path, rules, registry)
    assert [d.code for d in found] == ["RP102", "RP102"]


def test_the_same_path_in_a_plain_command_is_still_cm004(tmp_path: Path, registry) -> None:  # type: ignore[no-untyped-def]
    railpack = '{"steps": {"build": {"commands": ["...", "cp /app/x.conf /etc/x.conf"]}}}'
    files = {"svc/railpack.json": railpack, "svc/requirements.txt": "fastapi\n", "svc/main.py": "app = 1\n"}
    write_repo(tmp_path, files)
    _, found = run_rules(tmp_path, [registry.find("CM004")(None, None)], registry)
    assert [d.code for d in found] == ["CM004"]
