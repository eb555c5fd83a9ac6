"""Apply fixes: choose non-overlapping edits, re-check in memory until nothing applicable is left, then write.

Nothing touches the disk until the plan has settled. Writing stages every file in a temporary file beside
it and renames them only when all are staged, after checking that no file changed since it was read.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path, PurePosixPath

from railcheck.codes import engine_diagnostic
from railcheck.sources.jsonc import parse_json
from railcheck.sources.text import ParseFailure
from railcheck.sources.toml import parse_toml
from railcheck.types import Applicability, Diagnostic, Edit, Fix

MAX_ROUNDS = 10
STAGING_SUFFIX = ".railcheck-tmp"
# What `write_atomically` names a staged file: `.<target name>.<8 characters from mkstemp>.railcheck-tmp`.
# A pattern string, compiled on first use (re's own cache): only a fix run looks for staged files.
_STAGING_NAME = r"\..+\.[a-z0-9_]{8}\.railcheck-tmp"
# A staged file lives for the fraction of a second between staging and renaming; one this old was left by
# a fix run that was killed, never by one still running.
STALE_STAGING_SECONDS = 15 * 60


class FixWriteError(Exception):
    """Fixed files could not be written; nothing was changed. The CLI exits 2."""


class FixOutcome:
    """The settled result: new texts of changed files, fixes applied per rule code, and RC003 findings."""

    # A plain class, not a dataclass: `settle` fills it in place, and a dataclass costs some millions of
    # instructions to create at import, which every run importing this module would pay.

    def __init__(self) -> None:
        self.texts: dict[PurePosixPath, str] = {}
        self.applied: Counter[str] = Counter()
        self.problems: list[Diagnostic] = []
        # (code, fix title, files it touched), in the order applied.
        self.log: list[tuple[str, str, tuple[PurePosixPath, ...]]] = []


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with non-overlapping `edits` applied; the order they arrive in does not matter."""
    out, cursor = [], 0
    for edit in sorted(edits, key=lambda edit: (edit.start, edit.end)):
        out.append(text[cursor : edit.start])
        out.append(edit.content)
        cursor = edit.end
    out.append(text[cursor:])
    return "".join(out)


def choose(
    diagnostics: Iterable[Diagnostic], minimum: Applicability, rejected: frozenset[Fix] | set[Fix] = frozenset()
) -> list[tuple[str, Fix]]:
    """Whole fixes whose edits overlap no fix chosen before them (the rest wait for the next round)."""
    taken: dict[PurePosixPath, list[tuple[int, int]]] = {}
    chosen = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if (
            fix is None
            or fix in rejected
            or fix.applicability is Applicability.DISPLAY_ONLY
            or fix.applicability.rank < minimum.rank
        ):
            continue
        if any(_overlaps(edit, taken.get(edit.path, ())) for edit in fix.edits):
            continue
        for edit in fix.edits:
            taken.setdefault(edit.path, []).append((edit.start, edit.end))
        chosen.append((diagnostic.code, fix))
    return chosen


def _overlaps(edit: Edit, ranges: Iterable[tuple[int, int]]) -> bool:
    # Touching ranges overlap too when either is an insertion at the shared point: their order would be ambiguous.
    return any(
        (edit.start < end and start < edit.end) or edit.start == start or edit.end == end for start, end in ranges
    )


def reads_as_jwcc(path: PurePosixPath) -> bool:
    """Whether `still_parses` reads the `.json` file at `path` as JSON with comments and trailing commas (every
    name but railway.json, which Railway reads as strict JSON)."""
    return path.name != "railway.json"


