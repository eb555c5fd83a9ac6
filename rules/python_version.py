"""PV: which Python Railpack builds a service with, and every place that says otherwise.

Railpack's order (docs/railpack-facts.md, "Effective values", lowest first): its default, Pipfile, runtime.txt, mise
files inside the
root directory (.python-version, .tool-versions, mise.toml), RAILPACK_PYTHON_VERSION, and `packages.python`
in railpack.json, which is applied last and beats everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
    Requires,
    Service,
    ServiceRule,
    Severity,
    Valid,
)
from railcheck.facts import Candidate, facts
from railcheck.origins import INSTALLS_PROJECT
from railcheck.sources.python_version import minor_of, normalise_railpack_version
from railcheck.walk import strings

FAMILY = "PV"
_CONCRETE = re.compile(r"^\d+(\.\d+){0,2}$")
_MISE_FILES = (".python-version", ".tool-versions", "mise.toml", ".mise.toml")


def _explicit(service: Service, project: Project) -> tuple[Candidate, ...]:
    """Python version candidates written somewhere (Railpack's default excluded), lowest priority first."""
    return facts(service, project).python_versions[1:]


def _related(candidate: Candidate, message: str) -> tuple[Related, ...]:
    if candidate.origin.path is None:
        return ()
    return (Related(candidate.origin.path, candidate.origin.span, message),)


class InvalidPythonVersion(ServiceRule):
    """
    ## What it does
    Reports a Python version that Railpack cannot turn into a CPython release: `pypy3.10`, `3.x.y`,
    `python3`, text without a version.

    ## Why is this bad?
    Railpack asks mise for `python@<version>`; an unusable value fails the build while installing Python,
    or silently falls back to the newest release.

    ## Example
    `.python-version` containing `pypy3.10`.
    """

    code = "PV001"
    builders = RAILPACK_ONLY
    name = "invalid-python-version"
    summary = "A Python version Railpack cannot resolve"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": "{}", ".python-version": "3.12\n"}),
        Invalid({"railpack.json": "{}", ".python-version": "pypy3.10\n"}, expect=[("PV001", ".python-version", 1, 1)]),
        Invalid({"railpack.json": '{"packages": {"python": "three"}}'}, expect=[("PV001", "railpack.json", 1, 25)]),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for candidate in _explicit(service, project):
            normalised = normalise_railpack_version(candidate.value)
            if normalised == "latest" or _CONCRETE.match(normalised):
                continue
            yield self.diagnostic(
                candidate.origin.path or service.railpack_path,
                candidate.origin.span,
                f'{candidate.origin.label} names Python "{candidate.value}", which Railpack cannot resolve to a CPython'
                " release",
                help="Write a CPython version such as `3.12` (a minor version) or `3.12.8` (an exact release).",
            )


class PythonVersionMismatch(ServiceRule):
    """
    ## What it does
    Reports a Python version that disagrees with the one Railpack will build with, naming the winner and
    why it wins.

    ## Why is this bad?
    Only one version is used: `packages.python` in railpack.json beats RAILPACK_PYTHON_VERSION, which beats
    `.python-version`, which beats runtime.txt. The losing files still drive local tools, CI and
    editors, so the service is tested on one Python and deployed on another.

    ## Example
    `railpack.json` pins `"python": "3.13"` while `.python-version` says `3.12`.

    ## Options
    `source-of-truth` (default `"railpack"`): which version the others must match. `"railpack"` is the one
    Railpack builds with; `".python-version"` makes that file the reference, so railpack.json is reported
    (and fixed) when it disagrees.

    ## Fix safety
    Safe for `.python-version`: Railpack already builds with the winning version, so aligning the file only
    changes local tooling. Unsafe for `packages.python` in railpack.json (with
    `source-of-truth = ".python-version"`): it changes the Python the service is deployed with.
    """

    @dataclass(frozen=True)
    class Options:
        source_of_truth: str = "railpack"

        def validate(self) -> None:
            if self.source_of_truth not in ("railpack", ".python-version"):
                raise ValueError(
                    f'source-of-truth must be "railpack" or ".python-version", not {self.source_of_truth!r}'
                )

    code = "PV002"
    builders = RAILPACK_ONLY
    name = "python-version-mismatch"
    summary = "Python versions disagree; one silently wins"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"railpack.json": '{"packages": {"python": "3.13"}}', ".python-version": "3.13\n"}),
        Invalid(
            {"railpack.json": '{"packages": {"python": "3.13"}}', ".python-version": "3.12\n"},
            expect=[("PV002", ".python-version", 1, 1)],
            fixed={".python-version": "3.13\n"},
        ),
        Invalid(
            {
                "/railcheck.toml": '[rules.PV002]\nsource-of-truth = ".python-version"\n',
                "railpack.json": '{"packages": {"python": "3.13"}}',
                ".python-version": "3.12\n",
            },
            expect=[("PV002", "railpack.json", 1, 25)],
            fixed={"railpack.json": '{"packages": {"python": "3.12"}}'},
            unsafe_fixes=True,
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        candidates = _explicit(service, project)
        if len(candidates) < 2:
            return
        winner = candidates[-1]
        reference = winner
        # `options` is this rule's own Options class (instantiate() builds it); Rule declares the base class.
        if self.options.source_of_truth == ".python-version":  # type: ignore[attr-defined]
            reference = next(
                (candidate for candidate in candidates if candidate.origin.label == ".python-version"), winner
            )
        wanted = minor_of(normalise_railpack_version(reference.value))
        if wanted is None:
            return  # "latest" or a major only: nothing precise to compare against
        for candidate in candidates:
            found = minor_of(normalise_railpack_version(candidate.value))
            if candidate is reference or found is None or found == wanted:
                continue
            yield self.diagnostic(
                candidate.origin.path or service.railpack_path,
                candidate.origin.span,
                f"{candidate.origin.label} says Python {candidate.value}, but "
                + (
                    f"Railpack builds with {winner.value} from {winner.origin.label}"
                    if reference is winner
                    else f"{reference.origin.label} (the configured source of truth) says {reference.value}"
                ),
                help=f"{winner.origin.label} wins: Railpack applies it after the other sources. Make them agree.",
                fix=self._fix(candidate, reference),
                related=_related(reference, f"the reference version ({reference.value})"),
            )

    @staticmethod
    def _fix(candidate: Candidate, reference: Candidate) -> Fix | None:
        origin = candidate.origin
        if origin.path is None or origin.span is None:
            return None
        edit = Edit(origin.path, origin.span.start.offset, origin.span.end.offset, reference.value)
        if origin.label == ".python-version":
            return Fix.safe(f"Set .python-version to {reference.value}", edit)
        if origin.label == "`packages.python` in railpack.json":
            # The span covers the JSON string, quotes included.
            quoted = Edit(origin.path, origin.span.start.offset, origin.span.end.offset, f'"{reference.value}"')
            return Fix.unsafe(f"Set packages.python to {reference.value}", quoted)
        return None


class PythonVersionCollapses(ServiceRule):
    """
    ## What it does
    Reports a Python version written as a range (`>=3.10`, `>=3.10,<3.13`, `^3.11`).

    ## Why is this bad?
    Railpack keeps only the major version of such a spec, so `>=3.10,<3.13` becomes `3` and mise installs
    the newest Python 3 available: the upper bound is ignored.

    ## Example
    ```toml
    # mise.toml
    [tools]
    python = ">=3.10,<3.13"
    ```
    """

    code = "PV003"
    builders = RAILPACK_ONLY
    name = "python-version-collapses"
    summary = "A version range that Railpack reduces to a major version"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"railpack.json": '{"packages": {"python": "3.12"}}'}),
        Invalid(
            {"railpack.json": '{"packages": {"python": ">=3.10,<3.13"}}'}, expect=[("PV003", "railpack.json", 1, 25)]
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for candidate in _explicit(service, project):
            value = candidate.value.strip()
            normalised = normalise_railpack_version(value)
            if normalised == value or not (">" in value or "<" in value or value.startswith("^")):
                continue
            yield self.diagnostic(
                candidate.origin.path or service.railpack_path,
                candidate.origin.span,
                f'{candidate.origin.label} is the range "{value}", which Railpack reduces to "{normalised}" (the newest'
                f" Python {normalised})",
                help="Pin a minor version such as `3.12`; ranges belong in `requires-python`.",
            )


class RequiresPythonExcludesVersion(ServiceRule):
    """
    ## What it does
    Reports a `requires-python` in the service's `pyproject.toml` that excludes the Python Railpack will
    build with.

    ## Why is this bad?
    Railpack never reads `requires-python`. uv, Poetry and PDM do, and refuse to install the project on
    an excluded interpreter, so the build fails in the install step (uv cannot download another Python,
    Railpack sets `UV_PYTHON_DOWNLOADS=never`); so does a command of the service that installs the project
    itself (`pip install .`, `uv sync`). When pip installs only the listed requirements, Pipenv installs,
    or nothing is installed (a pyproject.toml without a lock file), nothing reads it, and nothing is
    reported.

    ## Example
    `requires-python = ">=3.10,<3.13"` while Railpack uses its default, 3.13.
    """

    code = "PV004"
    builders = RAILPACK_ONLY
    name = "requires-python-excludes-version"
    summary = "`requires-python` excludes the Python Railpack uses"
    consequence = Consequence.FAILS
    examples = (
        Valid(
            {
                "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.11"\n',
                "railpack.json": '{"packages": {"python": "3.12"}}',
            }
        ),
        Invalid(
            {
                "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n',
                "uv.lock": "version = 1\n",
                "railpack.json": "{}",
            },
            expect=[("PV004", "pyproject.toml", 3, 19)],
        ),
        # Without a lock file Railpack installs nothing, unless a command of the service installs the project.
        Valid({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n', "railpack.json": "{}"}),
        Invalid(
            {
                "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n',
                "railpack.json": '{"steps": {"build": {"commands": ["...", "pip install ."]}}}',
            },
            expect=[("PV004", "pyproject.toml", 3, 19)],
        ),
        # pip installs requirements.txt and never reads the project's metadata.
        Valid(
            {
                "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.13"\n',
                "requirements.txt": "flask\n",
                "railpack.json": "{}",
            }
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        found = facts(service, project)
        pyproject = found.pyproject
        if pyproject is None or not _reads_requires_python(service, project, found.install_manager):
            return
        project_table = pyproject.value.get("project")
        spec = project_table.get("requires-python") if isinstance(project_table, dict) else None
        if not isinstance(spec, str):
            return
        from packaging.specifiers import InvalidSpecifier, SpecifierSet  # only for services that state one

        winner = facts(service, project).python_version
        minor = minor_of(normalise_railpack_version(winner.value))
        if minor is None:
            return
        try:
            allowed = SpecifierSet(spec)
        except InvalidSpecifier:
            return
        # A minor version like 3.13 means "the newest 3.13.x": excluded only if no patch release fits.
        version = ".".join(str(part) for part in minor)
        if any(allowed.contains(f"{version}.{patch}", prereleases=True) for patch in range(30)):
            return
        yield self.diagnostic(
            pyproject,
            pyproject.value_span("/project/requires-python"),
            f'`requires-python = "{spec}"` excludes Python {winner.value}, which Railpack uses ({winner.origin.label})',
            help=(
                "Pin a Python that `requires-python` allows (e.g. `packages.python` in railpack.json or"
                " .python-version), or widen the range."
            ),
            related=_related(winner, "where the version comes from"),
        )


class RootPythonVersionIgnored(ProjectRule):
    """
    ## What it does
    Reports a Python version file at the repository root (`.python-version`, `.tool-versions`,
    `mise.toml`) when services build from subfolder root directories without their own.

    ## Why is this bad?
    Railway uploads only the service's root directory, and Railpack runs mise with the root directory
    as its ceiling, so a version file above it is never seen: those services get Railpack's default
    Python instead.

    ## Example
    `/.python-version` says `3.11`, and `services/api` (its root directory) has no version file.
    """

    repository_wide = True
    code = "PV005"
    name = "root-python-version-ignored"
    summary = "A repository-root Python version file that subfolder services never see"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    requires = (Requires.REPOSITORY,)
    examples = (
        Valid({"/.python-version": "3.12\n", ".python-version": "3.12\n", "railpack.json": "{}"}),
        Invalid(
            {"/.python-version": "3.12\n", "railpack.json": "{}", "requirements.txt": ""},
            expect=[("PV005", "/.python-version", 1, 1)],
        ),
        # A service built from a Dockerfile (or by another provider) gets no default Python from Railpack.
        Valid(
            {
                "/.python-version": "3.12\n",
                "railway.json": '{"build": {"builder": "DOCKERFILE"}}',
                "Dockerfile": "FROM node:22\n",
                "requirements.txt": "",
            }
        ),
        Valid({"/mise.toml": '[tools]\nnode = "24"\n', "railway.json": "{}", "package.json": "{}"}),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        repository = self.repository(project)
        root_files = self._root_files(project)
        blind = (
            [service for service in self._unversioned(project) if _railpack_python(service, project)]
            if root_files
            else []
        )
        for name in root_files if blind else ():
            text = repository.read(PurePosixPath(name)) or ""
            names = ", ".join(service.display_root() for service in blind[:5]) + (" ..." if len(blind) > 5 else "")
            yield self.diagnostic(
                PurePosixPath(name),
                None if not text else _first_line_span(text),
                f"the repository-root {name} is not seen by services built from subfolders ({names}); they get"
                " Railpack's default Python",
                help=f"Put a {name} in each service's root directory, or pin `packages.python` in its railpack.json.",
            )

    def services_read(self, layout: Project) -> Iterable[Service]:
        # Whether Railpack builds a service as Python depends on its parsed config files.
        return self._unversioned(layout) if self._root_files(layout) else ()

    @staticmethod
    def _root_files(project: Project) -> list[str]:
        """The version files at the repository root."""
        top = set(project.repository.listdir(PurePosixPath("."))) if project.repository else set()
        return [name for name in _MISE_FILES if name in top]

    @staticmethod
    def _unversioned(project: Project) -> list[Service]:
        """Services built from a subfolder of this repository that hold no version file of their own."""
        repository = project.repository
        assert repository is not None
        return [
            service
            for service in project.services
            if str(service.root) != "."
            and not service.built_elsewhere
            and not set(repository.listdir(service.root)) & set(_MISE_FILES)
        ]


def _reads_requires_python(service: Service, project: Project, manager: str | None) -> bool:
    """Whether some install checks the interpreter against `requires-python`: Railpack's uv, Poetry and PDM
    installs always do (python.go picks the tool), and so does a command of the service that installs the
    project (`pip install .`, `uv sync`)."""
    return manager in ("uv", "poetry", "pdm") or any(
        INSTALLS_PROJECT.search(command.text) for command in facts(service, project).commands
    )


def _railpack_python(service: Service, project: Project) -> bool:
    """Whether Railpack builds the service as Python: only then does it pick a default Python for it (a
    Dockerfile or a Node service never gets one)."""
    from railcheck.builder import RAILPACK, builds_with

    return builds_with(service, project) == RAILPACK and facts(service, project).builds_python


def _first_line_span(text: str):
    from railcheck.sources.text import LineIndex

    lines = LineIndex(text)
    return lines.span(0, lines.line_end(1, text))


_HARDCODED = re.compile(r"python(\d)\.(\d{1,2})(?!\d)")


class HardcodedPythonPath(ServiceRule):
    """
    ## What it does
    Reports `pythonX.Y` written in commands, paths and variables (`/app/.venv/lib/python3.11/site-packages`,
    `python3.11 -m pip`) when it differs from the Python Railpack builds with.

    ## Why is this bad?
    The interpreter or folder does not exist in the image: Railpack installs only the resolved version,
    so the command fails with "not found" or the path adds nothing to the search path.

    ## Example
    `"PYTHONPATH": "/app/.venv/lib/python3.11/site-packages"` while the service builds with Python 3.12.

    ## Fix safety
    Unsafe: rewriting the version changes which files the command or path refers to.
    """

    code = "PV006"
    builders = RAILPACK_ONLY
    name = "hardcoded-python-path"
    summary = "`pythonX.Y` in a command or path differs from the Python Railpack uses"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid(
            {
                "railpack.json": (
                    '{"packages": {"python": "3.12"}, "deploy": {"paths": ["/app/.venv/lib/python3.12/bin"]}}'
                )
            }
        ),
        Invalid(
            {
                "railpack.json": (
                    '{"packages": {"python": "3.12"}, "deploy": {"paths": ["/app/.venv/lib/python3.11/bin"]}}'
                )
            },
            expect=[("PV006", "railpack.json", 1, 71)],
            fixed={
                "railpack.json": (
                    '{"packages": {"python": "3.12"}, "deploy": {"paths": ["/app/.venv/lib/python3.12/bin"]}}'
                )
            },
            unsafe_fixes=True,
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        winner = facts(service, project).python_version
        minor = minor_of(normalise_railpack_version(winner.value))
        if minor is None:
            return
        for document in (service.railpack, service.railway):
            if document is None or ("python" not in document.text and "\\" not in document.text):
                # Without an escape, every string value is written as is in the text: no `python3.x` in the
                # text, none in a value (most Railway configs), and no need to walk them.
                continue
            for pointer, value in strings(document.value):
                if "python" not in value or pointer.startswith("/packages/"):
                    continue  # a value without "python" has no match below
                start, end = document.value_offsets.get(pointer, (0, 0))
                literal = document.text[start:end]
                for match in _HARDCODED.finditer(value):
                    if (int(match.group(1)), int(match.group(2))) == minor:
                        continue
                    wanted = f"python{minor[0]}.{minor[1]}"
                    # Only offer the edit when the literal maps one to one (no escapes before the match).
                    exact = literal[1:-1] == value
                    span = (
                        document.lines.span(start + 1 + match.start(), start + 1 + match.end())
                        if exact
                        else document.value_span(pointer)
                    )
                    fix = (
                        Fix.unsafe(
                            f"Write {wanted}",
                            Edit(document.path, start + 1 + match.start(), start + 1 + match.end(), wanted),
                        )
                        if exact
                        else None
                    )
                    yield self.diagnostic(
                        document,
                        span,
                        f"`{match.group()}` does not exist in the image: Railpack installs Python {winner.value}"
                        f" ({winner.origin.label})",
                        help=(
                            f"Write `{wanted}`, or avoid the version in the path (e.g. `python -m ...`,"
                            " `/app/.venv/bin`)."
                        ),
                        fix=fix,
                        related=_related(winner, "where the version comes from"),
                    )


class UnsupportedPython(ServiceRule):
    """
    ## What it does
    Reports a service that Railpack would build with Python older than 3.10.

    ## Why is this bad?
    Railpack supports Python 3.10 and newer, and installs only precompiled CPython builds; older
    versions may have none, and the build fails while installing Python.

    ## Example
    `.python-version` says `3.8`.
    """

    code = "PV007"
    builders = RAILPACK_ONLY
    name = "unsupported-python"
    summary = "Railpack would build with Python older than 3.10"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": "{}", ".python-version": "3.10\n"}),
        Invalid({"railpack.json": "{}", ".python-version": "3.8\n"}, expect=[("PV007", ".python-version", 1, 1)]),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        winner = facts(service, project).python_version
        minor = minor_of(normalise_railpack_version(winner.value))
        if minor is None or minor >= (3, 10):
            return
        yield self.diagnostic(
            winner.origin.path or service.railpack_path,
            winner.origin.span,
            f"Railpack would build with Python {winner.value} ({winner.origin.label}); it supports 3.10 and newer",
            help="Upgrade to Python 3.10 or newer and pin it, e.g. `packages.python` in railpack.json.",
        )
