"""Load a complaints register (CSV, XLSX or JSON) once, map it onto the contract and validate it in bulk.

Validation is driven by checker/load/schemas/register.schema.json and runs column-wise over the whole
register, so a file with a thousand bad cells reports all of them in one run.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from checker.derive.dates import UK_SHAPE, parse_series
from checker.errors import Breach, Found, InputError, Problem, fail
from checker.load import csvfile, encoding, headers
from checker.load.amounts import WRITE_AMOUNT, amount
from checker.load.mapping import STAGE2, Mapping
from checker.load.readfile import check_zip, regular_file
from checker.load.schemas import contract, required_columns
from checker.load.yamlfile import CONTROL

ROW = "_row"
# personal data that no published column may hold, matched after NFKC (a full-width ＠ or ０７７ reads as @ and 077):
# e-mail addresses, with or without a dot; telephone numbers, UK (07700 900123, (020) 7946 0958, 020.7946.0958,
# +44 (0)20 7946 0958) and international (+1 415 555 2671)
_EMAIL = (r"[\w.+\-]+@[\w\-]+", "an e-mail address")
_PHONE = (r"(?:^|[^\w+])(?:\+\d{1,3}[\s.\-]*(?:\(0\)[\s.\-]*)?\d|\(?0[1-9])(?:[\s.\-()]*\d){8,10}(?:$|[^\w])", "a telephone number")
_SUSPECT = f"[^\\x00-\\x7f]|{_EMAIL[0]}|{_PHONE[0]}"  # text either pattern could match (text not ASCII is folded by NFKC first)
PUBLISHED = ("case_id", "escalated_from", "organisation", "service_area", "themes", "handler", "remedy")
# categories a report shows value by value: a column whose values are nearly all used once is free text
CATEGORIES = ("organisation", "service_area", "themes")
FREE_TEXT_MIN, FREE_TEXT_SHARE = 20, 0.9


Check = tuple[pl.Expr, str, str | None]  # the cells in breach, what is wrong with them, what to do about it


NO_REGISTER = "(no register)"


@dataclass
class Register:
    """The validated register: one typed row per contact, `_row` holding its row number in the source file."""

    source: str
    frame: pl.DataFrame
    rows_read: int
    ignored_columns: list[str] = field(default_factory=list)
    skipped: list[Found] = field(default_factory=list)  # as found (in_order() puts them in row order)
    warnings: list[Problem] = field(default_factory=list)  # read, but told on standard error (control characters)
    absent_columns: frozenset[str] = frozenset()  # contract columns the file lacks: rules requiring them are not assessed
    rows_ignored: int = 0  # rows whose contact type the mapping sends to `ignore` (compliments, comments): read, left out
    stage2_from_rows: int = 0  # stage 2 contacts taken from a wide export's stage 2 columns (rows hold both stages)
    unread_at_stage2: frozenset[str] = frozenset()  # columns a wide export has for stage 1 only: unknown at stage 2
    absent_at_stage1: frozenset[str] = frozenset()  # escalated_from in a wide export without it: known only for stage 2s, by their row
    rows_after_as_of: int = 0  # rows received after the as-of date: read, outside the assessment (checker/derive/cases.py received_by)
    shares_ids: bool | None = None  # whether a case_id is used twice (None: not yet known), so that derive() need not ask again

    @cached_property
    def skipped_rows(self) -> list[tuple[int, list[str]]]:
        """Each skipped row with its reasons, as safe to publish: field and reason (no message repeats a cell it refused).
        Rows with the same reasons share one list (read only): a million skipped rows hold a few lists, not a million."""
        if not self.skipped:
            return []
        from checker.load.row_sets import skipped_rows

        return skipped_rows(self.skipped)

    @property
    def file_name(self) -> str:
        """The register as published: its file name, never the path (which can hold a user's name)."""
        return Path(self.source).name if self.source != NO_REGISTER else self.source

    @property
    def rows_assessed(self) -> int:
        """Source rows assessed: rows_read = rows_assessed + skipped + ignored + after the as-of date (a wide row is one
        row, two contacts)."""
        return self.rows_read - len(self.skipped_rows) - self.rows_ignored - self.rows_after_as_of

    def counts(self) -> dict[str, int]:
        """The register's accounting as the JSON outputs carry it: rows_read = rows_assessed + rows_skipped + rows_ignored
        + rows_after_as_of."""
        return {"rows_read": self.rows_read, "rows_assessed": self.rows_assessed, "rows_skipped": len(self.skipped_rows),
                "rows_ignored": self.rows_ignored, "rows_after_as_of": self.rows_after_as_of, "stage2_contacts_from_rows": self.stage2_from_rows,
                "contacts_assessed": self.frame.height}

    def accounting(self) -> str:
        return accounting(self.counts())


def accounting(counts: dict[str, int]) -> str:
    """"420 rows read, 407 assessed, 3 skipped as invalid, 10 left out as mapped to ignore": the numbers add up."""
    stage2 = counts["stage2_contacts_from_rows"]
    return (f"{counts['rows_read']} row{'s' * (counts['rows_read'] != 1)} read, {counts['rows_assessed']} assessed"
            + (f", {counts['rows_skipped']} skipped as invalid" if counts["rows_skipped"] else "")
            + (f", {counts['rows_ignored']} left out as their contact type is mapped to ignore" if counts["rows_ignored"] else "")
            + (f", {counts['rows_after_as_of']} received after the as-of date" if counts["rows_after_as_of"] else "")
            + (f"; {stage2} stage 2 complaint{'s' if stage2 != 1 else ''} taken from their rows' stage 2 columns, "
               f"{counts['contacts_assessed']} contacts in all" if stage2 else ""))


def load_register(path: Path, mapping: Mapping | None = None, sheet: str | None = None, skip_bad_rows: bool = False,
                  header_row: int | None = None, encoding: str | None = None) -> Register:
    """Read, map and validate; raise InputError listing every problem found.

    With skip_bad_rows, rows with problems are left out and kept, with their reasons, in Register.skipped;
    problems with the file itself (unreadable, a required column missing) still stop the run. The headings are
    found below any title rows (checker/load/headers.py), or on row `header_row`. A CSV row of the wrong shape is
    a bad row like any other, skipped or refused.
    """
    name = str(path)
    raw, first_row, bad_rows, notes = read_raw(path, sheet, headers.expected(mapping), header_row, encoding,
                                               _reference_headings(mapping))
    above = notes + (headers.rows_above(name, first_row - 1) if header_row is None else [])
    if mapping is not None:
        raw = mapping.apply(raw, name)
    if raw.height == 0:
        raise fail(name, None, None, "the register has a header but no rows" if raw.width else "the register is empty")
    stage2 = [c[len(STAGE2):] for c in raw.columns if c.startswith(STAGE2)]
    wide_complaints = _complaints_log(raw, stage2, name)
    if wide_complaints is not None:
        raw, above = raw.with_columns(pl.lit("complaint").alias("contact_type")), [*above, wide_complaints]
    columns = dict(contract())
    missing = [c for c in required_columns() if c not in raw.columns]
    if missing:
        raise InputError([Problem(name, first_row - 1, c, "required column is missing") for c in missing])
    ignored = [c for c in raw.columns if c not in columns and not c.startswith(STAGE2)]
    rows_read = raw.height + len(bad_rows)
    columns |= {f"{STAGE2}{c}": columns[c] for c in stage2}
    read = [raw.get_column(c) for c in raw.columns if c in columns]
    del raw  # from here each column is its distinct texts and a code a row
    cells = cells_of(read)
    del read
    absent_columns = frozenset(c for c in contract() if c not in cells)
    for absent in (c for c in columns if c in absent_columns):
        cells[absent] = Cells.blank(rows_read - len(bad_rows))
    if mapping is not None:
        translated = mapping.translate_values({c: cells[c].texts.alias(c) for c in cells})
        cells = {c: replace(cells[c], texts=translated[c]) for c in cells}
    rows_ignored = _ignored(cells["contact_type"])
    rows = pl.int_range(first_row, first_row + rows_read, dtype=pl.Int64, eager=True).alias(ROW)
    if bad_rows:  # not in the frame: its rows are numbered around them
        rows = rows.filter(~rows.is_in([p.row for p in bad_rows]))
    if rows_ignored is not None:
        rows, cells = rows.filter(~rows_ignored), {c: s.filter(~rows_ignored) for c, s in cells.items()}
    warnings = _control_characters(cells, rows, name)
    free_text = [Problem(name, None, col, "the column's values are nearly all different, each used once: it looks like free text "
                         f"(names or notes?), which chc would publish; map a column of categories to {col}, or none")
                 for col in CATEGORIES if _free_text(cells[col])]
    if free_text:
        raise InputError(free_text)
    typed, problems = _typed(cells, rows, columns, name)
    problems = [*bad_rows, *problems]
    del cells
    unread_at_stage2: frozenset[str] = frozenset()
    absent_at_stage1: frozenset[str] = frozenset()
    if stage2:
        typed, stray = _expand_stage2(typed, stage2, "stage" in absent_columns, name)
        problems += stray
        unread_at_stage2 = frozenset(STAGE_COLUMNS) - set(stage2) - absent_columns
        absent_columns -= {"stage"}  # every row is a complaint's stage 1, its stage 2 columns the stage 2
        absent_at_stage1 = absent_columns & {"escalated_from"}
        absent_columns -= absent_at_stage1
    shares_ids = _shares_ids(typed["case_id"])
    typed = _link_same_reference(typed, shares_ids)
    inconsistent = _consistency(typed, name, shares_ids)
    if inconsistent:
        from checker.load.row_sets import not_again

        problems += not_again(inconsistent, problems)  # a bad cell is reported once, not again as missing
    skipped: list[Found] = []
    if problems and skip_bad_rows:
        from checker.load.row_sets import rows_of
    while problems and skip_bad_rows:
        # drop the rows in error, then check again; a case escalated from a dropped row goes with it, as its link
        # would otherwise read as a stage 1 outside the register
        skipped += problems
        dropped = pl.col(ROW).is_in(pl.Series(rows_of(problems)).implode())
        gone = typed.filter(dropped)["case_id"].implode()
        typed = typed.filter(~dropped)
        orphans = typed.filter(pl.col("escalated_from").is_in(gone).fill_null(False))[ROW].to_numpy()
        shares_ids = shares_ids and _shares_ids(typed["case_id"])
        problems = [*_consistency(typed, name, shares_ids),
                    *([Breach(name, "escalated_from", "names a case skipped as invalid", None, orphans)] if len(orphans) else [])]
    if problems:
        raise InputError(problems, by_row=True)
    return Register(name, typed, rows_read, ignored, skipped, above + warnings, absent_columns,
                    int(rows_ignored.sum()) if rows_ignored is not None else 0,
                    typed.filter(pl.col(FROM_ROW) == 2).height if FROM_ROW in typed.columns else 0, unread_at_stage2,
                    absent_at_stage1, shares_ids=shares_ids)


REFERENCES = ("case_id", "escalated_from")  # a case's own reference and the one it names: a text a row, read as text


def _reference_headings(mapping: Mapping | None) -> frozenset[str]:
    """The headings the register's references are read from (the rest are read as codes: checker/load/register.py Cells)."""
    return frozenset(mapping.columns.get(c, c) if mapping is not None else c for c in REFERENCES)


@dataclass(frozen=True)
class Cells:
    """A column as its distinct texts, the last of them blank (null), and each row's code (its category, as read).

    Trimming, parsing and checking run once a distinct text (a million dates hold a few thousand days) and reach the
    rows by a gather: `lookup` takes a code to its text's index. A reference column (case_id: a text a row) is its
    own texts, with no codes.
    """

    texts: pl.Series
    column: pl.Series | None = None  # the column as read, pl.Categorical: its codes are shared by every column
    lookup: pl.Series | None = None  # code -> index of its text
    read: pl.Series | None = None  # the texts as read, before any was trimmed or translated

    @classmethod
    def coded(cls, column: pl.Series, codes: pl.Series, texts: pl.Series) -> Cells:
        """A pl.Categorical column, whose distinct values are `texts` (the blank last), their codes `codes`."""
        size = int(codes.max() or 0) + 1  # type: ignore[arg-type]  # a UInt32's max is an int
        lookup = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(codes, pl.int_range(codes.len(), dtype=pl.UInt32, eager=True))
        named = texts.rename(column.name)
        return cls(named, column, lookup, named)

    @classmethod
    def blank(cls, rows: int) -> Cells:
        """A column the register lacks: every cell blank."""
        texts = pl.Series([None], dtype=pl.Utf8)
        return cls(texts, pl.repeat(None, rows, dtype=pl.Categorical, eager=True), pl.Series([], dtype=pl.UInt32), texts)

    def __len__(self) -> int:
        return (self.column if self.column is not None else self.texts).len()

    def filter(self, keep: pl.Series) -> Cells:
        return replace(self, column=self.column.filter(keep)) if self.column is not None else replace(self, texts=self.texts.filter(keep))

    def expand(self, per_text: pl.Series) -> pl.Series:
        """A value a row from a value a text (a blank cell's is the last text's)."""
        if self.column is None or self.lookup is None:
            return per_text
        codes = self.column.to_physical()
        if codes.null_count() == codes.len():  # a column the register lacks, or of blanks: nothing to gather
            return pl.repeat(per_text[-1], codes.len(), dtype=per_text.dtype, eager=True).alias(per_text.name)
        by_code = per_text.gather(self.lookup).gather(codes)
        return by_code if per_text[-1] is None else by_code.fill_null(per_text[-1])

    def rows_where(self, per_text: pl.Series, rows: pl.Series) -> pl.Series:
        """The row numbers whose text is flagged (per_text: a boolean a text)."""
        flagged = per_text.fill_null(False)
        return rows.filter(self.expand(flagged)) if flagged.any() else rows.clear()


def cells_of(columns: list[pl.Series]) -> dict[str, Cells]:
    """Each column as Cells: a reference as its texts, any other as categories, whose distinct values are found for
    all the columns in one pass (polars spreads it over the cores)."""
    coded = [c if c.dtype == pl.Categorical else c.cast(pl.Utf8).cast(pl.Categorical) for c in columns if c.name not in REFERENCES]
    distinct = pl.DataFrame(coded).select(pl.all().unique().drop_nulls().implode())
    found = distinct.select(*(pl.col(c.name).list.eval(pl.element().to_physical()).alias(f"codes of {c.name}") for c in coded),
                            *(pl.concat_list(pl.col(c.name).list.eval(pl.element().cast(pl.Utf8)), pl.lit(None, pl.Utf8)).alias(c.name)
                              for c in coded))  # each column's codes, and its texts with the blank last
    cells = {c.name: Cells.coded(c, found[f"codes of {c.name}"][0], found[c.name][0]) for c in coded}
    return {c.name: cells.get(c.name) or Cells(c.cast(pl.Utf8)) for c in columns}


def _complaints_log(raw: pl.DataFrame, stage2: list[str], name: str) -> Problem | None:
    """A wide export with no contact type column is a complaints log, every row a complaint: said, never assumed silently."""
    if "contact_type" in raw.columns or not stage2:
        return None
    return Problem(name, None, "contact_type", "the export has no contact type column, so every row is read as a complaint "
                   "(a complaints log with stage 2 columns); map one under columns: if it holds other contacts too")


# a complaint's own columns at each stage; the rest (reference, organisation, service area, themes, tenure and the
# dates of the issue) belong to the complaint, and a wide row's stage 2 contact shares them
STAGE_COLUMNS = ("received_date", "acknowledged_date", "extended_due_date", "extension_good_reason", "extension_notified_date",
                 "response_date", "outcome", "not_accepted_reason", "discretion_considered", "refusal_explained",
                 "ombudsman_details_given", "handler", "compensation_offered", "remedy", "remedy_due_date", "remedy_completed_date")
FROM_ROW = "_stage_of_row"  # in a wide export, 2 on a contact taken from its row's stage 2 columns, else 1


def _expand_stage2(typed: pl.DataFrame, stage2: list[str], stage_absent: bool, name: str) -> tuple[pl.DataFrame, list[Breach]]:
    """A wide export, one row per complaint: each row is its stage 1 and, where its stage 2 received date is
    present, a stage 2 contact too, with the row's reference (linked to its stage 1 by the shared case_id) and the
    row's own stage 2 columns; a stage column the export lacks is 1 on every complaint row."""
    complaint = pl.col("contact_type") == "complaint"
    first = typed.select(pl.exclude(f"^{re.escape(STAGE2)}.*$")).with_columns(pl.lit(1, pl.Int8).alias(FROM_ROW))
    if stage_absent:
        first = first.with_columns(pl.when(complaint).then(pl.lit(1)).otherwise(pl.col("stage")).cast(first["stage"].dtype).alias("stage"))
    has_second = pl.col(f"{STAGE2}received_date").is_not_null()
    stray = typed.filter(has_second & ~complaint.fill_null(False))[ROW].to_numpy()
    second = typed.filter(has_second & complaint.fill_null(False)).with_columns(
        pl.lit(2).cast(typed["stage"].dtype).alias("stage"), pl.lit(None, typed["escalated_from"].dtype).alias("escalated_from"),
        *[(pl.col(f"{STAGE2}{c}") if c in stage2 else pl.lit(None, typed[c].dtype)).alias(c) for c in STAGE_COLUMNS],
        pl.lit(2, pl.Int8).alias(FROM_ROW),
    ).select(first.columns)
    problems = [Breach(name, f"{STAGE2}received_date", "is given on a row that is not a complaint: only a complaint has a "
                       "stage 2", None, stray)] if len(stray) else []
    return pl.concat([first, second]).sort(ROW, FROM_ROW, maintain_order=True), problems


def empty_register() -> Register:
    """No cases, for judging a policy on its own (chc diff without --register): every case rule has no data."""
    columns = contract()
    typed, _ = _typed(cells_of([pl.Series(c, [], pl.Utf8) for c in columns]), pl.Series(ROW, [], pl.Int64), columns, NO_REGISTER)
    return Register(NO_REGISTER, typed, 0)


# chc's own word for a file its reader cannot parse: the readers' messages change from one version to the next
UNREADABLE = {
    ".csv": "cannot read the file as CSV: save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'",
    ".xlsx": "cannot read the file as an Excel workbook: save it from Excel as .xlsx (not renamed from .xls or .csv, "
             "and not password-protected)",
    ".json": "cannot read the file as JSON",
}
UNREADABLE[".xlsm"] = UNREADABLE[".xlsx"]


class Raw(NamedTuple):
    """A register file as read: text columns under its headings; the source row of its first data row; its bad rows
    (a CSV row of the wrong shape), left out of the frame, to skip or refuse; and what to tell about the reading."""

    frame: pl.DataFrame
    first_row: int
    bad_rows: list[Problem]
    notes: list[Problem]


def read_raw(path: Path, sheet: str | None, expected: headers.Expected, header_row: int | None = None,
             declared: str | None = None, references: Collection[str] = ()) -> Raw:
    """The file as text columns under its headings (`declared`: the encoding of a CSV or JSON file without a
    byte-order mark, UTF-8 unless given). A CSV's columns are read as categories (pl.Categorical: a code a cell),
    all but those headed `references` (a text a row)."""
    name = str(path)
    regular_file(path)
    suffix = path.suffix.lower()
    if suffix not in UNREADABLE:
        raise fail(name, None, None, f"unknown register format '{suffix}': use .csv, .xlsx or .json")
    if suffix == ".json" and header_row is not None:
        raise fail(name, None, None, "--header-row is for CSV and XLSX registers: a JSON register has no header row")
    if suffix in (".xlsx", ".xlsm") and declared is not None:
        raise fail(name, None, None, "--encoding is for CSV and JSON registers: a workbook records its own")
    try:
        if suffix == ".csv":
            return Raw(*csvfile.read_csv(path, expected, header_row, declared, references), [])
        if suffix == ".json":
            return Raw(_read_json(path, declared), 1, [], [])
        return _read_xlsx(path, sheet, expected, header_row)
    except InputError:
        raise
    except Exception:  # polars and fastexcel raise many types for unreadable files
        raise fail(name, None, None, UNREADABLE[suffix]) from None


def _read_xlsx(path: Path, sheet: str | None, expected: headers.Expected, header_row: int | None) -> Raw:
    """The first visible sheet, or the one named, under its header row. A name the workbook lacks is answered with
    the names it has; a sheet lacking the headings, with every sheet's headings and the --sheet that reads them;
    hidden sheets passed over are told; formulas never calculated are refused."""
    from shlex import quote

    import fastexcel

    from checker.load import workbook

    name = str(path)
    check_zip(path, "workbook", UNREADABLE[".xlsx"], "save a register this large as CSV", "save the register as CSV from Excel")
    book = fastexcel.read_excel(path)
    names = book.sheet_names
    if sheet is not None and sheet not in names:
        raise fail(name, None, None, f"the workbook has no sheet '{sheet}' (its sheets: {', '.join(names)})")
    contents = workbook.contents(path)
    chosen = sheet or contents.first_visible()
    if chosen is None:
        raise fail(name, None, None, f"every sheet of the workbook is hidden; pass --sheet to read one (its sheets: {', '.join(names)})")
    passed = [s for s in names[:names.index(chosen)] if s in contents.hidden] if sheet is None else []
    notes = [Problem(name, None, None, f"{'sheet' if len(passed) == 1 else 'sheets'} {', '.join(map(repr, passed))} "
                     f"{'is' if len(passed) == 1 else 'are'} hidden, so the register was read from '{chosen}', the first "
                     f"visible sheet; pass --sheet {quote(passed[0])} to read a hidden one")] if passed else []
    rows = _sheet_head(book, chosen, header_row)
    index = headers.choose(name, rows, expected, header_row)
    missing = headers.lacking(rows[index] if rows else [], expected)
    if missing and len(names) > 1:
        listed = {}
        for other in names:
            head = rows if other == chosen else _sheet_head(book, other, None)
            found = index if other == chosen else headers.header_index(head, expected)
            cells = [str(c) for c in (head[found] if head else []) if headers.normal(c)]
            listed[other] = (found + 1, [c if not looks_personal(c) else "(a heading like personal data)" for c in cells])
        raise headers.sheets_lacking(name, chosen, missing, listed, expected)
    headings = list(rows[index]) if rows else []
    unread = headers.repeats(name, headings, expected, index + 1, lambda heading, at: headers.lettered(
        workbook.heading_letters(path, chosen, index + 1).get(heading, []), at))
    uncalculated = workbook.uncalculated(name, path, contents, chosen, index + 1, expected.read)
    if uncalculated:
        raise InputError(uncalculated)
    frame = pl.read_excel(path, sheet_name=chosen, engine="calamine", infer_schema_length=0, read_options={"header_row": index})
    if unread and frame.width == len(headings):
        frame = frame.drop([frame.columns[i] for i in unread])
    return Raw(frame, index + 2, [], notes)


def _sheet_head(book: Any, sheet: str, header_row: int | None) -> list[tuple[object, ...]]:
    """A sheet's first rows as text, from row 1 (blank rows included), enough to find its headings in."""
    rows = max(headers.SCAN_ROWS, header_row or 0)
    return book.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=rows, dtypes="string").to_polars().rows()


