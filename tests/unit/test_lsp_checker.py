"""The server's checker without the protocol: the services of one file, with unsaved texts as overlay."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from helpers.paths import FIXTURES

from benchmarks.generate import write_monorepo
from railcheck.lsp.checker import RepositoryChecker


def test_an_unsaved_iac_file_is_checked_with_every_service_it_declares() -> None:
    root = FIXTURES / "iac-authoring-py"
    path = PurePosixPath(".railway/railway.py")
    text = (root / path).read_text(encoding="utf-8")
    checker = RepositoryChecker(root)
    saved = checker.check(path, {path: text})
    assert saved.services == ("app", "ingestion", "worker")
    assert "ST003" not in {d.code for d in saved.diagnostics.get(path, ())}
    edited = checker.check(path, {path: text.replace("--host 0.0.0.0", "--host 127.0.0.1")})
    assert "ST003" in {d.code for d in edited.diagnostics[path]}


def test_only_the_buffers_service_is_loaded_in_a_large_repository(tmp_path: Path) -> None:
    root = write_monorepo(tmp_path / "repo", 30)
    path = PurePosixPath("services/svc7/railpack.json")
    result = RepositoryChecker(root).check(path, {path: (root / path).read_text()})
    assert result.services == ("services/svc7",)
    assert all(str(file).startswith("services/svc7/") for file in result.texts)


def test_configuration_selection_and_ignores_apply(tmp_path: Path) -> None:
    root = Path(
        shutil.copytree(FIXTURES / "editor-service", tmp_path / "repo", ignore=shutil.ignore_patterns("expected"))
    )
    path = PurePosixPath("services/api/railpack.json")
    text = (root / path).read_text()
    assert {d.code for d in RepositoryChecker(root).check(path, {path: text}).diagnostics[path]} == {
        "PV006",
        "ST003",
        "RP001",
    }
    (root / "railcheck.toml").write_text('select = ["ST", "RP"]\nignore = ["RP001"]\n')
    assert {d.code for d in RepositoryChecker(root).check(path, {path: text}).diagnostics[path]} == {"ST003"}


def test_an_unsaved_new_config_makes_its_folder_a_service(tmp_path: Path) -> None:
    root = Path(
        shutil.copytree(FIXTURES / "editor-service", tmp_path / "repo", ignore=shutil.ignore_patterns("expected"))
    )
    path = PurePosixPath("services/new/railway.json")
    result = RepositoryChecker(root).check(path, {path: '{"build": {"builder": "NIXPACKZ"}}\n'})
    assert result.services == ("services/new",)
    assert {d.code for d in result.diagnostics[path]} >= {"RW002"}
