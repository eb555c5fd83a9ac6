"""Applying fixes: edit application, settling, idempotence, and writes that never lose or clobber data."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import pytest
from helpers.repos import write_repo
from helpers.running import fix_in_memory
from helpers.scenarios import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from railcheck.config import Config, load_config
from railcheck.engine import instantiate, parsed_on_load
from railcheck.fixes import FixWriteError, apply_edits, still_parses, write_atomically
from railcheck.project import load_project
from railcheck.types import Edit

PATH = PurePosixPath("f.json")


@st.composite
def text_and_edits(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    text = draw(st.text(max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        edits.append(Edit(PATH, start, end, draw(st.text(max_size=5))))
    return text, edits


@settings(max_examples=200, deadline=None)
@given(text_and_edits(), st.randoms())
def test_edit_order_does_not_matter_and_text_outside_edits_is_kept(
    case: tuple[str, list[Edit]], rng: random.Random
) -> None:
    text, edits = case
    shuffled = list(edits)
    rng.shuffle(shuffled)
    result = apply_edits(text, edits)
    assert apply_edits(text, shuffled) == result
    # Walking the edits in order, every untouched stretch of the original reappears verbatim.
    cursor = out = 0
    for edit in sorted(edits, key=lambda edit: edit.start):
        gap = text[cursor : edit.start]
        assert result[out : out + len(gap)] == gap
        out += len(gap) + len(edit.content)
        cursor = edit.end
    assert result[out:] == text[cursor:]


KEYS = st.sampled_from(
    ["provider", "Provider", "PROVIDER", "deploy", "Deploy", "startCommand", "StartCommand", "version", "steps"]
)
VALUES = st.recursive(
    st.one_of(
        st.sampled_from(["python", "Python", "NODE", "go", "...", "."]), st.integers(-5, 5), st.booleans(), st.none()
    ),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    config=st.dictionaries(KEYS, VALUES, max_size=5),
    railway=st.dictionaries(
        st.sampled_from(["$schema", "deploy", "build"]),
        st.sampled_from(
            [
                "https://railway.app/railway.schema.json",
                {"restartPolicyType": "never", "healthcheckPath": "health"},
                {"builder": "NIXPACKS"},
                {"builder": "railpack"},
            ]
        ),
        max_size=3,
    ),
    indent=st.sampled_from([None, 2, "\t"]),
    unsafe=st.booleans(),
)
def test_fixing_settles_parses_and_is_idempotent(
    tmp_path_factory: pytest.TempPathFactory, registry, config: dict, railway: dict, indent: object, unsafe: bool
) -> None:
    root = tmp_path_factory.mktemp("repo")
    write_repo(
        root, {"railpack.json": json.dumps(config, indent=indent), "railway.json": json.dumps(railway, indent=indent)}
    )
    rules = instantiate(registry, Config())
    _, texts = fix_in_memory(root, rules, registry, unsafe)
    for path, text in texts.items():
        assert still_parses(path, text)
    write_repo(root, {"/" + str(path): text for path, text in texts.items()}, service="")
    _, again = fix_in_memory(root, rules, registry, unsafe)
    assert again == {}


def test_write_refuses_a_file_changed_during_the_run(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old a")
    (tmp_path / "b.json").write_text("someone else's edit")
    with pytest.raises(FixWriteError, match="changed on disk"):
        write_atomically(
            tmp_path,
            {PurePosixPath("a.json"): "old a", PurePosixPath("b.json"): "old b"},
            {PurePosixPath("a.json"): "new a", PurePosixPath("b.json"): "new b"},
        )
    assert (tmp_path / "a.json").read_text() == "old a"
    assert (tmp_path / "b.json").read_text() == "someone else's edit"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_a_failure_while_staging_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old a")
    (tmp_path / "sub").write_text("a file where a folder is needed")
    with pytest.raises(FixWriteError, match="no file was changed"):
        write_atomically(
            tmp_path,
            {PurePosixPath("a.json"): "old a"},
            {PurePosixPath("a.json"): "new a", PurePosixPath("sub/b.json"): "new b"},
        )
    assert (tmp_path / "a.json").read_text() == "old a"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.json", "sub"]


def test_write_never_goes_through_a_link_or_out_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "outside.json"
    outside.write_text("x")
    (repo / "link.json").symlink_to(outside)
    with pytest.raises(FixWriteError, match="symbolic link"):
        write_atomically(repo, {PurePosixPath("link.json"): "x"}, {PurePosixPath("link.json"): "y"})
    with pytest.raises(FixWriteError, match="outside the repository"):
        write_atomically(repo, {PurePosixPath("../outside.json"): "x"}, {PurePosixPath("../outside.json"): "y"})
    assert outside.read_text() == "x"


def test_write_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old")
    target.chmod(0o640)
    write_atomically(tmp_path, {PurePosixPath("a.json"): "old"}, {PurePosixPath("a.json"): "new"})
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640


def test_a_fix_that_would_break_the_file_is_dropped_and_reported(tmp_path: Path, registry) -> None:
    from railcheck import Fix, Invalid, ServiceRule, Valid
    from railcheck.engine import check
    from railcheck.fixes import settle
    from railcheck.project import load_project
    from railcheck.types import Applicability

    class Breaker(ServiceRule):
        """## What it does\nx\n## Why is this bad?\ny\n## Example\nz\n## Fix safety\nNot."""

        code = "ZZ902"
        name = "breaker"
        summary = "Breaks files"
        fix = __import__("railcheck").FixAvailability.ALWAYS
        examples = (Valid({}), Invalid({}, expect=[], fixed={"x": "y"}))

        def check(self, service, project):  # type: ignore[no-untyped-def]
            document = service.railpack
            yield self.diagnostic(
                document, None, "broken on purpose", fix=Fix.safe("Break it", Edit(document.path, 0, 1, "["))
            )

    write_repo(tmp_path, {"railpack.json": "{}"})
    project = load_project(tmp_path, Config())
    # The engine does not offer it: the finding stays, without a fix (and is not counted as fixable).
    (finding,) = check(project, [Breaker()], registry).diagnostics
    assert finding.fix is None
    # Should a fix reach the fixer anyway (fixes applied together can clash), it is dropped and reported.
    outcome = settle(
        dict(project.texts), lambda overlay: list(Breaker().check(project.services[0], project)), Applicability.SAFE
    )
    assert outcome.texts == {} and [problem.code for problem in outcome.problems] == ["RC003"]
    assert "unparseable" in outcome.problems[0].message


