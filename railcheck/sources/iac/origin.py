"""Which services of an IaC file are not built from this repository, and why.

Owns one decision: a service whose source is an image or a template (a Python `fn(name, code_file=...)`
runs its code on Railway's function image), or a `github(...)` source naming another repository is not built from
the files railcheck checks, so rules about the build, the root directory and the start command do not
apply to it. "Another repository" is decided from the file alone: the file's other github() sources all
name one repository, used by more services than this one. A repository used by the most services (no tie)
is taken as this one. Any other mix leaves railcheck unable to tell, so those services are not checked
either, and explain-service says why, rather than checking a tree that may not be theirs.
"""

from __future__ import annotations

from collections import Counter

from railcheck.sources.iac.values import IacFile, IacService

# Source types whose files are not the repository's (npm railway 3.11.0 / railway-sdk 0.7.0 `source.type`).
_NOT_REPOSITORY_SOURCES = {"image": "an image", "template": "a template"}


def built_elsewhere(file: IacFile) -> dict[str, str]:
    """Service name -> why it is not built from this repository, for each such service of `file`."""
    repositories = {service.name: _repository(service) for service in file.services}
    counts = Counter(name for name in repositories.values() if name is not None)
    why: dict[str, str] = {}
    for service in file.services:
        source = service.settings.get("sourceType")
        kind = source.value if source is not None else None
        own = repositories[service.name]
        if service.kind == "function" and kind == "image":
            why[service.name] = "it is a function: fn(...) runs its code file on Railway's function image"
        elif isinstance(kind, str) and kind in _NOT_REPOSITORY_SOURCES:
            why[service.name] = f"its source is {_NOT_REPOSITORY_SOURCES[kind]} ({kind}(...)), not this repository"
        elif own is not None and len(counts) > 1:
            ranked = counts.most_common(2)
            top = ranked[0][0] if ranked[0][1] > ranked[1][1] else None  # used by the most services, no tie
            if own == top:
                continue
            if top is not None and set(counts - Counter({own: 1})) == {top}:
                why[service.name] = (
                    f'its source is github("{own}"), another repository than the one the file\'s '
                    f'other services are built from ("{top}")'
                )
            else:
                names = ", ".join(f'"{name}"' for name in sorted(counts))
                why[service.name] = (
                    f'its source is github("{own}"), and the file\'s github() sources name several '
                    f"repositories ({names}): railcheck cannot tell which one is this repository"
                )
    return why


def _repository(service: IacService) -> str | None:
    """The repository a github() source names, as `owner/name` in lower case; None when not a literal."""
    kind = service.settings.get("sourceType")
    repo = service.settings.get("sourceRepo")
    if kind is None or kind.value != "github" or repo is None or not isinstance(repo.value, str):
        return None
    name = repo.value.strip().lower().removeprefix("https://").removeprefix("github.com/").removesuffix(".git")
    return name.strip("/") or None
