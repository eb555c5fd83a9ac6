"""RP: what railpack.json's steps and `deploy` do in the build: step inputs, the command forms Railpack
runs (string, exec and file commands), assets, caches, `"..."` spreads, reference variables and new steps
(RP101-RP109).

Keys, types and allowed values (RP001-RP004) and the declared file (RP110) are checked in railpack.py.
Facts come from Railpack at commit b5e80580 (see schemas/README.md and docs/railpack-facts.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from railcheck import RAILPACK_ONLY, Diagnostic, Fix, FixAvailability, Invalid, Project, Service, ServiceRule, Severity, Valid
from railcheck.edits import encode_value, prepend_to_list, replace_value
from railcheck.schema import dotted
from railcheck.sources.text import Document, join_pointer, split_pointer
from railcheck.suggest import closest
from railcheck.walk import list_items, step_items, steps, strings

FAMILY = "RP"
# Steps that Railpack's providers generate themselves (core/providers/**); config for them modifies, not creates.
GENERATED_STEPS = frozenset({
    "packages:mise", "packages:mise:runtime", "packages:apt:build", "packages:apt:runtime", "packages:caddy", "packages:image",
    "install", "build", "prune", "caddy", "prepare", "extensions", "install:composer", "install:node", "prune:node", "build:node",
})
# Cache names Railpack may generate (conditionally, per provider), so a step may name them without defining them.
GENERATED_CACHES = frozenset({
    "pip", "uv", "apt", "apt-lists", "npm-install", "pnpm-install", "bun-install", "yarn-install", "node-modules",
    "next", "remix", "vite", "tanstack-start", "astro", "react-router", "go-build", "gradle", "maven",
    "cargo_registry", "cargo_git", "cargo_target", "composer",
})
SPREAD = "..."


def _railpack(service: Service) -> tuple[Document, dict[str, Any]] | None:
    """The service's railpack.json and its value, if that is an object (RP002 reports any other value)."""
    document = service.railpack
    if document is None or not isinstance(document.value, dict):
        return None
    return document, document.value


class RailpackStepRule(ServiceRule):
    """A rule about a service's parsed railpack.json object: `check_railpack` runs only when there is one."""

    abstract = True
    builders = RAILPACK_ONLY  # railpack.json means nothing to another builder (DF001 says it is unused)

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        loaded = _railpack(service)
        if loaded is not None:
            yield from self.check_railpack(service, *loaded)

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        raise NotImplementedError


class InvalidFirstInput(RailpackStepRule):
    """
    ## What it does
    Reports a step whose first input is the local source (`"."` or `{"local": true}`) or a layer with
    `include`/`exclude`.

    ## Why is this bad?
    Railpack requires a step to start from an image or another step, unfiltered; otherwise planning
    fails with "inputs must be an image or step input" and the build never starts.

    ## Example
    ```json
    { "steps": { "assets": { "inputs": [".", { "step": "build" }] } } }
    ```
    Start from a step or image, then add the source: `[{ "step": "packages:mise" }, "."]`, or keep the
    generated inputs with `["...", "."]`.
    """

    code = "RP101"
    name = "invalid-first-input"
    summary = "A step's first input is not an unfiltered image or step layer"
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"inputs": ["...", "."]}}}'}),
        Valid({"railpack.json": '{"steps": {"lint": {"inputs": [{"step": "install"}, "."]}}}'}),
        Invalid({"railpack.json": '{"steps": {"lint": {"inputs": ["."]}}}'}, expect=[("RP101", "railpack.json", 1, 32)]),
        Invalid(
            {"railpack.json": '{"steps": {"lint": {"inputs": [{"step": "build", "include": ["src"]}]}}}'},
            expect=[("RP101", "railpack.json", 1, 32)],
        ),
    )

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for name, pointer, step in steps(config):
            first = next(iter(list_items(step, "inputs", pointer)), None)
            if first is None:
                continue
            first_pointer, layer = first
            problem = _first_input_problem(layer)
            if problem:
                yield self.diagnostic(
                    document, document.value_span(first_pointer),
                    f"step `{name}` starts from {problem}; Railpack fails with \"inputs must be an image or step input\"",
                    service=service.name,
                    help='Start from an image or step layer without include/exclude, e.g. `"..."` or `{"step": "install"}`, then add `"."`.',
                )


