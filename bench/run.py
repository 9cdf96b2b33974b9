#!/usr/bin/env python3
"""Benchmark chc as a user runs it, against floors measured in the same rounds, and check its performance targets.

Why: chc must answer at once on a landlord's few thousand rows and stay within reach of a bare read on the largest
registers (issues 5, 17 and 19). Timings on a shared machine swing by half from one minute to the next, so each
comparison is a group of commands run in rounds (A, B, C, A, B, C ...): a busy moment slows one round's commands
alike, and the ratio taken within each round (chc ÷ the bare read of that round) is steadier than any time alone.

For each command: the median wall time over the rounds with min and max, and the highest peak resident memory; for
each ratio, its value in every round and their median. Every target is printed PASS or FAIL; a target whose commands
could not be measured (a failure, a time limit, a missing data generator) fails. Whole processes are timed, start-up
included, with the `chc` and `python` found on PATH (an environment where chc and the bench extra are installed:
`pip install -c requirements.lock '.[bench]'`). The registers are generated into bench/data/ when missing.

Usage: bench/run [--quick] [--only GROUP,...] [--rounds N] [--timeout SECONDS]
  --quick    the start-up and 10k groups only
  --only     the groups named: startup, 10k, scale, shapes, bad-cells (default: all)
  --rounds   rounds per group, instead of each group's own (7 for startup, 9 for 10k, 5 for scale, 3 for the others)
  --timeout  a command still running after this many seconds is killed and fails its targets (default 600)
Exit status: 0 when every target passes, 1 when any fails, 2 when the benchmark cannot run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from measure import Run, run_once

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SHAPES = ROOT / "bench" / "make_shapes.py"  # issue 19's registers: 400 organisations, 50k themes
PERIOD = "2024-25"
GB = 1500  # MB: "within 1.5 GB"


@dataclass(frozen=True)
class Command:
    argv: list[str]
    base: str = ""  # the label of the command it is compared with, round by round ("" for none)
    status: int = 0  # the exit status it must give


@dataclass
class Group:
    """Commands measured in the same rounds, in the order given, each under a short label."""

    name: str
    title: str
    commands: dict[str, Command]
    rounds: int
    warm_up: bool  # one untimed round first: worth it where start-up (file cache, .pyc) is most of the time
    runs: dict[str, list[Run | None]] = field(default_factory=dict)  # per label, per round (None: not run)

    def ok(self, label: str) -> list[Run | None]:
        """Each round's run of `label`, None where it failed, timed out or was not run."""
        expected = self.commands[label].status
        return [r if r is not None and r.status == expected and not r.timed_out else None for r in self.runs.get(label, [])]


@dataclass(frozen=True)
class Target:
    group: str  # the group whose commands it reads
    description: str
    value: Callable[[], float | None]  # None: not measured
    limit: float
    unit: str


def python_read(path: Path) -> list[str]:
    """The floor no loader can beat: polars reading the same file as text, the way chc reads it."""
    if path.suffix == ".csv":
        code = f"import polars as pl; pl.read_csv({str(path)!r}, infer_schema=False)"
    else:
        code = f"import polars as pl; pl.read_excel({str(path)!r}, sheet_id=1, engine='calamine', infer_schema_length=0)"
    return ["python", "-c", code]


def chc(command: str, policy: Path, register: Path, output: Path, *extra: str) -> list[str]:
    return ["chc", command, "--policy", str(policy), "--register", str(register), "--period", PERIOD, *extra, "--output", str(output)]


def duckdb_reference(policy: Path, register: Path) -> list[str]:
    return ["python", str(ROOT / "bench" / "duckdb_report.py"), "--policy", str(policy), "--register", str(register), "--period", PERIOD]


def register(name: str) -> Path:
    return DATA / f"register-{name}.csv"


