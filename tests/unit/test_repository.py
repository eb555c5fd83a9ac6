"""railcheck.repository on its own: reading confined to the repository, the overlay before the disk, the
size limit, and every unreadable file as a FileProblem rather than an exception."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from railcheck.repository import (
    MAX_FILE_BYTES,
    PATH_MAX,
    FileProblem,
    Repository,
    merge_observed,
    names_git_folder,
    outside_lexically,
    read_regular_file,
)

P = PurePosixPath


def _repository(root: Path, files: dict[str, str | bytes], overlay: dict[str, str] | None = None) -> Repository:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return Repository(root, {P(name): text for name, text in (overlay or {}).items()})


def _only_problem(repository: Repository) -> FileProblem:
    (problem,) = repository.problems
    return problem


def test_a_file_is_read_once_per_load(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railpack.json": "{}\n"})
    assert repository.read(P("svc/railpack.json")) == "{}\n"
    (tmp_path / "svc" / "railpack.json").write_text('{"provider": "node"}\n')
    # A Repository answers for one load of the project: a file written later is the next load's business.
    assert repository.read(P("svc/railpack.json")) == "{}\n"
    assert repository.texts == {P("svc/railpack.json"): "{}\n"}
    assert repository.problems == []


def test_a_missing_file_is_none_without_a_problem(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railpack.json": "{}"})
    assert repository.read(P("svc/railway.json")) is None
    assert repository.read(P("nowhere/railway.json")) is None
    assert not repository.exists(P("svc/railway.json"))
    assert repository.problems == []


def test_the_overlay_comes_before_the_disk(tmp_path: Path) -> None:
    repository = _repository(
        tmp_path,
        {"svc/railpack.json": '{"provider": "python"}'},
        overlay={"svc/railpack.json": '{"provider": "node"}', "svc/railway.json": "{}"},
    )
    assert repository.read(P("svc/railpack.json")) == '{"provider": "node"}'
    # A file only the overlay holds (what --fix would create) exists, is a file and is listed with the rest.
    assert repository.exists(P("svc/railway.json")) and repository.is_file(P("svc/railway.json"))
    assert repository.listdir(P("svc")) == ("railpack.json", "railway.json")
    assert P("svc/railway.json") in repository.files_under(P("svc"))
    assert repository.read(P("svc/railway.json")) == "{}"


def test_kinds_of_entries(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/app/main.py": ""})
    assert repository.is_dir(P("svc/app")) and not repository.is_file(P("svc/app"))
    assert repository.is_file(P("svc/app/main.py")) and not repository.is_dir(P("svc/app/main.py"))
    assert repository.listdir(P("svc")) == ("app",)
    assert repository.listdir(P("svc/app/main.py")) == ()  # not a folder: nothing to list
    assert repository.listdir(P("absent")) == ()


@pytest.mark.parametrize("path", ["../outside.json", "svc/../../outside.json", "/etc/hostname", ".git/config"])
def test_paths_that_leave_the_repository_are_never_read(tmp_path: Path, path: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside.json").write_text("{}")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    repository = _repository(root, {"svc/railpack.json": "{}"})
    assert repository.read(P(path)) is None
    assert not repository.exists(P(path))
    assert repository.problems == []  # not a file of the repository: nothing to report about it either


def test_a_link_out_of_the_repository_is_a_problem_not_a_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    repository = _repository(root, {"svc/railway.json": "{}"})
    (tmp_path / "secret.json").write_text('{"token": "x"}')
    (root / "svc" / "railpack.json").symlink_to(tmp_path / "secret.json")
    assert not repository.exists(P("svc/railpack.json"))
    assert not repository.is_file(P("svc/railpack.json"))
    assert repository.read(P("svc/railpack.json")) is None
    problem = _only_problem(repository)
    assert problem.path == P("svc/railpack.json")
    assert "outside the repository" in problem.message
    assert P("svc/railpack.json") not in repository.texts


def test_a_linked_folder_leading_out_hides_what_it_holds(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "railpack.json").write_text("{}")
    repository = _repository(root, {"svc/railway.json": "{}"})
    (root / "svc" / "config").symlink_to(outside, target_is_directory=True)
    assert not repository.is_dir(P("svc/config"))
    assert repository.listdir(P("svc/config")) == ()
    assert not repository.exists(P("svc/config/railpack.json"))
    assert repository.read(P("svc/config/railpack.json")) is None


def test_a_link_inside_the_repository_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    repository = _repository(root, {"shared/railpack.json": '{"provider": "node"}'})
    (root / "svc").mkdir()
    (root / "svc" / "railpack.json").symlink_to(root / "shared" / "railpack.json")
    assert repository.exists(P("svc/railpack.json")) and repository.is_file(P("svc/railpack.json"))
    assert repository.read(P("svc/railpack.json")) == '{"provider": "node"}'
    assert repository.problems == []


def test_a_link_into_the_git_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    repository = _repository(root, {".git/config": "[http]\n\textraheader = token\n", "svc/railway.json": "{}"})
    (root / "svc" / "railpack.json").symlink_to(root / ".git" / "config")
    assert repository.read(P("svc/railpack.json")) is None
    assert "git folder" in _only_problem(repository).message


def test_a_broken_link_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    repository = _repository(root, {"svc/railway.json": "{}"})
    (root / "svc" / "railpack.json").symlink_to(root / "svc" / "gone.json")
    assert repository.read(P("svc/railpack.json")) is None
    assert "broken symbolic link" in _only_problem(repository).message


def test_a_folder_where_a_file_is_expected_is_a_problem(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railpack.json/inner.json": "{}"})
    assert repository.read(P("svc/railpack.json")) is None
    assert "is a folder" in _only_problem(repository).message


def test_a_pipe_is_never_waited_on(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railway.json": "{}"})
    os.mkfifo(tmp_path / "svc" / "railpack.json")  # nobody writes to it: reading it would block for ever
    assert repository.exists(P("svc/railpack.json"))
    assert not repository.is_file(P("svc/railpack.json"))
    assert repository.read(P("svc/railpack.json")) is None
    assert "not a regular file" in _only_problem(repository).message


def test_a_file_over_the_size_limit_is_a_problem_naming_its_size(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railway.json": "{}"})
    big = tmp_path / "svc" / "railpack.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: the size counts, not the bytes on disk
    assert repository.read(P("svc/railpack.json")) is None
    problem = _only_problem(repository)
    assert "larger than the 2 MiB railcheck reads" in problem.message
    assert problem.message.startswith("is 2.0 MiB")


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    text = "#" * (MAX_FILE_BYTES - 1) + "\n"
    repository = _repository(tmp_path, {"svc/requirements.txt": text})
    assert repository.read(P("svc/requirements.txt")) == text
    assert repository.problems == []


def test_bytes_that_are_not_utf8_are_a_problem_at_their_position(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railpack.json": b'{\n  "provider": "pyth\xe9n"\n}\n'})
    assert repository.read(P("svc/railpack.json")) is None
    problem = _only_problem(repository)
    assert "not valid UTF-8 (byte 0xe9 at byte offset 21)" in problem.message
    # Lines and columns count from 1: the é is the 20th character of line 2.
    assert problem.span is not None and (problem.span.start.line, problem.span.start.column) == (2, 20)
    assert problem.help is not None and "UTF-8" in problem.help
    # The text with a replacement character stays visible to rules, but marked so that no fix writes it back.
    assert repository.texts[P("svc/railpack.json")] == '{\n  "provider": "pyth\ufffdn"\n}\n'
    assert repository.lossy == {P("svc/railpack.json")}
    # Reported once, however often the file is read.
    repository.read(P("svc/railpack.json"))
    assert len(repository.problems) == 1


def test_a_requirements_file_with_a_utf16_mark_is_decoded_as_pip_does(tmp_path: Path) -> None:
    text = "flask==3.0\n"
    repository = _repository(
        tmp_path,
        {"svc/requirements.txt": b"\xff\xfe" + text.encode("utf-16-le"), "svc/runtime.txt": b"\xff\xfe" + b"p\x00"},
    )
    assert repository.read(P("svc/requirements.txt")) == text
    assert repository.problems == []
    # runtime.txt is Railpack's, not pip's: read as UTF-8 like every other file.
    assert repository.read(P("svc/runtime.txt")) is None
    assert "not valid UTF-8" in _only_problem(repository).message


def test_files_under_skips_dependency_folders_and_links_and_stops_at_the_limit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files: dict[str, str | bytes] = {f"svc/src/m{index}.py": "" for index in range(5)}
    files |= {"svc/node_modules/pkg/index.js": "", "svc/.venv/lib/site.py": "", "svc/main.py": ""}
    repository = _repository(root, files)
    (root / "svc" / "linked.py").symlink_to(root / "svc" / "main.py")
    found = repository.files_under(P("svc"))
    assert sorted(map(str, found)) == ["svc/main.py", *(f"svc/src/m{index}.py" for index in range(5))]
    # Breadth first: the folder's own files come before those of its subfolders.
    assert found[0] == P("svc/main.py")
    assert len(repository.files_under(P("svc"), limit=3)) == 3


def test_observed_records_the_stamp_of_each_file_read(tmp_path: Path) -> None:
    repository = _repository(tmp_path, {"svc/railpack.json": "{}\n"})
    repository.read(P("svc/railpack.json"))
    repository.exists(P("svc/railway.json"))
    name, (size, _, _, inode) = repository.observed["svc/railpack.json"]  # type: ignore[misc]
    status = (tmp_path / "svc" / "railpack.json").stat()
    assert (name, size, inode) == ("svc/railpack.json", 3, status.st_ino)
    # An absent file depends on its folder's listing: stamped with the folder, so a new file is noticed.
    assert repository.observed["svc/railway.json"] is not None
    assert repository.observed["svc/railway.json"][0] == "svc"  # type: ignore[index]


def test_read_regular_file_refuses_links_and_files_over_its_limit(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    assert read_regular_file(tmp_path / "a.txt") == b"hello"
    assert read_regular_file(tmp_path / "a.txt", limit=4) is None
    assert read_regular_file(tmp_path / "link.txt") is None
    assert read_regular_file(tmp_path) is None
    assert read_regular_file(tmp_path / "missing") is None
    assert read_regular_file("a\0b") is None


@pytest.mark.parametrize(
    ("path", "outside"),
    [
        ("services/api/railpack.json", False),
        ("services/../railpack.json", True),  # `..` as written, even when it would land inside
        ("/etc/passwd", True),
        (".git/config", True),
        ("services/.GIT/hooks/pre-commit", True),  # a case-insensitive file system opens it as .git
        (".github/workflows/ci.yml", False),
        ("a" * PATH_MAX, False),
        ("a" * (PATH_MAX + 1), True),
    ],
)
def test_what_is_outside_as_written(path: str, outside: bool) -> None:
    assert outside_lexically(path) is outside
    assert names_git_folder(path) is (".git" in path.lower().split("/"))


def test_merged_observations_never_match_a_file_that_changed_between_reads() -> None:
    first = ("svc/railpack.json", (3, 10, 10, 7))
    later = ("svc/railpack.json", (4, 20, 20, 7))
    merged = merge_observed([{"a": first, "b": None, "c": first}, {"a": first, "b": first, "c": later}])
    assert merged["a"] == first and merged["b"] == first  # the same stamp, or one part took none
    assert merged["c"] not in (first, later)  # changed mid-check: no stat of any file gives this stamp


def test_text_is_what_texts_holds_for_each_path_read(tmp_path: Path) -> None:
    # Facts find the root files' texts by name through `text`: the same answers as `texts`, file by file.
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "good.txt").write_text("ok\n")
    (tmp_path / "svc" / "lossy.txt").write_bytes(b"caf\xe9\n")
    (tmp_path / "svc" / "folder").mkdir()
    (tmp_path / "svc" / "link.txt").symlink_to("good.txt")
    repository = Repository(tmp_path, {PurePosixPath("svc/new.txt"): "typed\n"})
    names = ["svc/good.txt", "svc/lossy.txt", "svc/folder", "svc/link.txt", "svc/new.txt", "svc/none.txt", "../x"]
    for name in names:
        repository.read(PurePosixPath(name))
    for name in [*names, "svc/unread.txt"]:
        assert repository.text(name) == repository.texts.get(PurePosixPath(name)), name
        assert repository.text(PurePosixPath(name)) == repository.texts.get(PurePosixPath(name)), name
    assert repository.text("svc/lossy.txt") == "caf\ufffd\n"
