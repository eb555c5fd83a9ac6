"""What Railpack and Railway will do with one service: effective values, each with where it came from.

Resolution follows Railpack's code (docs/railpack-facts.md, "Effective values"): every candidate is kept in
priority order, lowest first, so a rule can say "these disagree, and this one wins because ...". Computed once
per service and kept in `Project.derived` (railcheck/derived.py), which calls the `resolve_`/`find_`/`list_`
functions here on first use; the helpers named after a value (`facts`, `module_info`, ...) read it from there.
Reads the texts the Project holds, and other files (a root's listing, a Node framework's config, the
Python files Django's WSGI module is looked for in) only through `project.repository`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from railcheck.layout import EARLIER_PROVIDERS, MAIN_FILES, PYTHON_MARKERS, SERVICE_FILES
from railcheck.modules import find_module, search_bases
from railcheck.origins import Candidate, CommandText, Origin
from railcheck.sources.python_version import parse_python_version_file, parse_runtime_txt, parse_tool_versions
from railcheck.sources.shell import ShellScript, parse_shell
from railcheck.sources.text import Document, LineIndex, ParseFailure, escape_pointer_token
from railcheck.sources.toml import parse_toml

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.servers import Server
    from railcheck.sources.pymodule import ModuleInfo

DEFAULT_PYTHON = "3.13"  # DEFAULT_PYTHON_VERSION, core/providers/python/python.go
# Railpack's prefix forms of a string command (`PATH:/dir`, `COPY:src dest`, ...), which it honours only outside
# railpack.json: written there, the whole string runs as a shell command (RP102).
PREFIXED_STRING_COMMAND = re.compile(r"^(PATH|COPY|FILE|RUN)[:#]")


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    python_versions: tuple[Candidate, ...]
    provider: Candidate | None
    python_markers: tuple[str, ...]
    competing_providers: tuple[tuple[str, str], ...]
    install_manager: str | None
    start_commands: tuple[CommandText, ...]
    commands: tuple[CommandText, ...]
    pyproject: Document | None = None

    @property
    def python_version(self) -> Candidate:
        return self.python_versions[-1]

    @property
    def start(self) -> CommandText | None:
        return self.start_commands[-1] if self.start_commands else None

    @property
    def builds_python(self) -> bool:
        if self.provider is not None:
            return self.provider.value.casefold() == "python"
        return bool(self.python_markers) and not self.competing_providers


def script(command: CommandText) -> ShellScript | ParseFailure:
    """The command parsed as a shell would (parses are cached by text)."""
    return parse_shell(command.text)


def command_servers(command: CommandText) -> tuple[Server, ...]:
    """The servers `command` runs; () when it does not parse (CM001 says why)."""
    return _servers_in(command.text)


@lru_cache(maxsize=4096)
def _servers_in(text: str) -> tuple[Server, ...]:
    # By text, like the parse: services repeat their start commands, and a Server's offsets are the text's.
    from railcheck.servers import servers

    parsed = parse_shell(text)
    return () if isinstance(parsed, ParseFailure) else tuple(servers(parsed))


def start_servers(service: Service, project: Project) -> tuple[Server, ...]:
    """The servers the effective start command runs; () when there is none or it does not parse (CM001)."""
    start = facts(service, project).start
    return command_servers(start) if start is not None else ()


# A named tuple, not a dataclass: every run imports this module, and a dataclass costs about a millisecond
# of start-up to create (it compiles its methods), a named tuple a fifth of that.
class StartModule(NamedTuple):
    """A server of the effective start command, the folders the running image searches its imports in (the
    working directory and its options, then PYTHONPATH), and the file its module is there."""

    server: Server
    bases: tuple[PurePosixPath, ...]
    path: PurePosixPath | None  # None for a server without a module, or a module no file of the repository is


def start_modules(service: Service, project: Project) -> tuple[StartModule, ...]:
    """The servers of the effective start command with their modules resolved, once per service
    (`Project.derived`): DJ001 and the HC route tables both start from them."""
    return project.derived.start_modules(service)


def resolve_start_modules(service: Service, project: Project) -> tuple[StartModule, ...]:
    """Resolve `start_modules`; `Project.derived` calls it once per service."""
    servers = start_servers(service, project)
    if not servers:
        return ()
    root = app_root(service, project)  # as the image holds it: a Dockerfile may copy one folder to /app
    repository = project.repository
    found = []
    for server in servers:
        # PYTHONPATH may come from a variable or the builder (railpack.json, a Dockerfile's ENV).
        bases = tuple(search_bases(root, server.cwd, server.search_dirs, runtime_pythonpath(service, project, server)))
        module = server.module
        path = find_module(repository, bases, module) if repository is not None and module else None
        found.append(StartModule(server, bases, path))
    return tuple(found)


def facts(service: Service, project: Project) -> ServiceFacts:
    """The resolved view of `service`, computed once per project (`Project.derived`)."""
    return project.derived.facts(service)


def resolve_facts(service: Service, project: Project) -> ServiceFacts:
    """Resolve `service`'s facts; `Project.derived` calls it once per service."""
    root = service.root
    repository = project.repository
    names = set(repository.listdir(root)) if repository else set()
    texts: dict[str, str] = {}
    if repository is not None:
        # The texts loading read (`project.texts` is the repository's), found by name without a path object each.
        prefix = "" if str(root) == "." else f"{root}/"
        for name in SERVICE_FILES:
            if name in names and (text := repository.text(f"{prefix}{name}")) is not None:
                texts[name] = text
    railpack = (
        service.railpack.value if service.railpack is not None and isinstance(service.railpack.value, dict) else {}
    )
    forced = railpack.get("provider")
    provider = None
    if isinstance(forced, str) and forced:
        provider = Candidate(forced, _value_origin(service.railpack, "/provider", "`provider` in railpack.json"))
    markers = tuple(name for name in PYTHON_MARKERS if name in names)
    competing = tuple((name, marker) for name, files in EARLIER_PROVIDERS for marker in files if marker in names)
    from railcheck.providers import detect_provider

    detected = detect_provider(names) if provider is None else None
    if detected is not None:
        provider = Candidate(
            detected[0], Origin(f"detected from {root / detected[1] if str(root) != '.' else detected[1]}")
        )
    from railcheck.builder import builds_with

    builder = builds_with(service, project)
    return ServiceFacts(
        python_versions=tuple(_python_versions(service, texts)),
        provider=provider,
        python_markers=markers,
        competing_providers=competing,
        install_manager=_install_manager(names),
        start_commands=tuple(
            _start_commands(service, project, texts, names, builder, provider.value.casefold() if provider else None)
        ),
        commands=tuple(_commands(service, project, texts, builder)),
        pyproject=_toml_document(texts, root, "pyproject.toml"),
    )