def groups(policy: Path, out: Path) -> list[Group]:
    """Every group of commands, with the rounds each gets by default."""

    def assess(name: str, *extra: str, base: str, suffix: str = "csv", status: int = 0) -> Command:
        return Command(chc("assess", policy, DATA / f"register-{name}.{suffix}", out / "assessment.json", "--format", "json", *extra), base, status)

    def report(name: str, *extra: str, base: str, fmt: str = "json") -> Command:
        return Command(chc("report", policy, register(name), out / f"report.{fmt}", "--format", fmt, *extra), base)

    def read(path: Path) -> Command:
        return Command(python_read(path))

    def duckdb(name: str) -> Command:
        return Command(duckdb_reference(policy, register(name)), f"read {name}")

    grouped = ("--by", "quarter", "--by", "organisation", "--compare", "previous-year")
    polars = "python -c 'import polars'"
    return [
        Group("startup", "Start-up: the CLI's own commands against importing polars", {
            polars: Command(["python", "-c", "import polars"]),
            "chc --help": Command(["chc", "--help"], polars),
            "chc rules list": Command(["chc", "rules", "list"], polars),
        }, rounds=7, warm_up=True),
        Group("10k", "10k rows, CSV and XLSX", {
            "read 10k": read(register("10k")),
            "assess 10k": assess("10k", base="read 10k"),
            "report 10k": report("10k", base="read 10k"),
            "duckdb 10k": duckdb("10k"),
            "read 10k xlsx": read(DATA / "register-10k.xlsx"),
            "assess 10k xlsx": assess("10k", base="read 10k xlsx", suffix="xlsx"),
        }, rounds=9, warm_up=True),  # a round takes seconds, and a ratio of two short runs swings by a third
        Group("scale", "100k, 1m and 5m rows", {
            **{f"read {size}": read(register(size)) for size in ("100k", "1m")},
            "assess 100k": assess("100k", base="read 100k"),
            "report 100k": report("100k", base="read 100k"),
            "assess 1m": assess("1m", base="read 1m"),
            "report 1m": report("1m", base="read 1m"),
            "duckdb 1m": duckdb("1m"),
            "read 5m": read(register("5m")),
            "assess 5m": assess("5m", base="read 5m"),
            "report 5m": report("5m", base="read 5m"),
        }, rounds=5, warm_up=False),  # the per-row quotient is a difference of differences: a slow round moves it most
        Group("shapes", "Issue 19's shapes: 400 organisations, 50k themes", {
            "report orgs-400": report("orgs-400", base=""),
            "report orgs-400 grouped": report("orgs-400", *grouped, base="report orgs-400"),
            "report themes-50k": report("themes-50k", base=""),
            "report themes-50k docx": report("themes-50k", base="report themes-50k", fmt="docx"),
        }, rounds=3, warm_up=False),
        Group("bad-cells", "1m rows with 5 invalid cells: refused, and left out with --skip-bad-rows", {
            "assess 1m": assess("1m", base=""),
            "assess 1m-bad5": assess("1m-bad5", base="assess 1m", status=2),
            "assess 1m-bad5 --skip-bad-rows": assess("1m-bad5", "--skip-bad-rows", base="assess 1m"),
        }, rounds=3, warm_up=False),
    ]


