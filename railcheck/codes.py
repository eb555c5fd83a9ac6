"""Codes the engine emits itself, rather than a rule: their names, summaries, documentation and severities."""

from __future__ import annotations

from pathlib import PurePosixPath

from railcheck.types import Diagnostic, Severity, Span

# Codes emitted by the engine itself rather than by a rule: code -> (name, summary, documentation).
ENGINE_CODES = {
    "RC002": (
        "internal-error",
        "A rule failed with an internal error",
        (
            "## What it does\nReports that a rule raised an exception instead of finishing.\n\n"
            "## Why is this bad?\nThat rule's findings for the service are missing, so the check is incomplete. "
            "The other rules still ran. railcheck exits 2.\n\n"
            "## Example\n`RC002 rule RP104 (undefined-asset) failed on services/api: KeyError: 'x'`\n\n"
            "Please report it with the message, which names the exception.\n"
        ),
    ),
    "RC003": (
        "fix-not-converged",
        "Fixes did not settle, or would have broken a file",
        (
            "## What it does\nReports that applying fixes did not settle, or that a fix would have left a file"
            " unparseable.\n\n## Why is this bad?\nThe file was left as it was for the fixes involved; the findings"
            " remain.\n\n## Example\n`RC003 fixes for RP003 did not settle after 10 rounds`\n"
        ),
    ),
    "RC005": (
        "stale-baseline-entry",
        "A baselined finding no longer occurs",
        (
            "## What it does\nReports an entry of the `--baseline` file that matched no finding in this run.\n\n## Why"
            " is this bad?\nThe problem was fixed (or moved beyond recognition); keeping the entry would hide it if it"
            " came back. Refresh the baseline with `--write-baseline`.\n\n## Example\n`railcheck-baseline.json: RC005"
            " RP001 in services/api/railpack.json is in the baseline but no longer found`\n"
        ),
    ),
    "RC006": (
        "unused-suppression",
        "A suppression matched nothing, or cannot match anything",
        (
            "## What it does\nReports an `ignore` selector or `per-file-ignores` pattern in the configuration, or an"
            " inline `railcheck: ignore[CODE] reason` comment, that suppressed no finding in a run of every configured"
            " rule over the whole repository; and, in any run, an inline comment that has no reason or names no rule"
            " code (it suppresses nothing).\n\nInline comments are `// railcheck: ignore[RP001] reason` in"
            " railpack.json and `# railcheck: ignore[RW001] reason` in railway.toml, pyproject.toml, mise.toml,"
            " requirements files and .python-version (on a line of its own there). A comment suppresses the codes it"
            " names on its own line and, when it stands alone on its line, on the next line; the reason is carried into"
            " reports. railway.json is strict JSON and cannot hold comments.\n\n## Why is this bad?\nA stale"
            " suppression hides the problem if it comes back, and its reason no longer explains anything. A comment"
            " without a reason does not say why the finding does not apply, so railcheck does not honour it.\n\n##"
            ' Example\n`ignore = { RP108 = "legacy" }` after the last list without "..." was fixed; `# railcheck:'
            " ignore[RW104]` with nothing after the bracket.\n"
        ),
    ),
    "RC007": (
        "too-many-services",
        "More services than railcheck checks in one run",
        (
            "## What it does\nReports that discovery found more services than the safety limit (20,000) and skipped the"
            " rest.\n\n## Why is this bad?\nThe skipped services were not checked. Usually a folder of generated or"
            " vendored files holds config files that are not services.\n\n## Example\nA `fixtures/` folder with 30,000"
            " sample railpack.json files; add it to `exclude`.\n"
        ),
    ),
    "RC008": (
        "tracked-cache",
        "The result cache folder is tracked by git",
        (
            "## What it does\nReports a `.railcheck_cache` folder that git tracks (it was committed, or added with `git"
            " add -f`).\n\n## Why is this bad?\nA cache that comes with the repository was written by someone else:"
            " replaying it could hide every finding. railcheck ignores it and checks everything, every run, until the"
            " folder is untracked.\n\n## Example\n`git add -f .railcheck_cache`; fix it with `git rm -r --cached"
            " .railcheck_cache` and a commit.\n"
        ),
    ),
    "RC009": (
        "file-not-checked",
        "A file named on the command line is not one railcheck reads",
        (
            "## What it does\nReports a file given as a PATH argument that railcheck does not read (a README, a"
            " TypeScript source), instead of skipping it silently.\n\n## Why is this bad?\nNothing in it was checked;"
            " the services holding it were. A Railpack config under another name is read when it is named"
            " `railpack*.json` (`railpack.staging.json`, for RAILPACK_CONFIG_FILE).\n\n## Example\n`railcheck check"
            " services/api/deploy.json`\n"
        ),
    ),
}

# The severity each engine code is emitted with.
ENGINE_SEVERITY = {
    "RC002": "error",
    "RC003": "error",
    "RC005": "info",
    "RC006": "info",
    "RC007": "error",
    "RC008": "warning",
    "RC009": "info",
}


def engine_diagnostic(
    code: str, path: PurePosixPath, message: str, help: str, span: Span | None = None, service: str | None = None
) -> Diagnostic:
    """A finding of one of the engine's own codes, with its name and severity from the tables above."""
    return Diagnostic(
        code=code,
        name=ENGINE_CODES[code][0],
        message=message,
        severity=Severity(ENGINE_SEVERITY[code]),
        path=path,
        span=span,
        service=service,
        help=help,
    )


def engine_codes_matching(selector: str) -> list[str]:
    """Engine codes a selector names: a code, a prefix of codes (`RC`, `RC00`) or a name."""
    return [
        code for code, (name, _, _) in ENGINE_CODES.items() if code.startswith(selector.upper()) or selector == name
    ]
