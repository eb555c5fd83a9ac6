"""Long fuzz run: hostile generated repositories (tests/helpers/hostile.py) checked in-process by a pool of workers.

    python3 benchmarks/fuzz.py [--cases 5000] [--seed 1] [--workers 2] [--compare-every 20] [--without cache]
    python3 benchmarks/fuzz.py --seed 1 --case 123        # reproduce one case, with its output

Each case is checked with `--no-cache` (JSON). It fails as
- a crash: a Python exception, an exit code other than 0, 1 or 2, exit 2 with "internal error", or RC002,
  or output that shows the canary file's content (read outside the repository);
- a hang: no answer within `--timeout` seconds (10);
- an escape: anything written into the canary folder beside the repository;
- an injection: a `github` output line a runner would read as a command railcheck did not mean (checked
  when the case has odd folder names);
- a difference: for every `--compare-every`-th case (and every case with a tampered cache, whose findings
  may rightly differ, so there only crashes count), the cached run (cold, then warm) and the multi-process
  run must give the uncached findings;
- a fix failure: on those same cases, `--fix --unsafe-fixes` must report no RC003 (a fix that broke its
  file or did not settle).

Prints one line per failure and a summary with the throughput; exits 1 when anything failed. CI runs a
bounded version (tests/e2e/test_hardening.py); docs/fuzzing.md records the figures of long runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from click.testing import CliRunner  # noqa: E402
from helpers.hostile import CANARY, FEATURES, snapshot, write_hostile_case  # noqa: E402

import railcheck.parallel  # noqa: E402
from railcheck.cli import main as railcheck_main  # noqa: E402

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker
# Cases are written to memory when the system offers it: on a disk, creating and removing their folders
# costs more than checking them.
WORKSPACE = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class Hang(BaseException):
    """Raised by the alarm in a worker: not an Exception, so railcheck's own handlers do not catch it."""


@dataclass(frozen=True)
class Outcome:
    case: int
    failure: str | None  # "crash", "hang", "escape", "injection", "difference", "fix"; None when all is well
    detail: str
    seconds: float
    compared: bool


def _on_alarm(signum: int, frame: object) -> None:
    raise Hang


