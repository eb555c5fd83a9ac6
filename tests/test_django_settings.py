"""railcheck.sources.django_settings and DJ001 on repositories: only certain ALLOWED_HOSTS values are judged."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_rules, write_repo

from railcheck.sources.django_settings import host_allowed, literal_setting, settings_module_named


@pytest.mark.parametrize(
    "text",
    [
        'from .base import *\nALLOWED_HOSTS = ["a"]\nALLOWED_HOSTS += ["b"]\n',  # changed afterwards
        'ALLOWED_HOSTS = ["a"]\nfrom .local import *\n',  # a star import after it may replace it
        'import os\nALLOWED_HOSTS = os.environ.get("HOSTS", "").split(",")\n',  # from the environment
        'ALLOWED_HOSTS = ["a"]\nif DEBUG:\n    ALLOWED_HOSTS = ["*"]\n',  # conditional
        "ALLOWED_HOSTS = [\n",  # not Python
    ],
)
def test_unknown_values_are_none(text: str) -> None:
    assert literal_setting(text, "ALLOWED_HOSTS") is None


def test_a_literal_after_a_star_import_wins_with_its_offsets() -> None:
    text = 'from .base import *\n# é\nALLOWED_HOSTS = ("api.example.com",)\n'
    setting = literal_setting(text, "ALLOWED_HOSTS")
    assert setting is not None and setting.values == ("api.example.com",)
    assert text[setting.start : setting.end] == '("api.example.com",)'


@pytest.mark.parametrize(
    "text",
    [
        # a character str.splitlines() splits at, ast does not
        '# a\x1c file separator\nALLOWED_HOSTS = ["api.example.com"]\n',
        '\ufeffALLOWED_HOSTS = ["api.example.com"]\n',  # a leading BOM
        '# \u2028 é\r\nALLOWED_HOSTS = ["api.example.com"]\r\n',
    ],
)
def test_offsets_follow_the_lines_python_counts(text: str) -> None:
    setting = literal_setting(text, "ALLOWED_HOSTS")
    assert setting is not None and text[setting.start : setting.end] == '["api.example.com"]'


def test_django_host_matching() -> None:
    assert host_allowed("healthcheck.railway.app", ("*",))
    assert host_allowed("healthcheck.railway.app", (".railway.app",))
    assert host_allowed("healthcheck.railway.app", ("HealthCheck.Railway.App",))
    assert not host_allowed("healthcheck.railway.app", (".up.railway.app", "localhost"))
    assert not host_allowed("healthcheck.railway.app", ())


def test_settings_module_from_wsgi() -> None:
    assert (
        settings_module_named('import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n')
        == "site.settings"
    )
    assert settings_module_named("import os\n") is None


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


def test_urlconf_entries_and_what_stays_unread() -> None:
    from railcheck.sources.django_urls import read_urlconf

    text = (
        "from django.conf.urls.static import static\nfrom django.contrib import admin\nfrom django.urls import include, path, re_path\n"
        "urlpatterns = [\n    path('health/', print),\n    re_path(r'^ready/$', print),\n    path('api/', include(('app.urls', 'app'))),\n"
        "    path('admin/', admin.site.urls),\n    re_path(r'^legacy', print),\n] + static('/media/', document_root='m')\n"
    )
    conf = read_urlconf(text)
    assert conf is not None
    assert [(entry.route, entry.include) for entry in conf.entries] == [
        ("health/", None),
        ("ready/", None),
        ("api/", "app.urls"),
    ]
    # admin's routes and an open-ended regex are not listed, so a path under them is unverified, not missing.
    assert len(conf.reasons) == 1 and "open-ended" in conf.reasons[0]
    assert [route for route, _ in conf.opaque] == ["admin/"]
    assert read_urlconf("x = 1\n") is None
    assert read_urlconf("urlpatterns = [\n") is None
    assert read_urlconf("urlpatterns = build()\n").reasons  # type: ignore[union-attr]


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
