"""UK dates: ISO (2024-05-07) or DD/MM/YYYY (07/05/2024); never M/D, never guessed."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

ISO = "%Y-%m-%d"
UK = "%d/%m/%Y"
_UK_SHAPE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_EXCEL_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$"


def parse_date(text: str) -> dt.date | None:
    """One date from ISO or DD/MM/YYYY text, or None when it is neither or impossible (31/02/2024)."""
    for fmt in (ISO, UK):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_series(text: pl.Series) -> pl.Series:
    """A date column from text cells holding ISO or DD/MM/YYYY; anything else becomes null (the loader reports it).

    An Excel date cell arrives as '2024-05-07 00:00:00' and is read as its date. The UK form is tried only
    when some cells are not ISO, so a register in one format is parsed in one pass.
    """
    cells = text.str.replace(_EXCEL_MIDNIGHT, "${1}") if (text.str.len_bytes() > 10).any() else text
    value = cells.str.to_date(ISO, strict=False)
    if (cells.is_not_null() & value.is_null()).any():
        uk = pl.select(pl.when(pl.lit(cells).str.contains(_UK_SHAPE.pattern)).then(pl.lit(cells).str.to_date(UK, strict=False))).to_series()
        value = value.fill_null(uk)
    return value.rename(text.name)


def uk_date(day: dt.date | str | None) -> str:
    """1 April 2024: how a council report writes a date (ISO text is accepted too)."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.day} {day:%B %Y}"
