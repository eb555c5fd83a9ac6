"""Read a parsed command as a server launch: which server, which app, where it listens, from where.

Knows the command-line conventions of uvicorn, gunicorn, hypercorn, granian, daphne, waitress, the
`fastapi` and `flask` CLIs, `python -m`, `python file.py` and `manage.py runserver`, including their
default hosts and ports; and, for Node, the host and port options of `next start`, `vite preview` and
`astro preview` (only the options: their defaults depend on config files and the PORT variable). Nothing
here runs or imports anything.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from railcheck.sources.shell import ShellScript, SimpleCommand, Word

_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")
# Programs that run another program given after their own options (`opentelemetry-instrument uvicorn ...`).
_WRAPPERS = {"exec": 0, "opentelemetry-instrument": 0, "ddtrace-run": 0, "nohup": 0, "time": 0}
# (default host, default port) when no option says otherwise. gunicorn binds 0.0.0.0:$PORT when PORT is set.
DEFAULTS = {
    "uvicorn": ("127.0.0.1", "8000"),
    "hypercorn": ("127.0.0.1", "8000"),
    "granian": ("127.0.0.1", "8000"),
    "daphne": ("127.0.0.1", "8000"),
    "gunicorn": ("0.0.0.0", "$PORT"),
    "waitress": ("0.0.0.0", "8080"),
    "fastapi run": ("0.0.0.0", "8000"),
    "fastapi dev": ("127.0.0.1", "8000"),
    "flask run": ("127.0.0.1", "5000"),
    "manage.py runserver": ("127.0.0.1", "8000"),
}
# The PyPI project that provides each server's command.
PACKAGES = {
    "uvicorn": "uvicorn",
    "gunicorn": "gunicorn",
    "hypercorn": "hypercorn",
    "granian": "granian",
    "daphne": "daphne",
    "waitress": "waitress",
    "fastapi run": "fastapi-cli",
    "fastapi dev": "fastapi-cli",
    "flask run": "flask",
}
# Node servers whose listen options are certain from the command line: (host options, port options).
# A bare `--host` (no value) listens on all interfaces for Vite and Astro; Next's `-H` always takes a value.
NODE_SERVERS = {
    "next start": (("-H", "--hostname"), ("-p", "--port")),
    "vite preview": (("--host",), ("--port",)),
    "astro preview": (("--host",), ("--port",)),
}
_NODE_BARE_HOST = {"vite preview", "astro preview"}
# Programs that run a package's binary given after them (`npx vite preview`, `pnpm exec next start`).
_NODE_RUNNERS = {"npx": (), "bunx": (), "pnpm": ("exec",), "yarn": ("exec",)}
_VALUE_OPTIONS = {
    # options whose value is the next word (or after "="), per server; host/port/bind handled by name
    "uvicorn": {
        "--host",
        "--port",
        "--app-dir",
        "--uds",
        "--fd",
        "--workers",
        "--log-level",
        "--root-path",
        "--env-file",
        "--log-config",
        "--loop",
        "--http",
        "--ws",
        "--lifespan",
        "--interface",
        "--proxy-headers",
        "--forwarded-allow-ips",
        "--timeout-keep-alive",
        "--limit-concurrency",
        "--backlog",
        "--ssl-keyfile",
        "--ssl-certfile",
        "--h11-max-incomplete-event-size",
        "--reload-dir",
        "--reload-include",
        "--reload-exclude",
        "--header",
        "--timeout-graceful-shutdown",
        "--limit-max-requests",
        "--ws-max-size",
        "--ws-ping-interval",
        "--ws-ping-timeout",
    },
    "gunicorn": {
        "-b",
        "--bind",
        "-k",
        "--worker-class",
        "-w",
        "--workers",
        "--chdir",
        "--pythonpath",
        "-c",
        "--config",
        "--threads",
        "-t",
        "--timeout",
        "--log-level",
        "--access-logfile",
        "--error-logfile",
        "-e",
        "--env",
        "--graceful-timeout",
        "--keep-alive",
        "--max-requests",
        "--max-requests-jitter",
        "--worker-connections",
        "--forwarded-allow-ips",
        "-n",
        "--name",
        "--log-config",
        "--certfile",
        "--keyfile",
        "-p",
        "--pid",
        "-u",
        "--user",
        "-g",
        "--group",
        "--backlog",
        "--access-logformat",
        "--worker-tmp-dir",
    },
    "hypercorn": {
        "-b",
        "--bind",
        "-k",
        "--worker-class",
        "-w",
        "--workers",
        "--root-path",
        "-c",
        "--config",
        "--log-level",
        "--access-logfile",
        "--error-logfile",
        "--certfile",
        "--keyfile",
        "--graceful-timeout",
        "--keep-alive",
        "--backlog",
        "--insecure-bind",
        "--quic-bind",
        "--access-logformat",
    },
    "granian": {
        "--host",
        "--port",
        "--interface",
        "--workers",
        "--threads",
        "--loop",
        "--http",
        "--log-level",
        "--backlog",
        "--blocking-threads",
        "--runtime-threads",
        "--working-dir",
        "--url-path-prefix",
        "--ssl-keyfile",
        "--ssl-certificate",
        "--respawn-interval",
        "--workers-lifetime",
    },
    "daphne": {
        "-b",
        "--bind",
        "-p",
        "--port",
        "-u",
        "--unix-socket",
        "--fd",
        "-e",
        "--endpoint",
        "-v",
        "--verbosity",
        "--root-path",
        "--proxy-headers-host",
        "--proxy-headers-port",
        "-t",
        "--http-timeout",
        "--websocket_timeout",
        "--ping-interval",
        "--ping-timeout",
        "--application-close-timeout",
    },
    "waitress": {
        "--host",
        "--port",
        "--listen",
        "--threads",
        "--url-prefix",
        "--ident",
        "--unix-socket",
        "--connection-limit",
        "--channel-timeout",
        "--call",
    },
    "fastapi": {"--host", "--port", "--app", "--entrypoint", "-e", "--workers", "--root-path", "--forwarded-allow-ips"},
    "flask": {
        "--host",
        "-h",
        "--port",
        "-p",
        "--app",
        "-A",
        "--cert",
        "--key",
        "--extra-files",
        "--exclude-patterns",
        "-e",
        "--env-file",
    },
}


@dataclass(frozen=True, slots=True)
class Listen:
    """Where a server listens: the words that say so, or None where the server's default applies."""

    host: str
    port: str
    host_word: Word | None
    port_word: Word | None