def still_parses(path: PurePosixPath, text: str) -> bool:
    """Whether `text` can be written as the file at `path` and read back: it must be UTF-8 (a fix that quotes
    a folder name holding bytes that are not cannot be written) and, for a config file, parse."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if path.suffix == ".toml":
        return not isinstance(parse_toml(text, path), ParseFailure)
    if path.suffix == ".json":
        return not isinstance(parse_json(text, path, jwcc=reads_as_jwcc(path)), ParseFailure)
    return True


# One token of a JSON or JWCC text that parses: a string, a comment, or a run of anything else. Read from the
# start, it tells strings from comments exactly as the parser does (in strict JSON no comment can occur).
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|[^"/]+|/', re.S)
# What a string's content may hold so that it stays one plain string: no quote, escape or control character.
_PLAIN_CONTENT = re.compile(r'[^"\\\x00-\x1f]*')


def _inside_plain_string(text: str, edit: Edit) -> bool:
    """Whether `edit` replaces characters between the quotes of one string of `text` whose content is plain
    (no escape, no control character), with plain content: in a text that parses, the string stays one valid
    string and every other token stays as it was, so the edited text parses too."""
    if _PLAIN_CONTENT.fullmatch(edit.content) is None:
        return False
    for token in _JSON_TOKEN.finditer(text):
        if token.end() > edit.start:  # the token that holds the edit's start
            return (
                text[token.start()] == '"'
                and token.start() < edit.start
                and edit.end < token.end()
                and _PLAIN_CONTENT.fullmatch(text, token.start() + 1, token.end() - 1) is not None
            )
    return False


@lru_cache(maxsize=256)
def _original_parses(path: PurePosixPath, text: str) -> bool:
    # A file's text as read, asked once for all the fixes that edit it.
    return still_parses(path, text)


def _offer_keeps_parsing(
    path: PurePosixPath, original: str, edits: list[Edit], result: str, parsed: Collection[PurePosixPath] = ()
) -> bool:
    """`still_parses(path, result)`, without parsing `result` when the original parses and each edit only
    changes the plain content of a JSON string (the common fix: a host, a port, a module path in a command).
    Any other case is parsed: the shortcut only ever answers yes. `parsed` names files whose original is known
    to pass `still_parses` (the check parsed it with the same reader), so it is not parsed again."""
    if (
        path.suffix == ".json"
        and all(_inside_plain_string(original, edit) for edit in edits)
        and (path in parsed or _original_parses(path, original))
    ):
        try:
            result.encode("utf-8")  # the new content may hold what cannot be written (a lone surrogate)
        except UnicodeEncodeError:
            return False
        return True
    return still_parses(path, result)


def offered(
    diagnostic: Diagnostic,
    texts: dict[PurePosixPath, str],
    writable: Callable[[PurePosixPath], bool],
    parsed: Collection[PurePosixPath] = (),
) -> Diagnostic:
    """`diagnostic`, without its fix when that fix could never be applied: it would leave one of its files
    unparseable, a file it edits is not `writable`, or it changes nothing. Such a fix is neither shown nor
    counted as fixable; `settle` checks again, since fixes applied together can still clash. `parsed` names
    files whose text in `texts` is known to pass `still_parses`."""
    fix = diagnostic.fix
    if fix is None:
        return diagnostic
    by_path: dict[PurePosixPath, list[Edit]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(edit)
    results = {path: apply_edits(texts.get(path, ""), edits) for path, edits in by_path.items()}
    if any(
        not writable(path) or not _offer_keeps_parsing(path, texts.get(path, ""), by_path[path], text, parsed)
        for path, text in results.items()
    ):
        return replace(diagnostic, fix=None)
    if all(text == texts.get(path) for path, text in results.items()):
        return replace(diagnostic, fix=None)  # it changes nothing: applying it would never settle
    return diagnostic


def settle(
    originals: dict[PurePosixPath, str],
    lint: Callable[[dict[PurePosixPath, str]], list[Diagnostic]],
    minimum: Applicability,
    untouchable: frozenset[PurePosixPath] = frozenset(),
) -> FixOutcome:
    """Fix, re-lint the in-memory texts, and repeat until no applicable fix remains (at most MAX_ROUNDS).

    `lint(overlay)` returns the diagnostics for the repository with `overlay` texts in place of its files;
    `originals` are the texts as read (a file absent from it is new). A fix that would leave any of its
    files unparseable, or that edits one of `untouchable` (files whose text is not their content), is
    dropped, reported as RC003, and never tried again; the other fixes still apply.
    """
    outcome = FixOutcome()
    rejected: set[Fix] = set()

    def base(path: PurePosixPath) -> str:
        return outcome.texts.get(path, originals.get(path, ""))

    for _ in range(MAX_ROUNDS):
        chosen = choose(lint(outcome.texts), minimum, rejected)
        if not chosen:
            return outcome
        accepted: dict[PurePosixPath, list[Edit]] = {}
        applied = []
        for code, fix in chosen:
            refused = sorted(str(path) for path in {edit.path for edit in fix.edits} if path in untouchable)
            if refused:
                rejected.add(fix)
                outcome.problems.append(
                    _rc003(
                        PurePosixPath(refused[0]),
                        f'the {code} fix "{fix.title}" was not applied: {", ".join(refused)} is not valid UTF-8, and'
                        " writing the text railcheck shows would lose its bytes",
                    )
                )
                continue
            trial = {
                path: accepted.get(path, []) + [edit for edit in fix.edits if edit.path == path]
                for path in {edit.path for edit in fix.edits}
            }
            broken = sorted(
                str(path) for path, edits in trial.items() if not still_parses(path, apply_edits(base(path), edits))
            )
            if broken and all(
                still_parses(path, apply_edits(base(path), [edit for edit in fix.edits if edit.path == path]))
                for path in trial
            ):
                # It breaks the file only together with a fix accepted this round (both add one key): the next
                # round lints the file with that fix applied and decides again.
                continue
            if broken:
                rejected.add(fix)
                outcome.problems.append(
                    _rc003(
                        PurePosixPath(broken[0]),
                        f'the {code} fix "{fix.title}" would leave {", ".join(broken)} unparseable; it was not applied',
                    )
                )
                continue
            accepted.update(trial)
            applied.append(code)
            outcome.log.append((code, fix.title, tuple(sorted({edit.path for edit in fix.edits}))))
        for path, edits in accepted.items():
            outcome.texts[path] = apply_edits(base(path), edits)
        outcome.applied.update(applied)
    leftover = sorted({code for code, _ in choose(lint(outcome.texts), minimum, rejected)})
    if leftover:
        outcome.problems.append(
            _rc003(PurePosixPath("."), f"fixes for {', '.join(leftover)} did not settle after {MAX_ROUNDS} rounds")
        )
    return outcome


def _rc003(path: PurePosixPath, message: str) -> Diagnostic:
    return engine_diagnostic("RC003", path, message, "Please report this; the affected files keep their other fixes.")


def write_atomically(root: Path, originals: dict[PurePosixPath, str], texts: dict[PurePosixPath, str]) -> None:
    """Write `texts` under `root`: all files staged, then renamed. Raises FixWriteError having changed nothing.

    A file whose bytes differ from what was read (`originals`; absent = must not exist) is never overwritten.
    """
    import tempfile  # only when writing: a check without --fix never pays for it

    root = root.resolve()
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in sorted(texts.items()):
            target = root / path
            _check_target(root, path, target, originals.get(path))
            mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=STAGING_SUFFIX, dir=target.parent)
            staged.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8"))
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, mode)
        # Last look before renaming: nobody may have edited a file while we staged.
        for path in texts:
            _check_target(root, path, root / path, originals.get(path))
    except (OSError, FixWriteError) as error:
        for temporary, _ in staged:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        if isinstance(error, FixWriteError):
            raise
        raise FixWriteError(f"could not write fixes ({error}); no file was changed") from error
    for temporary, target in staged:
        os.replace(temporary, target)
    if staged:
        _fsync_dirs({target.parent for _, target in staged})


def remove_stale_staging(root: Path, folders: Iterable[PurePosixPath]) -> None:
    """Remove the staged files a killed fix run left in `folders` (repo-relative): only regular files with
    the name `write_atomically` gives them, older than any live run's (the file they were for may not
    exist: a fix can create a file)."""
    from railcheck.repository import git_folders, resolves_inside

    root = root.resolve()
    git = git_folders(root)
    oldest = time.time() - STALE_STAGING_SECONDS
    for folder in folders:
        absolute = root / folder
        if ".." in folder.parts or not resolves_inside(absolute.resolve(), root, git):
            continue  # never a folder out of the repository or git's own
        try:
            with os.scandir(absolute) as entries:
                for entry in entries:
                    if (
                        re.fullmatch(_STAGING_NAME, entry.name)
                        and entry.is_file(follow_symlinks=False)
                        and entry.stat(follow_symlinks=False).st_mtime < oldest
                    ):
                        os.unlink(entry.path)
        except OSError:
            continue  # unreadable folder, or another run removed it first: nothing is lost


def _check_target(root: Path, path: PurePosixPath, target: Path, original: str | None) -> None:
    from railcheck.repository import git_folders, names_git_folder, resolves_into_git

    folder = target.parent.resolve()
    if ".." in path.parts or not folder.is_relative_to(root):
        raise FixWriteError(f"{path}: outside the repository; not written")
    # Git runs what its folder says (hooks, `core.fsmonitor`): never written, by name or through a link.
    if names_git_folder(path.as_posix()) or resolves_into_git(folder / target.name, root, git_folders(root)):
        raise FixWriteError(f"{path}: inside the git folder (.git); not written")
    if target.is_symlink():
        raise FixWriteError(f"{path}: is a symbolic link; railcheck does not write through links")
    if original is None:
        if target.exists():
            raise FixWriteError(f"{path}: was created by someone else during the run; not overwritten")
        return
    from railcheck.files import read_regular_file

    # Without following a link or waiting on a pipe that replaced the file meanwhile, and size-limited.
    data = read_regular_file(target)
    if data is None:
        raise FixWriteError(f"{path}: cannot be re-read before writing (no longer a regular file of at most 2 MiB)")
    try:
        current = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FixWriteError(f"{path}: cannot be re-read before writing ({error})") from error
    if current != original:
        raise FixWriteError(f"{path}: changed on disk during the run; not overwritten")


def _fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in folders:
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)
