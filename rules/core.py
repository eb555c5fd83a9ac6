"""RC: findings about files as files: they cannot be read or parsed, or they repeat a key."""

from __future__ import annotations

from collections.abc import Iterator

from railcheck import Consequence, Diagnostic, Invalid, Project, ProjectRule, Related, Valid

FAMILY = "RC"


class ParseError(ProjectRule):
    """
    ## What it does
    Reports a config file that cannot be read or parsed: invalid JSON or TOML, JSON5-only syntax in
    `railpack.json`, invalid UTF-8, a folder where a file is expected, a link out of the repository, or a
    file too large to be a config.

    ## Why is this bad?
    Railpack fails the whole build on a `railpack.json` it cannot parse, and Railway cannot use a broken
    `railway.json`. `railpack.json` may contain comments and trailing commas (JWCC), nothing more.

    ## Example
    ```jsonc
    { 'provider': 'python' }   // single quotes are JSON5, not JSON
    ```
    """

    code = "RC001"
    name = "parse-error"
    summary = "A config file cannot be read or parsed"
    consequence = Consequence.FAILS
    examples = (
        Valid({"railpack.json": '{\n  // comments and trailing commas are fine\n  "provider": "python",\n}\n'}),
        Invalid(
            {"railpack.json": '{\n  "provider": "python"\n  "deploy": {}\n}\n'},
            expect=[("RC001", "railpack.json", 3, 3)],
        ),
        Invalid({"railway.json": '{"build": {},}\n'}, expect=[("RC001", "railway.json", 1, 13)]),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        for problem in project.problems:
            yield self.diagnostic(
                problem.path,
                problem.span,
                problem.message if problem.span else f"`{problem.path.name}` {problem.message}",
                # Without a position the file was never parsed (a link out, a pipe, too large): no syntax to fix.
                help=problem.help
                or (
                    "Fix the syntax at this position; railcheck checks the rest of this file once it parses."
                    if problem.span
                    else (
                        "railcheck reads only regular files of at most 2 MiB inside the repository (no link out of it"
                        " or into .git, no pipe or device): make it one, or exclude it."
                    )
                ),
            )


class DuplicateKey(ProjectRule):
    """
    ## What it does
    Reports a key that appears twice in the same JSON object of `railpack.json` or `railway.json`.

    ## Why is this bad?
    Both Railpack (Go's JSON decoder) and most editors keep only the last value, so the first one is
    silently ignored; whoever edits the first one sees no effect.

    ## Example
    ```json
    { "deploy": { "startCommand": "gunicorn app:app", "startCommand": "python app.py" } }
    ```
    """

    code = "RC004"
    name = "duplicate-key"
    summary = "A JSON object repeats a key; only the last value counts"
    consequence = Consequence.MISBEHAVES
    examples = (
        Valid({"railpack.json": '{"deploy": {"startCommand": "python app.py"}}'}),
        Invalid(
            {"railpack.json": '{\n  "provider": "python",\n  "provider": "node"\n}\n'},
            expect=[("RC004", "railpack.json", 2, 3)],
        ),
    )

    def check(self, project: Project) -> Iterator[Diagnostic]:
        seen = set()
        for service in project.services:
            for document in (service.railpack, service.railway, service.railway_ignored):
                if document is None or document.path in seen:
                    continue
                seen.add(document.path)
                for _, key, first, repeat in document.duplicates:
                    yield self.diagnostic(
                        document,
                        document.lines.span(*first),
                        f"`{key}` is set again later in the same object, so this value is ignored",
                        service=service.name,
                        help=f"Merge the two `{key}` entries into one.",
                        related=(Related(document.path, document.lines.span(*repeat), "the value that wins"),),
                    )