@dataclass(frozen=True, slots=True)
class Server:
    """One Python server (or script) launch found in a command."""

    kind: str  # a key of DEFAULTS or NODE_SERVERS, or "python -m", "python file", "manage.py"
    command: SimpleCommand
    target: Word | None  # "module:attr", the script file, or the -m module
    module: str | None
    attribute: str | None
    factory: bool
    cwd: str  # working directory relative to the root directory, after `cd` commands ("." = root)
    search_dirs: tuple[str, ...]  # --app-dir / --chdir / --pythonpath, relative to cwd
    pythonpath: str | None  # a PYTHONPATH=... prefix on the command
    listen: Listen | None  # None for scripts and one-off commands

    @property
    def package(self) -> str | None:
        return PACKAGES.get(self.kind)


def servers(script: ShellScript) -> Iterator[Server]:
    """Every server or Python launch in `script`, with the working directory `cd` left it in."""
    cwd = "."
    for command in script.commands:
        words = list(command.words)
        if words and words[0].text == "cd":
            target = words[1].text if len(words) > 1 and words[1].static else None
            cwd = (
                posixpath.normpath(posixpath.join(cwd, target))
                if target and not target.startswith("/")
                else (target or cwd)
            )
            continue
        found = _server(command, words, cwd)
        if found is not None:
            yield found


def _program(words: list[Word]) -> list[Word]:
    """Drop wrappers like `exec` and `opentelemetry-instrument`, and turn `python -m uvicorn` into `uvicorn`."""
    while words and posixpath.basename(words[0].text) in _WRAPPERS:
        words = words[1:]
    if (
        len(words) >= 3
        and _PYTHON.match(posixpath.basename(words[0].text))
        and words[1].text == "-m"
        and words[2].text in PACKAGES | {"fastapi": "", "flask": ""}
    ):
        words = words[2:]
    return words


