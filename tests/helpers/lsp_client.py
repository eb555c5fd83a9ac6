"""An editor for the language server tests: pygls' client driving `python -m railcheck server` over stdio.

It keeps the texts of the buffers it has open, sends whole-text changes, applies workspace edits the way an
editor does, and waits for diagnostics with generous timeouts (the machine running the tests may be busy).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path, to_fs_path

WAIT = 60.0  # seconds; a check takes milliseconds, but a loaded 2-core machine may stall a process


def uri(path: Path) -> str:
    return str(from_fs_path(str(path)))


def text_edits_applied(text: str, edits: list[types.TextEdit]) -> str:
    """`text` with protocol edits applied (ranges in UTF-16 units of the original text, as the server sends)."""

    def offset(position: types.Position) -> int:
        lines = text.split("\n")
        start = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return start + index
            units += 2 if ord(char) > 0xFFFF else 1
        return start + len(line)

    for edit in sorted(edits, key=lambda item: (item.range.start.line, item.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


class Editor:
    """One editor session with the server; use as `async with Editor(root) as editor:`."""

    def __init__(
        self, root: Path, program: tuple[str, ...] = ("-m", "railcheck", "server"), encodings: list[str] | None = None
    ) -> None:
        self.root = root
        self.program = program
        self.encodings = encodings  # the position encodings offered, in order of preference (None: UTF-16 only)
        self.client = LanguageClient("railcheck-tests", "1")
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.messages: list[str] = []
        self.arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.messages.append(params.message)
            self.arrived.set()

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)
            self.arrived.set()

    async def __aenter__(self) -> Editor:
        await self.client.start_io(sys.executable, *self.program, cwd=str(self.root))
        capabilities = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=self.encodings) if self.encodings else None,
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(
                    document_changes=True, resource_operations=[types.ResourceOperationKind.Create]
                ),
            ),
        )
        await asyncio.wait_for(
            self.client.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=uri(self.root))),
            WAIT,
        )
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *_: object) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), WAIT)
        self.client.exit(None)
        await self.client.stop()

    def open(self, relative: str, text: str | None = None, language: str = "json") -> str:
        path = self.root / relative
        document = uri(path)
        self.texts[document] = path.read_text(encoding="utf-8") if text is None else text
        self.versions[document] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(document, language, 1, self.texts[document]))
        )
        return document

    def change(self, document: str, text: str) -> None:
        self.texts[document] = text
        self.versions[document] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=document, version=self.versions[document]),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )

    async def diagnostics(
        self, document: str, wanted: Callable[[list[types.Diagnostic]], bool] = lambda _: True
    ) -> list[types.Diagnostic]:
        """The first diagnostics published for the buffer's current version that satisfy `wanted`."""

        async def until() -> list[types.Diagnostic]:
            while True:
                for params in self.published.get(document, []):
                    if params.version in (None, self.versions.get(document)) and wanted(list(params.diagnostics)):
                        return list(params.diagnostics)
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(until(), WAIT)

    async def code_actions(
        self, document: str, where: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        context = types.CodeActionContext(diagnostics=[], only=only)
        found = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(types.TextDocumentIdentifier(document), where, context)
            ),
            WAIT,
        )
        return [action for action in found or [] if isinstance(action, types.CodeAction)]

    async def hover(self, document: str, line: int, character: int) -> str | None:
        found = await asyncio.wait_for(
            self.client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(document), types.Position(line, character))
            ),
            WAIT,
        )
        return None if found is None else found.contents.value  # type: ignore[union-attr]

    def apply(self, edit: types.WorkspaceEdit) -> dict[str, str]:
        """Apply a workspace edit as an editor does: open buffers change (and are sent), other files are returned."""
        others: dict[str, str] = {}
        for change in edit.document_changes or ():
            if isinstance(change, types.CreateFile):
                others.setdefault(change.uri, "")
                continue
            assert isinstance(change, types.TextDocumentEdit)
            document = change.text_document.uri
            if document in self.texts:
                assert change.text_document.version in (None, self.versions[document])
                self.change(document, text_edits_applied(self.texts[document], list(change.edits)))
            else:
                base = others.get(document)
                if base is None:
                    base = Path(to_fs_path(document) or "").read_text(encoding="utf-8")
                others[document] = text_edits_applied(base, list(change.edits))
        return others
