"""chc's condition language: one YAML form, compiled to one polars expression for every scope (checker/rules/expressions.py).

A condition is `{all: [...]}`, `{any: [...]}`, `{not: ...}` or a leaf on one field:
`{field: F, eq|ne|lt|lte|gt|gte: V}`, `{field: F, in|not_in: [..]}`, `{field: F, present: true|false}`,
or on text: `{field: F, contains: PHRASE}`, `contains_all: [..]`, `contains_any: [..]` (case-insensitive, whole
words, any spacing), `matches: REGEX` (Rust regular-expression syntax, as polars reads it) and
`length: {gte: N}` (characters, with any one comparison).
A value V is a literal, `{field: G}`, `{param: NAME}` (a number the Code states, from code_requirements),
`{policy: NAME}` (a policy fact) or `{add: [V, V, ...]}`.

A leaf on a blank (missing) field is false, whatever its operator except `present: false`; `not` is plain
negation. Cases, the policy and the register's figures are all frames (the last two of one row), so one
compiler serves every rule and durable-rules sees only outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Condition = dict[str, Any]
COMPARE = ("eq", "ne", "lt", "lte", "gt", "gte")
TEXT = ("contains", "contains_all", "contains_any", "matches", "length")


def operator(leaf: Condition) -> str:
    return next(k for k in leaf if k != "field")


def fields(cond: Condition) -> set[str]:
    """Every field a condition reads, including `{field: ...}` values."""
    return {name for leaf in leaves(cond) for name in (leaf["field"], *_value_fields(leaf[operator(leaf)]))}


def leaves(cond: Condition) -> list[Condition]:
    """Every leaf of a condition, in order."""
    if "all" in cond or "any" in cond:
        return [leaf for c in cond["all" if "all" in cond else "any"] for leaf in leaves(c)]
    if "not" in cond:
        return leaves(cond["not"])
    return [cond]


def _value_fields(value: Any) -> set[str]:
    if isinstance(value, dict) and "field" in value:
        return {value["field"]}
    if isinstance(value, dict) and "add" in value:
        return set().union(*(_value_fields(v) for v in value["add"]))
    return set()


def references(cond: Condition, kind: str) -> set[str]:
    """The names a condition's values take from `kind` ("param" or "policy")."""
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if kind in node and len(node) == 1 and isinstance(node[kind], str):
                found.add(node[kind])
            for v in node.values():
                visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    visit(cond)
    return found


def substitute(cond: Condition, lookup: Callable[[str, str], Any]) -> Condition:
    """Replace `{param: ..}` and `{policy: ..}` values with literals from `lookup(kind, name)`; fold additions."""
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        return {key: [substitute(c, lookup) for c in cond[key]]}
    if "not" in cond:
        return {"not": substitute(cond["not"], lookup)}
    op = operator(cond)
    value = _resolve(cond[op], lookup)
    if op in ("in", "not_in") and isinstance(value, list) and not value:
        present = {"field": cond["field"], "present": True}
        return present if op == "not_in" else {"all": [present, {"field": cond["field"], "present": False}]}
    return {"field": cond["field"], op: value}


def _resolve(value: Any, lookup: Callable[[str, str], Any]) -> Any:
    if isinstance(value, dict):
        if "param" in value:
            return lookup("param", value["param"])
        if "policy" in value:
            return lookup("policy", value["policy"])
        if "add" in value:
            parts = [_resolve(v, lookup) for v in value["add"]]
            if any(p is None for p in parts):
                return None  # a sum with a blank term is blank, and a leaf on a blank never holds
            literal = sum(p for p in parts if isinstance(p, (int, float)))
            refs = [p for p in parts if isinstance(p, dict)]
            return literal if not refs else {"add": refs + ([literal] if literal else [])}
    return value
