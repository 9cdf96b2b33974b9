"""Hostile cells through every output format: whatever a register, a mapping or a policy holds, `chc assess` writing
all nine formats exits 0 or 2 (never 1, which is the gate's, nor 3, an internal error), prints no traceback, and no
output or message carries the telephone numbers, e-mail addresses and names planted in the input.

The suite runs 25 examples; `CHC_FUZZ_SCALE=120 python -m pytest -n 0 tests/test_fuzz_outputs.py` runs 3,000
(docs/ci.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import xml.dom.minidom
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from conftest import example_policy, readable_text

EXAMPLES = max(1, round(25 * float(os.environ.get("CHC_FUZZ_SCALE", "1"))))
SETTINGS = settings(max_examples=EXAMPLES, deadline=dt.timedelta(seconds=10), database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMATS = ("table", "json", "md", "html", "docx", "xlsx", "csv", "junit", "sarif")
HEADER = ["case_id", "contact_type", "stage", "escalated_from", "organisation", "service_area", "themes", "tenure",
          "received_date", "acknowledged_date", "response_date", "outcome", "handler", "compensation_offered", "remedy"]
TEMPLATE = [
    ["C1", "complaint", "1", "", "HDC", "Repairs", "damp", "lcra", "2024-05-07", "2024-05-08", "2024-05-20", "upheld", "CO-01", "50", "apology"],
    ["C2", "complaint", "2", "C1", "HDC", "Repairs", "damp", "lcra", "2024-05-22", "2024-05-23", "2024-06-10", "upheld", "CO-02", "", ""],
    ["C3", "complaint", "1", "", "HRL", "Voids", "fencing", "lcho", "07/06/2024", "10/06/2024", "", "", "CO-03", "", ""],
    ["C4", "service_request", "", "", "HDC", "Repairs", "", "lcra", "2024-07-01", "", "", "", "", "", ""],
    ["C5", "complaint", "1", "", "HDC", "Income", "rent_charges", "lcra", "2024-08-01", "2024-08-02", "2024-08-09", "not_upheld", "CO-01", "", ""],
]
# a resident's telephone numbers and e-mail addresses planted in the register: none may come out, whatever else happens
PLANTED = ["07700 900123", "+44 (0)20 7946 0958", "(020) 7946 0958", "mary.obrien@example.com", "o.neil＠example"]
CONTROL = st.sampled_from([chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))])
CONFUSABLE = {"a": "а", "e": "е", "o": "о", "N": "Ｎ"}  # Cyrillic and full-width look-alikes

odd_text = st.one_of(
    st.text(max_size=20),
    st.lists(CONTROL, min_size=1, max_size=5).map("".join).map(lambda c: f"HDC{c}ok"),
    st.integers(200, 5000).map(lambda n: "x" * n),
    st.sampled_from(["'", "''", "|", "![x](http://x)", "<b>x</b>", "=1+1", "@SUM(A1)", "-1", "😀", "\u202e"]),
)
hostile_text = st.one_of(
    odd_text,
    st.sampled_from(PLANTED).map(lambda p: f"Mrs O'Brien '{p}' called"),
    st.sampled_from(PLANTED),
)
extreme_number = st.sampled_from(["1e308", "-0", "1e-300", "999999999999999999999", "1e27", "NaN", "0x10", "1,000", "£50"])
extreme_date = st.sampled_from(["0001-01-01", "9999-12-31", "31/12/9999", "29/02/2023", "2024-02-29", "00/00/0000", "1900-01-01"])
TEXT_COLUMNS = ["case_id", "escalated_from", "organisation", "service_area", "themes", "handler", "remedy", "outcome", "tenure"]


@st.composite
def register(draw) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """The template with hostile cells, and sometimes a heading renamed to a look-alike through a mapping."""
    rows = [list(r) for r in TEMPLATE]
    for _ in range(draw(st.integers(1, 6))):
        row = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["text", "number", "date"]))
        column = draw(st.sampled_from(TEXT_COLUMNS if kind == "text" else ["compensation_offered"] if kind == "number"
                                      else ["received_date", "acknowledged_date", "response_date"]))
        rows[row][HEADER.index(column)] = draw(hostile_text if kind == "text" else extreme_number if kind == "number" else extreme_date)
    header, mapping = list(HEADER), {}
    if draw(st.booleans()):
        column = draw(st.sampled_from(["service_area", "organisation", "themes"]))
        heading = draw(st.sampled_from(["Resident Name", "ResidentName", "Tenant", "Cust Addr", "Area", "Org"]))
        heading = "".join(CONFUSABLE.get(c, c) if draw(st.booleans()) else c for c in heading)
        header[HEADER.index(column)] = heading
        mapping = {column: heading}
    return header, rows, mapping


@SETTINGS
@given(case=register(), landlord=st.one_of(st.just("Harrowden District Council"), odd_text))
def test_every_format_survives_any_cell_and_carries_no_planted_personal_data(case, landlord):
    header, rows, mapping = case
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        (here / "register.csv").write_text(out.getvalue(), encoding="utf-8")
        policy = example_policy()
        policy["landlord"]["name"] = landlord
        (here / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
        args = ["assess", "--policy", str(here / "policy.yaml"), "--register", str(here / "register.csv"), "--period", "2024-25"]
        if mapping:
            (here / "mapping.yaml").write_text(yaml.safe_dump({"columns": mapping}, allow_unicode=True), encoding="utf-8")
            args += ["--mapping", str(here / "mapping.yaml")]
        outputs = [here / f"out.{fmt}" for fmt in FORMATS]
        for fmt, path in zip(FORMATS, outputs, strict=True):
            args += ["--format", fmt, "--output", str(path)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 2), (result.exit_code, result.output)
        assert "Traceback" not in result.output
        texts = [result.output] + ([readable_text(p) for p in outputs] if result.exit_code == 0 else [])
        if result.exit_code != 0:
            assert not any(p.exists() for p in outputs)
        else:  # and each machine-read format still parses
            xml.dom.minidom.parse(str(here / "out.junit"))
            json.loads((here / "out.json").read_text(encoding="utf-8"))
            json.loads((here / "out.sarif").read_text(encoding="utf-8"))
        for text in texts:
            for planted in PLANTED:
                assert planted not in text, planted
