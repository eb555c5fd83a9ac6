"""IC: Railway infrastructure as code (`.railway/railway.py`, `.railway/railway.ts`), read statically.

The IaC file states each service's root directory, start command, health check and variables; the rest of
railcheck checks services against the root directories it declares. These rules check the file itself and
how it fits the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from railcheck import (
    RAILPACK_ONLY,
    Consequence,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Invalid,
    Project,
    ProjectRule,
    Related,
    Requires,
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.facts import facts, start_servers
from railcheck.servers import uses_port_variable
from railcheck.types import FILE_START

FAMILY = "IC"
DEFAULT_DOMAIN_PORT = 8080  # what the SDKs use when a domain gives no `port`
_REFERENCE = re.compile(r"\$\{\{\s*([A-Za-z0-9_-]+)\.[A-Za-z0-9_]+\s*\}\}")
_SETTINGS_THAT_MATTER = ("root", "start", "healthcheck")
# The builders the SDKs' BuildConfig names (npm railway 3.11.0 `BuildConfig.builder`).
BUILDERS = ("RAILPACK", "DOCKERFILE", "NIXPACKS", "HEROKU", "PAKETO")
# `build` written as a key (TypeScript) or keyword (Python) right before the value: the fix edits only there.
_BUILD_KEY = re.compile(r"""(?:\bbuild|["']build["'])\s*[:=]\s*$""")
SHOP = (
    "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
    '    return project("shop", resources=[service("api", root="services/svc", start="python main.py")])\n'
)


def _span(project: Project, value: Any):
    return project.iac.span(value.start, value.end) if project.iac else None


class IacRootMissing(ServiceRule):
    """
    ## What it does
    Reports a service whose root directory in the IaC file does not exist in the repository.

    ## Why is this bad?
    Railway builds from that folder; if it is not there the build has no source, and every check railcheck
    makes for the service is about a folder that will never be deployed.

    ## Example
    `service("api", root="services/apii")` while the code is in `services/api`.
    """

    code = "IC001"
    name = "iac-root-missing"
    summary = "An IaC service's root directory does not exist"
    consequence = Consequence.FAILS
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "print(1)\n", "requirements.txt": "x\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP.replace("services/svc", "services/nope")},
            expect=[("IC001", "/.railway/railway.py", 5, 59)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        if service.iac is None or project.iac is None:
            return
        if repository.is_dir(service.root):
            return
        value = service.iac.settings["root"]
        yield self.diagnostic(
            project.iac.path,
            _span(project, value),
            f"the root directory {service.root}/ of service `{service.name}` does not exist in the repository",
            help="Point `root` (or the source's `rootDirectory`) at the folder that holds the service's code.",
        )


_DYNAMIC_HELP = (
    "Declare the services with service(...) in the program, or in helper functions made of assignments and one "
    "`return service(...)` (no branches or loops), with literal names and roots."
)


def _unread(document: Any, project: Project) -> tuple[int, Any] | None:
    """For an IaC file that calls service(...) but yields no service (IC009): the offset of its first call, and
    the reader's problem that explains it (one placed in the file before one about the whole file), if any."""
    if document.file.services:
        return None
    call = project.derived.first_service_call()
    if call is None:
        return None
    problems = sorted(document.file.problems, key=lambda problem: (problem.end == 0, problem.start))
    return call, (problems[0] if problems else None)


def _unknown_roots(document: Any) -> Iterator[tuple[str, Any]]:
    """Each service of the file whose root directory cannot be read (IC009): railcheck cannot check it. A
    service not built from this repository (an image) has no root directory here to check."""
    from railcheck.sources.iac import UNKNOWN, built_elsewhere

    elsewhere = built_elsewhere(document.file)
    for call in document.file.services:
        root = call.settings.get("root")
        if root is not None and root.value is UNKNOWN and call.name not in elsewhere:
            yield call.name, root


class IacNotStatic(ProjectRule):
    """
    ## What it does
    Reports the parts of the IaC file railcheck cannot read without running it: settings computed at run time
    (environment lookups, function calls, loops), services built dynamically, imports of local modules.

    ## Why is this bad?
    railcheck never runs the file, so it cannot check what those parts produce; a root directory or start
    command it cannot see is a service it cannot check. Literal values keep the file reviewable too.

    ## Example
    `service("api", root=os.environ["API_ROOT"])`
    """

    repository_wide = True  # about the repository's one IaC file: once per run, not once per parallel chunk
    code = "IC002"
    name = "iac-not-static"
    summary = "Part of the IaC file cannot be read statically"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP.replace('start="python main.py"', 'start=os.environ["START"]')},
            expect=[("IC002", "/.railway/railway.py", 5, 81)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        if document is None:
            return
        from railcheck.sources.iac import UNKNOWN, built_elsewhere  # only with an IaC file: loaded only then

        unread = _unread(document, project)
        for problem in document.file.problems:
            if unread is not None and problem is unread[1]:
                continue  # IC009 reports it, as the reason no service could be read
            yield self.diagnostic(
                document.path,
                document.span(problem.start, max(problem.start, problem.end)),
                problem.message,
                help="Write literal values (or names bound to literals) so the file can be checked without running it.",
            )
        elsewhere = built_elsewhere(document.file)
        for call in document.file.services:
            if call.name in elsewhere:
                continue  # its root and commands are not this repository's to check
            for setting in _SETTINGS_THAT_MATTER:
                value = call.settings.get(setting)
                if value is None or value.value is not UNKNOWN or setting == "root":
                    continue  # an unknown root is IC009's: the service cannot be checked at all
                yield self.diagnostic(
                    document.path,
                    document.span(value.start, value.end),
                    f"`{setting}` of service `{call.name}` is not known without running the file:"
                    f" {value.reason or 'not a literal'}",
                    service=call.name,
                    help="Use a literal (or a name bound to one); railcheck does not guess values it cannot read.",
                )


class ManagedTwice(ServiceRule):
    """
    ## What it does
    Reports a service declared in the IaC file whose root directory also holds a `railway.json` or
    `railway.toml`.

    ## Why is this bad?
    Railway does not let a service be managed both by infrastructure as code and by config as code; the
    CaC file is a leftover that conflicts with the IaC settings.

    ## Example
    `.railway/railway.py` declares `service("api", root="services/api")`, and `services/api/railway.json`
    still exists.
    """

    code = "IC003"
    name = "managed-twice"
    summary = "A service is managed by the IaC file and by railway.json/railway.toml"
    consequence = Consequence.MISBEHAVES
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n", "railway.json": "{}"},
            expect=[("IC003", "railway.json", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        if (
            service.iac is None
            or service.railway is None
            or project.iac is None
            or _literal(service, "configFile") is not None
        ):
            return  # with `configFile`, the IaC file itself names the Railway config the service reads
        yield self.diagnostic(
            service.railway,
            service.railway.lines.span(0, 1),
            f"service `{service.name}` is declared in {project.iac.path}, and this {service.railway.path.name}"
            " configures it too; Railway refuses to manage a service both ways",
            help=f'Move its settings into the `service("{service.name}")` call and delete {service.railway.path}.',
            related=(
                Related(
                    project.iac.path,
                    project.iac.span(service.iac.name_start, service.iac.name_end),
                    "the IaC declaration",
                ),
            ),
        )


class IacFileMisplaced(ProjectRule):
    """
    ## What it does
    Reports IaC files the Railway CLI will not find from the repository root: `railway.py`/`railway.ts`
    outside a `.railway/` folder, or a `.railway/` folder below the repository root.

    ## Why is this bad?
    The CLI uses the `.railway/` folder nearest to where it runs (walking up); run from the repository root,
    it never sees the misplaced file, so `railway config apply` applies something else, or nothing.

    ## Example
    `services/api/.railway/railway.py`, or `railway.ts` at the repository root.
    """

    # Not repository-wide: each parallel chunk looks below its own services (whose folders it has listed
    # already), and the chunks' identical findings at the repository root are merged into one.
    code = "IC004"
    name = "iac-file-misplaced"
    summary = "An IaC file sits where the Railway CLI will not find it"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Invalid({"/railway.py": SHOP, "railpack.json": "{}"}, expect=[("IC004", "/railway.py", 1, 1)]),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        top = set(repository.listdir(PurePosixPath(".")))
        for name in ("railway.py", "railway.ts"):
            if name in top and name not in repository.listdir(PurePosixPath(".railway")):
                yield self.diagnostic(
                    PurePosixPath(name),
                    FILE_START,
                    f"{name} is at the repository root; the Railway CLI reads it only from .railway/{name}",
                    help=f"Move it to .railway/{name}.",
                )
        for service in project.services:
            if str(service.root) == "." or service.built_elsewhere:
                continue
            for name in ("railway.py", "railway.ts"):
                path = service.root / ".railway" / name
                if repository.is_file(path):
                    yield self.diagnostic(
                        path,
                        FILE_START,
                        f"{path} is below the repository root; run from the root, the Railway CLI uses"
                        f" {'.railway/' + name if project.iac else 'no IaC file'} instead",
                        service=service.name,
                        help="Keep one IaC file for the project, in .railway/ at the repository root.",
                    )


class UnknownServiceReference(ServiceRule):
    """
    ## What it does
    Reports variables in the IaC file that reference a service or database the project does not declare:
    `${{name.VAR}}` where `name` is neither a service, a database nor `shared`.

    ## Why is this bad?
    Railway resolves the reference to an empty value, so the app starts without, say, its database URL.

    ## Example
    `env={"DATABASE_URL": "${{postgress.DATABASE_URL}}"}` while the database is `postgres("postgres")`.

    A partial file (`PARTIAL = ...`, `export const partial`) owns only some of the project's services, so its
    references are not checked: the service they name may be declared by another repository's file.
    """

    checks_build = False  # a variable of an image or function service is set by this file all the same
    code = "IC005"
    name = "unknown-service-reference"
    summary = "A variable references a service the IaC file does not declare"
    consequence = Consequence.MISBEHAVES
    examples = (
        Valid(
            {
                "/.railway/railway.py": SHOP.replace(
                    'start="python main.py"', 'start="python main.py", env={"A": "${{api.RAILWAY_PRIVATE_DOMAIN}}"}'
                ),
                "main.py": "",
                "requirements.txt": "x\n",
            }
        ),
        Valid(
            {
                "/.railway/railway.py": (
                    SHOP.replace(
                        'start="python main.py"', 'start="python main.py", env={"DB": "${{Postgres.DATABASE_URL}}"}'
                    ).replace("\n\n@", '\n\nPARTIAL = "api"\n\n@')
                ),
                "main.py": "",
                "requirements.txt": "x\n",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": SHOP.replace(
                    'start="python main.py"', 'start="python main.py", env={"DB": "${{postgress.DATABASE_URL}}"}'
                ),
                "main.py": "",
                "requirements.txt": "x\n",
            },
            expect=[("IC005", "/.railway/railway.py", 5, 110)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        variables = service.iac.settings.get("variables") if service.iac else None
        if document is None or variables is None or document.file.partial:
            return  # a partial file owns some services; a reference may name one that another file declares
        declared = {call.name for call in document.file.services} | {name for name, _, _ in document.file.databases}
        known = declared | {"shared"}  # `shared` is the project's shared variables, not a service
        for key, value in variables.entries:
            if not isinstance(value.value, str):
                continue
            for match in _REFERENCE.finditer(value.value):
                if match.group(1) in known:
                    continue
                yield self.diagnostic(
                    document.path,
                    document.span(value.start, value.end),
                    f"`{key}` references `{match.group(1)}`, which the IaC file does not declare; Railway resolves it"
                    " to nothing",
                    help="Services and databases the file declares: "
                    + ", ".join(f"`{name}`" for name in sorted(declared))
                    + ". Shared variables are `${{shared.NAME}}`.",
                )


class DomainPortMismatch(ServiceRule):
    """
    ## What it does
    Reports a domain whose target port differs from the port the start command listens on, and domains
    written with `targetPort`, which the SDKs ignore (they read `port`, default 8080).

    ## Why is this bad?
    The domain sends traffic to a port nothing listens on: every request gets 502 "Application failed to
    respond".

    ## Example
    `domains=[{"domain": "api.example.com", "targetPort": 8000}]` with `--port 8000`: the domain targets 8080.
    """

    checks_build = False  # the domain is this file's, whatever the service runs
    code = "IC006"
    name = "domain-port-mismatch"
    summary = "A domain targets a port the service does not listen on"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "/.railway/railway.py": SHOP.replace(
                    'start="python main.py"',
                    'start="uvicorn main:app --host 0.0.0.0 --port 8000", domains=[{"domain": "a.example", "port":'
                    " 8000}]",
                ),
                "main.py": "app = 1\n",
                "requirements.txt": "uvicorn\n",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": SHOP.replace(
                    'start="python main.py"',
                    'start="uvicorn main:app --host 0.0.0.0 --port 8000", domains=[{"domain": "a.example",'
                    ' "targetPort": 8000}]',
                ),
                "main.py": "app = 1\n",
                "requirements.txt": "uvicorn\n",
            },
            expect=[("IC006", "/.railway/railway.py", 5, 137)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        domains = service.iac.settings.get("domains") if service.iac else None
        if document is None or domains is None:
            return
        port = self._listening_port(service, project)
        for _, domain in domains.entries:
            if not isinstance(domain.value, dict):
                continue
            target = domain.value.get("port", DEFAULT_DOMAIN_PORT)
            name = domain.value.get("domain", "the domain")
            if "targetPort" in domain.value and "port" not in domain.value:
                yield self.diagnostic(
                    document.path,
                    document.span(domain.start, domain.end),
                    f"`targetPort` is not read for {name}: the SDK reads `port`, so the domain targets"
                    f" {DEFAULT_DOMAIN_PORT}",
                    help="Write `port` instead of `targetPort`.",
                )
            elif port is not None and isinstance(target, int) and target != port:
                yield self.diagnostic(
                    document.path,
                    document.span(domain.start, domain.end),
                    f"{name} targets port {target}, but the start command listens on {port}",
                    help="Make the domain's `port` and the start command's port the same (or listen on $PORT).",
                )

    @staticmethod
    def _listening_port(service: Service, project: Project) -> int | None:
        for server in start_servers(service, project):
            if (
                server.listen is not None
                and not uses_port_variable(server.listen.port)
                and server.listen.port.isdigit()
            ):
                return int(server.listen.port)
        return None


class IacStartDiffers(ServiceRule):
    """
    ## What it does
    Reports an IaC start command that differs from `deploy.startCommand` in the service's railpack.json.

    ## Why is this bad?
    Railway's start command overrides the image's, so railpack.json's is never used; whoever edits it sees
    no effect.

    ## Example
    `service("api", start="gunicorn app:app")` while railpack.json says `uvicorn main:app ...`.
    """

    code = "IC007"
    builders = RAILPACK_ONLY
    name = "iac-start-differs"
    summary = "The IaC start command and railpack.json's disagree; the IaC one wins"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {
                "/.railway/railway.py": SHOP,
                "railpack.json": '{"deploy": {"startCommand": "python main.py"}}',
                "main.py": "",
                "requirements.txt": "x\n",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": SHOP,
                "railpack.json": '{"deploy": {"startCommand": "python app.py"}}',
                "main.py": "",
                "app.py": "",
                "requirements.txt": "x\n",
            },
            expect=[("IC007", "railpack.json", 1, 29)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = service.railpack
        value = service.iac.settings.get("start") if service.iac else None
        written = document.get("/deploy/startCommand") if document is not None else None
        if (
            document is None
            or project.iac is None
            or value is None
            or not isinstance(value.value, str)
            or not isinstance(written, str)
            or written.strip() == value.value.strip()
        ):
            return
        yield self.diagnostic(
            document,
            document.value_span("/deploy/startCommand"),
            f"railpack.json starts `{written}`, but Railway runs `{value.value}` from {project.iac.path}, which"
            " overrides it",
            help="Remove `deploy.startCommand` from railpack.json, or make the two agree.",
            related=(Related(project.iac.path, _span(project, value), "the start command Railway runs"),),
        )


class SharedRootConfig(ProjectRule):
    """
    ## What it does
    Reports services that share a root directory and a railpack config file when that file sets
    `deploy.startCommand`, and the services do not each set their own start command in the IaC file.

    ## Why is this bad?
    Sharing a root is normal in a shared monorepo (a web and a worker service built from `/`), but then one
    railpack.json builds both images: its start command would start the same process in both services.

    ## Example
    `service("web", root="/")` and `service("worker", root="/")`, with `/railpack.json` saying
    `"startCommand": "gunicorn app:app"` and no `start=` for the worker.
    """

    code = "IC008"
    name = "shared-root-config"
    summary = "Services sharing a root directory share one railpack.json start command"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {
                "/.railway/railway.py": SHOP.replace(
                    ")])", '), service("worker", root="services/svc", start="python worker.py")])'
                ),
                "main.py": "",
                "worker.py": "",
                "requirements.txt": "x\n",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": SHOP.replace(")])", '), service("worker", root="services/svc")])'),
                "railpack.json": '{"deploy": {"startCommand": "python main.py"}}',
                "main.py": "",
                "requirements.txt": "x\n",
            },
            expect=[("IC008", "railpack.json", 1, 29)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        groups: dict[tuple[PurePosixPath, PurePosixPath], list[Service]] = {}
        for service in project.services:
            if service.built_elsewhere is None:  # an image or another repository reads no railpack.json here
                groups.setdefault((service.root, service.railpack_path), []).append(service)
        for services in groups.values():
            document = services[0].railpack
            start = document.get("/deploy/startCommand") if document is not None else None
            if document is None or len(services) < 2 or not isinstance(start, str):
                continue
            without = [
                service.name
                for service in services
                if not (service.iac and isinstance(getattr(service.iac.settings.get("start"), "value", None), str))
            ]
            if not without:
                continue
            yield self.diagnostic(
                document,
                document.value_span("/deploy/startCommand"),
                f"services {', '.join(f'`{service.name}`' for service in services)} share this railpack.json, so"
                f" {', '.join(f'`{name}`' for name in without)} would start `{start}` too",
                help=(
                    "Give each service its own `start` in the IaC file, or its own railpack config"
                    " (RAILPACK_CONFIG_FILE)."
                ),
            )


class IacServicesUnread(ProjectRule):
    """
    ## What it does
    Reports an IaC file that calls `service(...)` but from which railcheck could read no service: the
    program is written in a form the static reader does not follow (for example `define_railway(...)` called
    with the project directly at module level, or services exported one by one). Also reports each service
    whose root directory is computed at run time (`root=os.environ["ROOT"]`).

    ## Why is this bad?
    Without the file's services railcheck falls back to guessing each root directory from where config files
    sit, so every rule that depends on the root directory may check the wrong folder, silently. A service
    whose root directory cannot be read is not checked at all.

    ## Example
    ```python
    railway = define_railway(project("shop", resources=[service("api", root="services/api")]))
    ```
    Return the project from a function decorated with `@define_railway`.
    """

    repository_wide = True  # about the repository's one IaC file: once per run, not once per parallel chunk
    code = "IC009"
    name = "iac-services-unread"
    summary = "Services of the IaC file cannot be read, or their root directories cannot"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Valid(
            {
                "/.railway/railway.py": (
                    "# TODO: a service(...) for the api\nfrom railway_sdk import define_railway, postgres,"
                    ' project\n\n@define_railway\ndef railway():\n    return project("shop",'
                    ' resources=[postgres("db")])\n'
                ),
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": "from railway_sdk import service\napi = service(name_from_somewhere())\n",
                "railpack.json": "{}",
            },
            expect=[("IC009", "/.railway/railway.py", 2, 7)],
        ),
        Invalid(
            {"/.railway/railway.py": SHOP.replace('root="services/svc"', 'root=os.environ["ROOT"]')},
            expect=[("IC009", "/.railway/railway.py", 5, 59)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        if document is None:
            return
        for name, root in _unknown_roots(document):
            yield self.diagnostic(
                document.path,
                document.span(root.start, root.end),
                f"service `{name}` cannot be checked: its root directory {root.reason or 'is not a literal'}, and "
                "railcheck does not guess it",
                service=name,
                help="Give `root` (or the source's `rootDirectory`) as a literal, or a name bound to one.",
            )
        unread = _unread(document, project)
        if unread is None:
            return
        call, problem = unread
        # Where the reader stopped: the construct its first problem names, else the first call itself.
        where, stopped = (problem.start, problem.end) if problem is not None and problem.end > 0 else (call, call)
        because = f": {problem.message}" if problem is not None else ""
        yield self.diagnostic(
            document.path,
            document.span(where, max(where, stopped)),
            f"{document.path} calls service(...), but railcheck could read none of its services{because}; "
            "root directories are only guessed",
            help=(
                _DYNAMIC_HELP
                if problem is not None and "built dynamically" in problem.message
                else (
                    "Import the SDK functions from `railway_sdk` and return `project(..., resources=[service(...),"
                    " ...])` from a function decorated with `@define_railway` (TypeScript: import from `railway` and"
                    " `export default defineRailway(() => project(...))`)."
                )
            ),
        )


class BuildStringNamesBuilder(ServiceRule):
    """
    ## What it does
    Reports an IaC service whose `build` is a string naming a builder, such as `build: "RAILPACK"` or
    `build="DOCKERFILE"`.

    ## Why is this bad?
    Both SDKs turn a string `build` into the build command, not the builder. Railway then runs
    `RAILPACK` as a shell command during the build, which fails with "command not found", and the builder
    is still chosen as if `build` were not there.

    ## Example
    `service("api", { build: "RAILPACK" })`; write `build: { builder: "RAILPACK" }` instead.

    ## Fix safety
    Safe: the string can only fail as a command, and the fix writes the object form with that builder. It is
    offered only when the string is written right after `build`, not passed through a name.
    """

    code = "IC010"
    name = "build-string-names-builder"
    summary = "`build` is a string naming a builder; the SDKs run it as the build command"
    consequence = Consequence.MISBEHAVES
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid(
            {
                "/.railway/railway.py": SHOP.replace("start=", 'build={"builder": "RAILPACK"}, start='),
                "main.py": "",
                "requirements.txt": "x\n",
            }
        ),
        Valid(
            {
                "/.railway/railway.py": SHOP.replace("start=", 'build="python -m compileall .", start='),
                "main.py": "",
                "requirements.txt": "x\n",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": SHOP.replace("start=", 'build="RAILPACK", start='),
                "main.py": "",
                "requirements.txt": "x\n",
            },
            expect=[("IC010", "/.railway/railway.py", 5, 81)],
            fixed={"/.railway/railway.py": SHOP.replace("start=", 'build={"builder": "RAILPACK"}, start=')},
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        value = service.iac.settings.get("build") if service.iac else None
        if document is None or value is None or service.iac is None or service.iac.build_form != "string":
            return
        builder = value.value.strip().upper() if isinstance(value.value, str) else None
        if builder not in BUILDERS:
            return
        fix = None
        if _BUILD_KEY.search(document.text[: value.start]) and document.text[value.start : value.start + 1] in "\"'`":
            written = f'{{"builder": "{builder}"}}' if document.path.suffix == ".py" else f'{{ builder: "{builder}" }}'
            fix = Fix.safe(f"Set the builder with {written}", Edit(document.path, value.start, value.end, written))
        yield self.diagnostic(
            document.path,
            document.span(value.start, value.end),
            f"`build` of service `{service.name}` is the string {value.value!r}, which the SDK makes the build command,"
            f" not the builder: the build runs `{value.value}` as a shell command and fails",
            help=(
                f'Choose the builder with the object form, `build: {{ builder: "{builder}" }}` (Python: '
                f'`build={{"builder": "{builder}"}}`); a string `build` is only for a build command.'
            ),
            fix=fix,
        )


def _literal(service: Service, setting: str) -> object:
    """The literal value of an IaC setting; None when absent, UNKNOWN (from the reader) when not static."""
    value = service.iac.settings.get(setting) if service.iac else None
    return None if value is None else value.value


class IacNothingToBuild(ServiceRule):
    """
    ## What it does
    Reports an IaC service whose root directory holds nothing its builder can build: for Railpack, no file
    that makes a provider match, no start command and no Dockerfile; for the Dockerfile builder, no
    Dockerfile.

    ## Why is this bad?
    The build fails before it starts ("Railpack could not determine how to build the app"). It usually
    means the root directory is wrong: the code and its config sit in a folder below it.

    ## Example
    `service("ml", root="/")` while the ML code, its requirements and railpack.json are in `services/ml`.
    """

    code = "IC011"
    name = "iac-nothing-to-build"
    summary = "An IaC service's root directory holds nothing its builder can build"
    consequence = Consequence.FAILS
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Valid({"/.railway/railway.py": SHOP.replace(', start="python main.py"', ""), "package.json": "{}"}),
        Invalid(
            {"/.railway/railway.py": SHOP.replace(', start="python main.py"', ""), "README.md": "docs\n"},
            expect=[("IC011", "/.railway/railway.py", 5, 39)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document, repository, call = project.iac, self.repository(project), service.iac
        if document is None or call is None or call.kind != "service":
            return
        if (
            not repository.is_dir(service.root)
            or service.railpack is not None
            or service.railway is not None
            or service.railpack_declared
            or _literal(service, "configFile") is not None
        ):
            return  # a missing root is IC001's, a missing declared config another rule's; a config may hold build steps
        names = set(repository.listdir(service.root))
        builder = _literal(service, "builder")
        source = _literal(service, "sourceType")
        variables = _literal(service, "variables")
        if variables is None:
            variables = {}
        if (
            source not in (None, "github", "empty")
            or _literal(service, "build") is not None
            or _literal(service, "dockerfilePath") is not None
            or not isinstance(variables, dict)
        ):
            return  # an image, a build command or a Dockerfile elsewhere: something may be built; unsure
        if any(
            (key.startswith(("RAILPACK_", "NIXPACKS_")) and key != "RAILPACK_CONFIG_FILE")
            or key == "RAILWAY_DOCKERFILE_PATH"
            for key in variables
        ):
            return  # these variables can name a script, a static root, commands or a Dockerfile elsewhere
        has_dockerfile = any(name.casefold() == "dockerfile" for name in names)
        if builder == "DOCKERFILE":
            if has_dockerfile:
                return
            why = "the Dockerfile builder finds no Dockerfile"
        elif builder in (None, "RAILPACK"):
            found = facts(service, project)
            # Every provider's marker files count (railcheck.providers detects them all), modelled or not.
            if has_dockerfile or found.provider is not None or found.start is not None:
                return
            why = (
                "Railpack detects no language, and there is no start command and no Dockerfile: the build fails "
                'with "Railpack could not determine how to build the app"'
            )
        else:
            return  # a builder railcheck does not model
        yield self.diagnostic(
            document.path,
            document.span(call.call_start, call.call_end),
            f"service `{service.name}` is built from {service.display_root()}, where {why}",
            help=(
                "Point `root` at the folder that holds the service's code (its requirements, package.json or"
                " Dockerfile), or give the service a start command."
            ),
        )


def _likely_owner(folder: PurePosixPath, declared: list[Service]) -> Service | None:
    """Of the `declared` IaC services, the one whose root directory most likely meant `folder`: one rooted
    above it that is named like it, or whose start command names it (`services/ml/...`, `services.ml.server`)."""
    dotted = ".".join(folder.parts)
    for service in declared:
        if service.root == folder or not (str(service.root) == "." or service.root in folder.parents):
            continue
        start = _literal(service, "start")
        if service.name == folder.name or (isinstance(start, str) and (f"{folder}/" in start or f"{dotted}." in start)):
            return service
    return None


class ConfigUnusedByIac(ProjectRule):
    """
    ## What it does
    Reports a `railpack.json`, `railway.json` or `railway.toml` in a folder that no service of the IaC file
    uses, when an IaC service rooted above that folder looks meant for it (same name, or a start command
    that names the folder).

    ## Why is this bad?
    Railway reads config files from the service's root directory (or the path RAILPACK_CONFIG_FILE gives).
    A config in another folder is silently ignored: its provider, packages and commands never apply, and the
    service is built from a root directory that was probably not meant.

    ## Example
    `service("ml", root="/")` while the ML service's railpack.json is `services/ml/railpack.json`.
    """

    code = "IC012"
    name = "config-unused-by-iac"
    summary = "A service config file is read by no IaC service"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"/.railway/railway.py": SHOP.replace(', start="python main.py"', ""), "railpack.json": "{}"}),
        Valid(
            {
                "/.railway/railway.py": (
                    SHOP.replace(
                        'service("api", root="services/svc", start="python main.py")', 'service("ml", root="/")'
                    ).replace("\n\n@", '\n\nPARTIAL = "ml"\n\n@')
                ),
                "/services/ml/railpack.json": "{}",
            }
        ),
        Invalid(
            {
                "/.railway/railway.py": SHOP.replace(
                    'service("api", root="services/svc", start="python main.py")', 'service("ml", root="/")'
                ),
                "/services/ml/railpack.json": "{}",
            },
            expect=[("IC012", "/services/ml/railpack.json", 1, 1)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        if document is None or document.file.partial or not document.file.services:
            return  # a partial file leaves other services to other files
        # Built from this repository: those are the services a folder's config could have been meant for.
        declared = [service for service in project.services if service.iac is not None and not service.built_elsewhere]
        for service in project.services:
            config = service.railpack or service.railway
            if service.iac is not None or config is None:
                continue
            owner = _likely_owner(service.root, declared)
            if owner is None or owner.iac is None:
                continue
            yield self.diagnostic(
                config,
                config.lines.span(0, min(1, len(config.text))),
                f"no service in {document.path} uses this {config.path.name}: its folder {service.display_root()} is"
                " not a "
                f'root directory there, and `service("{owner.name}")` is built from {owner.display_root()} instead',
                service=owner.name,
                help=(
                    f'If `{owner.name}` is this folder\'s service, set `root="{service.root}"` in its service(...)'
                    " call; otherwise delete the file, which Railway never reads."
                ),
                related=(
                    Related(
                        document.path,
                        document.span(owner.iac.name_start, owner.iac.name_end),
                        f"`{owner.name}` is declared here",
                    ),
                ),
            )
