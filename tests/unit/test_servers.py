"""railcheck.servers on Node servers and queue workers: what the command line makes certain, and nothing more."""

from __future__ import annotations

import pytest

from railcheck.servers import only_workers, servers
from railcheck.sources.shell import ShellScript, parse_shell


def _parse(text: str) -> ShellScript:
    parsed = parse_shell(text)
    assert isinstance(parsed, ShellScript)
    return parsed


@pytest.mark.parametrize(
    ("command", "kind", "host", "port"),
    [
        ("next start -p 3000", "next start", "", "3000"),
        ("npx next start --hostname=localhost", "next start", "localhost", ""),
        ("pnpm exec vite preview --host --port 4173", "vite preview", "0.0.0.0", "4173"),
        ("bunx --bun vite preview --host 127.0.0.1", "vite preview", "127.0.0.1", ""),
        ("astro preview", "astro preview", "", ""),
    ],
)
def test_node_listen_options(command: str, kind: str, host: str, port: str) -> None:
    (server,) = servers(_parse(command))
    assert server.kind == kind and server.listen is not None
    assert (server.listen.host, server.listen.port) == (host, port)
    assert server.target is None and server.package is None  # no Python module or package to check


@pytest.mark.parametrize("command", ["vite build", "next dev -p 3000", "npm run start", "nuxt preview --port 3000"])
def test_other_node_commands_are_no_servers(command: str) -> None:
    assert list(servers(_parse(command))) == []


@pytest.mark.parametrize(
    ("command", "worker"),
    [
        ("celery -A tasks worker", True),
        ("celery --app=tasks worker -l info", True),
        ("exec python -m celery -A proj beat", True),
        ("cd backend && rq worker high default", True),
        ("python3 -m rq.cli worker", True),
        ("rqworker", True),
        ("celery -A tasks flower", False),
        ("celery -A tasks worker & gunicorn app:app", False),
        ("celery -A tasks worker; uvicorn main:app", False),
        ("celery -A tasks worker | tee log", False),
        ("cd backend", False),
        ("python worker.py", False),
    ],
)
def test_only_workers(command: str, worker: bool) -> None:
    assert only_workers(_parse(command)) is worker
