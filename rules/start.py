"""ST: the start command, as Railway will run it from the service's root directory (`/app` in the image).

Every start command railcheck can see is checked: `deploy.startCommand` in railpack.json and in Railway's
config, Procfile entries, and Railpack's own default when nothing else sets one. Modules are resolved and
read statically; nothing is imported or run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import ClassVar

from railcheck import (
    RAILPACK_ONLY,
    Consequence,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Invalid,
    Project,
    Related,
    Requires,
    Service,
    ServiceRule,
    Severity,
    Span,
    Valid,
)
from railcheck.build_outputs import created_by_build
from railcheck.builder import image_of
from railcheck.distributions import import_names
from railcheck.facts import (
    MAIN_FILES,
    CommandText,
    app_root,
    command_servers,
    copied_app,
    facts,
    module_info,
    runtime_pythonpath,
    start_modules,
    unreadable_configs,
)
from railcheck.modules import find_module, image_path, module_candidates, search_bases
from railcheck.servers import Server, uses_port_variable
from railcheck.sources.shell import Word
from railcheck.sources.text import ParseFailure
from railcheck.types import FILE_START

FAMILY = "ST"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PUBLIC_HOSTS = frozenset({"0.0.0.0", "::", "[::]"})


def _start_commands(service: Service, project: Project) -> Iterator[CommandText]:
    """Start commands written in files, plus Railpack's default when it is the one that will run.

    A Dockerfile's CMD/ENTRYPOINT that Railway's start command overrides is left out: Railway never runs it
    (docs/railpack-facts.md, "start command"), and it is often written for `docker run` on a laptop, with a
    fixed port."""
    found = facts(service, project)
    image = image_of(service, project)
    overridden = image.start if image is not None and image.start is not found.start else None
    for command in found.start_commands:
        if command is not overridden and (command.origin.path is not None or command is found.start):
            yield command


def _where(service: Service, command: CommandText, word: Word | None) -> tuple[PurePosixPath, Span | None]:
    if command.origin.path is None:
        # Railpack's generated command is written nowhere; point at the file that makes Railpack choose it.
        return (service.railpack.path if service.railpack else service.root / "requirements.txt"), None
    span = command.span(word.start, word.end) if word is not None else command.origin.span
    return command.origin.path, span


def _servers(service: Service, project: Project) -> Iterator[tuple[CommandText, Server]]:
    for command in _start_commands(service, project):
        for server in command_servers(command):  # none when it does not parse: CM001 reports that
            yield command, server


def _resolve(service: Service, project: Project, server: Server) -> PurePosixPath | None:
    assert project.repository is not None and server.module is not None
    for start in start_modules(service, project):
        if start.server is server and start.path is not None and start.path.suffix == ".py":
            # The effective start command's module, already found as a file in the same search folders (kept per
            # service in `Project.derived`). The folders added below come after those, and `find_module` returns
            # the first file in folder order, so they cannot change that answer; a namespace folder or no file
            # can change, and is resolved below.
            return start.path
    root = app_root(service, project)
    bases = search_bases(root, server.cwd, server.search_dirs, runtime_pythonpath(service, project, server))
    found = facts(service, project)
    image = image_of(service, project)
    if image is not None and image.installs_project:
        bases.append(root / "src")  # the Dockerfile installs the project: a src layout imports too
    elif (
        image is None
        and found.install_manager == "uv"
        and found.pyproject is not None
        and isinstance(found.pyproject.get("/build-system"), dict)
    ):
        # Railpack's build step runs `uv sync --no-editable`, installing the project itself: a src layout's
        # packages import from site-packages.
        bases.append(service.root / "src")
    return find_module(project.repository, bases, server.module)


_PIP_INSTALL = re.compile(r"\bpip3?\s+install\b([^&|;]*)")
# pip options whose next word is their value (a file or URL), not a package.
_PIP_OPTIONS_WITH_VALUE = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
    }
)


def _installed_by_command(service: Service, project: Project, module: str) -> bool:
    """Whether a build or install command may install `module`: `pip install` of a URL or path (`pip install
    git+https://...#subdirectory=packages/core`, `-e ./lib`), whose modules are unknown here, or of a
    distribution named like the module's top-level package. A missing module is then not certain."""
    top = module.split(".")[0].lower()
    for command in facts(service, project).commands:
        if command.kind == "start":
            continue
        for match in _PIP_INSTALL.finditer(command.text):
            skip = False
            for word in match.group(1).split():
                if skip or (word.startswith("-") and word not in ("-e", "--editable")):
                    skip = not skip and word in _PIP_OPTIONS_WITH_VALUE
                    continue
                if "://" in word or "/" in word or word.startswith((".", "git+", "file:")):
                    return True
                if re.split(r"[\[<>=!~;@ ]", word, maxsplit=1)[0].lower().replace("-", "_") == top:
                    return True
    return False


