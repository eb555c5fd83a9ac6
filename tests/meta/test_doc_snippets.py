"""Every command and configuration snippet in README.md and docs/ is exercised (issue 17 item 8).

- `console` blocks: each `railcheck ...` line runs (in-process) in a workspace holding the example monorepo,
  with its `<` and `>` redirections, and must not be a usage or configuration error (exit 2); `pip install`
  lines may name only this checkout (with extras it declares), a git URL of the project at a placeholder
  tag, or a third-party package listed below; other programs are the test runner or a file of the checkout.
  A line of any other kind fails, so a new snippet gets a test.
- README's sample finding is what railcheck prints for the example, its configuration block loads, and its
  inline-suppression block suppresses.
- docs/editors.md's client settings start `railcheck server` (the server itself: tests/e2e/test_lsp.py).
The pre-commit and GitHub Actions snippets are run in tests/e2e/test_integrations.py (pre-commit with
`try-repo` against a local clone, the Action's steps locally).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.paths import CHECKOUT

from railcheck.cli import main
from railcheck.layout import ROOT_MARKERS
from railcheck.report import REPORTERS

ROOT = CHECKOUT
EXAMPLE = ROOT / "examples" / "monorepo"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Third-party packages the docs tell the user to install (the benchmark's peer), by their published names.
THIRD_PARTY = {"check-jsonschema"}
PROJECT_URL = "git+https://github.com/railcheck/railcheck@<release-tag>"


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(
        rf"^```{re.escape(language)}\n(.*?)^```$", path.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL
    )


def console_blocks() -> list[tuple[str, list[str]]]:
    """Each console block's lines, named by its document and first line; a block's lines run in order in one
    workspace (a baseline is written before it is read)."""
    found = []
    for path in DOCUMENTS:
        for block in blocks(path, "console"):
            lines = [line for line in block.splitlines() if line.strip()]
            found.append((f"{path.name}:{lines[0][:60]}", lines))
    return found


# Words the docs write for a value the user chooses, and the values the test tries.
PLACEHOLDERS = {"FORMAT": tuple(REPORTERS)}


def declared_extras() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"])


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example monorepo as the user's repository, also at examples/monorepo (the quick start runs from a
    checkout), with the `services/api` the editor snippets name and the `edited.json` they pipe in."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work)
    shutil.copytree(EXAMPLE, work / "examples" / "monorepo")
    shutil.copytree(EXAMPLE / "services" / "backend", work / "services" / "api")
    shutil.copy(work / "services" / "api" / "railpack.json", work / "edited.json")
    monkeypatch.chdir(work)
    return work


def run_railcheck(words: list[str], work: Path) -> int:
    """Run one snippet's railcheck command with its `<`/`>` redirections; its exit code."""
    arguments, stdin, stdout = [], None, None
    iterator = iter(words[1:])
    for word in iterator:
        if word == "<":
            stdin = (work / next(iterator)).read_text(encoding="utf-8")
        elif word == ">":
            stdout = work / next(iterator)
        elif not re.fullmatch(r"\[.*\]", word):  # `[PATH...]`: an optional placeholder, left out
            arguments.append(word)
    if arguments[:1] == ["server"]:
        arguments.append("--help")  # the server waits for an editor; its start-up is tested in test_lsp.py
    result = CliRunner().invoke(main, arguments, input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shlex.join(words)} raised:\n{result.output}") from result.exception
    if stdout is not None:
        stdout.write_text(result.stdout, encoding="utf-8")
    assert result.exit_code != 2, f"{shlex.join(words)} is a usage or configuration error:\n{result.output}"
    return result.exit_code


def check_pip_install(arguments: list[str]) -> None:
    """The arguments after `pip install`."""
    targets = [word for word in arguments if not word.startswith("-")]
    assert targets, arguments
    for target in targets:
        local = re.fullmatch(r"\.(?:\[(\w+)\])?", target)
        if local is not None:
            assert local.group(1) is None or local.group(1) in declared_extras(), (
                f"no extra {local.group(1)!r} in pyproject.toml"
            )
            continue
        named = re.fullmatch(r"railcheck(?:\[(\w+)\])? @ (.+)", target)
        if target == PROJECT_URL or (
            named and named.group(2) == PROJECT_URL and (named.group(1) is None or named.group(1) in declared_extras())
        ):
            continue
        # A bare `railcheck` would install whatever a package index holds under that name.
        assert target in THIRD_PARTY, (
            f"pip install {target}: not this checkout, the project at <release-tag>, or a known third-party package"
        )