def _first_input_problem(layer: Any) -> str | None:
    if layer == ".":
        return 'the local source `"."`'
    if isinstance(layer, dict):
        if layer.get("local"):
            return "the local source"
        if ("step" in layer or "image" in layer) and (layer.get("include") or layer.get("exclude")):
            return "a filtered layer (include/exclude)"
    return None


class PrefixedStringCommand(RailpackStepRule):
    """
    ## What it does
    Reports string commands written in Railpack's documented prefix forms: `PATH:/dir`, `COPY:src dest`,
    `FILE:path name` and `RUN#name:cmd`.

    ## Why is this bad?
    Railpack checks these prefixes against the raw JSON token, quote included, so inside `railpack.json`
    they never match: the whole string runs as a shell command (`sh -c 'PATH:/usr/local/bin'`) and fails
    with "not found" in the middle of the build.

    ## Example
    ```json
    { "steps": { "build": { "commands": ["PATH:/app/bin", "COPY:dist /srv"] } } }
    ```
    Write `{"path": "/app/bin"}` and `{"src": "dist", "dest": "/srv"}` instead.

    ## Fix safety
    Unsafe: the object form makes the command do what it says, which changes the build.
    """

    code = "RP102"
    name = "prefixed-string-command"
    summary = "A string command uses a `PATH:`/`COPY:`/`FILE:` prefix that Railpack does not honour in JSON"
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"commands": [{"path": "/app/bin"}, "make"]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": ["PATH:/app/bin"]}}}'},
            expect=[("RP102", "railpack.json", 1, 35)],
            fixed={"railpack.json": '{"steps": {"build": {"commands": [{"path": "/app/bin"}]}}}'},
            unsafe_fixes=True,
        ),
    )
    _PREFIX = re.compile(r"^(PATH|COPY|FILE|RUN)[:#]")

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for _, _, command_pointer, command in step_items(config, "commands"):
            if not isinstance(command, str) or not self._PREFIX.match(command):
                continue
            replacement = _object_form(command)
            yield self.diagnostic(
                document, document.value_span(command_pointer),
                f"`{command.split(':', 1)[0].split('#', 1)[0]}:` prefixes are not recognised in railpack.json; this runs as the shell command `{command}`",
                service=service.name,
                help="Use the object form: "
                + ('`{"path": ...}`, `{"src": ..., "dest": ...}`, `{"path": ..., "name": <asset>}` or `{"cmd": ...}`.' if replacement is None else f"`{encode_value(document, replacement)}`."),
                fix=Fix.unsafe(f"Write {encode_value(document, replacement)}", replace_value(document, command_pointer, replacement)) if replacement else None,
            )


def _object_form(command: str) -> dict[str, str] | None:
    kind, _, rest = command.partition(":")
    rest = rest.strip()
    if kind == "PATH" and rest and " " not in rest:
        return {"path": rest}
    if kind == "COPY" and len(rest.split()) == 2:
        source, destination = rest.split()
        return {"src": source, "dest": destination}
    return None


_SHELL_OPERATOR = re.compile(r"&&|\|\||[|;<>`]|\$\(")


class ShellSyntaxInExecCommand(RailpackStepRule):
    """
    ## What it does
    Reports object commands (`{"cmd": ...}`) that contain shell syntax: `&&`, `||`, `|`, `;`, `>`, `<`,
    backticks or `$(...)`.

    ## Why is this bad?
    Railpack splits `cmd` into words and runs the program directly, without a shell, so `&&` or `>`
    are passed to the program as ordinary arguments: `pip install -r requirements.txt && pytest` runs
    pip with the extra arguments `&&` and `pytest`.

    ## Example
    ```json
    { "steps": { "build": { "commands": [{ "cmd": "npm ci && npm run build" }] } } }
    ```
    Use two commands, or the string form (`"npm ci && npm run build"`), which Railpack runs with `sh -c`.
    """

    code = "RP103"
    name = "shell-syntax-in-exec-command"
    summary = "An object command uses shell syntax but runs without a shell"
    default_severity = Severity.WARNING
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"commands": [{"cmd": "npm run build"}, "npm ci && npm test"]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": [{"cmd": "npm ci && npm test"}]}}}'},
            expect=[("RP103", "railpack.json", 1, 43)],
        ),
    )

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for _, _, command_pointer, command in step_items(config, "commands"):
            if not isinstance(command, dict) or not isinstance(command.get("cmd"), str):
                continue
            operator = _unquoted_operator(command["cmd"])
            if operator is None:
                continue
            cmd_pointer = join_pointer(command_pointer, "cmd")
            yield self.diagnostic(
                document, document.value_span(cmd_pointer),
                f"`cmd` runs without a shell, so `{operator}` is passed to the program as an argument",
                service=service.name,
                help="Use the string form (run with `sh -c`), or split it into one command per program.",
            )


