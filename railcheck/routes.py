"""The routes a service's app serves, read statically, and the health-check paths its config asks for.

Owns: finding the app the effective start command serves (through the module search path the image has),
reading its routes with `ast` (FastAPI and Starlette decorators and route lists, `APIRouter` prefixes and
`include_router`, Flask routes and blueprints), following imports and includes into other modules of the root
directory a few levels deep, and Django's `ROOT_URLCONF` across `include(...)` (djangoapp.py); then which
health-check paths no static route serves. Never imports the app. `Project.derived` keeps each service's
result; HC001 and HC002 read it there.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.facts import module_info, start_modules
from railcheck.modules import find_module
from railcheck.root_evidence import paths_checkable
from railcheck.types import Span
from railcheck.walk import setting_pointers

if TYPE_CHECKING:
    from railcheck.facts import StartModule
    from railcheck.model import Project, Service

MAX_DEPTH = 4  # how many modules deep imports and includes are followed
# The served object of a Django project; its routes come from ROOT_URLCONF, not from the module.
DJANGO_APPS = ("get_wsgi_application", "get_asgi_application")


@dataclass
class RouteTable:
    """Static paths the app serves, where they were found, and why the table may be incomplete."""

    paths: list[tuple[str, PurePosixPath]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    app: PurePosixPath | None = None


@dataclass(frozen=True)
class SettingLocation:
    """Where a setting is written: its file, and the span of its value there (a Document pointer's or the IaC
    file's)."""

    path: PurePosixPath
    span: Span | None


def health_check_paths(service: Service, project: Project) -> Iterator[tuple[SettingLocation, str]]:
    """Each health-check path the service's config sets (the IaC file's, then the Railway config's in each
    environment), with where it is written; only paths starting with `/`."""
    if service.iac is not None and project.iac is not None:
        value = service.iac.settings.get("healthcheck")
        if value is not None and isinstance(value.value, str) and value.value.startswith("/"):
            yield SettingLocation(project.iac.path, project.iac.span(value.start, value.end)), value.value
    document = service.railway
    if document is None or not isinstance(document.value, dict):
        return
    for pointer in setting_pointers(document.value, "deploy", "healthcheckPath"):
        value = document.get(pointer)
        if isinstance(value, str) and value.startswith("/"):
            yield SettingLocation(document.path, document.value_span(pointer)), value


# The route table, and each health-check path (where written, as written) that no static route serves.
UnservedHealthChecks = tuple[RouteTable | None, tuple[tuple[SettingLocation, str], ...]]


def route_table(service: Service, project: Project) -> RouteTable | None:
    """Routes of the app the effective start command serves; None when there is no app to read."""
    for start in start_modules(service, project):
        server = start.server
        if server.module is None or server.attribute is None or server.kind == "python -m":
            continue
        table = _django_routes(service, project, start, server.attribute)
        if table is None:
            table = RouteTable()
            _collect(project, start.bases, server.module, server.attribute, "", table, 0, start.path)
        return table
    return None


def _django_routes(service: Service, project: Project, start: StartModule, attribute: str) -> RouteTable | None:
    """For `application = get_wsgi_application()` (or ASGI), the routes of the project's ROOT_URLCONF across
    `include(...)`; None when the served object is not Django's."""
    path = start.path
    info = module_info(project, path) if path is not None and path.suffix == ".py" else None
    from railcheck.sources.pymodule import ModuleInfo  # loaded with the module analysis (start-up time)

    if not isinstance(info, ModuleInfo):
        return None
    definition = info.definitions.get(info.aliases.get(attribute, attribute))
    if definition is None or definition.call is None or definition.call.rpartition(".")[2] not in DJANGO_APPS:
        return None
    from railcheck.djangoapp import settings_file, url_routes  # Django projects only (start-up time)

    table = RouteTable(app=path)
    settings = settings_file(service, project, start)
    if settings is None:
        table.reasons.append(
            "the Django settings module is not certain from the files (DJANGO_SETTINGS_MODULE may be set in Railway's"
            " variables)"
        )
        return table
    wanted = [request_path(path) for _, path in health_check_paths(service, project)]
    routes, reasons = url_routes(project, start.bases, settings, wanted)
    table.paths += routes
    table.reasons += reasons
    return table


def _collect(
    project: Project,
    bases: Sequence[PurePosixPath],
    module: str,
    attribute: str,
    prefix: str,
    table: RouteTable,
    depth: int,
    path: PurePosixPath | None = None,
) -> None:
    """Add the routes of `attribute` in `module` to the table; `path` is the module's file when the caller
    has found it already (the start module), else it is searched in `bases`."""
    repository = project.repository
    if path is None:
        path = find_module(repository, bases, module) if repository else None
    info = module_info(project, path) if path is not None and path.suffix == ".py" else None
    from railcheck.sources.pymodule import ModuleInfo, routes_for  # loaded with the module analysis

    if depth == 0 and (not isinstance(info, ModuleInfo) or attribute not in info.definitions):
        # The start command's own module is missing, broken or lacks the app: ST001/ST002 report that, and
        # there is no app whose routes a health check could reach (table.app stays None: nothing to say).
        return
    if path is None or path.suffix != ".py":
        table.reasons.append(f"module `{module}` could not be read")
        return
    if not isinstance(info, ModuleInfo):
        table.reasons.append(f"{path} could not be parsed")
        return
    if table.app is None:
        table.app = path
    for _ in range(len(info.aliases)):
        if attribute not in info.aliases:
            break
        attribute = info.aliases[attribute]  # `application = app`: follow to the name that was bound or imported
    definition = info.definitions.get(attribute)
    if (
        definition is not None
        and definition.kind == "import"
        and definition.imported_from is not None
        and depth < MAX_DEPTH
    ):
        # `from .core import app`: the app and its routes live in the other module.
        target = _absolute(module, definition.imported_from, path)
        _collect(project, bases, target, definition.imported_name or attribute, prefix, table, depth + 1)
        return
    found, reasons = routes_for(info, attribute)
    table.paths += [(prefix + route_path, path) for route_path, _ in found if route_path is not None]
    # Includes of imported routers into the app itself are followed below, so their "imported from" reasons
    # do not apply; imports included into a local router keep theirs (the routes are unverified, not absent).
    followed = {child for owner, child, _ in info.includes if owner == attribute}
    table.reasons += [
        reason
        for reason in reasons
        if not any(f"`{child}` included" in reason for child in followed) or "is imported from" not in reason
    ]
    if depth >= MAX_DEPTH:
        return
    for owner, child, at in info.includes:
        head, _, rest = child.partition(".")
        binding = info.definitions.get(head)
        if owner != attribute or binding is None or binding.kind != "import" or binding.imported_from is None:
            continue
        base_module = _absolute(module, binding.imported_from, path)
        if rest:  # `include_router(health.router)` after `from .api import health`
            target = f"{base_module}.{binding.imported_name}" if binding.imported_name else base_module
            _collect(project, bases, target, rest, prefix + (at or ""), table, depth + 1)
        else:  # `include_router(router)` after `from .api.health import router`
            _collect(project, bases, base_module, binding.imported_name or head, prefix + (at or ""), table, depth + 1)


def _absolute(current: str, imported: str, path: PurePosixPath) -> str:
    """`imported` as an absolute dotted module, resolving leading dots against the current module's package."""
    dots = len(imported) - len(imported.lstrip("."))
    if not dots:
        return imported
    package = current.split(".")
    package = package[: len(package) - (0 if path.name == "__init__.py" else 1)]
    package = package[: len(package) - (dots - 1)] if dots > 1 else package
    rest = imported[dots:]
    return ".".join([*package, rest] if rest else package)


def unserved_health_checks(service: Service, project: Project) -> UnservedHealthChecks:
    """The app's route table and the health-check paths none of its static routes matches; (None, ()) when
    there is no app to read or paths cannot be checked (SV003 or IC001 explains why). `Project.derived` calls
    it once per service: HC001 and HC002 both ask."""
    table = route_table(service, project) if paths_checkable(service, project) else None
    if table is None or table.app is None:
        return None, ()
    served = routes_pattern(tuple(dict.fromkeys([route for route, _ in table.paths])))
    wanted = [(written, path, request_path(path)) for written, path in health_check_paths(service, project)]
    return table, tuple(
        (written, path) for written, path, request in wanted if served is None or not served.fullmatch(request)
    )


def request_path(wanted: str) -> str:
    """The path a request for `wanted` routes on."""
    # Routing looks at the path only, never the query or fragment.
    return posixpath.normpath(wanted.partition("?")[0].partition("#")[0] or "/")


@lru_cache(maxsize=256)
def routes_pattern(routes: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern of the request paths any of the routes serves, None for no route: one match per health-check
    path instead of one per route. Cached by the routes, since a monorepo's services often repeat them."""
    if not routes:
        return None
    return re.compile("|".join(f"(?:{_route_source(route)})" for route in routes))


def _route_source(route: str) -> str:
    """A route (`/items/{item_id}`, Flask's `/items/<int:item_id>`) as a regular expression of the request paths
    it serves."""
    escaped = re.escape(posixpath.normpath(route or "/")).replace(r"\<", "<").replace(r"\>", ">")
    return re.sub(r"\\\{[^}]*\\\}|<[^>]*>", "[^/]+", escaped)
