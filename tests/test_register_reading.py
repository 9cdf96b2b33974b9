"""Every register cell read as the user meant it: line endings, encodings, quoting, amounts and workbooks' formulas
and hidden sheets (the messages themselves are in tests/corpus/cases.yaml)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from checker.errors import InputError
from checker.load import csvfile, encoding
from checker.load.amounts import amount
from checker.load.headers import expected
from checker.load.register import ROW, load_register, read_raw

TEXT = ("case_id,contact_type,stage,received_date,remedy,compensation_offered\n"
        "A1,complaint,1,2024-05-07,\"apology;\nexplanation\",\"£1,250.50\"\n"
        "A2,enquiry,,2024-05-08,,\n")


def _read(path: Path, **options) -> pl.DataFrame:
    return load_register(path, **options).frame


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("codec,mark", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                        ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_every_line_ending_and_marked_encoding_reads_the_same_cells(tmp_path, ending, codec, mark):
    path = tmp_path / "register.csv"
    path.write_bytes(mark + TEXT.replace("\n", ending).encode(codec))
    frame = _read(path)
    assert frame["case_id"].to_list() == ["A1", "A2"]
    assert frame[ROW].to_list() == [2, 3]
    assert frame["remedy"][0] == f"apology;{ending}explanation"  # a cell's own line break is kept
    assert frame["compensation_offered"].to_list() == [1250.5, None]


def test_a_windows_csv_is_read_only_when_declared(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(TEXT.replace("apology", "Résumé").encode("cp1252"))
    with pytest.raises(InputError, match=r":2: the file is not UTF-8 text \(byte 0xE9\)"):
        _read(path)
    frame = _read(path, encoding="cp1252")
    assert frame["remedy"][0] == "Résumé;\nexplanation"
    assert frame["compensation_offered"][0] == 1250.5


def test_the_first_bad_byte_is_told_by_its_line_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(encoding, "CHUNK", 16)  # the line count carries from chunk to chunk
    path = tmp_path / "register.csv"
    rows = "".join(f"A{i},enquiry,2024-05-07\n" for i in range(40))
    path.write_bytes(("case_id,contact_type,received_date\n" + rows).encode() + b"A40,enqu\xe9ry,2024-05-07\n")
    with pytest.raises(InputError) as err:
        _read(path)
    assert err.value.problems[0].row == 42


def test_a_plain_utf8_csv_is_read_from_its_path_never_whole_in_python(tmp_path, monkeypatch):
    path = tmp_path / "register.csv"
    path.write_text(TEXT, encoding="utf-8")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole"))
    assert _read(path).height == 2


def test_commas_inside_quotes_are_counted_across_chunks(tmp_path, monkeypatch):
    """The streaming proof that every row is whole: a quoted comma split from its quotes by a chunk's end is
    still inside them, so a whole file passes and a short row is still caught."""
    monkeypatch.setattr(csvfile, "CHUNK", 7)
    whole = "case_id,contact_type,received_date,remedy\n" + "".join(
        f'"A{i}","enquiry","2024-05-07","apology, repair"\n' for i in range(20))
    assert csvfile._unquoted_commas(_write(tmp_path / "a.csv", whole), 0) == 3 * 21
    short = whole + '"A20","enquiry","2024-05-07"\n'
    with pytest.raises(InputError, match=r":22: the row has 3 fields but the header has 4"):
        _read(_write(tmp_path / "b.csv", short))


def test_bad_rows_are_found_block_by_block_and_the_others_read(tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile, "BLOCK", 2)
    text = ("case_id,contact_type,received_date\n" + "A1,enquiry,2024-05-07\n" + 'A2,"enquiry,2024-05-08\n'
            + "A3,enquiry,2024-05-09,x\n" + "A4,enquiry,2024-05-10\n" + 'A5,enq"uiry,2024-05-11\n' + "A6,enquiry\n"
            + "A7,enquiry,2024-05-12\n")
    register = load_register(_write(tmp_path / "r.csv", text), skip_bad_rows=True)
    assert register.frame["case_id"].to_list() == ["A1", "A4", "A7"]
    assert register.frame[ROW].to_list() == [2, 5, 8]
    assert [(p.row, p.field) for p in register.skipped] == [(3, "contact_type"), (4, None), (6, "contact_type"), (7, None)]
    assert register.counts()["rows_read"] == 7 and register.rows_assessed == 3
    assert register.skipped_rows[1] == (4, ["the row has 4 fields but the header has 3 (a comma or line break in a cell "
                                            "that is not in double quotes?)"])


def test_a_file_of_bad_rows_only_is_refused_with_them(tmp_path):
    with pytest.raises(InputError) as err:
        load_register(_write(tmp_path / "r.csv", "case_id,contact_type,received_date\nA1,x\nA2,y\n"), skip_bad_rows=True)
    assert [p.row for p in err.value.problems] == [2, 3]


@pytest.mark.parametrize("text,pounds", [("1000", 1000), ("1000.50", 1000.5), ("1,000", 1000), ("1,000.00", 1000),
                                         ("£1,000", 1000), ("£1,000.00", 1000), ("£0.5", 0.5), ("-£50", -50),
                                         ("1,234,567", 1234567), ("1,0,0", None), ("10,00", None), ("1.000", None),
                                         ("1e3", None), ("£ 50", None), (",100", None), ("1,000,00", None),
                                         ("£", None), ("NaN", None), ("inf", None), ("50p", None)])
def test_the_amount_grammar(text, pounds):
    assert pl.select(amount(pl.lit(text))).item() == pounds


def test_a_json_key_given_twice_names_its_record_and_key(tmp_path):
    path = _write(tmp_path / "r.json", '[{"case_id": "A1", "case_id": "A2", "contact_type": "enquiry"},'
                                       ' {"case_id": "A3", "stage": 1, "stage": 2}]')
    with pytest.raises(InputError) as err:
        _read(path)
    assert [(p.row, p.field) for p in err.value.problems] == [(1, "case_id"), (2, "stage")]


def _book(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet["D"][1:]:
            cell.number_format = "dd/mm/yyyy"  # response_date
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


ROWS = [["case_id", "contact_type", "received_date", "response_date", "Days"], ["A1", "enquiry", "2024-05-07", None, None]]


def _saved_by_a_spreadsheet(path: Path, value: bytes) -> Path:
    """The workbook as Excel saves it: each formula with its value, and no request to calculate on opening."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts = {name: re.sub(rb"<v\s*/>|<v></v>", b"<v>" + value + b"</v>", data).replace(b' fullCalcOnLoad="1"', b"")
             for name, data in parts.items()}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_formula_with_its_calculated_value_is_read(tmp_path):
    rows = [ROWS[0], ["A1", "enquiry", "2024-05-07", "=DATE(2024,5,30)", None]]
    path = _saved_by_a_spreadsheet(_book(tmp_path / "r.xlsx", {"Log": rows}), b"45442")  # 30 May 2024 as Excel counts
    assert str(_read(path)["response_date"][0]) == "2024-05-30"


def test_an_uncalculated_formula_in_a_column_chc_does_not_read_is_let_be(tmp_path):
    rows = [ROWS[0], ["A1", "enquiry", "2024-05-07", None, "=TODAY()-C2"]]
    assert _read(_book(tmp_path / "r.xlsx", {"Log": rows})).height == 1


def test_a_hidden_sheet_is_passed_over_and_told_unless_named(tmp_path):
    path = _book(tmp_path / "r.xlsx", {"Old": [ROWS[0], ["X9", "enquiry", "2019-05-07"]], "Log": ROWS}, hidden=("Old",))
    raw = read_raw(path, None, expected(None))
    assert raw.frame["case_id"].to_list() == ["A1"]
    assert [p.message for p in raw.notes] == ["sheet 'Old' is hidden, so the register was read from 'Log', the first "
                                              "visible sheet; pass --sheet Old to read a hidden one"]
    named = read_raw(path, "Old", expected(None))
    assert named.frame["case_id"].to_list() == ["X9"] and named.notes == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
