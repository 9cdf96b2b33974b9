"""Personal data never reaches an output or a message: columns outside the contract, headings that name a person,
telephone numbers and e-mail addresses in published columns, free text in category columns, and refused cells."""

from __future__ import annotations

import json

import polars as pl
import pytest
import yaml

from conftest import EXAMPLE, chc, every_output, example_rows, patch_rows, readable_text

PERSONAL = {"resident_name": "Margaret Hollowbrook", "address": "14 Quarry Lane, Harrowden", "email": "m.hollowbrook@example.net",
            "phone": "07700 900123", "notes": "Tenant in tears on the phone about the leak", "description": "Damp behind the wardrobe"}


def test_columns_of_personal_data_never_reach_any_output(tmp_path):
    rows = example_rows().with_columns(*[pl.lit(v).alias(k) for k, v in PERSONAL.items()])
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    for output in every_output(tmp_path, path):
        text = readable_text(output)
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


@pytest.mark.parametrize(("heading", "column"), [
    ("Name", "service_area"), ("ResidentName", "organisation"), ("Tenant", "themes"), ("Cust Addr", "service_area"),
    ("Resident N\u0430me", "organisation"), ("Contact Details", "themes"), ("NI Number", "service_area"),
    ("Date of Birth", "themes"), ("Post Code", "service_area"), ("E-mail", "organisation"), ("National Insurance No", "themes"),
    ("Complaint Description", "themes"), ("Case Notes", "service_area"), ("Mobile", "organisation"),
    ("\uff32\uff45\uff53\uff49\uff44\uff45\uff4e\uff54\uff2e\uff41\uff4d\uff45", "themes"),  # full-width ResidentName
])
def test_a_heading_that_names_a_person_cannot_be_mapped_to_a_published_column(tmp_path, heading, column):
    rows = example_rows().rename({column: heading})
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {column: heading}}, allow_unicode=True), encoding="utf-8")
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--mapping", str(mapping))
    assert out.exit_code == 2 and "which names personal data; chc never reads it" in out.stderr


@pytest.mark.parametrize(("heading", "column"), [
    ("HO Details Given", "ombudsman_details_given"), ("Ombudsman details given", "ombudsman_details_given"),
    ("Contact Type", "contact_type"), ("Tenant Type", "tenure"), ("Home Insurance Claim", "themes"), ("Birthday Survey", "themes"),
])
def test_a_heading_that_only_sounds_personal_is_read(tmp_path, heading, column):
    """Whole words of the personal-data list only: "details", "insurance" or "birth" alone name nothing personal."""
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
    files = every_output(tmp_path, path, "--skip-bad-rows")
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--skip-bad-rows")
    for text in [out.output, *(readable_text(f) for f in files)]:
        for needle in ("O'Brien", "obrien", "O'Neil", "900123"):
            assert needle not in text


def test_published_outputs_name_the_register_by_its_file_name_and_count_ignored_headings(tmp_path):
    rows = example_rows().with_columns(pl.lit("x").alias("Mrs Hollowbrook 07700 900123"))
    path = tmp_path / "register.csv"
    rows.write_csv(path)
    out = chc("assess", "--policy", str(EXAMPLE / "policy.yaml"), "--register", str(path), "--period", "2024-25", "--format", "json")
    register = json.loads(out.stdout)["register"]
    assert register["source"] == "register.csv" and register["ignored_columns"] == 1
    assert "Hollowbrook" not in out.output and "a column whose heading looks like personal data" in out.stderr
