"""UK dates: ISO (2024-05-07) or DD/MM/YYYY (07/05/2024); never M/D, never guessed."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

ISO = "%Y-%m-%d"
UK = "%d/%m/%Y"
_UK_SHAPE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_date(text: str) -> dt.date | None:
    """One date from ISO or DD/MM/YYYY text, or None when it is neither or impossible (31/02/2024)."""
    for fmt in (ISO, UK):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_column(text: pl.Expr) -> pl.Expr:
    """A date column from text cells holding ISO or DD/MM/YYYY; anything else becomes null (the loader reports it)."""
    iso = text.str.to_date(ISO, strict=False)
    uk = pl.when(text.str.contains(_UK_SHAPE.pattern)).then(text.str.to_date(UK, strict=False))
    return pl.coalesce(iso, uk)


def uk_date(day: dt.date | str | None) -> str:
    """1 April 2024: how a council report writes a date (ISO text is accepted too)."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.day} {day:%B %Y}"
