"""Which services each rule of a check runs on: the preconditions rules declare on their class (`checks_build`,
`builders`, `requires`), each decided once per service for all the rules of one `engine.check` (the answers
are kept by `Project.derived`).

Rules with the same declarations share one list of services, so the cost per rule and service is nothing
beyond iterating that list. A precondition whose evaluation raises is the failure of every rule that needs
it on that service (RC002 there), as when a rule raises in its own `check`, and the run goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from railcheck.rule import Requires

if TYPE_CHECKING:
    from railcheck.model import Project, Service
    from railcheck.rule import ServiceRule

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
        # A rule about the build says nothing about a service built elsewhere (an image, another repository).
        services: list[Service] = [
            service for service in self._project.services if not (checks_build and service.built_elsewhere is not None)
        ]
        paths = Requires.PATHS_CHECKABLE in requires
        if builders is None and not paths:
            return [(service, None) for service in services]
        eligible: list[Eligible] = []
        derived = self._project.derived
        for service in services:
            # Decided in this order, each only when the one before holds, as the rules would read them: a
            # rule about one builder's semantics says nothing about services another builds, and paths that
            # cannot be checked are explained by SV003, IC001 or DF005. A bug deciding or reading either is
            # RC002 for the rules that need it, as when a rule raises in its own `check`, and the run goes on.
            try:
                if builders is not None and derived.build(service).builder not in builders:
                    continue
                if paths and not derived.paths_checkable(service):
                    continue
            except Exception as error:
                eligible.append((service, error))
                continue
            eligible.append((service, None))
        return eligible
