"""chc's condition language: one YAML form, compiled to polars (cases, in bulk) and to durable-rules (facts).

A condition is `{all: [...]}`, `{any: [...]}`, `{not: ...}` or a leaf on one field:
`{field: F, eq|ne|lt|lte|gt|gte: V}`, `{field: F, in|not_in: [..]}`, `{field: F, present: true|false}`,
A value V is a literal, `{field: G}`, `{param: NAME}` (a number the
Code states, from code_requirements), `{policy: NAME}` (a policy fact) or `{add: [V, V, ...]}`.

Semantics, the same in both compilers: a leaf on a blank (missing) field is false, whatever its operator
except `present: false`; `not` is plain negation. Before compiling, `not` is pushed down to the leaves
(De Morgan), so neither engine needs a general negation: durable-rules has none. There is no text
matching: durable-rules' regular expressions matched every string when measured here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import polars as pl

Condition = dict[str, Any]
COMPARE = ("eq", "ne", "lt", "lte", "gt", "gte")
OPPOSITE = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "gt": "lte", "lte": "gt"}
DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


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
            literal = sum(p for p in parts if isinstance(p, (int, float)))
            refs = [p for p in parts if isinstance(p, dict)]
            return literal if not refs else {"add": refs + ([literal] if literal else [])}
    return value


def push_not(cond: Condition, negate: bool = False) -> Condition:
    """An equivalent condition with no `not`: negations pushed to the leaves."""
    if "not" in cond:
        return push_not(cond["not"], not negate)
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if negate:
            key = "any" if key == "all" else "all"
        return {key: [push_not(c, negate) for c in cond["all" if "all" in cond else "any"]]}
    if not negate:
        return cond
    field, op = cond["field"], operator(cond)
    if op == "present":
        return {"field": field, "present": not cond["present"]}
    blanks = [{"field": f, "present": False} for f in sorted({field, *_value_fields(cond[op])})]
    flipped = {"field": field, {"in": "not_in", "not_in": "in"}.get(op) or OPPOSITE[op]: cond[op]}
    return {"any": [*blanks, flipped]}


# --- polars -------------------------------------------------------------------------------------


def to_polars(cond: Condition) -> pl.Expr:
    """A boolean expression, never null, true where the condition holds."""
    cond = push_not(cond)
    if "all" in cond:
        return reduce(lambda a, b: a & b, (to_polars(c) for c in cond["all"]))
    if "any" in cond:
        return reduce(lambda a, b: a | b, (to_polars(c) for c in cond["any"]))
    col, op = pl.col(cond["field"]), operator(cond)
    value = cond[op]
    if op == "present":
        return col.is_not_null() if value else col.is_null()
    if op in ("in", "not_in"):
        member = _is_in(col, value)
        return member.fill_null(False) if op == "in" else (col.is_not_null() & ~member).fill_null(False)
    rhs = _polars_value(value)
    compare = {"eq": col.eq, "ne": col.ne, "lt": col.lt, "lte": col.le, "gt": col.gt, "gte": col.ge}[op]
    return compare(rhs).fill_null(False)


def _is_in(col: pl.Expr, values: list[Any]) -> pl.Expr:
    """Membership, comparing numbers as numbers: a list may mix 1 and 1.5, and a whole-number column be asked for 0.0."""
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return col.cast(pl.Float64).is_in(pl.Series(values, dtype=pl.Float64).implode())
    return col.is_in(values)


def _polars_value(value: Any) -> pl.Expr:
    if isinstance(value, dict) and "field" in value:
        return pl.col(value["field"])
    if isinstance(value, dict) and "add" in value:
        return reduce(lambda a, b: a + b, (_polars_value(v) for v in value["add"]))
    return pl.lit(value)


# --- durable-rules ------------------------------------------------------------------------------


def to_durable(cond: Condition) -> dict[str, Any]:
    """A durable-rules expression over one fact; facts must omit blank fields, so `$ex` means present."""
    cond = push_not(cond)
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        parts = [to_durable(c) for c in cond[key]]
        return parts[0] if len(parts) == 1 else {"$and" if key == "all" else "$or": parts}
    field, op = cond["field"], operator(cond)
    value = cond[op]
    if op == "present":
        return {"$ex" if value else "$nex": {field: 1}}
    if op == "in":
        return _either([{field: v} for v in value])
    if op == "not_in":
        return {"$and": [{"$ex": {field: 1}}, *({"$neq": {field: v}} for v in value)]}
    guards = [{"$ex": {f: 1}} for f in sorted({field, *_value_fields(value)})]
    rhs = _durable_value(value)
    test = {field: rhs} if op == "eq" else {DURABLE_OP[op]: {field: rhs}}
    return {"$and": [*guards, test]}


def _either(options: list[dict[str, Any]]) -> dict[str, Any]:
    return options[0] if len(options) == 1 else {"$or": options}


def _durable_value(value: Any) -> Any:
    if isinstance(value, dict) and "field" in value:
        return {"$m": value["field"]}
    if isinstance(value, dict) and "add" in value:
        return reduce(lambda a, b: {"$add": {"$l": a, "$r": b}}, (_durable_value(v) for v in value["add"]))
    return value