def exercise(command: str, where: str, workspace: Path) -> None:
    """Run or check one shell command of a snippet, as the module docstring says."""
    words = shlex.split(command, comments=True)
    if words[:1] == ["railcheck"]:
        placeholders = [word for word in words if word.isupper() and word.isalpha()]
        assert all(word in PLACEHOLDERS for word in placeholders), (
            f"{where}: unknown placeholder in {command.strip()!r}"
        )
        for value in PLACEHOLDERS[placeholders[0]] if placeholders else (None,):
            run_railcheck([value if word in PLACEHOLDERS else word for word in words] if value else words, workspace)
    elif words[:4] == ["python3", "-m", "pip", "install"] or words[:2] == ["pip", "install"]:
        check_pip_install(words[words.index("install") + 1 :])
    elif words[:3] == ["python3", "-m", "pytest"]:
        assert "pytest" in " ".join(
            tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
        )
    elif words[:1] == ["python3"] and len(words) == 2:
        assert (ROOT / words[1]).is_file(), f"{where}: no file {words[1]}"
    else:
        raise AssertionError(f"{where}: no test knows how to exercise {command.strip()!r}")


@pytest.mark.parametrize(("where", "lines"), console_blocks(), ids=[where for where, _ in console_blocks()])
def test_console_snippet(where: str, lines: list[str], workspace: Path) -> None:
    for command in (command for line in lines for command in line.split("&&")):
        exercise(command, where, workspace)


def test_gitlab_jobs_write_the_reports_they_upload(workspace: Path) -> None:
    import xml.etree.ElementTree as ElementTree

    import yaml

    jobs = [
        job
        for block in blocks(ROOT / "docs" / "integrations.md", "yaml")
        for job in (yaml.safe_load(block) or {}).values()
        if isinstance(job, dict) and "script" in job
    ]
    assert len(jobs) == 2
    for job in jobs:
        for command in job["script"]:
            exercise(command, "docs/integrations.md", workspace)
        for kind, path in job["artifacts"]["reports"].items():
            text = (workspace / path).read_text(encoding="utf-8")
            if kind == "codequality":
                assert isinstance(json.loads(text), list) and json.loads(text), path
            else:
                assert ElementTree.fromstring(text).iter("testcase"), path


def test_the_quick_start_exits_1_and_prints_the_readme_finding(workspace: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = next(block for block in blocks(ROOT / "README.md", "text") if "RP001" in block)
    result = CliRunner().invoke(main, ["check", "--no-cache", "examples/monorepo"])
    assert result.exit_code == 1 and "it exits 1" in readme
    assert sample in result.stdout


def test_the_readme_configuration_block_loads(tmp_path: Path) -> None:
    from railcheck.config import load_config
    from railcheck.engine import instantiate
    from railcheck.registry import load_registry

    (block,) = blocks(ROOT / "README.md", "toml")
    (tmp_path / "pyproject.toml").write_text(block, encoding="utf-8")
    config = load_config(tmp_path)
    assert config.services and config.sync and "RW102" in config.ignore
    assert instantiate(load_registry(), config)  # every selector and rule option it names exists


def test_the_readme_inline_suppression_suppresses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = blocks(ROOT / "README.md", "jsonc")
    (tmp_path / "railcheck.toml").write_text("")
    (tmp_path / "railpack.json").write_text(block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "json", "--select", "RP001,RC006"])
    report = json.loads(result.stdout)
    assert report["diagnostics"] == [] and report["summary"]["suppressions"][0]["code"] == "RP001"


def test_editor_settings_start_the_server() -> None:
    editors = ROOT / "docs" / "editors.md"
    (vscode,) = [json.loads(block) for block in blocks(editors, "json")]
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["railcheck", "server"]
    (helix,) = [tomllib.loads(block) for block in blocks(editors, "toml")]
    assert helix["language-server"]["railcheck"] == {"command": "railcheck", "args": ["server"]}
    assert all("railcheck" in language["language-servers"] for language in helix["language"])
    (neovim,) = blocks(editors, "lua")
    assert 'cmd = { "railcheck", "server" }' in neovim
    # Neovim finds the repository root by the markers railcheck itself uses.
    assert f"{{ {', '.join(json.dumps(marker) for marker in ROOT_MARKERS)} }}" in neovim
