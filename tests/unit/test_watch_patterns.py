"""railcheck.sources.watch: reading watch patterns, and matching them against repository paths as Railway does."""

from __future__ import annotations

import pytest

from railcheck.sources.watch import PatternList, matches, parse_pattern


def _pattern(text: str):  # type: ignore[no-untyped-def]
    pattern = parse_pattern(text, 0)
    assert pattern is not None
    return pattern


@pytest.mark.parametrize(
    ("text", "anchored", "folder"),
    [
        ("/services/api/**", True, "services/api"),
        ("services/api/**", True, "services/api"),  # a slash inside anchors it, as in git
        ("/services/*/src/**", True, "services"),
        ("*.py", False, "."),
        ("docs/", False, "."),  # only a trailing slash: a folder name at any depth
        ("/requirements.txt", True, "."),
    ],
)
def test_anchoring_and_folder(text: str, anchored: bool, folder: str) -> None:
    pattern = _pattern(text)
    assert (pattern.anchored, pattern.folder) == (anchored, folder)


def test_comments_and_blank_lines_are_not_patterns() -> None:
    assert parse_pattern("# note", 0) is None
    assert parse_pattern("   ", 1) is None
    assert _pattern("!docs/**").negated


def test_patterns_match_from_the_repository_root() -> None:
    assert matches(_pattern("/services/api/**"), "services/api/app.py")
    assert not matches(_pattern("src/**"), "services/api/src/app.py")
    assert matches(_pattern("*.py"), "services/api/src/app.py")
    assert matches(_pattern("/services/api"), "services/api/deep/x.py")  # a folder covers what it holds


def test_glued_double_star_is_read_both_ways_only_when_asked() -> None:
    # Railway's docs use `/app/**.js`; git reads it as `/app/*.js`, other matchers as any depth.
    pattern = _pattern("/app/**.js")
    assert matches(pattern, "app/a.js", lenient=False)
    assert not matches(pattern, "app/lib/a.js", lenient=False)
    assert matches(pattern, "app/lib/a.js")


def test_last_matching_pattern_decides_and_negations_are_strict() -> None:
    patterns = PatternList([_pattern("/api/**"), parse_pattern("!/api/**.md", 1)])  # type: ignore[list-item]
    assert patterns.deploys("api/main.py")
    assert not patterns.deploys("api/README.md")
    # A negation is read as git reads it (`!/api/*.md`), never leniently: "does not deploy" must hold
    # under both readings, so api/docs/x.md counts as deployed.
    assert patterns.deploys("api/docs/x.md")
    assert not PatternList([parse_pattern("!api/**", 0)]).deploys("api/main.py")  # type: ignore[list-item]
