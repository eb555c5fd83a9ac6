"""Provider detection in Railpack's order and Railpack's generated start commands (railcheck/providers.py,
hooked into railcheck.facts), on small repositories of our own modelled on Railpack's examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repos import write_repo

from railcheck.config import load_config
from railcheck.facts import facts
from railcheck.project import load_project
from railcheck.providers import detect_provider, node_start, package_manager


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"composer.json", "package.json"}, ("php", "composer.json")),
        ({"go.mod", "requirements.txt"}, ("golang", "go.mod")),
        ({"requirements.txt", "package.json"}, ("python", "requirements.txt")),
        ({"deno.json", "package.json"}, ("deno", "deno.json")),
        ({"api.csproj", "package.json"}, ("dotnet", "api.csproj")),
        ({"package.json", "index.html"}, ("node", "package.json")),
        ({"CMakeLists.txt"}, ("cpp", "CMakeLists.txt")),
        ({"index.html"}, ("staticfile", "index.html")),
        ({"Staticfile", "site"}, ("staticfile", "Staticfile")),
        ({"start.sh"}, ("shell", "start.sh")),
        ({"build.gradle"}, None),  # Java needs the Gradle wrapper or a pom
    ],
)
def test_the_first_provider_in_railpacks_order_wins(names: set[str], expected: tuple[str, str] | None) -> None:
    assert detect_provider(names) == expected


@pytest.mark.parametrize(
    ("manifest", "names", "expected"),
    [
        ({"scripts": {"start": "next start"}}, {"pnpm-lock.yaml"}, "pnpm run start"),
        ({"scripts": {"start": "x"}, "packageManager": "yarn@4.1.0"}, {"package-lock.json"}, "yarn run start"),
        ({"main": "server.js"}, {"bun.lock"}, "bun server.js"),
        ({}, {"index.js", "index.ts"}, "node index.js"),
        ({"dependencies": {"nuxt": "^3"}}, set(), "node .output/server/index.mjs"),
        ({"dependencies": {"svelte": "5", "@sveltejs/kit": "2", "@sveltejs/adapter-auto": "3"}}, set(), "node build"),
        (
            {"scripts": {"build": "vite build"}},
            set(),
            None,
        ),  # no vite dependency: not a Vite site, and nothing to start
        # Static sites are served by Caddy, unless a custom start script runs instead.
        (
            {"scripts": {"build": "vite build"}, "devDependencies": {"vite": "5"}},
            set(),
            "caddy run --config /Caddyfile --adapter caddyfile 2>&1",
        ),
        (
            {"scripts": {"build": "vite build", "start": "vite preview"}, "devDependencies": {"vite": "5"}},
            set(),
            "npm run start",
        ),
        (
            {
                "scripts": {"build": "react-scripts build", "start": "react-scripts start"},
                "dependencies": {"react-scripts": "5"},
            },
            set(),
            "caddy run --config /Caddyfile --adapter caddyfile 2>&1",
        ),
    ],
)
def test_node_start_command_follows_railpack(manifest: dict, names: set[str], expected: str | None) -> None:
    found = node_start(manifest, {"package.json", *names})
    assert (found[0] if found else None) == expected


def test_package_manager_from_engines_when_nothing_else_says() -> None:
    assert package_manager({"engines": {"pnpm": ">=9"}}, {"package.json"}) == "pnpm"
    assert package_manager({}, {"package.json"}) == "npm"


def _start(tmp_path: Path, files: dict[str, str]) -> str | None:
    write_repo(tmp_path, files)
    project = load_project(tmp_path, load_config(tmp_path))
    found = facts(project.services[0], project)
    return found.start.text if found.start else None


def test_django_takes_precedence_over_a_main_file(tmp_path: Path) -> None:
    start = _start(
        tmp_path,
        {
            "railpack.json": "{}",
            "requirements.txt": "Django==5.1\ngunicorn\n",
            "manage.py": "",
            "hello.py": "",
            "mysite/settings.py": 'WSGI_APPLICATION = "mysite.wsgi.application"\n',
            "mysite/wsgi.py": "application = 1\n",
        },
    )
    assert start == "python manage.py migrate && gunicorn --bind 0.0.0.0:${PORT:-8000} mysite.wsgi:application"


def test_a_node_service_gets_railpacks_start_command_and_no_python_one(tmp_path: Path) -> None:
    assert (
        _start(
            tmp_path,
            {"railpack.json": "{}", "package.json": '{"scripts": {"start": "node server.js"}}', "pnpm-lock.yaml": ""},
        )
        == "pnpm run start"
    )
    assert (
        _start(tmp_path / "other", {"railpack.json": "{}", "package.json": '{"name": "x"}', "start.py": ""})
        == "python start.py"
    )


def test_next_and_react_router_static_sites_are_read_from_their_config(tmp_path: Path) -> None:
    next_app = {
        "railpack.json": "{}",
        "package.json": '{"scripts": {"build": "next build", "start": "next start"}, "dependencies": {"next": "15"}}',
    }
    assert _start(tmp_path / "ssr", next_app) == "npm run start"
    exported = {**next_app, "next.config.mjs": "export default { output: 'export' }\n"}
    assert _start(tmp_path / "spa", exported) == "caddy run --config /Caddyfile --adapter caddyfile 2>&1"
    router = {
        "railpack.json": "{}",
        "pnpm-lock.yaml": "",
        "react-router.config.ts": "export default { ssr: true }\n",
        "package.json": '{"scripts": {"build": "react-router build", "start": "react-router-serve ./build/server/index.js"}}',
    }
    assert _start(tmp_path / "rr", router) == "pnpm run start"
