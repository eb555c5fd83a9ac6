"""Which Railpack provider builds a service, and the start command Railpack generates for Node.

Detection follows Railpack's order (core/providers/provider.go): the first provider whose files match at
the root directory wins. Each test looks at root-level names only, as Railpack's do, except Java's and
.NET's patterns, which match names too. Python's generated start command lives in railcheck.facts; Node's
is here (core/providers/node: `scripts.start`, `main`, `index.js`/`index.ts`, Nuxt's server output), with
the package manager from `packageManager`, lock files and `engines`. Pure functions of names and texts.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Mapping

# The Python provider's markers and the providers Railpack tries before it, as railcheck/layout.py lists them.
from railcheck.layout import EARLIER_PROVIDERS, PYTHON_MARKERS


def _any(*files: str) -> Callable[[frozenset[str]], str | None]:
    return lambda names: next((name for name in files if name in names), None)


def _pattern(pattern: str) -> Callable[[frozenset[str]], str | None]:
    return lambda names: next((name for name in sorted(names) if fnmatch.fnmatch(name, pattern)), None)


# Railpack's staticfile provider: a Staticfile (taken as naming its root), a `public` folder or an index.html;
# STATIC_FILE_ROOT is a variable railcheck does not see.
_static = _any("Staticfile", "public", "index.html")


# Root files whose presence decides the provider (a `*.csproj` and a `public` folder match too), and the
# files Node's start command depends on: lock files and the frameworks' config files.
MARKER_FILES = (
    "index.php",
    "composer.json",
    "go.mod",
    "go.work",
    "main.go",
    *dict(EARLIER_PROVIDERS)["java"],
    "Cargo.toml",
    "Gemfile",
    "mix.exs",
    *PYTHON_MARKERS,
    "deno.json",
    "deno.jsonc",
    "package.json",
    "package.json5",
    "gleam.toml",
    "CMakeLists.txt",
    "meson.build",
    "Staticfile",
    "index.html",
    "start.sh",
)
NODE_FILES = (
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
    ".yarnrc.yml",
    ".yarnrc.yaml",
    "yarn.lock",
    "index.js",
    "index.ts",
    "vite.config.js",
    "vite.config.ts",
    "astro.config.mjs",
    "astro.config.ts",
    "next.config.js",
    "next.config.mjs",
    "next.config.ts",
    "next.config.cjs",
    "react-router.config.js",
    "react-router.config.ts",
    "angular.json",
)

# (provider, test returning the file that made it match), in Railpack's order.
ORDER: tuple[tuple[str, Callable[[frozenset[str]], str | None]], ...] = (
    ("php", _any("index.php", "composer.json")),  # index.php first: the file named when both are there
    *((name, _any(*files)) for name, files in EARLIER_PROVIDERS if name != "php"),
    ("python", _any(*PYTHON_MARKERS)),
    ("deno", _any("deno.json", "deno.jsonc")),
    ("dotnet", _pattern("*.csproj")),
    ("node", _any("package.json", "package.json5")),
    ("gleam", _any("gleam.toml")),
    ("cpp", _any("CMakeLists.txt", "meson.build")),
    ("staticfile", _static),
    ("shell", _any("start.sh")),
)


def detect_provider(names: frozenset[str] | set[str]) -> tuple[str, str] | None:
    """(provider, the root file that made it match) for a root directory holding `names`, or None."""
    frozen = frozenset(names)
    for provider, test in ORDER:
        marker = test(frozen)
        if marker is not None:
            return provider, marker
    return None


def package_json(text: str | None) -> dict[str, object] | None:
    """package.json as a dict; None when absent or not a JSON object (Railpack's build fails then)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def package_manager(manifest: Mapping[str, object], names: frozenset[str] | set[str]) -> str:
    """The command Railpack runs scripts with: npm, pnpm, bun or yarn (getPackageManager in node.go)."""
    declared = manifest.get("packageManager")
    if isinstance(declared, str) and declared.strip():
        name = declared.split("@", 1)[0].strip()
        if name in ("pnpm", "npm", "bun") or (name == "yarn" and "@" in declared):
            return name
    if "pnpm-lock.yaml" in names:
        return "pnpm"
    if "bun.lockb" in names or "bun.lock" in names:
        return "bun"
    if ".yarnrc.yml" in names or ".yarnrc.yaml" in names or "yarn.lock" in names:
        return "yarn"
    engines = manifest.get("engines")
    if isinstance(engines, dict):
        for name in ("pnpm", "bun"):
            if isinstance(engines.get(name), str) and engines[name].strip():
                return name
    return "npm"


def _dependencies(manifest: Mapping[str, object]) -> set[str]:
    found: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        value = manifest.get(key)
        if isinstance(value, dict):
            found.update(value)
    return found


CADDY_START = "caddy run --config /Caddyfile --adapter caddyfile 2>&1"
# `scripts.start` values that are a framework's development server, which Railpack replaces by Caddy for a
# static site (hasCustomStartCommand in node.go).
_FRAMEWORK_STARTS = frozenset(
    {"ng serve", "react-scripts start", "expo start", "next start", "react-router-serve ./build/server/index.js"}
)
_NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")  # Railpack reads the first
# A pattern string, compiled on first use (re's own cache): only a React Router app needs it.
_SPA_SSR_OFF = r"(?m)(?:^|[{,])\s*['\"]?ssr['\"]?\s*:\s*false\b"


def _script(manifest: Mapping[str, object], name: str) -> str:
    scripts = manifest.get("scripts")
    value = scripts.get(name) if isinstance(scripts, dict) else None
    return value if isinstance(value, str) else ""


def _first(read: Callable[[str], str | None], *files: str) -> str:
    return next((text for text in map(read, files) if text is not None), "")


def static_site(
    manifest: Mapping[str, object], names: frozenset[str] | set[str], read: Callable[[str], str | None]
) -> str | None:
    """The framework of a static site Railpack serves with Caddy instead of a Node start command, or None
    (isSPA in spa.go; SPA_OUTPUT_DIR and NO_SPA variables and Expo are not modelled). `read(name)` gives
    a root-level file's text."""
    start = _script(manifest, "start")
    if start and start not in _FRAMEWORK_STARTS:
        return None  # a custom start script is used instead of Caddy
    dependencies = _dependencies(manifest)
    build = _script(manifest, "build").lower()
    if build and (
        "react-router.config.js" in names
        or "react-router.config.ts" in names
        or "react-router build" in build
        or "@react-router/dev" in dependencies
    ):
        # React Router: a static site only with `ssr: false` (and the output folder that implies).
        return (
            "react-router"
            if re.search(_SPA_SSR_OFF, _first(read, "react-router.config.js", "react-router.config.ts"))
            else None
        )
    server_framework = "@sveltejs/kit" in dependencies or any(
        name.startswith("@tanstack/") and name.endswith("start") for name in dependencies
    )
    if (
        "vite" in dependencies
        and build
        and ("vite build" in build or "vite.config.js" in names or "vite.config.ts" in names)
        and not server_framework
    ):
        return "vite"
    if ("astro.config.mjs" in names or "astro.config.ts" in names) and "astro build" in build:
        config = _first(read, "astro.config.mjs", "astro.config.ts")
        adapters = {"@astrojs/node", "@astrojs/vercel", "@astrojs/cloudflare", "@astrojs/netlify"}
        return None if "output: 'server'" in config or adapters & dependencies else "astro"
    if "next" in dependencies:
        config = _first(read, *_NEXT_CONFIGS)
        if "output: 'export'" in config or 'output: "export"' in config:
            return "next"
    if "react-scripts" in dependencies and "react-scripts build" in build:
        return "cra"
    if "@angular/core" in dependencies and "angular.json" in names and "ng build" in build:
        return "angular"
    return None


def node_start(
    manifest: Mapping[str, object],
    names: frozenset[str] | set[str],
    read: Callable[[str], str | None] = lambda name: None,
) -> tuple[str, str] | None:
    """(Railpack's generated start command for a Node service, why) or None (GetStartCommand in node.go;
    a static site is served by Caddy, spa.go)."""
    framework = static_site(manifest, names, read)
    if framework is not None:
        return CADDY_START, f"a {framework} static site, served by Caddy"
    manager = package_manager(manifest, names)
    run_file = "bun" if manager == "bun" else "node"
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str) and scripts["start"].strip():
        return f"{manager} run start", "the `start` script of package.json"
    main = manifest.get("main")
    if isinstance(main, str) and main:
        return f"{run_file} {main}", "`main` in package.json"
    for name in ("index.js", "index.ts"):
        if name in names:
            return f"{run_file} {name}", f"{name} at the root directory"
    dependencies = _dependencies(manifest)
    if "nuxt" in dependencies:
        return "node .output/server/index.mjs", "Nuxt's server output"
    if {"svelte", "@sveltejs/kit", "@sveltejs/adapter-auto"} <= dependencies:
        return "node build", "SvelteKit, which Railpack builds with adapter-node"
    return None