def _toml_document(texts: dict[str, str], root: PurePosixPath, name: str) -> Document | None:
    text = texts.get(name)
    parsed = parse_toml(text, root / name) if text is not None else None
    return parsed if isinstance(parsed, Document) else None


def _value_origin(document: Document | None, pointer: str, label: str) -> Origin:
    if document is None:
        return Origin(label)
    return Origin(label, document.path, document.value_span(pointer))


# --- Python version -------------------------------------------------------------------------------


def _python_versions(service: Service, texts: dict[str, str]) -> list[Candidate]:
    root = service.root
    found = [Candidate(DEFAULT_PYTHON, Origin("Railpack's default"))]
    pipfile = texts.get("Pipfile")
    if pipfile is not None:
        document = parse_toml(pipfile, root / "Pipfile")
        requires = document.value.get("requires", {}) if isinstance(document, Document) else {}
        for key in ("python_version", "python_full_version"):  # the full version wins (python.go)
            # Railpack's patterns take digits and dots only; anything else (a range) is ignored.
            if (
                isinstance(requires, dict)
                and isinstance(requires.get(key), str)
                and re.fullmatch(r"[0-9.]+", requires[key].strip())
            ):
                found.append(
                    Candidate(
                        requires[key],
                        _value_origin(
                            document if isinstance(document, Document) else None,
                            f"/requires/{key}",
                            f"`requires.{key}` in Pipfile",
                        ),
                    )
                )
    runtime = texts.get("runtime.txt")
    if runtime is not None:
        entry = parse_runtime_txt(runtime)
        if entry is not None:
            found.append(
                Candidate(
                    entry.text,
                    Origin("runtime.txt", root / "runtime.txt", LineIndex(runtime).span(entry.start, entry.end)),
                )
            )
    # mise reads these inside the root directory only (MISE_CEILING_PATHS); its config files beat idiomatic ones.
    python_version = texts.get(".python-version")
    if python_version is not None:
        entries = parse_python_version_file(python_version)
        if entries:
            first = entries[0]
            found.append(
                Candidate(
                    first.text,
                    Origin(
                        ".python-version",
                        root / ".python-version",
                        LineIndex(python_version).span(first.start, first.end),
                    ),
                )
            )
    tool_versions = texts.get(".tool-versions")
    if tool_versions is not None:
        entry = parse_tool_versions(tool_versions)
        if entry is not None:
            found.append(
                Candidate(
                    entry.text,
                    Origin(
                        ".tool-versions", root / ".tool-versions", LineIndex(tool_versions).span(entry.start, entry.end)
                    ),
                )
            )
    for name in ("mise.toml", ".mise.toml"):
        text = texts.get(name)
        if text is None:
            continue
        mise = parse_toml(text, root / name)
        if isinstance(mise, Document):
            tools = mise.value.get("tools")
            python = tools.get("python") if isinstance(tools, dict) else None
            if isinstance(python, str):
                found.append(Candidate(python, _value_origin(mise, "/tools/python", f"`tools.python` in {name}")))
    variable = service.variable("RAILPACK_PYTHON_VERSION")
    if variable:
        found.append(Candidate(variable, Origin("RAILPACK_PYTHON_VERSION (declared service variable)")))
    packages = service.variable("RAILPACK_PACKAGES")
    for package in (packages or "").split():
        if package.startswith("python@"):
            found.append(Candidate(package.split("@", 1)[1], Origin("RAILPACK_PACKAGES (declared service variable)")))
    railpack = service.railpack
    if railpack is not None and isinstance(railpack.value, dict):
        packages_value = railpack.value.get("packages")
        if isinstance(packages_value, dict) and isinstance(packages_value.get("python"), str):
            # Re-applied after the provider ran, so it beats every other source (core/generate/context.go).
            found.append(
                Candidate(
                    packages_value["python"],
                    _value_origin(railpack, "/packages/python", "`packages.python` in railpack.json"),
                )
            )
    return found


