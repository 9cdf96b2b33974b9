"""chc answers at once: what a command does not need is never loaded, and the process spends nothing on its exit."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _python(script: str) -> str:
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_listing_and_showing_rules_and_help_load_none_of_the_pipeline():
    """`chc rules list`, `rules show` and `--help` answer at once: polars, numpy, jsonschema and holidays stay unloaded."""
    heavy = ("polars", "numpy", "jsonschema", "holidays")
    for args in (["--help"], ["rules", "list"], ["rules", "show", "6.4"], ["rules", "show", "CHC-1.2-DEFINITION"]):
        script = (f"import sys; from cli import main\ntry: main({args!r})\nexcept SystemExit as end: assert not end.code, end.code\n"
                  f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
        assert _python(script).splitlines()[-1] == "[]", args


def test_the_chc_command_runs_without_the_cycle_collector_and_leaves_it_nothing_at_exit():
    """setup.cfg's `chc` is cli.run: main with the collector off, and every object frozen when the process ends."""
    script = ("import atexit, gc, sys; from cli import run\nsys.argv = ['chc', '--version']\ntry: run()\nexcept SystemExit as end: code = end.code\n"
              "atexit._run_exitfuncs(); print(code, gc.isenabled(), gc.get_freeze_count() > 10000)")
    assert "console_scripts =\n    chc = cli:run" in (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert _python(script).splitlines()[-1] == "0 False True"

