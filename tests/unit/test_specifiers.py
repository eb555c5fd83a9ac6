"""railcheck.specifiers: whether two version specifiers can both hold, whether one implies another, and merging."""

from __future__ import annotations

import pytest

from railcheck.specifiers import cannot_both_hold, combined, implies


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("==3.1.0", "==3.0.3", True),
        ("==1.0", "==1.0.0", False),  # PEP 440 pads releases: the same version
        ("<2", ">=3", True),
        ("<1.0", ">=1.0", True),
        ("<=1.0", ">=1.0", False),
        (">1.0", "==1.0", True),
        ("~=1.4", "==2.0", True),
        ("==1.*", "==2.*", True),
        (">=0.25.0", ">=0.25.2", False),
        ("", ">=1", False),
        (">=1,!=1.5", "==1.5", True),
        ("<2", "==2.0rc1", True),  # `<2` excludes 2's pre-releases, as pip reads it
        ("===1.0", ">=1", False),  # arbitrary equality: not judged by interval
        ("===foo", "==1", True),  # ... but a pin is checked against it, as pip does
    ],
)
def test_cannot_both_hold(first: str, second: str, expected: bool) -> None:
    assert cannot_both_hold(first, second) is expected
    assert cannot_both_hold(second, first) is expected


@pytest.mark.parametrize(
    ("stronger", "weaker", "expected"),
    [
        (">=0.25.2", ">=0.25.0", True),
        (">=0.25.0", ">=0.25.2", False),
        (">=5.3.6", ">=5.3.6", True),
        ("==1.2", ">=1,<2", True),
        (">=1", "", True),
        ("", ">=1", False),
        (">=1,!=1.5", "!=1.5", True),
        (">=1", "!=1.5", False),
        ("~=1.9", "<2", True),
        (">=2.0rc1", ">=1", False),  # pre-releases are not judged
        ("==1.*", ">=1", False),  # nor wildcards
    ],
)
def test_implies(stronger: str, weaker: str, expected: bool) -> None:
    assert implies(stronger, weaker) is expected


def test_combined_merges_and_sorts() -> None:
    assert combined(">=1.5", "<2") == "<2,>=1.5"
    assert combined(">=5.3.6", ">=5.3.6") == ">=5.3.6"
    assert combined("==x y", ">=1") is None
