"""`railcheck server` end to end: a real client over stdio, on a copy of tests/fixtures/editor-service/."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from helpers.lsp_client import Editor, uri
from helpers.paths import FIXTURES
from lsprotocol import types

FIXTURE = FIXTURES / "editor-service"
RAILPACK = "services/api/railpack.json"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "repo", ignore=shutil.ignore_patterns("expected")))


def session(root: Path, body: Callable[[Editor], Awaitable[None]]) -> None:
    async def run() -> None:
        async with Editor(root) as editor:
            await body(editor)

    asyncio.run(run())


def codes(diagnostics: list[types.Diagnostic]) -> set[str]:
    return {str(diagnostic.code) for diagnostic in diagnostics}


def where(diagnostic: types.Diagnostic) -> tuple[int, int, int, int]:
    start, end = diagnostic.range.start, diagnostic.range.end
    return (start.line, start.character, end.line, end.character)


def test_findings_follow_the_unsaved_buffer(repo: Path) -> None:
    on_disk = (repo / RAILPACK).read_text()

    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        found = await editor.diagnostics(railpack)
        assert {(str(d.code), where(d)) for d in found} == {
            ("PV006", (4, 21, 4, 31)),  # `python3.11` in the start command, .python-version says 3.12
            ("ST003", (4, 59, 4, 68)),  # 127.0.0.1
            ("RP001", (5, 4, 5, 21)),  # "healthCheckPath"
        }
        assert all(d.source == "railcheck" and d.message for d in found)
        editor.change(railpack, editor.texts[railpack].replace("127.0.0.1", "0.0.0.0"))
        assert codes(await editor.diagnostics(railpack)) == {"PV006", "RP001"}

    session(repo, body)
    assert (repo / RAILPACK).read_text() == on_disk  # the buffer was checked, the file never touched


def test_code_actions_apply_safe_and_unsafe_fixes_across_files(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        found = {str(d.code): d for d in await editor.diagnostics(railpack)}
        actions = await editor.code_actions(railpack, found["ST003"].range)
        assert [action.title for action in actions] == ["Listen on 0.0.0.0 (ST003)"]
        assert actions[0].is_preferred and actions[0].kind == types.CodeActionKind.QuickFix
        assert actions[0].edit is not None
        editor.apply(actions[0].edit)
        assert "--host 0.0.0.0 --port $PORT" in editor.texts[railpack]
        assert codes(await editor.diagnostics(railpack)) == {"PV006", "RP001"}

        # RP001's fix moves the key into a railway.json that does not exist yet: two files, one labelled unsafe.
        found = {str(d.code): d for d in await editor.diagnostics(railpack)}
        (moving,) = await editor.code_actions(railpack, found["RP001"].range)
        assert "unsafe" in moving.title and not moving.is_preferred and moving.edit is not None
        railway = uri(repo / "services/api/railway.json")
        assert any(
            isinstance(change, types.CreateFile) and change.uri == railway
            for change in moving.edit.document_changes or ()
        )
        created = editor.apply(moving.edit)
        assert json.loads(created[railway])["deploy"]["healthcheckPath"] == "/health"
        assert "healthCheckPath" not in editor.texts[railpack]
        assert codes(await editor.diagnostics(railpack)) == {"PV006"}

    session(repo, body)


def test_a_python_version_buffer_changes_the_railpack_findings(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        version = editor.open("services/api/.python-version", language="plaintext")
        assert "PV006" in codes(await editor.diagnostics(railpack))
        editor.change(version, "3.11\n")
        # The railpack.json buffer did not change; its findings did, because its service was checked again.
        await editor.diagnostics(railpack, lambda found: "PV006" not in codes(found) and "ST003" in codes(found))

    session(repo, body)


def test_the_server_survives_bad_buffers_and_files_outside_services(repo: Path) -> None:
    (repo / "notes.txt").write_text("not part of any service\n")

    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        await editor.diagnostics(railpack)
        # Undecodable bytes reach a server as lone surrogates (what JSON can carry of them).
        editor.change(railpack, '{"provider": "\udcff\udcfe"}\n')
        assert "RP002" in codes(await editor.diagnostics(railpack, lambda found: "RP002" in codes(found)))
        big = editor.open(
            "services/api/requirements.txt", "fastapi\n" + "# padding\n" * 220_000, language="pip-requirements"
        )
        await editor.diagnostics(big)  # 2 MB: over railcheck's file limit, reported rather than fatal
        outside = editor.open("notes.txt", language="plaintext")
        assert await editor.diagnostics(outside) == []
        # Still serving: hover answers and an edit is checked.
        assert "provider" in (await editor.hover(railpack, 0, 3) or "")
        editor.change(railpack, (FIXTURE / RAILPACK).read_text())
        assert "ST003" in codes(await editor.diagnostics(railpack, lambda found: "ST003" in codes(found)))

    session(repo, body)


def test_hover_documents_rule_codes_and_config_keys(repo: Path) -> None:
    (repo / "railcheck.toml").write_text('per-file-ignores = { "services/other/*" = ["PV006"] }\n')

    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        config = editor.open("railcheck.toml", language="toml")
        key = await editor.hover(railpack, 4, 8)  # "startCommand"
        assert key is not None and "deploy.startCommand" in key and "Railpack" in key
        rule = await editor.hover(config, 0, 46)  # PV006
        assert rule is not None and rule.startswith("# hardcoded-python-path (PV006)")
        assert await editor.hover(railpack, 7, 0) is None  # the closing brace

    session(repo, body)


def test_configuration_is_respected_and_reloaded_when_saved(repo: Path) -> None:
    config_path = repo / "railcheck.toml"

    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        assert "ST003" in codes(await editor.diagnostics(railpack))
        config = editor.open("railcheck.toml", language="toml")
        # A broken configuration is reported and checking waits for it; the server keeps running.
        config_path.write_text("select = 3\n")
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config)))
        await asyncio.wait_for(_until(lambda: any("select" in message for message in editor.messages), editor), 60)
        config_path.write_text('ignore = ["ST003"]\n')
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(config)))
        await editor.diagnostics(railpack, lambda found: codes(found) == {"PV006", "RP001"})

    session(repo, body)


async def _until(condition: Callable[[], bool], editor: Editor) -> None:
    while not condition():
        editor.arrived.clear()
        await editor.arrived.wait()


def test_a_message_that_is_not_utf8_is_dropped_and_the_server_goes_on(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        document = uri(repo / RAILPACK)
        raw = (
            '{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "%s", "languageId": "json", "version": 1, "text": "{\\"provider\\": \\"'
            % document
        ).encode() + b'\xff\xfe\\"}"}}}'
        editor.client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(raw) + raw)
        railpack = editor.open(RAILPACK)
        assert "ST003" in codes(await editor.diagnostics(railpack))

    session(repo, body)


def test_files_changed_outside_the_editor_are_checked_again(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        assert "PV006" in codes(await editor.diagnostics(railpack))
        version = repo / "services/api/.python-version"
        version.write_text("3.11\n")  # `git checkout`, say: the file is not open in the editor
        changed = types.FileEvent(uri=uri(version), type=types.FileChangeType.Changed)
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[changed]))
        await editor.diagnostics(railpack, lambda found: codes(found) == {"ST003", "RP001"})

    session(repo, body)


def test_without_the_lsp_extra_the_server_command_says_what_to_install() -> None:
    import subprocess
    import sys

    # pygls made unimportable, as in an installation without the `lsp` extra.
    program = "import sys; sys.modules['pygls'] = None; from railcheck.cli import main; main(['server'])"
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 2
    assert "needs the `lsp` extra" in finished.stderr and "pip install '.[lsp]'" in finished.stderr


def test_an_unsaved_start_module_is_what_the_start_command_is_judged_against(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        module = editor.open("services/api/main.py", language="python")
        assert "ST002" not in codes(await editor.diagnostics(railpack))
        editor.change(
            module,
            editor.texts[module]
            .replace("app = FastAPI()", "application = FastAPI()")
            .replace("@app.", "@application."),
        )
        found = await editor.diagnostics(railpack, lambda found: "ST002" in codes(found))
        (missing,) = [d for d in found if d.code == "ST002"]
        assert where(missing)[:2] == (4, 43)  # `main:app` in the start command

    session(repo, body)


def test_fix_all_applies_every_safe_fix_as_check_fix_does(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK)
        await editor.diagnostics(railpack)
        everywhere = types.Range(types.Position(0, 0), types.Position(0, 0))
        assert not [a for a in await editor.code_actions(railpack, everywhere) if a.kind == "source.fixAll.railcheck"]
        (fix_all,) = await editor.code_actions(railpack, everywhere, only=["source.fixAll"])
        assert fix_all.kind == "source.fixAll.railcheck" and fix_all.edit is not None
        assert editor.apply(fix_all.edit) == {}  # only the open buffer changes
        # What `railcheck check --fix` writes (the fixture's expected/fixed/), here into the buffer.
        assert editor.texts[railpack] == (FIXTURE / "expected" / "fixed" / RAILPACK).read_text()
        assert codes(await editor.diagnostics(railpack)) == {"PV006", "RP001"}

    session(repo, body)


def test_edits_in_one_service_never_starve_another_services_buffer(tmp_path: Path) -> None:
    from benchmarks.generate import write_monorepo

    root = write_monorepo(tmp_path / "repo", 8)

    async def body(editor: Editor) -> None:
        typed = editor.open("services/svc1/railpack.json")
        other = editor.open("services/svc7/railpack.json")
        original = editor.texts[typed]
        assert '"info"' in original
        for number in range(30):  # typing in svc1 while svc7 waits for its first check
            editor.change(typed, original.replace('"info"', f'"info{number}"'))
        assert "ST003" in codes(await editor.diagnostics(other))  # svc7 binds to 127.0.0.1
        await editor.diagnostics(typed)

    session(root, body)


# A server whose checks fail for one file, as a bug in a rule or the loader would make them fail.
FAILING_SERVER = """
from railcheck.lsp import checker, server

