"""Discovery's ignore policy for the walker: the `.gitignore` files (the root's and nested ones), git's own
exclude files (railcheck/git_excludes.py) and the configured `exclude` patterns, weighed as git weighs them.

Read from disk as the walk reaches each folder (a pipe named .gitignore is never read). Build outputs
(railcheck/build_outputs.py) read `.gitignore` on their own, through the repository: they ask what the build
creates, not what discovery may skip.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from railcheck.config import Config
from railcheck.files import read_regular_file
from railcheck.layout import GITIGNORE
from railcheck.patterns import config_spec, gitignore_spec
from railcheck.walker import Specs


class IgnoreFiles:
    """`.gitignore` files (the root's and nested ones), git's own exclude files (railcheck/git_excludes.py)
    and the configured `exclude` patterns."""

    def __init__(self, root: Path, config: Config) -> None:
        from railcheck.git_excludes import git_exclude_specs

        self._root = root
        self._exclude = (
            config_spec(config.exclude, "exclude", str(config.source), config.text) if config.exclude else None
        )
        self._git_excludes = git_exclude_specs(root)

    def specs_above(self, folder: PurePosixPath) -> Specs:
        """The ignore files of the folders strictly above `folder` (where a walk starting at it begins)."""
        specs: Specs = self._git_excludes
        for base in reversed(folder.parents):
            specs = self.with_spec_of(base, specs)
        return specs

    def with_spec_of(self, folder: PurePosixPath, specs: Specs) -> Specs:
        """`specs` and the patterns of `folder`'s .gitignore, when it has a readable one (a pipe is not read)."""
        data = read_regular_file(self._root / folder / GITIGNORE)
        if data is None:
            return specs
        return (*specs, (str(folder), gitignore_spec(data.decode("utf-8", errors="replace").splitlines())))

    def ignored(self, folder: PurePosixPath, specs: Specs) -> bool:
        """Whether `folder` is excluded by configuration or by one of `specs` (the ignore files above it)."""
        relative = f"{folder}/"
        if self._exclude is not None and self._exclude.match_file(relative):
            return True
        # As git decides: the deepest ignore file with a pattern matching the folder (its last such pattern,
        # `!` ones re-including) wins, then shallower ones, then git's exclude files (`specs` is outermost
        # first). Each ignore file's patterns are relative to the folder holding it.
        for base, spec in reversed(specs):
            verdict = spec.check_file(relative if base == "." else relative[len(base) + 1 :]).include
            if verdict is not None:
                return bool(verdict)
        return False