def targets(by_name: dict[str, Group]) -> list[Target]:
    """The targets of issues 17 and 19, as coded: each a value measured here against its limit (value ≤ limit)."""

    def median(group: str, label: str) -> Callable[[], float | None]:
        return lambda: _median([r.wall for r in by_name[group].ok(label) if r])

    def ratio(group: str, label: str, base: str) -> Callable[[], float | None]:
        return lambda: _median(ratios(by_name[group], label, base))

    def peak(group: str, label: str) -> Callable[[], float | None]:
        return lambda: _peak(by_name[group], label)

    def peak_ratio(group: str, label: str, base: str) -> Callable[[], float | None]:
        def value() -> float | None:
            mine, other = _peak(by_name[group], label), _peak(by_name[group], base)
            return mine / other if mine is not None and other else None
        return value

    def cost(command: str) -> Callable[[], float | None]:
        return lambda: _median(per_row(by_name["scale"], command))

    out = []
    for command in ("chc --help", "chc rules list"):
        out += [Target("startup", f"{command} ≤ 0.2 s (median)", median("startup", command), 0.2, "s"),
                Target("startup", f"{command} ≤ 1.0× python -c 'import polars' (median of per-round ratios)",
                       ratio("startup", command, "python -c 'import polars'"), 1.0, "×")]
    for command in ("assess", "report"):
        out += [Target("10k", f"10k: chc {command} ≤ 1.6× the bare read (median of per-round ratios)",
                       ratio("10k", f"{command} 10k", "read 10k"), 1.6, "×"),
                Target("10k", f"10k: chc {command} ≤ 0.5 s (median)", median("10k", f"{command} 10k"), 0.5, "s")]
    out.append(Target("10k", "10k: XLSX chc assess ≤ 2.0× the CSV chc assess (median of per-round ratios)",
                      ratio("10k", "assess 10k xlsx", "assess 10k"), 2.0, "×"))
    for command in ("assess", "report"):
        out.append(Target("scale", f"1m: chc {command} ≤ 2.0× the bare read (median of per-round ratios)",
                          ratio("scale", f"{command} 1m", "read 1m"), 2.0, "×"))
    out.append(Target("scale", "1m: chc report ≤ 1.0× DuckDB computing the same figures (median of per-round ratios)",
                      ratio("scale", "report 1m", "duckdb 1m"), 1.0, "×"))
    for command in ("assess", "report"):
        out.append(Target("scale", f"5m: chc {command} peak RSS ≤ {GB} MB (highest over the rounds)",
                          peak("scale", f"{command} 5m"), GB, "MB"))
        out.append(Target("scale", f"per-row cost of chc {command}: (t5m − t1m) / 4M ≤ 1.10 × (t1m − t100k) / 900k "
                          "(median over rounds of the per-round quotient)", cost(command), 1.10, "×"))
    out += [
        Target("shapes", "400 organisations: report --by quarter --by organisation --compare previous-year ≤ 5 s, issue 19's "
               "\"a few seconds\" (median)", median("shapes", "report orgs-400 grouped"), 5.0, "s"),
        Target("shapes", "50k themes: report --format docx ≤ 2.0× the JSON report of the same file (median of per-round ratios)",
               ratio("shapes", "report themes-50k docx", "report themes-50k"), 2.0, "×"),
        Target("bad-cells", "1m with 5 bad cells: refusal's peak RSS ≤ 1.10× the clean run's (highest over the rounds)",
               peak_ratio("bad-cells", "assess 1m-bad5", "assess 1m"), 1.10, "×"),
        Target("bad-cells", "1m with 5 bad cells: --skip-bad-rows ≤ 2.0× the clean run's time (median of per-round ratios)",
               ratio("bad-cells", "assess 1m-bad5 --skip-bad-rows", "assess 1m"), 2.0, "×"),
        Target("bad-cells", f"1m with 5 bad cells: --skip-bad-rows peak RSS ≤ {GB} MB (highest over the rounds)",
               peak("bad-cells", "assess 1m-bad5 --skip-bad-rows"), GB, "MB"),
    ]
    return out


def ratios(group: Group, label: str, base: str) -> list[float]:
    """label ÷ base in each round where both ran."""
    return [a.wall / b.wall for a, b in zip(group.ok(label), group.ok(base), strict=True) if a and b]


