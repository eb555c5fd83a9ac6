"""DF: services Railway builds from a Dockerfile: what the Dockerfile needs from the build context, how
Railway runs its start command, and Railpack settings that another builder leaves unused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from railcheck import (
    Consequence,
    Diagnostic,
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
from railcheck.builder import DOCKERFILE, UNDECIDED, build_of, image_of
from railcheck.facts import facts
from railcheck.root_evidence import root_evidence, root_readings
from railcheck.servers import PORT_REFERENCE

FAMILY = "DF"
DOCKERFILE_ONLY = frozenset({DOCKERFILE})


def _runs_shell_script(words: list[str]) -> bool:
    """`sh -c '...'`: the one exec form in which a shell expands variables."""
    from railcheck.sources.shell import inline_script_index

    return inline_script_index(words) is not None


class RailpackConfigUnused(ServiceRule):
    """
    ## What it does
    Reports a `railpack.json`, or `build.railpackVersion` in the Railway config, of a service that Railway
    builds from a Dockerfile: a `Dockerfile` at the root directory, `dockerfilePath`, or
    `builder = "DOCKERFILE"`.

    ## Why is this bad?
    Railway uses a Dockerfile whenever it finds one, and then never runs Railpack: every install step,
    package pin and start command in railpack.json is silently ignored, so the service does not build
    the way the file says.

    ## Example
    `services/api/` holds both `Dockerfile` and `railpack.json`. Delete railpack.json if the Dockerfile is
    meant; if Railpack is meant, set `builder = "RAILPACK"` under `[build]` in the Railway config (or
    rename the Dockerfile).
    """

    code = "DF001"
    name = "railpack-config-unused"
    summary = "railpack.json (or a Railpack setting) is unused because the service builds from a Dockerfile"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    builders = DOCKERFILE_ONLY
    examples = (
        Valid({"railpack.json": "{}", "Dockerfile.local": "FROM python:3.12\n"}),  # only `Dockerfile` is detected
        Valid({"Dockerfile": "FROM python:3.12\n", "railway.json": "{}"}),
        Invalid(
            {"railpack.json": '{\n  "provider": "python"\n}\n', "Dockerfile": "FROM python:3.12\n"},
            expect=[("DF001", "railpack.json", 1, 1)],
        ),
        Invalid(
            {"railway.toml": '[build]\nrailpackVersion = "0.15.0"\n', "Dockerfile": "FROM python:3.12\n"},
            expect=[("DF001", "railway.toml", 2, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        if root_evidence(service, project):
            return  # with an unclear root directory (SV003), which Dockerfile Railway sees is unclear too
        build = build_of(service, project)
        related = (
            (Related(build.origin.path, build.origin.span, "this decides the builder"),) if build.origin.path else ()
        )
        switch = (
            'If Railpack is meant, set `builder = "RAILPACK"` under `build` in the service\'s Railway config (or remove'
            " `dockerfilePath`, or rename the Dockerfile)."
        )
        document = service.railpack
        if document is not None:
            yield self.diagnostic(
                document,
                document.lines.span(0, 1),
                f"{document.path} is unused: Railway builds this service from a Dockerfile ({build.origin.label}), so"
                " Railpack never reads it",
                help=f"If the Dockerfile is meant, delete railpack.json. {switch}",
                related=related,
            )
        railway = service.railway
        if railway is not None and railway.get("/build/railpackVersion") is not None:
            yield self.diagnostic(
                railway,
                railway.key_span("/build/railpackVersion"),
                "`build.railpackVersion` is unused: Railway builds this service from a Dockerfile"
                f" ({build.origin.label})",
                help=f"If the Dockerfile is meant, remove the setting. {switch}",
                related=related,
            )


class CopySourceMissing(ServiceRule):
    """
    ## What it does
    Reports a `COPY` or `ADD` source that does not exist in the build context, which on Railway is the
    service's root directory, in the stages the build runs (the last one and those it uses). Sources with
    variables, wildcards or URLs, and `--from` copies, are not judged.

    ## Why is this bad?
    The build fails at that line ("failed to compute cache key: ... not found"). It usually means the
    Dockerfile was written for another root directory: `COPY pyproject.toml .` in a service whose root
    directory holds no pyproject.toml.

    ## Example
    Root directory `services/api`, `COPY services/api/src ./src`: from that context the path is `src`.
    """

    code = "DF002"
    name = "copy-source-missing"
    summary = "A Dockerfile COPY/ADD source is not in the build context"
    consequence = Consequence.FAILS
    builders = DOCKERFILE_ONLY
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid(
            {
                "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nCOPY src/ ./src/\n",
                "requirements.txt": "",
                "src/main.py": "",
                "railway.json": "{}",
            }
        ),
        Invalid(
            {"Dockerfile": "FROM python:3.12\nCOPY pyproject.toml uv.lock ./\n", "uv.lock": "", "railway.json": "{}"},
            expect=[("DF002", "Dockerfile", 2, 6)],
        ),
        # Written for the repository root (SV003 says so once): only the source no reading holds is DF002.
        Valid(
            {
                "Dockerfile": "FROM node:22\nCOPY package.json ./\nCOPY services/svc/main.js ./\n",
                "/package.json": "{}",
                "main.js": "",
                "railway.json": "{}",
            }
        ),
        Invalid(
            {
                "Dockerfile": "FROM node:22\nCOPY package.json ./\nCOPY nx.json ./\nCOPY missing/x.json ./\n",
                "/package.json": "{}",
                "/nx.json": "{}",
                "railway.json": "{}",
            },
            expect=[("DF002", "Dockerfile", 4, 6)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        image = image_of(service, project)
        repository = self.repository(project)
        if image is None:
            return
        from railcheck.image import context_sources  # loaded with the image: Dockerfile services only

        # When the root directory is in doubt (SV003 says so once), a source is certainly missing only
        # when no reading of the root directory holds it.
        contexts = [service.root, *root_readings(service, project)]
        where = f"the build context {service.display_root()} ({service.root_source})"
        if len(contexts) > 1:
            where = (
                "the build context under any root directory this service may have"
                f" ({', '.join(f'{context}/' if str(context) != '.' else '/' for context in contexts)})"
            )
        for instruction, word, path in context_sources(image):
            if any(repository.exists(context / path) for context in contexts):
                continue
            yield self.diagnostic(
                image.path,
                image.lines.span(word.start, word.end),
                f"`{instruction.keyword}` source `{word.text}` is not in {where}; the build fails here",
                help=(
                    "Railway's build context is the service's root directory. Write the path relative to it, or set the"
                    " root directory the Dockerfile was written for."
                ),
            )


class PortNotExpanded(ServiceRule):
    """
    ## What it does
    Reports `$PORT` in the start command of a service built from a Dockerfile when no shell runs it: a
    `deploy.startCommand` not wrapped in `/bin/sh -c`, or a `CMD`/`ENTRYPOINT` in the JSON exec form.

    ## Why is this bad?
    Railway runs a Dockerfile service's start command in exec form, and Docker runs an exec-form `CMD`
    without a shell: nothing expands `$PORT`, so the server receives the literal text `$PORT` and fails to
    start, or listens on the wrong port.

    ## Example
    `startCommand = "uvicorn main:app --host 0.0.0.0 --port $PORT"` with a Dockerfile: write
    `/bin/sh -c "uvicorn main:app --host 0.0.0.0 --port $PORT"`.
    """

    code = "DF003"
    name = "port-not-expanded"
    summary = "`$PORT` in a start command that no shell expands"
    consequence = Consequence.FAILS
    builders = DOCKERFILE_ONLY
    examples = (
        Valid(
            {"Dockerfile": "FROM python:3.12\nCMD uvicorn main:app --host 0.0.0.0 --port $PORT\n", "railway.json": "{}"}
        ),
        Valid(
            {
                "Dockerfile": "FROM python:3.12\n",
                "railway.json": '{"deploy": {"startCommand": "/bin/sh -c \\"uvicorn main:app --port $PORT\\""}}',
            }
        ),
        Valid(
            {
                "Dockerfile": 'FROM python:3.12\nCMD ["/bin/bash", "-lc", "exec uvicorn main:app --port $PORT"]\n',
                "railway.json": "{}",
            }
        ),
        Invalid(
            {"Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "main:app", "--port", "$PORT"]\n', "railway.json": "{}"},
            expect=[("DF003", "Dockerfile", 2, 39)],
        ),
        Invalid(
            {
                "Dockerfile": "FROM python:3.12\n",
                "railway.json": '{"deploy": {"startCommand": "uvicorn main:app --port ${PORT}"}}',
            },
            expect=[("DF003", "railway.json", 1, 54)],
        ),
        # Options before `-c` (a login shell) still make a shell run the command.
        Valid(
            {
                "Dockerfile": 'FROM python:3.12\nCMD ["/bin/bash", "-l", "-c", "uvicorn main:app --port $PORT"]\n',
                "railway.json": "{}",
            }
        ),
        Valid(
            {
                "Dockerfile": 'FROM python:3.12\nCMD ["ksh", "-c", "uvicorn main:app --port $PORT"]\n',
                "railway.json": "{}",
            }
        ),
        # `env` is no shell, and `sh script.sh $PORT` hands the script the literal text.
        Invalid(
            {
                "Dockerfile": 'FROM python:3.12\nCMD ["/usr/bin/env", "uvicorn", "main:app", "--port", "$PORT"]\n',
                "railway.json": "{}",
            },
            expect=[("DF003", "Dockerfile", 2, 55)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        start = facts(service, project).start
        if start is None or PORT_REFERENCE.search(start.text) is None:
            return
        image = image_of(service, project)
        if image is not None and start is image.start:
            for instruction in image.start_instructions:
                if not instruction.exec_form or _runs_shell_script([word.text for word in instruction.words]):
                    return  # a shell runs it (shell form, or ["sh", "-c", ...])
            for instruction in image.start_instructions:
                for word in instruction.words:
                    if PORT_REFERENCE.search(word.text):
                        yield self._finding(
                            image.path,
                            image.lines.span(word.start, word.end),
                            f"`{instruction.keyword}` in exec form passes `{word.text}` unexpanded",
                            f"Use the shell form (`{instruction.keyword}"
                            f' {" ".join(w.text for w in instruction.words)}`) or ["/bin/sh", "-c", "..."].',
                        )
                        return
            return
        if start.origin.path is None or _runs_shell_script(start.text.split()):
            return
        match = PORT_REFERENCE.search(start.text)
        assert match is not None
        span = start.span(match.start(), match.end())
        yield self._finding(
            start.origin.path,
            span,
            f"{start.origin.label} is run in exec form on a Dockerfile build, so `$PORT` stays unexpanded",
            f'Wrap it in a shell: /bin/sh -c "exec {start.text}".',
        )

    def _finding(self, path: PurePosixPath, span: Span | None, message: str, help: str) -> Diagnostic:
        return self.diagnostic(
            path,
            span,
            message + "; the server gets the literal text instead of Railway's port",
            help=help,
        )


class DockerfilePathMissing(ServiceRule):
    """
    ## What it does
    Reports a `dockerfilePath` (or a declared `RAILWAY_DOCKERFILE_PATH`) that names no file inside the
    service's root directory, the only folder Railway uploads for the build, and `builder = "DOCKERFILE"`
    with neither a path nor a `Dockerfile` at the root directory.

    ## Why is this bad?
    Railway cannot find the Dockerfile it was told to use, and the build fails before it starts.

    ## Example
    `dockerfilePath = "docker/api.Dockerfile"` while the root directory has no `docker/` folder.
    """

    code = "DF004"
    name = "dockerfile-path-missing"
    summary = "The Dockerfile a service is told to build from does not exist"
    consequence = Consequence.FAILS
    builders = DOCKERFILE_ONLY
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid(
            {
                "railway.json": '{"build": {"dockerfilePath": "docker/api.Dockerfile"}}',
                "docker/api.Dockerfile": "FROM python:3.12\n",
            }
        ),
        Invalid(
            {"railway.json": '{"build": {"builder": "DOCKERFILE", "dockerfilePath": "api.Dockerfile"}}'},
            expect=[("DF004", "railway.json", 1, 55)],
        ),
        Invalid({"railway.toml": '[build]\nbuilder = "dockerfile"\n'}, expect=[("DF004", "railway.toml", 2, 11)]),
        # A repository-root config whose Dockerfile is in a subfolder: the root directory is in doubt (SV003).
        Valid({"/railway.json": '{"build": {"builder": "DOCKERFILE"}}', "Dockerfile": "FROM python:3.12\n"}),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        build = build_of(service, project)
        repository = self.repository(project)
        if (build.dockerfile is not None and repository.is_file(build.dockerfile)) or root_evidence(service, project):
            return  # SV003: the Dockerfile is looked up in a root directory that is unclear
        if build.requested is None:
            if project.iac is not None and build.origin.path == project.iac.path:
                return  # IC011 reports an IaC service whose builder finds no Dockerfile
            # `builder = "DOCKERFILE"` and nothing to build: Railway fails with "couldn't locate a dockerfile".
            yield self.diagnostic(
                build.origin.path or _config_file(project),
                build.origin.span,
                f"{build.origin.label} selects a Dockerfile build, but the root directory {service.display_root()}"
                " holds no `Dockerfile`; the build cannot start",
                help=(
                    "Add the Dockerfile to the root directory, set `dockerfilePath`, or remove `builder` to let"
                    " Railpack build the service."
                ),
            )
            return
        written, origin = build.requested
        if str(service.root) != "." and repository.is_file(PurePosixPath(written.strip().lstrip("/") or ".")):
            return  # it exists from the repository root: whether Railway looks there is not established
        yield self.diagnostic(
            origin.path or _config_file(project),
            origin.span,
            f"{origin.label} names `{written}`, but the root directory {service.display_root()} holds no such file; the"
            " build cannot start",
            help=(
                "Write the Dockerfile's path relative to the service's root directory, or remove the setting to use its"
                " `Dockerfile`."
            ),
        )


def _config_file(project: Project) -> PurePosixPath:
    """Where a declared variable is written: railcheck's configuration file."""
    source = project.config.source
    return source if source is not None else PurePosixPath("railcheck.toml")


