"""Appendix 1 as one standalone HTML file that prints as the Ombudsman's form on A4 landscape.

Everything it needs is inline (no scripts, fonts, images or stylesheets are fetched), so it can be attached
to a council report, published as is, or printed to PDF. Every piece of text goes through html.escape; the
only markup made from the data is a link for an http(s) address cited in the evidence column.
The Comply cell is coloured and also says its verdict in words, so it reads in black and white.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from checker.render.appendix import ALL_MET, COLOURS, COLUMNS, GAP_COLUMNS, SIGN_OFF_HEADING, Appendix, build_appendix
from checker.render.formats import Context
from checker.render.html_layout import TABLE_CSS, head, meta_table, page_css, page_footer, title
from checker.render.pdf import html_to_pdf
from checker.verdict.assessment import Assessment

URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:)]")
WIDTHS = ("7%", "27%", "8%", "30%", "28%")
GAP_WIDTHS = ("7%", "25%", "24%", "24%", "11%", "9%")
CSS = "\n" + page_css("landscape", "1400px") + ".landlord { font-size: 13pt; margin: 0 0 10px; }\n" + TABLE_CSS + """\
.summary { width: auto; table-layout: auto; }
.summary td.n { text-align: right; min-width: 4em; }
.preamble { border-left: 4px solid #999; margin: 0 0 6px; padding: 2px 12px; }
.preamble p { margin: 0 0 6px; }
.source, .notes { font-size: 9pt; color: #333; }
.pid { font-weight: bold; white-space: nowrap; }
.comply { font-weight: bold; text-align: center; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
a { color: #0b3d91; }
@media print { html { font-size: 9pt; } body { padding: 0; max-width: none; } a { color: inherit; } }
""" + "".join(f".comply.{answer.lower()} {{ background: #{fill}; color: #{ink}; }}\n" for answer, (fill, ink) in COLOURS.items())


def render_pdf(assessment: Assessment, context: Context) -> bytes:
    """The same document as a PDF (checker.render.pdf)."""
    return html_to_pdf(render_html(assessment, context), context.generated_at)


def render_html(assessment: Assessment, context: Context) -> str:
    appendix = build_appendix(assessment, context.generated_at, context.case_refs)
    parts = [
        *head(f"{appendix.title}: {appendix.landlord}", CSS + page_footer(f"{appendix.landlord}: {appendix.title}")),
        "<header>",
        title(appendix.title),
        f'<p class="landlord">{escape(appendix.landlord)}</p>',
        *meta_table(appendix.meta),
        "</header>",
        "<main>",
        *_summary(appendix),
        *_preamble(appendix),
    ]
    for table in appendix.tables:
        parts += [f"<section>\n<h2>{escape(table.heading)}</h2>"]
        parts += _table(COLUMNS, WIDTHS, (
            [f'<td class="pid">{escape(r.provision)}</td>', _td(r.requirement),
             f'<td class="comply {r.comply.lower()}">{escape(r.comply)}</td>', _td(*r.evidence, links=True), _td(*r.commentary)]
            for r in table.rows))
        parts += ["</section>"]
    parts += ["<section>", "<h2>Requirements not met</h2>"]
    if appendix.gaps:
        parts += _table(GAP_COLUMNS, GAP_WIDTHS, (
            [f'<td class="pid">{escape(g.provision)}</td>', _td(g.requirement), _td(g.reasons), _td(g.proposal),
             _td(g.owner), _td(g.target_date)]
            for g in appendix.gaps))
    else:
        parts += [f"<p>{ALL_MET}</p>"]
    parts += ["</section>", "<section>", f"<h2>{SIGN_OFF_HEADING}</h2>", *meta_table(appendix.sign_off), "</section>"]
    parts += ["</main>", '<footer class="notes">', "<h2>Notes</h2>"]
    parts += [f"<p>{escape(note)}</p>" for note in appendix.notes]
    parts += ["</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _summary(appendix: Appendix) -> list[str]:
    rows = [f"<tr><td>{escape(label)}</td><td class=\"n\">{n}</td></tr>" for label, n in appendix.summary]
    return ["<section>", "<h2>Summary</h2>", '<table class="summary">',
            '<thead><tr><th scope="col">Comply</th><th scope="col">Provisions</th></tr></thead>', "<tbody>",
            *rows, f'<tr><th scope="row">Total</th><td class="n"><strong>{appendix.total}</strong></td></tr>',
            "</tbody>", "</table>", "</section>"]


def _preamble(appendix: Appendix) -> list[str]:
    if not appendix.preamble:
        return []
    return ["<section>", "<h2>About this form</h2>", '<blockquote class="preamble">',
            *(f"<p>{escape(p)}</p>" for p in appendix.preamble), "</blockquote>", "</section>"]


def _table(headings: Iterable[str], widths: Iterable[str], rows: Iterable[list[str]]) -> list[str]:
    return ["<table>", "<colgroup>", *(f'<col style="width: {w}">' for w in widths), "</colgroup>",
            "<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in headings) + "</tr></thead>",
            "<tbody>", *("<tr>" + "".join(cells) + "</tr>" for cells in rows), "</tbody>", "</table>"]


def _td(*paragraphs: str, links: bool = False) -> str:
    """A cell of paragraphs; in the evidence column an http(s) address (a cited document) becomes a link."""
    return "<td>" + "".join(f"<p>{_linked(p) if links else escape(p)}</p>" for p in paragraphs if p) + "</td>"


def _linked(text: str) -> str:
    """Escape text, making each http(s) address a link (links are followed only when a reader clicks)."""
    out, at = [], 0
    for match in URL.finditer(text):
        url = match.group()
        out += [escape(text[at:match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)