def per_row(group: Group, command: str) -> list[float]:
    """In each round: the cost per row from 1m to 5m, (t5m − t1m) / 4M, as a multiple of the cost per row from 100k
    to 1m, (t1m − t100k) / 900k. Above 1, each extra row costs more in the larger register."""
    out = []
    for small, middle, large in zip(*(group.ok(f"{command} {size}") for size in ("100k", "1m", "5m")), strict=True):
        if small and middle and large and middle.wall > small.wall:
            out.append(((large.wall - middle.wall) / 4_000_000) / ((middle.wall - small.wall) / 900_000))
    return out


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _peak(group: Group, label: str) -> float | None:
    peaks = [r.peak_mb for r in group.ok(label) if r]
    return max(peaks) if peaks else None


def measure(group: Group, rounds: int, timeout: float) -> None:
    """Run the group's commands in turn, round after round; a command that fails or times out is not run again."""
    print(f"measuring {group.name}: {rounds} rounds of {len(group.commands)} commands", file=sys.stderr, flush=True)
    failed: set[str] = set()
    group.runs = {label: [] for label in group.commands}
    for number in range(-1 if group.warm_up else 0, rounds):
        for label, command in group.commands.items():
            if label in failed:
                group.runs[label].append(None)
                continue
            run = run_once(command.argv, timeout)
            if run.status != command.status or run.timed_out:
                failed.add(label)
                why = f"killed after {timeout:.0f} s" if run.timed_out else f"exit status {run.status}, expected {command.status}"
                print(f"  {label}: {why}\n    {' '.join(command.argv)}\n    " + run.stderr_tail.strip().replace("\n", "\n    "), file=sys.stderr)
            if number >= 0:
                group.runs[label].append(run)


def table(group: Group) -> str:
    """The group's results as a Markdown table: each command's times and peak, and its ratio to its base per round."""
    lines = [f"{group.title}: {len(next(iter(group.runs.values()), []))} rounds", "",
             "| command | median s | min s | max s | peak MB | ratio to | in each round | median ratio |",
             "|---|---:|---:|---:|---:|---|---|---:|"]
    for label, command in group.commands.items():
        ok = [r for r in group.ok(label) if r]
        if not ok:
            lines.append(f"| {label} | failed | | | | | | |")
            continue
        walls = [r.wall for r in ok]
        each = ratios(group, label, command.base) if command.base else []
        lines.append(f"| {label} | {statistics.median(walls):.3f} | {min(walls):.3f} | {max(walls):.3f} | {max(r.peak_mb for r in ok):.0f} | "
                     f"{command.base} | {' '.join(f'{x:.2f}' for x in each)} | {f'{statistics.median(each):.2f}' if each else ''} |")
    return "\n".join(lines)


def costs(group: Group) -> str:
    """The per-row costs behind the per-row target, in microseconds per row, round by round."""
    lines = []
    for command in ("assess", "report"):
        walls = [group.ok(f"{command} {size}") for size in ("100k", "1m", "5m")]
        rounds = [(f"{(m.wall - s.wall) / 0.9:.2f}", f"{(b.wall - m.wall) / 4:.2f}") for s, m, b in zip(*walls, strict=True) if s and m and b]
        lines.append(f"per-row cost of chc {command}, µs per row, 100k→1m / 1m→5m in each round: " + ", ".join(" / ".join(r) for r in rounds))
    return "\n".join(lines)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} CPUs, {model}, {kb / 1048576:.1f} GB memory"


def load() -> str:
    """The load averages over 1, 5 and 15 minutes (runnable processes; on 2 CPUs, above 2 means commands waited)."""
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "unknown"


def software() -> str:
    version = subprocess.run(["chc", "--version"], capture_output=True, text=True).stdout.strip()
    polars = subprocess.run(["python", "-c", "import polars, duckdb; print(polars.__version__, duckdb.__version__)"],
                            capture_output=True, text=True).stdout.split()
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return f"{version}; polars {polars[0]}, duckdb {polars[1]}; commit {commit or 'unknown'}"