def _invoke(repo: Path, *options: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(railcheck_main, ["check", str(repo), *options], catch_exceptions=True)
    error = result.exception if result.exception is not None and not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, error


def _crash(exit_code: int, stdout: str, stderr: str, error: BaseException | None) -> str | None:
    if CANARY in stdout or CANARY in stderr:
        return f"the output shows the canary file's content, read outside the repository:\n{(stdout + stderr)[-1500:]}"
    if error is not None:
        return "".join(traceback.format_exception(error))[-3000:]
    if exit_code not in (0, 1, 2) or "internal error" in stderr or "Traceback" in stderr:
        return f"exit {exit_code}: {stderr[-2000:]}"
    # A rule that fails makes the run exit 2 with an RC002 finding, so the exit code cannot excuse it.
    if '"code": "RC002"' in stdout:
        return f"RC002: {stdout[-2000:]}"
    return None


def _findings(stdout: str) -> str:
    document = json.loads(stdout)
    return json.dumps([document["diagnostics"], document["summary"]], sort_keys=True)


def _forged_commands(stdout: str) -> list[str]:
    # railcheck's own commands always carry a title; anything else a runner would obey was forged.
    # A runner splits lines at \n and \r only (str.splitlines() would also split at U+2028 and the like).
    return [
        line
        for line in stdout.replace("\r", "\n").split("\n")
        if line.lstrip().startswith("::")
        and not (line.startswith(("::error ", "::warning ", "::notice ")) and "title=" in line)
    ]


def run_case(seed: int, case: int, timeout: float, compare: bool, features: frozenset[str]) -> Outcome:
    """Write case `case` of `seed`, check it, and say how it went (never raises)."""
    rng = random.Random(seed * 1_000_003 + case)
    folder = Path(tempfile.mkdtemp(prefix="railcheck-fuzz-", dir=WORKSPACE))
    started = time.perf_counter()
    failure, detail, compared = None, "", False
    try:
        written = write_hostile_case(folder, rng, features)
        before = snapshot(written.outside)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            exit_code, stdout, stderr, error = _invoke(written.repo, "--no-cache", "--output-format", "json")
            crash = _crash(exit_code, stdout, stderr, error)
            if crash:
                failure, detail = "crash", crash
            elif "names" in written.features:
                github = _invoke(written.repo, "--no-cache", "--output-format", "github")
                crash = _crash(*github)
                forged = _forged_commands(github[1]) if not crash else []
                if crash or forged:
                    failure, detail = ("crash", crash) if crash else ("injection", "\n".join(forged))
            if failure is None and exit_code in (0, 1) and (compare or "cache" in written.features):
                failure, detail = _compare(written.repo, _findings(stdout), exact="cache" not in written.features)
                compared = True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if failure is None and snapshot(written.outside) != before:
            failure, detail = "escape", "the canary folder beside the repository changed"
    except Hang:
        failure, detail = "hang", f"no answer within {timeout:.0f} s"
    except Exception as error:
        failure, detail = "crash", "harness: " + "".join(traceback.format_exception(error))[-2000:]
    finally:
        _remove(folder)
    return Outcome(case, failure, detail, time.perf_counter() - started, compared)


def _compare(repo: Path, uncached: str, exact: bool) -> tuple[str | None, str]:
    """Cached (cold, then warm) and multi-process runs against the uncached findings."""
    runs = {
        "cached (cold)": _invoke(repo, "--output-format", "json"),
        "cached (warm)": _invoke(repo, "--output-format", "json"),
    }
    saved = railcheck.parallel.MIN_SERVICES
    railcheck.parallel.MIN_SERVICES = 1  # fork even for one service
    try:
        runs["multi-process"] = _invoke(repo, "--no-cache", "--output-format", "json")
    finally:
        railcheck.parallel.MIN_SERVICES = saved
    for name, result in runs.items():
        crash = _crash(*result)
        if crash:
            return "crash", f"{name}: {crash}"
        if exact and result[0] in (0, 1) and _findings(result[1]) != uncached:
            return (
                "difference",
                f"{name} run differs from the uncached one:\n{result[1][-1500:]}\nuncached:\n{uncached[-1500:]}",
            )
    # Last, since it writes: every fix offered must apply and settle (RC003 says one broke a file or did not).
    fixed = _invoke(repo, "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    crash = _crash(*fixed)
    if crash:
        return "crash", f"--fix: {crash}"
    if '"code": "RC003"' in fixed[1]:
        return "fix", "\n".join(
            json.dumps(diagnostic)
            for diagnostic in json.loads(fixed[1])["diagnostics"]
            if diagnostic["code"] == "RC003"
        )
    return None, ""


def _remove(folder: Path) -> None:
    for parent, folders, _ in os.walk(folder):
        for name in folders:
            try:
                os.chmod(os.path.join(parent, name), 0o755, follow_symlinks=False)
            except (OSError, NotImplementedError):
                pass
    shutil.rmtree(folder, ignore_errors=True)


def _worker(
    tasks: multiprocessing.Queue,
    results: multiprocessing.Queue,
    seed: int,
    timeout: float,
    compare_every: int,
    features: frozenset[str],
) -> None:
    signal.signal(signal.SIGALRM, _on_alarm)
    # A case that reads without bound (a link to /dev/zero) must fail as a MemoryError, not get the worker
    # killed by the system.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    while (case := tasks.get()) is not None:
        results.put((os.getpid(), case, None))
        results.put(
            (
                os.getpid(),
                case,
                run_case(seed, case, timeout, compare_every > 0 and case % compare_every == 0, features),
            )
        )


def run(
    seed: int, cases: list[int], workers: int, timeout: float, compare_every: int, features: frozenset[str]
) -> list[Outcome]:
    """Every case through `workers` forked processes (not daemons: railcheck forks its own for the
    multi-process comparison); the outcomes in the order they finish. A worker that dies is a crash of
    the case it was on, and is replaced."""
    context = multiprocessing.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    for case in cases:
        tasks.put(case)

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(tasks, results, seed, timeout, compare_every, features))
        process.start()
        return process

    processes = {process.pid: process for process in (start() for _ in range(workers))}
    running: dict[int | None, int] = {}
    outcomes: list[Outcome] = []
    while len(outcomes) < len(cases):
        try:
            pid, case, outcome = results.get(timeout=1)
        except queue.Empty:
            for pid, process in list(processes.items()):
                if not process.is_alive() and pid in running:
                    outcome = Outcome(
                        running.pop(pid), "crash", f"the worker died (exit {process.exitcode})", 0.0, False
                    )
                    outcomes.append(outcome)
                    print(
                        f"case {outcome.case} (seed {seed}): {outcome.failure}: {outcome.detail}",
                        file=sys.stderr,
                        flush=True,
                    )
                    del processes[pid]
                    replacement = start()
                    processes[replacement.pid] = replacement
            continue
        if outcome is None:
            running[pid] = case
            continue
        running.pop(pid, None)
        outcomes.append(outcome)
        if outcome.failure:
            print(
                f"case {outcome.case} (seed {seed}): {outcome.failure}: {outcome.detail}", file=sys.stderr, flush=True
            )
    for _ in processes:
        tasks.put(None)
    for process in processes.values():
        process.join()
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--case", type=int, help="run only this case, in this process (to reproduce a failure)")
    parser.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds after which a case counts as a hang")
    parser.add_argument(
        "--compare-every",
        type=int,
        default=20,
        help="compare cached and multi-process runs on every N-th case (0: never)",
    )
    parser.add_argument("--without", default="", help=f"comma-separated features to leave out: {', '.join(FEATURES)}")
    arguments = parser.parse_args()
    features = frozenset(FEATURES) - set(filter(None, arguments.without.split(",")))
    if arguments.case is not None:
        signal.signal(signal.SIGALRM, _on_alarm)
        outcome = run_case(arguments.seed, arguments.case, arguments.timeout, True, features)
        print(f"case {outcome.case}: {outcome.failure or 'ok'} in {outcome.seconds:.2f} s\n{outcome.detail}")
        sys.exit(1 if outcome.failure else 0)
    started = time.perf_counter()
    outcomes = run(
        arguments.seed,
        list(range(arguments.cases)),
        arguments.workers,
        arguments.timeout,
        arguments.compare_every,
        features,
    )
    elapsed = time.perf_counter() - started
    counts = {
        kind: sum(outcome.failure == kind for outcome in outcomes)
        for kind in ("crash", "hang", "escape", "injection", "difference", "fix")
    }
    slowest = max(outcomes, key=lambda outcome: outcome.seconds, default=None)
    print(
        f"{len(outcomes)} cases (seed {arguments.seed}, {arguments.workers} workers, {sum(outcome.compared for outcome in outcomes)} compared): "
        + ", ".join(f"{count} {kind}{'es' if kind == 'crash' and count != 1 else ''}" for kind, count in counts.items())
        + f"; {elapsed:.0f} s, {len(outcomes) / elapsed:.0f} cases/s"
        + (f", slowest case {slowest.case} {slowest.seconds:.2f} s" if slowest else "")
    )
    sys.exit(1 if any(counts.values()) else 0)


if __name__ == "__main__":
    main()
