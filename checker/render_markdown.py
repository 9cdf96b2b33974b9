"""Appendix 1 as Markdown: for a pull request, a wiki or a council's own publishing tool.

GitHub-flavoured tables, one per Code section, in the Ombudsman's form layout. A cell cannot hold a line
break or an unescaped `|`, so paragraphs are joined with `<br>`; `<` is escaped so that `<br>` is the only
markup a cell carries.
"""

from __future__ import annotations

from collections.abc import Iterable

from checker.appendix import COLUMNS, GAP_COLUMNS, build_appendix
from checker.assessment import Assessment
from checker.outputs import Context


def render_markdown(assessment: Assessment, context: Context) -> str:
    appendix = build_appendix(assessment, context.generated_at)
    lines = [f"# {_text(appendix.title)}", ""]
    lines += [f"- **{_text(label)}:** {_text(value)}" for label, value in appendix.meta]
    lines += ["", "## Summary", ""]
    total = sum(n for _, n in appendix.summary)
    lines += _table(("Comply", "Provisions"), [*((label, str(n)) for label, n in appendix.summary), ("Total", str(total))])
    if appendix.preamble:
        lines += ["", "## About this form", ""]
        for i, paragraph in enumerate(appendix.preamble):
            lines += [">"] * bool(i) + [f"> {_text(paragraph)}"]
        if appendix.preamble_source:
            lines += ["", f"*Source of the preamble: {_text(appendix.preamble_source)}*"]
    for table in appendix.tables:
        lines += ["", f"## {_text(table.heading)}", ""]
        lines += _table(COLUMNS, [(r.provision, r.requirement, r.comply, _paragraphs(r.evidence), _paragraphs(r.commentary))
                                  for r in table.rows])
    lines += ["", "## Requirements not met", ""]
    if appendix.gaps:
        lines += _table(GAP_COLUMNS, [(g.provision, g.requirement, g.reasons, g.proposal, g.owner, g.target_date) for g in appendix.gaps])
    else:
        lines.append("Every requirement assessed is met, waived or not applicable.")
    lines += ["", "## Notes", ""]
    lines += [f"- {_text(note)}" for note in appendix.notes]
    return "\n".join(lines) + "\n"


def _table(headings: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    headings = list(headings)
    out = ["| " + " | ".join(_cell(h) for h in headings) + " |", "|" + "|".join("---" for _ in headings) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _paragraphs(paragraphs: Iterable[str]) -> str:
    return "\n".join(paragraphs)


def _text(text: str) -> str:
    """Running text: one line, and no markup of its own."""
    return " ".join(text.replace("<", "&lt;").split())


def _cell(text: str) -> str:
    """A table cell: paragraphs become `<br>`, `|` is escaped, other white space collapses."""
    return "<br>".join(_text(p) for p in text.splitlines() if p.strip()).replace("|", "\\|")
