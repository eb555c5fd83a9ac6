"""railcheck.sources.watch compares the common watch-pattern shapes as strings instead of compiling them with
pathspec; these tests hold that shortcut to pathspec's own answer (as railcheck.patterns builds it, leaving out lines git ignores), path by path, and check that the shapes it
is meant for really take it (so pathspec is not even imported for them)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railcheck.patterns import gitignore_spec
from railcheck.sources.watch import _matcher, _shape

# Segments that are plain names, and ones pathspec reads specially or that sit on the shortcut's edges.
NAMES = ["api", "src", "a.b", "x-y_z", "md", ".md", "v1.2", "name", "é"]
TRICKY = [".", "..", "", "*", "**", "a*", "?", "[ab]", "!x", "#x", "a b", " a", "a\\", "x]"]
SEGMENTS = st.sampled_from(NAMES + TRICKY)


@st.composite
def lines(draw: st.DrawFn) -> str:
    """A gitignore line as `matches` hands it over: the shortcut's shapes most of the time, anything else too."""
    folder = "/".join(draw(st.lists(SEGMENTS, min_size=1, max_size=3)))
    name = draw(SEGMENTS)
    return draw(
        st.sampled_from(
            [
                f"/{folder}/**",
                f"/{folder}/",
                f"/{folder}",
                f"/{folder}/**/",
                f"{name}",
                f"{name}/",
                f"*{name}",
                f"**/*{name}",
                f"/**/*{name}",
                f"/{folder}/*{name}",
            ]
        )
    )


@st.composite
def paths(draw: st.DrawFn) -> str:
    segments = draw(st.lists(st.sampled_from([*NAMES, "", "a.md", "x.md", "b", "\n"]), min_size=1, max_size=5))
    prefix = draw(st.sampled_from(["", "", "", "/", "./", "//"]))
    return prefix + "/".join(segments)


@settings(max_examples=3000, deadline=None)
@given(lines(), paths())
def test_every_line_matches_exactly_as_pathspec_does(line: str, path: str) -> None:
    assert _matcher(line)(path) == gitignore_spec([line]).match_file(path)


@pytest.mark.parametrize(
    ("line", "path", "expected"),
    [
        ("/services/api/**", "services/api/main.py", True),
        ("/services/api/**", "services/api", False),  # the folder's contents, not a file of that name
        ("/services/api", "services/api", True),
        ("/services/api", "services/api2/main.py", False),
        ("/services/api/", "services/api", False),
        ("api", "services/api/main.py", True),
        ("api/", "services/x/api", False),
        ("**/*.md", "docs/guide.md/x.py", True),  # a folder whose name ends so holds the file
        ("*.md", "README.mdx", False),
        ("/services/api/**", "/services/api/main.py", True),  # pathspec drops the leading `/` first
    ],
)
def test_examples(line: str, path: str, expected: bool) -> None:
    assert _matcher(line)(path) is expected
    assert gitignore_spec([line]).match_file(path) is expected


@pytest.mark.parametrize(
    "line", ["/services/api/**", "/services/api", "/services/api/", "docs", "docs/", "*.md", "**/*.md", "/**/*.md"]
)
def test_common_shapes_take_the_shortcut(line: str) -> None:
    assert _shape(line) is not None


@pytest.mark.parametrize("line", ["/services/*/src/**", "/app/**.js", "src\\", "!x", "/a/./b", "/a b/**", "/**"])
def test_other_lines_go_to_pathspec(line: str) -> None:
    assert _shape(line) is None


def test_matching_the_common_shapes_does_not_import_pathspec() -> None:
    # Start-up time: a pre-commit run on a service whose watch list is `/svc/**` and `!**/*.md` needs no
    # pathspec (about 10 ms to import with its optional backends probed).
    code = (
        "import sys\n"
        "from railcheck.sources.watch import PatternList, parse_pattern\n"
        "patterns = PatternList([parse_pattern('/svc/**', 0), parse_pattern('!**/*.md', 1)])\n"
        "assert patterns.deploys('svc/main.py') and not patterns.deploys('svc/README.md')\n"
        "print('pathspec' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
