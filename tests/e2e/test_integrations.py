"""Integrations: the pre-commit hooks, the GitHub Action and the snippets of docs/integrations.md.

- pre-commit: the real `pre-commit` runs the hooks of this checkout in throwaway git repositories. The
  checkout is copied and committed first (pre-commit clones hook repositories, and a working tree may hold
  uncommitted or untracked changes), and railcheck is installed into pre-commit's environment once per
  session (the `hook_repository` fixture; its setup is the slow part, see `pytest --durations`).
- GitHub Action: the shell steps of action.yml run locally with bash as a runner would run them
  (`bash --noprofile --norc -eo pipefail`, `${{ }}` expressions evaluated into `env:`, GITHUB_* files).
  `uses:` steps are skipped: railcheck comes from the virtual environment running the tests.
- docs/integrations.md: its YAML snippets parse, use only inputs action.yml declares, and the pre-commit
  and workflow snippets are the ones the tests above run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers.paths import CHECKOUT

yaml = pytest.importorskip("yaml", reason="PyYAML is in the `test` extra")

ROOT = CHECKOUT
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
ACTION_FILE = ROOT / "action.yml"
DOC_FILE = ROOT / "docs" / "integrations.md"
EXAMPLE = ROOT / "examples" / "monorepo"
# The virtual environment running the tests holds railcheck (and pre-commit): put it first on PATH.
VENV_BIN = Path(sys.executable).parent
PATH = os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", os.defpath)])
REPOSITORY_URL = "https://github.com/railcheck/railcheck"
ACTION_REF = "railcheck/railcheck@"
# What snippets write where the user fills in a release tag (docs/integrations.md says so).
PLACEHOLDER_TAG = "<release-tag>"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def doc_blocks(language: str) -> list[str]:
    """The fenced code blocks of docs/integrations.md in `language`, in order."""
    text = DOC_FILE.read_text(encoding="utf-8")
    return re.findall(rf"^```{re.escape(language)}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def doc_yaml() -> list[dict[str, Any]]:
    return [yaml.safe_load(block) for block in doc_blocks("yaml")]


def doc_pre_commit_config() -> dict[str, Any]:
    (config,) = [block for block in doc_yaml() if "repos" in block]
    return config


def doc_workflow() -> dict[str, Any]:
    (workflow,) = [block for block in doc_yaml() if "jobs" in block]
    return workflow


def railcheck_action_steps(workflow: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith(ACTION_REF)
    ]


def output_formats() -> set[str]:
    from railcheck.report import REPORTERS

    return set(REPORTERS)


def clean_environ() -> dict[str, str]:
    """os.environ without git's per-repository variables (set when the tests run inside a git hook)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=clean_environ(), check=True, capture_output=True, text=True
    ).stdout