def _unquoted_operator(command: str) -> str | None:
    """The first shell operator outside quotes, if any."""
    unquoted = re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", lambda match: " " * len(match.group()), command)
    match = _SHELL_OPERATOR.search(unquoted)
    return match.group() if match else None


class UndefinedAsset(RailpackStepRule):
    """
    ## What it does
    Reports a file command (`{"path": ..., "name": ...}`) whose `name` is not a key of the same step's
    `assets`.

    ## Why is this bad?
    `name` names an asset of the step, not a file. The build fails with `asset "<name>" not found`.

    ## Example
    ```json
    { "steps": { "build": { "assets": { "nginx": "..." }, "commands": [{ "path": "/etc/nginx.conf", "name": "nginx.conf" }] } } }
    ```
    """

    code = "RP104"
    name = "undefined-asset"
    summary = "A file command names an asset the step does not define"
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"assets": {"conf": "x=1"}, "commands": [{"path": "/app/x.conf", "name": "conf"}]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": [{"path": "/app/x.conf", "name": "conf"}]}}}'},
            expect=[("RP104", "railpack.json", 1, 67)],
        ),
    )

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for name, step, command_pointer, command in step_items(config, "commands"):
            if not (isinstance(command, dict) and "path" in command and isinstance(command.get("name"), str)):
                continue
            assets: dict[str, Any] = step["assets"] if isinstance(step.get("assets"), dict) else {}
            if command["name"] in assets:
                continue
            suggestion = closest(command["name"], assets)
            yield self.diagnostic(
                document, document.value_span(join_pointer(command_pointer, "name")),
                f"step `{name}` has no asset named `{command['name']}`; the build fails with `asset \"{command['name']}\" not found`",
                service=service.name,
                help=f"Did you mean `{suggestion}`?" if suggestion else f"Define it under `steps.{name}.assets`, or fix the name.",
            )


class UndefinedCache(RailpackStepRule):
    """
    ## What it does
    Reports a cache name in `steps.*.caches` that is neither defined under `caches` nor one Railpack
    generates (`pip`, `uv`, `apt`, `npm-install`, ...).

    ## Why is this bad?
    The build fails with `cache with key "<name>" not found`.

    ## Example
    ```json
    { "steps": { "build": { "caches": ["pip-cache"] } } }
    ```
    """

    code = "RP105"
    name = "undefined-cache"
    summary = "A step uses a cache that is not defined"
    examples = (
        Valid({"railpack.json": '{"caches": {"models": {"directory": "/root/.cache"}}, "steps": {"build": {"caches": ["models", "pip"]}}}'}),
        Invalid({"railpack.json": '{"steps": {"build": {"caches": ["models"]}}}'}, expect=[("RP105", "railpack.json", 1, 33)]),
    )

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        defined = set(config["caches"]) if isinstance(config.get("caches"), dict) else set()
        for name, _, cache_pointer, cache in step_items(config, "caches"):
            if not isinstance(cache, str) or cache == SPREAD or cache in defined or cache in GENERATED_CACHES:
                continue
            suggestion = closest(cache, defined | GENERATED_CACHES)
            yield self.diagnostic(
                document, document.value_span(cache_pointer),
                f"step `{name}` uses cache `{cache}`, which is not defined; the build fails with `cache with key \"{cache}\" not found`",
                service=service.name,
                help=(f"Did you mean `{suggestion}`? " if suggestion else "") + f'Define it: `"caches": {{"{cache}": {{"directory": "/path"}}}}`.',
            )


