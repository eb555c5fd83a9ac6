"""DJ: Django settings that decide whether Railway's health check gets through.

Railway's health checker requests the health-check path with the host `healthcheck.railway.app` (docs
`guides/healthchecks`, "Healthcheck Hostname"). Django refuses a host its `ALLOWED_HOSTS` does not admit
(`CommonMiddleware` calls `request.get_host()`, which answers 400), so the check never sees a 200.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from railcheck import Consequence, Diagnostic, Invalid, Project, Requires, Service, ServiceRule, Valid
from railcheck.facts import start_modules
from railcheck.sources.text import LineIndex
from railcheck.walk import setting_pointers

FAMILY = "DJ"
HEALTHCHECK_HOST = "healthcheck.railway.app"
# Middleware known not to answer a request before CommonMiddleware checks its host. Any other middleware
# could be a health-check shortcut placed first, so the rule stays silent then.
KNOWN_MIDDLEWARE = ("django.", "corsheaders.", "whitenoise.")
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"


def _has_health_check(service: Service) -> bool:
    if service.iac is not None and isinstance(getattr(service.iac.settings.get("healthcheck"), "value", None), str):
        return True
    document = service.railway
    value = document.value if document is not None else None
    return (
        any(isinstance(document.get(pointer), str) for pointer in setting_pointers(value, "deploy", "healthcheckPath"))
        if document
        else False
    )


def _settings_file(service: Service, project: Project) -> PurePosixPath | None:
    """The settings module the start command's Django project loads, when certain from the files."""
    # The first server, found where the image finds modules, as the health-check rules search them.
    start = next(iter(start_modules(service, project)), None)
    if start is None:
        return None
    from railcheck.djangoapp import settings_file  # only for services with a health check (start-up time)

    return settings_file(service, project, start)


class AllowedHostsBlockHealthCheck(ServiceRule):
    """
    ## What it does
    For a Django service with a health-check path, reads the settings module its start command loads
    (`DJANGO_SETTINGS_MODULE` from the files, or the one `wsgi.py`/`asgi.py`/`manage.py` names) and reports
    an `ALLOWED_HOSTS` literal that does not admit `healthcheck.railway.app`, the host Railway's health
    checker sends.

    ## Why is this bad?
    Django answers 400 Bad Request to a host outside `ALLOWED_HOSTS`, so the health check never gets its
    200 and every deploy fails after the health-check timeout. `["*"]`, a matching `.railway.app` entry, or
    a value read from the environment is fine.

    ## Example
    ```python
    ALLOWED_HOSTS = ["api.example.com"]  # add "healthcheck.railway.app"
    ```
    """

    code = "DJ001"
    name = "allowed-hosts-block-healthcheck"
    summary = "Django's ALLOWED_HOSTS refuses the host Railway's health check uses"
    consequence = Consequence.FAILS
    requires = (Requires.PATHS_CHECKABLE,)
    examples = (
        Valid(
            {
                "railway.json": '{"deploy": {"startCommand": "gunicorn site.wsgi", "healthcheckPath": "/health"}}',
                "site/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
                "site/settings.py": (
                    'ALLOWED_HOSTS = ["api.example.com", "healthcheck.railway.app"]\nMIDDLEWARE ='
                    ' ["django.middleware.common.CommonMiddleware"]\n'
                ),
            }
        ),
        Valid(
            {
                "railway.json": '{"deploy": {"startCommand": "gunicorn site.wsgi", "healthcheckPath": "/health"}}',
                "site/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
                "site/settings.py": (
                    'import os\nALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")\nMIDDLEWARE ='
                    ' ["django.middleware.common.CommonMiddleware"]\n'
                ),
            }
        ),
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "gunicorn site.wsgi --bind 0.0.0.0:$PORT", "healthcheckPath":'
                    ' "/health"}}'
                ),
                "site/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
                "site/settings.py": (
                    'DEBUG = False\nALLOWED_HOSTS = ["api.example.com"]\nMIDDLEWARE ='
                    ' ["django.middleware.common.CommonMiddleware"]\n'
                ),
            },
            expect=[("DJ001", "site/settings.py", 2, 17)],
        ),
        # The project is found where the running image finds modules: here through railpack.json's PYTHONPATH.
        Invalid(
            {
                "railway.json": (
                    '{"deploy": {"startCommand": "gunicorn site.wsgi --bind 0.0.0.0:$PORT", "healthcheckPath":'
                    ' "/health"}}'
                ),
                "railpack.json": '{"deploy": {"variables": {"PYTHONPATH": "src"}}}',
                "src/site/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
                "src/site/settings.py": (
                    'DEBUG = False\nALLOWED_HOSTS = ["api.example.com"]\nMIDDLEWARE ='
                    ' ["django.middleware.common.CommonMiddleware"]\n'
                ),
            },
            expect=[("DJ001", "src/site/settings.py", 2, 17)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        if not _has_health_check(service):
            return
        path = _settings_file(service, project)
        text = self.repository(project).read(path) if path is not None else None
        if path is None or text is None:
            return
        from railcheck.sources.django_settings import host_allowed

        middleware = project.derived.django_setting(path, "MIDDLEWARE")
        if (
            middleware is None
            or COMMON_MIDDLEWARE not in middleware.values
            or not all(entry.startswith(KNOWN_MIDDLEWARE) for entry in middleware.values)
        ):
            return  # the host may never be checked, or a middleware may answer the health check first
        hosts = project.derived.django_setting(path, "ALLOWED_HOSTS")
        if hosts is None or host_allowed(HEALTHCHECK_HOST, hosts.values):
            return
        yield self.diagnostic(
            path,
            LineIndex(text).span(hosts.start, hosts.end),
            f"ALLOWED_HOSTS does not admit `{HEALTHCHECK_HOST}`, the host Railway's health check sends: Django answers"
            " 400 and every deploy fails its health check",
            help=(
                f'Add "{HEALTHCHECK_HOST}" to ALLOWED_HOSTS (or read the list from an environment variable that'
                " includes it)."
            ),
        )
