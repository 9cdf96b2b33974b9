"""UK dates: ISO (2024-05-07) or DD/MM/YYYY (07/05/2024); never M/D, never guessed."""

from __future__ import annotations

import calendar
import datetime as dt
import re

import polars as pl

ISO = "%Y-%m-%d"
UK = "%d/%m/%Y"
# ASCII digits only, and the whole text: strptime and polars each accept more ('+2024-05-07', ' 7/5/2024',
# full-width digits, year 0000), and the register and the command line must read a date the same way.
ISO_SHAPE = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
UK_SHAPE = "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"
_YEAR_ONE = (dt.date.min - dt.date(1970, 1, 1)).days
_EXCEL_DATETIME = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?$"


def parse_date(text: str) -> dt.date | None:
    """One date from ISO or DD/MM/YYYY text, or None when it is neither or impossible (31/02/2024)."""
    for shape, fmt in ((ISO_SHAPE, ISO), (UK_SHAPE, UK)):
        if re.fullmatch(shape, text):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                return None
    return None


def parse_series(text: pl.Series) -> pl.Series:
    """A date column from text cells holding ISO or DD/MM/YYYY; anything else becomes null (the loader reports it).

    An Excel date cell arrives as '2024-05-07 00:00:00' (a date-time cell with its time of day) and is read as
    its date. A column of ISO dates alone, the usual export, is read in one polars query; the Excel form and the UK
    one are looked for only when some cell is not ISO.
    """
    cells = pl.lit(text)
    iso = _parsed(cells, ISO_SHAPE, ISO)
    value, rest = pl.select(iso.alias("value"), (cells.is_not_null() & iso.is_null()).any().alias("rest"))
    if rest.any():  # (a column of no cells has no row to hold the answer)
        cells = cells.str.replace(_EXCEL_DATETIME, "${1}")
        value = pl.select(pl.coalesce(_parsed(cells, ISO_SHAPE, ISO), _parsed(cells, UK_SHAPE, UK))).to_series()
    days = value.to_physical()  # days since 1970-01-01; year 0000 parses in polars but is no date (Python cannot hold it)
    earliest = days.min()
    if isinstance(earliest, int) and earliest < _YEAR_ONE:
        value = value.set(days < _YEAR_ONE, None)
    return value.rename(text.name)


def _parsed(cells: pl.Expr, shape: str, fmt: str) -> pl.Expr:
    """The cells of exactly this shape read as dates; every other cell null."""
    return pl.when(cells.str.contains(f"^{shape}$")).then(cells.str.to_date(fmt, strict=False))


def uk_date(day: dt.date | str | None) -> str:
    """1 April 2024: how a council report writes a date (ISO text is accepted too)."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.day} {day:%B %Y}"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, or that month's last day where there is none (29 February 2024, 12 months
    before: 28 February 2023), as English law counts months."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
