"""The language server: pygls wiring between an editor and `checker`, `hover` and `positions`.

Checks run on one worker thread, never on the thread that talks to the editor, so hovers and code actions
are answered while a service is being checked. Edits that arrive during a check are gathered and checked
together afterwards, and a check whose buffers changed meanwhile is not published (a newer one is queued):
that is the debounce and the cancellation. A failing check is logged to the editor, never fatal.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from railcheck import DOCS_URL, __version__
from railcheck.lsp.checker import CONFIG_FILES, RepositoryChecker, ServiceCheck, fixes_of, registry
from railcheck.lsp.hover import hover_text
from railcheck.lsp.positions import UTF16, PositionMap
from railcheck.types import Applicability, Diagnostic, Edit, Severity

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


# The kind of the action that applies every safe fix (`source.fixAll` narrowed to railcheck, as editors
# expect of linters: VS Code's "editor.codeActionsOnSave": {"source.fixAll.railcheck": "explicit"}).
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.railcheck"

_UNKNOWN = object()  # a repository whose configuration has not been loaded yet


class _Place:
    """Where an open buffer lives: its repository root and its path relative to that root."""

    def __init__(self, root: Path, path: PurePosixPath) -> None:
        self.root, self.path = root, path


class RailcheckServer(LanguageServer):
    """The server's state: checkers by repository, where each open buffer lives, the last findings, and
    the queue of buffers waiting for the worker thread."""

    def __init__(self) -> None:
        super().__init__("railcheck", __version__)
        self._checkers: dict[Path, RepositoryChecker | None] = {}
        self._places: dict[str, _Place] = {}
        # The last check that covered each open buffer, and the buffer versions it saw: for code actions.
        self._latest: dict[str, tuple[ServiceCheck, dict[str, int | None]]] = {}
        self._pending: set[str] = set()
        # The event loop that talks to the editor, known once the editor has said `initialized`.
        self.editor_loop: asyncio.AbstractEventLoop | None = None
        self._wake = threading.Condition()
        self._worker = threading.Thread(target=self._work, name="railcheck-checks", daemon=True)
        self._worker.start()

    # --- the editor's side ---------------------------------------------------------------------------

    def place(self, uri: str) -> _Place | None:
        if uri not in self._places:
            from railcheck.config import find_root

            file = to_fs_path(uri) if uri.startswith("file:") else None
            if file is None:
                return None
            root = find_root(Path(file))
            relative = (
                PurePosixPath(Path(file).relative_to(root).as_posix()) if Path(file).is_relative_to(root) else None
            )
            if relative is None:
                return None
            self._places[uri] = _Place(root, relative)
        return self._places[uri]

    def schedule(self, uris: Iterable[str]) -> None:
        with self._wake:
            self._pending.update(uris)
            self._wake.notify()

    def forget(self, uri: str) -> None:
        self._latest.pop(uri, None)
        self._places.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def reload(self, root: Path) -> None:
        """The configuration of `root` changed: build its checker again and check its open buffers again."""
        self._checkers.pop(root, None)
        self.schedule(uri for uri, place in list(self._places.items()) if place.root == root)

    def open_uris(self) -> list[str]:
        return list(self.workspace.text_documents)

    def encoding(self) -> str:
        """The position encoding agreed with the editor ("utf-16" unless it offered another)."""
        agreed = self.workspace.position_encoding or UTF16
        return str(getattr(agreed, "value", agreed))  # an lsprotocol enum member, or a plain string

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # --- the worker's side ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                batch, self._pending = sorted(self._pending), set()
            covered: set[str] = set()
            for uri in batch:
                if uri in covered or uri not in self.workspace.text_documents:
                    continue
                try:
                    covered |= self._check(uri)
                except Exception as error:
                    logging.getLogger("railcheck").exception("checking %s failed", uri)
                    self.call_soon(
                        self.log,
                        f"railcheck: checking {uri} failed: {type(error).__name__}: {error}",
                        types.MessageType.Error,
                    )

    def call_soon(self, function: Any, *arguments: Any) -> None:
        """Run `function` on the thread that writes to the editor (messages must not interleave)."""
        if self.editor_loop is not None and not self.editor_loop.is_closed():
            self.editor_loop.call_soon_threadsafe(function, *arguments)

    def _checker(self, root: Path) -> RepositoryChecker | None:
        # `reload` may drop the entry from the editor's thread at any moment: look it up once.
        known = self._checkers.get(root, _UNKNOWN)
        if not isinstance(known, RepositoryChecker | None):  # _UNKNOWN
            from railcheck.config import ConfigError

            try:
                checker = RepositoryChecker(root)
            except ConfigError as error:
                checker = None
                self.call_soon(
                    self.window_show_message,
                    types.ShowMessageParams(
                        type=types.MessageType.Error, message=f"railcheck: {error} (no findings until it is fixed)"
                    ),
                )
            self._checkers[root] = checker
            return checker
        return known

    def _check(self, uri: str) -> set[str]:
        """Check the services of the buffer at `uri`; publish for every open buffer of theirs; return those."""
        place = self.place(uri)
        if place is None:
            return {uri}
        checker = self._checker(place.root)
        if checker is None:
            return {uri}
        versions, overlay = self.buffers(place.root)
        result = checker.check(place.path, overlay)
        for line in result.general:
            self.call_soon(self.log, f"railcheck: {line.code} {line.message}", types.MessageType.Warning)
        self.call_soon(self._publish, place.root, result, versions, uri)
        return {
            other for other in versions if (where := self._places.get(other)) is not None and where.path in result.texts
        } | {uri}

    def _publish(self, root: Path, result: ServiceCheck, versions: dict[str, int | None], checked: str) -> None:
        if self.stale(result, versions):
            # Check again: the changed buffer's own check may cover another service than this one.
            self.schedule([checked])
            return
        for uri in versions:
            place = self._places.get(uri)
            # The buffer that was checked gets an answer even when no service reads it (an empty one).
            if place is None or (place.path not in result.texts and uri != checked):
                continue
            self._latest[uri] = (result, versions)
            found = [
                self.to_protocol(root, result, diagnostic) for diagnostic in result.diagnostics.get(place.path, ())
            ]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=versions[uri])
            )

    def stale(self, result: ServiceCheck, versions: dict[str, int | None]) -> bool:
        """Whether a buffer that the check read has changed since (`versions` are those it saw)."""
        current = {uri: document.version for uri, document in self.workspace.text_documents.items()}
        changed = [uri for uri, version in versions.items() if current.get(uri, version) != version]
        return any((place := self._places.get(uri)) is not None and place.path in result.texts for uri in changed)

    # --- conversions ---------------------------------------------------------------------------------

    def range_of(self, text: str, start: int, end: int) -> types.Range:
        positions = PositionMap(text, self.encoding())
        (start_line, start_character), (end_line, end_character) = positions.position(start), positions.position(end)
        return types.Range(types.Position(start_line, start_character), types.Position(end_line, end_character))

    def to_protocol(self, root: Path, result: ServiceCheck, diagnostic: Diagnostic) -> types.Diagnostic:
        span = diagnostic.span
        text = result.texts.get(diagnostic.path, "")
        where = (
            self.range_of(text, span.start.offset, span.end.offset)
            if span
            else types.Range(types.Position(0, 0), types.Position(0, 0))
        )
        message = diagnostic.message if not diagnostic.help else f"{diagnostic.message}\n{diagnostic.help}"
        related = [
            types.DiagnosticRelatedInformation(
                types.Location(
                    uri_of(root, item.path),
                    (
                        self.range_of(result.texts.get(item.path, ""), item.span.start.offset, item.span.end.offset)
                        if item.span
                        else types.Range(types.Position(0, 0), types.Position(0, 0))
                    ),
                ),
                item.message,
            )
            for item in diagnostic.related
        ]
        return types.Diagnostic(
            range=where,
            message=message,
            severity=_SEVERITIES[diagnostic.severity],
            code=diagnostic.code,
            code_description=types.CodeDescription(href=f"{DOCS_URL}#{diagnostic.code.lower()}"),
            source="railcheck",
            related_information=related or None,
        )

    def code_actions(self, uri: str, wanted: types.Range) -> list[types.CodeAction]:
        latest, place = self._latest.get(uri), self._places.get(uri)
        if latest is None or place is None:
            return []
        result, versions = latest
        if self.stale(result, versions):
            return []  # the findings are older than the buffers; the new ones are on their way
        actions = []
        for diagnostic in result.diagnostics.get(place.path, ()):
            fix = fixes_of(diagnostic)
            if fix is None:
                continue
            shown = self.to_protocol(place.root, result, diagnostic)
            if not _overlap(shown.range, wanted):
                continue
            safe = fix.applicability is Applicability.SAFE
            edit = self.workspace_edit(place.root, result, fix.edits, versions)
            if edit is None:
                continue
            title = (
                f"{fix.title} ({diagnostic.code})"
                if safe
                else f"{fix.title} ({diagnostic.code}, unsafe: changes behaviour on purpose)"
            )
            actions.append(
                types.CodeAction(
                    title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[shown], is_preferred=safe, edit=edit
                )
            )
        # Safe fixes first: editors offer the first preferred action on "fix this".
        return sorted(actions, key=lambda action: not action.is_preferred)

    def fix_all_action(self, uri: str) -> types.CodeAction | None:
        """One action applying every safe fix of the buffer's services (for "fix all" and fix-on-save)."""
        place = self.place(uri)
        checker = self._checker(place.root) if place is not None else None
        if place is None or checker is None:
            return None
        versions, overlay = self.buffers(place.root)
        before, after = checker.fix_all(place.path, overlay)
        if not after:
            return None
        texts = ServiceCheck({}, before, ())
        edits = [Edit(path, 0, len(before.get(path, "")), text) for path, text in after.items()]
        edit = self.workspace_edit(place.root, texts, edits, versions)
        return (
            None
            if edit is None
            else types.CodeAction(title="Fix all safe problems (railcheck)", kind=FIX_ALL, edit=edit)
        )

    def buffers(self, root: Path) -> tuple[dict[str, int | None], dict[PurePosixPath, str]]:
        """The versions and texts of the open buffers of the repository at `root`."""
        versions: dict[str, int | None] = {}
        overlay: dict[PurePosixPath, str] = {}
        for other in self.open_uris():
            where = self.place(other)
            document = self.workspace.text_documents.get(other)
            if where is not None and where.root == root and document is not None:
                versions[other] = document.version
                overlay[where.path] = document.source
        return versions, overlay

    def workspace_edit(
        self, root: Path, result: ServiceCheck, edits: Iterable[Any], versions: dict[str, int | None]
    ) -> types.WorkspaceEdit | None:
        by_path: dict[PurePosixPath, list[Any]] = {}
        for edit in edits:
            by_path.setdefault(edit.path, []).append(edit)
        supported = (
            self.client_capabilities.workspace
            and self.client_capabilities.workspace.workspace_edit
            and self.client_capabilities.workspace.workspace_edit.document_changes
        )
        changes: list[Any] = []
        plain: dict[str, list[types.TextEdit]] = {}
        for path, items in sorted(by_path.items()):
            uri = uri_of(root, path)
            text = result.texts.get(path)
            if text is None:  # a file the fix creates
                if not supported:
                    return None
                changes.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)))
                text = ""
            edits_here = [types.TextEdit(self.range_of(text, item.start, item.end), item.content) for item in items]
            changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions.get(uri)),
                    edits=edits_here,
                )
            )
            plain[uri] = edits_here
        return types.WorkspaceEdit(document_changes=changes) if supported else types.WorkspaceEdit(changes=plain)

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        place = self.place(uri)
        document = self.workspace.text_documents.get(uri)
        if place is None or document is None:
            return None
        text = document.source
        offset = PositionMap(text, self.encoding()).offset(position.line, position.character)
        latest = self._latest.get(uri)
        found = hover_text(registry(), place.path, text, offset, latest[0].railpack_paths if latest else frozenset())
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, found)) if found else None


