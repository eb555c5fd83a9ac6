"""The dependencies a service declares, by canonical name, as its requirements.txt and pyproject.toml list them.

Reads only texts the Project holds, parsed through `Project.derived`; `packaging` is imported only for a
pyproject.toml that lists dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from railcheck.facts import facts

if TYPE_CHECKING:
    from railcheck.model import Project, Service


def find_declared_dependencies(service: Service, project: Project) -> frozenset[str] | None:
    """Canonical names (plus `name[extra]` forms) of the dependencies in the service's requirements.txt and
    pyproject.toml; None when requirements.txt takes some from elsewhere (an include, a path, a URL), so that
    absence says nothing. `Project.derived` calls it once per service (ST001 asks for every server with a
    module, ST005 again)."""
    names: set[str] = set()
    found = False
    path = service.root / "requirements.txt"
    if path in project.texts:
        found = True
        for line in project.derived.requirements(path).lines:
            if line.name:
                names.add(line.name)
                names.update(f"{line.name}[{extra}]" for extra in line.extras)
            if line.kind in ("include", "constraint", "editable", "path", "url"):
                return None  # dependencies come from elsewhere too; do not guess
    pyproject = facts(service, project).pyproject
    if pyproject is not None:
        table = pyproject.value.get("project")
        dependencies = table.get("dependencies") if isinstance(table, dict) else None
        tool = pyproject.value.get("tool")
        poetry_table = tool.get("poetry") if isinstance(tool, dict) else None
        # Any level may be another type in a hand-written file (`[tool] poetry = "x"`): then it declares nothing.
        poetry = poetry_table.get("dependencies") if isinstance(poetry_table, dict) else None
        if isinstance(dependencies, list) or isinstance(poetry, dict):
            found = True
            from packaging.requirements import InvalidRequirement, Requirement
            from packaging.utils import canonicalize_name
        for entry in dependencies if isinstance(dependencies, list) else ():
            try:
                requirement = Requirement(str(entry))
            except InvalidRequirement:
                continue
            name = canonicalize_name(requirement.name)
            names.add(name)
            names.update(f"{name}[{extra}]" for extra in requirement.extras)
        if isinstance(poetry, dict):
            names.update(canonicalize_name(name) for name in poetry)
    return frozenset(names) if found else None
