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

from railcheck import RAILPACK_ONLY, Diagnostic, Invalid, Project, ProjectRule, Related, Service, ServiceRule, Severity, Valid
from railcheck.facts import start_servers
from railcheck.servers import uses_port_variable

FAMILY = "IC"
DEFAULT_DOMAIN_PORT = 8080  # what the SDKs use when a domain gives no `port`
_REFERENCE = re.compile(r"\$\{\{\s*([A-Za-z0-9_-]+)\.[A-Za-z0-9_]+\s*\}\}")
_SETTINGS_THAT_MATTER = ("root", "start", "healthcheck")

SHOP = (
    "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
    '    return project("shop", resources=[service("api", root="services/svc", start="python main.py")])\n'
)


def _span(project: Project, value: Any):  # type: ignore[no-untyped-def]
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
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "print(1)\n", "requirements.txt": "x\n"}),
        Invalid({"/.railway/railway.py": SHOP.replace("services/svc", "services/nope")}, expect=[("IC001", "/.railway/railway.py", 5, 59)]),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        if service.iac is None or project.iac is None or project.repository is None:
            return
        if project.repository.is_dir(service.root):
            return
        value = service.iac.settings["root"]
        yield self.diagnostic(
            project.iac.path, _span(project, value),
            f"the root directory {service.root}/ of service `{service.name}` does not exist in the repository",
            service=service.name,
            help="Point `root` (or the source's `rootDirectory`) at the folder that holds the service's code.",
        )


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
    default_severity = Severity.INFO
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Invalid({"/.railway/railway.py": SHOP.replace('root="services/svc"', 'root=os.environ["ROOT"]')}, expect=[("IC002", "/.railway/railway.py", 5, 59)]),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        if document is None:
            return
        from railcheck.sources.iac import UNKNOWN  # only with an IaC file: the reader is not loaded otherwise

        for problem in document.file.problems:
            yield self.diagnostic(document.path, document.span(problem.start, max(problem.start, problem.end)), problem.message,
                                  help="Write literal values (or names bound to literals) so the file can be checked without running it.")
        for call in document.file.services:
            for setting in _SETTINGS_THAT_MATTER:
                value = call.settings.get(setting)
                if value is None or value.value is not UNKNOWN:
                    continue
                yield self.diagnostic(
                    document.path, document.span(value.start, value.end),
                    f"`{setting}` of service `{call.name}` is not known without running the file: {value.reason or 'not a literal'}",
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
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Invalid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n", "railway.json": "{}"}, expect=[("IC003", "railway.json", 1, 1)]),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        if service.iac is None or service.railway is None or project.iac is None:
            return
        yield self.diagnostic(
            service.railway, service.railway.lines.span(0, 1),
            f"service `{service.name}` is declared in {project.iac.path}, and this {service.railway.path.name} configures it too; Railway refuses to manage a service both ways",
            service=service.name,
            help=f"Move its settings into the `service(\"{service.name}\")` call and delete {service.railway.path}.",
            related=(Related(project.iac.path, project.iac.span(service.iac.name_start, service.iac.name_end), "the IaC declaration"),),
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
    default_severity = Severity.WARNING
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Invalid({"/railway.py": SHOP, "railpack.json": "{}"}, expect=[("IC004", "/railway.py", 0, 0)]),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        repository = project.repository
        if repository is None:
            return
        top = set(repository.listdir(PurePosixPath(".")))
        for name in ("railway.py", "railway.ts"):
            if name in top and name not in repository.listdir(PurePosixPath(".railway")):
                yield self.diagnostic(PurePosixPath(name), None, f"{name} is at the repository root; the Railway CLI reads it only from .railway/{name}",
                                      help=f"Move it to .railway/{name}.")
        for service in project.services:
            if str(service.root) == ".":
                continue
            for name in ("railway.py", "railway.ts"):
                path = service.root / ".railway" / name
                if repository.is_file(path):
                    yield self.diagnostic(path, None, f"{path} is below the repository root; run from the root, the Railway CLI uses {'.railway/' + name if project.iac else 'no IaC file'} instead",
                                          service=service.name, help="Keep one IaC file for the project, in .railway/ at the repository root.")


class UnknownServiceReference(ServiceRule):
    """
    ## What it does
    Reports variables in the IaC file that reference a service or database the project does not declare:
    `${{name.VAR}}` where `name` is neither a service, a database nor `shared`.

    ## Why is this bad?
    Railway resolves the reference to an empty value, so the app starts without, say, its database URL.

    ## Example
    `env={"DATABASE_URL": "${{postgress.DATABASE_URL}}"}` while the database is `postgres("postgres")`.
    """

    code = "IC005"
    name = "unknown-service-reference"
    summary = "A variable references a service the IaC file does not declare"
    examples = (
        Valid({"/.railway/railway.py": SHOP.replace('start="python main.py"', 'start="python main.py", env={"A": "${{api.RAILWAY_PRIVATE_DOMAIN}}"}'), "main.py": "", "requirements.txt": "x\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP.replace('start="python main.py"', 'start="python main.py", env={"DB": "${{postgress.DATABASE_URL}}"}'), "main.py": "", "requirements.txt": "x\n"},
            expect=[("IC005", "/.railway/railway.py", 5, 110)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        variables = service.iac.settings.get("variables") if service.iac else None
        if document is None or variables is None:
            return
        known = {call.name for call in document.file.services} | {name for name, _, _ in document.file.databases} | {"shared"}
        for key, value in variables.entries:
            if not isinstance(value.value, str):
                continue
            for match in _REFERENCE.finditer(value.value):
                if match.group(1) in known:
                    continue
                yield self.diagnostic(
                    document.path, document.span(value.start, value.end),
                    f"`{key}` references `{match.group(1)}`, which the IaC file does not declare; Railway resolves it to nothing",
                    service=service.name,
                    help="Declared: " + ", ".join(f"`{name}`" for name in sorted(known)) + ".",
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

    code = "IC006"
    name = "domain-port-mismatch"
    summary = "A domain targets a port the service does not listen on"
    examples = (
        Valid({"/.railway/railway.py": SHOP.replace('start="python main.py"', 'start="uvicorn main:app --host 0.0.0.0 --port 8000", domains=[{"domain": "a.example", "port": 8000}]'), "main.py": "app = 1\n", "requirements.txt": "uvicorn\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP.replace('start="python main.py"', 'start="uvicorn main:app --host 0.0.0.0 --port 8000", domains=[{"domain": "a.example", "targetPort": 8000}]'), "main.py": "app = 1\n", "requirements.txt": "uvicorn\n"},
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
                    document.path, document.span(domain.start, domain.end),
                    f"`targetPort` is not read for {name}: the SDK reads `port`, so the domain targets {DEFAULT_DOMAIN_PORT}",
                    service=service.name, help="Write `port` instead of `targetPort`.",
                )
            elif port is not None and isinstance(target, int) and target != port:
                yield self.diagnostic(
                    document.path, document.span(domain.start, domain.end),
                    f"{name} targets port {target}, but the start command listens on {port}",
                    service=service.name, help="Make the domain's `port` and the start command's port the same (or listen on $PORT).",
                )

    @staticmethod
    def _listening_port(service: Service, project: Project) -> int | None:
        for server in start_servers(service, project):
            if server.listen is not None and not uses_port_variable(server.listen.port) and server.listen.port.isdigit():
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
    default_severity = Severity.WARNING
    examples = (
        Valid({"/.railway/railway.py": SHOP, "railpack.json": '{"deploy": {"startCommand": "python main.py"}}', "main.py": "", "requirements.txt": "x\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP, "railpack.json": '{"deploy": {"startCommand": "python app.py"}}', "main.py": "", "app.py": "", "requirements.txt": "x\n"},
            expect=[("IC007", "railpack.json", 1, 29)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = service.railpack
        value = service.iac.settings.get("start") if service.iac else None
        written = document.get("/deploy/startCommand") if document is not None else None
        if project.iac is None or value is None or not isinstance(value.value, str) or not isinstance(written, str) or written.strip() == value.value.strip():
            return
        yield self.diagnostic(
            document, document.value_span("/deploy/startCommand"),  # type: ignore[union-attr]
            f"railpack.json starts `{written}`, but Railway runs `{value.value}` from {project.iac.path}, which overrides it",
            service=service.name,
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
    default_severity = Severity.WARNING
    examples = (
        Valid({"/.railway/railway.py": SHOP.replace(')])', '), service("worker", root="services/svc", start="python worker.py")])'), "main.py": "", "worker.py": "", "requirements.txt": "x\n"}),
        Invalid(
            {"/.railway/railway.py": SHOP.replace(')])', '), service("worker", root="services/svc")])'), "railpack.json": '{"deploy": {"startCommand": "python main.py"}}', "main.py": "", "requirements.txt": "x\n"},
            expect=[("IC008", "railpack.json", 1, 29)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        groups: dict[tuple[PurePosixPath, PurePosixPath], list[Service]] = {}
        for service in project.services:
            groups.setdefault((service.root, service.railpack_path), []).append(service)
        for services in groups.values():
            document = services[0].railpack
            start = document.get("/deploy/startCommand") if document is not None else None
            if len(services) < 2 or not isinstance(start, str):
                continue
            without = [service.name for service in services if not (service.iac and isinstance(getattr(service.iac.settings.get("start"), "value", None), str))]
            if not without:
                continue
            yield self.diagnostic(
                document, document.value_span("/deploy/startCommand"),  # type: ignore[union-attr]
                f"services {', '.join(f'`{service.name}`' for service in services)} share this railpack.json, so {', '.join(f'`{name}`' for name in without)} would start `{start}` too",
                help="Give each service its own `start` in the IaC file, or its own railpack config (RAILPACK_CONFIG_FILE).",
            )


class IacServicesUnread(ProjectRule):
    """
    ## What it does
    Reports an IaC file that calls `service(...)` but from which railcheck could read no service: the
    program is written in a form the static reader does not follow (for example `define_railway(...)` called
    with the project directly at module level, or services exported one by one).

    ## Why is this bad?
    Without the file's services railcheck falls back to guessing each root directory from where config files
    sit, so every rule that depends on the root directory may check the wrong folder, silently.

    ## Example
    ```python
    railway = define_railway(project("shop", resources=[service("api", root="services/api")]))
    ```
    Return the project from a function decorated with `@define_railway`.
    """

    repository_wide = True  # about the repository's one IaC file: once per run, not once per parallel chunk
    code = "IC009"
    name = "iac-services-unread"
    summary = "The IaC file mentions services, but none could be read"
    default_severity = Severity.WARNING
    examples = (
        Valid({"/.railway/railway.py": SHOP, "main.py": "", "requirements.txt": "x\n"}),
        Valid({"/.railway/railway.py": "# TODO: a service(...) for the api\nfrom railway_sdk import define_railway, postgres, project\n\n@define_railway\ndef railway():\n    return project(\"shop\", resources=[postgres(\"db\")])\n", "railpack.json": "{}"}),
        Invalid(
            {"/.railway/railway.py": "from railway_sdk import service\napi = service(name_from_somewhere())\n", "railpack.json": "{}"},
            expect=[("IC009", "/.railway/railway.py", 1, 1)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        document = project.iac
        if document is None or document.file.services:
            return
        from railcheck.sources.iac.mentions import calls_service  # the IaC package loads only when there is IaC

        if not calls_service(document.text, "python" if document.path.suffix == ".py" else "typescript"):
            return
        yield self.diagnostic(
            document.path, document.span(0, 0),
            f"{document.path} mentions service(...) calls, but railcheck could read none of them, so root directories are only guessed",
            help="Import the SDK functions from `railway_sdk` and return `project(..., resources=[service(...), ...])` from a function "
            "decorated with `@define_railway` (TypeScript: import from `railway` and `export default defineRailway(() => project(...))`).",
        )
