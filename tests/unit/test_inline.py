"""Inline suppression comments (railcheck/inline.py): which comments count, which lines they cover, and
how a run reports them (suppressed with their reason, RC006 when malformed or unused, kept by --fix)."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from helpers.repos import write_repo
from helpers.running import invoke

from railcheck.inline import suppressions_in

RAILPACK = PurePosixPath("services/api/railpack.json")
TOML = PurePosixPath("services/api/railway.toml")
REQUIREMENTS = PurePosixPath("services/api/requirements-prod.txt")


def found(path: PurePosixPath, text: str) -> list[tuple[int, tuple[str, ...], str, list[int]]]:
    return [(item.span.start.line, item.codes, item.reason, sorted(item.lines)) for item in suppressions_in(path, text)]


def test_a_comment_alone_covers_its_line_and_the_next_a_trailing_one_only_its_own() -> None:
    text = '{\n  // railcheck: ignore[RP001, rp002] read by our script\n  "a": 1, // railcheck: ignore[RP003] legacy\n  "b": 2\n}\n'
    assert found(RAILPACK, text) == [
        (2, ("RP001", "RP002"), "read by our script", [2, 3]),
        (3, ("RP003",), "legacy", [3]),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # Inside strings the marker is text, not a comment.
        (RAILPACK, '{\n  "a": "// railcheck: ignore[RP001] not a comment"\n}\n'),
        (RAILPACK, '{\n  "a": "x\\" // railcheck: ignore[RP001] still in the string"\n}\n'),
        (TOML, 'a = "# railcheck: ignore[RW001] in a string"\n'),
        (TOML, "a = '# railcheck: ignore[RW001] in a literal string'\n"),
        (TOML, 'a = """\n# railcheck: ignore[RW001] in a multi-line string\n"""\n'),
        # pip opens a comment only at the start of a line or after whitespace.
        (REQUIREMENTS, "pkg @ https://example.test/p.zip#railcheck: ignore[RQ001] x\n"),
        # railway.json is strict JSON (no comments), other files are not looked at.
        (PurePosixPath("services/api/railway.json"), "{\n  // railcheck: ignore[RW001] x\n}\n"),
        (PurePosixPath("services/api/main.py"), "# railcheck: ignore[ST002] x\n"),
        # The marker must open the comment; after the version, .python-version comments are not read.
        (TOML, "a = 1  # note: railcheck: ignore[RW001] x\n"),
        (PurePosixPath("services/api/.python-version"), "3.12  # railcheck: ignore[PV007] x\n"),
    ],
)
def test_not_a_suppression(path: PurePosixPath, text: str) -> None:
    assert found(path, text) == []


@pytest.mark.parametrize(
    "path",
    [
        TOML,
        REQUIREMENTS,
        PurePosixPath("services/api/.python-version"),
        PurePosixPath("services/api/pyproject.toml"),
        PurePosixPath("services/api/railpack.staging.json"),
    ],
)
def test_every_commented_file_kind_is_read(path: PurePosixPath) -> None:
    token = "//" if path.suffix == ".json" else "#"
    assert found(path, f"{token} railcheck: ignore[RW001] why\nx\n") == [(1, ("RW001",), "why", [1, 2])]


def run_json(*args: str) -> dict:
    return json.loads(invoke("check", "--no-cache", "--output-format", "json", *args).output)


def codes(report: dict) -> list[tuple[str, str, int | None]]:
    return [
        (item["code"], item["path"], item["span"]["start"]["line"] if item.get("span") else None)
        for item in report["diagnostics"]
    ]


BROKEN_TOML = '[deploy]\nhealthcheckPath = "ready"\n'


def test_a_suppression_hides_the_finding_and_carries_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo(tmp_path, {"main.py": "print(1)\n", "requirements.txt": "x\n", "railway.toml": BROKEN_TOML})
    monkeypatch.chdir(tmp_path)
    assert ("RW104", "services/svc/railway.toml", 2) in codes(run_json())

    (tmp_path / "services/svc/railway.toml").write_text(
        '[deploy]\n# railcheck: ignore[RW104] the proxy adds the slash\nhealthcheckPath = "ready"\n', encoding="utf-8"
    )
    report = run_json()
    assert not [item for item in codes(report) if item[0] in ("RW104", "RC006")]
    assert {"code": "RW104", "count": 1, "reason": "the proxy adds the slash"} in report["summary"]["suppressions"]


def test_without_a_reason_nothing_is_suppressed_and_rc006_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo(
        tmp_path,
        {
            "main.py": "print(1)\n",
            "requirements.txt": "x\n",
            "railway.toml": '[deploy]\nhealthcheckPath = "ready" # railcheck: ignore[RW104]\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    report = run_json("--select", "RW104")  # reported whatever was selected: the comment itself is wrong
    assert [item[:2] for item in codes(report)] == [
        ("RW104", "services/svc/railway.toml"),
        ("RC006", "services/svc/railway.toml"),
    ]
    assert "gives no reason" in report["diagnostics"][1]["message"]


def test_unused_suppressions_are_reported_only_when_every_rule_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repo(
        tmp_path,
        {
            "main.py": "print(1)\n",
            "requirements.txt": "# railcheck: ignore[RQ001] pinned elsewhere\nx\n",
            "railpack.json": '{\n  "provider": "python"\n}\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    assert ("RC006", "services/svc/requirements.txt", 1) in codes(run_json())
    assert "RC006" not in [item[0] for item in codes(run_json("--select", "RP"))]
    assert "RC006" not in [item[0] for item in codes(run_json("services/svc"))]


def test_fix_keeps_the_comments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = '[deploy]\n# railcheck: ignore[RW104] the proxy adds the slash\nhealthcheckPath = "ready"\nrestartPolicyType = "never" # railcheck: ignore[RW001] kept\n'
    write_repo(tmp_path, {"main.py": "print(1)\n", "requirements.txt": "x\n", "railway.toml": text})
    monkeypatch.chdir(tmp_path)
    invoke("check", "--no-cache", "--fix", "--unsafe-fixes")
    fixed = (tmp_path / "services/svc/railway.toml").read_text(encoding="utf-8")
    assert 'restartPolicyType = "NEVER"' in fixed  # a fix ran on the commented line
    assert (
        "# railcheck: ignore[RW104] the proxy adds the slash\n" in fixed
        and "# railcheck: ignore[RW001] kept\n" in fixed
    )


def test_a_parallel_run_judges_comments_once_every_process_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 40 services or more the check forks; a comment is unused only if no process used it."""
    from railcheck import parallel
    from railcheck.config import load_config
    from railcheck.discovery import discover

    files = {f"/services/s{index:02}/railpack.json": '{\n  "provider": "python"\n}\n' for index in range(45)}
    files |= {f"/services/s{index:02}/main.py": "print(1)\n" for index in range(45)}
    files["/services/s03/railpack.json"] = (
        '{\n  "provider": "python",\n  // railcheck: ignore[RP001] our script reads it\n  "team": "x"\n}\n'
    )
    files["/services/s40/railpack.json"] = '{\n  "provider": "python" // railcheck: ignore[RP001] nothing to hide\n}\n'
    write_repo(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    assert parallel.workers(discover(tmp_path, load_config(tmp_path))) > 1, "expected a run that forks"
    found = [item for item in codes(run_json()) if item[0] in ("RP001", "RC006")]
    assert found == [("RC006", "services/s40/railpack.json", 2)]
