"""RP: what railpack.json's steps and `deploy` do in the build: step inputs, the command forms Railpack
runs (string, exec and file commands), assets, caches, `"..."` spreads, reference variables, new steps,
references to steps and layers that copy nothing (RP101-RP109, RP111, RP112).

Keys, types and allowed values (RP001-RP004) and the declared file (RP110) are checked in railpack.py.
Facts come from Railpack at commit b5e80580 (see schemas/README.md and docs/railpack-facts.md).
"""

from __future__ import annotations

import json
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
    Requires,
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.edits import encode_value, prepend_to_list, replace_value, set_member
from railcheck.facts import PREFIXED_STRING_COMMAND
from railcheck.plan import (
    ALWAYS_POSSIBLE_STEPS,
    EVERY_GENERATED_STEP,
    SPREAD,
    Layer,
    StepPlan,
    after_first,
    applies_config,
    certain_provider,
    first_input,
    possible_generated_steps,
    step_outputs,
)
from railcheck.schema import dotted
from railcheck.sources.text import Document, join_pointer, split_pointer
from railcheck.suggest import closest, quoted_list
from railcheck.walk import list_items, step_items, steps, strings

FAMILY = "RP"
# Cache names Railpack may generate (conditionally, per provider), so a step may name them without defining them.
GENERATED_CACHES = frozenset(
    {
        "pip",
        "uv",
        "apt",
        "apt-lists",
        "npm-install",
        "pnpm-install",
        "bun-install",
        "yarn-install",
        "node-modules",
        "next",
        "remix",
        "vite",
        "tanstack-start",
        "astro",
        "react-router",
        "go-build",
        "gradle",
        "maven",
        "cargo_registry",
        "cargo_git",
        "cargo_target",
        "composer",
    }
)


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
            yield from self.check_railpack(service, project, *loaded)

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        raise NotImplementedError


