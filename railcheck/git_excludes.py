"""git's own exclude files, honoured by discovery as `.gitignore` files are: `$GIT_DIR/info/exclude` and the
file `core.excludesFile` names (by default `$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`).

Everything is read as text, never by running git, and only inside a git work tree (git applies them nowhere
else). The git folder is the nearest `.git` above the checked root: a real folder (not a link), or, for a
linked worktree or a submodule, the folder its `.git` file names when git made it for that purpose (the test
railcheck.git applies before running git); `info/exclude` is read there only when neither `info` nor the
file is a link. `core.excludesFile` is taken from the same configuration files git reads, last one winning:
`/etc/gitconfig` (unless `GIT_CONFIG_NOSYSTEM`; `GIT_CONFIG_SYSTEM` names another), the user's
(`GIT_CONFIG_GLOBAL`, else `$XDG_CONFIG_HOME/git/config` then `~/.gitconfig`) and the repository's `config`.
`include` and `includeIf` sections are not followed. The value is expanded as git does (`~/`, `~user/`; a
relative path is taken from the top of the work tree). Every read is of a regular file of at most 2 MiB,
opened without blocking, so a pipe or device named anywhere here is skipped, never waited on. The user's
own files (git configuration, an excludes file outside the work tree) are read through links, as dotfile
managers make them; a file in the work tree or the git folder is not.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from railcheck.files import read_regular_file


class _FromTop:
    """A gitignore spec whose patterns are relative to the work tree's top, matched with paths relative to a
    folder `prefix` below it (the checked root), as discovery asks."""

    def __init__(self, spec: Any, prefix: str) -> None:
        self._spec = spec
        self._prefix = prefix

    def check_file(self, path: str) -> Any:
        return self._spec.check_file(self._prefix + path)


def git_exclude_specs(root: Path) -> tuple[tuple[str, Any], ...]:
    """The specs of git's exclude files that apply to the (resolved) folder `root`, as (".", spec) pairs for
    discovery, core.excludesFile's first (git gives it the lowest precedence); () outside a git work tree."""
    found = _git_folder(root)
    if found is None:
        return ()
    top, git_dir = found
    prefix = root.relative_to(top).as_posix()
    prefix = "" if prefix == "." else f"{prefix}/"
    specs = []
    for text in (_read_users(_excludes_file(top, git_dir), top), _read_inside(git_dir, "info", "exclude")):
        lines = (text or "").splitlines()
        # `git init` writes an info/exclude of comments only: no pattern, so no pattern matching to load.
        if any(line.strip() and not line.startswith("#") for line in lines):
            from railcheck.patterns import gitignore_spec

            specs.append((".", _FromTop(gitignore_spec(lines), prefix)))
    return tuple(specs)


def _git_folder(root: Path) -> tuple[Path, Path] | None:
    """(top of the work tree, its git folder) for the nearest `.git` at or above `root`, or None."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        try:
            mode = os.lstat(dot_git).st_mode
        except (OSError, ValueError):
            continue
        if stat.S_ISDIR(mode):
            return folder, dot_git
        if not stat.S_ISREG(mode):
            return None  # a link or anything else: not a git folder git made
        from railcheck.git import GitCheckout  # only for a `.git` file (worktrees, submodules)

        checkout = GitCheckout.holding(folder)
        if checkout is None or Path(checkout.work_tree) != folder:
            return None
        git_dir = Path(checkout.git_dir)
        # info/ and config are shared by the worktrees of a repository: they sit in its common folder.
        common = (read_regular_file(git_dir / "commondir", 4096) or b"").decode("utf-8", "replace").strip()
        return folder, Path(os.path.realpath(git_dir / common)) if common else git_dir
    return None


def _read(path: Path | None) -> str | None:
    data = read_regular_file(path) if path is not None else None
    return data.decode("utf-8", "replace") if data is not None else None


def _read_users(path: Path | None, top: Path) -> str | None:
    """A file the user's git configuration names, or one of those files: the user's own, so a link is
    followed (dotfile managers link them) unless the file lies in the work tree, whose content a pull
    request controls: there a link is not followed."""
    if path is None or Path(os.path.abspath(path)).is_relative_to(top):
        return _read(path)
    return _read(Path(os.path.realpath(path)))


def _read_inside(git_dir: Path, *parts: str) -> str | None:
    """A file of the git folder, only when no part of its path below the git folder is a link."""
    path = git_dir
    for part in parts[:-1]:
        path = path / part
        if os.path.islink(path):
            return None
    return _read(path / parts[-1])  # read_regular_file does not follow a link in the last part


def _excludes_file(top: Path, git_dir: Path) -> Path | None:
    """The file core.excludesFile names (the last setting wins), else git's default; None without one."""
    value = None
    for config in _config_files(git_dir):
        text = _read(config) if config.parent == git_dir else _read_users(config, top)
        value = _core_excludes_file(text or "") or value
    if value is None:
        base = _user_config_folder()
        return base / "git" / "ignore" if base is not None else None
    expanded = _expand(value)
    return top / expanded if expanded is not None else None  # an absolute `expanded` replaces `top`


