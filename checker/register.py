"""Load a complaints register (CSV, XLSX or JSON) once, map it onto the contract and validate it in bulk.

Validation is driven by checker/schemas/register.schema.json and runs column-wise over the whole
register, so a file with a thousand bad cells reports all of them in one run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from checker.dates import parse_column
from checker.errors import InputError, Problem, fail
from checker.mapping import Mapping
from checker.schemas import schema

ROW = "_row"
DATE_FORMAT_HINT = "use YYYY-MM-DD or DD/MM/YYYY"


def contract() -> dict[str, dict[str, Any]]:
    """Column name → its JSON Schema, from the register schema."""
    return schema("register")["properties"]


def required_columns() -> list[str]:
    return schema("register")["required"]


def date_columns() -> list[str]:
    return [name for name, spec in contract().items() if spec.get("format") == "date"]


NO_REGISTER = "(no register)"


@dataclass
class Register:
    """The validated register: one typed row per contact, `_row` holding its row number in the source file."""

    source: str
    frame: pl.DataFrame
    rows_read: int
    ignored_columns: list[str] = field(default_factory=list)


def load_register(path: Path, mapping: Mapping | None = None, sheet: str | None = None) -> Register:
    """Read, map and validate; raise InputError listing every problem found."""
    name = str(path)
    raw, first_row = _read(path, sheet)
    if mapping is not None:
        raw = mapping.apply(raw, name)
    if raw.height == 0:
        raise fail(name, None, None, "the register has a header but no rows" if raw.width else "the register is empty")
    columns = contract()
    missing = [c for c in required_columns() if c not in raw.columns]
    if missing:
        raise InputError([Problem(name, first_row - 1, c, "required column is missing") for c in missing])
    ignored = [c for c in raw.columns if c not in columns]
    text = raw.select(
        [pl.col(c).cast(pl.Utf8).str.strip_chars().replace("", None).alias(c) for c in raw.columns if c in columns]
    ).with_columns(pl.int_range(first_row, first_row + raw.height).alias(ROW))
    for absent in columns:
        if absent not in text.columns:
            text = text.with_columns(pl.lit(None, pl.Utf8).alias(absent))
    if mapping is not None:
        text = mapping.translate_values(text)
    typed, problems = _typed(text, columns, name)
    problems += _consistency(typed, name)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.field or "")))
    return Register(name, typed.select([ROW, *columns]), raw.height, ignored)


def empty_register() -> Register:
    """No cases, for judging a policy on its own (chc diff without --register): every case rule has no data."""
    columns = contract()
    text = pl.DataFrame({c: pl.Series(c, [], pl.Utf8) for c in columns}).with_columns(pl.Series(ROW, [], pl.Int64))
    typed, _ = _typed(text, columns, NO_REGISTER)
    return Register(NO_REGISTER, typed.select([ROW, *columns]), 0)


def _read(path: Path, sheet: str | None) -> tuple[pl.DataFrame, int]:
    """The file as text columns, and the source row number of its first data row."""
    name = str(path)
    if not path.is_file():
        raise fail(name, None, None, "no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            if path.stat().st_size == 0:
                raise fail(name, None, None, "the register is empty")
            return pl.read_csv(path, infer_schema=False, encoding="utf8"), 2
        if suffix in (".xlsx", ".xlsm"):
            frame = pl.read_excel(path, sheet_name=sheet, engine="calamine", infer_schema_length=0) if sheet else \
                pl.read_excel(path, sheet_id=1, engine="calamine", infer_schema_length=0)
            return frame, 2
        if suffix == ".json":
            return _read_json(path), 1
    except InputError:
        raise
    except Exception as err:  # polars and fastexcel raise many types for unreadable files
        raise fail(name, None, None, f"cannot read the file: {str(err).splitlines()[0]}") from None
    raise fail(name, None, None, f"unknown register format '{suffix}': use .csv, .xlsx or .json")


def _read_json(path: Path) -> pl.DataFrame:
    """A JSON register is an array of objects, or {"cases": [...]}; values are read as text like CSV cells."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        data = data["cases"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise fail(str(path), None, None, 'a JSON register is an array of objects, or {"cases": [...]}')
    names: list[str] = []
    for record in data:
        names.extend(k for k in record if k not in names)
    cells = {n: [None if r.get(n) is None else str(r[n]) for r in data] for n in names}
    return pl.DataFrame(cells, schema={n: pl.Utf8 for n in names})


