#!/usr/bin/env python3
"""Run a command as a whole process and take its wall time (s) and peak resident memory (MB).

Why: bench/run needs the wall time and peak memory of chc with interpreter start-up included, on machines without
/usr/bin/time. os.wait4 gives the child's own rusage (ru_maxrss is in KB on Linux); a timer kills a command that
runs past its time limit, so that one pathological case cannot stall the whole benchmark.

Keep the calling process small: on Linux a child's ru_maxrss starts from its parent's peak at the fork (exec keeps
the old memory's high-water mark), so a caller that has imported polars or DuckDB makes every child look as big.

Usage: python bench/measure.py [--runs N] -- COMMAND [ARG...]
Prints each run, then the median wall time with min and max, and the highest peak over the runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, start-up included
    peak_mb: float  # the child's peak resident set size
    status: int  # exit status; negative: killed by that signal
    timed_out: bool = False
    stderr_tail: str = ""  # the end of what it wrote to stderr, kept when it failed


def run_once(command: list[str], timeout: float | None = None) -> Run:
    """Run `command` once with stdout discarded; kill it after `timeout` seconds."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            child.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    return Run(wall, usage.ru_maxrss / 1024, code, killed.is_set(), tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    runs = []
    for _ in range(args.runs):
        run = run_once(command)
        print(f"{run.wall:.3f} s, {run.peak_mb:.0f} MB, exit status {run.status}")
        if run.status != 0:
            sys.stderr.write(run.stderr_tail)
        runs.append(run)
    walls = [r.wall for r in runs]
    print(f"median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}), "
          f"peak {max(r.peak_mb for r in runs):.0f} MB over {len(runs)} runs")


if __name__ == "__main__":
    main()
