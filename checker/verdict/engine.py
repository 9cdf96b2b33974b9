"""The verdict engine: durable-rules where it installs (Python 3.10-3.12), chc's built-in evaluator elsewhere.

Both take the same JSON rule definitions (durable-rules' own form, written by chc from data) and the same
facts, and answer with the same firings; tests/test_engines.py holds them identical. The checks here apply
to both, so that an input gives the same answer whichever engine runs: fact ids are checked for the 32-bit
FNV-1 collisions that durable-rules would otherwise use to drop a fact silently, and blank fields are
dropped (durable-rules counts a null as present, so `$ex`/`$nex` mean present/absent only without them).
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from checker.verdict import engine_builtin
from checker.verdict.engine_errors import EngineError, Fact, Firing

__all__ = ["BACKEND", "EngineError", "Fact", "Firing", "describe", "run"]


def _durable() -> ModuleType | None:
    """durable-rules' adapter, or None where durable-rules is not installed (Python 3.13+, or no C compiler)."""
    try:
        from checker.verdict import engine_durable
    except ImportError:
        return None
    return engine_durable


BACKEND: ModuleType = _durable() or engine_builtin  # tests swap it to prove both engines give the same assessment


def describe() -> str:
    """The engine in use, for `chc --version`."""
    return BACKEND.NAME


def run(rules: dict[str, dict[str, Any]], facts: list[Fact]) -> list[Firing]:
    """Every distinct firing of `rules` over `facts`, as (rule name, {alias: matched fact}), in the engine's order.

    durable-rules fires a pattern once for each branch of a `$or` that matches, so the same binding can come twice;
    only the first is kept, which is what the built-in evaluator gives.
    """
    _check_ids(facts)
    distinct: dict[tuple[str, str], Firing] = {}
    for name, bound in BACKEND.run(rules, [_clean(f) for f in facts]):
        distinct.setdefault((name, json.dumps(bound, sort_keys=True)), (name, bound))
    return list(distinct.values())


def fnv1_32(text: str) -> int:
    """durable-rules' fact-id hash (FNV-1, 32-bit)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= byte
    return h


def _clean(fact: Fact) -> Fact:
    """Drop blank fields at every depth: durable-rules counts a null as present."""
    return {k: _clean(v) if isinstance(v, dict) else v for k, v in fact.items() if v is not None}


def _check_ids(facts: list[Fact]) -> None:
    seen: dict[int, str] = {}
    for fact in facts:
        fid = str(fact["id"])
        h = fnv1_32(fid)
        if h in seen:
            kind = "duplicate" if seen[h] == fid else "colliding"
            raise EngineError(f"{kind} fact ids {seen[h]!r} and {fid!r}: durable-rules would drop one silently")
        seen[h] = fid
