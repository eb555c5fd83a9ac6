"""Values derived from a Project, computed on first use and kept in `Project.memo` for the rest of the run.

A module of its own so that everything deriving values (facts, the builder, the image model, build outputs,
watch paths) can share the memo without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from railcheck.model import Project, Service

_T = TypeVar("_T")


def memoised(project: Project, key: object, compute: Callable[[], _T]) -> _T:
    """`compute()`, computed once per project and kept in its memo under `key`."""
    memo = project.memo
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]


def once_per_service(name: str, service: Service, project: Project, compute: Callable[[Service, Project], _T]) -> _T:
    """`compute(service, project)`, computed once per project and kept in its memo under `name`."""
    # Called about a hundred times per service: the lookup comes first, with no closure made on a hit.
    memo, key = project.memo, (name, id(service))
    try:
        return memo[key]  # type: ignore[return-value]
    except KeyError:
        value = memo[key] = compute(service, project)
        return value
