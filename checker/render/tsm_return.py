"""The complaint TSMs as the Regulator's return states them: CH01(1), CH01(2), CH02(1) and CH02(2), each for low-cost
rental (LCRA) and low-cost home ownership (LCHO), with the counts behind them, as CSV and as an Excel sheet.

In: the report's data (checker.report.data), whose `tsm` figures `chc report` states too, so the return and the
reports cannot disagree. With figures per organisation (a group's submission), each organisation's rows come before
the whole's. CH01 needs homes, which are known for the landlord only, so an organisation's CH01 is "Not known".
A value starting with a spreadsheet's formula character is quoted as Appendix 1's CSV and workbook quote it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from checker.render.appendix import FORMULA_START
from checker.render.xlsx_format import BOLD, HEADER_FILL, WRAP, save_stamped

COLUMNS = ("Organisation", "Measure", "Description", "LCRA", "LCHO", "All homes")
WHOLE = "All organisations"
NOT_KNOWN = "Not known"
NO_RESPONSES = "No responses"
# (label, TSM, stage, key, description): the Regulator's labels as councils publish them, then the counts behind them
MEASURES = (
    ("CH01(1)", "CH01", 1, "per_1000_homes", "Number of stage one complaints received per 1,000 homes"),
    ("CH01(2)", "CH01", 2, "per_1000_homes", "Number of stage two complaints received per 1,000 homes"),
    ("CH02(1)", "CH02", 1, "within_timescale_pct",
     "Proportion of stage one complaints responded to within the Housing Ombudsman's Complaint Handling Code timescales"),
    ("CH02(2)", "CH02", 2, "within_timescale_pct",
     "Proportion of stage two complaints responded to within the Housing Ombudsman's Complaint Handling Code timescales"),
    ("", "CH01", 1, "received", "Stage one complaints received"),
    ("", "CH01", 2, "received", "Stage two complaints received"),
    ("", "CH02", 1, "responded", "Stage one complaints responded to"),
    ("", "CH02", 2, "responded", "Stage two complaints responded to"),
)
WIDTHS = (22, 10, 70, 12, 12, 12)


def tsm_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    """The return's rows: each organisation's (when the data has figures per organisation), then the whole's, with homes."""
    scopes = [(g["key"]["organisation"], g["figures"]["tsm"]) for g in data["groups"] if "organisation" in g["key"]]
    scopes.append((WHOLE if scopes else data["landlord"], data["tsm"]))
    rows = []
    for name, tsm in scopes:
        for label, measure, stage, key, description in MEASURES:
            node = tsm[measure]
            cells = [_value(node[tenure], stage, key) if tsm["tenure_recorded"] else NOT_KNOWN for tenure in ("lcra", "lcho")]
            rows.append((name, label, description, *cells, _value(node, stage, key)))
        homes = [_figure(tsm["CH01"][t]["homes"], "homes") for t in ("lcra", "lcho")]
        rows.append((name, "", "Homes (the CH01 denominator)", *homes, _figure(tsm["homes"] or None, "homes")))
    return rows


def _value(node: dict[str, Any], stage: int, key: str) -> str:
    """A measure of one stage; a proportion of no responses is said so, not 'not known'."""
    if key.endswith("_pct") and node[f"stage{stage}_responded"] == 0:
        return NO_RESPONSES
    return _figure(node[f"stage{stage}_{key}"], key)


def _figure(value: float | int | None, key: str) -> str:
    """A figure as the return gives it: two decimals per 1,000 homes, one for a percentage, whole counts."""
    if value is None:
        return NOT_KNOWN
    if key == "per_1000_homes":
        return f"{value:.2f}"
    if key.endswith("_pct"):
        return f"{value:.1f}%"
    return str(int(value))


def render_tsm_csv(data: dict[str, Any]) -> bytes:
    """UTF-8 CSV, the columns' names in the first row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([_safe(cell) for cell in row] for row in tsm_rows(data))
    return out.getvalue().encode("utf-8")


def render_tsm_xlsx(data: dict[str, Any], generated_at: dt.datetime) -> bytes:
    """One sheet, its header row frozen, every value stored as text as the CSV gives it; the same stamp gives the same bytes."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Complaint TSMs"
    sheet.append(COLUMNS)
    for values in tsm_rows(data):
        sheet.append([_safe(cell) for cell in values])
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for letter, width in zip("ABCDEF", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = WRAP
    sheet.freeze_panes = "A2"
    book.properties.title = f"Complaint tenant satisfaction measures {data['period']['label']}"
    return save_stamped(book, generated_at)


def _safe(value: str) -> str:
    """Never a formula: a cell that a spreadsheet would run is written with a leading quote."""
    return f"'{value}" if value.startswith(FORMULA_START) else value
