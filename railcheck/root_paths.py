"""Directory arguments and paths in a service's commands that only make sense from the repository root.

A config written for a repository-root build reaches into its own folder: `cd apps/web && npm run build`,
`bun run --cwd apps/web build`, `npm --prefix apps/web ci`, `make -C apps/web`, `pnpm --dir apps/web build`,
`node apps/web/server.js`. From the folder railcheck inferred as the root directory those paths do not
exist, while they do from the repository root: a sign for SV003, not a missing file. Reads the repository
through its Repository; runs nothing.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.sources.shell import ShellScript, Word

if TYPE_CHECKING:
    from railcheck.origins import CommandText
    from railcheck.repository import Repository

# Options whose value is a directory to work in, across npm, pnpm, yarn, bun, make, git and tar.
DIRECTORY_OPTIONS = frozenset({"--cwd", "--prefix", "-C", "--dir"})


def root_only_paths(
    repository: Repository,
    root: PurePosixPath,
    commands: Iterable[tuple[CommandText, ShellScript]],
    made_by_build: Callable[[PurePosixPath], bool],
) -> Iterator[str]:
    """One sentence per path in `commands` that exists from the repository root but not from `root`, nor is
    made there by the build (`mkdir vendor && tar -xzf deps.tgz -C vendor` is no sign)."""
    prefix = f"{root}/"
    for command, parsed in commands:
        for word, directory in _path_words(parsed):
            text = posixpath.normpath(word.text)
            if text.startswith(("/", "$", "~", "..")):
                continue
            # A directory argument may name any folder; another path only counts when it reaches into the
            # service's own folder, which is what a repository-root config does.
            if not directory and not (text == str(root) or text.startswith(prefix)):
                continue
            from_root = PurePosixPath(text)
            if (
                repository.exists(root / from_root)
                or not repository.exists(from_root)
                or made_by_build(root / from_root)
            ):
                continue
            yield f"{command.origin.label} uses `{word.text}`, which exists only from the repository root"


def _path_words(parsed: ShellScript) -> Iterator[tuple[Word, bool]]:
    """Static words that may be paths, each with whether it is a directory argument (`cd X`, `--cwd X`)."""
    for command in parsed.commands:
        words = command.words
        cd = bool(words) and words[0].text == "cd"
        previous = ""  # the text of the word before (none before the first)
        for index, word in enumerate(words):
            text = word.text
            follows_option = previous in DIRECTORY_OPTIONS
            previous = text
            if not word.static:
                continue
            if index == 1 and cd:
                yield word, True
                continue
            if "=" in text:  # `--cwd=X`; most words have no "=", and are not split
                key, _, value = text.partition("=")
                if key in DIRECTORY_OPTIONS and value:
                    yield Word(value, word.start, word.end, True), True
                    continue
            if follows_option:
                yield word, True
            elif index > 0 and "/" in text and not text.startswith("-"):
                yield word, False