class StringCommandQuoting(RailpackStepRule):
    """
    ## What it does
    Reports string commands that rely on single quotes around text with spaces, or on JSON escapes
    (`\\"`, `\\\\`, `\\n`).

    ## Why is this bad?
    Railpack wraps a string command as `sh -c '<text>'` without escaping the single quotes inside, and it
    uses the raw JSON text without decoding escapes. `python -c 'print(1 + 2)'` is therefore split at
    its spaces, and `\\"` reaches the shell as a backslash and a quote.

    ## Example
    ```json
    { "steps": { "build": { "commands": ["python -c 'import app; app.warm()'"] } } }
    ```
    Use the object form `{"cmd": "python -c 'import app; app.warm()'"}` (split like a shell, no shell
    needed), or move the command into a script file.
    """

    code = "RP106"
    name = "string-command-quoting"
    summary = "A string command uses quoting that Railpack mangles"
    default_severity = Severity.WARNING
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"commands": ["python manage.py collectstatic --noinput"]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": ["python -c \'print(1 + 2)\'"]}}}'},
            expect=[("RP106", "railpack.json", 1, 35)],
        ),
    )
    _SPACED_SINGLE_QUOTES = re.compile(r"'[^']*\s[^']*'")
    _ESCAPE = re.compile(r"\\[\"\\/bfnrtu]")

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for _, _, command_pointer, command in step_items(config, "commands"):
            if not isinstance(command, str) or command == SPREAD:
                continue
            start, end = document.value_offsets[command_pointer]
            raw = document.text[start + 1 : end - 1]
            if self._ESCAPE.search(raw):
                problem = "JSON escapes, which Railpack passes to the shell undecoded"
            elif self._SPACED_SINGLE_QUOTES.search(command):
                problem = "single quotes around text with spaces, which Railpack's own `sh -c '...'` wrapping breaks apart"
            else:
                continue
            yield self.diagnostic(
                document, document.value_span(command_pointer),
                f"this command uses {problem}",
                service=service.name,
                help='Use the object form `{"cmd": ...}` (split like a shell, no shell needed), or put the command in a script file.',
            )


class ReferenceVariableInRailpack(RailpackStepRule):
    """
    ## What it does
    Reports Railway reference variables (`${{Postgres.DATABASE_URL}}`, `${{shared.API_KEY}}`) anywhere
    in `railpack.json`.

    ## Why is this bad?
    Railway resolves `${{...}}` only in service variables. Railpack copies `railpack.json` values into
    the image as they are, so the app receives the literal text `${{Postgres.DATABASE_URL}}`.

    ## Example
    ```json
    { "deploy": { "variables": { "DATABASE_URL": "${{Postgres.DATABASE_URL}}" } } }
    ```
    Set `DATABASE_URL` as a service variable in Railway instead.
    """

    code = "RP107"
    name = "reference-variable-in-railpack"
    summary = "railpack.json contains a Railway reference variable that is never resolved"
    examples = (
        Valid({"railpack.json": '{"deploy": {"variables": {"LOG_LEVEL": "info"}}}'}),
        Invalid(
            {"railpack.json": '{\n  "deploy": {\n    "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}"}\n  }\n}\n'},
            expect=[("RP107", "railpack.json", 3, 35)],
        ),
    )
    _REFERENCE = re.compile(r"\$\{\{\s*[^}]*\}\}")

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for pointer, value in strings(config):
            match = self._REFERENCE.search(value)
            if not match:
                continue
            name = split_pointer(pointer)[-1] if pointer.startswith("/deploy/variables/") else None
            yield self.diagnostic(
                document, document.value_span(pointer),
                f"Railpack does not resolve Railway reference variables: `{match.group()}` reaches the image as literal text",
                service=service.name,
                help=(f"Set `{name}` as a service variable in Railway (dashboard or `railway variables --set`), where references are resolved, and remove it here."
                      if name else "Move the value into a Railway service variable, where references are resolved."),
            )


