"""Conditions (checker/rules/conditions.py) compiled to polars: one boolean expression per condition, never null,
evaluated column-wise over cases, the policy's facts and the register's figures alike. A module of its own so that
the rules can be loaded, listed and shown without polars."""

from __future__ import annotations

import re
from functools import reduce
from typing import Any

import polars as pl

from checker.rules.conditions import TEXT, Condition, operator


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
    """A regular expression finding `phrase` as whole words, whatever the case and the spacing between words.

    Beside a letter, digit or underscore the edge is `\\b`, which means the same as a non-word character or the
    text's end there and compiles in a tenth of the time (Unicode's \\W is large, and each pattern is compiled on
    every run); beside anything else, where `\\b` would mean the opposite, it is spelt out.
    """
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    before = r"\b" if ASCII_WORD.match(phrase.strip()[:1]) else r"(?:^|\W)"
    after = r"\b" if ASCII_WORD.match(phrase.strip()[-1:]) else r"(?:\W|$)"
    return rf"(?i){before}{words}{after}"


ASCII_WORD = re.compile("[A-Za-z0-9_]")  # a word character to Rust's regex as to Python's, whatever the Unicode tables


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
