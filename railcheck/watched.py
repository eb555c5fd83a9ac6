"""The files whose content or presence can change a finding, and the pre-commit `files` pattern made from them.

The names come from the lists the loader and the facts already use (the service markers, the root files
Railpack consults and the IaC files of railcheck/layout.py, the provider markers); the rest are files rules
look at only for their presence (lock files, Dockerfiles, other providers' manifests).
.pre-commit-hooks.yaml carries the pattern `hook_files_pattern()` returns, and a test fails when the two
diverge: print it with `python -m railcheck.watched` after changing a list.
"""

from __future__ import annotations

import re

from railcheck.builder import DOCKERFILE_NAME
from railcheck.layout import EARLIER_PROVIDERS, IAC_FILES, OWN_CONFIG, SERVICE_FILES, SERVICE_MARKERS
from railcheck.providers import MARKER_FILES, NODE_FILES

# Files rules look at for their presence: which manager installs (uv.lock, poetry.lock ...), whether a
# lock file is committed, whether a Dockerfile or another language's manifest exists.
PRESENCE_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "package.json",
    "package-lock.json",
    DOCKERFILE_NAME,
)
# Shapes of names rather than names: requirements files, config files under other names (RAILPACK_CONFIG_FILE,
# `railway-config`), Dockerfiles under other names, and Python modules (start modules, health-check routes).
NAME_PATTERNS = (
    r"requirements[^/]*\.txt",
    r"railpack[^/]*\.json",
    r"railway[^/]*\.(?:json|toml)",
    r"Dockerfile[.-][^/]+",
    r"[^/]+\.[Dd]ockerfile",
    r"[^/]+\.py",
    r"[^/]+\.csproj",  # .NET's provider marker
)


def watched_names() -> tuple[str, ...]:
    """Every exact file name (any folder) a check may read, without repeats, in a stable order."""
    provider_markers = (marker for _, markers in EARLIER_PROVIDERS for marker in markers)
    names = (
        *SERVICE_MARKERS,
        *SERVICE_FILES,
        OWN_CONFIG,
        *PRESENCE_FILES,
        *provider_markers,
        *MARKER_FILES,
        *NODE_FILES,
    )
    return tuple(dict.fromkeys(names))


def watched_paths() -> tuple[str, ...]:
    """Repository paths read wherever the change is: the IaC files (their .py one is a Python module already)."""
    return tuple(str(path) for path in IAC_FILES)


def hook_files_pattern() -> str:
    """The verbose regular expression for the hooks' `files`: a path segment naming a watched file."""
    alternatives = [re.escape(name) for name in watched_names()]
    alternatives += NAME_PATTERNS
    anywhere = "\n  | ".join(alternatives)
    fixed = "\n  | ".join(re.escape(path) for path in watched_paths())
    return f"(?x)\n(^|/)(\n    {anywhere}\n)$\n| ^(\n    {fixed}\n)$"


if __name__ == "__main__":
    print(hook_files_pattern())
