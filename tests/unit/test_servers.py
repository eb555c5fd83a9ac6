"""railcheck.servers: a command read as a server launch (Python servers, scripts, Node servers), where it
listens, and queue workers; what the command line makes certain, and nothing more."""

from __future__ import annotations

import pytest

from railcheck.servers import Server, only_workers, servers, uses_port_variable
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


def _server(command: str) -> Server:
    (server,) = servers(_parse(command))
    return server


@pytest.mark.parametrize(
    ("command", "kind", "module", "attribute", "factory", "package"),
    [
        ("uvicorn main:app", "uvicorn", "main", "app", False, "uvicorn"),
        ("uvicorn 'pkg.main:make_app()'", "uvicorn", "pkg.main", "make_app", True, "uvicorn"),
        ("uvicorn app:create_app --factory", "uvicorn", "app", "create_app", True, "uvicorn"),
        # Without an attribute each server looks for its own default name.
        ("gunicorn myproj.wsgi", "gunicorn", "myproj.wsgi", "application", False, "gunicorn"),
        ("hypercorn main", "hypercorn", "main", "app", False, "hypercorn"),
        # Options that take a value do not hide the target after them.
        ("gunicorn -w 4 -k uvicorn.workers.UvicornWorker main:app", "gunicorn", "main", "app", False, "gunicorn"),
        ("waitress-serve --listen=*:8080 app:app", "waitress", "app", "app", False, "waitress"),
        # Wrappers and `python -m` run the same server.
        ("exec opentelemetry-instrument python -m uvicorn main:app", "uvicorn", "main", "app", False, "uvicorn"),
        ("python -m myapp.server", "python -m", "myapp.server", None, False, None),
    ],
)
def test_python_servers_and_their_app(
    command: str, kind: str, module: str, attribute: str | None, factory: bool, package: str | None
) -> None:
    server = _server(command)
    assert (server.kind, server.module, server.attribute, server.factory) == (kind, module, attribute, factory)
    assert server.package == package


@pytest.mark.parametrize(
    ("command", "host", "port", "host_text", "port_text"),
    [
        # No option: the server's own default, and no word to point at.
        ("uvicorn main:app", "127.0.0.1", "8000", None, None),
        ("gunicorn main:app", "0.0.0.0", "$PORT", None, None),
        ("fastapi run app/main.py", "0.0.0.0", "8000", None, None),
        ("flask run", "127.0.0.1", "5000", None, None),
        ("uvicorn main:app --host 0.0.0.0 --port $PORT", "0.0.0.0", "$PORT", "0.0.0.0", "$PORT"),
        # `--port=9000`: the word is the value alone, so a fix replaces only the number.
        ("uvicorn main:app --port=9000", "127.0.0.1", "9000", None, "9000"),
        # A bind says both in one word; the colon inside `${PORT:-8000}` does not split it.
        ("gunicorn -b 0.0.0.0:${PORT:-8000} app:app", "0.0.0.0", "${PORT:-8000}", *["0.0.0.0:${PORT:-8000}"] * 2),
        ("hypercorn main:app --bind 0.0.0.0:8080", "0.0.0.0", "8080", "0.0.0.0:8080", "0.0.0.0:8080"),
        ("flask run -h 0.0.0.0 -p 5000", "0.0.0.0", "5000", "0.0.0.0", "5000"),
        ("daphne -b 0.0.0.0 -p 8001 proj.asgi:application", "0.0.0.0", "8001", "0.0.0.0", "8001"),
        ("python manage.py runserver", "127.0.0.1", "8000", None, None),
        ("python manage.py runserver 8080", "127.0.0.1", "8080", None, "8080"),
        ("python manage.py runserver 0.0.0.0:$PORT", "0.0.0.0", "$PORT", "0.0.0.0:$PORT", "0.0.0.0:$PORT"),
    ],
)
def test_where_a_server_listens(
    command: str, host: str, port: str, host_text: str | None, port_text: str | None
) -> None:
    listen = _server(command).listen
    assert listen is not None
    assert (listen.host, listen.port) == (host, port)
    # The words point into the command text, where a finding's span and a fix's edit go.
    shown = [command[word.start : word.end] if word else None for word in (listen.host_word, listen.port_word)]
    assert shown == [host_text, port_text]


@pytest.mark.parametrize("command", ["python3 -u bot.py", "python -m myapp.server"])
def test_scripts_have_no_listen(command: str) -> None:
    assert _server(command).listen is None


def test_the_working_directory_and_search_folders() -> None:
    server = _server("cd api && PYTHONPATH=src uvicorn --app-dir src app:create_app --factory")
    assert (server.cwd, server.search_dirs, server.pythonpath) == ("api", ("src",), "src")
    assert _server("cd services/api && cd .. && gunicorn --chdir web app:app").cwd == "services"
    assert _server("cd /srv && uvicorn main:app").cwd == "/srv"  # absolute: outside the image's /app, kept as is


@pytest.mark.parametrize(
    "command", ["python -c 'print(1)'", "pip install -r requirements.txt", "npm start", "echo uvicorn main:app"]
)
def test_commands_that_launch_no_server(command: str) -> None:
    assert list(servers(_parse(command))) == []


def test_every_launch_of_a_script_is_found() -> None:
    found = list(servers(_parse("python migrate.py && gunicorn app:app")))
    assert [server.kind for server in found] == ["python file", "gunicorn"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$PORT", True),
        ("${PORT:-8000}", True),
        ("8000", False),
        ("${PORT}", True),
        ("$PORT/ws", True),
        # Other variables whose names start with PORT say nothing about Railway's port.
        ("$PORTS_FILE", False),
        ("${PORTAL_PORT}", False),
    ],
)
def test_uses_port_variable(value: str, expected: bool) -> None:
    assert uses_port_variable(value) is expected