def _server(command: SimpleCommand, words: list[Word], cwd: str) -> Server | None:
    words = _program(words)
    if not words:
        return None
    name = posixpath.basename(words[0].text)
    pythonpath = next((value.text for key, value in command.assignments if key == "PYTHONPATH"), None)
    node = _node_server(command, words, cwd)
    if node is not None:
        return node
    if name == "waitress-serve":
        name = "waitress"
    if name in ("fastapi", "flask") and len(words) > 1 and words[1].text in ("run", "dev"):
        kind = f"{name} {words[1].text}"
        options, positional = _options(words[2:], _VALUE_OPTIONS[name])
        target = options.get("--app") or options.get("-A") or (positional[0] if positional else None)
        listen = _listen(
            kind,
            options,
            ("--host", "-h") if name == "flask" else ("--host",),
            ("--port", "-p") if name == "flask" else ("--port",),
        )
        return Server(kind, command, target, None, None, False, cwd, (), pythonpath, listen)
    if name in ("uvicorn", "gunicorn", "hypercorn", "granian", "daphne", "waitress"):
        options, positional = _options(words[1:], _VALUE_OPTIONS[name])
        target = positional[0] if positional else None
        module = attribute = None
        factory = "--factory" in options
        if target is not None and target.static and ":" in target.text:
            module, attribute = target.text.split(":", 1)
            if attribute.endswith("()"):
                attribute, factory = attribute[:-2], True
            attribute = attribute.split("(", 1)[0] or None
        elif target is not None and target.static:
            module, attribute = target.text, "application" if name == "gunicorn" else "app"
        dirs = tuple(
            word.text
            for key in ("--app-dir", "--chdir", "--pythonpath", "--working-dir")
            if (word := options.get(key)) and word.static
        )
        listen = _listen(name, options, ("--host",), ("--port", "-p") if name == "daphne" else ("--port",))
        return Server(name, command, target, module, attribute, factory, cwd, dirs, pythonpath, listen)
    if _PYTHON.match(name):
        rest = words[1:]
        while rest and rest[0].text.startswith("-") and rest[0].text not in ("-m", "-c"):
            rest = rest[1:]
        if len(rest) >= 2 and rest[0].text == "-m":
            return Server("python -m", command, rest[1], rest[1].text, None, False, cwd, (), pythonpath, None)
        if rest and rest[0].text not in ("-c", "-"):
            script = rest[0]
            if posixpath.basename(script.text) == "manage.py" and len(rest) > 1 and rest[1].text == "runserver":
                listen = _runserver(rest[2:])
                return Server("manage.py runserver", command, script, None, None, False, cwd, (), pythonpath, listen)
            return Server("python file", command, script, None, None, False, cwd, (), pythonpath, None)
    return None


def _node_server(command: SimpleCommand, words: list[Word], cwd: str) -> Server | None:
    """`next start`, `vite preview` or `astro preview`, run directly or through npx/bunx/pnpm/yarn."""
    runner = posixpath.basename(words[0].text)
    if runner in _NODE_RUNNERS:
        words = words[1:]
        while words and (words[0].text.startswith("-") or words[0].text in _NODE_RUNNERS[runner]):
            words = words[1:]  # `npx --yes vite`, `pnpm exec vite`
    if len(words) < 2:
        return None
    kind = f"{posixpath.basename(words[0].text)} {words[1].text}"
    if kind not in NODE_SERVERS:
        return None
    host_keys, port_keys = NODE_SERVERS[kind]
    host_word = port_word = None
    rest = words[2:]
    for index, word in enumerate(rest):
        key, equals, value = word.text.partition("=")
        following = rest[index + 1] if index + 1 < len(rest) else None
        if following is not None and following.text.startswith("-"):
            following = None  # the next option, not a value: `vite preview --host --port 4173`
        if key in host_keys:
            host_word = _node_value(word, equals, value, following)
            if host_word is None and kind in _NODE_BARE_HOST:
                host_word = Word("0.0.0.0", word.start, word.end, False)  # a bare --host listens everywhere
        elif key in port_keys:
            port_word = _node_value(word, equals, value, following)
    # Without an option the host and port come from config files or PORT, which is not certain: left empty.
    listen = Listen(host_word.text if host_word else "", port_word.text if port_word else "", host_word, port_word)
    return Server(kind, command, None, None, None, False, cwd, (), None, listen)


def _node_value(word: Word, equals: str, value: str, following: Word | None) -> Word | None:
    """An option's value: after "=" (offsets shifted onto the value, so a fix edits only it), or the next word."""
    if equals:
        offset = len(word.text) - len(value) if word.end - word.start == len(word.text) else 0
        return Word(value, word.start + offset, word.end, word.static)
    return following


