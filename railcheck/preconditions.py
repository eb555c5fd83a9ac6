"""Which services each rule of a check runs on: the preconditions rules declare on their class (`checks_build`,
`builders`, `requires`), each decided once per service for all the rules of one `engine.check` (the answers
are kept by `Project.derived`).

Rules with the same declarations share one list of services, so the cost per rule and service is nothing
beyond iterating that list. A precondition whose evaluation raises is the failure of every rule that needs
it on that service (RC002 there), as when a rule raises in its own `check`, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from railcheck.rule import Requires

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.rule import ServiceRule

_T = TypeVar("_T")
# (checks_build, builders, requires): what decides which services a ServiceRule runs on.
Declared = tuple[bool, "frozenset[str] | None", "frozenset[Requires]"]
# A service a rule runs on, with the exception that deciding one of its preconditions raised (or None).
Eligible = tuple["Service", "Exception | None"]


class Preconditions:
    """The preconditions of one project, decided on first use and kept for the rest of the check."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._services: dict[Declared, list[Eligible]] = {}

    def project_holds(self, requires: tuple[Requires, ...]) -> bool:
        """Whether a ProjectRule with these preconditions runs (only REPOSITORY is about the whole project)."""
        return Requires.REPOSITORY not in requires or self._project.repository is not None

    def services_for(self, rule: ServiceRule) -> list[Eligible]:
        """The services `rule` runs on, in project order."""
        declared: Declared = (rule.checks_build, rule.builders, frozenset(rule.requires))
        found = self._services.get(declared)
        if found is None:
            found = self._services[declared] = self._eligible(*declared)
        return found

    def _eligible(
        self, checks_build: bool, builders: frozenset[str] | None, requires: frozenset[Requires]
    ) -> list[Eligible]:
        if not self.project_holds(tuple(requires)):
            return []
        eligible: list[Eligible] = []
        derived = self._project.derived
        for service in self._project.services:
            # A rule about the build says nothing about a service built elsewhere (an image, another
            # repository), and a rule about one builder's semantics nothing about services another builds.
            if checks_build and service.built_elsewhere is not None:
                continue
            if builders is not None:
                build = _decided(derived.build, service)
                if isinstance(build, Exception):
                    eligible.append((service, build))
                    continue
                if build.builder not in builders:
                    continue
            if Requires.PATHS_CHECKABLE in requires:
                checkable = _decided(derived.paths_checkable, service)
                if isinstance(checkable, Exception):
                    eligible.append((service, checkable))
                    continue
                if not checkable:
                    continue  # SV003, IC001 or DF005 explains why paths cannot be checked
            eligible.append((service, None))
        return eligible


def _decided(decide: Callable[[Service], _T], service: Service) -> _T | Exception:
    """A precondition's answer (kept per service by Project.derived), or the exception deciding it raised: a bug
    there is RC002 for the rules that need it, as when a rule raises in its own `check`, and the run goes on."""
    try:
        return decide(service)
    except Exception as error:
        return error