def _typed(text: pl.DataFrame, columns: dict[str, dict[str, Any]], name: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Cast each column to its contract type; every cell that fails becomes a Problem."""
    casts = []
    for col, spec in columns.items():
        c = pl.col(col)
        if spec.get("format") == "date":
            casts.append(parse_column(c).alias(col))
        elif spec.get("type") == "integer":
            casts.append(c.cast(pl.Int64, strict=False).alias(col))
        elif spec.get("type") == "number":
            casts.append(c.str.replace_all(r"^£|,", "").cast(pl.Float64, strict=False).alias(col))
        elif "enum" in spec:
            casts.append(c.str.to_lowercase().alias(col))
        else:
            casts.append(c)
    typed = text.select(pl.col(ROW), *casts)
    problems: list[Problem] = []
    for col, spec in columns.items():
        raw, value = text[col], typed[col]
        checks: list[tuple[pl.Series, str]] = []
        if spec.get("format") == "date":
            checks.append((raw.is_not_null() & value.is_null(), f"is not a valid date ({DATE_FORMAT_HINT})"))
        elif spec.get("type") in ("integer", "number"):
            checks.append((raw.is_not_null() & value.is_null(), "is not a number"))
            if "minimum" in spec:
                checks.append((value < spec["minimum"], f"must be at least {spec['minimum']}"))
        if "enum" in spec:
            allowed = spec["enum"]
            checks.append((value.is_not_null() & ~value.is_in(allowed), f"must be one of {', '.join(map(str, allowed))}"))
        for bad, message in checks:
            for row, cell in zip(text[ROW].filter(bad.fill_null(False)), raw.filter(bad.fill_null(False))):
                problems.append(Problem(name, row, col, f"'{cell}' {message}"))
    for col in required_columns():
        for row in text[ROW].filter(text[col].is_null()):
            problems.append(Problem(name, row, col, "is required but blank"))
    return typed, problems


def _consistency(frame: pl.DataFrame, name: str) -> list[Problem]:
    """Checks across cells and rows: unique ids, stages, escalation links, dates in order."""
    complaint = pl.col("contact_type") == "complaint"
    stage_of = dict(zip(frame["case_id"], frame["stage"]))
    type_of = dict(zip(frame["case_id"], frame["contact_type"]))
    checks: list[tuple[pl.Expr, str, str]] = [
        (pl.col("case_id").is_duplicated() & pl.col("case_id").is_not_null(), "case_id", "duplicate case_id '{cell}'"),
        (complaint & pl.col("stage").is_null(), "stage", "a complaint needs its stage (1 or 2)"),
        (~complaint & pl.col("stage").is_not_null(), "stage", "only complaints have a stage"),
        ((pl.col("stage") == 2) & pl.col("escalated_from").is_null(), "escalated_from", "a stage 2 complaint must name the stage 1 case it escalates"),
        (pl.col("not_accepted_reason").is_not_null() & (pl.col("outcome") != "not_accepted").fill_null(True),
         "not_accepted_reason", "'{cell}' is given, but the outcome is not not_accepted"),
    ]
    for later in ("acknowledged_date", "response_date", "extended_due_date"):
        checks.append((pl.col(later) < pl.col("received_date"), later, "{cell} is before received_date"))
    checks.append((pl.col("remedy_completed_date") < pl.col("received_date"), "remedy_completed_date", "{cell} is before received_date"))
    problems = []
    for bad, col, message in checks:
        for row, cell in frame.filter(bad.fill_null(False)).select(ROW, col).iter_rows():
            problems.append(Problem(name, row, col, message.format(cell=cell)))
    linked = frame.filter(pl.col("escalated_from").is_not_null()).select(ROW, "case_id", "stage", "contact_type", "escalated_from")
    for row, case_id, stage, kind, parent in linked.iter_rows():
        if parent not in type_of:
            problems.append(Problem(name, row, "escalated_from", f"'{parent}' is not a case_id in the register"))
        elif parent == case_id:
            problems.append(Problem(name, row, "escalated_from", "a case cannot escalate from itself"))
        elif stage == 2 and not (type_of[parent] == "complaint" and stage_of[parent] == 1):
            problems.append(Problem(name, row, "escalated_from", f"'{parent}' is not a stage 1 complaint"))
        elif stage == 1 and type_of[parent] != "service_request":
            problems.append(Problem(name, row, "escalated_from", f"a stage 1 complaint can only arise from a service request; '{parent}' is a {type_of[parent]}"))
        elif kind != "complaint":
            problems.append(Problem(name, row, "escalated_from", "only complaints escalate from another case"))
    return problems
