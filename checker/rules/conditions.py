"""chc's condition language: one YAML form, compiled to one polars expression for every scope.

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

import re
from collections.abc import Callable
from functools import reduce
from typing import Any

import polars as pl

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


# --- polars -------------------------------------------------------------------------------------


def to_polars(cond: Condition) -> pl.Expr:
    """A boolean expression, never null, true where the condition holds."""
    if "not" in cond:
        return ~to_polars(cond["not"])
    if "all" in cond:
        return reduce(lambda a, b: a & b, (to_polars(c) for c in cond["all"]))
    if "any" in cond:
        return reduce(lambda a, b: a | b, (to_polars(c) for c in cond["any"]))
    col, op = pl.col(cond["field"]), operator(cond)
    value = cond[op]
    if op in TEXT:
        return _text(col, op, value).fill_null(False)
    if op == "present":
        return col.is_not_null() if value else col.is_null()
    if op in ("in", "not_in"):
        member = _is_in(col, value)
        return member.fill_null(False) if op == "in" else (col.is_not_null() & ~member).fill_null(False)
    return _COMPARISONS[op](col, _polars_value(value)).fill_null(False)


def _text(col: pl.Expr, op: str, value: Any) -> pl.Expr:
    col = col.cast(pl.Utf8)  # a coded column (pl.Categorical) is read as its text
    if op == "matches":
        return col.str.contains(value)
    if op == "length":
        compare, limit = next(iter(value.items()))
        return _COMPARISONS[compare](col.str.len_chars(), limit)
    phrases = [value] if op == "contains" else value
    found = [col.str.contains(phrase_pattern(p)) for p in phrases]
    return reduce((lambda a, b: a | b) if op == "contains_any" else (lambda a, b: a & b), found)


def phrase_pattern(phrase: str) -> str:
    """A regular expression finding `phrase` as whole words, whatever the case and the spacing between words."""
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    return rf"(?i)(?:^|\W){words}(?:\W|$)"


_COMPARISONS = {"eq": pl.Expr.eq, "ne": pl.Expr.ne, "lt": pl.Expr.lt, "lte": pl.Expr.le, "gt": pl.Expr.gt, "gte": pl.Expr.ge}


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
