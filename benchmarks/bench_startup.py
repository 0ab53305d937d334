"""Start-up of the command line (issue 18): whole processes, median of 5, per command.

Run from the project's root with the venv active::

    python benchmarks/bench_startup.py            # score, validate and the reference imports
    python benchmarks/bench_startup.py --repeat 9

Goal: ``decide score mali-2012`` and ``decide validate mali-2012`` within 0.8 s each, and score
within 1.5x the time of ``python -c "import numpy, pandas, yaml, pydantic"`` (which it needs).
Wall time depends on the machine's load; CPU time (user + system of the child) is printed too.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "decide score mali-2012": ["score", "mali-2012"],
    "decide validate mali-2012": ["validate", "mali-2012"],
    "decide --help": ["--help"],
}
REFERENCE = [sys.executable, "-c", "import numpy, pandas, yaml, pydantic"]


def measure(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    decide = shutil.which("decide") or sys.exit("activate the venv where decide is installed")
    subprocess.run([decide, "score", "mali-2012"], capture_output=True, check=True)  # warm the file cache
    rows = {"python -c 'import numpy, pandas, yaml, pydantic'": REFERENCE}
    rows.update({name: [decide, *argv] for name, argv in COMMANDS.items()})
    results = {}
    for name, command in rows.items():
        runs = [measure(command) for _ in range(args.repeat)]
        results[name] = (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
    reference = results[next(iter(rows))][0]
    print(f"{'command':<52} {'wall (s)':>9} {'CPU (s)':>8} {'x ref':>6}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<52} {wall:>9.2f} {cpu:>8.2f} {wall / reference:>6.2f}")


if __name__ == "__main__":
    main()
