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
from collections.abc import Callable, Mapping

PYTHON_MAIN_FILES = ("main.py", "app.py", "start.py", "bot.py", "hello.py", "server.py")
_JAVA = ("pom.xml", "pom.atom", "pom.clj", "pom.groovy", "pom.rb", "pom.scala", "pom.yaml", "pom.yml", "gradlew")


def _any(*files: str) -> Callable[[frozenset[str]], str | None]:
    return lambda names: next((name for name in files if name in names), None)


def _pattern(pattern: str) -> Callable[[frozenset[str]], str | None]:
    return lambda names: next((name for name in sorted(names) if fnmatch.fnmatch(name, pattern)), None)


def _static(names: frozenset[str]) -> str | None:
    # Railpack's staticfile provider: a `public` folder or an index.html (a Staticfile or STATIC_FILE_ROOT
    # naming another root is not modelled: it only matters when nothing earlier matched).
    return "public" if "public" in names else ("index.html" if "index.html" in names else None)


# (provider, test returning the file that made it match), in Railpack's order.
ORDER: tuple[tuple[str, Callable[[frozenset[str]], str | None]], ...] = (
    ("php", _any("index.php", "composer.json")),
    ("golang", _any("go.mod", "go.work", "main.go")),
    ("java", _any(*_JAVA)),
    ("rust", _any("Cargo.toml")),
    ("ruby", _any("Gemfile")),
    ("elixir", _any("mix.exs")),
    ("python", _any(*PYTHON_MAIN_FILES, "requirements.txt", "pyproject.toml", "Pipfile")),
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


def node_start(manifest: Mapping[str, object], names: frozenset[str] | set[str]) -> tuple[str, str] | None:
    """(Railpack's generated start command for a Node service, why) or None (GetStartCommand in node.go).
    Railpack serves a static site (Vite, CRA, Astro without a server adapter, ...) with Caddy instead;
    that case is not modelled and gives None."""
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
    if "nuxt" in _dependencies(manifest):
        return "node .output/server/index.mjs", "Nuxt's server output"
    return None