def _installed(service: Service, project: Project, server: Server) -> bool:
    """Whether the server's module may come from outside the root directory: the standard library, a
    declared dependency (import names mapped from distribution names), or, for `python -m X`, packages
    railcheck cannot list (a Dockerfile that installs its own, a manifest it cannot read fully)."""
    assert server.module is not None
    top = server.module.split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    declared = project.derived.declared_dependencies(service)
    if declared is None or image_of(service, project) is not None:
        return server.kind == "python -m"  # an app module (`main:app`) is the service's own code either way
    return any(top in import_names(name) for name in declared if "[" not in name)


class StartTargetNotFound(ServiceRule):
    """
    ## What it does
    Reports a start command whose module or script does not exist when resolved from the service's root
    directory (the working directory `/app`), `--app-dir`/`--chdir`, and `PYTHONPATH`. This includes
    Railpack's default `uvicorn main:app` when the app lives in another file.

    ## Why is this bad?
    The deploy builds, then crashes at start with "Could not import module" or "No such file", and the
    health check never passes. A module path written for another root directory
    (`services.ml.ml_server:app` while the root is `services/ml`) is the classic case.

    ## Example
    Root directory `services/ml`, start command `uvicorn services.ml.ml_server:app`: from `/app` the module
    is `ml_server`.

    ## Fix safety
    Unsafe, and only when exactly one file under the root directory has the module's name: the module path
    is rewritten to that file's.
    """

    code = "ST001"
    name = "start-target-not-found"
    summary = "The start command's module or script does not exist from the root directory"
    consequence = Consequence.FAILS
    fix = FixAvailability.SOMETIMES
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "uvicorn ml_server:app --host 0.0.0.0 --port $PORT"}}',
                "ml_server.py": "app = object()\n",
            }
        ),
        # A uv project with a build system is installed by Railpack's build step, src layout included.
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "uvicorn svc.api:app --host 0.0.0.0 --port $PORT"}}',
                "uv.lock": "",
                "pyproject.toml": (
                    '[project]\nname = "svc"\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend ='
                    ' "hatchling.build"\n'
                ),
                "src/svc/__init__.py": "",
                "src/svc/api.py": "app = object()\n",
            }
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"deploy": {"startCommand": "uvicorn services.ml.ml_server:app --host 0.0.0.0 --port $PORT"}}'
                ),
                "ml_server.py": "app = object()\n",
            },
            expect=[("ST001", "railpack.json", 1, 38)],
            fixed={
                "railpack.json": '{"deploy": {"startCommand": "uvicorn ml_server:app --host 0.0.0.0 --port $PORT"}}'
            },
            unsafe_fixes=True,
        ),
        Invalid(
            {"Procfile": "web: python serve.py\n", "main.py": "", "railpack.json": "{}"},
            expect=[("ST001", "Procfile", 1, 13)],
        ),
        # the standard library
        Valid({"Procfile": "web: python -m http.server --bind 0.0.0.0 $PORT\n", "main.py": "", "railpack.json": "{}"}),
        # A package installed by URL may provide the module: unsure, so no finding.
        Valid(
            {
                "railpack.json": (
                    '{"steps": {"install": {"commands": ["...", "pip install'
                    ' git+https://example.com/mono.git#subdirectory=packages/core"]}}, "deploy": {"startCommand":'
                    ' "uvicorn mono_core.main:app --host 0.0.0.0 --port $PORT"}}'
                ),
                "requirements.txt": "uvicorn\n",
            }
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"steps": {"install": {"commands": ["...", "pip install --no-cache-dir -r requirements.txt"]}}, '
                    '"deploy": {"startCommand": "uvicorn mono_core.main:app --host 0.0.0.0 --port $PORT"}}'
                ),
                "requirements.txt": "uvicorn\n",
            },
            expect=[("ST001", "railpack.json", 1, 133)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        for command, server in _servers(service, project):
            if server.target is None or not server.target.static:
                continue
            if server.kind in ("python file", "manage.py runserver"):
                path = image_path(app_root(service, project), server.cwd, server.target.text)
                if path is not None and (
                    repository.is_file(path) or created_by_build(service, project, path) is not None
                ):
                    continue  # there, or made by the build (`python dist/main.py`)
                holder = copied_app(service, project) or f"{service.display_root()} (the image's /app)"
                where, span = _where(service, command, server.target)
                yield self.diagnostic(
                    where,
                    span,
                    f"{command.origin.label} runs `{server.target.text}`, which does not exist in {holder}",
                    help=(
                        "Paths in start commands are relative to the root directory; fix the path or the service's root"
                        " directory."
                    ),
                )
            elif (
                server.module is not None
                and not _installed(service, project, server)
                and _resolve(service, project, server) is None
            ) and not _installed_by_command(service, project, server.module):
                yield self._missing_module(service, project, command, server, server.module)

    def _missing_module(
        self, service: Service, project: Project, command: CommandText, server: Server, module: str
    ) -> Diagnostic:
        assert project.repository is not None and server.target is not None
        where, span = _where(service, command, server.target)
        # The module itself is no candidate: its file exists but cannot be imported (a pipe, a folder), and
        # "import it instead" would be a fix that changes nothing and never settles.
        candidates = [
            candidate
            for candidate in module_candidates(project.repository, app_root(service, project), module, server.cwd)
            if candidate != module
        ]
        fix = None
        if len(candidates) == 1 and command.origin.path is not None and command.base is not None:
            written = server.target.text
            replacement = written.replace(module, candidates[0], 1)
            target = server.target
            fix = Fix.unsafe(
                f"Import `{candidates[0]}` instead",
                Edit(command.origin.path, command.base + target.start, command.base + target.end, replacement),
            )
        hint = (
            f" Did you mean `{candidates[0]}`?"
            if len(candidates) == 1
            else (f" Files with that name: {', '.join(candidates[:5])}." if candidates else "")
        )
        holder = copied_app(service, project) or f"{service.display_root()} ({service.root_source})"
        return self.diagnostic(
            where,
            span,
            f"{command.origin.label} imports `{module}`, which does not resolve from {holder}"
            + (" and is not a declared dependency" if server.kind == "python -m" else ""),
            help=f"Module paths are resolved from the root directory (the image's /app) and PYTHONPATH.{hint}",
            fix=fix,
        )


class StartAttributeMissing(ServiceRule):
    """
    ## What it does
    Reads the start command's module (statically, with Python's `ast`) and reports when the app attribute
    (`main:app` → `app`) is not defined in it, when a `--factory` target is not a function, or when the
    module has a syntax error.

    ## Why is this bad?
    The server starts, imports the module, and exits with `Attribute "app" not found in module "main"`;
    every deploy fails its health check.

    ## Example
    `uvicorn main:app` while `main.py` defines `application = FastAPI()`.
    """

    code = "ST002"
    name = "start-attribute-missing"
    summary = "The start command's app attribute is not defined in its module"
    consequence = Consequence.FAILS
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "gunicorn --bind 0.0.0.0:$PORT main:app"}}',
                "main.py": "from flask import Flask\napp = Flask(__name__)\n",
            }
        ),
        Invalid(
            {
                "railpack.json": '{"deploy": {"startCommand": "gunicorn --bind 0.0.0.0:$PORT main:app"}}',
                "main.py": "from flask import Flask\napplication = Flask(__name__)\n",
            },
            expect=[("ST002", "railpack.json", 1, 60)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        for command, server in _servers(service, project):
            if server.module is None or server.attribute is None or server.kind == "python -m" or server.target is None:
                continue
            path = _resolve(service, project, server)
            if path is None or path.suffix != ".py":
                continue  # ST001 reports a missing module; a namespace package defines nothing to check
            info = module_info(project, path)
            if info is None:
                continue
            where, span = _where(service, command, server.target)
            if isinstance(info, ParseFailure):
                line = (repository.read(path) or "").count("\n", 0, info.start) + 1
                yield self.diagnostic(
                    where,
                    span,
                    f"{path} has a syntax error (line {line}: {info.message}), so importing `{server.module}` fails at"
                    " start",
                    help="Fix the syntax error; railcheck reads the module without running it.",
                )
                continue
            definition = info.definitions.get(server.attribute)
            if definition is None:
                yield self.diagnostic(
                    where,
                    span,
                    f"`{server.attribute}` is not defined at the top level of {path}, so"
                    f" `{server.module}:{server.attribute}` fails at start",
                    help=_defined_hint(info.definitions),
                    related=(Related(path, None, "the module the start command imports"),),
                )
            elif server.factory and definition.kind not in ("def", "import"):
                yield self.diagnostic(
                    where,
                    span,
                    f"`{server.attribute}` in {path} is a {definition.kind}, but the command treats it as a factory to"
                    " call",
                    help="Drop `--factory` (or `()`), or point at the function that builds the app.",
                )


def _defined_hint(definitions: Mapping[str, object]) -> str:
    apps = [
        name
        for name, definition in definitions.items()
        if str(getattr(definition, "call", None) or "").split(".")[-1]
        in ("FastAPI", "Flask", "Starlette", "Quart", "Sanic", "Litestar")
    ]
    if apps:
        return f"The module defines {', '.join(f'`{name}`' for name in apps)}; use that name after the colon."
    return "Point the command at the variable that holds the app."


class ServerBindsLocalhost(ServiceRule):
    """
    ## What it does
    Reports servers that listen on `127.0.0.1` / `localhost`, given explicitly or by the server's default
    (uvicorn, hypercorn, granian, daphne, `flask run`, `fastapi dev` and `manage.py runserver` default to
    127.0.0.1). Node servers only by an explicit option (`next start -H`, `vite preview --host`,
    `astro preview --host`): without it their config file decides.

    ## Why is this bad?
    Railway's proxy reaches the container over its network interface; a server on the loopback interface
    is unreachable and every request gets 502 "Application failed to respond".

    ## Example
    `python -m uvicorn ml_server:app --host 127.0.0.1 --port $PORT`

    ## Fix safety
    Safe: listening on all interfaces is what Railway requires.
    """

    code = "ST003"
    name = "server-binds-localhost"
    summary = "The server listens on localhost, which Railway cannot reach"
    consequence = Consequence.FAILS
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}',
                "main.py": "app = 1\n",
            }
        ),
        Invalid(
            {
                "railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 127.0.0.1 --port $PORT"}}',
                "main.py": "app = 1\n",
            },
            expect=[("ST003", "railpack.json", 1, 54)],
            fixed={"railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}'},
        ),
        Invalid(
            {"Procfile": "web: uvicorn main:app --port $PORT\n", "main.py": "app = 1\n", "railpack.json": "{}"},
            expect=[("ST003", "Procfile", 1, 6)],
        ),
        # Node servers: only an explicit host option is certain (vite.config may set `preview.host`).
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "npx vite preview --host --port $PORT"}}',
                "package.json": "{}",
            }
        ),
        Valid({"railpack.json": '{"deploy": {"startCommand": "npx vite preview"}}', "package.json": "{}"}),
        Invalid(
            {
                "railpack.json": '{"deploy": {"startCommand": "npx vite preview --host 127.0.0.1 --port $PORT"}}',
                "package.json": "{}",
            },
            expect=[("ST003", "railpack.json", 1, 54)],
            fixed={"railpack.json": '{"deploy": {"startCommand": "npx vite preview --host 0.0.0.0 --port $PORT"}}'},
        ),
        Invalid(
            {"railpack.json": '{"deploy": {"startCommand": "next start -H localhost"}}', "package.json": "{}"},
            expect=[("ST003", "railpack.json", 1, 44)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for command, server in _servers(service, project):
            listen = server.listen
            if listen is None:
                continue
            host = (
                listen.host.rsplit(":", 1)[0]
                if listen.host_word is not None and listen.host_word is listen.port_word
                else listen.host
            )
            if host not in LOCAL_HOSTS:
                continue
            word = listen.host_word
            where, span = _where(service, command, word or server.command.words[0] if server.command.words else None)
            fix = None
            edit = (
                _edit_in_word(command, word, 0, len(host), "0.0.0.0")
                if word is not None and word.text.startswith(host)
                else None
            )
            if edit is not None:
                fix = Fix.safe("Listen on 0.0.0.0", edit)
            explicit = word is not None
            yield self.diagnostic(
                where,
                (
                    span
                    if explicit
                    else (command.span(server.command.start, server.command.end) if command.origin.path else None)
                ),
                f"{server.kind} listens on {host}"
                + ("" if explicit else " by default")
                + ", which Railway's proxy cannot reach",
                help="Listen on all interfaces: " + ("replace it with 0.0.0.0." if explicit else _host_option(server)),
                fix=fix,
            )


def _edit_in_word(command: CommandText, word: Word, start: int, end: int, content: str) -> Edit | None:
    """Replace `[start, end)` of the word's text in the file the command is written in; None unless the word
    maps one to one onto the file."""
    path, base = command.origin.path, command.base
    if path is None or base is None or command.text[word.start : word.end] != word.text:
        return None
    return Edit(path, base + word.start + start, base + word.start + end, content)


def _host_option(server: Server) -> str:
    if server.kind in ("hypercorn", "daphne"):
        return "add `--bind 0.0.0.0:$PORT`." if server.kind == "hypercorn" else "add `-b 0.0.0.0 -p $PORT`."
    if server.kind == "manage.py runserver":
        return "pass `0.0.0.0:$PORT` (and use gunicorn in production)."
    return "add `--host 0.0.0.0`."


class HardcodedPort(ServiceRule):
    """
    ## What it does
    Reports servers that listen on a fixed port (`--port 8000`, `--bind 0.0.0.0:8000`) or on their default
    port, instead of the `PORT` variable Railway injects. Node servers only by an explicit option
    (`next start -p`, `vite preview --port`, `astro preview --port`): `next start` reads PORT itself, and
    Vite's and Astro's config files may set the port.

    ## Why is this bad?
    Railway routes traffic and health checks to `$PORT`. A server on another port gets no traffic: the
    health check reports "service unavailable" until the deploy fails.

    ## Example
    `python -m uvicorn ml_server:app --host 0.0.0.0 --port 8000`

    ## Fix safety
    Unsafe: `$PORT` is right on Railway, but a domain or another service may target the fixed port.
    """

    code = "ST004"
    name = "hardcoded-port"
    summary = "The server listens on a fixed port instead of $PORT"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"railpack.json": '{"deploy": {"startCommand": "gunicorn main:app"}}', "main.py": "app = 1\n"}),
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "gunicorn main:app --bind 0.0.0.0:${PORT:-8000}"}}',
                "main.py": "app = 1\n",
            }
        ),
        # Another variable may hold $PORT at run time: not certainly a fixed port.
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "gunicorn main:app --bind 0.0.0.0:$APP_PORT"}}',
                "main.py": "app = 1\n",
            }
        ),
        Invalid(
            {
                "railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port 8000"}}',
                "main.py": "app = 1\n",
            },
            expect=[("ST004", "railpack.json", 1, 69)],
            fixed={"railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}'},
            unsafe_fixes=True,
        ),
        # `next start` reads PORT itself; only an explicit `-p` fixes the port.
        Valid({"railpack.json": '{"deploy": {"startCommand": "pnpm exec next start"}}', "package.json": "{}"}),
        Invalid(
            {"railpack.json": '{"deploy": {"startCommand": "next start -p 3000"}}', "package.json": "{}"},
            expect=[("ST004", "railpack.json", 1, 44)],
            fixed={"railpack.json": '{"deploy": {"startCommand": "next start -p $PORT"}}'},
            unsafe_fixes=True,
        ),
        Invalid(
            {"railpack.json": '{"deploy": {"startCommand": "astro preview --host --port=4321"}}', "package.json": "{}"},
            expect=[("ST004", "railpack.json", 1, 58)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for command, server in _servers(service, project):
            listen = server.listen
            # Only a port written as a number is certainly fixed: another variable or a mangled word may
            # well be $PORT at run time, and a fix built on it would not settle. (A Node server without a
            # port option has an empty port: its config file or PORT decides.)
            if listen is None or uses_port_variable(listen.port) or not listen.port.isdigit():
                continue
            word = listen.port_word
            explicit = word is not None
            where, span = _where(service, command, word)
            fix = None
            dockerfile = image_of(service, project) is not None
            # On a Dockerfile build Railway runs the start command in exec form, where `$PORT` stays literal (DF003).
            if word is not None and not dockerfile and word.text.endswith(listen.port):
                edit = _edit_in_word(command, word, len(word.text) - len(listen.port), len(word.text), "$PORT")
                fix = Fix.unsafe("Listen on $PORT", edit) if edit is not None else None
            yield self.diagnostic(
                where,
                (
                    span
                    if explicit
                    else (command.span(server.command.start, server.command.end) if command.origin.path else None)
                ),
                f"{server.kind} listens on port {listen.port}"
                + ("" if explicit else " (its default)")
                + ", but Railway sends traffic to $PORT",
                help="Use the PORT variable Railway sets, e.g. `--port $PORT`, "
                + (
                    "from a shell: a shell-form CMD, or a start command wrapped in `/bin/sh -c`, since the exec form"
                    " expands no variables."
                    if dockerfile
                    else "(Railpack runs start commands with bash, so it expands)."
                ),
                fix=fix,
            )


class ServerNotInstalled(ServiceRule):
    """
    ## What it does
    Reports a start command whose server (uvicorn, gunicorn, hypercorn, granian, daphne, waitress, the
    `fastapi` or `flask` CLI) is not in the service's `requirements.txt` or `pyproject.toml` dependencies.

    ## Why is this bad?
    Railpack installs only what the manifests list; the container starts with `uvicorn: command not found`.
    Railpack does not add gunicorn to a Django project either.

    ## Example
    `gunicorn app:app` while requirements.txt lists only `flask`.
    """

    code = "ST005"
    builders = RAILPACK_ONLY
    name = "server-not-installed"
    summary = "The start command's server is not a dependency"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "gunicorn main:app"}}',
                "requirements.txt": "flask\ngunicorn==23.0.0\n",
                "main.py": "app = 1\n",
            }
        ),
        Invalid(
            {
                "railpack.json": '{"deploy": {"startCommand": "gunicorn main:app"}}',
                "requirements.txt": "flask\n",
                "main.py": "app = 1\n",
            },
            expect=[("ST005", "railpack.json", 1, 30)],
        ),
    )
    # Packages whose dependencies include the server (fastapi[standard] brings uvicorn and the fastapi CLI).
    PROVIDES: ClassVar[dict[str, tuple[str, ...]]] = {"fastapi-cli": ("fastapi",), "uvicorn": (), "flask": ()}

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        declared = project.derived.declared_dependencies(service)
        if declared is None:
            return  # no manifest railcheck can read: RQ004 or the provider rules say more
        for command, server in _servers(service, project):
            package = server.package
            if package is None or package in declared or _provided(package, declared):
                continue
            where, span = _where(service, command, server.command.words[0] if server.command.words else None)
            yield self.diagnostic(
                where,
                span,
                f"{command.origin.label} runs {server.kind.split()[0]}, but `{package}` is not in the service's"
                " dependencies",
                help=(
                    f"Add `{package}` to requirements.txt (or pyproject.toml); Railpack installs only what the"
                    " manifests list."
                ),
            )


