"""A progress bar on standard error for long runs, shown only to a person watching a terminal.

Silent when standard error is piped or redirected, under CI (the CI variable that GitHub, GitLab and most
CI services set), and for registers small enough to finish before a bar would be worth reading.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TextIO

import click

LONG_RUN_BYTES = 20 * 1024 * 1024  # about 150,000 rows of CSV: from here a run takes seconds


class Progress:
    def __init__(self, stages: int, register: Path | None, stream: TextIO | None = None) -> None:
        stream = stream or sys.stderr
        self._bar: Any = None
        if _wanted(register, stream):
            self._bar = click.progressbar(length=stages, file=stream, show_eta=False, show_percent=False,
                                          item_show_func=lambda label: label, label="chc")
            self._bar.__enter__()

    def step(self, label: str) -> None:
        """The stage about to start."""
        if self._bar is not None:
            self._bar.update(1, label)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _wanted(register: Path | None, stream: TextIO) -> bool:
    if os.environ.get("CI") or not stream.isatty() or register is None:
        return False
    try:
        return register.stat().st_size >= LONG_RUN_BYTES
    except OSError:
        return False
