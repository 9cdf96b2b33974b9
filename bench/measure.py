#!/usr/bin/env python3
"""Run a command a few times as a whole process; print its best wall time (s) and peak RSS (MB).

Why: bench/run needs wall time and peak memory of chc with interpreter start-up included, on
machines without /usr/bin/time. os.wait4 gives the child's own rusage; ru_maxrss is in KB on Linux.

Usage: python bench/measure.py [--runs N] -- COMMAND [ARG...]
Prints "WALL_S PEAK_MB": the fastest run's wall time and the highest peak over the runs.
A failing command prints its stderr and exits with its status.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def run_once(command: list[str]) -> tuple[float, float]:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode("utf-8", "replace")[-4000:])
            sys.stderr.write(f"measure: {' '.join(command)} exited with {code}\n")
            sys.exit(code if code > 0 else 1)
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    results = [run_once(command) for _ in range(args.runs)]
    print(f"{min(w for w, _ in results):.3f} {max(p for _, p in results):.1f}")


if __name__ == "__main__":
    main()
