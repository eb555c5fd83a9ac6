"""The folder walker (railcheck/walker.py) on its own: its policy decides what a walk enters, never a link."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from railcheck.config import load_config
from railcheck.ignore_files import IgnoreFiles
from railcheck.layout import SKIPPED_DIRS
from railcheck.repository import Repository
from railcheck.walker import FOLDER, LINK, Listing, WalkPolicy, entry_kind, walk, walk_files


def _tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


class _Lister:
    """Lists folders below `root` as the walker's callers do, and remembers which it listed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.listed: list[str] = []

    def __call__(self, folder: PurePosixPath) -> Listing | None:
        self.listed.append(str(folder))
        try:
            with os.scandir(self.root / folder) as entries:
                return {entry.name: entry_kind(entry) for entry in sorted(entries, key=lambda entry: entry.name)}
        except OSError:
            return None


def test_the_walk_is_breadth_first_and_skips_the_policys_names(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/b/c/x.txt": "", "a/node_modules/pkg/y.txt": "", "d/z.txt": "", ".git/HEAD": ""})
    lister = _Lister(tmp_path)

    folders = [str(folder) for folder, _ in walk(PurePosixPath("."), lister, WalkPolicy())]

    assert folders == [".", "a", "d", "a/b", "a/b/c"]
    assert "node_modules" in SKIPPED_DIRS and ".git" in SKIPPED_DIRS
    # A different skip set is a different policy: only what it names is left out.
    everything = [str(folder) for folder, _ in walk(PurePosixPath("."), _Lister(tmp_path), WalkPolicy(frozenset()))]
    assert {".git", "a/node_modules", "a/node_modules/pkg"} <= set(everything)


def test_a_linked_folder_is_never_entered_whatever_the_policy(tmp_path: Path) -> None:
    outside = _tree(tmp_path / "outside", {"secret/railpack.json": "{}"})
    repo = _tree(tmp_path / "repo", {"inside/file.txt": ""})
    (repo / "escape").symlink_to(outside)
    (repo / "loop").symlink_to(repo)

    listing = dict(next(iter(walk(PurePosixPath("."), _Lister(repo), WalkPolicy(frozenset()))))[1])
    folders = [str(folder) for folder, _ in walk(PurePosixPath("."), _Lister(repo), WalkPolicy(frozenset()))]
    files = [str(path) for path in walk_files(PurePosixPath("."), _Lister(repo), WalkPolicy(frozenset()))]

    assert listing["escape"] == LINK and listing["loop"] == LINK and listing["inside"] == FOLDER
    assert folders == [".", "inside"]
    assert files == ["inside/file.txt"]  # a link is not a file either: it may lead anywhere


def test_a_folder_that_cannot_be_listed_is_left_out_with_everything_below(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/b/x.txt": "", "c/y.txt": ""})
    base = _Lister(tmp_path)

    def lister(folder: PurePosixPath) -> Listing | None:
        return None if str(folder) == "a" else base(folder)

    assert [str(folder) for folder, _ in walk(PurePosixPath("."), lister, WalkPolicy())] == [".", "c"]


def test_the_file_limit_stops_the_walk_before_listing_more_folders(tmp_path: Path) -> None:
    _tree(tmp_path, {"one.txt": "", "two.txt": "", "sub/three.txt": "", "sub/deeper/four.txt": ""})
    lister = _Lister(tmp_path)

    files = list(walk_files(PurePosixPath("."), lister, WalkPolicy(file_limit=2)))

    assert [str(path) for path in files] == ["one.txt", "two.txt"]
    assert lister.listed == ["."]  # the subfolders were never listed
    unlimited = _Lister(tmp_path)
    assert len(list(walk_files(PurePosixPath("."), unlimited, WalkPolicy()))) == 4
    assert unlimited.listed == [".", "sub", "sub/deeper"]
    nothing = _Lister(tmp_path)
    assert list(walk_files(PurePosixPath("."), nothing, WalkPolicy(file_limit=0))) == []
    assert nothing.listed == []


def test_ignore_files_prune_folders_as_git_weighs_them(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "railcheck.toml": 'exclude = ["drafts/"]\n',
            ".gitignore": "build/\n",
            "apps/.gitignore": "!build/\ncache/\n",
            "build/x.txt": "",
            "apps/build/y.txt": "",
            "apps/cache/z.txt": "",
            "drafts/w.txt": "",
            "kept/v.txt": "",
        },
    )
    policy = WalkPolicy(SKIPPED_DIRS, IgnoreFiles(tmp_path, load_config(tmp_path)))

    folders = {str(folder) for folder, _ in walk(PurePosixPath("."), _Lister(tmp_path), policy)}

    # The deeper .gitignore re-includes apps/build; the root's ignores build/; `exclude` drops drafts/.
    assert folders == {".", "apps", "apps/build", "kept"}
    # A walk that starts below the root still honours the ignore files above its start.
    below = {str(folder) for folder, _ in walk(PurePosixPath("apps"), _Lister(tmp_path), policy)}
    assert below == {"apps", "apps/build"}


def test_repository_files_under_uses_the_walker_with_the_repositorys_listings(tmp_path: Path) -> None:
    _tree(tmp_path, {"svc/a.txt": "", "svc/pkg/b.py": "", "svc/node_modules/c.js": "", "svc/.gitignore": "pkg/\n"})
    (tmp_path / "svc" / "link.txt").symlink_to(tmp_path / "svc" / "a.txt")
    repository = Repository(tmp_path.resolve(), {PurePosixPath("svc/pkg/new.py"): "x = 1\n"})

    files = {str(path) for path in repository.files_under(PurePosixPath("svc"))}

    # No ignore files for rules (pkg/ is listed), no dependency folders, no links; overlay texts count as files.
    assert files == {"svc/a.txt", "svc/.gitignore", "svc/pkg/b.py", "svc/pkg/new.py"}
    assert len(repository.files_under(PurePosixPath("svc"), limit=1)) == 1
    # What the walk listed is recorded for the result cache, folder by folder.
    assert {"svc/", "svc/pkg/"} <= set(repository.observed)
    assert "svc/node_modules/" not in repository.observed
