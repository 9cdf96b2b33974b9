"""`chc submission`: the annual submission pack from one run, and a checklist that says exactly what is missing."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from test_publishable import UNPUBLISHABLE, text_of

from checker.render import pdf
from checker.render.pdf import PdfUnavailable
from checker.report.submission import deadline
from conftest import EXAMPLE, STAMP, chc, example_policy, write_policy

DOCUMENTS = ("self-assessment.docx", "self-assessment.html", "annual-report.docx", "annual-report.html", "governing-body-response.docx",
             "tsm-return.csv", "tsm-return.xlsx")
# the example's 2024-25 answers No to these, each with an action, owner and date in its policy
NOS = {"2.1", "2.3", "2.4", "5.14", "5.15", "6.2", "6.3", "6.4", "6.5", "6.13", "6.14", "7.1", "7.3", "9.7", "9.8"}


def _submission(folder: Path, policy: Path = EXAMPLE / "policy.yaml", *extra: str, period: str = "2024-25"):
    return chc("submission", "--policy", policy, "--register", EXAMPLE / "register.csv", "--period", period,
               "--output-dir", folder, *STAMP, *extra)


@pytest.fixture(scope="module")
def complete(tmp_path_factory):
    folder = tmp_path_factory.mktemp("complete") / "submission-2024-25"
    return folder, _submission(folder)


@pytest.fixture(scope="module")
def without(tmp_path_factory):
    """The example's policy with no sign-off and no remediation plan."""
    base = tmp_path_factory.mktemp("without")
    data = example_policy()
    del data["self_assessment"], data["remediation_plan"]
    folder = base / "pack"
    return folder, _submission(folder, write_policy(base, data=data))


def _missing(checklist: str) -> list[str]:
    """The Missing list as a reader sees it: Markdown's backslash escapes (chc[pdf] is written chc\\[pdf\\]) read."""
    return [re.sub(r"\\(.)", r"\1", line[2:]) for line in checklist.split("## Missing\n\n", 1)[1].splitlines() if line.startswith("- ")]


def test_the_tsm_workbook_carries_the_run_stamp_not_the_clock(complete):
    """--generated-at fixes the files' own dates, so the same run gives the same bytes (openpyxl stamps the clock on save)."""
    folder, _ = complete
    with zipfile.ZipFile(folder / "tsm-return.xlsx") as book:
        core = book.read("docProps/core.xml").decode()
    assert "<dcterms:created" in core and core.count("2025-05-01T09:00:00Z") == 2, core  # created and modified


def test_the_example_pack_is_complete(complete):
    folder, out = complete
    assert out.exit_code == 0, out.output
    for name in (*DOCUMENTS, "checklist.md"):
        assert (folder / name).stat().st_size > 1000 or name.endswith(".csv"), name
    checklist = (folder / "checklist.md").read_text()
    assert checklist in out.stdout  # the same printed in the terminal
    assert "- Deadline: **30 September 2025** (4,210 homes, more than 1,000" in checklist
    assert "- The pack is **complete**." in checklist
    assert "Nothing: the pack is complete." in checklist
    assert "| Approved on | 21 May 2025 | self_assessment.approved_on |" in checklist
    answered_no = {line.split(" | ")[0][2:] for line in checklist.split("## Provisions answered No", 1)[1].split("## Missing")[0].splitlines()
                   if line.startswith("| ") and "|---" not in line and not line.startswith("| Provision")}
    assert answered_no == NOS
    assert "| 6.3 | yes | Head of Housing Services | 30 September 2025 |" in checklist


def test_a_policy_without_sign_off_or_plans_lists_exactly_what_is_missing(without):
    folder, out = without
    assert out.exit_code == 1, out.output
    checklist = (folder / "checklist.md").read_text()
    assert "- The pack is **incomplete, 19 things missing**." in checklist
    missing = _missing(checklist)
    assert missing[:4] == [f"Sign-off: {what} is not given (policy self_assessment.{key})" for what, key in (
        ("completed by", "completed_by"), ("completed on", "completed_on"), ("approved by", "approved_by"), ("approved on", "approved_on"))]
    assert {m.split()[1] for m in missing[4:]} == NOS
    assert all(m.endswith("with no action, owner and target date in the policy's remediation_plan") for m in missing[4:])
    for name in DOCUMENTS:  # incomplete, but every document is still written
        assert (folder / name).exists(), name


def test_the_deadline_for_a_large_and_a_smaller_landlord():
    assert deadline(4210, dt.date(2025, 3, 31))[0] == dt.date(2025, 9, 30)
    assert deadline(4210, dt.date(2024, 12, 31))[0] == dt.date(2025, 9, 30)
    assert deadline(1000, dt.date(2025, 3, 31))[0] == dt.date(2025, 9, 30)  # six months after 31 March
    assert deadline(800, dt.date(2024, 12, 31))[0] == dt.date(2025, 6, 30)
    assert deadline(800, dt.date(2025, 8, 31))[0] == dt.date(2026, 2, 28)  # the month's last day


