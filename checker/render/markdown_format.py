"""Appendix 1 as Markdown: for a pull request, a wiki or a council's own publishing tool.

GitHub-flavoured tables, one per Code section, in the Ombudsman's form layout; a cell's paragraphs are joined
with `<br>` (checker.render.markdown_layout).
"""

from __future__ import annotations

from checker.render import markdown_layout as md
from checker.render.appendix import ALL_MET, COLUMNS, GAP_COLUMNS, SIGN_OFF_HEADING, build_appendix
from checker.render.formats import Context
from checker.verdict.assessment import Assessment


def render_markdown(assessment: Assessment, context: Context) -> str:
    appendix = build_appendix(assessment, context.generated_at, context.case_refs)
    lines = [f"# {md.text(appendix.title)}", ""]
    lines += [f"- **{md.text(label)}:** {md.text(value)}" for label, value in appendix.meta]
    lines += ["", "## Summary", ""]
    lines += md.table(("Comply", "Provisions"), [*((label, str(n)) for label, n in appendix.summary), ("Total", str(appendix.total))])
    if appendix.preamble:
        lines += ["", "## About this form", ""]
        for i, paragraph in enumerate(appendix.preamble):
            lines += [">"] * bool(i) + [f"> {md.text(paragraph)}"]
    for table in appendix.tables:
        lines += ["", f"## {md.text(table.heading)}", ""]
        lines += md.table(COLUMNS, [r.text_cells for r in table.rows])
    lines += ["", "## Requirements not met", ""]
    if appendix.gaps:
        lines += md.table(GAP_COLUMNS, [g.cells for g in appendix.gaps])
    else:
        lines.append(ALL_MET)
    lines += ["", f"## {SIGN_OFF_HEADING}", ""]
    lines += [f"- **{md.text(label)}:** {md.text(value)}" for label, value in appendix.sign_off]
    lines += ["", "## Notes", ""]
    lines += [f"- {md.text(note)}" for note in appendix.notes]
    return "\n".join(lines) + "\n"
