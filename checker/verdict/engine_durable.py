"""A thin, safe adapter over durable-rules, used only for inference over small fact sets.

It follows the mitigations of shared/reference/durable-rules.md: the C engine is driven directly
(no Host, so no background threads); facts are asserted, never posted, so every matching rule fires;
each run gets a uniquely named ruleset that is deleted with its state afterwards, so nothing leaks
between runs. Importing this module fails where durable-rules is not installed (checker/verdict/engine.py
then uses the built-in evaluator).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import durable_rules_engine as dre

from checker.verdict.engine_errors import EngineError, Fact, Firing


def __getattr__(attr: str) -> str:
    """NAME ("durable-rules 2.0.28"), read from the installed distribution only when `chc --version` asks for it:
    importlib.metadata costs every run 2-3 ms otherwise."""
    if attr == "NAME":
        from importlib.metadata import version

        return f"durable-rules {version('durable-rules')}"
    raise AttributeError(attr)


def run(rules: dict[str, dict[str, Any]], facts: list[Fact]) -> list[Firing]:
    """Assert `facts` into a fresh ruleset built from `rules`; return every firing as (rule name, matched facts)."""
    name = f"chc_{uuid.uuid4().hex}"
    handle = dre.create_ruleset(name, json.dumps(rules))
    try:
        if facts:
            dre.assert_facts(handle, json.dumps(facts))
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