# --- install and start ----------------------------------------------------------------------------


def _install_manager(names: set[str]) -> str | None:
    """Which tool installs dependencies (python.go:82-94); None when nothing will be installed."""
    if "requirements.txt" in names:
        return "pip"
    if "pyproject.toml" in names:
        for lock, manager in (("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pdm.lock", "pdm")):
            if lock in names:
                return manager
    if "Pipfile" in names:
        return "pipenv"
    return None


def _manifests(texts: dict[str, str]) -> str:
    """The manifests Railpack's usesDep searches (python.go:531-544), case-folded once for every dependency
    asked about; one line apart, so that no dependency's name (which has no line break) spans two of them."""
    return "\n".join(texts.get(name, "") for name in ("requirements.txt", "pyproject.toml", "Pipfile")).casefold()


def _uses(manifests: str, dependency: str) -> bool:
    # Railpack's usesDep: a case-insensitive substring search of the manifests (python.go:531-544).
    return dependency.casefold() in manifests


def _default_start(
    service: Service, project: Project, texts: dict[str, str], names: set[str], provider: str | None
) -> CommandText | None:
    """Railpack's generated start command for the provider (Python: python.go:144-171; Node: node.go's
    GetStartCommand), or None. Other providers' defaults are not modelled."""
    if provider == "node":
        from railcheck.providers import node_start, package_json

        manifest = package_json(texts.get("package.json"))
        repository = project.repository

        def read(name: str) -> str | None:  # a framework's config file at the root directory
            return repository.read(service.root / name) if repository is not None and name in names else None

        found = node_start(manifest, names, read) if manifest is not None else None
        return (
            CommandText(found[0], "start", Origin(f"Railpack's default start command for Node ({found[1]})"))
            if found
            else None
        )
    if provider not in (None, "python"):
        return None
    main = next((name for name in MAIN_FILES if name in names), None)
    command = label = None
    manifests = _manifests(texts) if main or "manage.py" in names else ""
    if "manage.py" in names and _uses(manifests, "django"):
        # Django's command comes first; a FastAPI/Flask main file below still overrides it, as in python.go.
        application = _django_application(service, project)
        if application is not None:
            command, label = (
                f"python manage.py migrate && gunicorn --bind 0.0.0.0:${{PORT:-8000}} {application}:application",
                "Django",
            )
    if main and _uses(manifests, "python-fasthtml") and _uses(manifests, "uvicorn"):
        command, label = "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}", "FastHTML"
    if main and _uses(manifests, "fastapi") and _uses(manifests, "uvicorn"):
        command, label = "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}", "FastAPI"
    if main and _uses(manifests, "flask") and _uses(manifests, "gunicorn"):
        command, label = "gunicorn --bind 0.0.0.0:${PORT:-8000} main:app", "Flask"
    if command is None and main:
        command, label = f"python {main}", f"a service with {main}"
    if command is None:
        return None
    return CommandText(command, "start", Origin(f"Railpack's default start command for {label}"))