def test_killed_mid_fix_every_file_is_old_or_new(tmp_path: Path) -> None:
    """SIGKILL a fixing process at random moments: each file must be wholly old or wholly fixed."""
    old = '{\n  // a comment that must survive\n  "Provider": "python",\n  "deploy": {"StartCommand": "python main.py"}\n}\n'
    new = old.replace("Provider", "provider").replace("StartCommand", "startCommand")
    rng = random.Random(20261127)
    for attempt in range(8):
        repo = tmp_path / f"repo{attempt}"
        write_repo(repo, {f"/services/s{index}/railpack.json": old for index in range(60)})
        process = subprocess.Popen(
            [sys.executable, "-m", "railcheck", "check", str(repo), "--fix", "--output-format", "concise"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for index in range(60):
            text = (repo / f"services/s{index}/railpack.json").read_text()
            assert text in (old, new), f"attempt {attempt}: services/s{index}/railpack.json is half-written"
        # Only staged temporary files may be left behind, never a damaged original.
        stray = [
            path.name
            for path in repo.rglob("*")
            if path.is_file() and path.name not in ("railpack.json", "railcheck.toml")
        ]
        assert all(name.endswith(".railcheck-tmp") for name in stray), stray


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.name)
def test_files_the_engine_does_not_parse_again_pass_still_parses(scenario: Path) -> None:
    # Offering a fix, the engine takes the files `parsed_on_load` names as parsing, instead of parsing them
    # again: each must pass `still_parses` as it stands.
    project = load_project(scenario, load_config(scenario))
    for path in parsed_on_load(project):
        assert still_parses(path, project.texts[path]), path


def test_a_config_loading_read_with_another_reader_is_parsed_again(tmp_path: Path) -> None:
    # A declared Railway config not named railway.json is strict JSON to the loader but JWCC to `still_parses`:
    # the engine cannot vouch for it, so it is left to the parse.
    write_repo(
        tmp_path,
        {
            "/railcheck.toml": '[services.api]\nroot = "api"\nrailway-config = "api/railway.staging.json"\n',
            "/api/railpack.json": '{\n  // JWCC\n  "deploy": {"startCommand": "python main.py"},\n}\n',
            "/api/railway.staging.json": '{"deploy": {"startCommand": "python main.py"}}\n',
            "/web/railpack.json": "{}\n",
            "/web/railway.json": '{"build": {}}\n',
        },
    )
    project = load_project(tmp_path, load_config(tmp_path))
    railway = project.service("api").railway
    assert railway is not None and railway.path == PurePosixPath("api/railway.staging.json")
    assert parsed_on_load(project) == {
        PurePosixPath("api/railpack.json"),
        PurePosixPath("web/railpack.json"),
        PurePosixPath("web/railway.json"),
    }
