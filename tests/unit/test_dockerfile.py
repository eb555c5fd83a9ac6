"""The static Dockerfile reader, and the builder and image railcheck derives from a service's files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from helpers.paths import FIXTURES
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.builder import build_of, image_of
from railcheck.config import load_config
from railcheck.image import context_sources
from railcheck.project import load_project
from railcheck.sources.dockerfile import env_pairs, parse_dockerfile


def _at(text: str, word) -> str:  # type: ignore[no-untyped-def]
    return text[word.start : word.end]


def test_words_keep_their_offsets_across_continuations_and_comments() -> None:
    text = "FROM python:3.12\nCOPY --chown=app:app \\\n  # owner\n\n  src/ \\\n  ./src/\n"
    copy = parse_dockerfile(text).instructions[1]
    assert copy.keyword == "COPY"
    assert copy.flag("chown") == "app:app"
    assert [word.text for word in copy.words] == ["src/", "./src/"]
    assert [_at(text, word) for word in copy.words] == ["src/", "./src/"]
    assert text[copy.start : copy.end].startswith("COPY") and text[copy.start : copy.end].endswith("./src/")


def test_the_escape_directive_changes_the_continuation_character() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows\nWORKDIR C:\\app `\n  \\sub\n"
    dockerfile = parse_dockerfile(text)
    assert dockerfile.escape == "`"
    assert [word.text for word in dockerfile.instructions[1].words] == ["C:\\app", "\\sub"]


def test_a_directive_after_a_comment_is_only_a_comment() -> None:
    assert parse_dockerfile("# hello\n# escape=`\nFROM x\nRUN a \\\n  b\n").escape == "\\"


def test_the_syntax_directive_names_the_frontend_only_where_directives_are_read() -> None:
    assert parse_dockerfile("# syntax = docker/dockerfile:1.7\nFROM x\n").syntax == "docker/dockerfile:1.7"
    assert parse_dockerfile("FROM x\n# syntax=other/frontend\n").syntax is None
    assert parse_dockerfile("# hello\n# syntax=other/frontend\nFROM x\n").syntax is None


def test_exec_form_items_and_shell_form_text() -> None:
    text = 'FROM python\nCMD ["uvicorn", "main:app", "--port", "$PORT"]\nENTRYPOINT python -m app\n'
    cmd, entrypoint = parse_dockerfile(text).instructions[1:]
    assert cmd.exec_form and [word.text for word in cmd.words] == ["uvicorn", "main:app", "--port", "$PORT"]
    assert _at(text, cmd.words[3]) == '"$PORT"' and cmd.words[3].dynamic
    assert not entrypoint.exec_form and entrypoint.arguments == "python -m app"


def test_an_array_that_is_not_json_is_the_shell_form() -> None:
    cmd = parse_dockerfile("FROM python\nCMD ['uvicorn', 'main:app']\n").instructions[1]
    assert not cmd.exec_form and cmd.words[0].text == "['uvicorn',"


def test_heredoc_bodies_are_kept_and_not_read_as_instructions() -> None:
    text = "FROM python\nRUN <<EOF\npip install .\nCMD not-an-instruction\nEOF\nCMD python app.py\n"
    dockerfile = parse_dockerfile(text)
    assert [instruction.keyword for instruction in dockerfile.instructions] == ["FROM", "RUN", "CMD"]
    assert dockerfile.instructions[1].heredocs == ("pip install .\nCMD not-an-instruction",)


def test_env_pairs_in_both_forms() -> None:
    modern, legacy = parse_dockerfile(
        'FROM x\nENV PYTHONPATH=/app/src A="x y" B=z\\ w\nENV LEGACY some value\n'
    ).instructions[1:]
    assert [(name, value) for name, value, _ in env_pairs(modern)] == [
        ("PYTHONPATH", "/app/src"),
        ("A", "x y"),
        ("B", "z w"),
    ]
    assert [(name, value) for name, value, _ in env_pairs(legacy)] == [("LEGACY", "some value")]


def test_stages_and_problems() -> None:
    dockerfile = parse_dockerfile("ARG V=3.12\nFROM python:$V AS Build\nRUN make\nFROM build\nFROBNICATE x\n")
    assert [(stage.base, stage.name) for stage in dockerfile.stages] == [("python:$V", "build"), ("build", None)]
    assert [problem.message for problem in dockerfile.problems] == ["unknown instruction `FROBNICATE`"]


@pytest.mark.parametrize(
    "text", ["", "\\", "FROM", "COPY", "CMD [", "RUN <<EOF\n", "\ufeffFROM x\n", "FROM x\n\\\n\\", "# escape=`\n`"]
)
def test_bad_input_never_raises(text: str) -> None:
    parse_dockerfile(text)


def _service(tmp_path: Path, files: dict[str, str], folder: str = "api"):  # type: ignore[no-untyped-def]
    write_repo(tmp_path, files, service=".")
    project = load_project(tmp_path, load_config(tmp_path))
    return project.service(folder), project


@pytest.mark.parametrize(
    ("files", "builder", "dockerfile"),
    [
        ({"api/railway.json": "{}"}, "railpack", None),
        ({"api/railway.json": "{}", "api/Dockerfile": "FROM x\n"}, "dockerfile", "api/Dockerfile"),
        ({"api/railway.json": "{}", "api/dockerfile": "FROM x\n"}, "railpack", None),  # the name is exact
        # Railway's docs say a Dockerfile always wins; deployments are reported both ways.
        ({"api/railway.json": '{"build": {"builder": "railpack"}}', "api/Dockerfile": "FROM x\n"}, "undecided", None),
        # not in the root directory
        ({"api/railway.json": '{"build": {"builder": "railpack"}}', "Dockerfile": "FROM x\n"}, "railpack", None),
        ({"api/railway.toml": '[build]\nbuilder = "NIXPACKS"\n', "api/Dockerfile": "FROM x\n"}, "undecided", None),
        ({"api/railway.toml": '[build]\nbuilder = "NIXPACKS"\n'}, "nixpacks", None),
        (
            {"api/railway.json": '{"build": {"dockerfilePath": "/docker/Dockerfile.prod"}}'},
            "dockerfile",
            "api/docker/Dockerfile.prod",
        ),
        (
            {"api/railway.json": '{"build": {"builder": "DOCKERFILE", "dockerfilePath": "../Dockerfile"}}'},
            "dockerfile",
            None,
        ),
    ],
)
def test_the_builder_is_resolved_as_railway_does(
    tmp_path: Path, files: dict[str, str], builder: str, dockerfile: str | None
) -> None:
    service, project = _service(tmp_path, files)
    build = build_of(service, project)
    assert build.builder == builder
    assert build.dockerfile == (PurePosixPath(dockerfile) if dockerfile else None)


def test_a_declared_dockerfile_path_variable_selects_the_dockerfile(tmp_path: Path) -> None:
    service, project = _service(
        tmp_path,
        {
            "railcheck.toml": '[services.api]\nroot = "api"\nvariables = { RAILWAY_DOCKERFILE_PATH = "Dockerfile.web" }\n',
            "api/Dockerfile.web": "FROM x\n",
            "api/main.py": "",
        },
    )
    build = build_of(service, project)
    assert (build.builder, build.dockerfile) == ("dockerfile", PurePosixPath("api/Dockerfile.web"))
    assert "RAILWAY_DOCKERFILE_PATH" in build.origin.label


def test_the_image_follows_the_final_stage_and_its_parents(tmp_path: Path) -> None:
    service, project = _service(
        tmp_path,
        {
            "api/railway.json": "{}",
            "api/Dockerfile": (
                "FROM python:3.12 AS base\nWORKDIR /app\nENV PYTHONPATH=/app/src\nCOPY . .\n"
                "FROM node AS assets\nCOPY web/ /web/\nRUN npm run build\n"
                'FROM base AS final\nCOPY --from=assets /web/dist /srv/static\nRUN pip install .\nENTRYPOINT ["gunicorn"]\nCMD ["app:app", "-b", "0.0.0.0:$PORT"]\n'
            ),
        },
    )
    image = image_of(service, project)
    assert image is not None
    assert (image.workdir, image.variable("PYTHONPATH"), image.app_root, image.installs_project) == (
        "/app",
        "/app/src",
        PurePosixPath("api"),
        True,
    )
    assert [copy.destination for copy in image.copies] == ["/app"]  # the node stage and --from copies are not the app's
    assert image.start is not None and image.start.text == "gunicorn app:app -b 0.0.0.0:$PORT" and image.start.exec_form
    assert [word.text for _, word, _ in context_sources(image)] == [".", "web/"]


def test_a_shell_form_start_maps_onto_the_file(tmp_path: Path) -> None:
    service, project = _service(
        tmp_path, {"api/railway.json": "{}", "api/Dockerfile": "FROM python\nCMD uvicorn main:app --host 127.0.0.1\n"}
    )
    image = image_of(service, project)
    assert image is not None and image.start is not None
    span = image.start.span(0, 7)
    assert span is not None and (span.start.line, span.start.column) == (2, 5)


def test_explain_service_shows_the_builder_and_where_it_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo(
        tmp_path,
        service=".",
        files={
            "api/railway.toml": '[build]\nbuilder = "DOCKERFILE"\ndockerfilePath = "Dockerfile.api"\n',
            "api/Dockerfile.api": "FROM python\nWORKDIR /srv\nCMD python main.py\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    output = invoke("explain-service", "api").output
    assert 'builder: dockerfile (`build.builder` in api/railway.toml = "DOCKERFILE" (api/railway.toml:2))' in output
    assert "image: working directory /srv; layout: not modelled" in output
    assert "* python main.py" in output and "python version" not in output


@pytest.mark.parametrize(
    "scenario",
    sorted(path for path in FIXTURES.iterdir() if (path / "railcheck.toml").is_file()),
    ids=lambda path: path.name,
)
def test_explain_service_names_a_builder_with_its_origin_for_every_fixture_service(
    scenario: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scenario)
    output = invoke("explain-service", ".").output
    services = output.count("\nservice ") + output.startswith("service ")
    builders = [line for line in output.splitlines() if line.startswith("  builder: ")]
    assert services and len(builders) == services
    assert all(line.endswith(")") and " (" in line for line in builders)


@pytest.mark.parametrize(
    ("dockerfile", "app_root"),
    [
        ("FROM python\nWORKDIR /app\nCOPY requirements*.txt ./\nCOPY . .\n", "api"),
        (
            "FROM python\nWORKDIR /app\nCOPY backend/requirements.txt .\nCOPY backend/ .\nCOPY backend/src/ ./src/\n",
            "api/backend",
        ),
        ("FROM python\nWORKDIR /app\nCOPY . /app/\nCOPY backend/src/ ./src/\n", None),  # /app/src is not api/src
        # Only parts of a folder, each at its own path below /app: /app is that folder.
        ("FROM python\nWORKDIR /app\nCOPY backend/src/ ./src/\n", "api/backend"),
        ("FROM python\nWORKDIR /app\nCOPY backend/src/main.py ./src/\nCOPY backend/src/ ./src/\n", "api/backend"),
        ("FROM python\nWORKDIR /app\nCOPY backend/src/main.py ./app.py\n", None),  # renamed
        ("FROM python\nWORKDIR /app\nCOPY backend/src/ ./src/\nCOPY requirements.txt .\n", None),  # two folders
        ("FROM python\nWORKDIR /app\nCOPY . .\nCOPY --from=node:20 /usr/lib/node ./node\n", None),  # content unknown
        ("FROM python\nWORKDIR /srv\nCOPY . .\n", None),  # started elsewhere than /app
        ("FROM python\nCOPY . /\nWORKDIR /app\n", None),
    ],
)
def test_the_folder_at_app_is_known_only_when_every_copy_agrees(
    tmp_path: Path, dockerfile: str, app_root: str | None
) -> None:
    service, project = _service(
        tmp_path,
        {
            "api/railway.json": "{}",
            "api/Dockerfile": dockerfile,
            "api/backend/src/main.py": "",
            "api/requirements.txt": "",
        },
    )
    image = image_of(service, project)
    assert image is not None and image.app_root == (PurePosixPath(app_root) if app_root else None)


def test_the_iac_files_build_object_sets_the_builder(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        service=".",
        files={
            ".railway/railway.py": (
                "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
                '    return project("shop", resources=[service("api", root="api", build={"builder": "DOCKERFILE", "dockerfilePath": "docker/api"})])\n'
            ),
            "api/docker/api": "FROM python\nCMD python main.py\n",
        },
    )
    project = load_project(tmp_path, load_config(tmp_path))
    build = build_of(project.service("api"), project)
    assert (build.builder, build.dockerfile) == ("dockerfile", PurePosixPath("api/docker/api"))
    assert (
        build.origin.label.startswith('`build.builder` of `service("api")` in .railway/railway.py')
        and build.origin.span is not None
    )


def test_only_stages_the_build_runs_are_judged(tmp_path: Path) -> None:
    # BuildKit builds the last stage and what it needs; a `test` stage nobody copies from is skipped.
    service, project = _service(
        tmp_path,
        {
            "api/railway.json": "{}",
            "api/Dockerfile": (
                "FROM python AS test\nCOPY tests/ /tests/\n"
                "FROM node AS web\nCOPY web/ /web/\n"
                "FROM python AS deps\nCOPY requirements.txt .\n"
                "FROM python\nCOPY --from=1 /web/dist /static\nRUN --mount=type=cache,from=deps,target=/deps true\nCOPY . .\n"
            ),
        },
    )
    image = image_of(service, project)
    assert image is not None
    assert sorted(word.text for _, word, _ in context_sources(image)) == [".", "requirements.txt", "web/"]


@pytest.mark.parametrize(
    "dockerfile",
    [
        # /app/site after `COPY . .`: a layout railcheck does not model.
        "FROM python\nWORKDIR /app\nCOPY . .\nWORKDIR /app/site\nCMD python manage.py migrate\n",
        # /app is site/ (only its parts are copied): the paths were written for the repository root.
        "FROM python\nWORKDIR /app\nCOPY site/manage.py ./\nCOPY site/shop/ ./shop/\nCMD python manage.py migrate\n",
    ],
)
def test_a_dockerfile_layout_that_is_not_the_root_directory_raises_no_root_doubt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dockerfile: str
) -> None:
    write_repo(
        tmp_path,
        {
            "/railway.json": '{"build": {"builder": "DOCKERFILE"}}',
            "/Dockerfile": dockerfile,
            "/site/manage.py": "",
            "/site/shop/__init__.py": "",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert "SV003" not in invoke("check", "--output-format", "concise").output
    # The same start command from a plain `COPY . .` image does not exist from the root directory.
    (tmp_path / "Dockerfile").write_text("FROM python\nWORKDIR /app\nCOPY . .\nCMD python manage.py migrate\n")
    assert "SV003" in invoke("check", "--output-format", "concise").output
