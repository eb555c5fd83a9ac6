"""Paths the build creates: a path missing from the repository is no missing file when the build makes it.

Three signs, any one enough: an earlier command of the service writes it (an output option, `mkdir`,
a redirection, a `cp`/`mv`/`ln` destination, a `git clone` target, an archive extracted into it); it lies
in a folder build tools write their output to (`.next`, `dist`, `build`, ...); or the repository's
`.gitignore` ignores it, since build outputs are not committed. Rules that report missing paths (CM002,
CM004, ST001) ask here first; explain-service lists what the build writes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from railcheck.modules import image_path
from railcheck.sources.shell import ShellScript, SimpleCommand
from railcheck.sources.text import ParseFailure

if TYPE_CHECKING:
    from pathspec import PathSpec

    from railcheck.model import Project, Service

# Folders that build tools and frameworks write their output to (Next.js, Nuxt/Nitro, SvelteKit, Vite,
# CRA, Astro, Gatsby, Remix, Cargo, Maven/Gradle, Django's collectstatic). Dependency folders
# (node_modules, .venv) are not among them: whether they hold a file depends on what is installed.
OUTPUT_FOLDERS = frozenset(
    {
        ".next",
        ".nuxt",
        ".output",
        ".svelte-kit",
        ".vercel",
        ".astro",
        ".cache",
        "dist",
        "build",
        "out",
        "public/build",
        "target",
        "staticfiles",
    }
)
# Options naming the file or folder a command writes, whatever the program (`next export -o out`,
# `tsc --outDir dist`, `esbuild --outdir=dist`, `curl -o`, `wget -O`).
_OUTPUT_OPTIONS = frozenset(
    {"-o", "--output", "--out-dir", "--outdir", "--outDir", "--output-dir", "-O", "--output-document", "--out"}
)
# Programs whose arguments `created_paths` reads as what they write (beyond output options and redirects): the
# programs its branches below name, a quick exit for every other command; a branch added there goes here too.
_WRITING_PROGRAMS = frozenset({"touch", "mkdir", "cp", "mv", "ln", "rsync", "git", "tar", "unzip"})


def cwd_walk(parsed: ShellScript) -> Iterator[tuple[str, SimpleCommand]]:
    """Each simple command with the working directory (relative to /app) that earlier `cd`s left."""
    cwd = "."
    for command in parsed.commands:
        words = command.words
        yield cwd, command
        if words and words[0].text == "cd" and len(words) > 1 and words[1].static:
            target = words[1].text
            if target.startswith("/"):
                mapped = image_path(PurePosixPath("."), ".", target)
                cwd = str(mapped) if mapped is not None else cwd
            else:
                cwd = posixpath.normpath(posixpath.join(cwd, target))


def created_paths(command: SimpleCommand) -> Iterator[str]:
    """Files and folders a command writes, as written (relative to its working directory or absolute)."""
    for redirect in command.redirects:
        if redirect.static:
            yield redirect.text
    words = [word.text for word in command.words if word.static]
    if not words:
        return
    for index, word in enumerate(words):
        if word[:1] != "-":
            continue  # every output option starts with "-" (asked of every word of every command)
        option, equals, value = word.partition("=")
        if option in _OUTPUT_OPTIONS:
            if equals:
                yield value
            elif index + 1 < len(words):
                yield words[index + 1]
    program = words[0].rsplit("/", 1)[-1]
    if program not in _WRITING_PROGRAMS:
        return
    arguments = [word for word in words[1:] if not word.startswith("-")]
    if program in ("touch", "mkdir"):
        yield from arguments
    elif program in ("cp", "mv", "ln", "rsync") and len(arguments) >= 2:
        yield arguments[-1]
    elif program == "git" and arguments[:1] == ["clone"]:
        # `git clone [options] URL DIR`: the folder follows the repository's address (option values such as
        # `--depth 1` come before it); without one, git names the folder after the URL, not guessed here.
        urls = [index for index, word in enumerate(arguments) if "://" in word or word.endswith(".git") or "@" in word]
        if urls and urls[0] + 1 < len(arguments):
            yield arguments[urls[0] + 1]
    elif program == "tar":
        yield from (words[index + 1] for index, word in enumerate(words[:-1]) if word in ("-C", "--directory"))
    elif program == "unzip":
        yield from (words[index + 1] for index, word in enumerate(words[:-1]) if word == "-d")


def build_writes(service: Service, project: Project) -> dict[PurePosixPath, str]:
    """Repository paths (as the image's /app holds them) that the service's install and build commands
    write, each with the label of the first command that does; computed once per service (`Project.derived`)."""
    return project.derived.build_writes(service)


def find_build_writes(service: Service, project: Project) -> dict[PurePosixPath, str]:
    """Find `build_writes`; `Project.derived` calls it once per service."""
    from railcheck.facts import app_root, facts, script

    root = app_root(service, project)
    written: dict[PurePosixPath, str] = {}
    for command in facts(service, project).commands:
        parsed = script(command)
        if command.kind not in ("install", "build") or isinstance(parsed, ParseFailure):
            continue
        for cwd, simple in cwd_walk(parsed):
            for value in created_paths(simple):
                path = image_path(root, cwd, value) if "$" not in value else None
                if path is not None:
                    written.setdefault(path, command.origin.label)
    return written


def created_by_build(service: Service, project: Project, path: PurePosixPath) -> str | None:
    """Why `path` (a repository path under the image's /app) is made by the build, or None when nothing
    says so. Any install or build command counts, whatever its order: unsure is no missing file."""
    from railcheck.facts import app_root

    root = app_root(service, project)
    for written, label in build_writes(service, project).items():
        if path == written or written in path.parents:
            return f"{label} writes {written}"
    relative = path.relative_to(root) if path == root or root in path.parents else None
    if relative is not None and str(relative) != ".":
        parts = relative.parts
        for depth in (1, 2):
            if len(parts) > depth and "/".join(parts[:depth]) in OUTPUT_FOLDERS:
                return f"{'/'.join(parts[:depth])}/ is a build output folder"
    if _git_ignores(project, path):
        return f"{path} is ignored by .gitignore, as build outputs are"
    return None


def _git_ignores(project: Project, path: PurePosixPath) -> bool:
    """Whether a .gitignore between the repository root and `path` ignores it (read through the repository)."""
    repository = project.repository
    if repository is None:
        return False
    for folder in reversed(path.parents):
        spec = project.derived.gitignore(folder)
        if spec is None:
            continue
        relative = path if str(folder) == "." else path.relative_to(folder)
        if spec.match_file(str(relative)) or spec.match_file(f"{relative}/"):
            return True
    return False


def read_gitignore(project: Project, folder: PurePosixPath) -> PathSpec | None:
    """The patterns of `folder`'s .gitignore, None when there is none; `Project.derived` reads each folder's once."""
    repository = project.repository
    text = (
        repository.read(folder / ".gitignore")
        if repository is not None and ".gitignore" in repository.listdir(folder)
        else None
    )
    if text is None:
        return None
    from railcheck.patterns import gitignore_spec  # only for repositories with a .gitignore

    spec: PathSpec = gitignore_spec(text.splitlines())
    return spec
