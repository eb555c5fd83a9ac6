"""SV: the service as a whole: whether Railpack detects Python at its root, and whether the root directory
railcheck inferred is the one its config was written for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from railcheck import (
    RAILPACK_ONLY,
    Consequence,
    Diagnostic,
    Invalid,
    Project,
    Requires,
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.config import config_key_span
from railcheck.facts import MAIN_FILES, PYTHON_MARKERS, facts
from railcheck.layout import SERVICE_MARKERS
from railcheck.root_evidence import root_evidence, subfolder_roots
from railcheck.sources.text import LineIndex
from railcheck.types import FILE_START

FAMILY = "SV"


def _python_evidence(service: Service, project: Project) -> str | None:
    """Why the service looks like a Python app even though no marker sits at its root."""
    if service.railpack is not None and isinstance(service.railpack.get("/packages/python"), str):
        return "railpack.json pins `packages.python`"
    repository = project.repository
    if repository is None:
        return None
    names = set(repository.listdir(service.root))
    if ".python-version" in names or "runtime.txt" in names:
        return f"{'.python-version' if '.python-version' in names else 'runtime.txt'} is present"
    roots = project.derived.service_roots()

    def another_service_owns(folder: PurePosixPath) -> bool:
        # Loaded or not: a check of one service must judge it as a check of the whole repository does.
        # (The loop stops at the service's own root, so `roots` may hold it.)
        while folder != service.root and str(folder) != ".":
            if folder in roots or set(SERVICE_MARKERS) & set(repository.listdir(folder)):
                return True
            folder = folder.parent
        return False

    for path in repository.files_under(service.root, limit=400):
        if len(path.relative_to(service.root).parts) > 3 or not (
            path.name in ("requirements.txt", "pyproject.toml") or path.name in MAIN_FILES
        ):
            continue
        if not another_service_owns(path.parent):
            return f"{path} exists below it"
    return None


class PythonNotDetected(ServiceRule):
    """
    ## What it does
    Reports a service that looks like a Python app (a pinned Python version, Python manifests or entry
    files in subfolders) while none of Railpack's Python markers is at its root directory: `main.py`,
    `app.py`, `start.py`, `bot.py`, `hello.py`, `server.py`, `requirements.txt`, `pyproject.toml`, `Pipfile`.

    ## Why is this bad?
    Railpack looks only at the root directory. Without a marker it does not build Python: the build fails
    with "could not determine how to build the app", or another language's files win.

    ## Example
    A service whose dependencies are in `requirements/prod.txt` and whose code is in `src/app.py`.
    """

    code = "SV001"
    builders = RAILPACK_ONLY
    name = "python-not-detected"
    summary = "Railpack will not detect Python at the root directory"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": "{}", "requirements.txt": "flask\n"}),
        Invalid(
            {"railpack.json": '{"packages": {"python": "3.12"}}', "src/app.py": ""},
            expect=[("SV001", "railpack.json", 1, 1)],
        ),
        # Railpack builds the root as Node; a Python helper below it is not the app.
        Valid({"railway.json": "{}", "package.json": '{"scripts": {"start": "node index.js"}}', "tests/main.py": ""}),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        found = facts(service, project)
        if found.provider is not None:
            return  # forced in railpack.json, or detected at the root (Node's package.json, ...): not Python's to judge
        evidence = _python_evidence(service, project)
        if evidence is None:
            return
        where = service.railpack or service.railway
        yield self.diagnostic(
            where.path if where else service.railpack_path,
            where.lines.span(0, 1) if where else None,
            f"Railpack will not detect Python in {service.display_root()}: {evidence}, but none of its Python markers"
            " is at the root directory",
            help=(
                f'Put one of {", ".join(PYTHON_MARKERS)} at the root directory, or set `"provider": "python"` in'
                " railpack.json."
            ),
        )


class EarlierProviderWins(ServiceRule):
    """
    ## What it does
    Reports a Python service whose root directory also holds a marker of a language Railpack tries first
    (`composer.json`, `go.mod`, `pom.xml`, `build.gradle`, `Cargo.toml`, `Gemfile`, `mix.exs`), when
    railpack.json does not force `provider`.

    ## Why is this bad?
    Railpack takes the first provider whose files match, in a fixed order with Python after PHP, Go, Java,
    Rust, Ruby and Elixir, so the service is built as that language.

    ## Example
    `requirements.txt` and `main.py` next to a `go.mod` for a helper tool.
    """

    code = "SV002"
    builders = RAILPACK_ONLY
    name = "earlier-provider-wins"
    summary = "Another language's files make Railpack skip Python"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"railpack.json": '{"provider": "python"}', "requirements.txt": "x\n", "go.mod": "module x\n"}),
        Invalid(
            {"railpack.json": "{}", "requirements.txt": "x\n", "go.mod": "module x\n"},
            expect=[("SV002", "go.mod", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        found = facts(service, project)
        if not found.python_markers or not found.competing_providers or (found.provider and found.provider.origin.path):
            return
        language, marker = found.competing_providers[0]
        yield self.diagnostic(
            service.root / marker,
            FILE_START,
            f"{marker} makes Railpack build {service.display_root()} as {language}, although it has"
            f" {found.python_markers[0]}",
            help='Set `"provider": "python"` in railpack.json, or move the other project out of the root directory.',
        )


class RootDirectoryAmbiguous(ServiceRule):
    """
    ## What it does
    When railcheck only infers a service's root directory from where its railpack.json or Railway config
    sits, looks for signs that the config was written for another root (module paths and `/app/...`
    paths that resolve only from the repository root, Dockerfile `COPY` sources that exist only from
    there, and for every provider `cd`/`--cwd`/`--prefix`/`-C`/`--dir` arguments and paths into the
    service's folder that exist from the repository root but not from the folder; for a config at the
    repository root, start targets that exist only in a subfolder, since
    Railway also reads a repository-root config for a service rooted in a subfolder) and reports the
    ambiguity once, instead of a cascade of "not found" errors. Rules that depend on the root skip the
    service until it is declared.

    ## Why is this bad?
    Railway's root directory is a dashboard setting nobody sees in review. If it is `/` while the config
    lives in `services/ml`, every path means something else, and half the config is wrong for either
    choice. This is how the incident railcheck was born from started.

    ## Example
    `services/ml/railpack.json` with `uvicorn services.ml.ml_server:app` and `PYTHONPATH=/app:/app/services/ml`.
    Declare the real root:
    ```toml
    [tool.railcheck.services.ml]
    root = "/"                                   # or "services/ml"
    railpack-config = "services/ml/railpack.json"
    ```
    """

    code = "SV003"
    name = "root-directory-ambiguous"
    summary = "The config seems written for another root directory than its folder"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "uvicorn app:app --host 0.0.0.0 --port $PORT"}}',
                "app.py": "app = 1\n",
            }
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"deploy": {"startCommand": "uvicorn services.svc.app:app --host 0.0.0.0 --port $PORT"}}'
                ),
                "app.py": "app = 1\n",
            },
            expect=[("SV003", "railpack.json", 1, 1)],
        ),
        # A repository-root config whose start module exists only in a subfolder: Railway reads a root config
        # for a service whose root directory is that folder.
        Invalid(
            {
                "/railway.json": '{"deploy": {"startCommand": "uvicorn src.api.main:app --host 0.0.0.0 --port $PORT"}}',
                "/backend/src/api/main.py": "app = 1\n",
            },
            expect=[("SV003", "/railway.json", 1, 1)],
        ),
        Invalid(
            {"Dockerfile": "FROM python:3.12\nCOPY services/svc/app.py .\n", "app.py": "", "railway.json": "{}"},
            expect=[("SV003", "railway.json", 1, 1)],
        ),
        # Any provider: directory arguments (`cd`, `--cwd`, `--prefix`, `-C`, `--dir`) into the service's own
        # folder from the repository root, one finding for all of them.
        Invalid(
            {
                "railway.json": (
                    '{"build": {"buildCommand": "cd services/svc && npm run build"}, "deploy": {"startCommand": "bun'
                    ' run --cwd services/svc start"}}'
                ),
                "package.json": "{}",
                "src/main.js": "",
            },
            expect=[("SV003", "railway.json", 1, 1)],
        ),
        Valid(
            {
                "railway.json": '{"build": {"buildCommand": "cd src && npm --prefix . run build"}}',
                "package.json": "{}",
                "src/main.js": "",
            }
        ),
        Valid(
            {
                "railpack.json": '{"deploy": {"startCommand": "node services/svc/server.js"}}',
                "package.json": "{}",
                "services/svc/server.js": "",
            }
        ),
        # A folder the build makes in the service's folder is no sign, even when the repository root has one too.
        Valid(
            {
                "railway.json": '{"build": {"buildCommand": "mkdir -p vendor && tar -xzf deps.tgz -C vendor"}}',
                "package.json": "{}",
                "deps.tgz": "",
                "/vendor/x.js": "",
            }
        ),
        Valid(
            {
                "railway.json": '{"build": {"buildCommand": "tar -xzf deps.tgz -C vendor"}}',
                "package.json": "{}",
                "deps.tgz": "",
                "/vendor/x.js": "",
            }
        ),
        Invalid(
            {
                "railway.json": '{"build": {"buildCommand": "make -C services/svc/web build"}}',
                "package.json": "{}",
                "/services/svc/web/Makefile": "",
            },
            expect=[("SV003", "railway.json", 1, 1)],
        ),
        # `builder = "DOCKERFILE"` in a repository-root config finds its Dockerfile only in a subfolder.
        Invalid(
            {"/railway.json": '{"build": {"builder": "DOCKERFILE"}}', "Dockerfile": "FROM python:3.12\n"},
            expect=[("SV003", "/railway.json", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        evidence = root_evidence(service, project)
        if not evidence:
            return
        where = service.railpack or service.railway
        name = service.root.name
        config = (
            f'railpack-config = "{service.railpack_path}"'
            if service.railpack
            else f'railway-config = "/{service.railway.path if service.railway else ""}"'
        )
        folders = subfolder_roots(service, project)[1] if str(service.root) == "." else ()
        if folders:  # a repository-root config that reads like a subfolder service's
            name, suggestion = folders[0].name, f'root = "{folders[0]}"'
        else:
            suggestion = f'root = "/" (or "{service.root}")'
        yield self.diagnostic(
            where.path if where else service.railpack_path,
            where.lines.span(0, 1) if where else None,
            f"the root directory of this service is unclear: railcheck assumed {service.display_root()}"
            f" ({service.root_source}), but {evidence[0]}"
            + (f" (and {len(evidence) - 1} more sign{'s' if len(evidence) > 2 else ''})" if len(evidence) > 1 else ""),
            help=(
                f"Declare the root directory Railway uses, e.g. in railcheck.toml: [services.{name}] {suggestion} and"
                f" {config}; path and module checks for this service are skipped until then."
            ),
        )


class DeclaredServiceReplacesDiscovered(ServiceRule):
    """
    ## What it does
    Reports a service declared in railcheck's configuration under another name than its folder's, rooted
    in a folder that holds a railpack.json or Railway config of its own. railcheck then checks that folder
    only as the declared service, and the service it would have discovered there is not checked on its own.

    ## Why is this bad?
    It may be intended (the declaration describes the same Railway service). But a name such as
    `api-staging` usually means a second Railway service built from the same folder, and the first one
    silently drops out of the check; saying so keeps the configuration honest.

    ## Example
    ```toml
    [services.api-staging]
    root = "services/api"
    ```
    while `services/api/railpack.json` exists. Name the declaration after its folder (`[services.api]`) when
    it describes that service.
    """

    code = "SV004"
    name = "declared-service-replaces-discovered"
    summary = "A declared service takes the place of the service discovered in its folder"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid(
            {
                "/railcheck.toml": '[services.api]\nroot = "services/api"\n',
                "/services/api/railpack.json": "{}",
                "/services/api/main.py": "",
            }
        ),
        Invalid(
            {
                "/railcheck.toml": '[services.api-staging]\nroot = "services/api"\n',
                "/services/api/railpack.json": "{}",
                "/services/api/main.py": "",
            },
            expect=[("SV004", "/railcheck.toml", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        config = project.config
        declaration = next(
            (item for item in config.services if item.name == service.name and item.root == service.root), None
        )
        repository = self.repository(project)
        if declaration is None or service.name in (str(service.root), service.root.name):
            return
        # The declaration owns its folder (discovery skips it) unless it reads both configs from elsewhere.
        if declaration.railpack_config is not None and declaration.railway_config is not None:
            return
        markers = [name for name in SERVICE_MARKERS if name in repository.listdir(service.root)]
        named = (str(service.root), service.root.name)
        if not markers or any(other.root == service.root and other.name in named for other in project.services):
            return
        source = config.source or PurePosixPath("railcheck.toml")
        written = config_key_span(config, "services", service.name)
        lines = LineIndex(config.text or "")
        start = lines.line_start(written.start.line) if written is not None else None
        span = lines.span(start, start + 1) if start is not None else None  # the start of the `[services.NAME]` line
        yield self.diagnostic(
            source,
            span,
            f"the declared service `{service.name}` takes the place of the service railcheck discovers from "
            f"{service.root / markers[0]}; that folder is checked only as `{service.name}`",
            help=(
                f'If both deploy, declare the other one too ([services.{service.root.name}] root = "{service.root}"); '
                f"if they are one Railway service, name the declaration `{service.root.name}`."
            ),
        )
