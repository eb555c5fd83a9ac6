"""Discovery (railcheck/discovery.py) on its own: which services a check of some targets covers, as a Plan."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from railcheck.config import load_config
from railcheck.discovery import Plan, discover, is_named_railpack_config

P = PurePosixPath


def _repo(root: Path, files: dict[str, str], config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "railcheck.toml").write_text(config)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _plan(root: Path, *targets: str) -> Plan:
    return discover(root, load_config(root), [P(target) for target in targets] or [P(".")])


def test_every_folder_with_a_marker_file_is_a_service(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {
            "railway.toml": "",
            "services/api/railpack.json": "{}",
            "services/web/railway.json": "{}",
            "services/web/nested/railway.toml": "",
            "services/docs/README.md": "",
        },
    )

    plan = _plan(tmp_path)

    assert plan.folders == (P("."), P("services/api"), P("services/web"), P("services/web/nested"))
    assert plan.discovered == 4 and plan.size == 4 and plan.unlisted == ()


def test_skipped_ignored_excluded_and_linked_folders_are_not_searched(tmp_path: Path) -> None:
    outside = _repo(tmp_path / "outside", {"evil/railpack.json": "{}"})
    repo = _repo(
        tmp_path / "repo",
        {
            ".gitignore": "generated/\n",
            "node_modules/pkg/railpack.json": "{}",
            "generated/railpack.json": "{}",
            "drafts/railpack.json": "{}",
            "apps/api/railpack.json": "{}",
        },
        config='exclude = ["drafts/"]\n',
    )
    (repo / "linked").symlink_to(outside)

    assert _plan(repo).folders == (P("apps/api"),)


def test_a_file_target_checks_the_nearest_service_above_it(tmp_path: Path) -> None:
    _repo(tmp_path, {"apps/api/railpack.json": "{}", "apps/api/src/main.py": "", "apps/web/railway.json": "{}"})

    assert _plan(tmp_path, "apps/api/src/main.py").folders == (P("apps/api"),)
    assert _plan(tmp_path, "apps/api/src").folders == (P("apps/api"),)
    assert _plan(tmp_path, "apps/web").folders == (P("apps/web"),)


def test_a_top_level_file_outside_every_service_checks_them_all(tmp_path: Path) -> None:
    _repo(tmp_path, {"apps/api/railpack.json": "{}", "apps/web/railway.json": "{}", ".python-version": "3.12\n"})

    assert _plan(tmp_path, ".python-version").folders == (P("apps/api"), P("apps/web"))


def test_a_declared_service_owns_its_root_and_config_folders(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {"backend/railpack.json": "{}", "deploy/api/railway.json": "{}", "other/railpack.json": "{}"},
        config='[services.api]\nroot = "backend"\nrailway-config = "/deploy/api/railway.json"\n',
    )

    plan = _plan(tmp_path)

    assert [declaration.name for declaration in plan.declarations] == ["api"]
    # backend/ is the declared service's root and deploy/api/ holds its Railway config: neither is a service.
    assert plan.folders == (P("other"),)
    assert plan.roots() == (P("other"), P("backend"))


def test_more_services_than_the_limit_are_cut_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import railcheck.discovery as discovery_module

    monkeypatch.setattr(discovery_module, "MAX_SERVICES", 3)
    _repo(tmp_path, {f"s{index}/railpack.json": "{}" for index in range(5)})

    plan = _plan(tmp_path)

    assert len(plan.folders) == 3 and plan.discovered == 5


def test_a_railpack_config_under_another_name_is_checked_for_the_service_holding_it(tmp_path: Path) -> None:
    _repo(tmp_path, {"apps/api/railway.json": "{}", "apps/api/config/railpack.staging.json": "{}"})

    plan = _plan(tmp_path, "apps/api/config/railpack.staging.json")

    assert plan.named_railpack == ((P("apps/api"), P("apps/api/config/railpack.staging.json")),)
    assert is_named_railpack_config(P("railpack-staging.json")) and is_named_railpack_config(P("railpack.prod.json"))
    assert not is_named_railpack_config(P("railpack.json")) and not is_named_railpack_config(P("railway.json"))


def test_iac_services_join_by_their_root_directory(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {
            ".railway/railway.py": (
                "from railway_sdk import define_railway, project, service\n\n\n"
                "@define_railway\n"
                "def railway():\n"
                '    return project("shop", resources=[service("api", root="apps/api"), service("worker", root="apps/worker")])\n'
            ),
            "apps/api/railpack.json": "{}",
            "apps/web/railpack.json": "{}",
        },
    )

    plan = _plan(tmp_path)

    assert plan.iac_services == ("api", "worker") and plan.iac_roots == (P("apps/api"), P("apps/worker"))
    # apps/api belongs to the IaC service of that root; apps/web stays a discovered service.
    assert plan.folders == (P("apps/web"),)


def test_a_plan_splits_into_parts_and_narrows_to_roots(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {f"s{index}/railpack.json": "{}" for index in range(5)},
        config='[services.api]\nroot = "backend"\n',
    )
    plan = _plan(tmp_path)

    parts = plan.split(2)

    assert [part.folders for part in parts] == [(P("s0"), P("s2"), P("s4")), (P("s1"), P("s3"))]
    assert parts[0].declarations == plan.declarations and parts[1].declarations == ()
    assert sum(part.size for part in parts) == plan.size == 6
    narrowed = plan.only({P("s1"), P("backend")})
    assert narrowed.folders == (P("s1"),) and [d.name for d in narrowed.declarations] == ["api"]