class ListReplacesGenerated(RailpackStepRule):
    """
    ## What it does
    Reports lists without `"..."` that replace what Railpack generates: `steps.install.commands`,
    `deploy.inputs` and `deploy.aptPackages`. (Replacing a `build` step's commands is usually intended,
    so it is not reported.)

    ## Why is this bad?
    A list without the spread marker `"..."` replaces Railpack's list instead of extending it. For a
    Python service that silently drops `python -m venv /app/.venv` and the generated
    `pip install -r requirements.txt`, the `/app/.venv` layer of the image, or the `libpq5` package that
    psycopg needs at run time. `[]` drops everything.

    ## Example
    ```json
    { "steps": { "install": { "commands": ["pip install gunicorn"] } } }
    ```
    Write `["...", "pip install gunicorn"]` to run it after the generated commands.

    ## Fix safety
    Unsafe: inserting `"..."` brings Railpack's generated entries back, which changes the build; keep the
    list as it is if the replacement is intended (and ignore this rule for the file).
    """

    code = "RP108"
    name = "list-replaces-generated"
    summary = "A list without \"...\" replaces what Railpack generates"
    default_severity = Severity.WARNING
    fix = FixAvailability.ALWAYS
    examples = (
        Valid({"railpack.json": '{"steps": {"install": {"commands": ["...", "pip install gunicorn"]}}}'}),
        Valid({"railpack.json": '{"steps": {"seed": {"commands": ["python seed.py"]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"install": {"commands": ["pip install gunicorn"]}}}'},
            expect=[("RP108", "railpack.json", 1, 36)],
            fixed={"railpack.json": '{"steps": {"install": {"commands": ["...", "pip install gunicorn"]}}}'},
            unsafe_fixes=True,
        ),
        Invalid(
            {"railpack.json": '{"deploy": {"aptPackages": []}}'},
            expect=[("RP108", "railpack.json", 1, 28)],
            fixed={"railpack.json": '{"deploy": {"aptPackages": ["..."]}}'},
            unsafe_fixes=True,
        ),
    )

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        candidates = []
        if isinstance(config.get("steps"), dict) and isinstance(config["steps"].get("install"), dict):
            candidates.append(("/steps/install/commands", "the install commands Railpack generates (creating `/app/.venv` and installing the dependencies)"))
        candidates += [
            ("/deploy/inputs", "the layers Railpack puts in the image (the app, `/app/.venv`, the runtime)"),
            ("/deploy/aptPackages", "the runtime packages Railpack adds (e.g. `libpq5` for psycopg)"),
        ]
        for pointer, what in candidates:
            items = document.get(pointer)
            if not isinstance(items, list) or SPREAD in items:
                continue
            yield self.diagnostic(
                document, document.value_span(pointer),
                f"`{dotted(pointer)}` has no \"...\", so it replaces {what}" + (" with nothing" if not items else ""),
                service=service.name,
                help='Add "..." where the generated entries should go, e.g. `["...", <yours>]`.',
                fix=Fix.unsafe('Insert "..." first', prepend_to_list(document, pointer, SPREAD)),
            )


class StepWithoutSource(RailpackStepRule):
    """
    ## What it does
    Reports a step that Railpack does not generate (a new step) which has no `inputs` and no copy
    command.

    ## Why is this bad?
    A new step starts from the `packages:mise` layer only, without the app's files, so a command like
    `python manage.py collectstatic` fails with "No such file or directory".

    ## Example
    ```json
    { "steps": { "assets": { "commands": ["python manage.py collectstatic --noinput"] } } }
    ```
    Add `"inputs": [{"step": "install"}, "."]` (or `"inputs": ["...", "."]`).
    """

    code = "RP109"
    name = "step-without-source"
    summary = "A new step cannot see the app's files"
    default_severity = Severity.WARNING
    examples = (
        Valid({"railpack.json": '{"steps": {"assets": {"inputs": ["...", "."], "commands": ["make assets"]}}}'}),
        Invalid({"railpack.json": '{"steps": {"assets": {"commands": ["make assets"]}}}'}, expect=[("RP109", "railpack.json", 1, 12)]),
    )

    def check_railpack(self, service: Service, document: Document, config: dict[str, Any]) -> Iterator[Diagnostic]:
        for name, pointer, step in steps(config):
            if name in GENERATED_STEPS or "inputs" in step or not step.get("commands"):
                continue
            if any(isinstance(command, dict) and "src" in command for _, command in list_items(step, "commands", pointer)):
                continue
            yield self.diagnostic(
                document, document.key_span(pointer),
                f"new step `{name}` has no inputs and no copy command, so its commands cannot see the app's files",
                service=service.name,
                help='Add `"inputs": ["...", "."]` to start from the generated layers plus the source.',
            )