def _read_json(path: Path, declared: str | None) -> pl.DataFrame:
    """A JSON register is an array of objects, or {"cases": [...]}; values are read as text like CSV cells. A key
    given twice in one record is refused: which of its values was meant cannot be told."""
    name, raw = str(path), path.read_bytes()
    text = encoding.decode(name, raw, encoding.detect(name, raw[:csvfile.HEAD_BYTES], declared, "UTF-8"), "UTF-8")
    try:
        data = json.loads(text, object_pairs_hook=_Record)
    except json.JSONDecodeError as err:
        raise fail(name, err.lineno, None, f"this is not valid JSON (column {err.colno}): check the commas, brackets "
                   "and quotes") from None
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        data = data["cases"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise fail(name, None, None, 'a JSON register is an array of objects, or {"cases": [...]}')
    twice = [Problem(name, i, key, "is given twice in the record; keep one (which was meant cannot be told)")
             for i, record in enumerate(data, start=1) for key in record.twice]
    if twice:
        raise InputError(twice)
    names: list[str] = []
    for record in data:
        names.extend(k for k in record if k not in names)
    cells = {n: [None if r.get(n) is None else str(r[n]) for r in data] for n in names}
    return pl.DataFrame(cells, schema=dict.fromkeys(names, pl.Utf8))


class _Record(dict):
    """A JSON object that keeps the keys given in it more than once (json keeps the last value silently)."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__(pairs)
        self.twice = [k for k, n in Counter(k for k, _ in pairs).items() if n > 1] if len(self) < len(pairs) else []


# control characters (checker/load/yamlfile.py's CONTROL) break Word and JUnit XML and can steer a terminal; in a
# register they are shown as the Unicode picture of each (␇ for BEL), or U+FFFD for C1
VISIBLE = {chr(c): chr(0x2400 + c) for c in range(0x20) if chr(c) not in "\t\n\r"} | {"\x7f": "\u2421"} | \
    {chr(c): "\ufffd" for c in range(0x80, 0xA0)}
SHOWN_ROWS = 5


def _control_characters(cells: dict[str, Cells], rows: pl.Series, name: str) -> list[Problem]:
    """Make control characters visible in place in the published text columns; a warning per column names the rows.
    (A date, number or code holding one fails its own check, and its message does not repeat it.)"""
    warnings = []
    for col in (c for c in cells if c.removeprefix(STAGE2) in PUBLISHED):
        texts = cells[col].texts
        where = cells[col].rows_where(texts.str.contains(CONTROL.pattern), rows)
        if not len(where):
            continue
        cells[col] = replace(cells[col], texts=texts.str.replace_many(list(VISIBLE), list(VISIBLE.values())))
        shown = ", ".join(map(str, where[:SHOWN_ROWS])) + (f" and {len(where) - SHOWN_ROWS:,} more" if len(where) > SHOWN_ROWS else "")
        warnings.append(Problem(name, None, col, f"{len(where):,} cell{'s' if len(where) != 1 else ''} held control characters "
                                f"(row{'s' if len(where) != 1 else ''} {shown}); each is shown as its symbol, such as \u2407"))
    return warnings


def _typed(cells: dict[str, Cells], rows: pl.Series, columns: dict[str, dict[str, Any]],
           name: str) -> tuple[pl.DataFrame, list[Found]]:
    """Trim, then cast each column to its contract type; the cells that fail each check become one Breach.

    Each column is consumed from `cells` as its typed column is made, so that a large register is never held twice.
    """
    required = set(required_columns())

    def one(col: str) -> tuple[pl.Series, list[Breach]]:
        return _typed_column(cells.pop(col), col, columns[col], col in required, rows, name)

    with ThreadPoolExecutor(max_workers=2) as pool:  # polars lets go of the interpreter: both cores work
        done = list(pool.map(one, columns))
    return pl.DataFrame([rows, *(series for series, _ in done)]), [p for _, found in done for p in found]


def _typed_column(cells: Cells, col: str, spec: dict[str, Any], required: bool, rows: pl.Series,
                  name: str) -> tuple[pl.Series, list[Breach]]:
    """The column typed, and its bad cells. Every check runs on the column's distinct texts (Cells)."""
    raw, value = pl.col("raw"), pl.col(col)
    checks: list[Check] = []
    if spec.get("format") == "date":
        checks.append((raw.is_not_null() & value.is_null(), "is not a valid date", WRITE_DATE))
    elif spec.get("type") in ("integer", "number") and "enum" not in spec:
        checks.append((raw.is_not_null() & (value.is_null() | (value.is_nan() | value.is_infinite() if spec["type"] == "number" else False)),
                       "is not a number", WRITE_AMOUNT))
        if "minimum" in spec:
            checks.append((value < spec["minimum"], f"must be at least {spec['minimum']}", None))
        if "maximum" in spec:
            checks.append((value.cast(pl.Float64).is_finite() & (value > spec["maximum"]), f"must be at most {spec['maximum']:,}", None))
    if "enum" in spec:
        checks.append(((raw.is_not_null() & value.is_null()) | (value.is_not_null() & ~value.is_in(spec["enum"])),
                       f"must be one of {', '.join(map(str, spec['enum']))}", _map_words(col, spec["enum"])))
    if required:
        checks.append((raw.is_null(), "is required but blank", FILL_IN))
    text, plain = _trimmed(cells.texts)
    text = text.alias("raw")
    checks += [] if plain else _personal_data(text, col)
    if spec.get("format") == "date":
        step = pl.DataFrame([text, parse_series(text).alias(col)])
        checks += _ambiguous_dates(step, col, cells, rows)
    else:
        value = _cast(raw, spec)
        if "enum" in spec and spec.get("type", "string") == "string":
            value = value.str.to_lowercase()  # enumerated values are read case-insensitively
        if spec.get("enum") == ["yes", "no"]:
            value = value.replace(YES_NO)
        step = pl.DataFrame([text]).with_columns(value.alias(col))
    flags = step.select([c.fill_null(False).alias(str(i)) for i, (c, _, _) in enumerate(checks)])
    found = [flag.any() for flag in flags.iter_columns()]
    problems = []
    for i, (_, message, fix) in enumerate(checks):
        bad = cells.rows_where(flags[str(i)], rows) if found[i] else None  # a text flagged may be no row's (the blank)
        if bad is not None and len(bad):
            problems.append(Breach(name, col, message, fix, bad.to_numpy()))  # never the cell: it was refused
    values = step[col]
    if values.dtype == pl.Utf8 and col not in REFERENCES:
        if cells.column is not None and cells.read is not None and values.equals(cells.read):
            return cells.column.alias(col), problems  # the texts as read: the column as read, with no gather
        values = values.cast(pl.Categorical)  # a code a row, not a text: a few categories in a million rows
    return cells.expand(values), problems


def _trimmed(texts: pl.Series) -> tuple[pl.Series, bool]:
    """Texts without the spaces around them, a blank one null; and whether they are plain: none had spaces to trim
    or anything that could be personal data. A million references are scanned once, before any is copied."""
    if texts.len() > TRIM_SCAN and not texts.str.contains(rf"^\s|\s$|{_SUSPECT}").any():
        return (texts if not (texts.str.len_bytes() == 0).any() else texts.set(texts.str.len_bytes() == 0, None)), True
    return texts.to_frame().select(pl.first().str.strip_chars().replace("", None)).to_series(), False


TRIM_SCAN = 10_000  # more texts than this are scanned before any is trimmed


def looks_personal(text: str) -> bool:
    """Whether a text (a heading, say) holds what looks like an e-mail address or a telephone number."""
    folded = unicodedata.normalize("NFKC", text)
    return any(re.search(pattern, folded) for pattern, _ in (_EMAIL, _PHONE))


# what to do about a problem, said once for all the rows that share it (errors.grouped)
FILL_IN = "fill it in, or pass --skip-bad-rows to assess the other rows"
WRITE_DATE = "write it as YYYY-MM-DD or DD/MM/YYYY"
CHECK_DATES = "check both dates against the case record"


def _map_words(col: str, enum: list[Any]) -> str:
    return f"map the export's own words to these in the mapping (--mapping), e.g. `values: {{{col.removeprefix(STAGE2)}: {{Their word: {enum[0]}}}}}`"


def _personal_data(text: pl.Series, col: str) -> list[Check]:
    """Cells of a published column holding an e-mail address or telephone number. The patterns run on the column's
    distinct values (a register has a few dozen service areas, not a million), after NFKC."""
    if col.removeprefix(STAGE2) not in PUBLISHED:
        return []
    checks: list[Check] = []
    values = text.unique().drop_nulls() if col != "case_id" else text.drop_nulls()
    values = values.filter(values.str.contains(_SUSPECT))  # one pass over a million ids finds the few to look at
    if values.is_empty():
        return checks
    ascii_only = (values.str.len_bytes() == values.str.len_chars()).all()  # NFKC changes no ASCII text
    folded = values if ascii_only else values.str.normalize("NFKC")
    for pattern, what in (_EMAIL, _PHONE):
        bad = values.filter(folded.str.contains(pattern).fill_null(False))
        if bad.len():
            checks.append((pl.col("raw").is_in(bad.implode()),
                           f"looks like personal data ({what}); chc publishes this column, so it must not hold it", None))
    return checks


def _free_text(column: Cells) -> bool:
    """Most values distinct and each used once, over enough cells to tell (themes counted theme by theme). A
    column with few distinct cells is passed at once: when most cells repeat, neither they nor their themes can be
    nearly all used once."""
    if column.texts.len() < FREE_TEXT_SHARE * len(column) / 2:  # at least as many texts as distinct cells
        return False
    text = column.expand(column.texts)
    if text.n_unique() < FREE_TEXT_SHARE * text.len() / 2:
        return False
    cells = text.drop_nulls().str.strip_chars()
    if text.name == "themes":
        cells = cells.str.split(";").explode().str.strip_chars()
    if cells.len() < FREE_TEXT_MIN:
        return False
    counts = cells.value_counts()
    used_once = counts.filter(pl.col("count") == 1).height
    return used_once >= FREE_TEXT_SHARE * cells.len()


def _ambiguous_dates(step: pl.DataFrame, col: str, cells: Cells, rows: pl.Series) -> list[Check]:
    """A column that also holds month-first dates (07/25/2024) makes every day-first reading of 05/07/2024 a guess."""
    unread = step.select(pl.col(col).is_null() & pl.col("raw").is_not_null()).to_series()
    if not unread.any():
        return []
    month_first = cells.rows_where(unread & step["raw"].str.to_date("%m/%d/%Y", strict=False).is_not_null(), rows)
    if len(month_first) == 0:
        return []
    both = (pl.col(col).is_not_null() & pl.col("raw").str.contains(f"^{UK_SHAPE}$")
            & pl.col("raw").str.to_date("%m/%d/%Y", strict=False).is_not_null())
    return [(both, f"is ambiguous: this column also holds month-first dates (row {month_first[0]}, for one), "
                   "so chc will not guess whether it is day-first", None)]


def _cast(c: pl.Expr, spec: dict[str, Any]) -> pl.Expr:
    if spec.get("type") == "integer":
        return c.cast(pl.Int64, strict=False)
    if spec.get("type") == "number":
        return amount(c)
    return c


# a yes/no column as registers write it (JSON and Excel booleans arrive as true/false)
YES_NO = {"y": "yes", "true": "yes", "1": "yes", "n": "no", "false": "no", "0": "no"}
IGNORE = "ignore"  # a contact type mapped to this (compliments, comments) is counted as read and left out


def _ignored(contact_type: Cells) -> pl.Series | None:
    """The rows whose contact type is `ignore` (after the mapping), or None when there are none."""
    marked = (contact_type.texts.str.strip_chars().str.to_lowercase() == IGNORE).fill_null(False)
    if not marked.any():
        return None
    rows = contact_type.expand(marked)
    return rows if rows.any() else None


SORTED_FROM = 2_000_000  # ids from which their hashes are sorted by numpy rather than counted by polars


def _shares_ids(ids: pl.Series) -> bool:
    """Whether any case_id is used twice. Distinct 64-bit hashes prove the ids distinct, sparing the exact (slower)
    check on the usual register with none. polars counts them; from SORTED_FROM ids, numpy sorts them instead (in
    half the time, more where polars's table of hashes outgrows the caches), worth its import there."""
    hashes = ids.hash() if not ids.has_nulls() else ids.hash().filter(ids.is_not_null())  # never a copy of the texts
    if hashes.len() < SORTED_FROM:
        return hashes.n_unique() != hashes.len()
    import numpy as np

    ordered = np.sort(hashes.to_numpy())
    return bool((ordered[1:] == ordered[:-1]).any())


def _duplicated(shares_ids: bool) -> pl.Expr:
    """Rows whose case_id is used again, unless by just the two stages of one complaint (housing systems keep one
    reference for a complaint): (case_id, stage) is the key."""
    if not shares_ids:
        return pl.lit(False)
    one_complaint = ((pl.len().over("case_id") == 2) & (pl.col("contact_type") == "complaint").all().over("case_id")
                     & pl.col("stage").is_in([1, 2]).all().over("case_id") & (pl.col("stage").n_unique().over("case_id") == 2))
    return pl.col("case_id").is_duplicated() & pl.col("case_id").is_not_null() & ~one_complaint.fill_null(False)


REFERENCE = "_reference"  # a case as evidence names it: its case_id, with its stage where both stages share the id


def reference(register: pl.DataFrame, shares_ids: bool | None = None) -> pl.Expr:
    """The case_id, "CMP-0003 (stage 2)" where a complaint's two stages share it in the register (for its rows, or
    some of them). `shares_ids`: whether any id is used twice, if the loader found out (None: found out here)."""
    ids = register["case_id"]
    if not (_shares_ids(ids) if shares_ids is None else shares_ids):
        return pl.col("case_id").alias(REFERENCE)
    shared = (pl.col("case_id").is_in(ids.filter(ids.is_duplicated()).implode()) & (pl.col("contact_type") == "complaint")
              & pl.col("stage").is_not_null())
    return (pl.when(shared).then(pl.format("{} (stage {})", "case_id", "stage")).otherwise(pl.col("case_id"))).alias(REFERENCE)


def _link_same_reference(frame: pl.DataFrame, shares_ids: bool) -> pl.DataFrame:
    """A stage 2 complaint with no escalated_from escalates from the stage 1 complaint with its own case_id, if the
    register has one (one reference for both stages)."""
    if not shares_ids:
        return frame
    stage1 = frame.filter((pl.col("contact_type") == "complaint") & (pl.col("stage") == 1))["case_id"].implode()
    unlinked = (pl.col("stage") == 2) & pl.col("escalated_from").is_null() & pl.col("case_id").is_in(stage1)
    return frame.with_columns(pl.when(unlinked).then(pl.col("case_id")).otherwise(pl.col("escalated_from")).alias("escalated_from"))


def parent_columns(frame: pl.DataFrame, wanted: dict[str, str], named: pl.Series | None = None) -> list[pl.Series]:
    """Columns of each row's parent case (the one its escalated_from names), row for row, plus parent_found; or of
    the parents of `named` (the escalated_from of some of its rows).

    Only the rows naming a case are joined, to the cases they name (a few in a hundred of each), and their parents'
    columns reach every row by a gather, so the cost grows with the register, not faster.
    """
    named = frame["escalated_from"] if named is None else named
    naming = named.is_not_null()
    parents = (frame.lazy().filter(pl.col("case_id").is_in(named.drop_nulls().unique().implode()))
               .sort(pl.col("stage") == 2, nulls_last=False, maintain_order=True)  # of a reference's two stages, the first is the parent
               .select(pl.col("case_id").alias("escalated_from"), *[pl.col(c).alias(a) for c, a in wanted.items()],
                       pl.lit(True).alias("parent_found"))
               .unique("escalated_from", keep="first", maintain_order=True).collect())
    found = named.filter(naming).to_frame().join(parents, on="escalated_from", how="left", maintain_order="left")
    position = (naming.cast(pl.UInt32).cum_sum() - 1).set(~naming, None)  # each naming row's place among them
    return [found[a].gather(position) for a in (*wanted.values(), "parent_found")]


def _consistency(frame: pl.DataFrame, name: str, shares_ids: bool) -> list[Breach]:
    """Checks across cells and rows: unique ids, stages, escalation links, dates in order (all column-wise). The links
    are checked on the rows naming a case only (a few in a hundred), beside their parents' columns."""
    complaint = pl.col("contact_type") == "complaint"
    naming = frame.filter(pl.col("escalated_from").is_not_null())
    linked = naming.hstack(parent_columns(frame, {"contact_type": "parent_type", "stage": "parent_stage"}, naming["escalated_from"]))
    parent, found = pl.col("escalated_from"), pl.col("parent_found").fill_null(False)
    own_stage1 = ((pl.col("stage") == 2) & (pl.col("parent_stage") == 1)).fill_null(False)  # one reference for both stages
    itself = (parent == pl.col("case_id")) & ~own_stage1
    link = found & ~itself.fill_null(False)
    checks: list[tuple[bool, pl.Expr, str, str, str | None]] = [  # (on the links?, the rows in breach, the field, what is wrong, what to do)
        (False, _duplicated(shares_ids), "case_id", "duplicate case_id (another row has the same)",
         "give each case its own reference; only a complaint's stage 1 and stage 2 may share one"),
        (False, complaint & pl.col("stage").is_null(), "stage", "a complaint needs its stage (1 or 2)",
         "map the export's stage column (`columns: {stage: Its heading}`); an export with one row per complaint and its "
         "stage 2 columns beside stage 1's names those under `stage2:` in the mapping instead, and each row is read as a stage 1"),
        (False, ~complaint & pl.col("stage").is_not_null(), "stage", "only complaints have a stage",
         "leave the stage blank on other contacts, or map their contact type to complaint"),
        (False, pl.col("not_accepted_reason").is_not_null() & (pl.col("outcome") != "not_accepted").fill_null(True),
         "not_accepted_reason", "is given, but the outcome is not not_accepted", "set the outcome to not_accepted, or clear the reason"),
        # a complaint may escalate from a case outside the register (last year's, in a one-year extract): judged without the link
        (True, ~found & ~complaint, "escalated_from", "is not a case_id in the register",
         "check the reference: only a complaint may escalate from a case outside the register"),
        (True, itself, "escalated_from", "a case cannot escalate from itself", None),
        (True, link & (pl.col("stage") == 2) & ~((pl.col("parent_type") == "complaint") & (pl.col("parent_stage") == 1)).fill_null(False),
         "escalated_from", "names a case that is not a stage 1 complaint", None),
        (True, link & (pl.col("stage") == 1) & (pl.col("parent_type") != "service_request"), "escalated_from",
         "a stage 1 complaint can only arise from a service request; the case it names is a {parent_type}", None),
        (True, link & ~complaint, "escalated_from", "only complaints escalate from another case", None),
    ]
    for later in ("acknowledged_date", "response_date", "extended_due_date", "extension_notified_date", "remedy_completed_date"):
        checks.append((False, pl.col(later) < pl.col("received_date"), later, "is before received_date", CHECK_DATES))
    of_row = (pl.col(FROM_ROW) if FROM_ROW in frame.columns else pl.lit(1)).alias("of_row")
    flagged = {}
    for on_links, rows in ((False, frame), (True, linked)):
        kind = pl.col("parent_type").cast(pl.Utf8) if on_links else pl.lit(None, pl.Utf8).alias("parent_type")
        flags = [bad.fill_null(False).alias(f"bad{i}") for i, (links, bad, *_) in enumerate(checks) if links == on_links]
        flagged[on_links] = rows.select(ROW, kind, of_row, *flags).filter(pl.any_horizontal(pl.col(r"^bad\d+$")))
    problems = []
    for i, (on_links, _, col, message, fix) in enumerate(checks):  # never the cell: a message names its row and field
        if not flagged[on_links].height:
            continue
        bad = flagged[on_links].filter(pl.col(f"bad{i}"))
        if not bad.height:
            continue
        # a wide row's stage 2 cell is named as such; the message names the kind of case a link names
        keys = ["parent_type"] * ("{parent_type}" in message) + ["of_row"] * (col in STAGE_COLUMNS and FROM_ROW in frame.columns)
        for key, group in (bad.group_by(keys, maintain_order=True) if keys else [((), bad)]):
            values = dict(zip(keys, key, strict=True))
            field = f"{STAGE2}{col}" if values.get("of_row") == 2 else col
            problems.append(Breach(name, field, message.format(parent_type=values.get("parent_type")), fix, group[ROW].to_numpy()))
    return problems
