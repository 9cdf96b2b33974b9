"""What both verdict engines share: the shape of facts and firings, and the error that voids a run."""

from __future__ import annotations

from typing import Any

Fact = dict[str, Any]
Firing = tuple[str, dict[str, Fact]]


class EngineError(RuntimeError):
    """The engine did something it must not: the run's results cannot be trusted."""