def init_repository(path: Path, files: Mapping[str, str]) -> Path:
    """A git repository at `path` holding `files`, committed."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet")
    git(path, "config", "user.name", "railcheck tests")
    git(path, "config", "user.email", "tests@railcheck.invalid")
    git(path, "config", "commit.gpgsign", "false")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    commit_all(path)
    return path


def commit_all(path: Path, message: str = "snapshot") -> str:
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", message)
    return git(path, "rev-parse", "HEAD").strip()


# --- .pre-commit-hooks.yaml -----------------------------------------------------------------------------

HOOK_IDS = ("railcheck", "railcheck-fix", "railcheck-all")
FILE_HOOK_IDS = ("railcheck", "railcheck-fix")


def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in load_yaml(HOOKS_FILE)}


def test_hooks_manifest_declares_both_hooks() -> None:
    found = hooks()
    assert tuple(found) == HOOK_IDS
    assert found["railcheck"]["entry"] == "railcheck check"
    assert found["railcheck-fix"]["entry"] == "railcheck check --fix --exit-non-zero-on-fix"
    assert found["railcheck-all"]["entry"] == "railcheck check"
    assert found["railcheck-all"]["pass_filenames"] is False and found["railcheck-all"]["always_run"] is True
    for hook_id, hook in found.items():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is (hook_id in FILE_HOOK_IDS)
        assert hook["require_serial"] is True
        assert hook["description"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", hook["minimum_pre_commit_version"])
    assert found["railcheck"]["files"] == found["railcheck-fix"]["files"]


def test_hooks_manifest_is_valid_for_pre_commit() -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is in the `test` extra")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(HOOKS_FILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def files_pattern() -> re.Pattern[str]:
    return re.compile(hooks()["railcheck"]["files"])  # pre-commit: re.compile(files).search(path)


@pytest.mark.parametrize(
    "path",
    [
        "railpack.json",
        "services/api/railpack.json",
        "railway.json",
        "services/api/railway.json",
        "services/api/railway.toml",
        "services/api/.python-version",
        "services/api/.tool-versions",
        "services/api/mise.toml",
        "services/api/.mise.toml",
        "services/api/runtime.txt",
        "services/api/Pipfile",
        "services/api/requirements.txt",
        "services/api/requirements-deploy.txt",
        "requirements-deploy.txt",
        "services/api/pyproject.toml",
        "pyproject.toml",
        "services/api/Procfile",
        "railcheck.toml",
        "services/api/main.py",
        "services/api/app/routes/health.py",
        "main.py",
        # Named in the issue that found the hook skipping them: IaC, custom config names, lock files, Dockerfiles.
        ".railway/railway.ts",
        ".railway/railway.py",
        "services/api/railpack.staging.json",
        "services/api/railway.staging.toml",
        "services/api/uv.lock",
        "services/api/poetry.lock",
        "services/api/Pipfile.lock",
        "services/api/package-lock.json",
        "services/api/package.json",
        "services/api/Dockerfile",
        "services/api/Dockerfile.prod",
        "services/api/Dockerfile-prod",
        "services/api/api.Dockerfile",
    ],
)
def test_hook_files_match_what_rules_read(path: str) -> None:
    assert files_pattern().search(path), path


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "services/api/myrailpack.json",
        "services/api/railpack.json.bak",
        "services/x.railway/railway.ts",
        "services/api/railpack.jsonc",
        "services/api/railway.yaml",
        "services/api/python-version",
        "services/api/Pipfile.lock.bak",
        "services/api/requirements.in",
        "docs/requirements.md",
        "services/api/not-requirements.txt",
        "services/api/Procfile.dev",
        "services/api/main.pyc",
        "services/api/main.pyi",
        "services/api/notes.py.txt",
        "tox.ini",
        "xpyproject.toml",
        "services/api/mise.toml.bak",
        "services/api/xmise.toml",
    ],
)
def test_hook_files_skip_other_files(path: str) -> None:
    assert not files_pattern().search(path), path


def test_hook_files_cover_every_file_the_project_loads() -> None:
    """A file railcheck starts reading must be added to the hooks' `files`, or pre-commit will not run on it."""
    from railcheck.facts import SERVICE_FILES
    from railcheck.layout import IAC_FILES, SERVICE_MARKERS
    from railcheck.watched import watched_names

    for name in (*SERVICE_MARKERS, *SERVICE_FILES, "railcheck.toml", *watched_names()):
        assert files_pattern().search(f"services/api/{name}"), name
    for path in IAC_FILES:
        assert files_pattern().search(str(path)), path


def test_hook_files_are_the_generated_pattern() -> None:
    """The manifest carries what `python -m railcheck.watched` prints: regenerate it after changing a list."""
    from railcheck.watched import hook_files_pattern

    assert hooks()["railcheck"]["files"] == hook_files_pattern(), (
        "paste the output of `python -m railcheck.watched` into .pre-commit-hooks.yaml"
    )


# --- pre-commit, for real -------------------------------------------------------------------------------

# Copying the checkout for pre-commit: leave out VCS data, environments and caches.
COPY_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    ".pytest_cache",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    ".benchmarks",
    ".railcheck_cache",
    ".tox",
    "build",
    "dist",
)


