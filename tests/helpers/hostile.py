"""Hostile repositories for fuzzing: mutated service files (tests/helpers/mutations.py) in a layout an untrusted
pull request could commit, with a canary folder beside the repository that railcheck must leave alone.

Each feature is drawn at random from the case's own `random.Random`, so a case number reproduces its
repository exactly:

- `names`: service folders named with line breaks, bytes that are not UTF-8, Markdown and workflow-command
  injections (`::error ...`, `[link](...)`, `|`);
- `links`: links inside the repository, out of it (to the canary), dangling, looping, to `/dev/zero`;
- `special`: named pipes where files are expected, folders where files are expected;
- `config`: a hostile `railcheck.toml` (bad patterns, keys with line breaks, paths out of the repository,
  links to outside files; with `cache` also a NUL in a service root);
- `iac`: an IaC file with duplicated or dynamic definitions;
- `cache`: a tampered `.railcheck_cache/` (linked out, a pipe or `/dev/zero` as its files, garbage entries).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from helpers.mutations import mutated_service

CANARY = "CANARY-DO-NOT-READ"  # the content of the files outside the repository
FEATURES = ("names", "links", "special", "config", "iac", "cache", "patterns")

# Folder names a pull request may choose. Bytes: not every name is UTF-8.
ODD_NAMES: tuple[bytes, ...] = (
    b"svc",
    b"spaced \xc3\xbc name",
    b"new\nline",
    b"bad\xff\xfename",
    b"a |\n\nAll checks passed [click](https://evil.example)\n| x",
    b"x\n::error file=forged.py,line=1::forged",
    b"::add-mask::secret",
    b"%0A::warning::forged",
    b"`tick` *star* _under_ <b>html</b>",
    b"-rf",
    b"\xe2\x80\xa8separator",
)

HOSTILE_CONFIGS: tuple[str, ...] = (
    'exclude = ["!"]\n',
    '[per-file-ignores]\n"\\\\" = ["RP001"]\n',
    '[rules."x\\n::error file=a.py::forged"]\nfoo = 1\n',
    'select = ["RP", "nope\\n::add-mask::x"]\n',
    '[[sync]]\nsource = "../outside/canary.txt"\ncopies = ["services/svc/requirements.txt"]\n',
    '[[sync]]\nsource = "requirements.txt"\ncopies = ["/etc/passwd"]\n',
    '[services.api]\nroot = "../outside"\n',
    '[services.api]\nroot = "services/svc"\nrailpack-config = "../../outside/canary.txt"\n',
    'fail-on = "nonsense"\n',
    "ignore = { RW102 = " + json.dumps("x" * 5000) + " }\n",
    "= broken toml [[",
    'extend-select = ["ZZ"]\n[severity]\n"RP001" = "info"\n',
)

# Gitignore lines and watch patterns git accepts but a strict pattern library rejects or reads otherwise.
ODD_PATTERNS: tuple[str, ...] = (
    "!",
    "\\",
    "a\\",
    "src\\",
    "!/",
    "[",
    "[!]",
    "***",
    "a/**b",
    "/",
    "**/",
    "\\!x",
    "generated/",
)

# Configurations aimed at the cache's handling of paths (a NUL cannot be in a file name): drawn only with
# the `cache` feature.
CACHE_HOSTILE_CONFIGS: tuple[str, ...] = ('[services.api]\nroot = "services/\\u0000svc"\n',)

IAC_FILES: tuple[str, ...] = (
    "from railway_sdk import define_railway, project, service\n\n@define_railway\ndef railway():\n"
    '    return project("shop", resources=[service("api", root="services/svc", start="python main.py")])\n',
    "import os\nfrom railway_sdk import define_railway, project, service\n\n@define_railway\ndef a_rather_long_program_name():\n"
    '    r = os.environ["R"]\n    return project("p", resources=[service("api", root=r)])\n',
    "from railway_sdk import *\nfor x in range(3):\n    service(f'api{x}', root='services/svc')\n",
    "def railway(:\n",
)


@dataclass(frozen=True)
class HostileCase:
    """A written case: the repository to check, the canary folder beside it, and what it holds."""

    repo: Path
    outside: Path
    features: frozenset[str]


def write_hostile_case(folder: Path, rng: random.Random, features: frozenset[str] = frozenset(FEATURES)) -> HostileCase:
    """A repository under `folder/repo` with one to three mutated services and some hostile features, and a
    canary folder `folder/outside` that railcheck must never write to."""
    outside = folder / "outside"
    (outside / "secret-service").mkdir(parents=True)
    (outside / "canary.txt").write_text(f"{CANARY}\n")
    (outside / "secret-service" / "railpack.json").write_text(json.dumps({"provider": CANARY}))
    repo = folder / "repo"
    repo.mkdir()
    (repo / "railcheck.toml").write_text("")
    # One draw per feature, in a fixed order (a set's order changes with the hash seed), whatever is left out.
    used = frozenset(feature for feature in FEATURES if rng.random() < 0.35 and feature in features)
    services: list[bytes] = []
    for _ in range(rng.randrange(1, 4)):
        name = rng.choice(ODD_NAMES) if "names" in used else b"svc"
        service = os.path.join(os.fsencode(repo), b"services", name)
        if service in services:
            continue
        services.append(service)
        os.makedirs(service, exist_ok=True)
        for relative, content in mutated_service(rng).items():
            with open(os.path.join(service, os.fsencode(relative)), "wb") as handle:
                handle.write(content)
    first = services[0]
    if "links" in used:
        _links(rng, repo, first, outside)
    if "special" in used:
        _special(rng, repo, first)
    if "config" in used:
        _config(rng, repo, outside, "cache" in used)
    if "iac" in used:
        (repo / ".railway").mkdir()
        (repo / ".railway" / rng.choice(["railway.py", "railway.py", "railway.ts"])).write_text(
            rng.choice(IAC_FILES) * rng.randrange(1, 3)
        )
    if "cache" in used:
        _tamper_with_the_cache(rng, repo, outside)
    if "patterns" in used:
        _odd_patterns(rng, repo, first)
    return HostileCase(repo, outside, used)


def _link(target: str | bytes | Path, at: bytes) -> None:
    try:
        os.symlink(target, at)
    except FileExistsError:
        os.unlink(at)
        os.symlink(target, at)


def _links(rng: random.Random, repo: Path, service: bytes, outside: Path) -> None:
    targets: list[str | Path] = [
        outside / "canary.txt",
        outside,
        outside / "secret-service",
        "/dev/zero",
        "missing",
        ".",
        "..",
        "railpack.json",
        str(repo),
    ]
    for _ in range(rng.randrange(1, 4)):
        name = rng.choice(
            [
                b"railpack.json",
                b"railway.json",
                b"requirements.txt",
                b".python-version",
                b"main.py",
                b"linked",
                b"Procfile",
                b"pyproject.toml",
            ]
        )
        _link(rng.choice(targets), os.path.join(service, name))
    if rng.random() < 0.3:
        _link(
            outside / "canary.txt",
            os.fsencode(repo / rng.choice([".gitignore", "requirements.txt", ".python-version", "railcheck.toml"])),
        )
    if rng.random() < 0.3:
        _link(outside / "secret-service", os.fsencode(repo / "services" / "linked-out"))


def _special(rng: random.Random, repo: Path, service: bytes) -> None:
    for _ in range(rng.randrange(1, 3)):
        name = rng.choice(
            [b"railpack.json", b"railway.toml", b"requirements.txt", b".python-version", b"main.py", b".gitignore"]
        )
        at = os.path.join(service, name)
        if os.path.islink(at) or os.path.isfile(at):
            os.unlink(at)
        if os.path.lexists(at):
            continue  # already a folder or a pipe
        if rng.random() < 0.6:
            os.mkfifo(at)
        else:
            os.mkdir(at)
    if rng.random() < 0.3 and not os.path.lexists(repo / ".gitignore"):
        os.mkfifo(repo / ".gitignore")


def _config(rng: random.Random, repo: Path, outside: Path, cache: bool) -> None:
    configs = HOSTILE_CONFIGS + (CACHE_HOSTILE_CONFIGS if cache else ())
    config = repo / "railcheck.toml"
    config.unlink()
    choice = rng.random()
    if choice < 0.1:
        os.symlink(outside / "canary.txt", config)
    elif choice < 0.15:
        os.mkfifo(config)
    elif choice < 0.25:
        (repo / "pyproject.toml").write_text("[tool.railcheck]\n" + rng.choice(configs))
        (repo / ".git").mkdir()  # so the repository is found without railcheck.toml
    else:
        config.write_text(rng.choice(configs))


def _odd_patterns(rng: random.Random, repo: Path, service: bytes) -> None:
    """A root .gitignore and a watch-pattern list of odd patterns, and a start command that makes the
    build-output check read the .gitignore (each written over a regular file the mutations left)."""
    if not os.path.lexists(repo / ".gitignore"):
        (repo / ".gitignore").write_text("\n".join(rng.sample(ODD_PATTERNS, rng.randrange(1, 5))) + "\n")
    configs = {
        b"railway.json": {"build": {"watchPatterns": rng.sample(ODD_PATTERNS, rng.randrange(1, 4))}},
        b"railpack.json": {"deploy": {"startCommand": "bash generated/start.sh"}},
    }
    for name, config in configs.items():
        at = os.path.join(service, name)
        if not os.path.lexists(at) or (os.path.isfile(at) and not os.path.islink(at)):
            with open(at, "w") as handle:
                json.dump(config, handle)


def _tamper_with_the_cache(rng: random.Random, repo: Path, outside: Path) -> None:
    cache = repo / ".railcheck_cache"
    choice = rng.randrange(6)
    if choice == 0:
        os.symlink(outside, cache)
        return
    if choice == 1:
        cache.write_text("not a folder")
        return
    cache.mkdir()
    if choice == 2:
        os.symlink("/dev/zero", cache / "stat.json")
    elif choice == 3:
        os.mkfifo(cache / "stat.json")
    elif choice == 4:
        os.symlink(outside / "canary.txt", cache / ".gitignore")
    else:
        (cache / ("%064x.json" % rng.getrandbits(256))).write_text(
            rng.choice(["{", "[]", '{"diagnostics": []}', "\x00" * 10])
        )


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every name under `folder` with its content (files) or kind: to see whether anything was written."""
    seen: dict[str, bytes | str] = {}
    for parent, folders, files in os.walk(folder):
        for name in folders:
            seen[os.path.join(parent, name)] = "folder"
        for name in files:
            path = os.path.join(parent, name)
            seen[path] = Path(path).read_bytes() if os.path.isfile(path) and not os.path.islink(path) else "other"
    return seen
