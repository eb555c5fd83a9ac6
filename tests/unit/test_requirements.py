"""Tests for railcheck.sources.requirements: line kinds, pip's comment and continuation rules, options, spans."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from railcheck.sources.requirements import RequirementLine, parse_requirements
from railcheck.sources.text import LineIndex


def only(text: str) -> RequirementLine:
    lines = parse_requirements(text).lines
    assert len(lines) == 1, lines
    return lines[0]


def written(text: str, line: RequirementLine) -> str:
    return text[line.start : line.end]


def argument(text: str, line: RequirementLine) -> str:
    assert line.argument_start is not None and line.argument_end is not None
    return text[line.argument_start : line.argument_end]


# --- requirements -----------------------------------------------------------------------------------------------


def test_plain_requirement() -> None:
    line = only("Django>=3.2,<4\n")
    assert line.kind == "requirement"
    assert (line.name, line.specifier, line.extras, line.marker, line.url) == ("django", "<4,>=3.2", (), None, None)
    assert (line.text, line.start, line.end, line.line, line.error) == ("Django>=3.2,<4", 0, 14, 1, None)


def test_name_is_canonical() -> None:
    assert only("Flask_SQLAlchemy.Ext==1").name == "flask-sqlalchemy-ext"


def test_extras_and_marker() -> None:
    text = 'requests[socks, security]==2.31.0 ; python_version >= "3.8" and sys_platform != "win32"'
    line = only(text)
    assert line.kind == "requirement"
    assert line.extras == ("security", "socks")
    assert line.marker == 'python_version >= "3.8" and sys_platform != "win32"'
    assert written(text, line) == text


def test_marker_without_spaces() -> None:
    line = only('c-a>=1;python_version>="3.6"')
    assert (line.kind, line.name, line.specifier, line.marker) == (
        "requirement",
        "c-a",
        ">=1",
        'python_version >= "3.6"',
    )


@pytest.mark.parametrize(
    ("text", "url", "marker"),
    [
        ("foo @ https://example.com/foo-1.0-py3-none-any.whl", "https://example.com/foo-1.0-py3-none-any.whl", None),
        ("Foo[bar] @ git+https://github.com/x/foo@v1.2", "git+https://github.com/x/foo@v1.2", None),
        ('foo @ https://x/foo.tar.gz ; sys_platform == "linux"', "https://x/foo.tar.gz", 'sys_platform == "linux"'),
        ("foo @ file:///srv/wheels/foo.whl", "file:///srv/wheels/foo.whl", None),
    ],
)
def test_direct_reference(text: str, url: str, marker: str | None) -> None:
    line = only(text)
    assert (line.kind, line.name, line.url, line.marker) == ("requirement", "foo", url, marker)
    assert written(text, line) == text


def test_pkg_resources_keeps_its_name_and_pin() -> None:
    line = only("pkg-resources==0.0.0")
    assert (line.name, line.specifier) == ("pkg-resources", "==0.0.0")


# --- comments, blank lines, continuations, line endings ------------------------------------------------------------


def test_comments_and_blank_lines_are_omitted() -> None:
    text = "# intentionally empty\n\n   \n  # indented comment\nfoo  # trailing comment\n"
    line = only(text)
    assert (line.text, written(text, line), line.line) == ("foo", "foo", 5)


def test_hash_inside_a_word_is_not_a_comment() -> None:
    line = only("git+https://github.com/a/b#egg=bee")
    assert (line.kind, line.name) == ("url", "bee")
    invalid = only("foo#bar")
    assert invalid.kind == "invalid" and invalid.text == "foo#bar"


def test_empty_files() -> None:
    assert parse_requirements("").lines == ()
    assert parse_requirements("\n\n# only comments\n").lines == ()


def test_continuation_joins_lines() -> None:
    text = "requests==2.31.0 \\\n    --hash=sha256:abcd \\\n    --hash sha256:ef01\nflask\n"
    first, second = parse_requirements(text).lines
    assert first.kind == "requirement" and first.name == "requests"
    assert first.text == "requests==2.31.0     --hash=sha256:abcd     --hash sha256:ef01"
    assert first.hashes == ("sha256:abcd", "sha256:ef01")
    assert written(text, first) == "requests==2.31.0 \\\n    --hash=sha256:abcd \\\n    --hash sha256:ef01"
    assert (first.line, second.line, second.text) == (1, 4, "flask")


def test_continuation_inside_a_name_and_at_end_of_file() -> None:
    line = only("Dja\\\nngo>=4 \\")
    assert (line.name, line.specifier, line.text) == ("django", ">=4", "Django>=4")


def test_comment_line_ends_a_continuation() -> None:
    # pip: a comment line never continues, even ending in a backslash, and it ends the line before it.
    text = "foo \\\n# comment \\\nbar\n"
    assert [(line.text, line.line) for line in parse_requirements(text).lines] == [("foo", 1), ("bar", 3)]


def test_comment_before_a_backslash_swallows_the_next_line() -> None:
    # pip joins first and strips the comment after, so the continued line lands inside the comment.
    text = "foo # note \\\nbar\nbaz\n"
    assert [line.text for line in parse_requirements(text).lines] == ["foo", "baz"]


def test_crlf() -> None:
    text = "foo==1 \\\r\n  --hash=sha256:aa\r\n# c\r\nbar ; python_version < '3.12'\r\n-r base.txt\r\n"
    first, second, third = parse_requirements(text).lines
    assert (first.name, first.hashes, first.line) == ("foo", ("sha256:aa",), 1)
    assert (second.name, second.marker, second.line) == ("bar", 'python_version < "3.12"', 4)
    assert written(text, second) == "bar ; python_version < '3.12'"
    assert (third.kind, third.url, argument(text, third), third.line) == ("include", "base.txt", "base.txt", 5)


def test_no_trailing_newline_and_lone_cr() -> None:
    assert [line.name for line in parse_requirements("a\nb\rc").lines] == ["a", "b", "c"]


def test_line_numbers_match_line_index() -> None:
    text = "\n\nfoo\n  bar  \n"
    lines = parse_requirements(text).lines
    assert [(line.line, LineIndex(text).position(line.start).column) for line in lines] == [(3, 1), (4, 3)]


# --- options ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "arg"),
    [
        ("-r base.txt", "include", "base.txt"),
        ("-rbase.txt", "include", "base.txt"),
        ("--requirement=base.txt", "include", "base.txt"),
        ("--requirement base.txt", "include", "base.txt"),
        ("--requirement   requirements/${ENV}.txt", "include", "requirements/${ENV}.txt"),
        ("-c constraints.txt", "constraint", "constraints.txt"),
        ("--constraint=https://example.com/c.txt", "constraint", "https://example.com/c.txt"),
        ("-e .", "editable", "."),
        ("--editable=../lib", "editable", "../lib"),
        ("-e git+ssh://git_url@tag#egg=ocflib", "editable", "git+ssh://git_url@tag#egg=ocflib"),
    ],
)
def test_file_options(text: str, kind: str, arg: str) -> None:
    line = only(f"  {text}  # why\n")
    assert (line.kind, line.argument, line.url, line.error) == (kind, arg, arg, None)
    assert argument(f"  {text}  # why\n", line) == arg
    assert written(f"  {text}  # why\n", line) == text


def test_editable_name_and_extras() -> None:
    vcs = only("-e git+https://github.com/x/y.git@main#egg=Y_Pkg[extra]")
    assert (vcs.name, vcs.extras) == ("y-pkg", ("extra",))
    local = only("-e .[dev,test]")
    assert (local.name, local.extras, local.url) == (None, ("dev", "test"), ".[dev,test]")


def test_quoted_argument_keeps_its_quotes_in_the_span() -> None:
    text = '-c "my constraints.txt"'
    line = only(text)
    assert (line.kind, line.url, line.argument) == ("constraint", "my constraints.txt", '"my constraints.txt"')
    assert argument(text, line) == '"my constraints.txt"'


def test_empty_attached_argument() -> None:
    text = "--requirement="
    line = only(text)
    assert (line.kind, line.argument, line.argument_start, line.argument_end) == ("include", "", 14, 14)


@pytest.mark.parametrize(
    ("text", "arg"),
    [
        ("--index-url https://${TOKEN}@pypi.example/simple", "https://${TOKEN}@pypi.example/simple"),
        ("-i https://pypi.org/simple", "https://pypi.org/simple"),
        ("--extra-index-url=https://x/simple", "https://x/simple"),
        ("-f ./wheels", "./wheels"),
        ("--find-links=https://x/links", "https://x/links"),
        ("--trusted-host pypi.example", "pypi.example"),
        ("--no-binary :all:", ":all:"),
        ("--only-binary=numpy,scipy", "numpy,scipy"),
        ("--use-feature=truststore", "truststore"),
        ("--pre", None),
        ("--prefer-binary", None),
        ("--require-hashes", None),
        ("--no-index", None),
        ("--index-u https://x", "https://x"),  # optparse takes unambiguous abbreviations
    ],
)
def test_other_options(text: str, arg: str | None) -> None:
    line = only(text)
    assert (line.kind, line.argument, line.url, line.name) == ("option", arg, None, None)
    if arg is not None:
        assert argument(text, line) == arg


def test_several_options_on_one_line() -> None:
    line = only("--index-url https://a --trusted-host a -r more.txt")
    # pip acts on every option; the line counts as an include, as pip recurses into it.
    assert (line.kind, line.argument) == ("include", "more.txt")
    line = only("-r a.txt -e ./pkg")
    assert (line.kind, line.argument) == ("editable", "./pkg")


def test_per_requirement_options() -> None:
    text = "foo==1.0 --hash=sha256:aa --hash sha512:bb --config-settings=--build-option=x --global-option=y"
    line = only(text)
    assert (line.kind, line.name, line.specifier) == ("requirement", "foo", "==1.0")
    assert line.hashes == ("sha256:aa", "sha512:bb")
    assert written(text, line) == text


def test_tab_before_option_stays_with_the_requirement() -> None:
    # pip splits requirement from options at spaces only, so this is one (invalid) requirement.
    assert only("foo\t--hash=sha256:aa").kind == "invalid"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("--frobnicate", "no such option: --frobnicate"),
        ("-x foo", "no such option: -x"),
        ("--no", "ambiguous option: --no (--no-binary, --no-index, --no-require-hashes?)"),
        ("-r", "-r option requires 1 argument"),
        ("--index-url", "--index-url option requires 1 argument"),
        ("--pre=1", "--pre option does not take a value"),
        ("foo --hash=md5:abc", "--hash takes sha256:, sha384: or sha512: followed by the digest, not 'md5:abc'"),
        ("foo --hash=abc", "--hash takes sha256:, sha384: or sha512: followed by the digest, not 'abc'"),
        ("foo -C novalue", "--config-settings takes KEY=VALUE, not 'novalue'"),
        ('-r "unclosed', "could not split options: unbalanced quote or backslash in '-r \"unclosed'"),
    ],
)
def test_option_errors(text: str, error: str) -> None:
    line = only(text)
    assert (line.kind, line.error, line.name) == ("invalid", error, None)


# --- paths and URLs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "extras", "marker"),
    [
        (".", ".", (), None),
        ("./pkg", "./pkg", (), None),
        ("../shared[a, b]", "../shared", ("a", "b"), None),
        ("/abs/path", "/abs/path", (), None),
        ("libs/inner", "libs/inner", (), None),
        ("file:///tmp/x.whl", "file:///tmp/x.whl", (), None),
        ("pkg-1.0-py3-none-any.whl", "pkg-1.0-py3-none-any.whl", (), None),
        ("foo-1.0.tar.gz ; python_version < '3.9'", "foo-1.0.tar.gz", (), 'python_version < "3.9"'),
        ("dist/foo-1.0.zip", "dist/foo-1.0.zip", (), None),
    ],
)
def test_paths(text: str, url: str, extras: tuple[str, ...], marker: str | None) -> None:
    line = only(text)
    assert (line.kind, line.url, line.extras, line.marker, line.name) == ("path", url, extras, marker, None)
    assert written(text, line) == text


@pytest.mark.parametrize(
    ("text", "url", "name", "marker"),
    [
        ("https://example.com/pkg.zip", "https://example.com/pkg.zip", None, None),
        ("git+https://github.com/a/b@v1#egg=Bee", "git+https://github.com/a/b@v1#egg=Bee", "bee", None),
        ("git+ssh://git_url@tag#egg=ocflib", "git+ssh://git_url@tag#egg=ocflib", "ocflib", None),
        (
            "hg+https://hg.example/repo#egg=x&subdirectory=y",
            "hg+https://hg.example/repo#egg=x&subdirectory=y",
            "x",
            None,
        ),
        ('https://x/y.whl; python_version >= "3"', "https://x/y.whl", None, 'python_version >= "3"'),
    ],
)
def test_urls(text: str, url: str, name: str | None, marker: str | None) -> None:
    line = only(text)
    assert (line.kind, line.url, line.name, line.marker) == ("url", url, name, marker)


def test_bad_marker_on_a_path_is_invalid() -> None:
    line = only("./pkg ; python_version >")
    assert line.kind == "invalid" and line.error is not None and "marker" in line.error


# --- invalid requirements -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("foo bar", "Expected"),
        ("foo = 1.0", "did you mean ==?"),
        ("c=2.0.0 \\\n --hash=sha256:abcd", "did you mean ==?"),
        ("foo[bar", "RIGHT_BRACKET"),
        ("foo>=1.0 ; python_version >", "marker"),
        ("${PKG_URL}", "${VAR}"),
        ("foo @ https://x/y.whl; python_version > '3'", "semicolon"),
    ],
)
def test_invalid_requirements(text: str, fragment: str) -> None:
    line = only(text)
    assert line.kind == "invalid" and line.name is None
    assert line.error is not None and fragment in line.error
    assert "\n" not in line.error  # packaging's caret drawing is folded into one line


def test_invalid_line_does_not_stop_the_rest() -> None:
    kinds = [line.kind for line in parse_requirements("ok==1\nnot valid\n-r x.txt\n").lines]
    assert kinds == ["requirement", "invalid", "include"]


# --- properties ---------------------------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["foo", "==1.0", " ", "\t", "\n", "\r\n", "\\", "#", " # c", "-r", "--hash=", "sha256:a", "'", '"', ";", "@",
     "[x]", "./", "https://", "git+", "#egg=", "-e", ".whl", "${V}", "--", "=", "\u2028", "\x0c"]
)  # fmt: skip


@settings(max_examples=400)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=20).map("".join)))
@example("\\")
@example("-r")
@example("a \\\n\\\nb")
@example("--requirement=")
def test_never_raises_and_spans_lie_within_the_text(text: str) -> None:
    for line in parse_requirements(text).lines:
        assert 0 <= line.start < line.end <= len(text)
        assert line.text and line.text == line.text.strip()
        assert line.line == LineIndex(text).position(line.start).line
        assert (line.kind == "invalid") == (line.error is not None)
        if "\\" not in text[line.start : line.end]:
            assert text[line.start : line.end] == line.text
        if line.argument is not None:
            assert line.argument_start is not None and line.argument_end is not None
            assert line.start <= line.argument_start <= line.argument_end <= line.end
            if "\\" not in text[line.start : line.end]:
                assert text[line.argument_start : line.argument_end] == line.argument


NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?", fullmatch=True)
VERSIONS = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}((a|b|rc)[0-9])?(\.post[0-9])?(\.dev[0-9])?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    NAMES,
    st.lists(NAMES, max_size=2),
    st.sampled_from(["==", ">=", "<=", "!=", "<", ">"]),
    VERSIONS,
    st.sampled_from(["", " ", "  "]),
)
def test_simple_lines_read_without_packaging_agree_with_packaging(
    name: str, extras: list[str], op: str, version: str, space: str
) -> None:
    """The fast path for `name[extras]==version` must give exactly what packaging gives."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    text = f"{name}{'[' + ','.join(extras) + ']' if extras else ''}{space}{op}{space}{version}"
    (line,) = parse_requirements(text + "\n").lines
    expected = Requirement(text)
    assert (line.kind, line.name, line.specifier, line.extras) == (
        "requirement",
        canonicalize_name(expected.name),
        str(expected.specifier),
        tuple(sorted(expected.extras)),
    )
