"""Check a large repository on every core: services are split into chunks, each loaded and checked in a
forked worker or in the parent itself; rules that compare across the repository run once in the parent over
the layout.

Fork (not spawn) keeps the start cheap: workers inherit the loaded rules and configuration instead of
importing and unpickling them. Only the findings travel back. Results equal a single-process run.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from railcheck.files import Stamp
from railcheck.repository import merge_observed
from railcheck.types import Diagnostic

if TYPE_CHECKING:
    from railcheck.config import Config
    from railcheck.discovery import Plan
    from railcheck.engine import CheckResult, Identity
    from railcheck.inline import InlineSuppression
    from railcheck.model import Project
    from railcheck.registry import Registry
    from railcheck.rule import Rule

# Below this many services forking costs more than it saves (measured on benchmarks/generate.py
# repositories, 2 cores: even at about 30, 1.6x faster at 100).
MIN_SERVICES = 40


# Named tuples rather than dataclasses: every run imports this module, and a dataclass costs about a
# millisecond of start-up to create (it compiles its methods), a named tuple a fifth of that.
class ChunkResult(NamedTuple):
    diagnostics: tuple[Diagnostic, ...]
    texts: dict[PurePosixPath, str]
    services: int
    # (identity of the suppressed finding, reason, entry): the whole finding is never shown, and a large
    # repository may suppress one per service (RW102), whose pickling would cost more than checking them.
    suppressed: tuple[tuple[Identity, str | None, tuple[str, str]], ...]
    internal_errors: int
    observed: dict[str, Stamp | None]  # what the chunk's checks looked at in the repository (Repository.observed)
    inline: tuple[InlineSuppression, ...] = ()  # the suppression comments in the files the chunk read


class Merged(NamedTuple):
    """All chunks' results as one: findings in a deterministic order, the texts they point into, counts."""

    diagnostics: tuple[Diagnostic, ...]
    texts: dict[PurePosixPath, str]
    services: int
    suppressed: Counter[tuple[str, str | None]]  # (code, reason) -> how many
    used: set[tuple[str, str]]  # the suppression entries that matched something
    internal_errors: int
    observed: dict[str, Stamp | None]
    inline: tuple[InlineSuppression, ...] = ()


# Set in the parent just before forking; workers read them (fork copies memory, nothing is pickled).
_job: tuple[Path, Config, list[Rule], Registry] | None = None


def workers(plan: Plan) -> int:
    """How many processes to use for `plan` (1 means: do not fork)."""
    if plan.size < MIN_SERVICES:
        return 1
    import multiprocessing  # only now: importing it costs ~7 ms that small runs should not pay

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def check_chunks(
    root: Path, config: Config, plan: Plan, rules: list[Rule], registry: Registry, count: int
) -> list[ChunkResult]:
    """`plan` split in `count` chunks: `count - 1` forked workers check all but the first, which this process
    checks meanwhile instead of waiting (one fork and one transfer of findings fewer)."""
    import multiprocessing

    global _job
    _job = (root, config, [rule for rule in rules if not rule.repository_wide], registry)
    first, *rest = plan.split(count)
    try:
        warmed = _warm_up(rest)
        with multiprocessing.get_context("fork").Pool(len(rest)) as pool:
            pending = pool.map_async(_check_chunk, rest)
            here = _check_chunk(first)
            return [here, *warmed, *pending.get()]
    finally:
        _job = None


def _warm_up(chunks: list[Plan]) -> list[ChunkResult]:
    """Check one service of the last chunk that has one before forking, and take it out of that chunk.

    What a check loads on its first service (the modules rules import on first use, tree-sitter's shell
    grammar, the caches of parsed commands and patterns) is then loaded once, here, and every worker inherits
    it instead of loading it again: about 20 ms of CPU per worker."""
    from dataclasses import replace

    from railcheck.discovery import Plan

    for index in range(len(chunks) - 1, -1, -1):
        chunk = chunks[index]
        if chunk.folders:
            chunks[index] = replace(chunk, folders=chunk.folders[1:])
            return [_check_chunk(Plan(chunk.folders[:1], (), 0))]
    return []


def _check_chunk(plan: Plan) -> ChunkResult:
    from railcheck.engine import check
    from railcheck.project import load_project

    assert _job is not None
    root, config, rules, registry = _job
    project = load_project(root, config, plan=plan)
    return _summarise(project, check(project, rules, registry))


def _summarise(project: Project, result: CheckResult) -> ChunkResult:
    from railcheck.engine import identity

    # Send back only the texts a report can show, not every file the worker read.
    paths = {d.path for d in result.diagnostics} | {r.path for d in result.diagnostics for r in d.related}
    paths |= {item.path for item in result.inline}  # a comment may turn out unused once every chunk has answered
    return ChunkResult(
        result.diagnostics,
        {path: text for path, text in project.texts.items() if path in paths},
        len(project.services),
        tuple((identity(item.diagnostic), item.reason, item.entry) for item in result.suppressed),
        result.internal_errors,
        project.observed,
        result.inline,
    )


def merge(chunks: list[ChunkResult]) -> Merged:
    """All chunks' findings in one deterministic order, with texts, counts and the suppressions used."""
    # A file every chunk reads (the IaC file, a root requirements.txt) gives every chunk the same finding.
    unique = dict.fromkeys(d for chunk in chunks for d in chunk.diagnostics)
    diagnostics = tuple(sorted(unique, key=Diagnostic.sort_key))
    texts = {path: text for chunk in chunks for path, text in chunk.texts.items()}
    suppressed_once = dict.fromkeys(item for chunk in chunks for item in chunk.suppressed)
    suppressed = Counter((identity[0], reason) for identity, reason, _ in suppressed_once)
    used = {entry for chunk in chunks for _, _, entry in chunk.suppressed}
    observed = merge_observed(chunk.observed for chunk in chunks)
    inline = tuple(dict.fromkeys(item for chunk in chunks for item in chunk.inline))
    return Merged(
        diagnostics,
        texts,
        sum(chunk.services for chunk in chunks),
        suppressed,
        used,
        sum(chunk.internal_errors for chunk in chunks),
        observed,
        inline,
    )
