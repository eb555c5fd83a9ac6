"""The scenario fixtures under tests/fixtures/: which folders are scenarios, the codes each one declares it
covers (a `# covers:` line in its railcheck.toml), and the codes its expected report really shows."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.paths import FIXTURES

# A scenario is a folder with its own railcheck.toml; corpus/ and iac/ hold sample files for other tests.
SCENARIOS = sorted(path for path in FIXTURES.iterdir() if (path / "railcheck.toml").is_file())

CODE = re.compile(r"[A-Z]{2}\d{3}")
# A finding in the concise report: `path:line:column: CODE severity: message`.
_FINDING = re.compile(r"^\S.*?:\d+:\d+: ([A-Z]{2}\d{3}) (?:\[\*\] )?(?:error|warning|info):", re.MULTILINE)
_COVERS = re.compile(r"^# covers:(.*)$", re.MULTILINE)


def declared_covers(scenario: Path) -> tuple[str, ...] | None:
    """The codes the scenario's `# covers:` line names (`none` for a scenario that shows no finding), or
    None when it has no such line or the line holds something that is not a code."""
    lines = _COVERS.findall((scenario / "railcheck.toml").read_text())
    if len(lines) != 1:
        return None
    words = lines[0].split()
    if words == ["none"]:
        return ()
    return tuple(words) if words and all(CODE.fullmatch(word) for word in words) else None


def reported_codes(scenario: Path) -> tuple[str, ...]:
    """The codes of the findings in the scenario's expected report, sorted, each once."""
    return tuple(sorted(set(_FINDING.findall((scenario / "expected" / "check.txt").read_text()))))


def summary(scenario: Path) -> str:
    """The first sentence of the comment that opens the scenario's railcheck.toml, without its label."""
    comment = []
    for line in (scenario / "railcheck.toml").read_text().splitlines():
        if not line.startswith("#") or line.startswith("# covers:"):
            break
        comment.append(line.lstrip("# ").strip())
    text = re.sub(r"^(Scenario|Acceptance): ", "", " ".join(comment))
    sentence = re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0]
    return sentence.rstrip(".:;")
