"""Rule base classes, rule examples, and the metadata checks every rule must pass when it is defined."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from railcheck.types import Diagnostic, Fix, Related, Severity, Span

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.repository import Repository
    from railcheck.sources.text import Document

# What a rule's code and name look like; checked when a rule is defined, except the built-in ones (see
# `built_in_rules_loading`).
CODE_PATTERN = re.compile(r"^[A-Z]{2}\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Values for `Rule.builders` (names from railcheck.builder): Railpack's own semantics, and every builder
# that puts the source folder at `/app` without a Dockerfile (Railpack and Nixpacks).
RAILPACK_ONLY = frozenset({"railpack"})
WITHOUT_DOCKERFILE = frozenset({"railpack", "nixpacks"})
REQUIRED_HEADINGS = ("## What it does", "## Why is this bad?", "## Example")


class Requires(enum.Enum):
    """A precondition a rule declares in `requires` (repo-review style). The engine decides each one once per
    service (or once per project) for all the rules of a check, and calls the rule only where all of its
    preconditions hold, so a rule's `check` never tests them. The value says what holds, for the docs."""

    # `project.repository` is there: files beyond the configs can be read. Every project loaded from a
    # repository has one; a rule that reads through it declares this instead of testing for None.
    REPOSITORY = "the repository's files can be read"
    # `railcheck.root_evidence.paths_checkable`: the root directory is known (SV003) and exists (IC001), the builder
    # is known (DF005), and the folder the image holds at /app is known. For a ServiceRule only. A rule that
    # resolves paths otherwise reports a cascade of "not found" that those findings already explain.
    PATHS_CHECKABLE = (
        "paths can be checked: the root directory is certain (SV003) and exists (IC001), the builder is known"
        " (DF005) and so is the folder the image holds at /app"
    )


class Consequence(enum.Enum):
    """What a rule's finding means for the deploy; the rule's default severity follows from it (README,
    "Severity"), so a reader knows from the severity alone what happens if the finding is ignored."""

    FAILS = "the build or the deploy fails"
    MISBEHAVES = "the deploy works but silently does something other than what is written"
    LIKELY_WRONG = "very likely wrong, but railcheck cannot be sure it breaks anything"
    HARMLESS = "deprecated, cosmetic or unverifiable; harmless today"

    @property
    def severity(self) -> Severity:
        if self in (Consequence.FAILS, Consequence.MISBEHAVES):
            return Severity.ERROR
        return Severity.WARNING if self is Consequence.LIKELY_WRONG else Severity.INFO


class FixAvailability(enum.Enum):
    NEVER = "never"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


class Valid(NamedTuple):
    """Files (relative to one service, or to the repository when the key starts with `/`) that raise nothing."""

    # Valid and Invalid are named tuples, not frozen dataclasses, for the cost at import (see types.Position).

    files: dict[str, str]


class Invalid(NamedTuple):
    """Files that raise exactly `expect` = [(code, path, line, column), ...]; `fixed` lists files a fix changes."""

    files: dict[str, str]
    expect: list[tuple[str, str, int, int]]
    fixed: dict[str, str] | None = None
    unsafe_fixes: bool = False


class Rule:
    """Common part of every rule: metadata, documentation, examples and a `diagnostic` helper."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    # What ignoring a finding does to the deploy; `default_severity` must be `consequence.severity`.
    consequence: ClassVar[Consequence | None] = None
    default_severity: ClassVar[Severity] = Severity.ERROR
    fix: ClassVar[FixAvailability] = FixAvailability.NEVER
    examples: ClassVar[tuple[Valid | Invalid, ...]] = ()
    # Abstract intermediate classes set this to skip the metadata checks.
    abstract: ClassVar[bool] = False
    # True for rules that compare services with each other or with the repository root: when a large
    # repository is checked in parallel chunks, they run once over the whole layout instead of per chunk.
    repository_wide: ClassVar[bool] = False
    # True for a notice about the repository as a whole that each service's files give (RW102): a run
    # reports its findings as one (`fold`), after suppressions and the baseline were judged file by file.
    repository_notice: ClassVar[bool] = False
    # The builders (railcheck.builder: "railpack", "dockerfile", "nixpacks") whose services a ServiceRule
    # checks; None for every builder. The engine checks it once per service, so rules never test it.
    builders: ClassVar[frozenset[str] | None] = None
    # Preconditions (`Requires`) the engine checks before calling `check`, once per service for every rule.
    requires: ClassVar[tuple[Requires, ...]] = ()
    # A frozen dataclass of the rule's options (kebab-case in config, snake_case here), or None.
    Options: ClassVar[type | None] = None

    def __init__(self, severity: Severity | None = None, options: dict[str, object] | None = None) -> None:
        self.severity = severity or self.default_severity
        self.options = self._options(options or {})

    @classmethod
    def _options(cls, given: dict[str, object]) -> object:
        """Build the rule's Options from config; raises ValueError naming the bad key or value."""
        if cls.Options is None:
            if given:
                raise ValueError(f"rule {cls.code} takes no options (got {', '.join(sorted(given))})")
            return None
        fields = {field.name for field in dataclasses.fields(cls.Options)}
        converted = {key.replace("-", "_"): value for key, value in given.items()}
        unknown = sorted(key for key in converted if key not in fields)
        if unknown:
            raise ValueError(
                f"rule {cls.code} has no option {', '.join(key.replace('_', '-') for key in unknown)}; it takes"
                f" {', '.join(sorted(name.replace('_', '-') for name in fields))}"
            )
        options = cls.Options(**converted)
        check = getattr(options, "validate", None)
        if check is not None:
            check()
        return options

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False) or not _checks_on_definition:
            return
        problems = list(_metadata_problems(cls))
        if problems:
            raise TypeError(f"rule {cls.__qualname__}: " + "; ".join(problems))

    @classmethod
    def fold(cls, found: Sequence[Diagnostic]) -> Diagnostic:
        """For a `repository_notice` rule: the one finding a run reports for `found` (two or more of this
        rule's findings, in report order). By default the first, with the others as notes."""
        first, *others = found
        return dataclasses.replace(
            first,
            service=None,
            related=(*first.related, *(Related(other.path, other.span, other.message) for other in others)),
        )

    @classmethod
    def documentation(cls) -> str:
        return _dedent_doc(cls.__doc__ or "")

    def services_read(self, layout: Project) -> Iterable[Service]:
        """For a repository-wide rule: the services whose parsed config files `check` reads. A parallel run
        checks repository-wide rules once, on a layout whose config files are not parsed; it loads these
        services parsed first, so the answer is the one a single process gives."""
        return ()

    def repository(self, project: Project) -> Repository:
        """`project.repository`, for a rule that declares `Requires.REPOSITORY` or `Requires.PATHS_CHECKABLE`:
        the engine calls such a rule only when the project has one."""
        repository = project.repository
        if repository is None:  # the rule reads the repository without declaring it: a bug (RC002)
            raise RuntimeError(f"rule {self.code} reads the repository without declaring Requires.REPOSITORY")
        return repository

    def diagnostic(
        self,
        where: Document | PurePosixPath,
        span: Span | None,
        message: str,
        *,
        # A ServiceRule's findings get the checked service from the engine: pass it only for a finding about
        # another service (or from a ProjectRule).
        service: str | None = None,
        help: str | None = None,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
    ) -> Diagnostic:
        path = where if isinstance(where, PurePosixPath) else where.path
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            severity=self.severity,
            path=path,
            span=span,
            service=service,
            help=help,
            fix=fix,
            related=related,
        )


