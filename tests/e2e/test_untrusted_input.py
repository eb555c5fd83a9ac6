"""Regression tests of issue 12's crash and reliability items: hostile or odd repositories end as findings
(or a configuration error with its position), never as a traceback, and the output cannot be hijacked."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

FORMATS = ("full", "concise", "json", "json-lines", "github", "markdown", "sarif", "junit", "gitlab")


def lines_a_runner_reads_as_commands(text: str) -> list[str]:
    # The runner trims leading white space, then looks for `::` at the start of a line.
    return [line for line in text.splitlines() if line.lstrip().startswith("::")]


# --- 6: injection into CI logs and summaries ----------------------------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_newline_in_a_key_cannot_forge_a_workflow_command(tmp_path: Path, output_format: str) -> None:
    key = "x\\n::error file=app.py,line=1::forged\\n::add-mask::secret"
    repo = write_repo(tmp_path, {"railpack.json": f'{{"{key}": 1}}'})
    result = invoke("check", str(repo), "--no-cache", "--output-format", output_format)
    assert result.exit_code == 1, result.output
    assert "forged" in result.output
    forged = [
        line
        for line in lines_a_runner_reads_as_commands(result.output)
        if "forged" in line.split("::", 2)[-1].split("%0A")[0] and not line.startswith("::error file=services")
    ]
    assert not forged, forged
    assert not [line for line in result.output.splitlines() if line.lstrip().startswith("::add-mask::")]


def test_a_config_key_cannot_forge_a_workflow_command_on_standard_error(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"railpack.json": "{}"})
    (repo / "railcheck.toml").write_text('[rules."x\\n::error file=a.py::forged"]\nfoo = 1\n')
    result = invoke("check", str(repo), "--no-cache")
    assert result.exit_code == 2
    assert "forged" in result.stderr
    assert not lines_a_runner_reads_as_commands(result.stderr), result.stderr


def test_a_folder_name_cannot_break_the_markdown_table(tmp_path: Path) -> None:
    folder = "services/a |\n\nAll checks passed [click](https://evil.example)\n| x"
    repo = write_repo(tmp_path, {"railpack.json": '{"versions": "1"}'}, service=folder)
    # Backticks in the key close the message's code span around it, leaving the link outside.
    (repo / folder / "railpack.json").write_text('{"a` [free](https://evil.example) `b": 1}')
    result = invoke("check", str(repo), "--no-cache", "--output-format", "markdown")
    table = [line for line in result.output.splitlines() if line.startswith("| error")]
    assert len(table) == 1, result.output
    assert table[0].count(" | ") == 3, table[0]  # four cells: no pipe of the name splits a cell
    assert "All checks passed" not in "".join(line for line in result.output.splitlines() if not line.startswith("|"))
    outside_code_spans = re.sub("`[^`]*`", "", result.output)
    assert "[free]" not in outside_code_spans and "\\[free\\]" in outside_code_spans


# --- 7 and 11: text that UTF-8 cannot carry ---------------------------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_lone_surrogate_in_a_value_is_printed_as_its_escape(tmp_path: Path, output_format: str) -> None:
    repo = write_repo(tmp_path, {"railpack.json": '{"provider": "\\ud800"}'})
    result = subprocess.run(
        [sys.executable, "-m", "railcheck", "check", str(repo), "--no-cache", "--output-format", output_format],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    text = result.stdout.decode("utf-8")  # valid UTF-8, or this raises
    assert "\\ud800" in text
    if output_format in ("json", "sarif", "gitlab"):
        assert "\ud800" in json.dumps(json.loads(text), ensure_ascii=False)  # the escape means the same character


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_folder_name_that_is_not_utf8(tmp_path: Path, output_format: str) -> None:
    repo = write_repo(tmp_path, {})
    folder = os.path.join(os.fsencode(repo), b"services", b"b\xff")
    os.makedirs(folder)
    with open(os.path.join(folder, b"railpack.json"), "wb") as handle:
        handle.write(b'{"versions": "1"}')
    result = subprocess.run(
        [sys.executable, "-m", "railcheck", "check", str(repo), "--no-cache", "--output-format", output_format],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    text = result.stdout.decode("utf-8")
    if output_format == "sarif":
        assert "services/b%FF/railpack.json" in text
    else:
        assert "b\\udcff" in text or "b\\xdcff" in text  # junit writes what XML cannot hold as \\x escapes
    if output_format in ("json", "sarif", "gitlab"):
        json.loads(text)


# --- 10: RW103 on a $schema that is not a string -----------------------------------------------------


@pytest.mark.parametrize("schema", ["[]", "{}", '["https://railway.app/railway.schema.json"]'])
def test_schema_that_is_not_a_string(tmp_path: Path, schema: str) -> None:
    repo = write_repo(tmp_path, {"railway.json": f'{{"$schema": {schema}}}'})
    result = invoke("check", str(repo), "--no-cache", "--output-format", "json")
    codes = [diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]]
    assert "RC002" not in codes and "RW002" in codes, codes


@pytest.mark.parametrize(
    "config",
    ['{"$schema": "http://[railway.com/railway.schema.json"}', '{"deploy": {"healthcheckPath": "http://[::1/health"}}'],
)
def test_urls_python_cannot_split_are_findings_not_failures(tmp_path: Path, config: str) -> None:
    repo = write_repo(tmp_path, {"railway.json": config})
    result = invoke("check", str(repo), "--no-cache", "--output-format", "json")
    codes = [diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]]
    assert "RC002" not in codes, result.output


# --- 8: gitignore lines git accepts but the pattern library rejects ----------------------------------


@pytest.mark.parametrize("lines", ["!\n", "a\\\n", "\\\n!\nservices/ignored/\n"])
def test_gitignore_lines_git_skips_are_skipped(tmp_path: Path, lines: str) -> None:
    repo = write_repo(
        tmp_path,
        {
            "railpack.json": '{"versions": "1"}',
            "/services/ignored/railpack.json": '{"versions": "1"}',
            "/.gitignore": lines,
        },
    )
    result = invoke("check", str(repo), "--no-cache", "--output-format", "json")
    paths = {diagnostic["path"] for diagnostic in json.loads(result.output)["diagnostics"]}
    expected = {"services/svc/railpack.json"} | (set() if "ignored" in lines else {"services/ignored/railpack.json"})
    assert (result.exit_code, paths) == (1, expected)


@pytest.mark.parametrize("lines", ["!\ngenerated/\n", "a\\\ngenerated/\n"])
def test_gitignore_lines_git_skips_do_not_stop_the_build_output_check(tmp_path: Path, lines: str) -> None:
    # The .gitignore is read again to learn which paths the build creates; that reading is as lenient.
    repo = write_repo(
        tmp_path, {"railpack.json": '{"deploy": {"startCommand": "bash generated/start.sh"}}', "/.gitignore": lines}
    )
    result = invoke("check", str(repo), "--no-cache", "--output-format", "json")
    codes = {diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]}
    assert "RC002" not in codes and "CM002" not in codes, result.output


@pytest.mark.parametrize("pattern", ["src\\\\", "!"])
def test_watch_patterns_git_skips_match_nothing(tmp_path: Path, pattern: str) -> None:
    repo = write_repo(
        tmp_path,
        {
            "railpack.json": "{}",
            "railway.json": f'{{"build": {{"watchPatterns": ["{pattern}", "services/svc/**"]}}}}',
            "main.py": "",
        },
    )
    result = invoke("check", str(repo), "--no-cache", "--output-format", "json")
    assert "RC002" not in {diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]}, result.output


@pytest.mark.parametrize(
    ("config", "line", "key"),
    [
        ('exclude = ["!"]\n', 1, "exclude"),
        ('select = ["RP"]\n\n[per-file-ignores]\n"a\\\\" = ["RP001"]\n', 4, "per-file-ignores"),
    ],
)
def test_a_bad_pattern_in_the_configuration_is_a_configuration_error(
    tmp_path: Path, config: str, line: int, key: str
) -> None:
    repo = write_repo(tmp_path, {"railpack.json": "{}"})
    (repo / "railcheck.toml").write_text(config)
    for cached in ("--no-cache", "--output-format=full"):
        result = invoke("check", str(repo), cached)
        assert result.exit_code == 2
        assert f"railcheck.toml:{line}: `{key}`:" in result.stderr and "not a valid gitignore pattern" in result.stderr


# --- 12: fixes that would break their file -----------------------------------------------------------


def test_moving_the_last_member_after_a_comment_keeps_the_closing_brace(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"railpack.json": '{ // c\n"healthCheckPath": "/h"}'})
    result = invoke("check", str(repo), "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    assert "RC003" not in {diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]}, result.output
    assert (repo / "services/svc/railpack.json").read_text() == "{ // c\n}"
    assert json.loads((repo / "services/svc/railway.json").read_text())["deploy"] == {"healthcheckPath": "/h"}


def test_two_fixes_adding_the_same_key_apply_one_after_the_other(tmp_path: Path) -> None:
    # RP001 moves `healthcheckPath` into railway.toml while RW001 renames a misspelt `healthcheckPat` to it:
    # together they would write the key twice. The second waits for the next round, which sees the key
    # already set; it was rejected with RC003 (found by the fuzzer).
    repo = write_repo(
        tmp_path,
        {
            "railpack.json": '{"deploy": {"startCommand": "python main.py", "healthcheckPath": "/healthz"}}',
            "railway.toml": '[deploy]\nhealthcheckPat = "/h"\n',
            "main.py": "",
            "requirements.txt": "flask\n",
        },
    )
    result = invoke("check", str(repo), "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    codes = [diagnostic["code"] for diagnostic in json.loads(result.output)["diagnostics"]]
    assert "RC003" not in codes and "RW001" in codes, result.output
    assert (
        repo / "services/svc/railway.toml"
    ).read_text() == '[deploy]\nhealthcheckPat = "/h"\nhealthcheckPath = "/healthz"\n'


def test_a_fix_that_would_write_a_folder_name_that_is_not_utf8_is_not_offered(tmp_path: Path) -> None:
    # WP002's fix adds a pattern naming the service's folder; bytes that are not UTF-8 cannot be written
    # into railway.json, so the fix is not offered (it stopped `--fix` with an internal error).
    repo = write_repo(tmp_path, {"railpack.json": "{}"})
    folder = os.path.join(os.fsencode(repo / "services"), b"bad\xffname")
    os.rename(repo / "services" / "svc", folder)
    with open(os.path.join(folder, b"railway.json"), "w") as handle:
        handle.write('{"build": {"watchPatterns": ["docs/**"]}}')
    result = invoke("check", str(repo), "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    assert result.exit_code == 1, result.stderr
    codes = {diagnostic["code"]: diagnostic for diagnostic in json.loads(result.output)["diagnostics"]}
    assert codes["WP002"]["fix"] is None and "RC003" not in codes


# --- 14: the same input gives the same output in every process ---------------------------------------

TWICE_DEFINED = """import os
from railway_sdk import define_railway, project, service

