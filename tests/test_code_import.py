"""`chc code import`: the Ombudsman's self-assessment form, as a landlord downloads it, read into a --code catalogue.

Every form here is built as the Ombudsman lays it out (a Word table per Code section under the form's five
headings, section 6 with its "Stage 1" and "Stage 2" rows across the table), with wording that differs from chc's
paraphrase, so that a test can see which text reached the catalogue and the Appendix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from checker.load.catalogue import load_catalogue
from checker.load.resources import default_code
from conftest import EPOCH, EXAMPLE_ARGS, chc

COLUMNS = ("Code provision", "Code requirement", "Comply: Yes / No", "Evidence", "Commentary / explanation")
BASE = load_catalogue(default_code())
# the form's own words for a few provisions: two paragraphs, a lettered list, and a provision chc marks uncertain
UNCERTAIN = next(p.id for p in BASE.ordered() if p.uncertain)
WORDS = {
    "1.2": ["A complaint must be defined as: 'an expression of dissatisfaction, however made, about the standard of "
            "service, actions or lack of action by the organisation'.", "Residents do not have to use the word complaint."],
    "2.2": ["Acceptable exclusions include:", "a) the issue giving rise to the complaint occurred over twelve months ago;",
            "b) legal proceedings have started; and", "c) matters that have previously been considered under the complaints policy."],
    UNCERTAIN: ["Wording of the form for this provision, which chc could not verify."],
}


def form(path: Path, words: dict[str, list[str]] | None = None, numbers: dict[str, str] | None = None,
         leave_out: tuple[str, ...] = (), add: tuple[str, ...] = ()) -> Path:
    """A form-shaped DOCX: a title and the preamble, a table per section with the form's headings (section 6's stages
    as rows across its table), and a sign-off table that is not a provision table. `words` gives provisions' text
    (a paragraph each; the others read "Form text of N." with their number), `numbers` how a provision's number is
    written, `leave_out` provisions not in it and `add` provisions appended to section 9's table."""
    words = {**WORDS, **(words or {})}
    doc = Document()
    doc.add_heading("Complaint Handling Code self-assessment form", level=0)
    doc.add_paragraph("This self-assessment form should be completed by the complaints officer.")
    table, section, stage = None, None, None
    for provision in BASE.ordered():
        if provision.section != section:
            section = provision.section
            title = next(s["title"] for s in BASE.sections if s["number"] == section)
            doc.add_heading(f"Section {section} – {title}", level=1)
            table = doc.add_table(rows=1, cols=len(COLUMNS))
            for cell, heading in zip(table.rows[0].cells, COLUMNS, strict=True):
                cell.text = heading
        if provision.part and provision.part != stage:
            stage = provision.part
            row = table.add_row()
            row.cells[0].merge(row.cells[-1]).text = provision.part.replace("_", " ").capitalize()
        if provision.id not in leave_out:
            _row(table, (numbers or {}).get(provision.id, provision.id), words.get(provision.id, [f"Form text of {provision.id}."]))
    for number in add:
        _row(table, number, [f"Form text of {number}."])
    doc.add_heading("Sign-off", level=1)
    sign_off = doc.add_table(rows=2, cols=2)
    sign_off.rows[0].cells[0].text, sign_off.rows[1].cells[0].text = "Completed by", "Approved by"
    doc.save(str(path))
    return path