class ServiceRule(Rule):
    """A rule that looks at one service at a time."""

    abstract = True
    # Whether the rule checks what is built from the repository (root directory, config files, commands,
    # code): the engine skips such rules on a service built elsewhere (`Service.built_elsewhere`).
    checks_build = True

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        raise NotImplementedError


class ProjectRule(Rule):
    """A rule that looks at the whole project once."""

    abstract = True

    def check(self, project: Project) -> Iterator[Diagnostic]:
        raise NotImplementedError


def _dedent_doc(doc: str) -> str:
    lines = doc.expandtabs().splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents) if indents else 0
    body = [lines[0].strip()] + [line[margin:] for line in lines[1:]] if lines else []
    return "\n".join(body).strip() + "\n"


# Whether defining a rule class checks its metadata. Off only while the registry loads the built-in rules,
# whose metadata tests/meta/test_rule_metadata.py checks (it is start-up time of every run); a rule from an extra
# folder, or defined anywhere else, is always checked.
_checks_on_definition = True


@contextmanager
def built_in_rules_loading() -> Iterator[None]:
    global _checks_on_definition
    _checks_on_definition = False
    try:
        yield
    finally:
        _checks_on_definition = True


def metadata_problems(cls: type[Rule]) -> list[str]:
    return list(_metadata_problems(cls))


def _metadata_problems(cls: type[Rule]) -> Iterator[str]:
    for attribute in ("code", "name", "summary"):
        if not isinstance(getattr(cls, attribute, None), str):
            yield f"missing `{attribute}`"
            return
    # Built-in rules must declare a consequence (tests/meta/test_rule_metadata.py); extra rule folders written
    # before it existed keep loading, but a declared one must agree with the severity.
    consequence = getattr(cls, "consequence", None)
    if consequence is not None and not isinstance(consequence, Consequence):
        yield "`consequence` is not a Consequence"
    elif consequence is not None and cls.default_severity is not consequence.severity:
        yield (
            f"severity {cls.default_severity.value} does not follow from its consequence ({consequence.value}:"
            f" {consequence.severity.value})"
        )
    if not CODE_PATTERN.match(cls.code):
        yield f"code {cls.code!r} is not two capitals and three digits"
    if not NAME_PATTERN.match(cls.name):
        yield f"name {cls.name!r} is not kebab-case"
    if not isinstance(cls.requires, tuple) or not all(isinstance(item, Requires) for item in cls.requires):
        yield "`requires` is not a tuple of Requires"
    elif Requires.PATHS_CHECKABLE in cls.requires and not issubclass(cls, ServiceRule):
        yield "only a ServiceRule can require PATHS_CHECKABLE (it is decided per service)"
    if cls.builders is not None:
        from railcheck.builder import BUILDERS, UNDECIDED

        if not cls.builders or not cls.builders <= BUILDERS | {UNDECIDED}:
            yield f"builders {sorted(cls.builders)} are not a non-empty subset of {sorted(BUILDERS | {UNDECIDED})}"
    doc = cls.__doc__ or ""
    headings = REQUIRED_HEADINGS + (("## Fix safety",) if cls.fix is not FixAvailability.NEVER else ())
    for heading in headings:
        if heading not in doc:
            yield f"docstring lacks {heading!r}"
    if not any(isinstance(example, Valid) for example in cls.examples):
        yield "needs at least one Valid example"
    invalid = [example for example in cls.examples if isinstance(example, Invalid)]
    if not invalid:
        yield "needs at least one Invalid example"
    if cls.fix is FixAvailability.NEVER and any(example.fixed for example in invalid):
        yield "has examples with `fixed` but declares fix = NEVER"
