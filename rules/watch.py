"""WP: watch paths, the patterns that decide whether a push deploys a service (`build.watchPatterns`, in a
Railway config file or in the IaC file's `service(...)` call).

Railway matches them gitignore-style from the repository root, also for a service with a root directory,
and skips the deployment when no changed file matches (docs/railpack-facts.md, "WP: watch paths"). Each check judges
the patterns as
meant: a pattern written relative to the root directory is reported once (WP001) and read corrected by
the others, so one slip gives one finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from railcheck import (
    Consequence,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Invalid,
    Project,
    Service,
    ServiceRule,
    Severity,
    Valid,
)

if TYPE_CHECKING:
    from railcheck.watchpaths import Consumed, WatchList

FAMILY = "WP"


def _add_patterns(watch: WatchList, patterns: list[str]) -> Fix | None:
    """An unsafe fix putting `patterns` first in the list, when that makes a change to each of them deploy
    (a later negation could still exclude them; then no fix is offered)."""
    combined = watch.meant_after(patterns)
    probes = [text.lstrip("/").removesuffix("/**") for text in patterns]
    if not all(combined.deploys(probe) or combined.deploys(f"{probe}/x") for probe in probes):
        return None
    edits = [watch.prepend(text) for text in reversed(patterns)]
    if any(edit is None for edit in edits):
        return None  # the list comes through a name in the IaC file: editing it there is not certain
    # Every edit inserts at the same place: one edit with their texts in order.
    first = edits[0]
    assert first is not None
    content = "".join(edit.content for edit in reversed(edits) if edit is not None)
    return Fix.unsafe(
        f"Add {', '.join(f'`{text}`' for text in patterns)} to watchPatterns",
        Edit(first.path, first.start, first.end, content),
    )


def _what(items: list[Consumed]) -> str:
    if len(items) == 1:
        return "this folder" if items[0].folder else "this file"
    return "these files and folders" if any(item.folder for item in items) else "these files"


def _root_covered(service: Service, project: Project, watch: WatchList) -> bool | None:
    """Whether a change to some file under the root directory deploys the service; None when unknown."""
    from railcheck.watchpaths import folder_deploys

    return folder_deploys(watch.meant, project, service.root)


class WatchPatternMatchesNothing(ServiceRule):
    """
    ## What it does
    Reports a watch pattern that matches no file of the repository. When the pattern does match read from
    the service's root directory, it says so and offers the pattern written from the repository root.

    ## Why is this bad?
    Railway matches watch patterns from the repository root, even for a service with a root directory
    (`/backend/**`, not `src/**`). A pattern that matches nothing never triggers a deploy: the files it was
    meant to cover change, and production keeps running the old code.

    ## Example
    ```toml
    # backend/railway.toml, root directory backend/
    [build]
    watchPatterns = ["src/**"]   # means /src/**, which does not exist; write "/backend/src/**"
    ```

    ## Fix safety
    Unsafe: the corrected pattern makes pushes that change those files deploy the service.
    """

    code = "WP001"
    name = "watch-pattern-matches-nothing"
    summary = "a watch pattern matches no file in the repository"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid({"railway.toml": '[build]\nwatchPatterns = ["/services/svc/**", "!**/*.md"]\n', "main.py": ""}),
        Valid({"railway.json": '{"build": {"watchPatterns": ["**/*.py"]}}', "app/main.py": ""}),
        Invalid(
            {"railway.toml": '[build]\nwatchPatterns = ["app/**"]\n', "app/main.py": ""},
            expect=[("WP001", "railway.toml", 2, 18)],
            fixed={"railway.toml": '[build]\nwatchPatterns = ["/services/svc/app/**"]\n'},
            unsafe_fixes=True,
        ),
        Invalid(
            {"railway.json": '{"build": {"watchPatterns": ["/services/svc/**", "/servces/shared/**"]}}', "main.py": ""},
            expect=[("WP001", "railway.json", 1, 50)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        lists = project.derived.watch_lists(service)
        if not lists:
            return
        from railcheck.watchpaths import any_file_matches

        for watch in lists:
            for pattern in watch.written:
                if pattern.negated:
                    continue  # a negation that excludes nothing is harmless (WP004 judges its place)
                span = watch.pattern_span(pattern.index)
                corrected = watch.corrections.get(pattern.index)
                if corrected is not None:
                    edit = watch.replace(pattern.index, corrected)
                    yield self.diagnostic(
                        watch.path,
                        span,
                        f"watch pattern `{pattern.text}` matches no file: Railway matches watch patterns from the"
                        f" repository root, and it was written from the root directory {service.display_root()}",
                        help=f"Write it from the repository root: `{corrected}`.",
                        fix=Fix.unsafe(f"Replace with `{corrected}`", edit) if edit is not None else None,
                    )
                elif any_file_matches(project, pattern) is False:
                    yield self.diagnostic(
                        watch.path,
                        span,
                        f"watch pattern `{pattern.text}` matches no file in the repository, so it never triggers a"
                        " deploy",
                        help=(
                            "Check the spelling; patterns are matched from the repository root, e.g."
                            f" `/{service.root}/**` for this service's root directory."
                            if str(service.root) != "."
                            else "Check the spelling; patterns are matched from the repository root."
                        ),
                    )


class WatchPathsMissRoot(ServiceRule):
    """
    ## What it does
    Reports a service with a root directory whose watch patterns match no file under that root directory.

    ## Why is this bad?
    A push deploys the service only when a changed file matches its watch patterns. If none of them covers
    the service's own folder, a change to its code never deploys it: the push is skipped and the old
    version keeps running.

    ## Example
    ```toml
    # api/railway.toml, root directory api/
    [build]
    watchPatterns = ["/shared/**"]   # add "/api/**"
    ```

    ## Fix safety
    Unsafe: adding `/<root>/**` makes every push that changes the service's folder deploy it.
    """

    code = "WP002"
    name = "watch-paths-miss-root-directory"
    summary = "no watch pattern covers the service's root directory"
    consequence = Consequence.MISBEHAVES
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid(
            {
                "railway.toml": '[build]\nwatchPatterns = ["/services/svc/**/*.py", "/shared/**"]\n',
                "main.py": "",
                "/shared/x.py": "",
            }
        ),
        Valid({"railway.json": '{"build": {"watchPatterns": ["!**/*.md"]}}', "main.py": ""}),
        Invalid(
            {"railway.toml": '[build]\nwatchPatterns = [\n  "/shared/**",\n]\n', "main.py": "", "/shared/x.py": ""},
            expect=[("WP002", "railway.toml", 2, 1)],
            fixed={"railway.toml": '[build]\nwatchPatterns = [\n  "/services/svc/**",\n  "/shared/**",\n]\n'},
            unsafe_fixes=True,
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        lists = project.derived.watch_lists(service)
        if not lists:
            return
        from railcheck.watchpaths import root_known

        if str(service.root) == "." or not root_known(service, project):
            # the whole repository is the service's folder (WP003 judges what it builds from),
            # or the root is in doubt (SV003)
            return
        for watch in lists:
            # Only negations: WP004 reports the list; Railway's reading of it is not documented.
            if not watch.includes_anything or _root_covered(service, project, watch) is not False:
                continue
            wanted = f"/{service.root}/**"
            yield self.diagnostic(
                watch.path,
                watch.list_span(),
                f"no watch pattern matches a file under the root directory {service.display_root()}: a push that"
                " changes the service's code does not deploy it",
                help=f"Add `{wanted}` to watchPatterns (patterns are matched from the repository root).",
                fix=_add_patterns(watch, [wanted]),
            )


class WatchPathsMissConsumedFiles(ServiceRule):
    """
    ## What it does
    Reports, once per watch-pattern list, the files and folders the service builds from that no pattern
    covers: dependency manifests and lock files, `.python-version`, railpack.json, for a Dockerfile build
    the Dockerfile and the files and folders its `COPY`/`ADD` take from the build context, `-r`/`-c`
    includes of requirements.txt, pyproject path dependencies and uv workspace members, and folders a
    build or install command `cd`s into. Each comes with a suggested pattern.

    ## Why is this bad?
    A push that changes only such a file (a dependency bump in the lock file, a shared package) matches
    no watch pattern, so Railway skips the deploy and the service keeps running with the old dependencies
    or code, with nothing in the dashboard to say so.

    ## Example
    ```toml
    # api/railway.toml, root directory api/
    [build]
    watchPatterns = ["/api/**/*.py"]   # api/requirements.txt is not covered: add "/api/requirements.txt"
    ```

    ## Fix safety
    Unsafe: the added patterns make pushes that change those files deploy the service.
    """

    code = "WP003"
    name = "watch-paths-miss-build-inputs"
    summary = "watch patterns do not cover files the service builds from"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    fix = FixAvailability.SOMETIMES
    examples = (
        Valid(
            {
                "railway.toml": '[build]\nwatchPatterns = ["/services/svc/**"]\n',
                "main.py": "",
                "requirements.txt": "flask\n",
            }
        ),
        Valid(
            {
                "/railway.json": (
                    '{"build": {"buildCommand": "cd packages/core && make", "watchPatterns": ["/packages/**",'
                    ' "/*.txt"]}}'
                ),
                "/requirements.txt": "",
                "/packages/core/x.py": "",
            }
        ),
        Invalid(
            {
                "railway.toml": '[build]\nwatchPatterns = ["/services/svc/**/*.py"]\n',
                "main.py": "",
                "requirements.txt": "-r base.txt\n",
                "base.txt": "flask\n",
            },
            expect=[("WP003", "railway.toml", 2, 1)],
            fixed={
                "railway.toml": (
                    '[build]\nwatchPatterns = ["/services/svc/requirements.txt", "/services/svc/base.txt",'
                    ' "/services/svc/**/*.py"]\n'
                )
            },
            unsafe_fixes=True,
        ),
        Invalid(
            {
                "/railway.json": (
                    '{"build": {"buildCommand": "cd packages/core && make", "watchPatterns": ["/app/**"]}}'
                ),
                "/app/main.py": "",
                "/packages/core/x.py": "",
            },
            expect=[("WP003", "/railway.json", 1, 56)],
        ),
        # A Dockerfile built from the repository root copies a shared folder the patterns leave out.
        Invalid(
            {
                "/railway.json": (
                    '{"build": {"builder": "DOCKERFILE", "dockerfilePath": "api/Dockerfile", "watchPatterns":'
                    ' ["/api/**"]}}'
                ),
                "/api/Dockerfile": (
                    "FROM python:3.12-slim\nCOPY api/ /app/api/\nCOPY shared/ /app/shared/\nCMD python"
                    " /app/api/main.py\n"
                ),
                "/api/main.py": "",
                "/shared/util.py": "",
            },
            expect=[("WP003", "/railway.json", 1, 73)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        lists = project.derived.watch_lists(service)
        if not lists:
            return
        from railcheck.watchpaths import consumed, deploys_on_change, root_known

        items = consumed(service, project) if root_known(service, project) else ()
        if not items:
            return
        for watch in lists:
            if not watch.includes_anything:
                continue
            if str(service.root) != "." and _root_covered(service, project, watch) is False:
                continue  # WP002 reports the whole folder
            meant = watch.meant
            missed = [item for item in items if deploys_on_change(meant, project, item) is False]
            if not missed:
                continue
            listed = "; ".join(f"{item.path}{'/' if item.folder else ''} ({item.reason})" for item in missed)
            suggestions = [item.suggestion for item in missed]
            yield self.diagnostic(
                watch.path,
                watch.list_span(),
                f"a change to {_what(missed)} the service builds from does not deploy it: {listed}",
                help=f"Add {', '.join(f'`{text}`' for text in suggestions)} to watchPatterns.",
                fix=_add_patterns(watch, suggestions),
            )


class WatchNegationFirst(ServiceRule):
    """
    ## What it does
    Reports a negated watch pattern (`!docs/**`) that comes before every including pattern of its list.

    ## Why is this bad?
    Railway applies a negation only to files an earlier pattern included. Written first, it excludes
    nothing, so the pushes it was meant to skip (documentation, tests) still deploy the service.

    ## Example
    ```json
    {"build": {"watchPatterns": ["!**/*.md", "/api/**"]}}
    ```
    Put `"!**/*.md"` after `"/api/**"`.
    """

    code = "WP004"
    name = "watch-negation-before-include"
    summary = "a negated watch pattern comes before any including one, so it excludes nothing"
    consequence = Consequence.LIKELY_WRONG
    default_severity = Severity.WARNING
    examples = (
        Valid({"railway.json": '{"build": {"watchPatterns": ["/services/svc/**", "!**/*.md"]}}', "main.py": ""}),
        Invalid(
            {
                "railway.json": '{"build": {"watchPatterns": ["!**/*.md", "!/docs/**", "/services/svc/**"]}}',
                "main.py": "",
            },
            expect=[("WP004", "railway.json", 1, 30)],
        ),
    )

    def check(self, service: Service, project: Project) -> Iterator[Diagnostic]:
        for watch in project.derived.watch_lists(service):
            leading = []
            for pattern in watch.written:
                if pattern.includes:
                    break
                leading.append(pattern)
            if not leading:
                continue
            first = leading[0]
            names = ", ".join(f"`{pattern.text}`" for pattern in leading)
            yield self.diagnostic(
                watch.path,
                watch.pattern_span(first.index),
                f"{names} {'comes' if len(leading) == 1 else 'come'} before any including watch pattern, so"
                f" {'it excludes' if len(leading) == 1 else 'they exclude'} nothing",
                help=(
                    "Railway applies a negation only to files an earlier pattern included: move the negations after the"
                    " patterns they should narrow."
                ),
            )
