"""Every row accounted for (--skip-bad-rows), no personal data in anything chc writes, byte-identical reruns."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest
import yaml

from conftest import EXAMPLE, chc, example_rows, patch_rows

STAMP = ["--generated-at", "2025-05-01T09:00:00Z"]
ASSESS_FORMATS = ("table", "json", "md", "html", "docx", "xlsx", "csv", "junit", "sarif")
REPORT_FORMATS = ("json", "md", "html", "docx")
PERSONAL = {"resident_name": "Margaret Hollowbrook", "address": "14 Quarry Lane, Harrowden", "email": "m.hollowbrook@example.net",
            "phone": "07700 900123", "notes": "Tenant in tears on the phone about the leak", "description": "Damp behind the wardrobe"}


def _outputs(tmp_path: Path, register: Path, *extra: str, tag: str = "") -> list[Path]:
    """Write every format of assess, report and annual-report to tmp_path and return the files."""
    base = ["--policy", str(EXAMPLE / "policy.yaml"), "--register", str(register), "--period", "2024-25", *STAMP, *extra]
    files = []
    pairs = []
    for fmt in ASSESS_FORMATS:
        files.append(tmp_path / f"assess{tag}.{fmt}")
        pairs += ["--format", fmt, "--output", str(files[-1])]
    out = chc("assess", *base, *pairs)
    assert out.exit_code == 0, out.output
    for command in ("report", "annual-report"):
        pairs = []
        for fmt in REPORT_FORMATS:
            files.append(tmp_path / f"{command}{tag}.{fmt}")
            pairs += ["--format", fmt, "--output", str(files[-1])]
        out = chc(command, *base, "--by", "quarter", "--compare", "previous-year", *pairs)
        assert out.exit_code == 0, out.output
    return files


def _text(path: Path) -> str:
    """What a reader could see in a file: Office files are zips of XML."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")


@pytest.fixture
def bad_register(tmp_path) -> Path:
    """The example with an impossible date on a stage 1 case (whose stage 2 then hangs loose) and an unknown outcome."""
    rows = patch_rows(example_rows(), {"HRL-24-0002": {"received_date": "31/02/2024"}, "HDC-24-0003": {"outcome": "sorted"}})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    return path


def test_bad_rows_stop_the_run_by_default_with_every_problem(bad_register):
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(bad_register), "--period", "2024-25")
    assert out.exit_code == 2
    assert "received_date: is not a valid date" in out.stderr and "outcome: must be one of" in out.stderr
    assert "31/02/2024" not in out.stderr and "sorted" not in out.stderr  # a refused cell is never repeated


def test_skip_bad_rows_accounts_for_every_row_in_every_output(tmp_path, bad_register):
    import json

    files = _outputs(tmp_path, bad_register, "--skip-bad-rows")
    data = json.loads((tmp_path / "assess.json").read_text())["register"]
    assert data["rows_read"] == 420 == data["rows_assessed"] + data["rows_skipped"]
    skipped = {r["row"]: r["reasons"] for r in data["skipped_rows"]}
    rows = example_rows()["case_id"].to_list()
    child = rows.index("HRL-24-0009") + 2  # the stage 2 escalated from the bad stage 1: skipped with it
    assert sorted(skipped) == sorted([rows.index("HRL-24-0002") + 2, rows.index("HDC-24-0003") + 2, child])
    assert skipped[child] == ["escalated_from: is not a case_id in the register"]
    assert all("31/02/2024" not in reason for reasons in skipped.values() for reason in reasons)  # no cell content
    for path in files:
        assert (f'"row": {child}' if path.suffix == ".json" else f"row {child}") in _text(path), path.name
    report = json.loads((tmp_path / "report.json").read_text())["register"]
    assert report["rows_read"] == report["rows_assessed"] + report["rows_skipped"] == 420


def test_columns_of_personal_data_never_reach_any_output(tmp_path):
    rows = example_rows().with_columns(*[pl.lit(v).alias(k) for k, v in PERSONAL.items()])
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    for output in _outputs(tmp_path, path):
        text = _text(output)
        for column, value in PERSONAL.items():
            assert value not in text, (output.name, column)


def test_a_mapping_cannot_read_personal_data_into_a_published_column(tmp_path):
    rows = example_rows().rename({"themes": "Tenant Notes"})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {"themes": "Tenant Notes"}}))
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25",
               "--mapping", str(mapping))
    assert out.exit_code == 2
    assert f"{mapping}:2:columns.themes: maps themes to 'Tenant Notes', which names personal data; chc never reads it" in out.stderr


