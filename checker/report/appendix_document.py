"""Appendix 1, the Ombudsman's self-assessment form, as a Document: drawn by the same renderers as the reports, on
its own (`chc assess`, A4 landscape) or inside the annual report, where its tables go on landscape pages.

The form's tables have the form's columns at fixed widths, and the Comply column shaded Yes or No.
"""

from __future__ import annotations

from checker.render.appendix import ALL_MET, COLUMNS, FORM_WIDTHS, GAP_COLUMNS, GAP_WIDTHS, SIGN_OFF_HEADING, Appendix, build_appendix
from checker.render.formats import Context
from checker.report.model import Block, Document, Fields, Heading, Paragraph, Quote, Table
from checker.verdict.assessment import Assessment

SUMMARY_WIDTHS = (0.22, 0.12)  # a short table, not the width of the page
CHANGE_WIDTHS = (0.12, 0.5, 0.12, 0.12)
FOOTER_META = ("Period", "Code", "Rules version", "Generated")  # what every printed page says it belongs to


def appendix_document(assessment: Assessment, context: Context) -> Document:
    """The whole form: what it is, the count of Yes and No, the form's introduction, a table per section, every No
    with its action, owner and date, the sign-off and the notes."""
    return form_document(build_appendix(assessment, context.generated_at, context.case_refs))


def form_document(appendix: Appendix) -> Document:
    """The form as a Document, from the Appendix already built (the submission pack builds it once for every part)."""
    blocks: list[Block] = [Heading("Summary"), summary_table(appendix), *change_blocks(appendix, level=2)]
    if appendix.preamble:
        blocks += [Heading("About this form"), Quote(appendix.preamble)]
    blocks += form_blocks(appendix, level=2)
    blocks += [Heading("Requirements not met"),
               Table(GAP_COLUMNS, tuple(g.cells for g in appendix.gaps), widths=GAP_WIDTHS) if appendix.gaps else Paragraph(ALL_MET)]
    blocks += sign_off_blocks(appendix, level=2)
    blocks += [Heading("Notes"), *(Paragraph(note, "note") for note in appendix.notes)]
    meta = dict(appendix.meta)
    return Document(appendix.title, appendix.landlord, appendix.meta, tuple(blocks), landscape=True,
                    footer=" · ".join(f"{label}: {meta[label]}" for label in FOOTER_META if label in meta),
                    description=appendix.provenance)


def summary_table(appendix: Appendix) -> Table:
    """How many provisions the form answers Yes and No."""
    return Table(("Comply", "Provisions"), tuple((name, str(n)) for name, n in appendix.summary) + (("Total", str(appendix.total)),),
                 numeric=(1,), total_row=True, widths=SUMMARY_WIDTHS)


def change_blocks(appendix: Appendix, level: int) -> list[Block]:
    """With a history file, what changed since the year before: each provision newly answered Yes or No."""
    if appendix.changes_since is None:
        return []
    before, now = appendix.changes_since
    title = Heading(f"Changes since {before}", level)
    if not appendix.changes:
        return [title, Paragraph(f"Every provision has the same answer as in {before}.")]
    return [title, Table(("Code provision", "Requirement", before, now), appendix.changes, widths=CHANGE_WIDTHS)]


def form_blocks(appendix: Appendix, level: int) -> list[Block]:
    """A heading and the form's table for each section, in Code order."""
    return [block for table in appendix.tables
            for block in (Heading(table.heading, level),
                          Table(COLUMNS, tuple(r.text_cells for r in table.rows), widths=FORM_WIDTHS, linked=(3,), answer_column=2))]


def sign_off_blocks(appendix: Appendix, level: int) -> list[Block]:
    """Who completed and who approved the form, and when, with the Member Responsible for Complaints."""
    return [Heading(SIGN_OFF_HEADING, level), Fields(appendix.sign_off)]
