"""RP: railpack.json as Railpack reads it (Go's JSON decoder over JWCC): its keys, value types and allowed
values, checked against the vendored schema, whether the declared file exists, and the `$schema` it names
(RP001-RP004, RP110, RP113).

What the steps and `deploy` then do in the build (RP101-RP109) is checked in railpack_steps.py.
Facts come from Railpack at commit b5e80580 (see schemas/README.md and docs/railpack-facts.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from railcheck import (
    RAILPACK_ONLY,
    Consequence,
    Diagnostic,
    Fix,
    FixAvailability,
    Invalid,
    Project,
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.declarations import declaration_site
from railcheck.edits import new_json_file, remove_member, rename_key, replace_value, set_member, set_schema
from railcheck.root_evidence import paths_checkable
from railcheck.schema import (
    PUBLISHED_SCHEMA_URLS,
    SchemaIssue,
    declared_schema,
    document_issues,
    dotted,
    load_schema,
    location,
    published_schema_of,
    type_name,
)
from railcheck.sources.text import Document, split_pointer
from railcheck.suggest import case_insensitive_match, closest, quoted_list

FAMILY = "RP"
SCHEMA = "railpack.schema.json"

# Railway settings that people put into railpack.json, where Railpack ignores them:
# key -> (section, Railway's spelling).
RAILWAY_KEYS = {
    key.casefold(): (section, key)
    for section, keys in {
        "build": ("builder", "buildCommand", "watchPatterns", "dockerfilePath", "railpackVersion"),
        "deploy": (
            "healthcheckPath",
            "healthcheckTimeout",
            "restartPolicyType",
            "restartPolicyMaxRetries",
            "numReplicas",
            "cronSchedule",
            "preDeployCommand",
            "region",
            "multiRegionConfig",
            "sleepApplication",
            "overlapSeconds",
            "drainingSeconds",
            "requiredMountPath",
        ),
    }.items()
    for key in keys
}
RAILWAY_SCHEMA_URL = PUBLISHED_SCHEMA_URLS["railway"]
_STEP = re.compile(r"^/steps/[^/]+$")
_COMMAND_ITEM = re.compile(r"^/steps/[^/]+/commands/\d+$")
_COMMAND_OBJECT = re.compile(r"^/steps/[^/]+/commands/\d+/[^/]+$")
# Keys people invent at the top level of railpack.json, and where the setting really lives.
MISPLACED_KEYS = {
    "build": "the build step: `steps.build` (or Railway's build settings in railway.json)",
    "install": "the install step: `steps.install`",
    "env": "`deploy.variables` (run time) or `steps.<name>.variables` (build time)",
    "environment": "`deploy.variables` (run time) or `steps.<name>.variables` (build time)",
    "variables": "`deploy.variables` (run time) or `steps.<name>.variables` (build time)",
    "start": "`deploy.startCommand`",
    "python": "`packages.python`",
    "python_version": "`packages.python`",
    "pythonversion": "`packages.python`",
}


def _issues(service: Service, kind: str) -> Iterator[tuple[Document, SchemaIssue]]:
    document = service.railpack
    if document is None:
        return
    for issue in document_issues(document, SCHEMA):
        if issue.kind == kind:
            yield document, issue


# Top-level keys people write to describe the file: Railpack drops them, and nothing would have read them.
LABEL_KEYS = frozenset({"version", "name", "description", "metadata", "$comment", "comment", "title", "author"})


def _label(issue: SchemaIssue) -> bool:
    return issue.key is not None and issue.pointer.count("/") == 1 and issue.key.casefold() in LABEL_KEYS


def _case_only(document: Document, issue: SchemaIssue) -> str | None:
    """The schema's spelling of a key Go would still match (case-insensitively), or None."""
    if _COMMAND_OBJECT.match(issue.pointer) or issue.key is None:
        return None  # command objects are classified by exact keys (core/plan/command.go)
    match = case_insensitive_match(issue.key, issue.allowed)
    if match is None:
        return None
    parent = document.get(issue.pointer.rsplit("/", 1)[0], {})
    return None if match in parent else match


def _sections() -> dict[str, tuple[str, ...]]:
    schema = load_schema(SCHEMA)
    return {
        "the top level": tuple(schema["properties"]),
        "`deploy`": tuple(schema["$defs"]["Deploy"]["properties"]),
        "a step": tuple(schema["$defs"]["Step"]["properties"]),
    }


