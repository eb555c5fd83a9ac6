"""Benchmark railcheck against check-jsonschema, side by side, on synthetic monorepos.

    python3 -m pip install check-jsonschema && python3 benchmarks/run.py [--sizes 1,100,1000,10000] [--runs 5]

For each size it generates a monorepo (benchmarks/generate.py), then alternates whole-process runs of
`railcheck check --no-cache` and `check-jsonschema --schemafile schemas/railpack.schema.json <every
railpack.json>`, after one warm-up run each, and prints medians, their ratio, railcheck's peak memory and
its time per service. It also measures a warm run (cache on, repository unchanged) against the cold one,
and a pre-commit style run on one file against the peer on that file. Ratios are the result: absolute
times depend on the machine and its load.

`--markerless 10000` times only railcheck on that many services without a Python marker at their roots
(each makes SV001 search below its root), to show that time grows linearly with them; pass it twice as
`--markerless 10000,20000` to get the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import write_markerless_monorepo, write_monorepo

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "railpack.schema.json"
TARGETS = {"1 service cold": 0.6, "1,000 services cold": 2.0, "warm / cold": 0.35, "one file (pre-commit)": 0.5}


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} ... failed with exit {os.waitstatus_to_exitcode(status)} in {cwd}")
    return elapsed, usage.ru_maxrss / 1024


def alternate(
    first: list[str], second: list[str], cwd: Path, runs: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Interleave the two commands so that machine noise hits both alike; one warm-up run each first."""
    measure(first, cwd)
    measure(second, cwd)
    a, b = [], []
    for _ in range(runs):
        a.append(measure(first, cwd))
        b.append(measure(second, cwd))
    return a, b


def median(samples: list[tuple[float, float]]) -> float:
    return statistics.median(seconds for seconds, _ in samples)


def peak(samples: list[tuple[float, float]]) -> float:
    return max(memory for _, memory in samples)


def markerless(railcheck: str, sizes: list[int], runs: int, keep: str | None) -> None:
    """Median seconds of `railcheck check --no-cache` per size, and each size's time per service."""
    workspace = Path(keep or tempfile.mkdtemp(prefix="railcheck-bench-"))
    print("| marker-less services | railcheck (s) | ms per service |")
    print("| ---: | ---: | ---: |")
    for size in sizes:
        repo = write_markerless_monorepo(workspace / f"markerless-{size}", size)
        command = [railcheck, "check", ".", "--no-cache", "--output-format", "concise"]
        measure(command, repo)  # warm-up
        seconds = statistics.median(measure(command, repo)[0] for _ in range(runs))
        print(f"| {size:,} | {seconds:.2f} | {1000 * seconds / size:.2f} |")
    if not keep:
        shutil.rmtree(workspace, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,100,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="generate the monorepos in this folder and keep them")
    parser.add_argument("--markerless", help="only time railcheck on this many (comma-separated) marker-less services")
    arguments = parser.parse_args()
    railcheck = shutil.which("railcheck") or sys.exit("railcheck is not installed: python3 -m pip install .")
    if arguments.markerless:
        markerless(railcheck, [int(size) for size in arguments.markerless.split(",")], arguments.runs, arguments.keep)
        return
    peer = shutil.which("check-jsonschema") or sys.exit(
        "check-jsonschema is not installed: python3 -m pip install check-jsonschema"
    )
    workspace = Path(arguments.keep or tempfile.mkdtemp(prefix="railcheck-bench-"))
    sizes = [int(size) for size in arguments.sizes.split(",")]
    print(
        f"# railcheck benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, median of {arguments.runs}"
    )
    print()
    print("| services | railcheck (s) | check-jsonschema (s) | ratio | railcheck peak MB | ms per service |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    results: dict[str, float] = {}
    cold: dict[int, float] = {}
    for size in sizes:
        repo = write_monorepo(workspace / f"repo-{size}", size, comments=False)
        files = [f"services/svc{index}/railpack.json" for index in range(size)]
        ours, theirs = alternate(
            [railcheck, "check", ".", "--no-cache", "--output-format", "concise"],
            [peer, "--schemafile", str(SCHEMA), *files],
            repo,
            arguments.runs,
        )
        cold[size] = median(ours)
        ratio = median(ours) / median(theirs)
        print(
            f"| {size:,} | {median(ours):.3f} | {median(theirs):.3f} | {ratio:.2f}x | {peak(ours):.0f} | {1000 * median(ours) / size:.2f} |"
        )
        if size == 1:
            results["1 service cold"] = ratio
        if size == 1000:
            results["1,000 services cold"] = ratio
            warm, cold_again = alternate(
                [railcheck, "check", ".", "--output-format", "concise"],
                [railcheck, "check", ".", "--no-cache", "--output-format", "concise"],
                repo,
                arguments.runs,
            )
            results["warm / cold"] = median(warm) / median(cold_again)
            one, peer_one = alternate(
                [railcheck, "check", files[5], "--no-cache", "--output-format", "concise"],
                [peer, "--schemafile", str(SCHEMA), files[5]],
                repo,
                arguments.runs,
            )
            results["one file (pre-commit)"] = median(one) / median(peer_one)
    print()
    if 1000 in cold and 10000 in cold:
        results["10,000 / 1,000 services"] = cold[10000] / cold[1000]
        TARGETS["10,000 / 1,000 services"] = 11.0
    for name, value in results.items():
        target = TARGETS[name]
        print(f"- {name}: {value:.2f}x (target <= {target}x) {'PASS' if value <= target else 'FAIL'}")
    if not arguments.keep:
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
