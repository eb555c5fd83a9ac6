"""IaC files as the whole run sees them: services joining the project, the exit code, explain-service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.paths import FIXTURES
from helpers.running import invoke


@pytest.mark.parametrize("name", ["iac-authoring-ts", "iac-authoring-py"])
def test_services_without_root_are_checked_from_the_repository_root(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shutil.copytree(FIXTURES / name, tmp_path / name))
    result = invoke("check", "--output-format", "concise")
    assert "in 3 services" in result.output and result.exit_code == 1
    suffix = "ts" if name.endswith("ts") else "py"
    # The hard-coded port of `app`, reported on its own word inside the IaC file.
    port = next(line for line in result.output.splitlines() if " ST004 " in line)
    position = port.split(" ")[0]
    line, column = (int(part) for part in position.split(":")[1:3])
    text = (tmp_path / name / ".railway" / f"railway.{suffix}").read_text().splitlines()[line - 1]
    assert text[column - 1 :].startswith("8000")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("py", "from railway_sdk import service\napi = service(name_from_somewhere())\n"),
        ("ts", 'import { service } from "railway/iac";\nexport const api = service(names[0], {});\n'),
    ],
)
def test_a_file_calling_service_that_yields_none_never_passes(
    language: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".railway").mkdir()
    (tmp_path / ".railway" / f"railway.{language}").write_text(text)
    (tmp_path / "railcheck.toml").touch()
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "concise")
    assert "All checks passed" not in result.output
    assert " IC009 " in result.output and result.exit_code == 1
    assert "line 2" not in result.output and f".railway/railway.{language}:2:" in result.output  # at the call


def test_explain_service_names_the_iac_line_of_each_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shutil.copytree(FIXTURES / "iac-authoring-py", tmp_path / "repo"))
    output = invoke("explain-service", ".").output
    app = output.split("service ingestion")[0]
    assert 'declared by service("app") at .railway/railway.py:19:' in app
    assert "root               not set: the repository root" in app
    assert "start              'uvicorn app.main:app --host 0.0.0.0 --port 8000'  (.railway/railway.py:23)" in app
    assert "builder            'RAILPACK'  (.railway/railway.py:22)" in app
    assert 'build      true  [`build` of `service("app")` in .railway/railway.py (.railway/railway.py:22)]' in app


ML = 'service("ml", root="/"{options})'


def _check_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, service: str, files: dict[str, str], code: str) -> str:
    program = (
        "from railway_sdk import define_railway, github, image, project, service\n\n"
        f'@define_railway\ndef railway():\n    return project("p", resources=[{service}])\n'
    )
    (tmp_path / ".railway").mkdir()
    (tmp_path / ".railway" / "railway.py").write_text(program)
    (tmp_path / "railcheck.toml").touch()
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return invoke("check", "--output-format", "concise", "--select", code).output


@pytest.mark.parametrize(
    ("options", "files", "reported"),
    [
        ("", {"services/ml/railpack.json": "{}"}, True),
        (', start="python -m services.ml.server"', {}, False),  # a start command: Railpack builds the files it has
        (', source=image("python:3.13")', {}, False),  # nothing is built from an image
        (', build={"builder": "DOCKERFILE"}', {}, True),
        (', build={"builder": "DOCKERFILE"}', {"Dockerfile": "FROM python:3.13\n"}, False),
        (', build={"builder": "NIXPACKS"}', {}, False),  # a builder railcheck does not model: unsure
        (', build="make"', {}, False),  # a build command gives the plan a step
        (', configFile="/ml/railway.json"', {}, False),  # that config may set the builder or a start command
        (', env={"RAILPACK_SHELL_SCRIPT": "run.sh"}', {}, False),
        (", env=ENV", {}, False),  # variables railcheck cannot read
        ("", {"package.json": "{}"}, False),  # a provider railcheck does not model matches
        ("", {"Dockerfile": "FROM python:3.13\n"}, False),
        ("", {"requirements.txt": "fastapi\n"}, False),
    ],
)
def test_nothing_to_build_only_when_certain(
    options: str, files: dict[str, str], reported: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = _check_one(tmp_path, monkeypatch, ML.format(options=options), files, "IC011")
    assert (" IC011 " in output) is reported, output


@pytest.mark.parametrize(
    ("service", "reported"),
    [
        ('service("ml", root="/")', True),  # named like the folder
        ('service("inference", root="/", start="python -m services.ml.server")', True),  # its start names it
        ('service("web", root="/")', False),  # nothing ties it to services/ml: maybe another service's folder
        ('service("ml", root="services/ml")', False),
    ],
)
def test_unused_config_names_the_service_most_likely_meant(
    service: str, reported: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = _check_one(tmp_path, monkeypatch, service, {"services/ml/railpack.json": "{}"}, "IC012")
    assert (" IC012 " in output) is reported, output
    if reported:
        name = service.split('"')[1]
        assert f'`service("{name}")` is built from / instead' in output


@pytest.mark.parametrize(
    ("build", "fixed"),
    [
        ('build="RAILPACK"', 'build={"builder": "RAILPACK"}'),
        ("build='railpack'", 'build={"builder": "RAILPACK"}'),
        ("build=BUILD", None),  # through a name: reported, but the fix would edit the wrong place
    ],
)
def test_build_string_naming_a_builder(
    build: str, fixed: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = _check_one(
        tmp_path,
        monkeypatch,
        f'service("api", {build}, start="python main.py")',
        {"main.py": "", "requirements.txt": "x\n"},
        "IC010",
    )
    if build == "build=BUILD":
        text = (tmp_path / ".railway" / "railway.py").read_text()
        (tmp_path / ".railway" / "railway.py").write_text('BUILD = "DOCKERFILE"\n' + text)
        output = invoke("check", "--output-format", "concise", "--select", "IC010").output
    assert " IC010 " in output
    invoke("check", "--fix", "--select", "IC010")
    text = (tmp_path / ".railway" / "railway.py").read_text()
    assert (fixed in text) if fixed else ('BUILD = "DOCKERFILE"' in text and "build=BUILD" in text)


def test_unknown_reference_help_lists_only_services_and_databases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = 'service("api", start="python main.py", env={"DB": "${{postgress.DATABASE_URL}}"})'
    (tmp_path / "railcheck.toml").touch()
    _check_one(tmp_path, monkeypatch, service, {"main.py": "", "requirements.txt": "x\n"}, "IC005")
    output = invoke("check", "--select", "IC005").output
    assert "`postgress`" in output and "`api`" in output and "`shared`" not in output


@pytest.mark.parametrize(
    ("other", "why"),
    [
        ('service("phoenix", source=image("arizephoenix/phoenix:latest"))', "an image"),
        ('fn("hook", code_file="functions/hook.ts")', "function"),
        ('service("docs", source=github("acme/docs"))', "another repository"),
    ],
)
def test_a_service_built_elsewhere_gets_no_build_findings(
    other: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repository root holds a pyproject.toml with no start command: checked as the root of `other`, that
    # would be ST006 (no start command); the file's services built from this repository are still checked.
    services = (
        f'service("api", root="api", source=github("acme/app"), start="uvicorn main:app --host 0.0.0.0 --port 8000"), '
        f'service("web", root="web", source=github("acme/app"), start="python main.py"), {other}'
    )
    files = {
        "pyproject.toml": "[project]\nname = 'x'\n",
        "api/main.py": "app = 1\n",
        "api/requirements.txt": "uvicorn\n",
        "web/main.py": "",
        "web/requirements.txt": "x\n",
    }
    _check_one(tmp_path, monkeypatch, services, files, "ALL")
    text = (
        (tmp_path / ".railway" / "railway.py")
        .read_text()
        .replace("import define_railway,", "import define_railway, fn,")
    )
    (tmp_path / ".railway" / "railway.py").write_text(text)
    output = invoke("check", "--output-format", "concise").output
    assert " ST006 " not in output and " IC011 " not in output and " IC002 " not in output, output
    assert " ST004 " in output  # api's hard-coded port: the repository's own services are checked
    explained = invoke("explain-service", ".").output
    assert "not built from this repository" in explained and why in explained


def test_services_of_two_repositories_in_doubt_are_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services = (
        'service("api", source=github("acme/app"), start="uvicorn main:app --host 0.0.0.0 --port 8000"), '
        'service("docs", source=github("acme/docs"))'
    )
    _check_one(tmp_path, monkeypatch, services, {"main.py": "app = 1\n", "requirements.txt": "uvicorn\n"}, "ALL")
    output = invoke("check", "--output-format", "concise").output
    assert " ST004 " not in output and " IC011 " not in output, output
    assert "cannot tell which one is this repository" in invoke("explain-service", ".").output


def test_the_config_file_an_iac_service_names_is_that_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "main.py": "",
        "requirements.txt": "x\n",
        "services/api/railway.json": '{"deploy": {"startCommand": "python main.py"}}',
    }
    _check_one(tmp_path, monkeypatch, 'service("api", configFile="/services/api/railway.json")', files, "ALL")
    output = invoke("check", "--output-format", "concise").output
    # Read as a folder service of its own, services/api/ has no main.py (CM002, ST001), and IC012 said no IaC
    # service used the file.
    for code in ("CM002", "ST001", "IC012", "IC003"):
        assert f" {code} " not in output, output
    assert "in 1 service" in output
    explained = invoke("explain-service", ".").output
    assert "python main.py" in explained and "services/api/railway.json" in explained


def test_a_file_whose_every_root_is_unknown_never_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check_one(tmp_path, monkeypatch, 'service("bot", root=ROOT, start="python bot.py")', {"bot.py": ""}, "ALL")
    text = (tmp_path / ".railway" / "railway.py").read_text()
    (tmp_path / ".railway" / "railway.py").write_text("import os\nROOT = os.environ['ROOT']\n" + text)
    result = invoke("check", "--output-format", "concise")
    assert "All checks passed" not in result.output and result.exit_code == 1
    (finding,) = [line for line in result.output.splitlines() if " IC00" in line]  # one finding, not two
    assert " IC009 " in finding and "os.environ" in finding


@pytest.mark.parametrize(
    ("spread", "language"),
    [
        ('**({"checkSuites": False} if prod else {})', "py"),
        ("...(prod ? { checkSuites: false } : {})", "ts"),
    ],
)
def test_a_conditional_spread_in_the_source_keeps_the_service(
    spread: str, language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if language == "py":
        text = (
            "from railway_sdk import define_railway, github, project, service\n\n@define_railway\n"
            "def main(ctx=None):\n    prod = ctx.is_environment('production')\n"
            f"    bot = service('bot', source=github('acme/bot', {spread}), start='uvicorn bot:app --port 8000')\n"
            "    return project('p', resources=[bot])\n"
        )
    else:
        text = (
            'import { defineRailway, github, project, service } from "railway/iac";\n'
            "export default defineRailway((ctx) => {\n  const prod = ctx.isEnvironment('production');\n"
            f"  const bot = service('bot', {{ source: github('acme/bot', {{ {spread} }}), start: 'uvicorn bot:app --port 8000' }});\n"
            "  return project('p', { resources: [bot] });\n});\n"
        )
    (tmp_path / ".railway").mkdir()
    (tmp_path / ".railway" / f"railway.{language}").write_text(text)
    (tmp_path / "railcheck.toml").touch()
    (tmp_path / "bot.py").write_text("app = 1\n")
    (tmp_path / "requirements.txt").write_text("uvicorn\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "concise")
    assert " ST004 " in result.output and "in 1 service" in result.output, result.output  # read and checked


def test_an_image_service_with_an_unknown_root_is_not_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = 'service("api", start="python main.py"), service("cache", source=image("redis:7"), root=ROOT)'
    _check_one(tmp_path, monkeypatch, service, {"main.py": "", "requirements.txt": "x\n"}, "ALL")
    text = (tmp_path / ".railway" / "railway.py").read_text()
    (tmp_path / ".railway" / "railway.py").write_text("import os\nROOT = os.environ['ROOT']\n" + text)
    output = invoke("check", "--output-format", "concise").output
    assert " IC009 " not in output and " IC002 " not in output, output