_WSGI_APPLICATION = re.compile(r"""WSGI_APPLICATION = ["'](.*).application["']""")


def _django_application(service: Service, project: Project) -> str | None:
    """The WSGI module Railpack finds in the root directory's Python files (getDjangoAppName in django.go):
    the first `WSGI_APPLICATION = "<module>.application"` setting."""
    repository = project.repository
    if repository is None:
        return None
    for path in repository.files_under(service.root, limit=2000):
        if path.suffix != ".py":
            continue
        match = _WSGI_APPLICATION.search(repository.read(path) or "")
        if match:
            return match.group(1)
    return None


def iac_command(
    service: Service, project: Project, setting: str, kind: str, index: int | None = None
) -> CommandText | None:
    """A command written in the IaC file's `service(...)` call (`start`, `build`, or `preDeploy[index]`)."""
    document = project.iac
    if service.iac is None or document is None:
        return None
    value = service.iac.settings.get(setting)
    if value is not None and index is not None:
        value = dict(value.entries).get(index)
    if value is None or not isinstance(value.value, str) or not value.value.strip():
        return None
    label = f'`{setting}` of `service("{service.name}")` in {document.path}' + (
        f" (item {index})" if index is not None else ""
    )
    return CommandText(
        value.value,
        kind,
        Origin(label, document.path, document.span(value.start, value.end)),
        value.text_start,
        document.lines,
    )


def _start_commands(
    service: Service, project: Project, texts: dict[str, str], names: set[str], builder: str, provider: str | None
) -> list[CommandText]:
    """The start command candidates of the service's builder, lowest priority first."""
    found = []
    if builder == "dockerfile":
        # The image's CMD/ENTRYPOINT; Procfile, railpack.json and Railpack's defaults play no part.
        from railcheck.builder import image_of

        image = image_of(service, project)
        if image is not None and image.start is not None:
            found.append(image.start)
        return found + _railway_start_commands(service, project)
    if builder not in ("railpack", "nixpacks"):  # undecided: only what holds for either builder
        return _railway_start_commands(service, project)
    default = _default_start(service, project, texts, names, provider) if builder == "railpack" else None
    if default is not None:
        found.append(default)
    procfile = texts.get("Procfile")
    if procfile is not None:
        entries = _procfile(procfile, service.root / "Procfile")
        for process in ("web", "worker"):
            if process in entries:
                found.append(entries[process])
                break
        else:
            if entries:
                found.append(next(iter(entries.values())))
    if builder == "railpack":
        variable = service.variable("RAILPACK_START_CMD")
        if variable:
            found.append(CommandText(variable, "start", Origin("RAILPACK_START_CMD (declared service variable)")))
        railpack = _string_command(
            service.railpack, "/deploy/startCommand", "start", "`deploy.startCommand` in railpack.json"
        )
        if railpack is not None:
            found.append(railpack)
    return found + _railway_start_commands(service, project)


