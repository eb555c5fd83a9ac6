"""railcheck.modules: image paths mapped onto the root directory, and dotted modules resolved as `import`
would find them, by asking the Repository which files exist (nothing is imported)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from railcheck.modules import escapes_root, find_module, image_path, module_candidates, search_bases
from railcheck.repository import Repository

P = PurePosixPath
ROOT = P("services/api")


def _repository(root: Path, names: list[str]) -> Repository:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return Repository(root)


@pytest.mark.parametrize(
    ("cwd", "value", "expected"),
    [
        (".", "/app", "services/api"),  # the image's working directory is the root directory
        (".", "/app/", "services/api"),
        (".", "/app/src/main.py", "services/api/src/main.py"),
        (".", "src/main.py", "services/api/src/main.py"),
        ("src", "main.py", "services/api/src/main.py"),  # relative to where `cd` left the command
        ("src", "../static", "services/api/static"),
        (".", "./a/../b", "services/api/b"),
        ("src", "/app/main.py", "services/api/main.py"),  # an absolute path ignores the working directory
        ("/app/src", ".", "services/api/src"),  # `cd /app/src`: the working directory as the image has it
        ("/app/src", "main.py", "services/api/src/main.py"),
        ("/app", "src", "services/api/src"),
    ],
)
def test_image_paths_inside_app_map_into_the_root(cwd: str, value: str, expected: str) -> None:
    assert image_path(ROOT, cwd, value) == P(expected)


@pytest.mark.parametrize(
    ("cwd", "value"),
    [
        (".", "/usr/local/bin/python"),  # a system path: not a file of the repository
        (".", "/application/main.py"),  # only `/app` itself and what is below it
        (".", "../shared/lib.py"),  # climbs out of the root directory
        ("src", "../../x"),
        (".", "/app/../etc/passwd"),
        ("/srv", "main.py"),  # `cd /srv`: a folder outside /app, not a path of the repository
        ("/app/src", "../../etc"),
    ],
)
def test_image_paths_outside_app_or_above_the_root_are_none(cwd: str, value: str) -> None:
    assert image_path(ROOT, cwd, value) is None


@pytest.mark.parametrize(
    ("cwd", "value", "expected"),
    [
        (".", "../shared", True),
        ("src", "../shared", False),  # back at the root, not above it
        ("src", "../../shared", True),
        (".", "/etc/hosts", False),  # absolute: outside /app is a different question (image_path's None)
        (".", "..", True),
    ],
)
def test_escapes_root(cwd: str, value: str, expected: bool) -> None:
    assert escapes_root(cwd, value) is expected


def test_search_bases_in_import_order_without_repeats() -> None:
    bases = search_bases(ROOT, ".", ["lib", "", "/app"], ["/app/vendor", "/usr/lib/python3", "lib"])
    # --app-dir style folders first, then the working directory, then PYTHONPATH; system folders and
    # repeats (`/app` is the working directory, `lib` was named already) are left out.
    assert bases == [P("services/api/lib"), P("services/api"), P("services/api/vendor")]


def test_search_folders_are_relative_to_the_working_directory() -> None:
    assert search_bases(ROOT, "src", ["lib"], ["/app/vendor"])[0] == P("services/api/src/lib")


def test_the_working_directory_is_searched_once_not_joined_onto_itself() -> None:
    # `cd api && uvicorn main:app` imports `main` from services/api/api, not services/api/api/api.
    assert search_bases(ROOT, "api", [], []) == [P("services/api/api")]
    assert search_bases(ROOT, "api", ["src"], ["lib"]) == [
        P("services/api/api/src"),
        P("services/api/api"),
        P("services/api/api/lib"),
    ]


def test_find_module_prefers_a_package_to_a_module_of_the_same_name(tmp_path: Path) -> None:
    # Python's path finder looks for `pkg/__init__.py` before `pkg.py` in each folder.
    repository = _repository(tmp_path, ["services/api/pkg.py", "services/api/pkg/__init__.py"])
    assert find_module(repository, [ROOT], "pkg") == P("services/api/pkg/__init__.py")


def test_a_namespace_folder_loses_to_a_regular_module_in_a_later_folder(tmp_path: Path) -> None:
    repository = _repository(tmp_path, ["services/api/tool/readme.txt", "services/api/src/tool.py"])
    assert find_module(repository, [ROOT, ROOT / "src"], "tool") == P("services/api/src/tool.py")
    assert find_module(repository, [ROOT], "tool") == P("services/api/tool")


def test_find_module_prefers_the_module_file_then_the_package_then_a_namespace(tmp_path: Path) -> None:
    repository = _repository(
        tmp_path,
        [
            "services/api/app/main.py",
            "services/api/app/__init__.py",
            "services/api/space/tool.py",
            "services/api/src/deep/mod.py",
        ],
    )
    bases = [ROOT, ROOT / "src"]
    assert find_module(repository, bases, "app.main") == P("services/api/app/main.py")
    assert find_module(repository, bases, "app") == P("services/api/app/__init__.py")
    # A folder without __init__.py is a namespace package: importable, though it defines nothing itself.
    assert find_module(repository, bases, "space") == P("services/api/space")
    # The second base is searched when the first has nothing.
    assert find_module(repository, bases, "deep.mod") == P("services/api/src/deep/mod.py")
    assert find_module(repository, bases, "missing") is None
    assert find_module(repository, [ROOT / "src"], "app.main") is None


@pytest.mark.parametrize("module", ["", "app.main-v2", "2fa", "app/main", "."])
def test_find_module_refuses_names_python_cannot_import(tmp_path: Path, module: str) -> None:
    repository = _repository(tmp_path, ["services/api/app/main-v2.py", "services/api/2fa.py", "services/api/app.py"])
    assert find_module(repository, [ROOT], module) is None


def test_module_candidates_name_files_like_the_missing_module(tmp_path: Path) -> None:
    repository = _repository(
        tmp_path,
        [
            "services/api/src/app/main.py",
            "services/api/main.py",
            "services/api/tools/main/__init__.py",
            "services/api/my-scripts/main.py",  # not importable as a dotted name
            "services/api/node_modules/x/main.py",  # a dependency folder is never searched
            "services/api/src/app/other.py",
        ],
    )
    assert module_candidates(repository, ROOT, "app.main", ".") == ["main", "src.app.main", "tools.main"]
    # Relative to the working directory; files above it cannot be named by a dotted module from there.
    assert module_candidates(repository, ROOT, "main", "src") == ["app.main"]


def _find_module_with_paths(repository: Repository, bases: list[PurePosixPath], module: str) -> PurePosixPath | None:
    """find_module as it joined path objects before it probed candidates as text: the reference."""
    parts = [part for part in module.split(".") if part]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    namespace = None
    for base in bases:
        path = base.joinpath(*parts)
        for candidate in (path / "__init__.py", path.with_name(parts[-1] + ".py")):
            if repository.is_file(candidate):
                return candidate
        if namespace is None and repository.is_dir(path):
            namespace = path
    return namespace


def test_find_module_probes_the_candidates_a_path_join_makes(tmp_path: Path) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    repository = _repository(
        tmp_path,
        ["a/__init__.py", "a/b.py", "a/c/d.py", "b/a.py", "c/readme.txt", "a/c/__init__.py", "src/b/__init__.py"],
    )
    folders = st.sampled_from([".", "a", "b", "c", "src", "a/c", "x", "/", "a/../b"]).map(PurePosixPath)

    @settings(max_examples=400, deadline=None)
    @given(st.lists(folders, max_size=3), st.lists(st.sampled_from(["a", "b", "c", "d", "", "1x"]), max_size=3))
    def probe(bases: list[PurePosixPath], parts: list[str]) -> None:
        module = ".".join(parts)
        assert find_module(repository, bases, module) == _find_module_with_paths(repository, bases, module)

    probe()
