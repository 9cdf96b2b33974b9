"""The two published council reports in ../shared/seeds, reproduced from registers rebuilt from their figures.

tests/fixtures/make_seed_registers.py builds the registers; its READMEs map each seed figure to the data.
Seed 000 is a 2023-24 annual report (sections 5.6-5.14); seed 004 a Q1-Q2 2024-25 update by organisation.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.report.documents import whole_pct
from cli import main
from conftest import EPOCH, ROOT

SEEDS = ROOT / "tests" / "fixtures"


def run(seed: str, *args: str, fmt: str = "json") -> str:
    folder = SEEDS / seed
    out = CliRunner().invoke(main, ["report", "--policy", str(folder / "policy.yaml"), "--register", str(folder / "register.csv"),
                                    "--format", fmt, *args], env=EPOCH)
    assert out.exit_code == 0, out.output
    return out.stdout


@pytest.fixture(scope="module")
def seed000() -> dict:
    return json.loads(run("seed000", "--period", "2023-24", "--compare", "previous-year"))


@pytest.fixture(scope="module")
def seed004() -> dict:
    return json.loads(run("seed004", "--period", "2024-04-01:2024-09-30", "--as-of", "2024-09-30",
                          "--by", "quarter", "--by", "organisation", "--compare", "previous-year"))


def test_seed000_contacts_5_6_to_5_8(seed000):
    by_type = seed000["contacts"]["by_type"]
    assert seed000["contacts"]["total"] == 259
    assert [by_type[k]["count"] for k in ("stage1", "stage2", "mp_enquiry", "service_request")] == [36, 7, 113, 103]
    mp = seed000["contacts"]["by_service_area"]["mp_enquiry"][0]
    assert (mp["name"], mp["count"], whole_pct(mp["count"], 113)) == ("Allocations", 62, "55%")
    requests = [(r["name"], r["count"], whole_pct(r["count"], 103)) for r in seed000["contacts"]["by_service_area"]["service_request"][:2]]
    assert requests == [("Repairs / Maintenance", 40, "39%"), ("Neighbourhoods", 27, "26%")]


def test_seed000_stage_one_table_and_outcomes_5_9_and_5_11(seed000):
    table = [(r["name"], r["count"], whole_pct(r["count"], 36)) for r in seed000["stage1"]["by_service_area"]]
    assert table == [("Repairs / Maintenance", 14, "39%"), ("Housing Property Services (HPS)", 10, "28%"),
                     ("Allocations", 5, "14%"), ("Neighbourhoods", 5, "14%"), ("Tenancy Services", 2, "6%")]
    outcomes = seed000["stage1"]["by_outcome"]
    assert [(outcomes[k]["count"], whole_pct(outcomes[k]["count"], 36)) for k in ("upheld", "partially_upheld", "not_upheld")] \
        == [(19, "53%"), (7, "19%"), (10, "28%")]
    assert seed000["previous"]["stage1"]["received"] == 29  # "last year's figure, where 29 were received"


def test_seed000_stage_two_and_escalation_5_12(seed000):
    assert whole_pct(seed000["stage2"]["received"], seed000["stage1"]["received"]) == "19%"
    assert seed000["escalation_rate_pct"] == 19.4
    areas = {r["name"]: r["count"] for r in seed000["stage2"]["by_service_area"]}
    assert areas == {"Allocations": 3, "Repairs / Maintenance": 2, "Housing Property Services (HPS)": 1, "Multiple service areas": 1}
    outcomes = seed000["stage2"]["by_outcome"]
    assert [outcomes[k]["count"] for k in ("upheld", "partially_upheld", "not_upheld")] == [2, 2, 3]
    assert whole_pct(outcomes["not_upheld"]["count"], seed000["stage2"]["received"]) == "43%"


def test_seed000_response_times_5_13_and_tsms_5_14(seed000):
    s1, s2, tsm = seed000["stage1"], seed000["stage2"], seed000["tsm"]
    assert (s1["within_timescale"]["count"], s1["within_timescale"]["of"]) == (30, 36)
    assert [whole_pct(s["count"], s["of"]) for s in (s1["within_timescale"], s2["within_timescale"],
                                                      s1["including_extensions"], s2["including_extensions"])] == ["83%", "86%", "92%", "100%"]
    assert (tsm["CH01"]["stage1_per_1000_homes"], tsm["CH01"]["stage2_per_1000_homes"]) == (7.15, 1.39)
    assert (tsm["CH02"]["stage1_within_timescale_pct"], tsm["CH02"]["stage2_within_timescale_pct"]) == (83.3, 85.7)
    assert seed000["benchmarks"]["medians"] == {"CH01_1": 19.4, "CH01_2": 2.4, "CH02_1": 85, "CH02_2": 82, "TP09": 34}
    assert seed000["ombudsman"]["determinations"] == 1 and seed000["ombudsman"]["findings"]["outside_jurisdiction"] == 1


def test_seed000_document_states_the_reports_figures():
    text = run("seed000", "--period", "2023-24", "--compare", "previous-year", fmt="md")
    for figure in ("7.15", "1.39", "| 19.4", "83%", "86%", "92%", "100%", "41%", "| Repairs / Maintenance", "36 (29)"):
        assert figure in text, figure
    assert "| No. of Stage 1 complaints | 19 | 7 | 10 |" in text and "| Percentage | 53% | 19% | 28% |" in text
    assert "| Repairs / Maintenance | 14 | 39% |" in text
    # seed 000 gives no homes by tenure: CH01 per tenure is not known, all homes beside it
    assert "| CH01(2) Stage 2 complaints received per 1,000 homes | not known | not known | 1.39 (0.00) | 2.4 |" in text


def group(data: dict, **key: str) -> dict:
    return next(g for g in data["groups"] if g["key"] == key)


@pytest.mark.parametrize("quarter,organisation,stage,received,before,upheld", [
    ("2024-25-Q1", "OCC", 1, 62, 29, 32), ("2024-25-Q1", "ODS", 1, 51, 0, 23),
    ("2024-25-Q2", "OCC", 1, 31, 22, 6), ("2024-25-Q2", "ODS", 1, 37, 0, 27),
    ("2024-25-Q1", "OCC", 2, 9, 0, 4), ("2024-25-Q1", "ODS", 2, 4, 0, 1),
    ("2024-25-Q2", "OCC", 2, 10, 2, 7), ("2024-25-Q2", "ODS", 2, 2, 0, 0),
])
def test_seed004_quarter_tables_by_organisation(seed004, quarter, organisation, stage, received, before, upheld):
    g = group(seed004, quarter=quarter, organisation=organisation)
    assert g["figures"][f"stage{stage}"]["received"] == received
    assert g["previous"][f"stage{stage}"]["received"] == before
    assert g["figures"][f"stage{stage}"]["by_outcome"]["upheld"]["count"] == upheld


def test_seed004_refusals_compensation_and_open_cases(seed004):
    q2 = group(seed004, quarter="2024-25-Q2", organisation="OCC")["figures"]
    assert q2["refused"]["by_reason"] == {"service_request": 2, "duplicate": 1, "out_of_time": 1}
    assert group(seed004, quarter="2024-25-Q2", organisation="ODS")["figures"]["refused"]["by_reason"] == {"not_a_complaint": 1}
    assert seed004["compensation"]["by_quarter"] == {"2024-25-Q1": 7387.64, "2024-25-Q2": 4270.77}
    assert group(seed004, quarter="2024-25-Q1", organisation="OCC")["figures"]["compensation"]["total"] == 7387.64
    assert group(seed004, quarter="2024-25-Q2", organisation="OCC")["figures"]["stage2"]["open_at_end"] == 2


def test_seed004_damp_and_mould_escalates_out_of_proportion():
    occ = json.loads(run("seed004", "--period", "2024-04-01:2024-09-30", "--as-of", "2024-09-30", "--by", "organisation"))
    figures = group(occ, organisation="OCC")["figures"]
    damp = {t["theme"]: t for t in figures["themes"]}["damp_mould"]
    assert (damp["stage2_count"], damp["stage1_count"]) == (8, 19)
    assert (figures["stage2"]["received"], figures["stage1"]["received"]) == (19, 93)
    assert (whole_pct(damp["stage2_count"], figures["stage2"]["received"]), whole_pct(damp["stage1_count"], figures["stage1"]["received"])) \
        == ("42%", "20%")
    assert (damp["stage2_pct"], damp["stage1_pct"]) == (42.1, 20.4)
    assert damp["escalates_out_of_proportion"]


def test_seed004_document_shows_last_years_quarter_in_brackets():
    text = run("seed004", "--period", "2024-04-01:2024-09-30", "--as-of", "2024-09-30", "--by", "quarter", "--by", "organisation",
               "--compare", "previous-year", fmt="md")
    for cell in ("| OCC", "62 (29)", "31 (22)", "10 (2)", "Investigations started", "£7,387.64", "£4,270.77"):
        assert cell in text, cell
