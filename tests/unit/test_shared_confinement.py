"""The repository's reads and the result cache's hashing judge links with one `Confinement`, so they agree."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from railcheck.cache import ResultCache
from railcheck.repository import Confinement, Repository


def test_reads_and_cache_hashes_agree_on_every_kind_of_linked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "data").mkdir(parents=True)
    (outside / "data" / "secret.txt").write_text("secret\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text("[core]\n")
    (repo / "real").mkdir()
    (repo / "real" / "file.txt").write_text("inside\n")
    (repo / "out").symlink_to(outside / "data")
    (repo / "git").symlink_to(repo / ".git")
    (repo / "alias").symlink_to(repo / "real")
    root = repo.resolve()
    repository = Repository(root)
    cache = ResultCache(root)

    for folder, inside in (("real", True), ("alias", True), ("out", False), ("git", False)):
        assert repository.is_dir(PurePosixPath(folder)) is inside, folder
        assert cache.confinement.inside(folder) is inside, folder
        assert isinstance(cache.confinement, Confinement)

    # What a read refuses, the cache never hashes by content.
    assert repository.read(PurePosixPath("out/secret.txt")) is None
    assert cache.dependencies({"out/secret.txt": None}) == {"out/secret.txt": "outside"}
    assert repository.read(PurePosixPath("alias/file.txt")) == "inside\n"


def test_a_resolved_path_is_inside_below_the_root_and_outside_git(tmp_path: Path) -> None:
    (tmp_path / ".git" / "hooks").mkdir(parents=True)
    (tmp_path / "src").mkdir()
    confinement = Confinement(tmp_path.resolve())

    assert confinement.inside("src/deeper/still")  # no link on the way
    assert confinement.leads_inside((tmp_path / "src").resolve())
    assert not confinement.leads_inside((tmp_path / ".git" / "hooks").resolve())
    assert not confinement.leads_inside(tmp_path.parent.resolve())
    assert not confinement.inside("../elsewhere") and not confinement.inside(".git/hooks")
