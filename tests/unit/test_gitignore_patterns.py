"""Gitignore patterns as railcheck reads them (railcheck/patterns.py)."""

from __future__ import annotations

import warnings

from railcheck.patterns import gitignore_spec


def test_a_bracket_set_of_a_bracket_compiles_without_a_warning_and_matches_as_git_does() -> None:
    # `[[]` is git's set holding `[`; Python's re warns that a nested set may change meaning, which would
    # reach the user's terminal as a FutureWarning. The pattern is unique to this test, so no earlier
    # compilation in re's cache hides the warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = gitignore_spec(["api/[[]only-here-[[].*.js"])
    assert [str(warning.message) for warning in caught] == []
    assert spec.match_file("api/[only-here-[.min.js")
    assert not spec.match_file("api/only-here-.min.js")


def test_a_line_git_ignores_is_left_out_and_the_rest_still_match() -> None:
    spec = gitignore_spec(["!", "dist/"])
    assert spec.match_file("dist/app.js")