def _row(table, number: str, paragraphs: list[str]) -> None:
    row = table.add_row()
    row.cells[0].text = number
    row.cells[1].text = paragraphs[0]
    for paragraph in paragraphs[1:]:
        row.cells[1].add_paragraph(paragraph)


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Each test works in its own folder, so that messages name the form as a user names it: form.docx."""
    monkeypatch.chdir(tmp_path)


def imported(*args: str | Path):
    out = chc("code", "import", *args, env=EPOCH)
    return out, Path("code")


def test_the_form_round_trips_into_a_catalogue_that_assess_uses():
    source = form(Path("CHC self-assessment form.docx"), numbers={"6.1": "Provision 6.1", "6.2": "6.2 ", "6.3": "6.3."})
    out, code = imported(source, "--output", Path("code"))
    assert out.exit_code == 0, out.output
    assert "holds the wording of the 72 provisions in CHC self-assessment form.docx" in out.stderr
    catalogue = load_catalogue(code)
    assert list(catalogue.provisions) == list(BASE.provisions)
    for provision in catalogue.ordered():
        base = BASE.provisions[provision.id]
        assert provision.requirement == "\n".join(WORDS.get(provision.id, [f"Form text of {provision.id}."]))
        assert (provision.wording, provision.uncertain, provision.uncertainty) == ("official", False, None)
        assert (provision.title, provision.parameters, provision.modal, provision.part) == (base.title, base.parameters, base.modal, base.part)
    assert catalogue.code["requirements_from"]["form"] == "CHC self-assessment form.docx"
    assert catalogue.code["requirements_from"]["imported_on"] == "2025-05-01"
    assert "imported verbatim by chc code import from CHC self-assessment form.docx" in catalogue.code["wording"]

    appendix = Path("appendix1.md")
    run = chc("assess", "--code", code, *EXAMPLE_ARGS, "--output", appendix, env=EPOCH)
    assert run.exit_code == 0, run.output
    text = appendix.read_text()
    assert f"| {UNCERTAIN} | Wording of the form for this provision, which chc could not verify. |" in text
    assert ("| 2.2 | Acceptable exclusions include:<br>a) the issue giving rise to the complaint occurred over twelve months ago;"
            "<br>b) legal proceedings have started; and<br>c) matters") in text
    assert BASE.provisions["6.1"].requirement.split(".")[0] not in text, "chc's paraphrase is gone"
    assert "| 9.8 | Form text of 9.8. |" in text
    assert "The 'Code requirement' texts are the Housing Ombudsman's own wording, taken from its self-assessment form on 1 May 2025." in text
    assert "paraphrase" not in text and "could not be verified" not in text and ".docx" not in text


def test_a_cell_of_two_paragraphs_keeps_both_as_lines():
    out, code = imported(form(Path("form.docx")), "-o", Path("code"))
    assert out.exit_code == 0, out.output
    assert load_catalogue(code).provisions["1.2"].requirement == (
        "A complaint must be defined as: 'an expression of dissatisfaction, however made, about the standard of service, "
        "actions or lack of action by the organisation'.\nResidents do not have to use the word complaint.")


def test_a_form_missing_a_provision_is_refused_naming_it():
    out, code = imported(form(Path("form.docx"), leave_out=("3.4", "6.12")), "--output", Path("code"))
    assert out.exit_code == 2
    assert "form.docx: the form has no row for 2 provisions of the catalogue" in out.stderr
    assert out.stderr.splitlines()[0].endswith(": 3.4, 6.12")
    assert not code.exists(), "nothing is written"


def test_a_form_with_a_provision_the_catalogue_lacks_is_refused_naming_it():
    out, code = imported(form(Path("form.docx"), add=("9.9", "1.1")), "--output", Path("code"))
    assert out.exit_code == 2
    lines = out.stderr.splitlines()
    assert lines[0].startswith("form.docx:table 9, row 10: provision 9.9 is not in the catalogue (")
    assert lines[1].startswith("form.docx:table 9, row 11: provision 1.1 is not in the catalogue (")
    assert lines[1].endswith("), which lists it as not self-assessed")
    assert not code.exists()


def test_a_document_without_the_forms_tables_is_refused():
    doc = Document()
    doc.add_paragraph("6.1 Landlords must have processes to consider which complaints can be responded to as early as possible.")
    doc.add_table(rows=2, cols=2).rows[0].cells[0].text = "Provision"
    doc.save("letter.docx")
    out, code = imported("letter.docx", "--output", Path("code"))
    assert out.exit_code == 2
    assert out.stderr.startswith("letter.docx: not a self-assessment form: no table has the columns 'Code provision' and 'Code requirement'")
    assert not code.exists()


@pytest.mark.parametrize("content", [b"Code provision,Code requirement\n6.1,text\n", b"PK\x03\x04 not really a zip"])
def test_a_file_that_is_not_a_word_document_is_refused(content):
    (Path("form.docx")).write_bytes(content)
    out, _ = imported(Path("form.docx"), "--output", Path("code"))
    assert out.exit_code == 2
    assert "form.docx: not a Word document chc can read; save the form from Word as a Word Document (.docx)" in out.stderr
    assert "Traceback" not in out.output


def test_a_row_without_a_provision_number_a_provision_given_twice_and_an_empty_requirement_are_named():
    source = form(Path("form.docx"), numbers={"4.2": "see above", "4.3": "4.1"}, words={"7.2": [""]})
    out, _ = imported(source, "--output", Path("code"))
    assert out.exit_code == 2
    assert "form.docx:table 7, row 3: the Code requirement of provision 7.2 is empty" in out.stderr
    assert "form.docx:table 4, row 3: the Code provision cell holds no provision number (such as 6.1)" in out.stderr
    assert "form.docx:table 4, row 4: provision 4.1 is in the form twice (first at table 4, row 2)" in out.stderr


def test_a_figure_contradicting_a_parameter_is_warned_of_and_the_parameter_kept():
    words = {"6.2": ["Stage 1 complaints must be acknowledged, defined and logged within ten working days."],
             "2.3": ["Landlords must accept a complaint unless it is made more than twelve months after the issue."]}
    out, code = imported(form(Path("form.docx"), words=words), "--output", Path("code"))
    assert out.exit_code == 0, out.output
    assert ("form.docx: provision 6.2 says 10 working days where chc's parameter acknowledge_working_days is 5; "
            "chc's rules still judge by 5") in out.stderr
    assert "provision 2.3" not in out.stderr, "twelve months is chc's 12"
    assert load_catalogue(code).provisions["6.2"].parameters == {"acknowledge_working_days": 5}


def test_a_folder_holding_files_is_kept_unless_forced():
    source = form(Path("form.docx"))
    code = Path("code")
    code.mkdir()
    (code / "section-10.yaml").write_text("provisions: []\n")
    out, _ = imported(source, "--output", code)
    assert out.exit_code == 2
    assert "--output " + str(code) + " already holds files; name a new or empty folder, or add --force" in out.stderr
    assert sorted(p.name for p in code.iterdir()) == ["section-10.yaml"]
    out, _ = imported(source, "--output", code, "--force")
    assert out.exit_code == 0, out.output
    assert not (code / "section-10.yaml").exists(), "a section left from before would join the catalogue"
    assert len(load_catalogue(code).provisions) == 72


def test_the_bundled_catalogue_is_never_overwritten():
    out, _ = imported(form(Path("form.docx")), "--output", default_code(), "--force")
    assert out.exit_code == 2
    assert "is an input of this run" in out.stderr
    assert load_catalogue(default_code()).provisions["1.2"].requirement == BASE.provisions["1.2"].requirement


def test_a_list_word_numbers_itself_is_imported_with_a_warning_that_its_labels_are_lost():
    source = form(Path("form.docx"))
    doc = Document(str(source))
    cell = doc.tables[1].rows[2].cells[1]  # 2.2
    for item in ("the issue occurred over twelve months ago;", "legal proceedings have started."):
        cell.add_paragraph(item, style="List Number")
    doc.save(str(source))
    out, code = imported(source, "--output", Path("code"))
    assert out.exit_code == 0, out.output
    assert ("form.docx:table 2, row 3: provision 2.2 has a list Word numbers itself, so its labels (a, b or 1, 2) are not in "
            "the text") in out.stderr
    assert load_catalogue(code).provisions["2.2"].requirement.endswith(
        "c) matters that have previously been considered under the complaints policy.\n"
        "the issue occurred over twelve months ago;\nlegal proceedings have started.")
    assert out.stderr.count("Word numbers itself") == 1, "typed labels are text, and need no warning"
