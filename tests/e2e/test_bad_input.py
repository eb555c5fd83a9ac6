"""End-to-end tests of `railcheck check` on bad input: broken, odd or hostile files beside a good service.

Every case builds a repository with a bad service and a good one (whose railpack.json always yields exactly
one RP001) and checks that railcheck reports the bad file once, clearly, keeps checking the good service,
exits 1 (findings) rather than 2, and never shows a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from railcheck.cli import main

GOOD = "services/good/railpack.json"
GOOD_TEXT = '{"provider": "python", "versions": "1"}'
BAD_DIR = "services/bad"


# --- helpers -------------------------------------------------------------------------------------


def make_repo(tmp_path: Path) -> Path:
    """A repository root (empty railcheck.toml) holding the good service."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "railcheck.toml").write_text("", encoding="utf-8")
    write(repo, GOOD, GOOD_TEXT)
    return repo


def write(repo: Path, relative: str, content: str | bytes) -> Path:
    path = repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        # newline="" keeps "\r\n" exactly as written.
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(content)
    return path


def run(*paths: Path | str) -> Result:
    result = CliRunner().invoke(main, ["check", *map(str, paths), "--output-format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def report(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.output}"
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert not [d for d in document["diagnostics"] if d["code"] == "RC002"], "a rule crashed"
    return document


def about(document: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [d for d in document["diagnostics"] if d["path"] == prefix or d["path"].startswith(prefix.rstrip("/") + "/")]


def assert_good_reported(document: dict[str, Any]) -> None:
    good = about(document, GOOD)
    assert [d["code"] for d in good] == ["RP001"], good
    assert "version" in good[0]["message"]


def check_bad(repo: Path, *, code: str = "RC001", path: str | None = None) -> dict[str, Any]:
    """Run on the whole repo: exit 1, the good RP001, and exactly one `code` diagnostic about services/bad."""
    result = run(repo)
    assert result.exit_code == 1, result.output
    document = report(result)
    assert_good_reported(document)
    bad = about(document, BAD_DIR)
    assert len(bad) == 1, bad
    assert bad[0]["code"] == code, bad
    if path is not None:
        assert bad[0]["path"] == path
    assert bad[0]["message"].strip()
    return bad[0]


def words(diagnostic: dict[str, Any]) -> str:
    return f"{diagnostic['message']} {diagnostic['help'] or ''}".lower()


def start(diagnostic: dict[str, Any]) -> tuple[int, int]:
    assert diagnostic["span"] is not None, diagnostic
    return diagnostic["span"]["start"]["line"], diagnostic["span"]["start"]["column"]


# --- 1-4: encoding, BOM, line endings, empty files ------------------------------------------------


def test_non_utf8_bytes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", b'{\n  "provider": "\xff"}')
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "utf-8" in words(bad)
    assert "0xff" in bad["message"]
    assert start(bad) == (2, 16)


def test_utf8_byte_order_mark(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", b"\xef\xbb\xbf{}")
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "byte-order mark" in words(bad) or "bom" in words(bad)
    assert start(bad) == (1, 1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_requirements_file_with_a_utf16_or_utf32_mark_is_read_as_pip_reads_it(tmp_path: Path, encoding: str) -> None:
    # pip decodes requirements files by their byte order mark: the same findings as from UTF-8, not a
    # decoding error and one RQ001 per line.
    requirements = "flask==3.0.0\ngunicorn==22.0.0\nnot a requirement ===\n"
    found = []
    for data in (
        requirements.encode("utf-8"),
        requirements.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + requirements.encode(encoding),
    ):
        repo = tmp_path / encoding / str(len(found))
        repo.mkdir(parents=True)
        (repo / "railcheck.toml").write_text("", encoding="utf-8")
        write(repo, f"{BAD_DIR}/railway.json", "{}")
        write(repo, f"{BAD_DIR}/requirements.txt", data)
        found.append(
            sorted(
                (d["code"], d["span"]["start"]["line"] if d["span"] else None) for d in report(run(repo))["diagnostics"]
            )
        )
    assert found[0] == found[1] and ("RQ001", 3) in found[1]


def test_a_broken_utf16_requirements_file_is_reported_once_not_per_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railway.json", "{}")
    write(repo, f"{BAD_DIR}/requirements.txt", "flask\ngunicorn\n".encode("utf-16") + b"\x00")  # an odd byte at the end
    found = [d for d in report(run(repo))["diagnostics"] if d["path"].endswith("requirements.txt")]
    assert [d["message"] for d in found if d["code"] == "RC001"] == [
        "`requirements.txt` is not valid UTF-16-LE (byte 0x00 at byte offset 32)"
    ]
    # The lines before the damage are read as pip reads them: no finding on them.
    assert not [d for d in found if d["code"].startswith("RQ") and d["span"] and d["span"]["start"]["line"] < 3]


def test_crlf_line_endings_error_position(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", '{\r\n  "provider": "python"\r\n  "deploy": {}\r\n}\r\n')
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert start(bad) == (3, 3)
    assert "expected ','" in bad["message"]
    assert "missing comma" in bad["message"]


@pytest.mark.parametrize("content", ["", "  \r\n\t\n"], ids=["empty", "whitespace-only"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", content)
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "empty" in bad["message"]
    assert "{}" in bad["message"]


# --- 5-7: size, depth, a folder where a file belongs -----------------------------------------------


def test_huge_file_is_not_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    padding = "a" * (10 * 1024 * 1024)
    write(repo, f"{BAD_DIR}/railpack.json", '{"provider": "python", "padding": "' + padding + '"}')
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    message = bad["message"].lower()
    assert "larger" in message or "too large" in message
    assert "mib" in message
    assert "not checked" in message


def test_deep_nesting(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", '{"a":' * 10000 + "1" + "}" * 10000)
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "nesting" in bad["message"] or "depth" in bad["message"]


def test_folder_named_like_the_config(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json/README.md", "not a config\n")
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "folder" in bad["message"]


# --- 8-11: permissions and symbolic links ----------------------------------------------------------


def _readable(path: Path) -> bool:
    # os.access is unreliable as root (and with capabilities): actually try.
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except PermissionError:
        return False
    return True


def test_unreadable_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    path = write(repo, f"{BAD_DIR}/railpack.json", '{"provider": "python", "versions": "1"}')
    path.chmod(0)
    try:
        if _readable(path):
            # Running as root (or with CAP_DAC_OVERRIDE): the file is read and checked like any other.
            bad = check_bad(repo, code="RP001", path=f"{BAD_DIR}/railpack.json")
            assert "version" in bad["message"]
        else:
            bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
            assert "cannot be read" in bad["message"]
            assert "permission" in bad["message"].lower()
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    # Opening a pipe for reading would wait for a writer forever: the run must neither hang nor crash.
    repo = make_repo(tmp_path)
    (repo / BAD_DIR).mkdir(parents=True)
    os.mkfifo(repo / BAD_DIR / "railpack.json")
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "not a regular file" in bad["message"]


def test_linked_parent_folder_pointing_outside_is_not_read(tmp_path: Path) -> None:
    # The file itself is plain; the folder it sits in is a link out of the repository.
    repo = make_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "requirements.txt").write_text("this is ! not a requirement\n", encoding="utf-8")
    write(repo, f"{BAD_DIR}/railpack.json", '{"provider": "python", "versions": "1"}')
    (repo / BAD_DIR / "deps").symlink_to(outside, target_is_directory=True)
    write(repo, f"{BAD_DIR}/requirements.txt", "-r deps/requirements.txt\n")
    document = report(run(repo))
    assert not [d for d in document["diagnostics"] if "not a requirement" in d["message"] or "this is" in d["message"]]


@pytest.mark.parametrize("layout", ["self", "pair", "dangling"])
def test_broken_symlink_or_loop(tmp_path: Path, layout: str) -> None:
    repo = make_repo(tmp_path)
    bad_dir = repo / BAD_DIR
    bad_dir.mkdir(parents=True)
    link = bad_dir / "railpack.json"
    if layout == "self":
        link.symlink_to("railpack.json")
    elif layout == "pair":
        link.symlink_to("other.json")
        (bad_dir / "other.json").symlink_to("railpack.json")
    else:
        link.symlink_to("missing.json")
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    message = bad["message"].lower()
    assert "link" in message
    assert "broken" in message or "loop" in message


def test_symlink_to_file_outside_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text("{ this is not JSON at all", encoding="utf-8")
    (repo / BAD_DIR).mkdir(parents=True)
    (repo / BAD_DIR / "railpack.json").symlink_to(outside)
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert "outside the repository" in bad["message"]
    # Nothing about the content of the outside file: it was never parsed.
    result = run(repo)
    for diagnostic in report(result)["diagnostics"]:
        assert "this" not in diagnostic["message"], diagnostic
        assert "expected" not in diagnostic["message"], diagnostic
        assert "outside.json" not in diagnostic["path"]


def test_symlinked_folder_pointing_outside_is_not_a_service(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    outside = tmp_path / "outside-service"
    outside.mkdir()
    (outside / "railpack.json").write_text('{"provider": "python", "bogus": 1}', encoding="utf-8")
    (repo / "services" / "bad").symlink_to(outside, target_is_directory=True)
    result = run(repo)
    assert result.exit_code == 1, result.output
    document = report(result)
    assert_good_reported(document)
    assert about(document, BAD_DIR) == []
    assert document["summary"]["services"] == 1
    assert document["summary"]["total"] == 1


# --- 12-14: syntax errors and wrong root types ------------------------------------------------------


def test_invalid_toml(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railway.toml", "[deploy\nx=1\n")
    bad = check_bad(repo, path=f"{BAD_DIR}/railway.toml")
    message = bad["message"].lower()
    assert "toml" in message
    assert "expected" in message
    assert start(bad)[0] == 1


def test_strict_json_trailing_comma(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railway.json", '{"build": {},}\n')
    bad = check_bad(repo, path=f"{BAD_DIR}/railway.json")
    assert "trailing comma" in bad["message"]
    assert "strict json" in bad["message"].lower()
    assert start(bad) == (1, 13)


@pytest.mark.parametrize(
    ("content", "position", "keyword"),
    [
        ("{'provider': 'python'}", (1, 2), "single-quoted"),
        ('{\n  provider: "python"\n}', (2, 3), "unquoted key"),
        ('{"deploy": {"healthcheckTimeout": 0x10}}', (1, 35), "hexadecimal"),
    ],
    ids=["single-quotes", "unquoted-key", "hex"],
)
def test_json5_syntax(tmp_path: Path, content: str, position: tuple[int, int], keyword: str) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", content)
    bad = check_bad(repo, path=f"{BAD_DIR}/railpack.json")
    assert keyword in bad["message"]
    assert "JSON5" in bad["message"] or "JWCC" in bad["message"]
    assert start(bad) == position


@pytest.mark.parametrize(("content", "kind"), [("[]", "array"), ("null", "null"), ("42", "integer")])
def test_non_object_root(tmp_path: Path, content: str, kind: str) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", content)
    bad = check_bad(repo, code="RP002", path=f"{BAD_DIR}/railpack.json")
    message = bad["message"]
    assert "must" in message and "object" in message
    assert f"not {kind}" in message or f"not an {kind}" in message or f"not a {kind}" in message
    assert start(bad) == (1, 1)


# --- 15-18: names, ignored folders, command-line paths ---------------------------------------------


def test_spaces_and_non_ascii_in_folder_names(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, "services/my svc ü/railpack.json", '{"provider": "python", "bogus": 1}')
    result = run(repo)
    assert result.exit_code == 1, result.output
    document = report(result)
    assert_good_reported(document)
    odd = about(document, "services/my svc ü")
    assert len(odd) == 1, document["diagnostics"]
    assert odd[0]["code"] == "RP001"
    assert odd[0]["path"] == "services/my svc ü/railpack.json"
    assert odd[0]["service"] == "services/my svc ü"
    assert "bogus" in odd[0]["message"]


@pytest.mark.parametrize("gitignore", [".gitignore", "services/.gitignore"], ids=["root", "nested"])
def test_ignored_folders_are_not_discovered(tmp_path: Path, gitignore: str) -> None:
    repo = make_repo(tmp_path)
    write(repo, gitignore, "ignored/\n")
    _check_ignored_layout(repo)


@pytest.mark.parametrize("target", [".", "services"], ids=["whole", "subfolder"])
def test_ignore_patterns_are_relative_to_their_file(tmp_path: Path, target: str) -> None:
    # Anchored patterns: `/services/ignored/` at the root and `/ignored/` in services/ name the same folder,
    # also when the check starts below the root (the root's .gitignore still applies there).
    repo = make_repo(tmp_path)
    write(repo, ".gitignore", "/services/ignored/\n")
    write(repo, "services/.gitignore", "/also-ignored/\n/services/\n")
    write(repo, "services/also-ignored/railpack.json", '{"provider": "python", "bogus": 1}')
    _check_ignored_layout(repo, target)


def _check_ignored_layout(repo: Path, target: str = ".") -> None:
    broken = b'{"provider": "\xff", bogus'
    write(repo, "services/ignored/railpack.json", broken)
    write(repo, "services/ignored/deeper/railway.toml", "[deploy\n")
    write(repo, "node_modules/x/railpack.json", broken)
    write(repo, ".venv/x/railpack.json", broken)
    write(repo, "services/node_modules/x/railpack.json", broken)
    result = run(repo / target)
    assert result.exit_code == 1, result.output
    document = report(result)
    assert_good_reported(document)
    assert document["summary"]["services"] == 1
    assert document["summary"]["total"] == 1


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    missing = repo / "does-not-exist"
    result = CliRunner().invoke(main, ["check", str(missing), "--output-format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "no such file or folder" in result.output
    assert str(missing) in result.output
    assert result.stdout.strip() == "" or "Usage" in result.output


def test_single_file_path_checks_only_its_service(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, f"{BAD_DIR}/railpack.json", b'{"provider": "\xff"}')
    result = run(repo / GOOD)
    assert result.exit_code == 1, result.output
    document = report(result)
    assert_good_reported(document)
    assert about(document, BAD_DIR) == []
    assert document["summary"]["services"] == 1
    assert document["summary"]["total"] == 1
    # Sanity check: the whole repository does report the bad service.
    check_bad(repo, path=f"{BAD_DIR}/railpack.json")


def test_symlink_to_outside_file_passed_explicitly(tmp_path: Path) -> None:
    """As pre-commit passes files: the link is still checked where it sits, and its target is never read."""
    repo = make_repo(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text("{ this is not JSON at all", encoding="utf-8")
    (repo / BAD_DIR).mkdir(parents=True)
    (repo / BAD_DIR / "railpack.json").symlink_to(outside)
    result = run(repo / BAD_DIR / "railpack.json")
    assert result.exit_code == 1, result.output
    document = report(result)
    assert len(document["diagnostics"]) == 1, document["diagnostics"]
    bad = document["diagnostics"][0]
    assert "this" not in bad["message"], "the outside file was read and parsed"
    assert bad["code"] == "RC001"
    assert bad["path"] == f"{BAD_DIR}/railpack.json"
    assert "outside the repository" in bad["message"]


@pytest.mark.parametrize("target", [BAD_DIR, f"{BAD_DIR}/railpack.json"], ids=["folder", "file-in-folder"])
def test_symlinked_folder_pointing_outside_passed_explicitly(tmp_path: Path, target: str) -> None:
    """A linked folder leading out of the repository, named on the command line, is refused (exit 2)."""
    repo = make_repo(tmp_path)
    outside = tmp_path / "outside-service"
    outside.mkdir()
    (outside / "railpack.json").write_text('{"provider": "python", "bogus": 1}', encoding="utf-8")
    (repo / "services" / "bad").symlink_to(outside, target_is_directory=True)
    result = run(repo / target)
    assert result.exit_code == 2
    assert "leads outside the repository" in result.output
    assert "bogus" not in result.output, "the folder outside the repository was checked"


def test_json_output_is_one_document_for_several_repositories(tmp_path: Path) -> None:
    """`--output-format json` promises one versioned document, also when the paths span two repositories."""
    first = make_repo(tmp_path)
    second = tmp_path / "second"
    second.mkdir()
    (second / "railcheck.toml").write_text("", encoding="utf-8")
    write(second, GOOD, GOOD_TEXT)
    result = run(first, second)
    assert result.exit_code == 1, result.output
    document = report(result)
    assert [d["code"] for d in document["diagnostics"]] == ["RP001", "RP001"]
    assert document["summary"]["services"] == 2
    assert document["summary"]["total"] == 2


def test_module_names_too_long_for_the_file_system(tmp_path: Path) -> None:
    """Found by benchmarks/fuzz.py (seed 7, case 804): ENAMETOOLONG from a path test crashed ST001/ST002."""
    module = "app" + "9" * 400
    (tmp_path / "railcheck.toml").touch()
    service = tmp_path / "services" / "svc"
    service.mkdir(parents=True)
    (service / "railpack.json").write_text(
        json.dumps({"deploy": {"startCommand": f"uvicorn {module}:app --host 0.0.0.0 --port $PORT"}})
    )
    (service / "railway.json").write_text('{"deploy": {"healthcheckPath": "/h"}}')
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--output-format", "json", "--no-cache"])
    codes = [d["code"] for d in json.loads(result.output)["diagnostics"]]
    assert result.exit_code == 1 and "RC002" not in codes and "ST001" in codes
