"""RQ: the requirements files a service installs, as Railpack's install step will see them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

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
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.facts import facts, requirement_files
from railcheck.sources.requirements import RequirementLine
from railcheck.sources.text import LineIndex

FAMILY = "RQ"
# Files Railpack copies into the install step before installing (core/providers/python/python.go:435-488).
INSTALL_STEP_FILES = frozenset(
    {"requirements.txt", "pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock"}
)
SIMILAR_ENOUGH = 0.8


def _span(text: str, start: int, end: int):
    return LineIndex(text).span(start, end)


class InvalidRequirement(ServiceRule):
    """
    ## What it does
    Reports lines of a `requirements*.txt` file that pip cannot parse.

    ## Why is this bad?
    pip stops at the first invalid line, so the install step fails and the build with it.

    ## Example
    ```text
    fastapi=0.115.0
    ```
    """

    code = "RQ001"
    name = "invalid-requirement"
    summary = "A requirements line pip cannot parse"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]>=0.30 ; python_version >= '3.10'\n",
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {"requirements.txt": "fastapi=0.115.0\n", "railpack.json": "{}"},
            expect=[("RQ001", "requirements.txt", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for path, text in requirement_files(service, project):
            for line in project.derived.requirements(path).lines:
                if line.kind != "invalid" or "${" in line.text:
                    continue  # pip substitutes ${VAR} at install time; the line cannot be judged here
                yield self.diagnostic(
                    path,
                    _span(text, line.start, line.end),
                    f"pip cannot parse `{line.text}`: {line.error}",
                    help="Write `name==version` (or another PEP 508 requirement); pip stops the install at this line.",
                )


def _repeats(
    service: Service, project: Project
) -> Iterator[tuple[PurePosixPath, str, RequirementLine, RequirementLine]]:
    """(file, text, first line, repeated line) for each later requirement of a project (and marker) in one file."""
    for path, text in requirement_files(service, project):
        seen: dict[tuple[str, str | None], RequirementLine] = {}
        for line in project.derived.requirements(path).lines:
            if line.kind != "requirement" or line.name is None:
                continue
            first = seen.setdefault((line.name, line.marker), line)
            if first is not line:
                yield path, text, first, line


def _conflict(first: RequirementLine, line: RequirementLine) -> str | None:
    """Why pip cannot satisfy both lines, or None when it can or that is not certain."""
    # Imported only for repeated requirements: packaging's specifier machinery costs every run start-up time.
    from railcheck.specifiers import cannot_both_hold

    if first.url is not None or line.url is not None:
        return (
            "two different direct URLs"
            if first.url is not None and line.url is not None and first.url != line.url
            else None
        )
    if cannot_both_hold(first.specifier, line.specifier):
        return f"`{first.specifier}` and `{line.specifier}`, which no version satisfies together"
    return None


class ConflictingRequirement(ServiceRule):
    """
    ## What it does
    Reports a project required twice in one requirements file (with the same environment marker) when no
    version satisfies both lines: disjoint version specifiers (`==3.1.0` and `==3.0.3`, `<2` and `>=3`) or
    two different direct URLs.

    ## Why is this bad?
    pip's resolver merges the lines of one project and finds no version for both, so the install stops
    with `ResolutionImpossible` ("Cannot install x==3.1.0 and x==3.0.3") and the build fails. Repeats that
    can both hold are `RQ006`.

    ## Example
    ```text
    httpx==0.28.1
    httpx==0.27.2
    ```
    """

    code = "RQ002"
    name = "conflicting-requirement"
    summary = "A project is required twice in one file with requirements no version satisfies"
    consequence = Consequence.FAILS
    examples = (
        Valid({"requirements.txt": "httpx==0.28.1\nhttpx-sse==0.4.0\n", "railpack.json": "{}"}),
        Valid({"requirements.txt": "httpx>=0.25.0\nhttpx>=0.25.2\n", "railpack.json": "{}"}),
        Invalid(
            {"requirements.txt": "httpx==0.28.1\nHTTPX==0.27.2\n", "railpack.json": "{}"},
            expect=[("RQ002", "requirements.txt", 2, 1)],
        ),
        Invalid(
            {"requirements.txt": "celery<5\ncelery[redis]>=5.3.6\n", "railpack.json": "{}"},
            expect=[("RQ002", "requirements.txt", 2, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for path, text, first, line in _repeats(service, project):
            conflict = _conflict(first, line)
            if conflict is None:
                continue
            yield self.diagnostic(
                path,
                _span(text, line.start, line.end),
                f"`{line.name}` is required again, conflicting with line {first.line}: {conflict}; pip stops the"
                " install with `ResolutionImpossible`",
                help="Keep one line per project, with the version (or URL) the service needs.",
                related=(Related(path, _span(text, first.start, first.end), "the first requirement"),),
            )


class RedundantRequirement(ServiceRule):
    """
    ## What it does
    Reports a project required twice in one requirements file (with the same environment marker) when
    both lines can hold at once, such as `httpx>=0.25.0` and `httpx>=0.25.2`, or `celery>=5.3.6` and
    `celery[redis]>=5.3.6`.

    ## Why is this bad?
    It does no harm today: pip's resolver merges the two lines (extras included) and installs a version
    that satisfies both. But one of them says nothing, and a later edit of the other may not do what it
    seems to.

    ## Example
    ```text
    httpx>=0.25.0
    httpx>=0.25.2
    ```

    ## Fix safety
    Safe: the fix removes a line only when the other allows no version it does not (its specifiers and
    extras include the removed line's), so pip installs the same.
    """

    code = "RQ006"
    name = "redundant-requirement"
    summary = "A project is required twice in one file with requirements that can both hold"
    consequence = Consequence.HARMLESS
    default_severity = Severity.INFO
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"requirements.txt": "httpx==0.28.1\nhttpx==0.27.2\n", "railpack.json": "{}"}),
        Valid(
            {
                "requirements.txt": "numpy==1.26 ; python_version < '3.12'\nnumpy==2.1 ; python_version >= '3.12'\n",
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {"requirements.txt": "httpx>=0.25.0\nfastapi\nhttpx>=0.25.2\n", "railpack.json": "{}"},
            expect=[("RQ006", "requirements.txt", 3, 1)],
            fixed={"requirements.txt": "fastapi\nhttpx>=0.25.2\n"},
        ),
        Invalid(
            {"requirements.txt": "celery[redis]>=5.3.6  # worker\ncelery>=5.3.6\n", "railpack.json": "{}"},
            expect=[("RQ006", "requirements.txt", 2, 1)],
            fixed={"requirements.txt": "celery[redis]>=5.3.6  # worker\n"},
        ),
        # Neither implies the other (`<2` against `>=1.5`): reported, with nothing to remove safely.
        Invalid(
            {"requirements.txt": "pydantic<2\npydantic>=1.5\n", "railpack.json": "{}"},
            expect=[("RQ006", "requirements.txt", 2, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for path, text, first, line in _repeats(service, project):
            if _conflict(first, line) is not None:
                continue
            from railcheck.specifiers import combined

            pair = _weaker(first, line)
            if pair is not None:
                weaker, stronger = pair
                removal = _remove_line(path, text, weaker)
                merge = f", and line {stronger.line} (`{stronger.text}`) alone says the same"
                advice = f"Remove line {weaker.line}: line {stronger.line} already says all it does."
                fix = Fix.safe(f"Remove line {weaker.line} (`{weaker.text}`)", removal) if removal else None
            else:
                merged = combined(first.specifier, line.specifier) if first.url is None and line.url is None else None
                extras = sorted(set(first.extras) | set(line.extras))
                merge = (
                    f", `{line.name}{'[' + ','.join(extras) + ']' if extras else ''}{merged}`"
                    if merged is not None
                    else ""
                )
                advice, fix = "Keep one line per project, with the merged requirement.", None
            yield self.diagnostic(
                path,
                _span(text, line.start, line.end),
                f"`{line.name}` is required again (also on line {first.line}); pip merges the lines into one"
                f" requirement{merge}",
                help=advice,
                fix=fix,
                related=(Related(path, _span(text, first.start, first.end), "the first requirement"),),
            )


def _weaker(first: RequirementLine, line: RequirementLine) -> tuple[RequirementLine, RequirementLine] | None:
    """(the line the other implies, the other), the later line when they say the same; None when
    neither certainly implies the other or either has hashes (hash-checking mode pins each line)."""
    from railcheck.specifiers import implies

    if first.hashes or line.hashes:
        return None
    for weak, strong in ((line, first), (first, line)):
        if not set(weak.extras) <= set(strong.extras):
            continue
        if weak.url is not None or strong.url is not None:
            if weak.url == strong.url:
                return weak, strong
        elif implies(strong.specifier, weak.specifier):
            return weak, strong
    return None


def _remove_line(path: PurePosixPath, text: str, line: RequirementLine) -> Edit | None:
    """Delete the physical lines holding `line`, newline included; None when they hold a comment, which a
    removal would lose."""
    start = text.rfind("\n", 0, line.start) + 1
    end = text.find("\n", max(line.end - 1, line.start))
    end = len(text) if end == -1 else end + 1
    return None if "#" in text[start:end].replace(line.text, "", 1) else Edit(path, start, end, "")


class UnavailableAtInstall(ServiceRule):
    """
    ## What it does
    Reports lines of the root `requirements.txt` that refer to other files: `-r other.txt`,
    `-c constraints.txt`, `-e .`, `./libs/pkg`, `../shared`.

    ## Why is this bad?
    Railpack installs dependencies in a step that holds only the manifest files (`requirements.txt`,
    `pyproject.toml`, `Pipfile` and lock files), so the referenced file or folder is missing there and pip
    fails. (Railpack copies the whole source first only when `requirements.txt` contains `file://`.)

    ## Example
    ```text
    -r requirements-deploy.txt
    ```
    """

    code = "RQ003"
    builders = RAILPACK_ONLY
    name = "unavailable-at-install"
    summary = "requirements.txt refers to a file Railpack's install step does not have"
    consequence = Consequence.FAILS
    examples = (
        Valid({"requirements.txt": "fastapi==0.115.0\n", "railpack.json": "{}"}),
        Invalid(
            {
                "requirements.txt": "-r requirements-deploy.txt\n",
                "requirements-deploy.txt": "fastapi\n",
                "railpack.json": "{}",
            },
            expect=[("RQ003", "requirements.txt", 1, 1)],
        ),
        Invalid(
            {"requirements.txt": "fastapi\n-e .\n", "railpack.json": "{}"}, expect=[("RQ003", "requirements.txt", 2, 1)]
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        path = service.root / "requirements.txt"
        text = project.texts.get(path)
        if text is None or "file://" in text:
            return
        for line in project.derived.requirements(path).lines:
            if line.kind not in ("include", "constraint", "editable", "path"):
                continue
            target = line.argument or line.url or line.text
            if (
                line.kind in ("include", "constraint")
                and PurePosixPath(target).name in INSTALL_STEP_FILES
                and "/" not in target
            ):
                continue  # that manifest is copied into the install step too
            yield self.diagnostic(
                path,
                _span(text, line.start, line.end),
                f"`{line.text}` needs `{target}`, which is not in Railpack's install step (it holds only"
                " requirements.txt and other manifests)",
                help=(
                    "List the requirements in requirements.txt itself, or install them in a later step (e.g. a build"
                    " command) where the whole source is present."
                ),
            )


class DependenciesNotInstalled(ServiceRule):
    """
    ## What it does
    Reports a Python service with a `pyproject.toml` but no `requirements.txt` and no lock file
    (`uv.lock`, `poetry.lock`, `pdm.lock`).

    ## Why is this bad?
    Railpack installs dependencies only from `requirements.txt`, a pyproject with one of those lock files,
    or a Pipfile. Otherwise the install step is empty and the app fails at start with `ModuleNotFoundError`.

    ## Example
    `pyproject.toml` lists `fastapi` in `[project].dependencies`; there is no `uv.lock`.
    """

    code = "RQ004"
    builders = RAILPACK_ONLY
    name = "dependencies-not-installed"
    summary = "pyproject.toml without requirements.txt or a lock file: nothing is installed"
    consequence = Consequence.MISBEHAVES
    examples = (
        Valid({"pyproject.toml": '[project]\nname = "x"\n', "uv.lock": "version = 1\n", "railpack.json": "{}"}),
        Invalid(
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi"]\n', "railpack.json": "{}"},
            expect=[("RQ004", "pyproject.toml", 1, 1)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        found = facts(service, project)
        if found.install_manager is not None or "pyproject.toml" not in found.python_markers or not found.builds_python:
            return
        path = service.root / "pyproject.toml"
        yield self.diagnostic(
            path,
            _span(project.texts.get(path, ""), 0, 0),
            "pyproject.toml has no lock file and there is no requirements.txt, so Railpack installs no dependencies",
            help="Commit a lock file (`uv lock`, `poetry lock` or `pdm lock`), or add a requirements.txt.",
        )


def _compact_diff(original: str, copy: str, original_name: str, copy_name: str) -> str:
    def visible(lines: list[str]) -> list[str]:
        # Make trailing whitespace visible; the final-newline difference gets its own marker below.
        return [
            line.rstrip("\n").rstrip("\r") + ("·" * (len(line.rstrip("\r\n")) - len(line.rstrip("\r\n").rstrip(" "))))
            for line in lines
        ]

    import difflib  # only for copies that differ

    # Compared without line endings: a missing final newline is reported once, below, not as a changed line.
    old, new = original.splitlines(), copy.splitlines()
    out = []
    for group in difflib.SequenceMatcher(a=old, b=new).get_grouped_opcodes(0):
        for tag, a0, a1, b0, b1 in group:
            if tag == "equal":
                continue
            out += [f"-{line}" for line in visible(old[a0:a1])] + [f"+{line}" for line in visible(new[b0:b1])]
    if original.endswith("\n") != copy.endswith("\n"):
        who = copy_name if original.endswith("\n") else original_name
        out.append(f"(no newline at the end of {who})")
    return "\n      ".join(out[:12] + (["..."] if len(out) > 12 else []))


class CopyOutOfSync(ProjectRule):
    """
    ## What it does
    Reports a file that should be an exact copy of another but differs: copies declared in
    `[[tool.railcheck.sync]]`, and `requirements*.txt` files in a service's root directory that nearly match
    the file of that name at the repository root (an undeclared copy), unless a service is rooted at the
    repository root (the file is then its own). The message shows a compact diff,
    whitespace and the final newline included.

    ## Why is this bad?
    A service's root directory is its whole build context, so teams copy shared files (a deploy
    requirements file) into it. Copies drift: the service deploys other versions than the ones tested.

    ## Example
    `/requirements-deploy.txt` pins `httpx==0.28.1`; `services/backend/requirements-deploy.txt`, meant as
    a copy, still pins `httpx==0.27.2`.

    ## Fix safety
    Safe for declared copies (rewritten from the original). Unsafe for detected copies: railcheck only
    guesses that they are copies.
    """

    repository_wide = True
    code = "RQ005"
    name = "copy-out-of-sync"
    summary = "A copy of a file has drifted from its original"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.ALWAYS
    examples = (
        Valid(
            {
                "/requirements-deploy.txt": "fastapi==0.115.0\n",
                "requirements-deploy.txt": "fastapi==0.115.0\n",
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {
                "/requirements-deploy.txt": "fastapi==0.115.0\nhttpx==0.28.1\nuvicorn==0.32.1\n",
                "requirements-deploy.txt": "fastapi==0.115.0\nhttpx==0.27.2\nuvicorn==0.32.1",
                "railpack.json": "{}",
            },
            expect=[("RQ005", "requirements-deploy.txt", 1, 1)],
            fixed={"requirements-deploy.txt": "fastapi==0.115.0\nhttpx==0.28.1\nuvicorn==0.32.1\n"},
            unsafe_fixes=True,
        ),
        # The repository root is a service of its own: its requirements.txt is that service's, not an original.
        Valid(
            {
                "/requirements.txt": "fastapi==0.115.0\nhttpx==0.28.1\nchromadb==0.5.0\n",
                "/railpack.json": "{}",
                "requirements.txt": "fastapi==0.115.0\nhttpx==0.28.1\njsonschema==4.23.0\n",
                "railpack.json": "{}",
            }
        ),
        Invalid(
            {
                "/railcheck.toml": (
                    '[[sync]]\nsource = "shared/requirements.txt"\ncopies = ["services/svc/requirements.txt"]\n'
                ),
                "/shared/requirements.txt": "fastapi==0.115.0\n",
                "requirements.txt": "fastapi==0.110.0\n",
                "railpack.json": "{}",
            },
            expect=[("RQ005", "requirements.txt", 1, 1)],
            fixed={"requirements.txt": "fastapi==0.115.0\n"},
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        declared = {copy: source for source, copies in project.config.sync for copy in copies}
        for copy, source in declared.items():
            yield from self._compare(project, source, copy, declared=True)
        repository = project.repository
        if repository is None:
            return
        # A service rooted at the repository root owns the root's requirements files: another service's
        # file of the same name is its own list, not a drifted copy (only a declared `[[sync]]` says so).
        rooted_at_top = any(str(service.root) == "." and not service.built_elsewhere for service in project.services)
        top = set() if rooted_at_top else set(repository.listdir(PurePosixPath(".")))
        for service in project.services:
            if str(service.root) == "." or service.built_elsewhere:
                continue
            for name in repository.listdir(service.root):
                copy = service.root / name
                if name in top and copy not in declared and name.startswith("requirements") and name.endswith(".txt"):
                    yield from self._compare(project, PurePosixPath(name), copy, declared=False)

    def _compare(
        self, project: Project, source: PurePosixPath, copy: PurePosixPath, *, declared: bool
    ) -> Iterator[Diagnostic]:
        original, current = _shown_text(project, source), _shown_text(project, copy)
        if original is None or current is None or original == current:
            return
        import difflib  # only for copies that differ

        if not declared and difflib.SequenceMatcher(a=original, b=current).ratio() < SIMILAR_ENOUGH:
            return  # different files that happen to share a name
        edit = Edit(copy, 0, len(current), original)
        title = f"Rewrite {copy} from {source}"
        yield self.diagnostic(
            copy,
            _span(current, 0, 0),
            f"{copy} {'is declared a copy of' if declared else 'looks like a copy of'} {source} but differs from it",
            help="Differences (- original, + copy):\n      " + _compact_diff(original, current, str(source), str(copy)),
            fix=Fix.safe(title, edit) if declared else Fix.unsafe(title, edit),
            related=(Related(source, _span(original, 0, 0), "the original"),),
        )


def _shown_text(project: Project, path: PurePosixPath) -> str | None:
    """The file's text as railcheck shows it (undecodable bytes replaced, RC001 saying so), read now when the
    project was loaded without it: a parallel run's repository-wide rules see only the layout."""
    if path in project.texts or project.repository is None:
        return project.texts.get(path)
    project.repository.read(path)  # None for text that is not clean UTF-8, which it records decoded anyway
    return project.repository.texts.get(path)
