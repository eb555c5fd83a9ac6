"""How long after an edit `railcheck server` publishes diagnostics, on a repository of many services.

    python3 -m pip install '.[lsp]' && python3 benchmarks/lsp_latency.py [--services 200] [--edits 20]

Generates a monorepo (benchmarks/generate.py), starts the server over stdio with the test suite's client
(tests/helpers/lsp_client.py), opens one service's railpack.json, and then, for each edit, changes the buffer and
times until the diagnostics for that version arrive. Prints the median and the spread. Only the edited
buffer's service is checked again, so the figure should not grow with the number of services; compare
`--services 20` with `--services 2000` to see it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers.lsp_client import Editor  # noqa: E402

from benchmarks.generate import write_monorepo  # noqa: E402


async def measure(root: Path, edits: int) -> list[float]:
    async with Editor(root) as editor:
        # svc7 carries the incident's mistakes (every seventh service does), so edits change its findings.
        railpack = editor.open("services/svc7/railpack.json")
        await editor.diagnostics(railpack)
        original = editor.texts[railpack]
        edited = original.replace("127.0.0.1", "0.0.0.0")
        assert edited != original, "the generated service no longer binds to 127.0.0.1"
        times = []
        for number in range(edits):
            started = time.perf_counter()
            editor.change(railpack, edited if number % 2 == 0 else original)
            found = await editor.diagnostics(railpack)
            times.append(time.perf_counter() - started)
            has_bind = any(str(d.code) == "ST003" for d in found)
            assert has_bind == (number % 2 == 1), "the diagnostics do not follow the edit"
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--edits", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = write_monorepo(Path(folder) / "repo", options.services)
        times = asyncio.run(measure(root, options.edits))
    milliseconds = sorted(value * 1000 for value in times)
    print(
        f"{options.services} services, {options.edits} edits of one railpack.json: diagnostics after "
        f"median {statistics.median(milliseconds):.1f} ms (min {milliseconds[0]:.1f}, max {milliseconds[-1]:.1f})"
    )


if __name__ == "__main__":
    main()
