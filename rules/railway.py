"""RW: Railway's config as code, `railway.json` and `railway.toml` (and how Railway finds them)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from railcheck import (
    Consequence,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Invalid,
    Project,
    Related,
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.declarations import declaration_site
from railcheck.edits import remove_member, rename_key, replace_value, set_member, set_schema
from railcheck.schema import (
    PUBLISHED_SCHEMA_URLS,
    SchemaIssue,
    declared_schema,
    document_issues,
    dotted,
    load_schema,
    location,
    published_schema_of,
)
from railcheck.sources.text import Document
from railcheck.suggest import case_insensitive_match, closest, quoted_list
from railcheck.walk import setting_pointers

FAMILY = "RW"
SCHEMA = "railway.schema.json"
SCHEMA_URL = PUBLISHED_SCHEMA_URLS["railway"]
OUTDATED_SCHEMA_URLS = frozenset(
    {
        "https://railway.app/railway.schema.json",
        "http://railway.app/railway.schema.json",
        "http://railway.com/railway.schema.json",
    }
)
# Keys of railpack.json that people put into railway.json, where Railway ignores them.
RAILPACK_KEYS = frozenset({"provider", "packages", "steps", "caches", "buildAptPackages", "secrets", "exclude"})


def _documents(service: Service) -> Iterator[Document]:
    """The Railway config Railway reads. A railway.json beside a railway.toml is ignored by Railway: RW101
    says so once, and findings about its content would only repeat it."""
    if service.railway is not None:
        yield service.railway


def _issues(service: Service) -> Iterator[tuple[Document, SchemaIssue]]:
    for document in _documents(service):
        for issue in document_issues(document, SCHEMA):
            yield document, issue


def _sections() -> dict[str, tuple[str, ...]]:
    definitions = load_schema(SCHEMA)["$defs"]
    return {"build": tuple(definitions["Build"]["properties"]), "deploy": tuple(definitions["Deploy"]["properties"])}


class RailwayUnknownKey(ServiceRule):
    """
    ## What it does
    Reports keys in `railway.json` / `railway.toml` that Railway's config-as-code format does not define,
    with a suggestion: the exact spelling (`healthcheckPath`, not `healthCheckPath`), the section a key
    belongs in (`builder` goes under `build`), or the file that does read it (`steps` belongs in
    `railpack.json`).

    ## Why is this bad?
    The setting does not do what its author expects. A top-level `builder` or a `healthCheckPath`
    is not applied, and the deploy goes out without the health check everyone assumes is there.

    ## Example
    ```json
    { "builder": "RAILPACK", "deploy": { "healthCheckPath": "/health" } }
    ```

    ## Fix safety
    Unsafe, because the setting starts to take effect: a misspelt key is renamed, and a key at the top level
    is moved under the section it belongs to.
    """

    code = "RW001"
    name = "railway-unknown-key"
    summary = "Railway config has a key Railway does not define"
    consequence = Consequence.MISBEHAVES
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"railway.json": '{"build": {"builder": "RAILPACK"}, "deploy": {"healthcheckPath": "/health"}}'}),
        Invalid(
            {"railway.json": '{\n  "builder": "RAILPACK",\n  "deploy": {\n    "numReplicas": 1\n  }\n}\n'},
            expect=[("RW001", "railway.json", 2, 3)],
            fixed={
                "railway.json": (
                    '{\n  "deploy": {\n    "numReplicas": 1\n  },\n  "build": {\n    "builder": "RAILPACK"\n  }\n}\n'
                )
            },
            unsafe_fixes=True,
        ),
        Invalid(
            {"railway.json": '{"deploy": {"healthCheckPath": "/health"}}'},
            expect=[("RW001", "railway.json", 1, 13)],
            fixed={"railway.json": '{"deploy": {"healthcheckPath": "/health"}}'},
            unsafe_fixes=True,
        ),
        Invalid(
            {"railway.toml": '[deploy]\nstartcommand = "python main.py"\n'}, expect=[("RW001", "railway.toml", 2, 1)]
        ),
        Invalid(
            {"railway.json": '{"environments": {"staging": {"deploy": {"healthCheckPath": "/health"}}}}'},
            expect=[("RW001", "railway.json", 1, 42)],
            fixed={"railway.json": '{"environments": {"staging": {"deploy": {"healthcheckPath": "/health"}}}}'},
            unsafe_fixes=True,
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service):
            if issue.kind != "unknown-key" or issue.key is None:
                continue
            key, pointer = issue.key, issue.pointer
            span = document.key_span(pointer)
            where = location(pointer)
            top_level = pointer.count("/") == 1
            if key in RAILPACK_KEYS and top_level:
                yield self.diagnostic(
                    document,
                    span,
                    f"`{key}` is a railpack.json setting; Railway's config as code does not read it here",
                    help=f"Move `{key}` into the service's railpack.json ({service.railpack_path}).",
                )
                continue
            home = next(
                (section for section, keys in _sections().items() if key in keys or case_insensitive_match(key, keys)),
                None,
            )
            # A key spelt in another case of one allowed right here is a misspelling, not a misplacement
            # (`healthCheckPath` under `environments.staging.deploy`).
            if home and not pointer.startswith(f"/{home}/") and not case_insensitive_match(key, issue.allowed):
                fix = None
                if top_level and document.get(f"/{home}/{key}") is None:
                    fix = Fix.unsafe(
                        f"Move `{key}` under `{home}`",
                        remove_member(document, pointer),
                        set_member(document, f"/{home}", key, document.get(pointer)),
                    )
                yield self.diagnostic(
                    document,
                    span,
                    f"`{key}` is not read {where}; it belongs under `{home}`",
                    help=f"Move it into the `{home}` section.",
                    fix=fix,
                )
                continue
            suggestion = closest(key, issue.allowed)
            if suggestion:
                taken = suggestion in document.get(pointer.rsplit("/", 1)[0], {})
                yield self.diagnostic(
                    document,
                    span,
                    f"unknown key `{key}` {where}; Railway spells it `{suggestion}`",
                    help=(
                        f"`{suggestion}` is already set, so remove `{key}`."
                        if taken
                        else f"Rename it to `{suggestion}`."
                    ),
                    fix=(
                        None
                        if taken
                        else Fix.unsafe(f"Rename `{key}` to `{suggestion}`", rename_key(document, pointer, suggestion))
                    ),
                )
                continue
            yield self.diagnostic(
                document,
                span,
                f"unknown key `{key}` {where}",
                help=f"Remove it; keys allowed here: {quoted_list(issue.allowed)}.",
            )


class RailwayInvalidValue(ServiceRule):
    """
    ## What it does
    Reports values of the wrong type or outside the allowed set in `railway.json` / `railway.toml`:
    `"healthcheckTimeout": "300"`, `"restartPolicyType": "SOMETIMES"`, `"builder": "DOCKER"`.

    ## Why is this bad?
    Railway rejects or ignores the value, so the deploy does not get the setting (a string where a
    number is expected fails with "Expected number, received string").

    ## Example
    ```json
    { "deploy": { "restartPolicyType": "ALWAYS_ON", "healthcheckTimeout": "300" } }
    ```
    """

    code = "RW002"
    name = "railway-invalid-value"
    summary = "Railway config has a value of the wrong type or not in the allowed set"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railway.json": '{"deploy": {"restartPolicyType": "ON_FAILURE", "healthcheckTimeout": 300}}'}),
        Invalid(
            {"railway.json": '{"deploy": {"healthcheckTimeout": "300"}}'}, expect=[("RW002", "railway.json", 1, 35)]
        ),
        Invalid({"railway.toml": '[build]\nbuilder = "DOCKER"\n'}, expect=[("RW002", "railway.toml", 2, 11)]),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service):
            if issue.kind == "unknown-key":
                continue
            value = document.get(issue.pointer)
            if issue.kind == "enum" and isinstance(value, str) and case_insensitive_match(value, issue.allowed):
                continue  # RW003: Railway accepts these values in any case
            help = issue.description
            if issue.kind == "enum":
                suggestion = closest(value, issue.allowed, prefixes=True) if isinstance(value, str) else None
                help = (
                    f"Did you mean `{suggestion}`? " if suggestion else ""
                ) + f"Allowed: {quoted_list(issue.allowed)}."
            yield self.diagnostic(
                document,
                document.value_span(issue.pointer),
                f"`{dotted(issue.pointer)}` {issue.message}",
                help=help,
            )


class RailwayValueCase(ServiceRule):
    """
    ## What it does
    Reports enum values written in a case other than Railway's canonical upper case, such as
    `"restartPolicyType": "never"` or `builder = "railpack"`.

    ## Why is this bad?
    Railway accepts them (its own TOML examples use lower case), so nothing breaks; the canonical form
    keeps configs uniform and matches the published schema and API.

    ## Example
    ```toml
    [deploy]
    restartPolicyType = "never"
    ```

    ## Fix safety
    Safe: Railway treats both spellings the same.
    """

    code = "RW003"
    name = "railway-value-case"
    summary = "Railway enum value not in canonical upper case"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railway.toml": '[deploy]\nrestartPolicyType = "NEVER"\n'}),
        Invalid(
            {"railway.toml": '[deploy]\nrestartPolicyType = "never"\n'},
            expect=[("RW003", "railway.toml", 2, 21)],
            fixed={"railway.toml": '[deploy]\nrestartPolicyType = "NEVER"\n'},
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service):
            value = document.get(issue.pointer)
            spelling = (
                case_insensitive_match(value, issue.allowed)
                if issue.kind == "enum" and isinstance(value, str)
                else None
            )
            if spelling is None:
                continue
            yield self.diagnostic(
                document,
                document.value_span(issue.pointer),
                f'`{dotted(issue.pointer)}` is "{value}"; the canonical spelling is "{spelling}"',
                fix=Fix.safe(f'Write "{spelling}"', replace_value(document, issue.pointer, spelling)),
            )


class ShadowedRailwayJson(ServiceRule):
    """
    ## What it does
    Reports a `railway.json` that sits beside a `railway.toml`.

    ## Why is this bad?
    When both exist in one folder Railway reads `railway.toml` and ignores `railway.json`, so edits to
    the JSON file have no effect.

    ## Example
    `services/api/railway.toml` and `services/api/railway.json` both exist.
    """

    code = "RW101"
    name = "shadowed-railway-json"
    summary = "railway.json is ignored because railway.toml exists beside it"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"railway.toml": "[deploy]\nnumReplicas = 1\n"}),
        Invalid(
            {"railway.toml": "[deploy]\nnumReplicas = 1\n", "railway.json": '{"deploy": {"numReplicas": 2}}'},
            expect=[("RW101", "railway.json", 1, 1)],
        ),
        Valid(
            {
                "railway.toml": "[deploy]\nnumReplicas = 1\n",
                "railway.json": '{"$schema": "https://railway.com/railway.schema.json"}',
            }
        ),
        Valid(
            {
                "railway.toml": "[deploy]\nnumReplicas = 1\n",
                "railway.json": '{"$schema": "https://railway.com/railway.schema.json", "deploy": {"numReplicas": 1}}',
            }
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        ignored, used = service.railway_ignored, service.railway
        if ignored is None or used is None:
            return
        if isinstance(ignored.value, dict) and (
            set(ignored.value) <= {"$schema"} or _settings(ignored.value) == _settings(used.value)
        ):
            return  # only an editor hint, or the same settings as the file Railway reads: ignoring it loses nothing
        yield self.diagnostic(
            ignored,
            ignored.lines.span(0, 0),
            f"Railway reads {used.path.name} in this folder and ignores this railway.json",
            help=f"Merge the settings into {used.path.name} and delete railway.json.",
            related=(Related(used.path, used.lines.span(0, 0), "the file Railway uses"),),
        )


def _settings(value: object) -> object:
    """A config file's settings, without the editor's `$schema`."""
    return {key: item for key, item in value.items() if key != "$schema"} if isinstance(value, dict) else value


class ConfigAsCodeDeprecated(ServiceRule):
    """
    ## What it does
    Notes the `railway.json` / `railway.toml` files: Railway has deprecated config as code in favour of
    infrastructure as code (`.railway/railway.ts`, or `.railway/railway.py`). It is a notice about the
    repository, so a run reports it once, at the first file, listing the others; a file suppressed on its
    own (`per-file-ignores`, an inline comment, the baseline) is left out of the list.

    ## Why is this bad?
    Railway's docs say existing services keep reading these files until 2026-12-01, after which the
    settings in them may stop applying, and new services cannot opt in. A service cannot be managed both
    ways, so migrate before adding services.

    ## Example
    `services/api/railway.json` exists. Run `railway config migrate --lang ts` (or `--lang py`).

    The finding also shows, as a display-only fix that is never applied, the equivalent `service(...)` call
    for `.railway/railway.py`: migrating changes how Railway manages the service, and is done with
    `railway config migrate`.
    """

    code = "RW102"
    name = "config-as-code-deprecated"
    summary = "Railway config as code is deprecated"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    examples = (
        Valid({"railpack.json": "{}"}),
        Invalid({"railway.json": '{"deploy": {}}'}, expect=[("RW102", "railway.json", 1, 1)]),
    )

    # One notice per run, listing the files (railcheck/notices.py); each file's finding is suppressed on its own.
    repository_notice = True

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = service.railway
        if document is None:
            return
        call = _service_call(service, document)
        yield self.diagnostic(
            document,
            document.lines.span(0, 0),
            f"Railway config as code ({document.path.name}) is deprecated; {_END_OF_SUPPORT}",
            help=(
                "Migrate with `railway config migrate --lang ts` (or `--lang py`); in .railway/railway.py this service"
                f" is `{call}`."
            ),
            fix=Fix.display_only(f"Declare it in .railway/railway.py: {call}", Edit(_IAC_PY, 0, 0, call + "\n")),
        )

    @classmethod
    def fold(cls, found: Sequence[Diagnostic]) -> Diagnostic:
        first, *others = found
        calls = "".join(
            edit.content for diagnostic in found if diagnostic.fix is not None for edit in diagnostic.fix.edits
        )
        # The message names a few of the files (one-line formats show no notes); the notes list them all.
        named = ", ".join(str(diagnostic.path) for diagnostic in found[:_NAMED])
        more = f" and {len(found) - _NAMED} more, listed in the notes" if len(found) > _NAMED else ""
        return replace(
            first,
            message=(
                f"Railway config as code is deprecated, and {len(found)} files use it ({named}{more});"
                f" {_END_OF_SUPPORT}"
            ),
            service=None,
            help=(
                "Migrate with `railway config migrate --lang ts` (or `--lang py`); `railcheck check --select RW102"
                " FOLDER` on one service folder shows its `service(...)` call for .railway/railway.py."
            ),
            fix=Fix.display_only(
                f"Declare the {len(found)} services in .railway/railway.py", Edit(_IAC_PY, 0, 0, calls)
            ),
            related=tuple(Related(other.path, other.span, "config as code too") for other in others),
        )


_NAMED = 3
_END_OF_SUPPORT = "Railway's docs end support for existing services on 2026-12-01"
_IAC_PY = PurePosixPath(".railway/railway.py")


# railway.json keys -> keyword arguments of railway_sdk's service() (docs/railpack-facts.md, "IC: infrastructure as
# code").
_IAC_KEYWORDS = (
    ("/deploy/startCommand", "start"),
    ("/deploy/healthcheckPath", "healthcheck"),
    ("/deploy/healthcheckTimeout", "healthcheckTimeout"),
    ("/build/buildCommand", "build"),
    ("/deploy/preDeployCommand", "preDeploy"),
    ("/deploy/numReplicas", "replicas"),
)


def _service_call(service: Service, document: Document) -> str:
    """The `service(...)` call of railway_sdk that declares what this config-as-code file does."""
    name = service.name if "/" not in service.name else service.root.name or "app"
    arguments = [json.dumps(name), f"root={json.dumps('/' if str(service.root) == '.' else str(service.root))}"]
    for pointer, keyword in _IAC_KEYWORDS:
        value = document.get(pointer)
        if value is not None:
            arguments.append(f"{keyword}={json.dumps(value, ensure_ascii=False)}")
    return f"service({', '.join(arguments)})"


class OutdatedSchemaUrl(ServiceRule):
    """
    ## What it does
    Reports a `$schema` that points at the old `railway.app` address.

    ## Why is this bad?
    Railway's documentation now publishes the schema at `https://railway.com/railway.schema.json`;
    editors that validate against the old address may get a stale schema or none.

    ## Example
    ```json
    { "$schema": "https://railway.app/railway.schema.json" }
    ```

    ## Fix safety
    Safe: only editors read `$schema`.
    """

    code = "RW103"
    name = "outdated-schema-url"
    summary = "`$schema` points at the old railway.app address"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railway.json": '{"$schema": "https://railway.com/railway.schema.json"}'}),
        Invalid(
            {"railway.json": '{"$schema": "https://railway.app/railway.schema.json"}'},
            expect=[("RW103", "railway.json", 1, 13)],
            fixed={"railway.json": '{"$schema": "https://railway.com/railway.schema.json"}'},
        ),
        # Railway ignores a railway.json beside a railway.toml (RW101 says so once).
        Valid(
            {
                "railway.toml": "[deploy]\nnumReplicas = 1\n",
                "railway.json": '{"$schema": "https://railway.app/railway.schema.json", "deploy": {"numReplicas": 2}}',
            }
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document in _documents(service):
            value = declared_schema(document)
            # A list or an object (RW002 reports the type) cannot even be looked up in the set.
            if not isinstance(value, str) or value not in OUTDATED_SCHEMA_URLS:
                continue
            yield self.diagnostic(
                document,
                document.value_span("/$schema"),
                f"`$schema` is the old address {value}",
                help=f"Use {SCHEMA_URL}.",
                fix=set_schema(document, SCHEMA_URL),
            )


class RailpackSchemaInRailwayConfig(ServiceRule):
    """
    ## What it does
    Reports a `$schema` in `railway.json` (or `railway.toml`) that names Railpack's schema
    (`https://schema.railpack.com`), the schema of `railpack.json`.

    ## Why is this bad?
    Railway ignores `$schema`, so the deploy is not affected. But editors validate the file against
    Railpack's keys: every Railway setting is flagged as unknown, and mistakes in them are not.

    ## Example
    ```json
    { "$schema": "https://schema.railpack.com", "deploy": { "startCommand": "npm start" } }
    ```

    ## Fix safety
    Safe: only editors read `$schema`.
    """

    code = "RW107"
    name = "railpack-schema-in-railway-config"
    summary = "`$schema` in a Railway config names Railpack's schema"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railway.json": '{"$schema": "https://railway.com/railway.schema.json"}'}),
        Invalid(
            {"railway.json": '{"$schema": "https://schema.railpack.com"}'},
            expect=[("RW107", "railway.json", 1, 13)],
            fixed={"railway.json": '{"$schema": "https://railway.com/railway.schema.json"}'},
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document in _documents(service):
            value = declared_schema(document)
            if published_schema_of(value) != "railpack":
                continue
            yield self.diagnostic(
                document,
                document.value_span("/$schema"),
                f"`$schema` names Railpack's schema ({value}), which describes railpack.json; editors check"
                f" {document.path.name} against the wrong keys",
                help=f"Use Railway's schema, {SCHEMA_URL}.",
                fix=set_schema(document, SCHEMA_URL),
            )


def _url_path(url: str) -> str | None:
    """The path of `url` ("/" when it has none); None when Python cannot split it (`http://[x/health`)."""
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return None


class HealthcheckPathNotPath(ServiceRule):
    """
    ## What it does
    Reports a `healthcheckPath` that is a full URL or does not start with `/`.

    ## Why is this bad?
    Railway requests the path on the new deployment's own address (host `healthcheck.railway.app`,
    port `$PORT`). A URL such as `http://api.railway.internal/health` becomes a path that no route
    serves, so every deploy fails its health check with 404s until it times out.

    ## Example
    ```json
    { "deploy": { "healthcheckPath": "http://api.railway.internal/health" } }
    ```

    ## Fix safety
    Safe for a missing leading `/`; unsafe for a URL, where the path part is kept and the host dropped.
    """

    code = "RW104"
    name = "healthcheck-path-not-path"
    summary = "`healthcheckPath` is a URL or lacks its leading `/`"
    consequence = Consequence.FAILS
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railway.json": '{"deploy": {"healthcheckPath": "/api/health"}}'}),
        Invalid(
            {"railway.json": '{"deploy": {"healthcheckPath": "health"}}'},
            expect=[("RW104", "railway.json", 1, 32)],
            fixed={"railway.json": '{"deploy": {"healthcheckPath": "/health"}}'},
        ),
        Invalid(
            {"railway.toml": '[deploy]\nhealthcheckPath = "http://api.railway.internal/health"\n'},
            expect=[("RW104", "railway.toml", 2, 19)],
            fixed={"railway.toml": '[deploy]\nhealthcheckPath = "/health"\n'},
            unsafe_fixes=True,
        ),
    )
    _URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document in _documents(service):
            for pointer in setting_pointers(document.value, "deploy", "healthcheckPath"):
                value = document.get(pointer)
                if not isinstance(value, str) or not value or value.startswith("/"):
                    continue
                if self._URL.match(value):
                    path = _url_path(value)
                    message = f"`healthcheckPath` is a URL ({value}); Railway expects a path on the service itself"
                    fix = Fix.unsafe(f"Set it to {path}", replace_value(document, pointer, path)) if path else None
                else:
                    path = "/" + value
                    message = f'`healthcheckPath` "{value}" does not start with `/`'
                    fix = Fix.safe(f"Set it to {path}", replace_value(document, pointer, path))
                yield self.diagnostic(
                    document,
                    document.value_span(pointer),
                    message,
                    help=f"Use a path such as `{path}`; Railway calls it on the deployment's own address and port.",
                    fix=fix,
                )


class DeprecatedBuilder(ServiceRule):
    """
    ## What it does
    Reports `builder = "NIXPACKS"`.

    ## Why is this bad?
    Nixpacks is deprecated and no longer documented; Railpack is Railway's default builder. Nixpacks
    does not read `railpack.json`, so a service with one builds differently from what its config says.

    ## Example
    ```json
    { "build": { "builder": "NIXPACKS" } }
    ```

    ## Fix safety
    Unsafe: switching builders changes how the image is built.
    """

    code = "RW105"
    name = "deprecated-builder"
    summary = "`builder` is the deprecated NIXPACKS"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railway.json": '{"build": {"builder": "RAILPACK"}}'}),
        Invalid(
            {"railway.json": '{"build": {"builder": "NIXPACKS"}}'},
            expect=[("RW105", "railway.json", 1, 23)],
            fixed={"railway.json": '{"build": {"builder": "RAILPACK"}}'},
            unsafe_fixes=True,
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document in _documents(service):
            for pointer in setting_pointers(document.value, "build", "builder"):
                value = document.get(pointer)
                if not isinstance(value, str) or value.upper() != "NIXPACKS":
                    continue
                note = " and ignores railpack.json" if service.railpack is not None else ""
                yield self.diagnostic(
                    document,
                    document.value_span(pointer),
                    f"the Nixpacks builder is deprecated{note}",
                    help="Use `RAILPACK`, Railway's default builder.",
                    fix=Fix.unsafe("Set `builder` to RAILPACK", replace_value(document, pointer, "RAILPACK")),
                )


class MissingRailwayConfig(ServiceRule):
    """
    ## What it does
    Reports a declared `railway-config` (Railway's config-as-code path) that does not exist.

    ## Why is this bad?
    The path is absolute in the repository and does not follow the root directory. When the file is
    not there, none of its settings (health check, restart policy, start command) apply.

    ## Example
    `railway-config = "/api/railway.toml"` while the file is `services/api/railway.toml`.
    """

    code = "RW106"
    name = "missing-railway-config"
    summary = "The declared Railway config file does not exist"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railway.json": "{}"}),
        Invalid(
            {
                "/railcheck.toml": '[services.api]\nroot = "services/api"\nrailway-config = "/api/railway.toml"\n',
                "/services/api/railway.toml": "",
            },
            expect=[("RW106", "/railcheck.toml", 3, 18)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for path in service.missing:
            if path.suffix not in (".json", ".toml") or path == service.railpack_path:
                continue
            where, span = declaration_site(project, service, "railway-config", path)
            yield self.diagnostic(
                where,
                span,
                f"the Railway config path /{path} does not exist, so none of its settings apply",
                help=(
                    "The path is absolute in the repository (it does not follow the root directory); fix"
                    " `railway-config` and the service's setting in Railway."
                ),
            )