def _config_files(git_dir: Path) -> list[Path]:
    files = []
    if not os.environ.get("GIT_CONFIG_NOSYSTEM"):
        files.append(Path(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig"))
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        files.append(Path(os.environ["GIT_CONFIG_GLOBAL"]))
    else:
        base = _user_config_folder()
        if base is not None:
            files.append(base / "git" / "config")
        if os.environ.get("HOME"):
            files.append(Path(os.environ["HOME"]) / ".gitconfig")
    files.append(git_dir / "config")
    return files


def _user_config_folder() -> Path | None:
    """`$XDG_CONFIG_HOME`, else `~/.config`, as git finds the user's `git/config` and `git/ignore`."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    home = os.environ.get("HOME")
    return Path(xdg) if xdg else Path(home) / ".config" if home else None


def _expand(value: str) -> str | None:
    """A path value as git expands it: `~` and `~/...` from HOME, `~user/...` from that user's home."""
    if not value.startswith("~"):
        return value
    user, _, rest = value[1:].partition("/")
    if not user:
        home = os.environ.get("HOME")
        return os.path.join(home, rest) if home else None
    try:
        import pwd

        return os.path.join(pwd.getpwnam(user).pw_dir, rest)
    except (ImportError, KeyError):
        return None


def _core_excludes_file(text: str) -> str | None:
    """The last `excludesFile` value of the `[core]` section in a git config file's text, or None."""
    found = None
    section = None
    for line in _logical_lines(text):
        rest = line.strip()
        if rest.startswith("["):
            header, bracket, rest = rest[1:].partition("]")
            if not bracket:
                section = None
                continue
            # `[core]` only: `[core "x"]` and `[core.x]` are subsections, which git keys apart.
            section = header.strip().lower()
            rest = rest.strip()
        if not rest or rest[0] in "#;":
            continue
        name, equals, value = rest.partition("=")
        if section == "core" and equals and name.strip().lower() == "excludesfile":
            found = _config_value(value)
    return found


def _logical_lines(text: str) -> list[str]:
    """Lines with git's backslash-newline continuations joined."""
    return text.replace("\\\r\n", "").replace("\\\n", "").splitlines()


_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "\\": "\\", '"': '"'}


def _config_value(raw: str) -> str | None:
    """A git config value: quotes removed, escapes applied, a comment outside quotes cut, outer blanks
    trimmed (inner ones kept); None for an invalid escape or an unclosed quote, which git refuses."""
    out: list[str] = []
    quoted = False
    pending_space = ""
    index = 0
    while index < len(raw):
        char = raw[index]
        index += 1
        if not quoted and char in "#;":
            break
        if not quoted and char in " \t":
            if out:
                pending_space += char
            continue
        out.append(pending_space)
        pending_space = ""
        if char == '"':
            quoted = not quoted
        elif char == "\\":
            if index >= len(raw) or raw[index] not in _ESCAPES:
                return None
            out.append(_ESCAPES[raw[index]])
            index += 1
        else:
            out.append(char)
    return None if quoted else "".join(out)