class RailpackUnknownKey(ServiceRule):
    """
    ## What it does
    Reports keys in `railpack.json` that Railpack does not know, with a suggestion: a near spelling,
    the section where the key belongs, or the Railway file that reads it.

    ## Why is this bad?
    Railpack decodes `railpack.json` with Go's JSON decoder, which silently drops unknown keys. The
    setting has no effect and nothing in the build log says so: a `healthCheckPath` here never makes
    Railway wait for a health check, and `"providers"` never selects a provider.

    ## Example
    ```json
    { "providers": ["python"], "healthCheckPath": "/health" }
    ```
    Use `"provider": "python"` here, and put `"healthcheckPath": "/health"` under `deploy` in `railway.json`.

    ## Fix safety
    Unsafe, because the setting starts to take effect: a misspelt key is renamed, and a Railway setting is
    moved into the service's railway.json or railway.toml with Railway's spelling (railway.json is created
    at the root directory when the service has no Railway config).
    """

    code = "RP001"
    builders = RAILPACK_ONLY
    name = "railpack-unknown-key"
    summary = "railpack.json has a key Railpack silently ignores"
    consequence = Consequence.MISBEHAVES
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"railpack.json": '{"provider": "python", "deploy": {"startCommand": "python main.py"}}'}),
        Invalid({"railpack.json": '{\n  "providers": ["python"]\n}\n'}, expect=[("RP001", "railpack.json", 2, 3)]),
        # A top-level label changes nothing (RP114 notes it).
        Valid({"railpack.json": '{"version": "1", "metadata": {"name": "ml"}, "provider": "python"}'}),
        Invalid(
            {"railpack.json": '{\n  "provider": "python",\n  "healthCheckPath": "/health"\n}\n'},
            expect=[("RP001", "railpack.json", 3, 3)],
            fixed={
                "railpack.json": '{\n  "provider": "python"\n}\n',
                "railway.json": (
                    '{\n  "$schema": "https://railway.com/railway.schema.json",\n  "deploy": {\n    "healthcheckPath":'
                    ' "/health"\n  }\n}\n'
                ),
            },
            unsafe_fixes=True,
        ),
        Invalid(
            {
                "railpack.json": '{"deploy": {"startCommand": "python main.py", "restartPolicyType": "ALWAYS"}}',
                "railway.toml": "[deploy]\nnumReplicas = 2\n",
            },
            expect=[("RP001", "railpack.json", 1, 47)],
            fixed={
                "railpack.json": '{"deploy": {"startCommand": "python main.py"}}',
                "railway.toml": '[deploy]\nnumReplicas = 2\nrestartPolicyType = "ALWAYS"\n',
            },
            unsafe_fixes=True,
        ),
        Invalid(
            {"railpack.json": '{"deploy": {"startComand": "python main.py"}}'},
            expect=[("RP001", "railpack.json", 1, 13)],
            fixed={"railpack.json": '{"deploy": {"startCommand": "python main.py"}}'},
            unsafe_fixes=True,
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service, "unknown-key"):
            if issue.key is None or _case_only(document, issue) or _label(issue):
                continue  # RP003 reports keys that differ only in case, RP114 labels
            yield self._diagnostic(service, project, document, issue, issue.key)

    def _diagnostic(
        self, service: Service, project: Project, document: Document, issue: SchemaIssue, key: str
    ) -> Diagnostic:
        where = location(issue.pointer)
        span = document.key_span(issue.pointer)
        railway = RAILWAY_KEYS.get(key.casefold())
        if railway and (issue.pointer.count("/") == 1 or issue.pointer.startswith("/deploy/")):
            section, spelling = railway
            return self.diagnostic(
                document,
                span,
                f"Railpack ignores `{key}`: it is a Railway setting, not a Railpack one",
                help=f"Railway reads it from railway.json (or railway.toml) as `{section}.{spelling}`; move it there.",
                fix=_move_to_railway(service, project, document, issue.pointer, section, spelling),
            )
        same = case_insensitive_match(key, issue.allowed)
        if same:
            return self.diagnostic(
                document,
                span,
                f"Railpack reads `{key}` as `{same}`, which is also set {where}; one silently overrides the other",
                help=f"Merge the two into one `{same}`.",
            )
        parent = issue.pointer.rsplit("/", 1)[0]
        if not parent and key.casefold() in MISPLACED_KEYS:
            return self.diagnostic(
                document,
                span,
                f"Railpack ignores `{key}` at the top level",
                help=f"This setting lives in {MISPLACED_KEYS[key.casefold()]}.",
            )
        if parent in ("", "/deploy") or _STEP.match(parent):
            for section, keys in _sections().items():
                if key not in issue.allowed and (key in keys or case_insensitive_match(key, keys)):
                    return self.diagnostic(
                        document,
                        span,
                        f"Railpack ignores `{key}` {where}; it belongs in {section}",
                        help=f"Move `{key}` to {section}.",
                    )
        suggestion = closest(key, issue.allowed)
        if suggestion:
            taken = suggestion in document.get(issue.pointer.rsplit("/", 1)[0], {})
            return self.diagnostic(
                document,
                span,
                f"Railpack ignores unknown key `{key}` {where}; did you mean `{suggestion}`?",
                help=f"`{suggestion}` is already set, so remove `{key}`." if taken else f"Rename it to `{suggestion}`.",
                fix=(
                    None
                    if taken
                    else Fix.unsafe(
                        f"Rename `{key}` to `{suggestion}`", rename_key(document, issue.pointer, suggestion)
                    )
                ),
            )
        return self.diagnostic(
            document,
            span,
            f"Railpack ignores unknown key `{key}` {where}",
            help=f"Remove it; keys allowed here: {quoted_list(issue.allowed)}.",
        )


