"""The engine's share of every rule: it stamps the checked service on a service rule's findings, and it
decides the preconditions rules declare (`requires`, `builders`, `checks_build`) once per service, calling
a rule only where they hold."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

import railcheck.root_evidence
from railcheck import Diagnostic, Invalid, Project, ProjectRule, Service, ServiceRule, Valid
from railcheck.config import load_config
from railcheck.engine import check
from railcheck.project import load_project
from railcheck.registry import Registry
from railcheck.rule import Requires

DOC = "## What it does\nTest.\n## Why is this bad?\nTest.\n## Example\nNone."
EXAMPLES = (Valid({}), Invalid({}, expect=[]))

# Two services: `checkable` is an ordinary Railpack service; `undecided` sets Railpack beside a Dockerfile,
# so its builder is undecided (DF005) and its paths cannot be checked.
FILES = {
    "services/checkable/railpack.json": "{}",
    "services/checkable/main.py": "",
    "services/undecided/railway.json": '{"build": {"builder": "RAILPACK"}}',
    "services/undecided/Dockerfile": "FROM python:3.12\n",
}


def _project(root: Path, files: dict[str, str]) -> Project:
    (root / "railcheck.toml").touch()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return load_project(root, load_config(root))


class Visits(ServiceRule):
    """Reports every service it is called for (without naming it: the engine does)."""

    __doc__ = DOC
    code = "ZZ911"
    name = "visits"
    summary = "Reports each service it runs on"
    examples = EXAMPLES
    checks_build = False

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        yield self.diagnostic(PurePosixPath(str(service.root)), None, f"visited {service.root}")


class VisitsCheckable(Visits):
    __doc__ = DOC
    code = "ZZ912"
    name = "visits-checkable"
    requires = (Requires.PATHS_CHECKABLE,)


class VisitsCheckableToo(Visits):
    __doc__ = DOC
    code = "ZZ913"
    name = "visits-checkable-too"
    requires = (Requires.PATHS_CHECKABLE, Requires.REPOSITORY)


class NamesAnother(ServiceRule):
    __doc__ = DOC
    code = "ZZ914"
    name = "names-another"
    summary = "Reports about another service on purpose"
    examples = EXAMPLES

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        yield self.diagnostic(PurePosixPath("."), None, "about the other", service="elsewhere")


class ReadsRepository(ProjectRule):
    __doc__ = DOC
    code = "ZZ915"
    name = "reads-repository"
    summary = "Needs the repository"
    examples = EXAMPLES
    requires = (Requires.REPOSITORY,)

    def check(self, project: Project) -> Iterator[Diagnostic]:
        yield self.diagnostic(PurePosixPath("."), None, "read the repository")


def _visited(diagnostics: tuple[Diagnostic, ...], code: str) -> dict[str, str | None]:
    """For each finding of `code`: the folder it visited -> the service the finding names."""
    return {d.message.removeprefix("visited "): d.service for d in diagnostics if d.code == code}


def test_the_engine_stamps_the_checked_service_and_keeps_one_named_on_purpose(
    tmp_path: Path, registry: Registry
) -> None:
    project = _project(tmp_path, FILES)
    names = {str(service.root): service.name for service in project.services}
    result = check(project, [Visits(), NamesAnother(), ReadsRepository()], registry)
    assert _visited(result.diagnostics, "ZZ911") == names  # every service, each finding stamped with its own
    assert {d.service for d in result.diagnostics if d.code == "ZZ914"} == {"elsewhere"}
    # A project rule's finding is about no service unless the rule says which.
    assert [d.service for d in result.diagnostics if d.code == "ZZ915"] == [None]


def test_a_rule_runs_only_on_services_where_its_preconditions_hold(tmp_path: Path, registry: Registry) -> None:
    project = _project(tmp_path, FILES)
    result = check(project, [Visits(), VisitsCheckable(), VisitsCheckableToo()], registry)
    assert set(_visited(result.diagnostics, "ZZ911")) == {"services/checkable", "services/undecided"}
    assert set(_visited(result.diagnostics, "ZZ912")) == {"services/checkable"}
    assert set(_visited(result.diagnostics, "ZZ913")) == {"services/checkable"}


def test_each_precondition_is_decided_once_per_service_for_all_rules(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    decide = railcheck.root_evidence.decide_paths_checkable

    def counted(service: Service, project: Project) -> bool:
        asked.append(service.name)
        return decide(service, project)

    monkeypatch.setattr(railcheck.root_evidence, "decide_paths_checkable", counted)
    project = _project(tmp_path, FILES)
    check(project, [VisitsCheckable(), VisitsCheckableToo(), Visits()], registry)
    assert sorted(asked) == sorted(service.name for service in project.services)


def test_a_precondition_that_raises_fails_the_rules_needing_it_on_that_service_only(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(service: Service, project: Project) -> bool:
        if service.root.name == "undecided":
            raise ValueError("cannot tell")
        return True

    monkeypatch.setattr(railcheck.root_evidence, "decide_paths_checkable", broken)
    project = _project(tmp_path, FILES)
    result = check(project, [VisitsCheckable(), VisitsCheckableToo(), Visits()], registry)
    failures = [d for d in result.diagnostics if d.code == "RC002"]
    assert sorted(d.message.split(" (")[0] for d in failures) == ["rule ZZ912", "rule ZZ913"]
    assert all("ValueError: cannot tell" in d.message and d.service == "services/undecided" for d in failures)
    assert result.internal_errors == 2
    assert set(_visited(result.diagnostics, "ZZ912")) == {"services/checkable"}
    assert set(_visited(result.diagnostics, "ZZ911")) == {"services/checkable", "services/undecided"}


def test_rules_needing_the_repository_do_not_run_without_one(tmp_path: Path, registry: Registry) -> None:
    project = dataclasses.replace(_project(tmp_path, FILES), repository=None)
    result = check(project, [ReadsRepository(), VisitsCheckableToo(), Visits()], registry)
    assert {d.code for d in result.diagnostics} == {"ZZ911"}


def test_a_rule_declaring_preconditions_wrongly_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="tuple of Requires"):

        class AsList(Visits):
            __doc__ = DOC
            code = "ZZ916"
            name = "as-list"
            requires = [Requires.REPOSITORY]  # type: ignore[assignment]  # noqa: RUF012  # the mistake refused here

    with pytest.raises(TypeError, match="only a ServiceRule"):

        class PerServiceOnProject(ReadsRepository):
            __doc__ = DOC
            code = "ZZ917"
            name = "per-service-on-project"
            requires = (Requires.PATHS_CHECKABLE,)


def test_a_rules_documentation_says_which_services_it_runs_on(registry: Registry) -> None:
    from railcheck.rules_table import rule_documentation

    def runs_on(code: str) -> str:
        text = rule_documentation(registry, code)
        assert text is not None
        header = text.split("\n\n")[2]  # "Default severity: ... Fix: ... Runs on ..."
        return header[header.find("Runs on") :] if "Runs on" in header else ""

    assert runs_on("ST001").startswith("Runs on services built from this repository whose paths can be checked: ")
    assert runs_on("CM003") == "Runs on services built from this repository with Railpack or Nixpacks."
    assert runs_on("DF005") == "Runs on services built from this repository with an undecided builder."
    assert runs_on("IC005") == "Runs on every service."  # checks_build = False: image services too
    assert runs_on("PV005") == ""  # a project rule