def _options(words: list[Word], takes_value: set[str]) -> tuple[dict[str, Word], list[Word]]:
    """Options (`--port 8000`, `--port=8000`, `-b x`) and positional words. Flags map to their own word."""
    options: dict[str, Word] = {}
    positional: list[Word] = []
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        if (
            text.startswith("-")
            and "=" in text
            and text.split("=", 1)[0] in takes_value | {"--host", "--port", "--bind", "--app"}
        ):
            key, value = text.split("=", 1)
            # The value starts after "="; shift its offsets so spans point at the value alone.
            offset = len(key) + 1 if word.end - word.start == len(text) else 0
            options[key] = Word(value, word.start + offset, word.end, word.static)
        elif text in takes_value and index + 1 < len(words):
            options[text] = words[index + 1]
            index += 1
        elif text.startswith("-"):
            options[text] = word
        else:
            positional.append(word)
        index += 1
    return options, positional


def _listen(kind: str, options: dict[str, Word], host_keys: tuple[str, ...], port_keys: tuple[str, ...]) -> Listen:
    default_host, default_port = DEFAULTS[kind]
    bind = options.get("--bind") or options.get("-b") or options.get("--listen")
    if bind is not None and kind not in ("daphne",):
        host, port = _host_and_port(bind.text)
        if not host and ":" not in bind.text:
            host, port = bind.text, default_port
        return Listen(host or default_host, port or default_port, bind, bind)
    host_word = next((options[key] for key in host_keys if key in options), None)
    if kind == "daphne" and bind is not None:
        host_word = bind
    port_word = next((options[key] for key in port_keys if key in options), None)
    return Listen(
        host_word.text if host_word else default_host,
        port_word.text if port_word else default_port,
        host_word,
        port_word,
    )


def _runserver(words: list[Word]) -> Listen:
    address = next((word for word in words if not word.text.startswith("-")), None)
    if address is None:
        return Listen("127.0.0.1", "8000", None, None)
    host, port = _host_and_port(address.text)
    if not host and address.text.isdigit():
        return Listen("127.0.0.1", address.text, None, address)
    return Listen(host or "127.0.0.1", port or "8000", address, address)


def _host_and_port(address: str) -> tuple[str, str]:
    """`host:port` split at the last colon outside `${...}`: `0.0.0.0:${PORT:-8000}` is host `0.0.0.0`."""
    depth, split = 0, -1
    for index, character in enumerate(address):
        if character == "{":
            depth += 1
        elif character == "}":
            depth = max(depth - 1, 0)
        elif character == ":" and depth == 0:
            split = index
    return (address[:split], address[split + 1 :]) if split >= 0 else ("", address)


# `$PORT`, `${PORT}` or `${PORT:-8000}`, not `$PORTS_FILE` or `${PORTAL}`: where a value reads Railway's port.
PORT_REFERENCE = re.compile(r"\$(\{PORT([:\-=?+][^}]*)?\}|PORT\b)")


def uses_port_variable(value: str) -> bool:
    """True when a port value comes from the PORT variable Railway injects (not `$PORTS_FILE` or `${PORTAL}`)."""
    return PORT_REFERENCE.search(value) is not None


# Queue workers that serve no HTTP: program -> (its options that take a value, the subcommands that run a worker).
_WORKERS = {
    "celery": (
        {"-A", "--app", "-b", "--broker", "--result-backend", "--loader", "--config", "--workdir"},
        {"worker", "beat"},
    ),
    "rq": (set(), {"worker"}),
}
_WORKER_MODULES = {"celery": "celery", "rq.cli": "rq"}  # `python -m X` runs the same program


def only_workers(script: ShellScript) -> bool:
    """True when the script certainly runs no HTTP server: its commands are `cd`s and queue workers (celery's
    `worker`/`beat`, `rq worker`, `rqworker`, directly or via `python -m`), joined by `&&` or `;`, none in the
    background or a pipe, and at least one worker."""
    if any(operator not in ("&&", ";") for operator, _, _ in script.operators):
        return False
    workers = 0
    for command in script.commands:
        words = list(command.words)
        if words and words[0].text == "cd":
            continue
        if not _worker(words):
            return False
        workers += 1
    return workers > 0


def _worker(words: list[Word]) -> bool:
    while words and posixpath.basename(words[0].text) in _WRAPPERS:
        words = words[1:]
    if not words or not words[0].static:
        return False
    program = posixpath.basename(words[0].text)
    if _PYTHON.match(program) and len(words) >= 3 and words[1].text == "-m":
        program, words = _WORKER_MODULES.get(words[2].text, ""), words[2:]
    if program == "rqworker":
        return True
    if program not in _WORKERS:
        return False
    takes_value, subcommands = _WORKERS[program]
    index = 1
    while index < len(words) and words[index].text.startswith("-"):
        index += 2 if words[index].text in takes_value else 1
    return index < len(words) and words[index].static and words[index].text in subcommands