def _railway_start_commands(service: Service, project: Project) -> list[CommandText]:
    found = []
    # Railway's start command overrides the image's (deployments/start-command.md).
    railway = _string_command(
        service.railway,
        "/deploy/startCommand",
        "start",
        f"`deploy.startCommand` in {service.railway.path.name if service.railway else ''}",
    )
    if railway is not None:
        found.append(railway)
    iac = iac_command(service, project, "start", "start")
    if iac is not None:
        found.append(iac)
    return found


_PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)[ \t]*$")


def _procfile(text: str, path: PurePosixPath) -> dict[str, CommandText]:
    lines = LineIndex(text)
    entries: dict[str, CommandText] = {}
    offset = 0
    for line in text.splitlines(keepends=True):
        match = _PROCFILE_LINE.match(line.rstrip("\r\n"))
        if match and match.group(2):
            start = offset + match.start(2)
            origin = Origin(
                f"the `{match.group(1)}` process in Procfile", path, lines.span(start, start + len(match.group(2)))
            )
            entries.setdefault(match.group(1), CommandText(match.group(2), "start", origin, start, lines))
        offset += len(line)
    return entries


def _string_command(
    document: Document | None, pointer: str, kind: str, label: str, *, exec_form: bool = False
) -> CommandText | None:
    if document is None:
        return None
    value = document.get(pointer)
    if not isinstance(value, str) or not value.strip():
        return None
    start, end = document.value_offsets[pointer]
    literal = document.text[start:end]
    # The literal maps one to one when it is the value between one pair of quotes, with no escapes.
    base = start + 1 if literal[1:-1] == value and literal[:1] in "\"'" and "\\" not in literal else None
    return CommandText(
        value, kind, Origin(label, document.path, document.value_span(pointer)), base, document.lines, exec_form
    )


def prefixed_in_railpack(service: Service, command: CommandText) -> bool:
    """A railpack.json string command in one of Railpack's prefix forms: RP102 reports it, and what its text
    names (`PATH:/app/bin`) is not a path the build uses, so the path checks leave it alone."""
    return command.origin.path == service.railpack_path and PREFIXED_STRING_COMMAND.match(command.text) is not None


def _commands(service: Service, project: Project, texts: dict[str, str], builder: str) -> list[CommandText]:
    """Every command railcheck can see for the service: build steps, Railway's commands, Procfile entries;
    railpack.json's only when Railpack builds the service, Procfile's not for a Dockerfile build."""
    found: list[CommandText] = []
    if builder == "dockerfile":
        from railcheck.builder import image_of

        image = image_of(service, project)
        if image is not None and image.start is not None:
            found.append(image.start)
    railpack = service.railpack if builder == "railpack" else None
    if railpack is not None and isinstance(railpack.value, dict) and isinstance(railpack.value.get("steps"), dict):
        for name, step in railpack.value["steps"].items():
            commands = step.get("commands") if isinstance(step, dict) else None
            if not isinstance(commands, list):
                continue
            for index, command in enumerate(commands):
                pointer = f"/steps/{escape_pointer_token(name)}/commands/{index}"
                if command == "...":
                    continue
                label = f"`steps.{name}.commands[{index}]` in railpack.json"
                kind = "install" if name == "install" else "build"  # which Railpack step runs it
                if isinstance(command, dict) and isinstance(command.get("cmd"), str):
                    text = _string_command(railpack, pointer + "/cmd", kind, label, exec_form=True)
                else:
                    text = _string_command(railpack, pointer, kind, label)
                if text is not None:
                    found.append(text)
    start = _string_command(railpack, "/deploy/startCommand", "start", "`deploy.startCommand` in railpack.json")
    if start is not None:
        found.append(start)
    railway = service.railway
    if railway is not None:
        name = railway.path.name
        for pointer, kind in (
            ("/build/buildCommand", "build"),
            ("/deploy/startCommand", "start"),
            ("/deploy/preDeployCommand", "pre-deploy"),
        ):
            text = _string_command(railway, pointer, kind, f"`{pointer[1:].replace('/', '.')}` in {name}")
            if text is not None:
                found.append(text)
        pre_deploy = (
            railway.value.get("deploy", {}).get("preDeployCommand")
            if isinstance(railway.value, dict) and isinstance(railway.value.get("deploy"), dict)
            else None
        )
        if isinstance(pre_deploy, list):
            for index in range(len(pre_deploy)):
                text = _string_command(
                    railway,
                    f"/deploy/preDeployCommand/{index}",
                    "pre-deploy",
                    f"`deploy.preDeployCommand[{index}]` in {name}",
                )
                if text is not None:
                    found.append(text)
    procfile = texts.get("Procfile") if builder in ("railpack", "nixpacks") else None
    if procfile is not None:
        found.extend(_procfile(procfile, service.root / "Procfile").values())
    for setting, kind in (("start", "start"), ("build", "build")):
        command = iac_command(service, project, setting, kind)
        if command is not None:
            found.append(command)
    pre_deploy = service.iac.settings.get("preDeploy") if service.iac else None
    for key, _ in pre_deploy.entries if pre_deploy is not None else ():
        # a list's keys are ints
        command = iac_command(service, project, "preDeploy", "pre-deploy", key) if isinstance(key, int) else None
        if command is not None:
            found.append(command)
    return found


