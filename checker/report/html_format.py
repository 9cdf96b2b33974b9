"""A report Document as one standalone HTML file that prints on A4 portrait.

Everything is inline: the styles, and each chart as a PNG data URI with its alt text, so nothing is fetched
and there are no scripts. Every piece of text goes through html.escape. Printed, a table repeats its header
row on each page and never splits a row, a chart is never split, and a heading stays with what follows it.
"""

from __future__ import annotations

import base64
import datetime as dt
from html import escape

from checker.render.appendix import COLOURS
from checker.render.html_layout import TABLE_CSS, head, meta_table, page_css, page_footer, title
from checker.render.pdf import html_to_pdf
from checker.report import charts
from checker.report.model import Block, Bullets, Chart, Document, Heading, Paragraph, Table

CSS = "\n" + page_css("portrait", "860px") + """\
h3 { font-size: 11pt; margin: 16px 0 4px; }
h4, h5, h6 { font-size: 10pt; margin: 12px 0 4px; }
h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
.subtitle { font-size: 13pt; margin: 0 0 10px; }
""" + TABLE_CSS + """\
table.data { table-layout: auto; }
.data td { overflow-wrap: break-word; }
caption { text-align: left; font-weight: bold; padding: 0 0 4px; }
.n { text-align: right; width: 6em; }
td.n { white-space: nowrap; }
tr.total td { font-weight: bold; }
.lead { font-weight: bold; }
.note { font-size: 9pt; color: #333; }
figure { margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 9pt; font-weight: bold; margin-top: 4px; }
.form th { font-size: 9pt; }
.answer { font-weight: bold; text-align: center; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print { body { padding: 0; max-width: none; } }
""" + "".join(f".answer.{answer.lower()} {{ background: #{fill}; color: #{ink}; }}\n" for answer, (fill, ink) in COLOURS.items())
NUMERIC = ' class="n"'
TOTAL = ' class="total"'


def render_pdf_document(doc: Document, generated_at: dt.datetime) -> bytes:
    """The same document as a PDF (checker.render.pdf)."""
    return html_to_pdf(render_html_document(doc), generated_at)


def render_html_document(doc: Document) -> str:
    parts = [
        *head(doc.running_title, CSS + page_footer(doc.running_title)),
        "<header>",
        title(doc.title),
        *([f'<p class="subtitle">{escape(doc.subtitle)}</p>'] if doc.subtitle else []),
        *meta_table(doc.meta),
        "</header>",
        "<main>",
        *(line for block in doc.blocks for line in _block(block)),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        return [f"<h{level}>{escape(block.text)}</h{level}>"]
    if isinstance(block, Paragraph):
        style = f' class="{escape(block.style)}"' if block.style != "body" else ""
        return [f"<p{style}>{escape(block.text)}</p>"]
    if isinstance(block, Bullets):
        return ["<ul>", *(f"<li>{escape(item)}</li>" for item in block.items), "</ul>"]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        return ["<figure>", f'<img src="{src}" alt="{escape(block.alt)}" style="width: {charts.WIDTH_CM:g}cm">',
                f"<figcaption>{escape(block.title)}</figcaption>", "</figure>"]
    raise TypeError(f"not a document block: {block!r}")


def _table(table: Table) -> list[str]:
    def cls(tag: str, i: int, value: str) -> str:
        if i in table.numeric:
            return NUMERIC
        return f' class="answer {value.lower()}"' if tag == "td" and i == table.answer_column and value in COLOURS else ""

    def row(tag: str, values: tuple[str, ...], attrs: str = "") -> str:
        scope = ' scope="col"' if tag == "th" else ""
        return f"<tr{attrs}>" + "".join(
            f"<{tag}{scope}{cls(tag, i, v)}>{_lines(v)}</{tag}>" for i, v in enumerate(values)) + "</tr>"

    last = len(table.rows) - 1
    caption = [f"<caption>{escape(table.caption)}</caption>"] if table.caption else []
    fixed = ["<colgroup>", *(f'<col style="width: {100 * w:.0f}%">' for w in table.widths), "</colgroup>"] if table.widths else []
    return [f'<table class="{"form" if table.widths else "data"}">', *caption, *fixed, f"<thead>{row('th', table.columns)}</thead>", "<tbody>",
            *(row("td", values, TOTAL if table.total_row and n == last else "") for n, values in enumerate(table.rows)),
            "</tbody>", "</table>"]


def _lines(text: str) -> str:
    """A cell's text escaped, its line breaks kept."""
    return "<br>".join(escape(line) for line in text.splitlines())
