"""Which Django project a service's start command serves: its settings module and the routes of its URLconf.

Owns: finding the settings module (`DJANGO_SETTINGS_MODULE` as the files set it, or the one `wsgi.py`,
`asgi.py` or `manage.py` names when it is the only settings module there) and collecting the URLconf's
routes across `include(...)`, statically. Used by DJ001 and by HC's route table. Reads files only through
`project.repository`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.modules import find_module, image_path

if TYPE_CHECKING:
    from railcheck.facts import StartModule
    from railcheck.model import Project, Service
    from railcheck.servers import Server

MAX_INCLUDE_DEPTH = 6


def _explicit_settings(service: Service, server: Server) -> str | None:
    """DJANGO_SETTINGS_MODULE as the files set it: the command, the service's variables, railpack.json."""
    for name, word in server.command.assignments:
        if name == "DJANGO_SETTINGS_MODULE" and word.static:
            return word.text
    value = service.variable("DJANGO_SETTINGS_MODULE")
    if value is None and service.railpack is not None:
        value = service.railpack.get("/deploy/variables/DJANGO_SETTINGS_MODULE")
    return value if isinstance(value, str) else None


def settings_file(service: Service, project: Project, start: StartModule) -> PurePosixPath | None:
    """The settings module the start server's Django project loads, when certain from the files."""
    repository = project.repository
    if repository is None:
        return None
    server, bases = start.server, start.bases
    explicit = _explicit_settings(service, server)
    if explicit is not None:
        return find_module(repository, bases, explicit)
    if server.kind == "manage.py" and server.target is not None:
        entry = image_path(service.root, server.cwd, server.target.text)
    else:
        entry = start.path
    text = repository.read(entry) if entry is not None else None
    if not text or "DJANGO_SETTINGS_MODULE" not in text:
        # Certainly no Django project this server starts names its settings (most start modules are not
        # Django's): stop before loading the settings reader.
        return None
    from railcheck.sources.django_settings import settings_module_named  # Django projects only (start-up time)

    named = settings_module_named(text)
    path = find_module(repository, bases, named) if named else None
    # setdefault yields to a DJANGO_SETTINGS_MODULE set in Railway's dashboard, which railcheck cannot see;
    # trust it only when it names the one settings module there is.
    if path is not None and path.name == "settings.py" and not _other_settings(project, path):
        return path
    return None


def _other_settings(project: Project, path: PurePosixPath) -> bool:
    names = project.repository.listdir(path.parent) if project.repository is not None else ()
    return any("settings" in name and name != "settings.py" for name in names)


def url_routes(
    project: Project, bases: Sequence[PurePosixPath], settings: PurePosixPath, wanted: list[str]
) -> tuple[list[tuple[str, PurePosixPath]], list[str]]:
    """Every route of the project's ROOT_URLCONF (`/`-prefixed, Django converters kept as `<...>`), with the
    file that declares it, and the reasons the list may be incomplete for the request paths `wanted`."""
    from railcheck.sources.django_settings import literal_string  # Django projects only (start-up time)

    repository = project.repository
    text = repository.read(settings) if repository is not None else None
    urlconf = literal_string(text, "ROOT_URLCONF") if text else None
    if urlconf is None:
        return [], [f"ROOT_URLCONF in {settings} is not a string railcheck can read"]
    routes: list[tuple[str, PurePosixPath]] = []
    reasons: list[str] = []
    opaque: list[tuple[str, str]] = []
    _collect(project, bases, urlconf, "/", routes, reasons, opaque, 0)
    # A route whose sub-routes are not read (admin.site.urls) puts in doubt only the paths under it.
    reasons += [
        reason for prefix, reason in opaque if any(f"{path.rstrip('/')}/".startswith(prefix) for path in wanted)
    ]
    return routes, reasons


def _collect(
    project: Project,
    bases: Sequence[PurePosixPath],
    module: str,
    prefix: str,
    routes: list[tuple[str, PurePosixPath]],
    reasons: list[str],
    opaque: list[tuple[str, str]],
    depth: int,
) -> None:
    from railcheck.sources.django_urls import read_urlconf  # Django projects only (start-up time)

    repository = project.repository
    path = find_module(repository, bases, module) if repository is not None else None
    text = repository.read(path) if path is not None and repository is not None and path.suffix == ".py" else None
    conf = read_urlconf(text) if text is not None else None
    if path is None or conf is None:
        reasons.append(f"the URLconf `{module}` could not be read")
        return
    reasons += [f"{reason} in {path}" for reason in conf.reasons]
    opaque += [(prefix + route, f"{reason} in {path}") for route, reason in conf.opaque]
    for entry in conf.entries:
        if entry.include is None:
            routes.append((prefix + entry.route, path))
        elif depth < MAX_INCLUDE_DEPTH:
            _collect(project, bases, entry.include, prefix + entry.route, routes, reasons, opaque, depth + 1)
        else:
            reasons.append(f"includes nested deeper than {MAX_INCLUDE_DEPTH} levels in {path}")
