"""DJ001 and the Django routes on whole repositories: reported only when the host is certainly checked."""

from __future__ import annotations

from pathlib import Path

from helpers.repos import write_repo
from helpers.running import run_rules

WSGI = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n'
BLOCKING = (
    'ALLOWED_HOSTS = ["api.example.com"]\nMIDDLEWARE = [{middleware}"django.middleware.common.CommonMiddleware"]\n'
)
RAILWAY = '{"deploy": {"startCommand": "gunicorn site.wsgi --bind 0.0.0.0:$PORT", "healthcheckPath": "/health"}}'


def _found(tmp_path: Path, registry, files: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    write_repo(tmp_path, files)
    _, found = run_rules(tmp_path, [registry.find("DJ001")(None, None)], registry)
    return [str(d.path) for d in found]


def test_reported_only_when_the_host_is_certainly_checked(tmp_path: Path, registry) -> None:
    files = {"railway.json": RAILWAY, "site/wsgi.py": WSGI, "site/settings.py": BLOCKING.format(middleware="")}
    assert _found(tmp_path / "plain", registry, files) == ["services/svc/site/settings.py"]
    # A project middleware placed first may answer the health check before Django looks at the host.
    shortcut = dict(files, **{"site/settings.py": BLOCKING.format(middleware='"site.health.Middleware", ')})
    assert _found(tmp_path / "shortcut", registry, shortcut) == []
    # Without a health-check path there is nothing to fail.
    quiet = dict(files, **{"railway.json": '{"deploy": {"startCommand": "gunicorn site.wsgi"}}'})
    assert _found(tmp_path / "quiet", registry, quiet) == []


def test_setdefault_is_not_trusted_when_other_settings_modules_exist(tmp_path: Path, registry) -> None:
    # Railway's dashboard may set DJANGO_SETTINGS_MODULE=site.settings_prod, which railcheck cannot see.
    files = {
        "railway.json": RAILWAY,
        "site/wsgi.py": WSGI,
        "site/settings.py": BLOCKING.format(middleware=""),
        "site/settings_prod.py": "from .settings import *\nALLOWED_HOSTS = ['*']\n",
    }
    assert _found(tmp_path, registry, files) == []


def test_a_declared_settings_module_is_followed(tmp_path: Path, registry) -> None:
    files = {
        "/railcheck.toml": '[services.svc]\nroot = "services/svc"\nvariables = { DJANGO_SETTINGS_MODULE = "site.settings_prod" }\n',
        "railway.json": RAILWAY,
        "site/wsgi.py": WSGI,
        "site/settings.py": "ALLOWED_HOSTS = ['*']\n",
        "site/settings_prod.py": BLOCKING.format(middleware=""),
    }
    assert _found(tmp_path, registry, files) == ["services/svc/site/settings_prod.py"]


def test_admin_routes_put_in_doubt_only_paths_under_them(tmp_path: Path, registry) -> None:
    def codes(health: str, name: str) -> list[str]:
        files = {
            "railway.json": '{"deploy": {"startCommand": "gunicorn site.wsgi:application", "healthcheckPath": "%s"}}'
            % health,
            "site/wsgi.py": 'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\napplication = get_wsgi_application()\n',
            "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
            "site/urls.py": "from django.contrib import admin\nfrom django.urls import path\nurlpatterns = [path('admin/', admin.site.urls), path('up/', print)]\n",
        }
        write_repo(tmp_path / name, files)
        _, found = run_rules(
            tmp_path / name, [registry.find("HC001")(None, None), registry.find("HC002")(None, None)], registry
        )
        return [d.code for d in found]

    assert codes("/admin/login/", "under") == ["HC002"]
    assert codes("/healthz/", "outside") == ["HC001"]
    # A missing trailing slash is not judged: Django redirects /up to /up/ (APPEND_SLASH), and whether
    # Railway follows the redirect is not documented.
    assert codes("/up", "served") == []
