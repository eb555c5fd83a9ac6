"""Walk a document's value: every string with its pointer, and the shapes of railpack.json steps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from railcheck.sources.text import join_pointer

if TYPE_CHECKING:
    from railcheck.model import Service


def strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every string value in `value` as (pointer, string), depth first, iteratively (no recursion limit)."""
    stack = [(pointer, value)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            yield pointer, value
        elif isinstance(value, dict):
            stack += [(join_pointer(pointer, key), item) for key, item in reversed(value.items())]
        elif isinstance(value, list):
            # An index never needs escaping: joined as it is, without join_pointer's tests for a key.
            stack += [(f"{pointer}/{index}", value[index]) for index in range(len(value) - 1, -1, -1)]


def steps(config: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each step object of a railpack.json value as (name, pointer, step)."""
    if not isinstance(config, dict) or not isinstance(config.get("steps"), dict):
        return
    for name, step in config["steps"].items():
        if isinstance(step, dict):
            yield name, join_pointer("/steps", name), step


def step_items(config: Any, key: str) -> Iterator[tuple[str, dict[str, Any], str, Any]]:
    """(step name, step, pointer, item) for each item of each step's list `key` (`commands`, `inputs`, `caches`)."""
    for name, pointer, step in steps(config):
        for item_pointer, item in list_items(step, key, pointer):
            yield name, step, item_pointer, item


def list_items(container: dict[str, Any], key: str, pointer: str) -> Iterator[tuple[str, Any]]:
    """(pointer, item) for each item of the list `container[key]`, if it is a list."""
    items = container.get(key)
    if isinstance(items, list):
        base = join_pointer(pointer, key)
        for index, item in enumerate(items):
            yield f"{base}/{index}", item  # an index never needs escaping


def setting_pointers(config: Any, section: str, key: str) -> list[str]:
    """Pointers of a Railway setting in the base `section` and in each environment's override of it
    (`/deploy/healthcheckPath`, `/environments/staging/deploy/healthcheckPath`), base first."""
    pointers = [f"/{section}/{key}"]
    environments = config.get("environments") if isinstance(config, dict) else None
    if isinstance(environments, dict):
        pointers += [
            join_pointer(join_pointer(join_pointer("/environments", name), section), key) for name in environments
        ]
    return pointers


def declares_watch_patterns(service: Service) -> bool:
    """Whether the service's Railway config has a `build.watchPatterns` list (base or an environment's), or its
    IaC call a `watchPatterns` setting: the cheap question that spares most services importing watchpaths.py."""
    railway = service.railway
    if railway is not None and isinstance(railway.value, dict):
        for pointer in setting_pointers(railway.value, "build", "watchPatterns"):
            if isinstance(railway.get(pointer), list):
                return True
    return service.iac is not None and "watchPatterns" in service.iac.settings