def _move_to_railway(
    service: Service, project: Project, document: Document, pointer: str, section: str, spelling: str
) -> Fix | None:
    """Take a Railway setting out of railpack.json and put it into the service's Railway config, creating
    `railway.json` at the root directory when the service has none."""
    if not paths_checkable(service, project):
        return None  # the root directory is unclear: where railway.json belongs is unclear too (SV003)
    value = document.get(pointer)
    target = service.railway
    if target is not None:
        if target.get(f"/{section}/{spelling}") is not None or (
            target.path.suffix == ".toml" and isinstance(value, dict)
        ):
            return None  # already set there: which one is right is the user's call
        add = set_member(target, f"/{section}", spelling, value)
        where = target.path
    else:
        where = service.root / "railway.json"
        if project.repository is not None and project.repository.exists(where):
            return None  # it exists but did not parse (RC001)
        add = new_json_file(where, {"$schema": RAILWAY_SCHEMA_URL, section: {spelling: value}})
    key = split_pointer(pointer)[-1]
    return Fix.unsafe(f"Move `{key}` to {where} as `{section}.{spelling}`", remove_member(document, pointer), add)


class RailpackInvalidValue(ServiceRule):
    """
    ## What it does
    Reports values of the wrong type or outside the allowed set in `railpack.json`: a step given as an
    array, a string where a list is expected, `"provider": "go"`, a command object Railpack cannot classify,
    a layer string other than `.`, `...` or `$<step>`.

    ## Why is this bad?
    A wrong type makes Railpack's decoder fail and the build stops before it starts. An unknown
    provider only logs a warning and then no language provider runs at all, so the build usually fails
    with "could not determine how to build the app". An unrecognised command object is run as
    `sh -c '<the raw JSON>'`.

    ## Example
    ```json
    { "provider": "go", "steps": { "commands": ["npm ci"] } }
    ```
    """

    code = "RP002"
    builders = RAILPACK_ONLY
    name = "railpack-invalid-value"
    summary = "railpack.json has a value of the wrong type or not in the allowed set"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": '{"provider": "golang", "steps": {"build": {"commands": ["go build ./..."]}}}'}),
        Invalid({"railpack.json": '{"provider": "go"}'}, expect=[("RP002", "railpack.json", 1, 14)]),
        Invalid(
            {"railpack.json": '{\n  "steps": {"commands": ["npm ci"]}\n}\n'}, expect=[("RP002", "railpack.json", 2, 25)]
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = service.railpack
        if document is None:
            return
        for issue in document_issues(document, SCHEMA):
            if issue.kind == "unknown-key":
                continue
            value = document.get(issue.pointer)
            if issue.pointer == "/provider" and isinstance(value, str) and case_insensitive_match(value, issue.allowed):
                continue  # RP004: Railpack matches provider names case-insensitively
            yield self.diagnostic(
                document,
                document.value_span(issue.pointer),
                _invalid_message(issue, value),
                help=_invalid_help(issue, value),
            )


def _invalid_message(issue: SchemaIssue, value: Any) -> str:
    if issue.pointer == "":
        return f"railpack.json must contain a JSON object, not {type_name(value)}"
    if _COMMAND_ITEM.match(issue.pointer) and isinstance(value, dict) and issue.kind == "invalid":
        return (
            f"`{dotted(issue.pointer)}` is not a command Railpack recognises, so it runs the raw JSON text as `sh -c"
            " '...'`"
        )
    return f"`{dotted(issue.pointer)}` {issue.message}"


def _invalid_help(issue: SchemaIssue, value: Any) -> str | None:
    if issue.kind == "enum":
        suggestion = closest(str(value), issue.allowed, prefixes=True) if isinstance(value, str) else None
        hint = f"Did you mean `{suggestion}`? " if suggestion else ""
        return f"{hint}Allowed: {quoted_list(issue.allowed, limit=20)}."
    if _COMMAND_ITEM.match(issue.pointer) and isinstance(value, dict):
        return (
            "A command object needs `cmd` (run a program), `src` and `dest` (copy), `path` and `name` (write an asset)"
            " or only `path` (add to PATH); these keys are matched exactly."
        )
    return issue.description


class RailpackKeyCase(ServiceRule):
    """
    ## What it does
    Reports keys in `railpack.json` whose letter case differs from Railpack's spelling, such as
    `StartCommand` for `startCommand`.

    ## Why is this bad?
    Go's JSON decoder matches keys case-insensitively, so Railpack honours the key today, but the
    published schema, editors and every other tool reject it, and a second key with the right spelling
    would silently win or lose depending on order.

    ## Example
    ```json
    { "deploy": { "StartCommand": "python main.py" } }
    ```

    ## Fix safety
    Safe: Railpack already reads the key this way, so renaming it changes nothing at build time.
    """

    code = "RP003"
    builders = RAILPACK_ONLY
    name = "railpack-key-case"
    summary = "railpack.json key spelt with different letter case"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railpack.json": '{"deploy": {"startCommand": "python main.py"}}'}),
        Invalid(
            {"railpack.json": '{"deploy": {"StartCommand": "python main.py"}}'},
            expect=[("RP003", "railpack.json", 1, 13)],
            fixed={"railpack.json": '{"deploy": {"startCommand": "python main.py"}}'},
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service, "unknown-key"):
            spelling = _case_only(document, issue)
            if spelling is None or issue.key is None:
                continue
            yield self.diagnostic(
                document,
                document.key_span(issue.pointer),
                f"`{issue.key}` should be spelt `{spelling}`",
                help="Railpack matches it case-insensitively, but the schema and editors expect the exact spelling.",
                fix=Fix.safe(f"Rename `{issue.key}` to `{spelling}`", rename_key(document, issue.pointer, spelling)),
            )


class ProviderCase(ServiceRule):
    """
    ## What it does
    Reports a `provider` name that is not written in lower case, such as `"Python"`.

    ## Why is this bad?
    Railpack compares provider names case-insensitively, so the build works, but the schema only lists
    lower-case names and editors flag the value.

    ## Example
    ```json
    { "provider": "Python" }
    ```

    ## Fix safety
    Safe: the lower-case name selects the same provider.
    """

    code = "RP004"
    builders = RAILPACK_ONLY
    name = "provider-case"
    summary = "`provider` is not written in lower case"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railpack.json": '{"provider": "python"}'}),
        Invalid(
            {"railpack.json": '{"provider": "Python"}'},
            expect=[("RP004", "railpack.json", 1, 14)],
            fixed={"railpack.json": '{"provider": "python"}'},
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service, "enum"):
            if issue.pointer != "/provider":
                continue  # other enums (cache `type`) are compared exactly by Railpack
            value = document.get(issue.pointer)
            spelling = case_insensitive_match(value, issue.allowed) if isinstance(value, str) else None
            if spelling is None:
                continue
            yield self.diagnostic(
                document,
                document.value_span(issue.pointer),
                f'`{dotted(issue.pointer)}` is "{value}"; Railpack spells it "{spelling}"',
                help=f'Write "{spelling}".',
                fix=Fix.safe(f'Write "{spelling}"', replace_value(document, issue.pointer, spelling)),
            )


class MissingRailpackConfig(ServiceRule):
    """
    ## What it does
    Reports a declared `railpack-config` (the service's `RAILPACK_CONFIG_FILE`) that does not exist,
    resolved from the service's root directory.

    ## Why is this bad?
    Railpack joins `RAILPACK_CONFIG_FILE` onto the root directory (a leading `/` does not make it
    repository-absolute). A missing default `railpack.json` is skipped silently, but a missing
    explicitly named file fails the build with `config file "..." not found`.

    ## Example
    `[services.api] root = "services/api"` with `railpack-config = "/services/api/railpack.json"`:
    Railpack looks for `services/api/services/api/railpack.json`.
    """

    code = "RP110"
    builders = RAILPACK_ONLY
    name = "missing-railpack-config"
    summary = "The declared RAILPACK_CONFIG_FILE does not exist under the root directory"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": "{}"}),
        Invalid(
            {
                "/railcheck.toml": (
                    '[services.api]\nroot = "services/api"\nrailpack-config = "/services/api/railpack.json"\n'
                ),
                "/services/api/railpack.json": "{}",
            },
            expect=[("RP110", "/railcheck.toml", 3, 19)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        if not service.railpack_declared or service.railpack_path not in service.missing:
            return
        where, span = declaration_site(project, service, "railpack-config", service.railpack_path)
        yield self.diagnostic(
            where,
            span,
            f"RAILPACK_CONFIG_FILE resolves to {service.railpack_path}, which does not exist; Railpack fails with"
            " `config file not found`",
            help=(
                f"The path is relative to the root directory ({service.display_root()}); fix `railpack-config` and the"
                " service's RAILPACK_CONFIG_FILE variable."
            ),
        )


class RailwaySchemaInRailpack(ServiceRule):
    """
    ## What it does
    Reports a `$schema` in `railpack.json` that names Railway's config-as-code schema
    (`https://railway.com/railway.schema.json`), the schema of `railway.json`.

    ## Why is this bad?
    Railpack ignores `$schema`, so the build is not affected. But editors validate the file against
    Railway's keys: every Railpack setting is flagged as unknown, and mistakes in them are not.

    ## Example
    ```json
    { "$schema": "https://railway.com/railway.schema.json", "provider": "python" }
    ```

    ## Fix safety
    Safe: only editors read `$schema`.
    """

    code = "RP113"
    builders = RAILPACK_ONLY
    name = "railway-schema-in-railpack"
    summary = "`$schema` in railpack.json names Railway's schema"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railpack.json": '{"$schema": "https://schema.railpack.com"}'}),
        Invalid(
            {"railpack.json": '{"$schema": "https://railway.app/railway.schema.json"}'},
            expect=[("RP113", "railpack.json", 1, 13)],
            fixed={"railpack.json": '{"$schema": "https://schema.railpack.com"}'},
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        document = service.railpack
        value = declared_schema(document) if document is not None else None
        if document is None or published_schema_of(value) != "railway":
            return
        url = PUBLISHED_SCHEMA_URLS["railpack"]
        yield self.diagnostic(
            document,
            document.value_span("/$schema"),
            f"`$schema` names Railway's schema ({value}), which describes railway.json; editors check railpack.json"
            " against the wrong keys",
            help=f"Use Railpack's schema, {url}.",
            fix=set_schema(document, url),
        )


class RailpackLabelKey(ServiceRule):
    """
    ## What it does
    Notes a top-level key of `railpack.json` that only describes the file (`version`, `name`, `description`,
    `metadata`, `$comment`, `comment`, `title`, `author`).

    ## Why is this bad?
    It is not: Railpack drops keys it does not know, and a label changes nothing in the build. The note
    says that Railpack reads none of it (a `version` does not select a format, a `name` does not name the
    service), so nobody relies on it. Every other unknown key is RP001, an error.

    ## Example
    ```json
    { "version": "1.0", "metadata": { "name": "ml" }, "provider": "python" }
    ```
    Remove the labels, or keep them as notes.
    """

    code = "RP114"
    builders = RAILPACK_ONLY
    name = "railpack-label-key"
    summary = "railpack.json has a label Railpack does not read"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    examples = (
        Valid({"railpack.json": '{"provider": "python"}'}),
        Valid({"railpack.json": '{"deploy": {"variables": {"version": "1"}}}'}),
        Invalid(
            {"railpack.json": '{\n  "version": "1.0",\n  "provider": "python"\n}\n'},
            expect=[("RP114", "railpack.json", 2, 3)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for document, issue in _issues(service, "unknown-key"):
            if _label(issue):
                yield self.diagnostic(
                    document,
                    document.key_span(issue.pointer),
                    f"Railpack does not read `{issue.key}`: it labels the file and changes nothing in the build",
                    help="Remove it, or keep it as a note knowing that no tool reads it.",
                )