def runtime_pythonpath(service: Service, project: Project, server: Server) -> list[str]:
    """The static PYTHONPATH entries the start command runs with: its own `PYTHONPATH=` prefix, a declared
    service variable, and what the builder sets (railpack.json's `deploy.variables`, a Dockerfile's ENV)."""
    from railcheck.builder import RAILPACK, build_of, image_of

    values = [server.pythonpath or "", service.variable("PYTHONPATH") or ""]
    image = image_of(service, project)
    if image is not None:
        values.append(image.variable("PYTHONPATH") or "")
    elif build_of(service, project).builder == RAILPACK and service.railpack is not None:
        variable = service.railpack.get("/deploy/variables/PYTHONPATH")
        values.append(variable if isinstance(variable, str) else "")
    return [entry for value in values for entry in value.split(":") if entry and "$" not in entry]


def module_info(project: Project, path: PurePosixPath) -> ModuleInfo | ParseFailure | None:
    """The static analysis of the Python module at `path`, once per run (`Project.derived`); None when it cannot
    be read."""
    return project.derived.module_info(path)


def requirement_files(service: Service, project: Project) -> tuple[tuple[PurePosixPath, str], ...]:
    """The service's root-level requirements*.txt files that were read, in name order (`Project.derived`)."""
    return project.derived.requirement_files(service)


def list_requirement_files(service: Service, project: Project) -> tuple[tuple[PurePosixPath, str], ...]:
    """List `requirement_files`; `Project.derived` calls it once per service."""
    names = project.repository.listdir(service.root) if project.repository is not None else ()
    paths = (service.root / name for name in names if name.startswith("requirements") and name.endswith(".txt"))
    return tuple((path, project.texts[path]) for path in paths if path in project.texts)


def unreadable_configs(service: Service, project: Project) -> tuple[PurePosixPath, ...]:
    """The service's railpack.json and Railway config files that exist but did not parse (RC001 reports
    them). What they set is unknown, so rules about values they could set stay silent instead of judging
    the service as if the file said nothing."""
    paths = {service.railpack_path, service.root / "railway.toml", service.root / "railway.json"}
    declaration = next(
        (item for item in project.config.services if item.name == service.name and item.root == service.root), None
    )
    if declaration is not None and declaration.railway_config:
        paths.add(PurePosixPath(declaration.railway_config.lstrip("/")))
    return tuple(problem.path for problem in project.problems if problem.path in paths)


def copied_app(service: Service, project: Project) -> str | None:
    """For messages: the folder a Dockerfile copies to `/app` when it is not the root directory, else None."""
    from railcheck.builder import image_of

    image = image_of(service, project)
    if image is not None and image.app_root is not None and image.app_root != service.root:
        return f"{image.app_root}/, which {image.path} copies to /app"
    return None


def app_root(service: Service, project: Project) -> PurePosixPath:
    """The repository folder the running image holds at `/app`: the root directory for Railpack (and
    Nixpacks), the folder a Dockerfile copies there (see `paths_checkable`)."""
    from railcheck.builder import image_of

    image = image_of(service, project)
    return image.app_root if image is not None and image.app_root is not None else service.root
