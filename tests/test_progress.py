"""The progress bar shows for a person at a terminal on a long run, and never in CI or when piped."""

from __future__ import annotations

import io

import pytest

from checker import progress
from conftest import EXAMPLE


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    screen = Terminal()
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "LONG_RUN_BYTES", 1000)  # the example register counts as long here
    return screen


def run(stages: list[str], stream: io.StringIO) -> None:
    bar = progress.Progress(len(stages), EXAMPLE / "register.csv", stream)
    for stage in stages:
        bar.step(stage)
    bar.close()


def test_a_long_run_at_a_terminal_shows_each_stage(terminal):
    run(["reading register.csv", "assessing"], terminal)
    assert "reading register.csv" in terminal.getvalue() and "assessing" in terminal.getvalue()


def test_silent_in_ci(terminal, monkeypatch):
    monkeypatch.setenv("CI", "true")
    run(["assessing"], terminal)
    assert terminal.getvalue() == ""


def test_silent_for_a_short_run(terminal, monkeypatch):
    monkeypatch.setattr(progress, "LONG_RUN_BYTES", 10**9)
    run(["assessing"], terminal)
    assert terminal.getvalue() == ""


def test_silent_when_piped(monkeypatch):
    piped = io.StringIO()
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "LONG_RUN_BYTES", 1000)
    run(["assessing"], piped)
    assert piped.getvalue() == ""
