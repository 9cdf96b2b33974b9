"""A thin, safe adapter over durable-rules, used only for inference over small fact sets.

It follows the mitigations of shared/reference/durable-rules.md: the C engine is driven directly
(no Host, so no background threads); facts are asserted, never posted, so every matching rule fires;
each run gets a uniquely named ruleset that is deleted with its state afterwards, so nothing leaks
between runs; fact ids are checked for 32-bit FNV-1 collisions, which durable-rules would otherwise
use to drop a fact silently; facts carry no blank fields, so `$ex`/`$nex` mean present/absent.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import durable_rules_engine as dre

Fact = dict[str, Any]
Firing = tuple[str, dict[str, Fact]]


class EngineError(RuntimeError):
    """durable-rules did something it must not: the run's results cannot be trusted."""


def fnv1_32(text: str) -> int:
    """durable-rules' fact-id hash (FNV-1, 32-bit)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= byte
    return h


def run(rules: dict[str, dict[str, Any]], facts: list[Fact]) -> list[Firing]:
    """Assert `facts` into a fresh ruleset built from `rules`; return every firing as (rule name, matched facts)."""
    _check_ids(facts)
    name = f"chc_{uuid.uuid4().hex}"
    handle = dre.create_ruleset(name, json.dumps(copy.deepcopy(rules)))
    try:
        if facts:
            dre.assert_facts(handle, json.dumps([_clean(f) for f in facts]))
        return _drain(handle)
    finally:
        dre.delete_state(handle, None)
        dre.delete_ruleset(handle)


def _drain(handle: int) -> list[Firing]:
    fired: list[Firing] = []
    started = dre.start_action(handle)
    while started:
        _state, message, action = started
        while message:
            for rule, matched in json.loads(message).items():
                fired.append((rule, matched))
            message = dre.complete_and_start_action(handle, action)
        started = dre.start_action(handle)
    state = json.loads(dre.get_state(handle, None))
    if "exception" in state:
        raise EngineError(f"durable-rules reported: {state['exception']}")
    return fired


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
