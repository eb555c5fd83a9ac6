"""`Project.derived`: each derived value is computed on first use, once per project, and belongs to its project."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from railcheck.config import load_config
from railcheck.facts import facts
from railcheck.model import Project
from railcheck.project import load_project
from railcheck.sources.pymodule import ModuleInfo
from tests.helpers.counting import counting as _counting

API = PurePosixPath("services/api")
WORKER = PurePosixPath("services/worker")


def _project(root: Path, overlay: dict[PurePosixPath, str] | None = None) -> Project:
    files = {
        "railcheck.toml": "",
        f"{API}/railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}',
        f"{API}/requirements.txt": "fastapi==0.115.0\nuvicorn[standard]\n",
        f"{API}/main.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n    return {}\n",
        f"{WORKER}/railpack.json": '{"deploy": {"startCommand": "python worker.py"}}',
        f"{WORKER}/settings.py": 'ALLOWED_HOSTS = ["api.example.com"]\nMIDDLEWARE = list(BASE)\n',
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return load_project(root, load_config(root), overlay=overlay)


def test_facts_are_resolved_on_first_use_and_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resolved = _counting(monkeypatch, "railcheck.facts.resolve_facts")
    project = _project(tmp_path)
    assert resolved == []  # loading the project derives nothing: a pre-commit run pays only for what rules ask
    api = project.service(str(API))
    first = project.derived.facts(api)
    assert facts(api, project) is first  # the helper rules call reads the same kept value
    assert project.derived.facts(api) is first
    assert resolved == [api]
    assert first.start is not None and first.start.text.startswith("uvicorn main:app")


def test_a_value_that_is_none_is_kept_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # image() is None for every Railpack service: asking again must not read the build again.
    resolved = _counting(monkeypatch, "railcheck.builder.resolve_image")
    project = _project(tmp_path)
    api = project.service(str(API))
    assert project.derived.image(api) is None
    assert project.derived.image(api) is None
    assert resolved == [api]


def test_each_project_derives_its_own_values(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert project.derived.service_roots() == {API, WORKER}
    # A project made from another (as the parallel run makes the repository-wide one) starts empty and is
    # derived from its own services, not from the values the first one kept.
    only_api = replace(project, services=(project.service(str(API)),))
    assert only_api.derived is not project.derived
    assert only_api.derived.service_roots() == {API}
    assert project.derived.service_roots() == {API, WORKER}


def test_a_fix_round_derives_from_its_own_texts(tmp_path: Path) -> None:
    requirements = API / "requirements.txt"
    on_disk = _project(tmp_path)
    assert [line.name for line in on_disk.derived.requirements(requirements).lines] == ["fastapi", "uvicorn"]
    # The fixer's overlay is a new project: its parsed requirements are those of the overlay's text.
    fixed = _project(tmp_path, overlay={requirements: "fastapi==0.115.0\n"})
    assert [line.name for line in fixed.derived.requirements(requirements).lines] == ["fastapi"]
    assert [line.name for line in on_disk.derived.requirements(requirements).lines] == ["fastapi", "uvicorn"]


def test_requirements_of_a_file_not_read_have_no_lines(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert project.derived.requirements(WORKER / "requirements.txt").lines == ()
    api = project.service(str(API))
    assert project.derived.requirement_files(api) == (
        (API / "requirements.txt", project.texts[API / "requirements.txt"]),
    )
    assert project.derived.requirement_files(project.service(str(WORKER))) == ()


def test_a_module_is_analysed_once_and_a_missing_one_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    analysed = _counting(monkeypatch, "railcheck.sources.pymodule.analyse_module")
    project = _project(tmp_path)
    info = project.derived.module_info(API / "main.py")
    assert isinstance(info, ModuleInfo) and "app" in info.definitions
    # Another PurePosixPath object for the same file finds the kept analysis.
    assert project.derived.module_info(PurePosixPath(f"{API}/main.py")) is info
    assert len(analysed) == 1
    assert project.derived.module_info(API / "missing.py") is None


def test_django_settings_are_read_when_certain(tmp_path: Path) -> None:
    project = _project(tmp_path)
    hosts = project.derived.django_setting(WORKER / "settings.py", "ALLOWED_HOSTS")
    assert hosts is not None and hosts.values == ("api.example.com",)
    text = project.repository.read(WORKER / "settings.py") if project.repository is not None else None
    assert text is not None and text[hosts.start : hosts.end] == '["api.example.com"]'
    # A value computed at run time is not certain from the file.
    assert project.derived.django_setting(WORKER / "settings.py", "MIDDLEWARE") is None
    assert project.derived.django_setting(WORKER / "missing.py", "ALLOWED_HOSTS") is None


def test_the_health_check_routes_are_derived_once_for_both_rules(tmp_path: Path) -> None:
    # HC001 and HC002 both read the route table; reading the app's routes is the expensive part.
    project = _project(tmp_path)
    api = project.service(str(API))
    table, unserved = project.derived.unserved_health_checks(api)
    assert table is not None and table.app == API / "main.py"
    assert ("/health", API / "main.py") in table.paths
    assert unserved == ()  # no health-check path is configured
    assert project.derived.unserved_health_checks(api)[0] is table


def test_the_first_service_call_of_an_iac_file_that_yields_no_service(tmp_path: Path) -> None:
    assert _project(tmp_path).derived.first_service_call() is None  # no IaC file
    iac = tmp_path / ".railway" / "railway.py"
    iac.parent.mkdir()
    text = "from railway_sdk import service\napi = service(name_from_somewhere())\n"
    iac.write_text(text)
    project = load_project(tmp_path, load_config(tmp_path))
    assert project.iac is not None and project.iac.file.services == ()
    assert project.derived.first_service_call() == text.index("service(name")