def uri_of(root: Path, path: PurePosixPath) -> str:
    return str(from_fs_path(str(root / path)))


def _overlap(first: types.Range, second: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(first.start) <= key(second.end) and key(second.start) <= key(first.end)


def build() -> RailcheckServer:
    server = RailcheckServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: RailcheckServer, params: types.InitializedParams) -> None:
        ls.editor_loop = asyncio.get_running_loop()
        watching = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watching and watching.dynamic_registration:
            # Configuration and files edited outside the editor (a `git checkout`) change the findings.
            watchers = [
                types.FileSystemWatcher(glob_pattern=pattern)
                for pattern in (
                    "**/railcheck.toml",
                    "**/pyproject.toml",
                    "**/railpack.json",
                    "**/railway.{json,toml}",
                    "**/.python-version",
                )
            ]
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(
                        [types.Registration("railcheck-files", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)]
                    )
                )
            except Exception as error:
                ls.log(f"railcheck: could not watch files: {error}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def opened(ls: RailcheckServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule([params.text_document.uri])

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def changed(ls: RailcheckServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule([params.text_document.uri])

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def saved(ls: RailcheckServer, params: types.DidSaveTextDocumentParams) -> None:
        place = ls.place(params.text_document.uri)
        if place is not None and place.path.name in CONFIG_FILES and str(place.path.parent) == ".":
            ls.reload(place.root)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def closed(ls: RailcheckServer, params: types.DidCloseTextDocumentParams) -> None:
        # The file on disk takes the buffer's place: the other buffers' findings may change with it.
        place = ls._places.get(params.text_document.uri)
        ls.forget(params.text_document.uri)
        if place is not None:
            ls.schedule(
                uri
                for uri in ls.open_uris()
                if uri != params.text_document.uri and (where := ls.place(uri)) is not None and where.root == place.root
            )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: RailcheckServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            file = to_fs_path(change.uri)
            if file is None:
                continue
            for root in list(ls._checkers):
                if Path(file).parent == root and Path(file).name in CONFIG_FILES:
                    ls.reload(root)
        # Files changed on disk outside the editor: check what is open again.
        ls.schedule(ls.open_uris())

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    @server.thread()  # fixing all settles the fixes over several checks: not on the thread that reads the editor
    def code_action(ls: RailcheckServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only or []
        # Editors ask for actions at every cursor move; "fix all" only when asked for by kind (as on save).
        actions = (
            ls.code_actions(params.text_document.uri, params.range)
            if not only or types.CodeActionKind.QuickFix in only
            else []
        )
        if any(FIX_ALL.startswith(kind) for kind in only):
            fix_all = ls.fix_all_action(params.text_document.uri)
            actions += [fix_all] if fix_all else []
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: RailcheckServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params.text_document.uri, params.position)

    return server


def serve() -> None:
    """Serve one editor over standard input and output until it disconnects."""
    logging.basicConfig(level=logging.WARNING, format="railcheck server: %(levelname)s %(message)s")
    build().start_io()