original = checker.RepositoryChecker.check

def check(self, path, overlay):
    if path.name == ".python-version":
        raise RuntimeError("simulated bug")
    return original(self, path, overlay)

checker.RepositoryChecker.check = check
server.serve()
"""


def test_a_failing_check_is_logged_and_the_server_goes_on(repo: Path) -> None:
    async def body(editor: Editor) -> None:
        editor.open("services/api/.python-version", language="plaintext")
        await asyncio.wait_for(
            _until(lambda: any("simulated bug" in message for message in editor.messages), editor), 60
        )
        railpack = editor.open(RAILPACK)
        assert "ST003" in codes(await editor.diagnostics(railpack))

    async def run() -> None:
        async with Editor(repo, ("-c", FAILING_SERVER)) as editor:
            await body(editor)

    asyncio.run(run())


@pytest.mark.parametrize(("encoding", "character"), [(None, 25), ("utf-8", 28), ("utf-32", 24)])
def test_ranges_count_characters_in_the_agreed_encoding(repo: Path, encoding: str | None, character: int) -> None:
    # "pyhton" (RP002) starts at code point 24; before it, 🚀 is two UTF-16 units, é two UTF-8 bytes and 🚀 four.
    async def body(editor: Editor) -> None:
        railpack = editor.open(RAILPACK, '{"x": "é🚀", "provider": "pyhton"}\n')
        (found,) = [d for d in await editor.diagnostics(railpack) if d.code == "RP002"]
        assert (found.range.start.line, found.range.start.character) == (0, character)

    async def run() -> None:
        async with Editor(repo, encodings=[encoding] if encoding else None) as editor:
            await body(editor)

    asyncio.run(run())
