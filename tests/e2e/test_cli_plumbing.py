"""Command-line plumbing: usage errors for options that would be ignored, did-you-mean for unknown codes,
--output-file folders, and warnings instead of silent fallbacks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

BROKEN = {
    "railpack.json": '{\n  "provider": "python",\n  "helthCheck": "/health"\n}\n',
    "main.py": "print(1)\n",
    "requirements.txt": "x\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, BROKEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unsafe-fixes"], "--unsafe-fixes does nothing without --fix"),
        (["--diff", "--output-format", "json"], "--diff prints a unified diff"),
    ],
)
def test_options_that_would_be_ignored_are_usage_errors(repo: Path, args: list[str], message: str) -> None:
    result = invoke("check", "--no-cache", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert (repo / "services/svc/railpack.json").read_text(encoding="utf-8") == BROKEN["railpack.json"]


@pytest.mark.parametrize(
    ("selector", "hint"),
    [
        ("RP999", "the RP codes are RP001 to "),
        ("unused-supression", "did you mean unused-suppression?"),
        ("railpack-unknwn-key", "did you mean railpack-unknown-key?"),
    ],
)
def test_unknown_selectors_get_a_hint(repo: Path, selector: str, hint: str) -> None:
    result = invoke("check", "--no-cache", "--select", selector)
    assert result.exit_code == 2
    assert f"{selector!r} names no rule" in result.output and hint in result.output, result.output


def test_unrelated_selectors_get_no_hint(repo: Path) -> None:
    result = invoke("check", "--no-cache", "--select", "zzzz")
    assert result.exit_code == 2 and "did you mean" not in result.output and "codes are" not in result.output


def test_output_file_creates_its_folder(repo: Path) -> None:
    result = invoke("check", "--no-cache", "--output-format", "junit", "--output-file", "out/reports/railcheck.xml")
    assert result.exit_code == 1, result.output
    assert (repo / "out/reports/railcheck.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_unknown_base_ref_is_a_warning(repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    result = invoke("check", "--no-cache", "--output-format", "github", "--base-ref", "does-not-exist")
    assert result.exit_code == 1
    assert "warning: cannot compare with --base-ref does-not-exist" in result.output
    assert "::error file=services/svc/railpack.json" in result.output  # the report itself is still complete


ESCAPE = "\x1b["


def test_no_color_equals_color_never_and_color_always_paints(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    never = invoke("check", "--no-cache", "--color", "never").output
    monkeypatch.setenv("NO_COLOR", "1")
    assert invoke("check", "--no-cache").output == never
    assert ESCAPE not in never
    always = invoke("check", "--no-cache", "--color", "always").output  # the flag beats NO_COLOR
    assert f"{ESCAPE}1;31mRP001{ESCAPE}0m" in always
    assert always.replace(f"{ESCAPE}1m", "").replace(f"{ESCAPE}1;31m", "").replace(f"{ESCAPE}0m", "") == never


def test_force_color_paints_terminal_formats_only(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ESCAPE in invoke("check", "--no-cache", "--output-format", "concise").output
    assert ESCAPE not in invoke("check", "--no-cache", "--output-format", "json").output
    assert ESCAPE not in invoke("check", "--no-cache", "--output-format", "github").output


@pytest.mark.parametrize(
    ("color", "environ", "terminal", "output_file", "expected"),
    [
        ("auto", {}, True, None, True),
        ("auto", {}, False, None, False),
        ("auto", {"NO_COLOR": "1"}, True, None, False),
        ("auto", {"NO_COLOR": ""}, True, None, True),  # no-color.org: only a non-empty value counts
        ("auto", {"TERM": "dumb"}, True, None, False),
        ("auto", {}, True, Path("report.txt"), False),
        ("never", {"FORCE_COLOR": "1"}, True, None, False),
        ("always", {"NO_COLOR": "1"}, False, None, True),
    ],
)
def test_when_to_colour(
    color: str, environ: dict[str, str], terminal: bool, output_file: Path | None, expected: bool
) -> None:
    from railcheck.run import CheckSettings

    assert CheckSettings(color=color, output_file=output_file).wants_color(environ, terminal) is expected


def test_write_baseline_says_how_many_it_recorded_not_that_checks_passed(repo: Path) -> None:
    result = invoke("check", "--no-cache", "--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    assert "All checks passed" not in result.output
    assert "No new problems (1 service). 1 hidden by the baseline." in result.output
    assert "wrote 1 finding to baseline.json" in result.output


def test_statistics_counts_findings_by_code_with_fixable_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    railpack = (
        '{\n  "$schema": "https://schema.railpack.com",\n  "provider": "python",\n  "helthCheck": 1,\n  "other": 2\n}\n'
    )
    write_repo(
        tmp_path,
        {
            "railpack.json": railpack,
            "main.py": "print(1)\n",
            "requirements.txt": "x\n",
            "railway.json": '{\n  "$schema": "https://railway.app/railway.schema.json"\n}\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--no-cache", "--statistics")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2 RP001 railpack-unknown-key"
    assert "1 RW103 outdated-schema-url [*] 1 fixable" in lines
    found = next(index for index, line in enumerate(lines) if line.startswith("Found "))
    assert lines[found].startswith(f"Found {sum(int(line.split()[0]) for line in lines[:found])} problems")
    assert invoke("check", "--no-cache", "--statistics", "--output-format", "json").exit_code == 2