@define_railway
def a_rather_long_program_name():
    r = "services/svc"
    return project("shop", resources=[service("api", root=r, start="python main.py")])

@define_railway
def a_rather_long_program_name():
    r = os.environ["R"]
    return project("shop", resources=[service("api", root=r, start="python main.py")])
"""


def test_output_is_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    # The second program's `r` was looked up under id() of the first program's freed scope: whether the
    # address was reused (and the first program's value returned) depended on the process's allocations.
    repo = write_repo(tmp_path, {"/.railway/railway.py": TWICE_DEFINED, "main.py": "", "requirements.txt": "x\n"})
    outputs = set()
    for seed in range(6):
        environment = {**os.environ, "PYTHONHASHSEED": str(seed)}
        result = subprocess.run(
            [sys.executable, "-m", "railcheck", "check", str(repo), "--no-cache", "--output-format", "concise"],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1, outputs
    # The unreadable root of the second program (since the IaC review fixes: IC009, not dropped silently).
    assert ".railway/railway.py:12:59: IC009" in outputs.pop()


# --- 13: a fix of a file that is not UTF-8 is not offered; the others are applied ---------------------


def test_a_fix_of_a_file_that_is_not_utf8_is_skipped_and_the_rest_applied(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path,
        {
            "/railcheck.toml": '[[sync]]\nsource = "requirements.txt"\ncopies = ["services/svc/requirements.txt"]\n',
            "/requirements.txt": "flask\nuvicorn\n",
            "requirements.txt": b"flask\xff\nuvicorn\n",
            "railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 127.0.0.1 --port $PORT"}}',
            "main.py": "app = 1\n",
        },
    )
    result = invoke("check", str(repo), "--no-cache", "--fix", "--output-format", "json")
    document = json.loads(result.output)
    assert result.exit_code == 1, result.output
    assert (repo / "services/svc/requirements.txt").read_bytes() == b"flask\xff\nuvicorn\n"  # its bytes are kept
    assert "--host 0.0.0.0" in (repo / "services/svc/railpack.json").read_text()  # the other fix is applied
    copy = [diagnostic for diagnostic in document["diagnostics"] if diagnostic["code"] == "RQ005"]
    assert len(copy) == 1 and copy[0]["fix"] is None  # not offered, not counted as fixable
    assert "RC003" not in {diagnostic["code"] for diagnostic in document["diagnostics"]}


def test_settle_refuses_a_fix_of_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    # The engine no longer offers such a fix; settle still refuses one (with RC003), should a rule bypass it.
    from pathlib import PurePosixPath

    from railcheck.fixes import settle
    from railcheck.types import Applicability, Diagnostic, Edit, Fix, Severity

    lossy, clean = PurePosixPath("a.txt"), PurePosixPath("b.txt")
    findings = [
        Diagnostic("RQ005", "x", "m", Severity.WARNING, path, None, fix=Fix.safe("t", Edit(path, 0, 1, "z")))
        for path in (lossy, clean)
    ]
    outcome = settle(
        {lossy: "\ufffd", clean: "b"},
        lambda overlay: [] if overlay else findings,
        Applicability.SAFE,
        frozenset({lossy}),
    )
    assert outcome.texts == {clean: "z"}
    assert [problem.code for problem in outcome.problems] == ["RC003"]


def test_a_fix_that_would_break_its_file_is_not_offered(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    from railcheck.fixes import offered
    from railcheck.types import Diagnostic, Edit, Fix, Severity

    path = PurePosixPath("services/svc/railway.json")
    texts = {path: '{"a": 1, "b": 2}'}

    def finding(edit: Edit) -> Diagnostic:
        return Diagnostic("RW001", "x", "m", Severity.ERROR, path, None, fix=Fix.safe("t", edit))

    breaking = finding(Edit(path, 8, 16, ""))  # drops the closing brace with the member
    assert offered(breaking, texts, lambda _: True).fix is None
    fine = finding(Edit(path, 7, 15, ""))
    assert offered(fine, texts, lambda _: True) is fine
    assert offered(fine, texts, lambda _: False).fix is None


# --- 17: folders railcheck cannot list are findings, not silent skips --------------------------------


def _as_unprivileged_user(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """railcheck in a process that file modes apply to: as root (which reads mode 000 anyway), as `nobody`."""
    command = [sys.executable, "-m", "railcheck", *arguments]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def repo_with_an_unreadable_service() -> Iterator[Path]:
    # Not under pytest's tmp_path, which only its owner may enter.
    repo = Path(tempfile.mkdtemp(prefix="railcheck-unreadable-"))
    repo.chmod(0o755)
    write_repo(
        repo,
        {"/services/good/railpack.json": '{"versions": "1"}', "/services/locked/railpack.json": '{"versions": "1"}'},
    )
    for folder, _, files in os.walk(repo):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    (repo / "services/locked").chmod(0)
    yield repo
    (repo / "services/locked").chmod(0o755)
    shutil.rmtree(repo)


@pytest.mark.parametrize("target", [".", "services/locked/railpack.json"])
def test_a_folder_that_cannot_be_listed_is_a_finding(repo_with_an_unreadable_service: Path, target: str) -> None:
    # `services/locked/railpack.json` is what pre-commit passes for a staged file there: it was a usage error.
    result = _as_unprivileged_user(
        ["check", target, "--no-cache", "--output-format", "json"], repo_with_an_unreadable_service
    )
    assert result.returncode == 1, result.stderr
    findings = {(diagnostic["code"], diagnostic["path"]) for diagnostic in json.loads(result.stdout)["diagnostics"]}
    assert findings == {("RP001", "services/good/railpack.json"), ("RC001", "services/locked")}
    assert "Permission denied" in result.stdout


def test_a_service_deeper_than_path_max_is_a_finding(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"railpack.json": '{"versions": "1"}'})
    descriptor = os.open(repo, os.O_RDONLY)
    try:
        for _ in range(40):  # 40 levels of 200 characters: twice PATH_MAX; only relative steps reach it
            os.mkdir("d" * 200, dir_fd=descriptor)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        service = os.open("railpack.json", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(service, b'{"versions": "1"}')
        os.close(service)
    finally:
        os.close(descriptor)
    result = invoke("check", str(repo), "--no-cache", "--output-format", "json")
    diagnostics = json.loads(result.output)["diagnostics"]
    assert result.exit_code == 1
    unlisted = [diagnostic for diagnostic in diagnostics if diagnostic["code"] == "RC001"]
    assert len(unlisted) == 1 and "File name too long" in unlisted[0]["message"], diagnostics
    assert "RP001" in {diagnostic["code"] for diagnostic in diagnostics}  # the service within reach is checked
    shutil.rmtree(repo, ignore_errors=True)  # rmtree copes with the depth through file descriptors


def test_a_module_whose_file_is_a_pipe_gets_no_fix_that_changes_nothing(tmp_path: Path) -> None:
    # Found by benchmarks/fuzz.py: ST001 offered "Import `main` instead" for `main`, every round (RC003).
    repo = write_repo(
        tmp_path,
        {
            "railpack.json": '{"deploy": {"startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT"}}',
            "requirements.txt": "uvicorn\n",
        },
    )
    os.mkfifo(repo / "services/svc/main.py")
    result = invoke("check", str(repo), "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    diagnostics = json.loads(result.output)["diagnostics"]
    assert "RC003" not in {diagnostic["code"] for diagnostic in diagnostics}, diagnostics
    (missing,) = [diagnostic for diagnostic in diagnostics if diagnostic["code"] == "ST001"]
    assert missing["fix"] is None and "Did you mean `main`" not in (missing["help"] or "")


def test_a_fix_that_changes_nothing_is_not_offered() -> None:
    from pathlib import PurePosixPath

    from railcheck.fixes import offered
    from railcheck.types import Diagnostic, Edit, Fix, Severity

    path = PurePosixPath("services/svc/Procfile")
    texts = {path: "web: uvicorn main:app"}
    same = Diagnostic("ST001", "x", "m", Severity.ERROR, path, None, fix=Fix.unsafe("t", Edit(path, 13, 17, "main")))
    assert offered(same, texts, lambda _: True).fix is None
    other = Diagnostic("ST001", "x", "m", Severity.ERROR, path, None, fix=Fix.unsafe("t", Edit(path, 13, 17, "app")))
    assert offered(other, texts, lambda _: True) is other


def test_a_mangled_bind_address_gets_no_port_fix_that_never_settles(tmp_path: Path) -> None:
    # Found by the long fuzz run: `--bind 0.0.}0.0:$//c` read as port `$`, and the fix appended PORT each round.
    repo = write_repo(
        tmp_path,
        {
            "Procfile": "web: gunicorn --bind 0.0.}0.0:$//c\nPORT app:app\n",
            "railpack.json": "{}",
            "main.py": "app = 1\n",
        },
    )
    result = invoke("check", str(repo), "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "concise")
    assert "RC003" not in result.output and "ST004" not in result.output, result.output
    assert next(repo.glob("**/Procfile")).read_text() == "web: gunicorn --bind 0.0.}0.0:$//c\nPORT app:app\n"