@pytest.mark.parametrize(("column", "cell", "what"), [
    ("service_area", "Repairs (call 07700 900123)", "a telephone number"),
    ("service_area", "Repairs +44 (0)20 7946 0958", "a telephone number"),
    ("organisation", "(020) 7946 0958", "a telephone number"),
    ("themes", "damp;020.7946.0958", "a telephone number"),
    ("themes", "damp;m.hollowbrook@example.net", "an e-mail address"),
    ("handler", "mary＠example", "an e-mail address"),  # a full-width at sign, and no dot
    ("service_area", "Repairs ０７７００ ９００１２３", "a telephone number"),  # full-width digits
    ("case_id", "07700900123", "a telephone number"),
    ("case_id", "+44 20 7946 0958", "a telephone number"),
])
def test_an_email_or_phone_in_a_published_column_is_refused_without_repeating_it(tmp_path, column, cell, what):
    rows = patch_rows(example_rows(), {"HDC-24-0005": {column: cell}})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25")
    assert out.exit_code == 2
    row = example_rows()["case_id"].to_list().index("HDC-24-0005") + 2
    assert f"{path}:{row}:{column}: looks like personal data ({what})" in out.stderr
    assert cell not in out.output and cell.split(";")[-1] not in out.output


def test_a_category_column_of_free_text_is_refused(tmp_path):
    rows = example_rows().with_columns((pl.lit("Tenant ") + pl.col("case_id")).alias("service_area"))
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25")
    assert out.exit_code == 2
    assert "service_area: the column's values are nearly all different, each used once: it looks like free text" in out.stderr
    assert "Tenant HDC" not in out.output


def test_the_example_categories_are_not_free_text(tmp_path):
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(EXAMPLE / "register.csv"), "--period", "2024-25")
    assert out.exit_code == 0 and "free text" not in out.stderr


def test_the_same_input_gives_byte_identical_files_in_every_format(tmp_path):
    first = _outputs(tmp_path, EXAMPLE / "register.csv", tag="-1")
    second = _outputs(tmp_path, EXAMPLE / "register.csv", tag="-2")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert '"generated_at": "2025-05-01T09:00:00+00:00"' in (tmp_path / "assess-1.json").read_text()


def test_a_bad_generated_at_is_a_usage_error():
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(EXAMPLE / "register.csv"),
               "--period", "2024-25", "--generated-at", "yesterday")
    assert out.exit_code == 2 and "'yesterday' is not a date and time" in out.output


def test_day_first_dates_are_not_guessed_when_the_column_also_holds_month_first_ones(tmp_path):
    rows = patch_rows(example_rows(), {"HDC-23-0001": {"issue_date": "07/25/2023"}, "HDC-23-0002": {"issue_date": "05/04/2023"},
                                       "HDC-23-0003": {"issue_date": "25/04/2023"}})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25")
    assert out.exit_code == 2
    row = example_rows()["case_id"].to_list().index("HDC-23-0002") + 2
    month_first = example_rows()["case_id"].to_list().index("HDC-23-0001") + 2
    assert (f"{path}:{row}:issue_date: is ambiguous: this column also holds month-first dates (row {month_first}, for one), "
            "so chc will not guess whether it is day-first") in out.stderr
    day_first = example_rows()["case_id"].to_list().index("HDC-23-0003") + 2
    assert f":{day_first}:issue_date" not in out.stderr  # day-first beyond doubt: read as 25 April


@pytest.mark.parametrize("heading", ["Name", "ResidentName", "Tenant", "Cust Addr", "Resident N\u0430me", "Contact Details",
                                     "\uff32\uff45\uff53\uff49\uff44\uff45\uff4e\uff54\uff2e\uff41\uff4d\uff45", "NI Number"])
@pytest.mark.parametrize("column", ["service_area", "organisation", "themes"])
def test_a_heading_that_names_a_person_cannot_be_mapped_to_a_published_column(tmp_path, heading, column):
    rows = example_rows().rename({column: heading})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {column: heading}}, allow_unicode=True), encoding="utf-8")
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--mapping", str(mapping))
    assert out.exit_code == 2 and "which names personal data; chc never reads it" in out.stderr


@pytest.mark.parametrize("heading", ["HO Details Given", "Ombudsman details given", "Contact Type", "Tenant Type"])
def test_a_heading_that_only_sounds_personal_is_read(tmp_path, heading):
    column = "ombudsman_details_given" if "etails" in heading else "contact_type" if "Contact" in heading else "tenure"
    rows = example_rows().rename({column: heading})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {column: heading}}))
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--mapping", str(mapping))
    assert out.exit_code == 0, out.stderr


def test_skipped_rows_never_carry_the_personal_data_that_made_them_bad(tmp_path):
    leaks = {"HDC-24-0005": {"service_area": "Mrs O'Brien mary.obrien@example.com"},
             "HDC-24-0006": {"outcome": "Mr O'Neil tel 07700 900123"}}
    rows = patch_rows(example_rows(), leaks)
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    files = _outputs(tmp_path, path, "--skip-bad-rows")
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--skip-bad-rows")
    for text in [out.output, *(_text(f) for f in files)]:
        for needle in ("O'Brien", "obrien", "O'Neil", "900123"):
            assert needle not in text


def test_published_outputs_name_the_register_by_its_file_name_and_count_ignored_headings(tmp_path):
    import json

    rows = example_rows().with_columns(pl.lit("x").alias("Mrs Hollowbrook 07700 900123"))
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--format", "json")
    register = json.loads(out.stdout)["register"]
    assert register["source"] == "register.csv" and register["ignored_columns"] == 1
    assert "Hollowbrook" not in out.output and "a column whose heading looks like personal data" in out.stderr
