"""How fast `incident --version` and `incident --help` start, against Python starting alone.

    python benchmarks/cli_startup.py [--runs 20]

Each command runs --runs times, interleaved with the baseline (`python -c pass`, the
interpreter with the same site-packages); the medians are printed with their ratio. The target
is under 100 ms for each command: the group imports only click and its own module, and a
command's module is imported when that command runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("incident")


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    if not SCRIPT.exists():
        sys.exit(f"{SCRIPT}: not installed (pip install -e .)")
    runs: dict[str, list[float]] = {"python -c pass": [], "--version": [], "--help": []}
    for _ in range(options.runs):  # interleaved, so a busy moment hurts all alike
        runs["python -c pass"].append(_once([sys.executable, "-c", "pass"]))
        runs["--version"].append(_once([str(SCRIPT), "--version"]))
        runs["--help"].append(_once([str(SCRIPT), "--help"]))
    base = statistics.median(runs["python -c pass"])
    print(f"python -c pass      median {base * 1000:6.1f} ms")
    for name in ("--version", "--help"):
        took = statistics.median(runs[name])
        print(
            f"incident {name:<10} median {took * 1000:6.1f} ms ({took / base:.1f}x the bare "
            f"interpreter; target under 100 ms)"
        )


if __name__ == "__main__":
    main()
