"""Tests for railcheck.sources.python_version: .python-version, runtime.txt, .tool-versions, Railpack's normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from railcheck.sources.python_version import (
    VersionEntry,
    minor_of,
    normalise_railpack_version,
    parse_python_version_file,
    parse_runtime_txt,
    parse_tool_versions,
)


def spans_match(text: str, entry: VersionEntry) -> None:
    assert text[entry.start : entry.end] == entry.text


# --- .python-version ------------------------------------------------------------------------------------------------


def test_single_version() -> None:
    (entry,) = parse_python_version_file("3.12.4\n")
    assert entry == VersionEntry("3.12.4", 0, 6, 1, Version("3.12.4"), None)


def test_comments_blank_lines_and_several_entries() -> None:
    text = "# pinned for prod\n\n  3.12  # main\n3.11.9\r\npypy3.10\n#3.9\n"
    entries = parse_python_version_file(text)
    assert [(entry.text, entry.line) for entry in entries] == [("3.12", 3), ("3.11.9", 4), ("pypy3.10", 5)]
    for entry in entries:
        spans_match(text, entry)
    assert entries[0].version == Version("3.12") and entries[0].error is None
    assert entries[2].version is None and entries[2].error == "pypy3.10 is not CPython"


@pytest.mark.parametrize(
    ("text", "version", "error"),
    [
        ("3.12", Version("3.12"), None),
        ("3", Version("3"), None),
        ("python-3.11.4", Version("3.11.4"), None),
        ("python3.11", Version("3.11"), None),
        ("cpython-3.13.1", Version("3.13.1"), None),
        ("v3.10", Version("3.10"), None),
        ("3.13.0rc2", Version("3.13.0rc2"), None),
        ("pypy3.10", None, "pypy3.10 is not CPython"),
        ("pypy3.10-7.3.17", None, "pypy3.10-7.3.17 is not CPython"),
        ("graalpy-24.1.0", None, "graalpy-24.1.0 is not CPython"),
        ("miniconda3-latest", None, "miniconda3-latest is not CPython"),
        ("3.x", None, "3.x is not a version"),
        ("latest", None, "latest is not a version"),
        ("system", None, "system means whatever interpreter the machine has, not a version"),
        ("3.13t", None, "3.13t is a free-threaded build, not a plain version"),
        ("3.12.4.1", None, "3.12.4.1 is not a version"),
        ("my-venv", None, "my-venv is not a version"),
    ],
)
def test_entry_versions(text: str, version: Version | None, error: str | None) -> None:
    (entry,) = parse_python_version_file(text)
    assert (entry.text, entry.version, entry.error) == (text, version, error)


def test_empty_version_files() -> None:
    assert parse_python_version_file("") == ()
    assert parse_python_version_file("\n  \n# nothing\n") == ()


# --- runtime.txt -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found", "line"),
    [
        ("python-3.11.4\n", "3.11.4", 1),
        ("3.12", "3.12", 1),
        ("\n\n  python 3\n", "3", 3),
        ("python-3.10.7.8", "3.10.7", 1),
        ("requires node 14.2", "14.2", 1),
    ],
)
def test_runtime_txt(text: str, found: str, line: int) -> None:
    entry = parse_runtime_txt(text)
    assert entry is not None
    assert (entry.text, entry.line, entry.version, entry.error) == (found, line, Version(found), None)
    spans_match(text, entry)


def test_runtime_txt_other_implementation_keeps_what_railpack_reads() -> None:
    entry = parse_runtime_txt("pypy3.10-7.3\n")
    assert entry is not None
    assert (entry.text, entry.version) == ("3.10", Version("3.10"))
    assert entry.error == "pypy3.10-7.3 is not CPython; Railpack reads it as 3.10"


@pytest.mark.parametrize("text", ["", "\n", "python-latest", "३.१२"])  # Go's \d is ASCII only
def test_runtime_txt_without_a_number(text: str) -> None:
    assert parse_runtime_txt(text) is None


# --- .tool-versions --------------------------------------------------------------------------------------------------


def test_tool_versions() -> None:
    text = "# tools\nnodejs 20.11.0\npython 3.12.2 3.11.8  # two\nuv 0.7.22\n"
    entry = parse_tool_versions(text)
    assert entry is not None
    assert (entry.text, entry.line, entry.version, entry.error) == ("3.12.2", 3, Version("3.12.2"), None)
    spans_match(text, entry)


@pytest.mark.parametrize(
    ("text", "found", "error"),
    [
        ("python system\n", "system", "system means whatever interpreter the machine has, not a version"),
        ("python\tpypy3.10\r\n", "pypy3.10", "pypy3.10 is not CPython"),
        ("python ref:v3.12.0\n", "ref:v3.12.0", "ref:v3.12.0 is not a version"),
    ],
)
def test_tool_versions_unusable(text: str, found: str, error: str) -> None:
    entry = parse_tool_versions(text)
    assert entry is not None and (entry.text, entry.version, entry.error) == (found, None, error)
    spans_match(text, entry)


@pytest.mark.parametrize("text", ["", "nodejs 20\n", "python\n", "# python 3.12\n", "python3 3.12\n"])
def test_tool_versions_without_python(text: str) -> None:
    assert parse_tool_versions(text) is None


# --- Railpack's normalisation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "normalised"),
    [
        ("", "latest"),
        ("   ", "latest"),
        ("*", "latest"),
        (" * ", "latest"),
        ("3.12", "3.12"),
        (" 3.12.4\n", "3.12.4"),
        (">=3.10", "3"),
        (">= 3.10", "3"),
        (">=3.10,<3.13", "3"),
        (">=3.10 <3.13", "3"),
        ("<3.13 >=3.10", "3"),
        ("^3.11", "3"),
        ("^3", "3"),
        ("~3.11", "3.11"),
        ("v3.11", "3.11"),
        ("~v3.11", "3.11"),
        ("3.11.x", "3.11"),
        ("3.x", "3"),
        ("3.x.x", "3"),
        ("3.11.", "3.11"),
        ("latest", "latest"),
        # Quirks kept as Railpack has them: a range with no ">=" word falls through untouched.
        ("<3.13", "<3.13"),
        ("> =3.10", "> =3.10"),
        ("~=3.10", "=3.10"),
        (">=", ""),  # nothing after ">=": Go returns the empty string
    ],
)
def test_normalise_railpack_version(spec: str, normalised: str) -> None:
    assert normalise_railpack_version(spec) == normalised


def test_normalisation_trims_as_go_does() -> None:
    # Go's TrimSpace leaves \x1c-\x1f, which Python's str.strip() would remove.
    assert normalise_railpack_version("\x1f3.12") == "\x1f3.12"
    assert normalise_railpack_version("\u30003.12\u00a0") == "3.12"


@given(st.text())
def test_normalisation_never_raises(spec: str) -> None:
    assert isinstance(normalise_railpack_version(spec), str)
    minor_of(spec)


# --- minor_of --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "minor"),
    [
        ("3.12", (3, 12)),
        ("3.12.4", (3, 12)),
        ("python-3.12", (3, 12)),
        ("python3.11", (3, 11)),
        ("cpython-3.13.0rc1", (3, 13)),
        (" v3.10 ", (3, 10)),
        ("3.12.x", (3, 12)),
        ("==3.12.1", (3, 12)),
        ("~3.12", (3, 12)),
        ("3", None),
        ("latest", None),
        ("", None),
        (">=3.10", None),
        ("~=3.10", None),
        ("^3.11", None),
        ("3.13t", None),
        ("pypy3.10", None),
        ("3.x", None),
    ],
)
def test_minor_of(spec: str, minor: tuple[int, int] | None) -> None:
    assert minor_of(spec) == minor
