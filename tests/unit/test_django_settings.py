"""railcheck.sources.django_settings and django_urls: the settings and routes read statically, only certain
values kept (DJ001 on whole repositories: tests/rules/test_django_rules.py)."""

from __future__ import annotations

import pytest

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