class StepPlanRule(RailpackStepRule):
    """A rule about the layers of a service's railpack.json: `check_plan` runs only when there is an object, with
    its step plan as `Project.derived` keeps it for every such rule."""

    abstract = True

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        plan = project.derived.step_plan(service)
        if plan is not None:
            yield from self.check_plan(service, project, document, plan)

    def check_plan(
        self, service: Service, project: Project, document: Document, plan: StepPlan
    ) -> Iterator[Diagnostic]:
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
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"inputs": ["...", "."]}}}'}),
        Valid({"railpack.json": '{"steps": {"lint": {"inputs": [{"step": "install"}, "."]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"lint": {"inputs": ["."]}}}'}, expect=[("RP101", "railpack.json", 1, 32)]
        ),
        Invalid(
            {"railpack.json": '{"steps": {"lint": {"inputs": [{"step": "build", "include": ["src"]}]}}}'},
            expect=[("RP101", "railpack.json", 1, 32)],
        ),
    )

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        for name, pointer, step in steps(config):
            first = next(iter(list_items(step, "inputs", pointer)), None)
            if first is None:
                continue
            first_pointer, layer = first
            problem = _first_input_problem(layer)
            if problem:
                yield self.diagnostic(
                    document,
                    document.value_span(first_pointer),
                    f'step `{name}` starts from {problem}; Railpack fails with "inputs must be an image or step input"',
                    help=(
                        'Start from an image or step layer without include/exclude, e.g. `"..."` or `{"step":'
                        ' "install"}`, then add `"."`.'
                    ),
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
    consequence = Consequence.MISBEHAVES
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

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        for _, _, command_pointer, command in project.derived.step_commands(service):
            if not isinstance(command, str) or not PREFIXED_STRING_COMMAND.match(command):
                continue
            replacement = _object_form(command)
            yield self.diagnostic(
                document,
                document.value_span(command_pointer),
                f"`{command.split(':', 1)[0].split('#', 1)[0]}:` prefixes are not recognised in railpack.json; this"
                f" runs as the shell command `{command}`",
                help="Use the object form: "
                + (
                    '`{"path": ...}`, `{"src": ..., "dest": ...}`, `{"path": ..., "name": <asset>}` or `{"cmd": ...}`.'
                    if replacement is None
                    else f"`{encode_value(document, replacement)}`."
                ),
                fix=(
                    Fix.unsafe(
                        f"Write {encode_value(document, replacement)}",
                        replace_value(document, command_pointer, replacement),
                    )
                    if replacement
                    else None
                ),
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
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {"railpack.json": '{"steps": {"build": {"commands": [{"cmd": "npm run build"}, "npm ci && npm test"]}}}'}
        ),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": [{"cmd": "npm ci && npm test"}]}}}'},
            expect=[("RP103", "railpack.json", 1, 43)],
        ),
    )

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        for _, _, command_pointer, command in project.derived.step_commands(service):
            if not isinstance(command, dict) or not isinstance(command.get("cmd"), str):
                continue
            operator = _unquoted_operator(command["cmd"])
            if operator is None:
                continue
            cmd_pointer = join_pointer(command_pointer, "cmd")
            yield self.diagnostic(
                document,
                document.value_span(cmd_pointer),
                f"`cmd` runs without a shell, so `{operator}` is passed to the program as an argument",
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
    { "steps": { "build": {
        "assets": { "nginx": "..." },
        "commands": [{ "path": "/etc/nginx.conf", "name": "nginx.conf" }]
    } } }
    ```
    """

    code = "RP104"
    name = "undefined-asset"
    summary = "A file command names an asset the step does not define"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "railpack.json": (
                    '{"steps": {"build": {"assets": {"conf": "x=1"}, "commands": [{"path": "/app/x.conf", "name":'
                    ' "conf"}]}}}'
                )
            }
        ),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": [{"path": "/app/x.conf", "name": "conf"}]}}}'},
            expect=[("RP104", "railpack.json", 1, 67)],
        ),
    )

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        for name, step, command_pointer, command in project.derived.step_commands(service):
            if not (isinstance(command, dict) and "path" in command and isinstance(command.get("name"), str)):
                continue
            assets: dict[str, Any] = step["assets"] if isinstance(step.get("assets"), dict) else {}
            if command["name"] in assets:
                continue
            suggestion = closest(command["name"], assets)
            yield self.diagnostic(
                document,
                document.value_span(join_pointer(command_pointer, "name")),
                f"step `{name}` has no asset named `{command['name']}`; the build fails with `asset"
                f' "{command["name"]}" not found`',
                help=(
                    f"Did you mean `{suggestion}`?"
                    if suggestion
                    else f"Define it under `steps.{name}.assets`, or fix the name."
                ),
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
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "railpack.json": (
                    '{"caches": {"models": {"directory": "/root/.cache"}}, "steps": {"build": {"caches": ["models",'
                    ' "pip"]}}}'
                )
            }
        ),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"caches": ["models"]}}}'},
            expect=[("RP105", "railpack.json", 1, 33)],
        ),
    )

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        defined = set(config["caches"]) if isinstance(config.get("caches"), dict) else set()
        for name, _, cache_pointer, cache in step_items(config, "caches"):
            if not isinstance(cache, str) or cache == SPREAD or cache in defined or cache in GENERATED_CACHES:
                continue
            suggestion = closest(cache, defined | GENERATED_CACHES)
            yield self.diagnostic(
                document,
                document.value_span(cache_pointer),
                f"step `{name}` uses cache `{cache}`, which is not defined; the build fails with `cache with key"
                f' "{cache}" not found`',
                help=(f"Did you mean `{suggestion}`? " if suggestion else "")
                + f'Define it: `"caches": {{"{cache}": {{"directory": "/path"}}}}`.',
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
    consequence = Consequence.LIKELY_WRONG
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

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        for _, _, command_pointer, command in project.derived.step_commands(service):
            if not isinstance(command, str) or command == SPREAD:
                continue
            start, end = document.value_offsets[command_pointer]
            raw = document.text[start + 1 : end - 1]
            if self._ESCAPE.search(raw):
                problem = "JSON escapes, which Railpack passes to the shell undecoded"
            elif self._SPACED_SINGLE_QUOTES.search(command):
                problem = (
                    "single quotes around text with spaces, which Railpack's own `sh -c '...'` wrapping breaks apart"
                )
            else:
                continue
            yield self.diagnostic(
                document,
                document.value_span(command_pointer),
                f"this command uses {problem}",
                help=(
                    'Use the object form `{"cmd": ...}` (split like a shell, no shell needed), or put the command in a'
                    " script file."
                ),
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
    consequence = Consequence.MISBEHAVES
    examples = (
        Valid({"railpack.json": '{"deploy": {"variables": {"LOG_LEVEL": "info"}}}'}),
        Invalid(
            {
                "railpack.json": (
                    '{\n  "deploy": {\n    "variables": {"DATABASE_URL": "${{Postgres.DATABASE_URL}}"}\n  }\n}\n'
                )
            },
            expect=[("RP107", "railpack.json", 3, 35)],
        ),
    )
    _REFERENCE = re.compile(r"\$\{\{\s*[^}]*\}\}")

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        if "${{" not in document.text and "\\" not in document.text:
            # Without an escape, every string value is written as is in the text: no `${{` in the text (most
            # railpack.json files), none in a value, and no need to walk them.
            return
        for pointer, value in strings(config):
            match = self._REFERENCE.search(value)
            if not match:
                continue
            name = split_pointer(pointer)[-1] if pointer.startswith("/deploy/variables/") else None
            yield self.diagnostic(
                document,
                document.value_span(pointer),
                f"Railpack does not resolve Railway reference variables: `{match.group()}` reaches the image as literal"
                " text",
                help=(
                    f"Set `{name}` as a service variable in Railway (dashboard or `railway variables --set`), where"
                    " references are resolved, and remove it here."
                    if name
                    else "Move the value into a Railway service variable, where references are resolved."
                ),
            )


class ListReplacesGenerated(ServiceRule):
    """
    ## What it does
    Reports lists without `"..."` that replace what Railpack generates for the service:
    `steps.install.commands` and `deploy.inputs`, and `deploy.aptPackages` when Railpack is known to add
    runtime packages (for a Python service: `libpq5` for psycopg, `ffmpeg` for pydub, ...). Nothing is
    reported when Railpack would generate nothing there, such as install commands for a Python service
    without requirements. (Replacing a `build` step's commands is usually intended, so it is not reported.)

    ## Why is this bad?
    A list without the spread marker `"..."` replaces Railpack's list instead of extending it. For a
    Python service with requirements that silently drops `python -m venv /app/.venv` and the generated
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
    builders = RAILPACK_ONLY  # railpack.json means nothing to another builder (DF001 says it is unused)
    # What Railpack generates depends on the files at the root directory: with the root in doubt (SV003) or
    # missing (IC001), what a list replaces is unknown.
    requires = (Requires.PATHS_CHECKABLE,)
    _POINTERS = ("/steps/install/commands", "/deploy/inputs", "/deploy/aptPackages")
    summary = 'A list without "..." replaces what Railpack generates'
    consequence = Consequence.LIKELY_WRONG
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
        # A Python service without requirements: Railpack generates no install commands, so none are lost.
        Valid(
            {"railpack.json": '{"steps": {"install": {"commands": ["pip install gunicorn"]}}}', "main.py": "print(1)\n"}
        ),
        # Without psycopg or another known dependency Railpack adds no runtime packages to replace.
        Valid({"railpack.json": '{"deploy": {"aptPackages": ["ffmpeg"]}}', "requirements.txt": "flask\n"}),
        Invalid(
            {"railpack.json": '{"deploy": {"aptPackages": []}}', "requirements.txt": "psycopg2==2.9.9\n"},
            expect=[("RP108", "railpack.json", 1, 28)],
            fixed={"railpack.json": '{"deploy": {"aptPackages": ["..."]}}'},
            unsafe_fixes=True,
        ),
        # A Dockerfile builds the service: railpack.json is unused (DF001), and its lists replace nothing.
        Valid(
            {
                "railpack.json": '{"steps": {"install": {"commands": ["pip install gunicorn"]}}}',
                "requirements.txt": "flask\n",
                "railway.json": '{"build": {"builder": "DOCKERFILE"}}',
                "Dockerfile": "FROM python:3.12\n",
            }
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        loaded = _railpack(service)
        if loaded is None:
            return
        document, _config = loaded
        lists = [
            (pointer, items)
            for pointer in self._POINTERS
            if isinstance(items := document.get(pointer), list) and SPREAD not in items
        ]
        if not lists:
            return
        for pointer, items in lists:
            dropped = self._dropped(pointer, service, project)
            if dropped is None:
                continue  # Railpack generates nothing there for this service, so nothing is lost
            yield self.diagnostic(
                document,
                document.value_span(pointer),
                f'`{dotted(pointer)}` has no "...", so it replaces {dropped}' + (" with nothing" if not items else ""),
                help='Add "..." where the generated entries should go, e.g. `["...", <yours>]`.',
                fix=Fix.unsafe('Insert "..." first', prepend_to_list(document, pointer, SPREAD)),
            )

    @staticmethod
    def _dropped(pointer: str, service: Service, project: Project) -> str | None:
        from railcheck.generated import replaced_by_lists, replaced_runtime_packages  # only for lists without "..."

        if pointer == "/deploy/aptPackages":
            # Finding the packages reads the service's manifests, so only when the list lacks "...".
            packages = replaced_runtime_packages(service, project)
            return f"the runtime packages Railpack adds for this service: {packages}" if packages else None
        replaced = replaced_by_lists(service, project)
        return replaced.install_commands if pointer == "/steps/install/commands" else replaced.deploy_inputs


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
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"railpack.json": '{"steps": {"assets": {"inputs": ["...", "."], "commands": ["make assets"]}}}'}),
        Invalid(
            {"railpack.json": '{"steps": {"assets": {"commands": ["make assets"]}}}'},
            expect=[("RP109", "railpack.json", 1, 12)],
        ),
    )

    def check_railpack(
        self, service: Service, project: Project, document: Document, config: dict[str, Any]
    ) -> Iterator[Diagnostic]:
        for name, pointer, step in steps(config):
            if name in EVERY_GENERATED_STEP or "inputs" in step or not step.get("commands"):
                continue
            if any(
                isinstance(command, dict) and "src" in command for _, command in list_items(step, "commands", pointer)
            ):
                continue
            yield self.diagnostic(
                document,
                document.key_span(pointer),
                f"new step `{name}` has no inputs and no copy command, so its commands cannot see the app's files",
                help='Add `"inputs": ["...", "."]` to start from the generated layers plus the source.',
            )


class UndefinedStepReference(StepPlanRule):
    """
    ## What it does
    Reports a layer that names a step (`{"step": "x"}` or `"$x"`, in a step's `inputs`, `deploy.inputs`
    or `deploy.base`) when no such step exists: railpack.json does not define it, and Railpack generates
    no step by that name for this service. Railpack's generated names are `packages:mise`, `install` and
    `build` (and `packages:apt:build`/`packages:apt:runtime` for apt packages) for every provider, plus
    per provider e.g. `prune` and `caddy` for Node or `install:composer` for PHP. Only steps that stay in
    the final plan are checked, and provider-specific names only when the provider is certain.

    ## Why is this bad?
    Railpack does not stop at the unknown name: the layer is built as an empty file system. A step that
    starts from it has no shell, so its commands fail; a layer copied from it brings nothing, or fails the
    build when it names paths to copy.

    ## Example
    ```json
    { "steps": { "web": { "inputs": [{ "step": "node-install" }], "commands": ["npm run build"] } } }
    ```
    Name a step that exists (`{"step": "install"}`), or define `steps.node-install`.
    """

    code = "RP111"
    name = "undefined-step-reference"
    summary = "A layer names a step that neither railpack.json nor Railpack defines"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {"railpack.json": '{"steps": {"web": {"inputs": [{"step": "install"}], "commands": ["npm run build"]}}}'}
        ),
        Valid({"railpack.json": '{"steps": {"deps": {"commands": ["make deps"]}, "web": {"inputs": ["$deps"]}}}'}),
        # The provider is not known for sure, so a name some provider generates (`prune` is Node's) may exist.
        Valid({"railpack.json": '{"steps": {"web": {"inputs": [{"step": "prune"}]}}}'}),
        Invalid(
            {
                "railpack.json": (
                    '{"steps": {"web": {"inputs": [{"step": "node-install"}], "commands": ["npm run build"]}}}'
                )
            },
            expect=[("RP111", "railpack.json", 1, 40)],
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"provider": "python", "deploy": {"inputs": ["...", {"step": "prune", "include": ["."]}]}}'
                ),
                "requirements.txt": "flask\n",
            },
            expect=[("RP111", "railpack.json", 1, 62)],
        ),
    )

    def check_plan(
        self, service: Service, project: Project, document: Document, plan: StepPlan
    ) -> Iterator[Diagnostic]:
        steps = plan.steps
        unresolved = [
            (layer, consequence)
            for layer, consequence in _step_references(plan)
            if layer.source is not None and layer.source not in steps
        ]
        if not unresolved:
            return
        # Asked once, for every reference alike: each message names the same provider.
        provider = certain_provider(service, project)
        for layer, consequence in unresolved:
            name = layer.source
            assert name is not None
            if name in EVERY_GENERATED_STEP and (provider is None or name in possible_generated_steps(provider)):
                continue
            existing = set(steps) | (possible_generated_steps(provider) if provider else ALWAYS_POSSIBLE_STEPS)
            suggestion = _suggest_step(name, existing)
            generated = (
                f"Railpack's {provider} provider does not generate it"
                if provider
                else "no Railpack provider generates a step by that name"
            )
            yield self.diagnostic(
                document,
                document.value_span(layer.step_pointer or layer.pointer),
                f"there is no step `{name}`: railpack.json does not define it and {generated}, "
                f"so Railpack builds this layer as an empty file system and {consequence}",
                help=(f"Did you mean `{suggestion}`? " if suggestion else "")
                + f"Known steps: {quoted_list(existing)}; or define `steps.{name}`.",
            )


def _step_references(plan: StepPlan) -> Iterator[tuple[Layer, str]]:
    """Step layers of the deploy and of the configured steps that certainly stay in the plan, each with what
    an empty layer there does."""
    for layer in plan.deploy_layers:
        if layer.kind == "step":
            yield layer, "the image starts from nothing" if layer is plan.base else "nothing can be copied from it"
    for name in plan.steps:
        if name not in plan.kept:
            continue
        listed = plan.inputs[name]
        first = first_input(listed)
        for layer in listed:
            if layer.kind == "step":
                yield (
                    layer,
                    (
                        f"step `{name}` starts from nothing, without even a shell to run its commands"
                        if layer is first
                        else "nothing can be copied from it"
                    ),
                )


def _suggest_step(name: str, existing: set[str]) -> str | None:
    # `node-install` for `install`: a generated name written with a prefix is the likely intent.
    for separator in ("-", ":", "_"):
        tail = name.rpartition(separator)[2]
        if tail != name and tail in existing:
            return tail
    return closest(name, existing, cutoff=0.6)


class LayerCopiesNothing(StepPlanRule):
    """
    ## What it does
    Reports a layer without `include` (or with `"include": []`) that Railpack places after the first input:
    any item of `deploy.inputs`, or a step input after the first, such as `{"step": "web"}`, `"$web"` or
    `{"local": true}`.

    ## Why is this bad?
    After the first input, Railpack copies only the paths a layer's `include` lists. Without one it copies
    nothing, and only logs "has no include or exclude paths. This is probably a mistake.": the image (or
    the step) silently lacks the files the layer was meant to bring.

    ## Example
    ```json
    { "deploy": { "inputs": ["...", { "step": "web" }] } }
    ```
    Say what to copy: `{ "step": "web", "include": ["out"] }` (`["."]` copies the step's whole `/app`).

    ## Fix safety
    Unsafe: the fix adds an `include` with the paths the step is known to write, or `"."`; that changes
    what the image contains.
    """

    code = "RP112"
    name = "layer-copies-nothing"
    summary = "A layer after the first input has no `include`, so it copies nothing"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid(
            {
                "railpack.json": (
                    '{"steps": {"web": {"commands": ["npm run build"]}}, "deploy": {"inputs": ["...", {"step": "web",'
                    ' "include": ["out"]}]}}'
                )
            }
        ),
        Valid({"railpack.json": '{"steps": {"web": {"inputs": [{"step": "install"}, "."]}}}'}),
        Invalid(
            {
                "railpack.json": (
                    '{"steps": {"web": {"commands": ["npx next build -o out"]}}, "deploy": {"inputs": ["...", {"step":'
                    ' "web"}]}}'
                )
            },
            expect=[("RP112", "railpack.json", 1, 90)],
            fixed={
                "railpack.json": (
                    '{"steps": {"web": {"commands": ["npx next build -o out"]}}, "deploy": {"inputs": ["...", {"step":'
                    ' "web", "include": ["out"]}]}}'
                )
            },
            unsafe_fixes=True,
        ),
        Invalid(
            {"railpack.json": '{"steps": {"web": {"inputs": [{"step": "install"}, "$build"]}}}'},
            expect=[("RP112", "railpack.json", 1, 52)],
            fixed={
                "railpack.json": (
                    '{"steps": {"web": {"inputs": [{"step": "install"}, {"step": "build", "include": ["."]}]}}}'
                )
            },
            unsafe_fixes=True,
        ),
        # Go's decoder reads keys ignoring case: the finding and its fix land on the keys as written.
        Invalid(
            {
                "railpack.json": (
                    '{"Steps": {"web": {"commands": ["npx next build -o out"]}}, "Deploy": {"Inputs": ["...", {"step":'
                    ' "web"}]}}'
                )
            },
            expect=[("RP112", "railpack.json", 1, 90)],
            fixed={
                "railpack.json": (
                    '{"Steps": {"web": {"commands": ["npx next build -o out"]}}, "Deploy": {"Inputs": ["...", {"step":'
                    ' "web", "include": ["out"]}]}}'
                )
            },
            unsafe_fixes=True,
        ),
    )

    def check_plan(
        self, service: Service, project: Project, document: Document, plan: StepPlan
    ) -> Iterator[Diagnostic]:
        steps = plan.steps
        placed = after_first(plan.deploy_inputs, deploy=True)
        for name in steps:
            if applies_config(name):
                placed += after_first(plan.inputs[name], deploy=False)
        for layer in placed:
            if not layer.copies_nothing:
                continue
            if layer.kind == "step" and layer.source not in steps and layer.source not in EVERY_GENERATED_STEP:
                continue  # RP111 reports the missing step; one mistake, one finding
            produced = step_outputs(steps[layer.source][1]) if layer.kind == "step" and layer.source in steps else ()
            yield self.diagnostic(
                document,
                document.value_span(layer.pointer),
                f"this layer copies nothing from {_layer_origin(layer)}: after the first input Railpack copies only the"
                f" paths in `include`, and it has {'an empty one' if layer.includes == () else 'none'}"
                + (f"; step `{layer.source}` writes {quoted_list(produced)}" if produced else ""),
                help=(
                    'Add `"include"` with the paths to copy, e.g. `"include":'
                    f" {encode_value(document, list(produced) or ['.'])}`"
                )
                + (' (`["."]` copies the whole `/app` folder).' if layer.kind != "image" else "."),
                fix=_include_fix(document, layer, list(produced) or ["."]),
            )


def _layer_origin(layer: Layer) -> str:
    if layer.kind == "step":
        return f"step `{layer.source}`"
    if layer.kind == "image":
        return f"image `{layer.source}`"
    return "the repository"


def _include_fix(document: Document, layer: Layer, paths: list[str]) -> Fix | None:
    value = document.get(layer.pointer)
    title = f'Add `"include": {json.dumps(paths)}`'
    if isinstance(value, str) and layer.kind == "step":
        return Fix.unsafe(title, replace_value(document, layer.pointer, {"step": layer.source, "include": paths}))
    if not isinstance(value, dict) or layer.kind == "image":
        return None  # an image's useful paths are not known here
    if "include" in value:
        return Fix.unsafe(title, replace_value(document, join_pointer(layer.pointer, "include"), paths))
    if any(key.casefold() == "include" for key in value):
        return None
    return Fix.unsafe(title, set_member(document, layer.pointer, "include", paths))