class BuilderUndecided(ServiceRule):
    """
    ## What it does
    Reports `builder = "RAILPACK"` (or `"NIXPACKS"`) in the Railway config of a service whose root
    directory holds a `Dockerfile`.

    ## Why is this bad?
    Railway's docs say it always builds with a Dockerfile when it finds one; deployments have been
    reported both ways. Which builder runs is therefore uncertain, and so is everything that depends on
    it: railcheck skips the checks that belong to one builder for this service.

    ## Example
    `services/api/` holds `railway.toml` with `builder = "RAILPACK"` and a `Dockerfile` for local runs:
    rename the Dockerfile (`Dockerfile.local`) if Railpack is meant, or set `builder = "DOCKERFILE"`.
    """

    code = "DF005"
    name = "builder-undecided"
    summary = "Another builder is set beside a Dockerfile, which Railway's docs say wins"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    builders = frozenset({UNDECIDED})
    examples = (
        Valid({"railway.toml": '[build]\nbuilder = "RAILPACK"\n', "Dockerfile.local": "FROM python:3.12\n"}),
        Invalid(
            {"railway.toml": '[build]\nbuilder = "RAILPACK"\n', "Dockerfile": "FROM python:3.12\n"},
            expect=[("DF005", "railway.toml", 2, 11)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        build = build_of(service, project)
        yield self.diagnostic(
            build.origin.path or _config_file(project),
            build.origin.span,
            f"{build.origin.label}, but {build.ignored_dockerfile} exists and Railway's docs say a Dockerfile always"
            " wins over that setting; checks that depend on the builder are skipped for this service",
            help=(
                "Rename the Dockerfile (e.g. Dockerfile.local) if that builder is meant, or set `builder ="
                ' "DOCKERFILE"` if the Dockerfile is.'
            ),
        )


# The frontend images that read Dockerfiles with Docker's own instruction set; another `# syntax=` frontend
# may define instructions of its own.
_DOCKER_FRONTENDS = ("docker/dockerfile", "docker.io/docker/dockerfile")


class DockerfileInvalid(ServiceRule):
    """
    ## What it does
    Reports the first line of a service's Dockerfile that Docker's Dockerfile reader rejects: a word that is
    no Dockerfile instruction, or an instruction other than `ARG` before the first `FROM`. The usual cause is
    a `dockerfilePath` that names a compose file or a script instead of a Dockerfile. A file that names
    another frontend in a `# syntax=` directive is left alone: that frontend decides its instructions.

    ## Why is this bad?
    The build stops at that line (`unknown instruction`, `no build stage in current context`), so the
    service never deploys. Railway builds one Dockerfile per service; it does not run `docker compose`.

    ## Example
    ```toml
    [build]
    builder = "DOCKERFILE"
    dockerfilePath = "docker-compose.yml"  # name the service's Dockerfile instead
    ```
    """

    code = "DF006"
    name = "dockerfile-invalid"
    summary = "The Dockerfile a service builds from is not one Docker can read"
    consequence = Consequence.FAILS
    builders = DOCKERFILE_ONLY
    examples = (
        Valid(
            {
                "railway.json": "{}",
                "Dockerfile": "# syntax=docker/dockerfile:1\nARG PY=3.12\nFROM python:${PY}\nRUN pip install uv\n",
            }
        ),
        # Another frontend reads its own instructions.
        Valid(
            {
                "railway.json": "{}",
                "Dockerfile": "# syntax=devthefuture/dockerfile-x\nFROM python:3.12\nINCLUDE ./common\n",
            }
        ),
        Invalid(
            {
                "railway.toml": '[build]\nbuilder = "DOCKERFILE"\ndockerfilePath = "docker-compose.yml"\n',
                "docker-compose.yml": "services:\n  api:\n    build: .\n",
            },
            expect=[("DF006", "docker-compose.yml", 1, 1)],
        ),
        Invalid(
            {"railway.json": "{}", "Dockerfile": "WORKDIR /app\nFROM python:3.12\n"},
            expect=[("DF006", "Dockerfile", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        image = image_of(service, project)
        if image is None or not image.dockerfile.problems:
            return
        syntax = image.dockerfile.syntax
        if syntax is not None and not syntax.startswith(_DOCKER_FRONTENDS):
            return
        problem = image.dockerfile.problems[0]
        yield self.diagnostic(
            image.path,
            image.lines.span(problem.start, problem.end),
            f"{problem.message}: Docker cannot build {image.path}, and the build fails here",
            help=(
                "Point `dockerfilePath` at the service's Dockerfile (Railway builds one Dockerfile per service and"
                " does not run docker compose), or fix this line: every instruction is a Dockerfile keyword, and"
                " the first one other than ARG is FROM."
            ),
        )
