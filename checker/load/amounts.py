"""Amounts of money as a register writes them, in one grammar (the README's register section), anything else refused.

An amount is whole pounds, with or without a comma between each group of three digits, then optionally a point and
one or two digits of pence, optionally after a pound sign: 1000, 1000.50, 1,000, 1,000.00, £1,000, £1,000.00. A
comma anywhere else (1,0,0, 10,00) or a point with three digits after it (1.000, a thousand in much of Europe) is
not an amount. A minus sign in front is read, for the register's checks to refuse as below zero.
"""

from __future__ import annotations

import polars as pl

GRAMMAR = r"^-?£?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$"
WRITE_AMOUNT = ("write an amount such as 150, 1250.50, 1,250.50 or £1,250.50 (a comma only between groups of three "
                "digits, at most two digits of pence)")


def amount(text: pl.Expr) -> pl.Expr:
    """Pounds as a Float64, or null where the trimmed text is not an amount."""
    return pl.when(text.str.contains(GRAMMAR)).then(text.str.replace_all("[£,]", "").cast(pl.Float64, strict=False))
