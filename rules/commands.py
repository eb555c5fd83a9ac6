"""CM: build, start and pre-deploy commands, checked against the files the build context really holds.

The build context is the service's root directory, copied to `/app`; commands run there. Railpack's install
step holds only the manifest files (requirements.txt, pyproject.toml, Pipfile, lock files).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from railcheck import (
    RAILPACK_ONLY,
    WITHOUT_DOCKERFILE,
    Consequence,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Invalid,
    Project,
    Requires,
    Service,
    ServiceRule,
    Severity,
    Span,
    Valid,
)
from railcheck.build_outputs import created_by_build, created_paths, cwd_walk
from railcheck.facts import (
    CommandText,
    app_root,
    copied_app,
    facts,
    prefixed_in_railpack,
    requirement_files,
    script,
)
from railcheck.modules import APP, escapes_root, image_path
from railcheck.sources.shell import ShellScript, SimpleCommand, Word
from railcheck.sources.text import LineIndex, ParseFailure, join_pointer
from railcheck.walk import steps

FAMILY = "CM"
INSTALL_STEP_FILES = frozenset(
    {"requirements.txt", "pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock"}
)
# Arguments that name a file the command reads: program -> options followed by a path.
_FILE_OPTIONS = {
    "pip": ("-r", "--requirement", "-c", "--constraint"),
    "uv": ("-r", "--requirement", "-c", "--constraint"),
}
_SCRIPT_RUNNERS = frozenset({"sh", "bash", "source", "."})
_BRANCH_REF = re.compile(
    r"(raw\.githubusercontent\.com/[^/]+/[^/]+/(main|master|develop|HEAD)/"
    r"|/(blob|raw|archive|tarball|zipball)/(refs/heads/)?(main|master|develop|HEAD)\b"
    r"|refs/heads/)"
)
_GIT_URL = re.compile(r"git\+(https?|ssh)://[^\s@]+?(?:\.git)?(@(?P<ref>[^#\s]+))?(#|$|\s)")
_SHA = re.compile(r"^[0-9a-f]{40}$")


def _scripts(service: Service, project: Project) -> Iterator[tuple[CommandText, ShellScript]]:
    for command in facts(service, project).commands:
        parsed = script(command)
        if not isinstance(parsed, ParseFailure):
            yield command, parsed


def _step_of(command: CommandText) -> str | None:
    label = command.origin.label
    match = re.match(r"`steps\.(.+?)\.commands\[\d+\]`", label)
    return match.group(1) if match else None


def _referenced_paths(command: SimpleCommand) -> Iterator[tuple[Word, str]]:
    """(word, why) for arguments that name files the command needs."""
    words = [word for word in command.words if word.static]
    if not words:
        return
    program = words[0].text.rsplit("/", 1)[-1]
    arguments = words[1:]
    if program.startswith("python") and len(arguments) >= 2 and arguments[0].text == "-m":
        # `python -m pip ...`, `python -m uv pip ...`: the module is the program.
        program, arguments = arguments[1].text, arguments[2:]
    elif program.startswith("python") and arguments and not arguments[0].text.startswith("-"):
        yield arguments[0], "the script"
    if program in _SCRIPT_RUNNERS and arguments and not arguments[0].text.startswith("-"):
        yield arguments[0], "the script"
    if program == "cd" and arguments:
        yield arguments[0], "the folder"
    options = _FILE_OPTIONS.get(program)
    if options:
        for index, word in enumerate(arguments[:-1]):
            if word.text in options:
                yield arguments[index + 1], "the requirements file"


class UnparseableCommand(ServiceRule):
    """
    ## What it does
    Reports a build, start or pre-deploy command that is not valid shell: an unterminated quote, a
    dangling `&&`, unbalanced parentheses.

    ## Why is this bad?
    Railpack and Railway run these commands with a shell; a syntax error fails the build or the deploy.

    ## Example
    `"startCommand": "gunicorn 'app:app"`
    """

    code = "CM001"
    name = "unparseable-command"
    summary = "A command is not valid shell"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": '{"deploy": {"startCommand": "gunicorn app:app"}}', "app.py": "app = 1\n"}),
        Invalid(
            {"railpack.json": '{"deploy": {"startCommand": "gunicorn \'app:app"}}', "app.py": "app = 1\n"},
            expect=[("CM001", "railpack.json", 1, 39)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for command in facts(service, project).commands:
            parsed = script(command)
            if not isinstance(parsed, ParseFailure) or command.origin.path is None:
                continue
            yield self.diagnostic(
                command.origin.path,
                command.span(parsed.start, max(parsed.end, parsed.start + 1)),
                f"{command.origin.label} is not valid shell: {parsed.message}",
                help="Fix the quoting or the operators; the shell stops at this point.",
            )


class MissingReferencedFile(ServiceRule):
    """
    ## What it does
    Reports files and folders that commands refer to (`pip install -r requirements-deploy.txt`,
    `python scripts/migrate.py`, `bash start.sh`, `cd app`) but that are not in the build context where the
    command runs: the root directory for build, start and pre-deploy commands, and only the manifest files
    in Railpack's install step.

    ## Why is this bad?
    Only the root directory is uploaded and it becomes `/app`; in the install step not even that. The
    command fails with "No such file or directory". In the incident railcheck comes from, this was masked
    by a `curl` fallback that fetched the file from GitHub instead.

    ## Example
    `steps.install.commands: ["...", "pip install -r requirements-deploy.txt"]`: the install step holds
    only requirements.txt.
    """

    code = "CM002"
    name = "missing-referenced-file"
    summary = "A command refers to a file the build context does not hold"
    consequence = Consequence.FAILS
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railpack.json": '{"steps": {"build": {"commands": ["pip install -r requirements-dev.txt"]}}}',
                "requirements-dev.txt": "pytest\n",
            }
        ),
        Invalid(
            {"railpack.json": '{"deploy": {"startCommand": "bash start.sh"}}'},
            expect=[("CM002", "railpack.json", 1, 35)],
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"steps": {"install": {"commands": ["...", "pip install -r requirements-deploy.txt"]}}}'
                ),
                "requirements-deploy.txt": "x\n",
                "requirements.txt": "y\n",
            },
            expect=[("CM002", "railpack.json", 1, 60)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        created: dict[str | None, set[PurePosixPath]] = {}
        root = app_root(service, project)  # what the image holds at /app
        # With `file://` in requirements.txt Railpack copies the whole source into the install step.
        whole_source = "file://" in project.texts.get(service.root / "requirements.txt", "")
        for command, parsed in _scripts(service, project):
            step = _step_of(command)
            install_step = step == "install" and not whole_source
            # Files written by earlier commands of the same step exist for the later ones.
            made = created.setdefault(step, set())
            for cwd, simple in cwd_walk(parsed):
                for word, what in _referenced_paths(simple):
                    value = word.text
                    if escapes_root(cwd, value) or "$" in value or "*" in value or value.startswith(f"{APP}/"):
                        continue  # CM003 reports escapes and CM004 /app paths; expansions and globs are not knowable
                    if image_path(root, cwd, value) in made:
                        continue
                    path = image_path(root, cwd, value)
                    if path is None:
                        continue  # outside /app: a system path
                    if install_step:
                        if path.parent == service.root and path.name in INSTALL_STEP_FILES and repository.exists(path):
                            continue
                        reason = "Railpack's install step holds only requirements.txt and the other manifests"
                        if not repository.exists(path):
                            reason = f"it does not exist in {service.display_root()}"
                    elif repository.exists(path) or created_by_build(service, project, path) is not None:
                        continue  # there, or made by the build (explain-service lists what it makes)
                    else:
                        holder = (
                            copied_app(service, project)
                            or f"{service.display_root()} (the image's /app; {service.root_source})"
                        )
                        reason = f"it does not exist in {holder}"
                    yield self.diagnostic(
                        command.origin.path or service.railpack_path,
                        command.span(word.start, word.end),
                        f"{command.origin.label} needs {what} `{value}`, but {reason}",
                        help=(
                            "Keep every file a command needs inside the root directory; install extra requirements in a"
                            " build step, where the source is present."
                        ),
                    )
                for value in created_paths(simple):
                    path = image_path(root, cwd, value)
                    if path is not None:
                        made.add(path)


class PathEscapesRoot(ServiceRule):
    """
    ## What it does
    Reports relative paths in commands that climb out of the root directory (`cd ..`, `../shared`).

    ## Why is this bad?
    Railway uploads only the root directory; `..` from `/app` is `/`, where the repository's other folders
    do not exist. Code outside the root directory cannot be used at build or run time.

    ## Example
    `pip install -r ../../requirements-deploy.txt`
    """

    code = "CM003"
    builders = WITHOUT_DOCKERFILE
    name = "path-escapes-root"
    summary = "A command path climbs out of the root directory"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": '{"steps": {"build": {"commands": ["cd src && make"]}}}', "src/Makefile": "all:\n"}),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": ["pip install -r ../requirements.txt"]}}}'},
            expect=[("CM003", "railpack.json", 1, 51)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for command, parsed in _scripts(service, project):
            for cwd, simple in cwd_walk(parsed):
                for word in (*simple.words[1:], *simple.redirects, *(value for _, value in simple.assignments)):
                    for part in (
                        word.text.split(":")
                        if any(name == "PYTHONPATH" for name, value in simple.assignments if value is word)
                        else (word.text,)
                    ):
                        if (
                            not word.static
                            or not (part.startswith("..") or "/../" in part)
                            or not escapes_root(cwd, part.split("=", 1)[-1])
                        ):
                            continue
                        yield self.diagnostic(
                            command.origin.path or service.railpack_path,
                            command.span(word.start, word.end),
                            f"`{part}` in {command.origin.label} leaves the root directory {service.display_root()},"
                            " which is all Railway uploads",
                            help=(
                                "Move what the command needs into the root directory (or copy it there), or set the"
                                " service's root directory higher."
                            ),
                        )


class AbsoluteAppPath(ServiceRule):
    """
    ## What it does
    Reports absolute `/app/...` paths in commands and variables that resolve to nothing under the root
    directory. The image's `/app` is the root directory, so `/app/x` must be `<root>/x`.

    ## Why is this bad?
    Such paths were usually written for another root directory (the repository root, say), and fail with
    "No such file or directory" once the root directory changes.

    ## Example
    Root directory `services/ml` and `uv pip install -r /app/services/ml/requirements.txt`: the file is
    `/app/requirements.txt`.

    ## Fix safety
    Safe when the path, written relative to the root directory, names a file that exists: the fix makes it
    relative (commands run in /app).
    """

    code = "CM004"
    name = "absolute-app-path"
    summary = "An `/app/...` path resolves to nothing under the root directory"
    consequence = Consequence.FAILS
    fix = FixAvailability.SOMETIMES
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railpack.json": (
                    '{"steps": {"install": {"commands": ["...", "pip install -r /app/requirements.txt"]}}}'
                ),
                "requirements.txt": "x\n",
            }
        ),
        Invalid(
            {
                "/railcheck.toml": '[services.svc]\nroot = "services/svc"\n',
                "railpack.json": '{"steps": {"build": {"commands": ["python /app/services/svc/seed.py"]}}}',
                "seed.py": "",
            },
            expect=[("CM004", "railpack.json", 1, 43)],
            fixed={"railpack.json": '{"steps": {"build": {"commands": ["python seed.py"]}}}'},
        ),
    )
    _APP_PATH = re.compile(r"(?<![\w/.-])/app/[^\s:;'\"`|&<>)]+")

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        for command in facts(service, project).commands:
            if prefixed_in_railpack(service, command):
                continue  # RP102: the prefix form runs as a failing shell command; its path is not the problem
            for match in self._APP_PATH.finditer(command.text):
                value = match.group().rstrip(",")
                path = image_path(app_root(service, project), ".", value)
                if (
                    path is None
                    or repository.exists(path)
                    or value.startswith(f"{APP}/.venv")
                    or created_by_build(service, project, path) is not None
                ):
                    continue
                holder = (
                    copied_app(service, project)
                    or f"the root directory {service.display_root()} ({service.root_source})"
                )
                relative = self._relative_to_root(service, value)
                fix = None
                if relative is not None and command.base is not None and command.origin.path is not None:
                    fix = Fix.safe(
                        f"Write {relative}",
                        Edit(
                            command.origin.path,
                            command.base + match.start(),
                            command.base + match.start() + len(value),
                            relative,
                        ),
                    )
                yield self.diagnostic(
                    command.origin.path or service.railpack_path,
                    command.span(match.start(), match.start() + len(value)),
                    f"`{value}` in {command.origin.label} is not in the image: /app is {holder}, which has no"
                    f" `{value[len(APP) + 1 :]}`",
                    help=(
                        f"Write `{relative}`; commands run in /app."
                        if relative
                        else "Write the path relative to the root directory."
                    ),
                    fix=fix,
                )

    @staticmethod
    def _relative_to_root(service: Service, value: str) -> str | None:
        # `/app/services/ml/x` written for a repository-root build context, with root `services/ml`.
        rest = value[len(APP) + 1 :]
        prefix = f"{service.root}/"
        if str(service.root) != "." and rest.startswith(prefix):
            return rest[len(prefix) :] or "."
        return None


class PythonpathEntryMissing(ServiceRule):
    """
    ## What it does
    Reports `PYTHONPATH` entries (in `deploy.variables`, step variables, or `PYTHONPATH=...` before a
    command) that name no folder in the image.

    ## Why is this bad?
    Imports that rely on the entry fail with `ModuleNotFoundError`. Entries written for another root
    directory (`/app/services/ml` when the root is `services/ml`) are the usual cause.

    ## Example
    `"PYTHONPATH": "/app:/app/services/ml"` with root directory `services/ml`.
    """

    code = "CM005"
    builders = RAILPACK_ONLY
    name = "pythonpath-entry-missing"
    summary = "A PYTHONPATH entry names no folder in the image"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {"railpack.json": '{"deploy": {"variables": {"PYTHONPATH": "/app:/app/src"}}}', "src/pkg/__init__.py": ""}
        ),
        Invalid(
            {"railpack.json": '{"deploy": {"variables": {"PYTHONPATH": "/app:/app/services/ml"}}}'},
            expect=[("CM005", "railpack.json", 1, 47)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        document = service.railpack
        if document is None or not isinstance(document.value, dict):
            return
        pointers = ["/deploy/variables/PYTHONPATH"] + [
            join_pointer(join_pointer(pointer, "variables"), "PYTHONPATH") for _, pointer, _ in steps(document.value)
        ]
        for pointer in pointers:
            value = document.get(pointer)
            if not isinstance(value, str):
                continue
            start, _ = document.value_offsets[pointer]
            exact = document.text[start + 1 : start + 1 + len(value)] == value
            offset = 0
            for entry in value.split(":"):
                entry_start = offset
                offset += len(entry) + 1
                if not entry or "$" in entry:
                    continue
                path = image_path(service.root, ".", entry)
                if path is None or repository.is_dir(path):
                    continue
                span = (
                    document.lines.span(start + 1 + entry_start, start + 1 + entry_start + len(entry))
                    if exact
                    else document.value_span(pointer)
                )
                yield self.diagnostic(
                    document,
                    span,
                    f"PYTHONPATH entry `{entry}` names no folder in the image (/app is {service.display_root()},"
                    f" {service.root_source})",
                    help=(
                        "Remove it, or write it relative to the root directory as /app/<folder>; the working directory"
                        " /app is importable already."
                    ),
                )


class MutableNetworkFetch(ServiceRule):
    """
    ## What it does
    Reports build commands that download from a branch (`.../main/...`, `refs/heads/...`) with curl or wget.

    ## Why is this bad?
    The build is no longer reproducible: the same commit builds differently as the branch moves, and a
    rollback redeploys today's file, not the one tested. It also hides missing files: a fallback download
    from GitHub masks a file that should be in the build context.

    ## Example
    `curl -fsSL https://raw.githubusercontent.com/org/repo/main/requirements-deploy.txt -o requirements-deploy.txt`
    """

    code = "CM006"
    name = "mutable-network-fetch"
    summary = "A build downloads a file from a moving branch"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {
                "railpack.json": (
                    '{"steps": {"build": {"commands": ["curl -fsSL'
                    ' https://raw.githubusercontent.com/o/r/4b825dc642cb6eb9a060e54bf8d69288fbee4904/x.txt"]}}}'
                )
            }
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"steps": {"build": {"commands": ["curl -fsSL https://raw.githubusercontent.com/o/r/main/x.txt -o'
                    ' x.txt"]}}}'
                )
            },
            expect=[("CM006", "railpack.json", 1, 47)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for command, parsed in _scripts(service, project):
            for simple in parsed.commands:
                if not simple.words or simple.words[0].text.rsplit("/", 1)[-1] not in ("curl", "wget"):
                    continue
                for word in simple.words[1:]:
                    if "://" in word.text and _BRANCH_REF.search(word.text):
                        yield self.diagnostic(
                            command.origin.path or service.railpack_path,
                            command.span(word.start, word.end),
                            f"{command.origin.label} downloads `{word.text}` from a branch, so the build changes"
                            " whenever the branch does",
                            help=(
                                "Commit the file into the root directory, or download from a commit SHA or a release"
                                " tag."
                            ),
                        )


class UnpinnedGitInstall(ServiceRule):
    """
    ## What it does
    Reports `git+https://...` installs (in commands and requirements files) without a commit SHA.

    ## Why is this bad?
    pip installs whatever the default branch holds at build time: builds are not reproducible, rollbacks
    do not roll back that package, and Railway's build cache can serve a stale copy.

    ## Example
    `pip install git+https://github.com/org/repo.git#subdirectory=packages/core`
    """

    code = "CM007"
    name = "unpinned-git-install"
    summary = "A git dependency is installed without a commit SHA"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid(
            {
                "requirements.txt": "core @ git+https://github.com/o/r.git@4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {"requirements.txt": "core @ git+https://github.com/o/r.git@main\n", "railpack.json": "{}"},
            expect=[("CM007", "requirements.txt", 1, 8)],
        ),
        # A comment that shows how to install it by hand installs nothing.
        Valid(
            {
                "requirements.txt": (
                    "#   pip install git+https://github.com/o/r.git\nflask  # see git+https://github.com/o/r.git\n"
                ),
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {"railpack.json": '{"steps": {"build": {"commands": ["pip install git+https://github.com/o/r.git"]}}}'},
            expect=[("CM007", "railpack.json", 1, 48)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for command in facts(service, project).commands:
            for match in _GIT_URL.finditer(command.text):
                if match.group("ref") and _SHA.match(match.group("ref")):
                    continue
                yield self._diagnostic(
                    command.origin.path or service.railpack_path,
                    command.span(match.start(), _url_end(match)),
                    match,
                )
        for path, text in requirement_files(service, project):
            lines = LineIndex(text)
            for match in _GIT_URL.finditer(text):
                if (match.group("ref") and _SHA.match(match.group("ref"))) or _in_comment(text, match.start()):
                    continue
                yield self._diagnostic(path, lines.span(match.start(), _url_end(match)), match)

    def _diagnostic(self, path: PurePosixPath, span: Span | None, match: re.Match[str]) -> Diagnostic:
        ref = match.group("ref")
        return self.diagnostic(
            path,
            span,
            f"git dependency installed from {'branch or tag `' + ref + '`' if ref else 'the default branch'}, not a"
            " commit",
            help="Pin it to a commit: `git+https://host/org/repo.git@<40-character SHA>`.",
        )


def _in_comment(text: str, position: int) -> bool:
    """Whether `position` of a requirements file is in a comment: pip ends a line at a `#` that starts it
    or follows white space (a `#egg=` in a URL does not)."""
    line = text[text.rfind("\n", 0, position) + 1 : position]
    return re.search(r"(?:^|\s)#", line) is not None


def _url_end(match: re.Match[str]) -> int:
    """End of the URL itself: the regex also consumes the character after it."""
    return match.start() + len(match.group().rstrip("# \t\r\n"))
