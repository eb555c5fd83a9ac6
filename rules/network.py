"""PN: Railway's private network (`*.railway.internal`), which exists only while a service runs.

Railway's docs say private networking is available at run time, not during builds (docs/railpack-facts.md, "PN:
private networking"). So a
build or install command that reaches another service over it, directly or through a variable that holds
a private address, fails or hangs; it belongs in the pre-deploy or start command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from railcheck import Consequence, Diagnostic, Invalid, Project, Service, ServiceRule, Valid
from railcheck.facts import CommandText, facts, script
from railcheck.sources.shell import SimpleCommand
from railcheck.sources.text import ParseFailure
from railcheck.walk import steps

FAMILY = "PN"
# A host on the private network, or a reference Railway resolves to one (RAILWAY_PRIVATE_DOMAIN and friends).
PRIVATE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.railway\.internal\b|\$\{\{\s*[^{}]*\bRAILWAY_PRIVATE_[A-Z_]+\s*\}\}"
)
# `$NAME` / `${NAME}` (also `${NAME:-x}`) in a command.
EXPANSION = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")
# Names migration tools read the database address from, by convention.
DATABASE_NAMES = re.compile(r"(DATABASE|DB|POSTGRES|PG|MYSQL)_?(URL|URI|HOST)$|^PGHOST$")
HELP = (
    "Private networking exists only at run time, not during the build: move this to `deploy.preDeployCommand` (or the"
    " start command)."
)


def _migration(command: SimpleCommand) -> str | None:
    """The migration tool a simple command runs (`alembic upgrade`, `manage.py migrate`, ...), if any."""
    words = [word.text for word in command.words]
    for index, word in enumerate(words):
        rest = words[index + 1 :]
        if word == "alembic" and "upgrade" in rest:
            return "alembic upgrade"
        if (word.endswith("manage.py") or word == "django-admin") and rest[:1] == ["migrate"]:
            return f"{word} migrate"
        if word == "prisma" and rest[:2] == ["migrate", "deploy"]:
            return "prisma migrate deploy"
        if word == "flask" and any(rest[at : at + 2] == ["db", "upgrade"] for at in range(len(rest))):
            return "flask db upgrade"  # options such as `--app app` may come first
    return None


def _private_variables(service: Service) -> dict[str, str]:
    """Build-time variables whose value is a private address: the service's Railway variables railcheck
    knows of (IaC file, configuration) and railpack.json step variables. Name → where it is set."""
    found = {name: "the service's variables" for name, value in service.variables if PRIVATE.search(value)}
    config = service.railpack.value if service.railpack is not None else None
    for name, _, step in steps(config):
        variables = step.get("variables")
        for key, value in variables.items() if isinstance(variables, dict) else ():
            if isinstance(value, str) and PRIVATE.search(value):
                found.setdefault(key, f"`steps.{name}.variables` in railpack.json")
    return found


class PrivateNetworkAtBuild(ServiceRule):
    """
    ## What it does
    Reports build and install commands (Railway's `buildCommand`, railpack.json build steps, the IaC
    file's build) that use Railway's private network: a `*.railway.internal` host or a
    `${{<service>.RAILWAY_PRIVATE_DOMAIN}}`-style reference written in the command, a variable holding
    such an address expanded in it, or a database migration (`alembic upgrade`, `manage.py migrate`,
    `prisma migrate deploy`, `flask db upgrade`) while the database address is on the private network.

    ## Why is this bad?
    The private network exists only while the service runs; the builder is not on it. The command cannot
    resolve or reach the host, so the build fails or hangs until it times out, and the deploy never ships.

    ## Example
    ```json
    {"build": {"buildCommand": "python manage.py migrate"}}
    ```
    with `DATABASE_URL = postgresql://...@postgres.railway.internal:5432/app`. Run migrations in
    `deploy.preDeployCommand` instead.
    """

    code = "PN001"
    name = "private-network-at-build"
    summary = "a build command uses Railway's private network, which exists only at run time"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "railway.json": (
                    '{"build": {"buildCommand": "pip install -r requirements.txt"}, "deploy": {"preDeployCommand":'
                    ' "curl http://api.railway.internal:8080/warm"}}'
                )
            }
        ),
        Valid(
            {
                "railpack.json": (
                    '{"steps": {"build": {"variables": {"DATABASE_URL": "postgresql://db.railway.internal/app"},'
                    ' "commands": ["python -m compileall ."]}}}'
                )
            }
        ),
        Invalid(
            {
                "railway.json": (
                    '{"build": {"buildCommand": "curl -f http://api.railway.internal:8080/schema > schema.json"}}'
                )
            },
            expect=[("PN001", "railway.json", 1, 44)],
        ),
        Invalid(
            {"railway.json": '{"build": {"buildCommand": "wait-for ${{Postgres.RAILWAY_PRIVATE_DOMAIN}}:5432"}}'},
            expect=[("PN001", "railway.json", 1, 38)],
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"steps": {"build": {"variables": {"DATABASE_URL":'
                    ' "postgresql://u@postgres.railway.internal:5432/app"},\n "commands": ["python manage.py migrate'
                    ' --noinput"]}}}'
                )
            },
            expect=[("PN001", "railpack.json", 2, 16)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        variables = None
        for command in facts(service, project).commands:
            if command.kind not in ("build", "install"):
                continue
            written = PRIVATE.search(command.text)
            if written is not None:
                yield self._finding(
                    service,
                    command,
                    written.start(),
                    written.end(),
                    f"the {command.kind} command reaches `{written.group(0)}` on Railway's private network, which does"
                    " not exist during the build",
                )
                continue
            if variables is None:
                variables = _private_variables(service)
            if variables:
                yield from self._through_variables(service, command, variables)

    def _through_variables(
        self, service: Service, command: CommandText, variables: dict[str, str]
    ) -> Iterator[Diagnostic]:
        for match in EXPANSION.finditer(command.text):
            name = match.group(1) or match.group(2)
            if name in variables:
                yield self._finding(
                    service,
                    command,
                    match.start(),
                    match.end(),
                    f"the {command.kind} command expands ${name}, set in {variables[name]} to a private-network"
                    " address, which does not resolve during the build",
                )
                return
        parsed = script(command)
        if isinstance(parsed, ParseFailure):
            return
        database = next((name for name in variables if DATABASE_NAMES.search(name)), None)
        if database is None:
            return
        for simple in parsed.commands:
            tool = _migration(simple)
            if tool is not None:
                yield self._finding(
                    service,
                    command,
                    simple.start,
                    simple.end,
                    f"`{tool}` runs during the build, but {database}, set in {variables[database]}, is on Railway's"
                    " private network, which does not exist then",
                )
                return

    def _finding(self, service: Service, command: CommandText, start: int, end: int, message: str) -> Diagnostic:
        path = command.origin.path
        return self.diagnostic(
            path if path is not None else service.root,
            command.span(start, end),
            message,
            help=HELP,
        )