@dataclass
class HookRepository:
    """A committed copy of this checkout, and a pre-commit home where its hooks are installed."""

    path: Path
    rev: str
    home: Path

    def config(self, hook_ids: tuple[str, ...] = ("railcheck",)) -> str:
        """docs/integrations.md's .pre-commit-config.yaml, pointed at this copy."""
        config = doc_pre_commit_config()
        (repo,) = config["repos"]
        assert repo["repo"] == REPOSITORY_URL
        repo.update(repo=str(self.path), rev=self.rev, hooks=[{"id": hook_id} for hook_id in hook_ids])
        return yaml.safe_dump(config, sort_keys=False)

    def pre_commit(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **clean_environ(),
            "PATH": PATH,
            "PRE_COMMIT_HOME": str(self.home),
            "PRE_COMMIT_COLOR": "never",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        env.pop("VIRTUAL_ENV", None)
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    def run(self, project: Path, hook_id: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.pre_commit(project, "run", hook_id, "--color", "never", *(args or ("--all-files",)))


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> HookRepository:
    """Copy and commit the checkout, then install its hooks: the one pip install of railcheck per session."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the `test` extra")
    copy = tmp_path_factory.mktemp("hook-repository") / "railcheck"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=COPY_IGNORED)
    init_repository(copy, {})
    rev = git(copy, "rev-parse", "HEAD").strip()
    repository = HookRepository(copy, rev, tmp_path_factory.mktemp("pre-commit-home"))
    scratch = init_repository(
        tmp_path_factory.mktemp("install") / "repo", {".pre-commit-config.yaml": repository.config(HOOK_IDS)}
    )
    result = repository.pre_commit(scratch, "install-hooks")
    assert result.returncode == 0, result.stdout + result.stderr
    return repository


BROKEN_RAILPACK = '{\n  "provider": "python",\n  "helthCheck": "/health"\n}\n'
FIXED_RAILPACK = '{\n  "provider": "python"\n}\n'


def project_repository(
    path: Path, hook_repository: HookRepository, railpack: str, hook_ids: tuple[str, ...] = ("railcheck",)
) -> Path:
    return init_repository(
        path,
        {
            ".pre-commit-config.yaml": hook_repository.config(hook_ids),
            "services/api/railpack.json": railpack,
            "services/api/main.py": 'print("hello")\n',
            "docs/README.md": "# Docs\n",
        },
    )


def test_pre_commit_hook_reports_findings_then_passes(hook_repository: HookRepository, tmp_path: Path) -> None:
    project = project_repository(tmp_path / "project", hook_repository, BROKEN_RAILPACK)

    failed = hook_repository.run(project, "railcheck")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "services/api/railpack.json:3:3: RP001 error" in failed.stdout
    assert "helthCheck" in failed.stdout

    # A Python module of the service checks the whole service; a file outside the hook's `files` runs nothing.
    via_module = hook_repository.run(project, "railcheck", "--files", "services/api/main.py")
    assert via_module.returncode == 1 and "RP001" in via_module.stdout, via_module.stdout
    unrelated = hook_repository.run(project, "railcheck", "--files", "docs/README.md")
    assert unrelated.returncode == 0 and "(no files to check)Skipped" in unrelated.stdout, unrelated.stdout

    (project / "services/api/railpack.json").write_text(FIXED_RAILPACK, encoding="utf-8")
    commit_all(project, "fix railpack.json")
    passed = hook_repository.run(project, "railcheck")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


IAC_WRONG_ROOT = (
    'import { defineRailway, project, service } from "railway/iac";\n\n'
    'export default defineRailway(() =>\n  project("shop", {\n'
    '    resources: [service("api", { root: "services/apii", start: "python main.py" })],\n  }),\n);\n'
)


def git_commit(
    project: Path, hook_repository: HookRepository, path: str, text: str
) -> subprocess.CompletedProcess[str]:
    """Write `path`, stage it alone and `git commit` with the installed hook, as a user would."""
    (project / path).parent.mkdir(parents=True, exist_ok=True)
    (project / path).write_text(text, encoding="utf-8")
    git(project, "add", path)
    env = {**clean_environ(), "PATH": PATH, "PRE_COMMIT_HOME": str(hook_repository.home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        ["git", "commit", "-m", f"change {path}"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (".railway/railway.ts", IAC_WRONG_ROOT, ".railway/railway.ts:5:40: IC001 error"),
        # A lock file, a Dockerfile or a start module re-checks the service holding it.
        ("services/api/uv.lock", "version = 1\n", "services/api/railpack.json:3:3: RP001 error"),
        # A Dockerfile at the root makes Railway build with it: the railpack.json beside it goes unused.
        ("services/api/Dockerfile", "FROM python:3.12-slim\n", "services/api/railpack.json:1:1: DF001 warning"),
        ("services/api/app/server.py", "app = object()\n", "services/api/railpack.json:3:3: RP001 error"),
    ],
)
def test_pre_commit_blocks_a_commit_of_any_file_rules_read(
    hook_repository: HookRepository, tmp_path: Path, path: str, text: str, expected: str
) -> None:
    """The issue's four commits that pre-commit used to skip ("(no files to check)Skipped") and let land."""
    railpack = FIXED_RAILPACK if path.startswith(".railway/") else BROKEN_RAILPACK
    project = project_repository(tmp_path / "project", hook_repository, railpack)
    installed = hook_repository.pre_commit(project, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    head = git(project, "rev-parse", "HEAD")

    result = git_commit(project, hook_repository, path, text)
    output = result.stdout + result.stderr  # git prints its hook's output on standard error
    assert result.returncode == 1, output
    assert "Failed" in output and "Skipped" not in output, output
    assert expected in output, output
    assert git(project, "rev-parse", "HEAD") == head  # the commit did not land


def test_pre_commit_all_hook_checks_the_repository_whatever_changed(
    hook_repository: HookRepository, tmp_path: Path
) -> None:
    project = project_repository(tmp_path / "project", hook_repository, BROKEN_RAILPACK, ("railcheck-all",))
    result = hook_repository.run(project, "railcheck-all", "--files", "docs/README.md")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "services/api/railpack.json:3:3: RP001 error" in result.stdout


def test_pre_commit_fix_hook_fixes_then_passes(hook_repository: HookRepository, tmp_path: Path) -> None:
    project = project_repository(
        tmp_path / "project", hook_repository, '{\n  "provider": "Python"\n}\n', ("railcheck-fix",)
    )
    railpack = project / "services/api/railpack.json"

    fixed = hook_repository.run(project, "railcheck-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "files were modified by this hook" in fixed.stdout
    assert railpack.read_text(encoding="utf-8") == FIXED_RAILPACK

    commit_all(project, "apply railcheck's fixes")
    again = hook_repository.run(project, "railcheck-fix")
    assert again.returncode == 0, again.stdout + again.stderr
    assert railpack.read_text(encoding="utf-8") == FIXED_RAILPACK


def test_pre_commit_try_repo(hook_repository: HookRepository, tmp_path: Path) -> None:
    """`pre-commit try-repo` ignores PRE_COMMIT_HOME (it installs into a new temporary store each time, ~6 s),
    so the tests above use `pre-commit run` with docs/integrations.md's config; this runs try-repo once."""
    project = project_repository(tmp_path / "project", hook_repository, BROKEN_RAILPACK)
    result = hook_repository.pre_commit(
        project, "try-repo", str(hook_repository.path), "railcheck", "--all-files", "--color", "never"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "services/api/railpack.json:3:3: RP001 error" in result.stdout


# --- action.yml -----------------------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ACTION_INPUTS = {
    "version": "",
    "paths": ".",
    "args": "",
    "fail-on": "warning",
    "sarif-file": "",
    "python-version": "3.12",
}


def action() -> dict[str, Any]:
    return load_yaml(ACTION_FILE)


def action_steps() -> list[dict[str, Any]]:
    return action()["runs"]["steps"]


def is_install_step(step: Mapping[str, Any]) -> bool:
    return "pip install" in step.get("run", "")


def test_action_declares_its_inputs() -> None:
    declared = action()["inputs"]
    assert {name: str(spec.get("default", "")) for name, spec in declared.items()} == ACTION_INPUTS
    assert all(spec.get("description") for spec in declared.values())
    assert action()["runs"]["using"] == "composite"


def test_action_passes_inputs_through_env_only() -> None:
    text = ACTION_FILE.read_text(encoding="utf-8")
    declared = set(action()["inputs"])
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text))
    assert used == declared, f"undeclared: {used - declared}, unused: {declared - used}"
    for step in action_steps():
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
            assert "${{" not in step["run"], f"{step['name']}: an expression in the script text can inject shell code"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_action_install_step_command() -> None:
    (install,) = [step for step in action_steps() if is_install_step(step)]
    assert install["env"]["RAILCHECK_VERSION"] == "${{ inputs.version }}"
    assert '"railcheck==$RAILCHECK_VERSION"' in install["run"]
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    assert re.search(r'-m pip install .*"\$spec"', install["run"])


@dataclass
class StepRun:
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    steps: list[StepRun]
    summary: str
    added_path: list[str]
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def returncode(self) -> int:
        return self.steps[-1].returncode if self.steps else 0

    @property
    def stdout(self) -> str:
        return "".join(step.stdout for step in self.steps)

    @property
    def stderr(self) -> str:
        return "".join(step.stderr for step in self.steps)

    def annotations(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::")]


def evaluate(value: str, inputs: Mapping[str, str], step_outputs: Mapping[str, Mapping[str, str]]) -> str:
    """Evaluate the `${{ }}` expressions action.yml uses; fail on any other."""

    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if found := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            return step_outputs.get(found.group(1), {}).get(found.group(2), "")
        if expression == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"the test runner does not know the expression {expression!r}")

    return EXPRESSION.sub(replace, value)


def read_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, separator, value = line.partition("=")
        assert separator, f"unsupported GITHUB_OUTPUT line {line!r}"
        outputs[name] = value
    return outputs


def run_action(
    workspace: Path,
    runner: Path,
    inputs: Mapping[str, str] | None = None,
    *,
    include: Callable[[Mapping[str, Any]], bool] = lambda step: not is_install_step(step),
    step_outputs: Mapping[str, Mapping[str, str]] | None = None,
    env: Mapping[str, str] | None = None,
) -> ActionRun:
    """Run action.yml's shell steps as a GitHub runner would, stopping at the first that fails."""
    declared = action()["inputs"]
    unknown = set(inputs or {}) - set(declared)
    assert not unknown, f"action.yml has no input {unknown}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | dict(inputs or {})
    outputs: dict[str, dict[str, str]] = {"python": {"python-path": sys.executable}} | {
        key: dict(value) for key, value in (step_outputs or {}).items()
    }
    runner.mkdir(parents=True)
    (runner / "temp").mkdir()
    files = {name: runner / name for name in ("step_summary.md", "github_path", "github_env")}
    for path in files.values():
        path.touch()
    runs: list[StepRun] = []
    for index, step in enumerate(action_steps()):
        if "uses" in step or not include(step):
            continue
        assert step.get("shell") == "bash" and "if" not in step and "working-directory" not in step, step
        output_file = runner / f"output-{index}"
        output_file.touch()
        added = [line for line in files["github_path"].read_text(encoding="utf-8").splitlines() if line][::-1]
        step_env = {
            "PATH": os.pathsep.join([*added, PATH]),
            "HOME": os.environ.get("HOME", str(runner)),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_STEP_SUMMARY": str(files["step_summary.md"]),
            "GITHUB_PATH": str(files["github_path"]),
            "GITHUB_ENV": str(files["github_env"]),
            "GITHUB_OUTPUT": str(output_file),
            "RUNNER_TEMP": str(runner / "temp"),
            **(env or {}),
        }
        step_env.update({name: evaluate(str(value), values, outputs) for name, value in step.get("env", {}).items()})
        script = runner / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        produced = read_outputs(output_file)
        if "id" in step:
            outputs[step["id"]] = produced
        runs.append(
            StepRun(
                step.get("name", step.get("id", str(index))), result.returncode, result.stdout, result.stderr, produced
            )
        )
        if result.returncode != 0:
            break
    action_outputs = {
        name: evaluate(spec["value"], values, outputs) for name, spec in action().get("outputs", {}).items()
    }
    added_path = files["github_path"].read_text(encoding="utf-8").splitlines()
    return ActionRun(runs, files["step_summary.md"].read_text(encoding="utf-8"), added_path, action_outputs)


def example_workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    # Without railcheck's result cache: a fresh checkout, as on a runner.
    shutil.copytree(EXAMPLE, workspace, symlinks=True, ignore=shutil.ignore_patterns(".railcheck_cache"))
    return workspace


MARKDOWN_TABLE = re.compile(r"^\|.*\|\n\|(\s*:?-{3,}:?\s*\|)+$", re.MULTILINE)


def annotated_files(run: ActionRun) -> set[str]:
    found = set()
    for line in run.annotations():
        match = re.match(r"::\w+ file=([^,:]+)", line)
        assert match, f"annotation without a file: {line!r}"
        found.add(match.group(1))
    return found


def test_action_annotates_writes_summary_and_fails(tmp_path: Path) -> None:
    workspace = example_workspace(tmp_path)
    run = run_action(workspace, tmp_path / "runner")

    assert run.returncode == 1, run.stdout + run.stderr
    assert run.outputs == {"exit-code": "1"}
    annotations = run.annotations()
    assert any(line.startswith("::error file=") for line in annotations), run.stdout
    assert any(line.startswith("::warning file=") for line in annotations), run.stdout
    assert all(re.match(r"::(error|warning|notice) file=", line) for line in annotations), annotations
    # GitHub resolves `file=` from the workspace.
    for path in annotated_files(run):
        assert (workspace / path).is_file(), path
    assert MARKDOWN_TABLE.search(run.summary), run.summary
    assert "RP001" in run.summary


def test_action_checks_only_the_given_paths(tmp_path: Path) -> None:
    workspace = example_workspace(tmp_path)
    run = run_action(workspace, tmp_path / "runner", {"paths": "services/backend\nservices/ml", "fail-on": "error"})

    assert run.returncode == 1, run.stdout + run.stderr
    files = annotated_files(run)
    assert files and all(path.startswith(("services/backend/", "services/ml/")) for path in files), files
    assert {path.split("/")[1] for path in files} == {"backend", "ml"}


def test_action_exits_zero_when_nothing_reaches_fail_on(tmp_path: Path) -> None:
    workspace = example_workspace(tmp_path)
    run = run_action(workspace, tmp_path / "runner", {"paths": "services/frontend", "fail-on": "warning"})

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs == {"exit-code": "0"}
    assert run.summary.strip()


def test_action_annotates_changed_lines_first_on_pull_requests(tmp_path: Path) -> None:
    """On a pull request (GITHUB_BASE_REF set), findings on lines it changed come first (annotations are capped)."""
    workspace = example_workspace(tmp_path)
    init_repository(workspace, {})
    git(workspace, "update-ref", "refs/remotes/origin/main", "HEAD")
    railpack = workspace / "services/ml/railpack.json"
    railpack.write_text(
        railpack.read_text(encoding="utf-8").replace('"/api/health"', '"/api/healthz"'), encoding="utf-8"
    )
    commit_all(workspace, "change the health-check path")

    def first_error(run: ActionRun) -> str:
        assert run.returncode == 1, run.stdout + run.stderr
        return next(line for line in run.annotations() if line.startswith("::error "))

    assert first_error(run_action(workspace, tmp_path / "push")).startswith("::error file=railway.json,")
    pull_request = run_action(
        workspace, tmp_path / "pull-request", env={"GITHUB_BASE_REF": "main", "GITHUB_EVENT_NAME": "pull_request"}
    )
    assert first_error(pull_request).startswith("::error file=services/ml/railpack.json,line=13,")


def test_action_inputs_cannot_inject_shell(tmp_path: Path) -> None:
    workspace = example_workspace(tmp_path)
    hostile = "$(touch pwned-subst) `touch pwned-backtick` ; touch pwned-semicolon"
    run = run_action(
        workspace,
        tmp_path / "runner",
        {"paths": hostile, "args": hostile, "sarif-file": "x.sarif\ntouch pwned-newline"},
    )

    assert run.returncode == 2, run.stdout + run.stderr  # railcheck sees the words as paths that do not exist
    assert not list(workspace.glob("pwned*")) and not list(tmp_path.glob("pwned*"))


@pytest.mark.parametrize(
    ("version", "spec"),
    [("", str(ROOT)), ("0.1.0", "railcheck==0.1.0"), ("0.1.0; touch pwned", "railcheck==0.1.0; touch pwned")],
)
def test_action_install_step(tmp_path: Path, version: str, spec: str) -> None:
    """The install step, run with a stand-in for Python that records what it is asked to do."""
    log = tmp_path / "python.log"
    stub = tmp_path / "python"
    stub.write_text(
        '#!/usr/bin/env bash\nprintf "%s\\n" "$0 $*" >> "$STUB_LOG"\n'
        'if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    run = run_action(
        workspace,
        tmp_path / "runner",
        {"version": version},
        include=is_install_step,
        step_outputs={"python": {"python-path": str(stub)}},
        env={"STUB_LOG": str(log)},
    )

    assert run.returncode == 0, run.stdout + run.stderr
    venv = tmp_path / "runner" / "temp" / "railcheck-venv"
    assert log.read_text(encoding="utf-8").splitlines() == [
        f"{stub} -m venv {venv}",
        f"{venv}/bin/python -m pip install --quiet --disable-pip-version-check {spec}",
    ]
    # The job's PATH is left alone: the venv reaches the next step as an output only.
    assert run.added_path == []
    assert run.steps[-1].outputs == {"bin": f"{venv}/bin"}
    assert not list(workspace.glob("pwned*"))


# --- docs/integrations.md -------------------------------------------------------------------------------


def test_doc_yaml_snippets_parse() -> None:
    blocks = doc_yaml()
    assert len(blocks) >= 4
    assert all(isinstance(block, dict) for block in blocks)


def test_doc_pre_commit_snippet() -> None:
    (repo,) = doc_pre_commit_config()["repos"]
    assert repo["repo"] == REPOSITORY_URL
    assert {hook["id"] for hook in repo["hooks"]} <= set(hooks())
    assert repo["rev"] == PLACEHOLDER_TAG  # no tag is assumed to exist: the user fills it in


def test_doc_workflow_uses_only_declared_inputs() -> None:
    declared = set(action()["inputs"])
    steps = [step for block in doc_yaml() if "jobs" in block for step in railcheck_action_steps(block)]
    assert steps
    for step in steps:
        assert set(step.get("with", {})) <= declared, set(step["with"]) - declared
        assert step["uses"].split("@")[0] == REPOSITORY_URL.removeprefix("https://github.com/")
        assert step["uses"].split("@")[1] == PLACEHOLDER_TAG


def test_doc_workflow_uploads_the_sarif_file() -> None:
    workflow = doc_workflow()
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    (railcheck,) = railcheck_action_steps(workflow)
    (upload,) = [
        step for step in job["steps"] if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    assert upload["uses"].endswith("@v3")
    assert upload["with"]["sarif_file"] == railcheck["with"]["sarif-file"]
    assert job["steps"].index(upload) > job["steps"].index(railcheck)


def test_doc_documents_every_action_input() -> None:
    text = DOC_FILE.read_text(encoding="utf-8")
    for name, default in ACTION_INPUTS.items():
        row = re.search(rf"^\| `{re.escape(name)}` \| ([^|]+) \|", text, flags=re.MULTILINE)
        assert row, f"docs/integrations.md does not document the input {name}"
        assert row.group(1).strip() == (f"`{default}`" if default else "(empty)"), name


def test_doc_gitlab_reports_are_the_files_railcheck_writes() -> None:
    jobs = [job for block in doc_yaml() for job in block.values() if isinstance(job, dict) and "script" in job]
    assert jobs
    reports = {}
    for job in jobs:
        written = {match for line in job["script"] for match in re.findall(r"--output-file (\S+)", line)}
        for kind, path in job["artifacts"]["reports"].items():
            assert path in written, (kind, path)
            reports[kind] = path
        assert job["artifacts"]["when"] == "always"
    assert set(reports) == {"codequality", "junit"}


def test_doc_and_action_name_existing_output_formats() -> None:
    """Waits for the github, markdown, sarif, junit and gitlab formats (added to railcheck/report)."""
    text = DOC_FILE.read_text(encoding="utf-8") + ACTION_FILE.read_text(encoding="utf-8")
    named = set(re.findall(r"--output-format (\w[\w-]*)", text))
    assert {"github", "markdown", "sarif", "gitlab", "junit"} <= named
    assert named <= output_formats(), f"not (yet) in railcheck: {sorted(named - output_formats())}"


def test_doc_workflow_runs_against_the_example(tmp_path: Path) -> None:
    """The workflow's railcheck step, with the docs' inputs, writes the SARIF file the upload step reads."""
    workflow = doc_workflow()
    (step,) = railcheck_action_steps(workflow)
    workspace = example_workspace(tmp_path)
    run = run_action(workspace, tmp_path / "runner", {name: str(value) for name, value in step["with"].items()})

    assert run.returncode == 1, run.stdout + run.stderr
    sarif = json.loads((workspace / step["with"]["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    (sarif_run,) = sarif["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "railcheck"
    assert any(result["ruleId"] == "RP001" for result in sarif_run["results"])


def test_changed_lines_name_paths_with_non_ascii_characters_as_written(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    from railcheck.gitdiff import changed_lines

    repo = tmp_path / "repo"
    folder = repo / "services" / "ml été"
    folder.mkdir(parents=True)
    (folder / "railpack.json").write_text('{\n  "provider": "python"\n}\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    (folder / "railpack.json").write_text('{\n  "provider": "python",\n  "buildAptPackages": ["git"]\n}\n')
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "change")
    assert changed_lines(repo, "HEAD~1") == {PurePosixPath("services/ml été/railpack.json"): frozenset({2, 3})}


def test_docs_name_no_version_or_tag_that_may_not_exist() -> None:
    """Versions and tags in install and integration snippets are placeholders the user fills, stated as such."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    doc = DOC_FILE.read_text(encoding="utf-8")
    for name, text in (("README.md", readme), ("docs/integrations.md", doc)):
        assert not re.search(r"rev: v\d|railcheck/railcheck@v\d|railcheck==\d|pip install railcheck\b", text), name
        assert f"{PLACEHOLDER_TAG}" in text and "fill in" in text, name
    assert "no version is assumed to exist" in doc


def test_readme_snippets_name_hooks_and_inputs_that_exist() -> None:
    """README's short pre-commit and Actions snippets say what docs/integrations.md's tested ones say."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [
        yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
    ]
    (config,) = [block for block in blocks if isinstance(block, dict) and "repos" in block]
    (repo,) = config["repos"]
    assert repo["repo"] == REPOSITORY_URL and repo["rev"] == PLACEHOLDER_TAG
    assert {hook["id"] for hook in repo["hooks"]} <= set(hooks())
    (steps,) = [block for block in blocks if isinstance(block, list)]
    (step,) = steps
    assert step["uses"] == f"{ACTION_REF}{PLACEHOLDER_TAG}"
    assert set(step["with"]) <= set(action()["inputs"])