def _provided(package: str, declared: frozenset[str]) -> bool:
    if package in ("uvicorn", "fastapi-cli"):
        return "fastapi[standard]" in declared or "fastapi[all]" in declared
    return False


class NoStartCommand(ServiceRule):
    """
    ## What it does
    Reports a Python service for which no start command exists anywhere: not in railpack.json, Railway's
    config, a Procfile, nor one Railpack can generate (it needs `main.py`, `app.py`, ... or a Django
    `manage.py`).

    ## Why is this bad?
    Railway runs Railpack with `--error-missing-start`, so the build fails with "No start command detected".

    ## Example
    A service with `requirements.txt` and `src/api.py`, and no `deploy.startCommand`.
    """

    code = "ST006"
    builders = RAILPACK_ONLY
    name = "no-start-command"
    summary = "Nothing tells Railway how to start the service"
    consequence = Consequence.FAILS
    examples = (
        Valid({"requirements.txt": "flask\n", "main.py": "print(1)\n", "railpack.json": "{}"}),
        Invalid(
            {"requirements.txt": "flask\n", "railpack.json": "{}", "src/api.py": ""},
            expect=[("ST006", "railpack.json", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        found = facts(service, project)
        # Without any Python marker at the root there is no Python app to start (SV001 covers detection).
        if found.start_commands or not found.builds_python or not found.python_markers:
            return
        if unreadable_configs(service, project):
            return  # a config that does not parse may set the start command; RC001 reports it
        if service.iac is not None and "start" in service.iac.settings:
            return  # the IaC file sets a start command railcheck cannot read (IC002 says why)
        if project.repository and "manage.py" in project.repository.listdir(service.root):
            return
        where = (
            service.railpack.path
            if service.railpack
            else service.root / found.python_markers[0]
            if found.python_markers
            else service.railpack_path
        )
        yield self.diagnostic(
            where,
            FILE_START,
            "no start command: nothing in railpack.json, Railway's config or a Procfile, and none of"
            f" {', '.join(MAIN_FILES)} for Railpack's default",
            help='Set `"deploy": {"startCommand": "..."}` in railpack.json (or a Procfile `web:` line).',
        )
