"""The corpus files that are binary, large or derived from the example: written into a copy of the corpus folder.

    python tests/corpus/make_corpus.py DIR     # or build(Path) from a test
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import zipfile
from pathlib import Path

import openpyxl

EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "fixtures" / "example" / "policy.yaml"
HEADER = ["case_id", "contact_type", "stage", "escalated_from", "received_date", "acknowledged_date", "response_date",
          "outcome", "compensation_offered"]


def build(folder: Path) -> None:
    register = folder / "register"
    register.mkdir(parents=True, exist_ok=True)
    # 'enquiry' with a Latin-1 é (0xE9) on line 3: a spreadsheet saved as "CSV" rather than "CSV UTF-8"
    (register / "latin1.csv").write_bytes(b"case_id,contact_type,received_date\nA1,enquiry,2024-05-07\nA2,enqu\xe9ry,2024-05-08\n")
    (register / "bom.csv").write_bytes(b"\xef\xbb\xbfcase_id,contact_type,received_date\nA1,enquiry,2024-05-07\n")
    # line endings and encodings: each file's row 3 holds an impossible date, which must be told on row 3
    text = "case_id,contact_type,received_date\nA1,enquiry,2024-05-07\nA2,enquiry,2024-02-30\nA3,enquiry,2024-05-09\n"
    (register / "cr_line_endings.csv").write_bytes(text.replace("\n", "\r").encode())
    (register / "crlf_line_endings.csv").write_bytes(text.replace("\n", "\r\n").encode())
    (register / "utf16le.csv").write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Excel's "Unicode text"
    (register / "utf16be.csv").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    (register / "utf16_without_mark.csv").write_bytes(text.encode("utf-16-le"))
    (register / "utf16.json").write_bytes(json.dumps([{"case_id": "A1", "contact_type": "enquiry", "received_date": "2024-02-30"}]).encode("utf-16"))
    # a Windows "CSV" export: £ is 0xA3 and é 0xE9 in cp1252; 0x81 is no cp1252 character
    windows = "case_id,contact_type,stage,received_date,service_area,compensation_offered\nA1,complaint,1,2024-05-07,Résidents,\"£1,250.50\"\n"
    (register / "cp1252.csv").write_bytes(windows.encode("cp1252"))
    (register / "cp1252_undefined_byte.csv").write_bytes(windows.encode("cp1252").replace(b"R", b"\x81"))
    _xlsx(register / "excel_dates.xlsx", [
        ["A1", "complaint", 1, None, dt.date(2024, 5, 7), dt.datetime(2024, 5, 8, 14, 30), dt.datetime(2024, 5, 20), "upheld", 50],
        ["A2", "complaint", 2, "A1", dt.datetime(2024, 5, 21), dt.date(2024, 5, 22), None, None, None],
        [1234, "enquiry", None, None, dt.date(2024, 6, 3), None, None, None, None],
    ])
    _xlsx(register / "totals_row.xlsx", [
        ["A1", "complaint", 1, None, dt.date(2024, 5, 7), dt.date(2024, 5, 8), dt.date(2024, 5, 20), "upheld", 50],
        ["A2", "complaint", 1, None, dt.date(2024, 5, 9), dt.date(2024, 5, 10), dt.date(2024, 5, 21), "not_upheld", 25],
        [None, "Total", None, None, None, None, None, None, 75],
    ])
    # the register on the second sheet, below title rows; the first sheet a summary
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Month", "Complaints"])
    log = book.create_sheet("Complaints log")
    for row in (["Complaints log 2024-25"], [], HEADER,
                ["A1", "complaint", 1, None, dt.date(2024, 5, 7), dt.date(2024, 5, 8), dt.date(2024, 5, 20), "upheld", 50]):
        log.append(row)
    book.save(register / "data_on_second_sheet.xlsx")
    # a response date written as a formula by a program (openpyxl, as many exporters): no value until Excel opens it
    _xlsx(register / "formula_never_calculated.xlsx", [
        ["A1", "complaint", 1, None, dt.date(2024, 5, 7), dt.date(2024, 5, 8), dt.date(2024, 5, 20), "upheld", 50],
        ["A2", "complaint", 1, None, dt.date(2024, 5, 9), dt.date(2024, 5, 10), "=DATE(2024,5,30)", "upheld", "=10*5"],
    ])
    # an old register on a hidden first sheet, this year's on the visible second
    book = openpyxl.Workbook()
    book.active.title = "Old"
    book.active.append(HEADER)
    book.active.append(["OLD1", "complaint", "x", None, "2019-05-07", None, None, None, None])
    book.active.sheet_state = "hidden"
    current = book.create_sheet("Complaints")
    current.append(HEADER)
    current.append(["A1", "complaint", 1, None, "2024-05-07", "2024-05-08", "2024-05-20", "upheld", 50])
    book.save(register / "hidden_first_sheet.xlsx")
    # every sheet hidden (Excel will not save one so; a program may): no sheet is chosen for the user
    with zipfile.ZipFile(register / "hidden_first_sheet.xlsx") as source, \
            zipfile.ZipFile(register / "every_sheet_hidden.xlsx", "w") as target:
        for part in source.infolist():
            data = source.read(part)
            target.writestr(part, data.replace(b'state="visible"', b'state="hidden"') if part.filename == "xl/workbook.xml" else data)
    book = openpyxl.Workbook()
    book.active.append(["case_id", "contact_type", "received_date", "Notes", "received_date"])
    book.active.append(["A1", "enquiry", "2024-05-07", None, "2024-06-07"])
    book.save(register / "duplicate_heading.xlsx")
    policy = folder / "policy"
    policy.mkdir(exist_ok=True)
    text = EXAMPLE_POLICY.read_text(encoding="utf-8")
    for name, old, new in (
        ("missing_key", "  time_limit_months: 12\n", ""),
        ("mistyped_key", "time_limit_months: 12", "time_limit_month: 12"),
        ("wrong_type", "time_limit_months: 12", "time_limit_months: twelve"),
        ("duplicate_key", "time_limit_months: 12\n", "time_limit_months: 12\n  time_limit_months: 6\n"),
        ("impossible_date", "    - 2024-12-27\n", '    - "2024-02-30"\n'),
        ("old_tolerance", "# The Council's own actions", "assessment:\n  tolerances:\n    CHC-6.2-S1-ACKNOWLEDGED: 95\n\n# The Council's own actions"),
        ("tab_indent", "  time_limit_months: 12", "\ttime_limit_months: 12"),
        ("unclosed_quote", "  title: Housing Complaints Policy", '  title: "Housing Complaints Policy'),
        ("colon_in_value", "  title: Housing Complaints Policy", "  title: Housing: Complaints Policy"),
        ("control_character", "  name: Harrowden District Council", '  name: "Harrowden District\\x07 Council"'),
        # 6.10 unquoted is the float 6.1 to YAML, read before as 6.1 or refused as "6.1 is not text"
        ("attestation_provision_as_a_number", '  - provision: "6.10"\n', "  - provision: 6.10\n"),
    ):
        assert old in text, old
        (policy / f"{name}.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    big = folder / "rules" / "ten_megabytes"
    big.mkdir(parents=True, exist_ok=True)
    (big / "big.yaml").write_text("rules: []\n" + ("# " + "x" * 1022 + "\n") * 10 * 1024, encoding="utf-8")
    deep = folder / "rules" / "deep"
    deep.mkdir(parents=True, exist_ok=True)
    (deep / "deep.yaml").write_text("rules: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    # block nesting past libyaml's own limit (1,000 levels since PyYAML 6.0.4): chc's check must answer first
    deep_block = folder / "rules" / "deep_block"
    deep_block.mkdir(parents=True, exist_ok=True)
    (deep_block / "deep.yaml").write_text("".join(" " * i + "a:\n" for i in range(1_500)) + " " * 1_500 + "b: 1\n",
                                          encoding="utf-8")
    (register / "not_a_workbook.xlsx").write_text("case_id,contact_type,received_date\nA1,enquiry,2024-05-07\n")
    # 44 KB that would unpack to 30 MB of sheet: refused before the reader opens it
    with zipfile.ZipFile(register / "zip_bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", "<row/>" * 5_000_000)
    fifo = register / "pipe.csv"
    if not fifo.exists():
        os.mkfifo(fifo)  # a reader that opened it would wait for ever
    # the same limits without an alias (a tree, measured level by level): 200,005 values in 800 KB, and 100 nested
    # lists, one level fewer than the text's nesting check refuses, whose innermost value is the 101st level
    many = folder / "rules" / "many_values"
    many.mkdir(parents=True, exist_ok=True)
    (many / "many.yaml").write_text("rules: []\nextra:\n" + "- 1\n" * 200_000, encoding="utf-8")
    deep_tree = folder / "rules" / "deep_tree"
    deep_tree.mkdir(parents=True, exist_ok=True)
    (deep_tree / "deep.yaml").write_text("[" * 100 + "1" + "]" * 100 + "\n", encoding="utf-8")
    alias_deep = folder / "rules" / "alias_deep"
    alias_deep.mkdir(parents=True, exist_ok=True)  # a `not` chain 300 deep in 301 short lines
    (alias_deep / "deep.yaml").write_text("a0: &a0 {field: stage, eq: 1}\n" + "".join(f"a{i}: &a{i} {{not: *a{i - 1}}}\n" for i in range(1, 301)),
                                          encoding="utf-8")


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for cell in sheet["E"][1:] + sheet["F"][1:] + sheet["G"][1:]:
        cell.number_format = "dd/mm/yyyy"
    book.save(path)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