def generate(chosen: set[str]) -> None:
    """The registers the chosen groups read: bench/make_registers.py, and bench/make_shapes.py for the shapes."""
    make = ["python", str(ROOT / "bench" / "make_registers.py"), "--sizes"]
    steps = [make + ["10k,100k,1m,5m" if "scale" in chosen else "10k"]]
    if "bad-cells" in chosen:
        steps.append(make + ["1m", "--bad-cells", "5"])
    if "shapes" in chosen:
        steps.append(["python", str(SHAPES), "--shapes", "orgs-400,themes-50k"])
    for step in steps:
        if subprocess.run(step).returncode != 0:
            cannot_run(f"generating the registers failed: {' '.join(step)}")


def reference_check(policy: Path, out: Path) -> tuple[bool, str]:
    """Whether the DuckDB reference gives every figure of chc's report on the 10k register alike (else it is no
    reference), with what it printed. Run in a child process, like everything measured (see bench/measure.py)."""
    path = out / "reference-10k.json"
    made = subprocess.run(chc("report", policy, register("10k"), path, "--format", "json"), capture_output=True, text=True)
    if made.returncode != 0:
        return False, f"chc report failed on the 10k register: {made.stderr.strip()}"
    compared = subprocess.run(duckdb_reference(policy, register("10k")) + ["--compare", str(path)], capture_output=True, text=True)
    return compared.returncode == 0, (compared.stdout + compared.stderr).strip()


def cannot_run(why: str) -> NoReturn:
    print(f"bench/run: {why}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the start-up and 10k groups only")
    parser.add_argument("--only", help="comma-separated group names")
    parser.add_argument("--rounds", type=int, help="rounds per group (default: each group's own)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a command is killed")
    args = parser.parse_args()
    if not shutil.which("chc"):
        cannot_run("no chc on PATH: pip install -c requirements.lock '.[bench]' in this environment first")
    if not importlib.util.find_spec("duckdb"):
        cannot_run("DuckDB, the report's reference, is not installed: pip install -c requirements.lock '.[bench]'")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        policy = out / "policy.yaml"  # the example policy alone: no activity files beside it
        shutil.copy(ROOT / "fixtures" / "example" / "policy.yaml", policy)
        every = {group.name: group for group in groups(policy, out)}
        chosen = set(args.only.split(",")) if args.only else {"startup", "10k"} if args.quick else set(every)
        if chosen - set(every):
            cannot_run(f"unknown group {', '.join(sorted(chosen - set(every)))}: use {', '.join(every)}")

        print(f"# chc benchmark, {dt.datetime.now().isoformat(timespec='minutes')}\n")
        print(f"machine: {machine()}; python {platform.python_version()}")
        print(f"software: {software()}")
        print(f"load average (1, 5, 15 min) before: {load()}")
        generate(chosen)
        same, compared = reference_check(policy, out)
        print(f"DuckDB reference against chc report on the 10k register: {compared}")
        for group in every.values():
            if group.name not in chosen:
                continue
            measure(group, args.rounds or group.rounds, args.timeout)
            print("\n" + table(group))
            if group.name == "scale":
                print("\n" + costs(group))
        print(f"\nload average (1, 5, 15 min) after: {load()}")

    print("\ntargets (each a value against its limit: PASS when value ≤ limit)")
    print(f"{'PASS' if same else 'FAIL'}  the DuckDB reference gives chc's figures on the 10k register: {compared.splitlines()[0]}")
    failed = not same
    for target in targets(every):
        if target.group not in chosen:
            print(f"SKIP  {target.description}: group {target.group} not run")
            continue
        value = target.value()
        passed = value is not None and value <= target.limit
        failed |= not passed
        shown = "not measured" if value is None else f"{value:.0f} {target.unit}" if value >= 100 else f"{value:.3g} {target.unit}"
        print(f"{'PASS' if passed else 'FAIL'}  {target.description}: {shown} (limit {target.limit:g} {target.unit})")
    print("some targets FAILED" if failed else "all targets passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
