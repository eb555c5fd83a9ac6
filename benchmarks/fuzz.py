"""Long fuzz run: many mutated services checked in-process; any traceback or RC002 is a crash.

    python3 benchmarks/fuzz.py [--cases 5000] [--seed 1]

CI runs a bounded version (tests/test_hardening.py); docs/fuzzing.md records the figures of long runs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from click.testing import CliRunner  # noqa: E402

from conftest import write_repo  # noqa: E402
from mutations import mutated_service  # noqa: E402
from railcheck.cli import main as railcheck_main  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--case", type=int, help="run only this case (to reproduce a crash)")
    arguments = parser.parse_args()
    crashes = slowest = 0.0
    started = time.perf_counter()
    runner = CliRunner()
    for case in [arguments.case] if arguments.case is not None else range(arguments.cases):
        rng = random.Random(arguments.seed * 1_000_003 + case)
        with tempfile.TemporaryDirectory() as folder:
            repo = write_repo(Path(folder), mutated_service(rng))
            began = time.perf_counter()
            result = runner.invoke(railcheck_main, ["check", str(repo), "--output-format", "json", "--no-cache"], catch_exceptions=True)
            slowest = max(slowest, time.perf_counter() - began)
            crashed = (result.exception is not None and not isinstance(result.exception, SystemExit)) or result.exit_code not in (0, 1)
            if not crashed and "RC002" in {d["code"] for d in json.loads(result.output)["diagnostics"]}:
                crashed = True
            if crashed:
                crashes += 1
                print(f"case {case} (seed {arguments.seed}): exit {result.exit_code}\n{result.output[-2000:]}", file=sys.stderr)
                if result.exc_info and not isinstance(result.exception, SystemExit):
                    traceback.print_exception(*result.exc_info)
    elapsed = time.perf_counter() - started
    print(f"{arguments.cases} cases, {int(crashes)} crashes, {elapsed:.0f} s, slowest case {slowest:.2f} s")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