def test_a_smaller_landlord_with_a_calendar_year_is_due_six_months_after_it(tmp_path):
    policy = write_policy(tmp_path, landlord__homes=800, landlord__homes_by_tenure={"lcra": 760, "lcho": 40})
    out = _submission(tmp_path / "pack", policy, period="2024-01-01:2024-12-31")
    assert out.exit_code == 0, out.output
    assert "- Deadline: **30 June 2025** (800 homes, not more than 1,000: within six months of the financial year's end, " \
           "31 December 2024)." in (tmp_path / "pack" / "checklist.md").read_text()


def test_each_organisation_and_the_whole_add_up(complete):
    folder, _ = complete
    with open(folder / "tsm-return.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    scopes = list(dict.fromkeys(r["Organisation"] for r in rows))
    assert scopes == ["HDC", "HRL", "All organisations"]
    for measure in ("Stage one complaints received", "Stage two complaints received", "Stage one complaints responded to"):
        got = {r["Organisation"]: r for r in rows if r["Description"] == measure}
        for column in ("LCRA", "LCHO", "All homes"):
            assert int(got["HDC"][column]) + int(got["HRL"][column]) == int(got["All organisations"][column]), (measure, column)
    whole = {r["Description"]: r for r in rows if r["Organisation"] == "All organisations"}
    assert whole["Number of stage one complaints received per 1,000 homes"]["All homes"] == "16.39"  # 69 of 4,210 homes
    assert whole["Homes (the CH01 denominator)"]["LCRA"] == "3905"
    by_org = next(r for r in rows if r["Organisation"] == "HDC" and r["Measure"] == "CH01(1)")
    assert by_org["All homes"] == "Not known"  # an organisation's homes are not in the policy
    annual = text_of(folder / "annual-report.docx")
    assert "HDC" in annual and "HRL" in annual
    assert "Covers 2 organisations under one complaints policy: HDC, HRL" in (folder / "checklist.md").read_text()


def test_the_published_documents_carry_nothing_a_council_could_not_publish(complete):
    folder, _ = complete
    found = []
    for name in DOCUMENTS:
        text = text_of(folder / name)
        for what, pattern in UNPUBLISHABLE.items():
            found += [f"{name}: {what} '{m.group()}'" for m in pattern.finditer(text)]
    assert not found, "\n".join(found[:20])
    response = text_of(folder / "governing-body-response.docx")
    assert "[The statement of the Member Responsible for Complaints (Cabinet Member for Housing), on behalf of Cabinet" in response
    assert "The Chair of Cabinet" in response and "6.3" in response and "30 September 2025" in response


def test_without_pdf_the_checklist_says_why_and_the_exit_is_1(tmp_path, monkeypatch):
    def unavailable():
        raise PdfUnavailable(pdf.INSTALL)

    monkeypatch.setattr(pdf, "weasyprint", unavailable)
    out = _submission(tmp_path / "pack")
    assert out.exit_code == 1, out.output
    assert not (tmp_path / "pack" / "self-assessment.pdf").exists()
    assert _missing((tmp_path / "pack" / "checklist.md").read_text()) == [
        f"{stem}.pdf: not written: {pdf.INSTALL}" for stem in ("self-assessment", "annual-report")]


def test_a_folder_holding_files_is_refused_without_force(complete, tmp_path):
    folder, _ = complete
    out = _submission(folder)
    assert out.exit_code == 2 and "already holds files" in out.output
    stale = tmp_path / "pack"
    stale.mkdir()
    (stale / "self-assessment.pdf").write_text("from an earlier run")
    (stale / "notes.txt").write_text("the officer's own")
    assert _submission(stale).exit_code == 2


def test_force_replaces_the_pack_and_removes_a_stale_pdf(tmp_path, monkeypatch):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "self-assessment.pdf").write_text("from an earlier run")
    (folder / "notes.txt").write_text("the officer's own")
    monkeypatch.setattr(pdf, "weasyprint", lambda: (_ for _ in ()).throw(PdfUnavailable(pdf.INSTALL)))
    out = _submission(folder, EXAMPLE / "policy.yaml", "--force")
    assert out.exit_code == 1, out.output
    assert not (folder / "self-assessment.pdf").exists()
    assert (folder / "notes.txt").read_text() == "the officer's own"
    assert (folder / "checklist.md").exists()


@pytest.mark.parametrize("period", ["2024-25-Q2", "2024-04-01:2024-09-30"])
def test_a_submission_covers_a_whole_year(tmp_path, period):
    out = _submission(tmp_path / "pack", period=period)
    assert out.exit_code == 2 and "a submission covers a whole financial year" in out.output
    assert not (tmp_path / "pack").exists()


def test_bad_input_is_exit_2_and_writes_nothing(tmp_path):
    policy = write_policy(tmp_path, landlord__homes="many")
    out = _submission(tmp_path / "pack", policy)
    assert out.exit_code == 2, out.output
    assert "landlord" in out.output and not (tmp_path / "pack").exists()
