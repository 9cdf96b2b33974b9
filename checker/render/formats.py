"""Every output format chc writes, and the gate that decides which verdicts fail a CI check.

Renderers take the one assessment (never the input files) and return text or bytes, so several formats
can be produced from a single run and written together. Appendix 1 in Markdown, HTML, Word and PDF is a Document,
drawn by the same renderer for each format as the reports.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.verdict.statuses import STATUSES

if TYPE_CHECKING:  # the pipeline loads only when a command needs it: `chc --help` reads these tables alone
    from checker.report.model import Document
    from checker.verdict.assessment import Assessment, ProvisionResult

APPENDIX = "checker.report.appendix_document"
# format → (module, function, what it is); modules load only when their format is asked for; a function that
# returns a Document is drawn by the reports' renderer for the format
FORMATS: dict[str, tuple[str, str, str]] = {
    "table": ("checker.render.terminal", "render_terminal", "a table for the terminal"),
    "json": ("checker.render.json_format", "render_json", "the full assessment as JSON (checker/load/schemas/assessment.schema.json)"),
    "md": (APPENDIX, "appendix_document", "Appendix 1 as Markdown"),
    "html": (APPENDIX, "appendix_document", "Appendix 1 as one standalone, printable HTML file"),
    "docx": (APPENDIX, "appendix_document", "Appendix 1 as a Word document"),
    "xlsx": ("checker.render.xlsx_format", "render_xlsx", "Appendix 1 as an Excel workbook, a sheet per section"),
    "pdf": (APPENDIX, "appendix_document", "Appendix 1 as a PDF, A4 landscape (needs pip install 'chc[pdf]')"),
    "csv": ("checker.render.csv_format", "render_csv", "one row per provision, every field"),
    "junit": ("checker.render.junit_format", "render_junit", "JUnit XML, a testcase per provision"),
    "sarif": ("checker.render.sarif_format", "render_sarif", "SARIF 2.1.0 for GitHub code scanning"),
}
# the reports (chc report, chc annual-report): a Document in md/html/docx, or the report's data as JSON
REPORT_FORMATS: dict[str, tuple[str, str]] = {
    "md": ("checker.report.markdown_format", "render_markdown_document"),
    "html": ("checker.report.html_format", "render_html_document"),
    "docx": ("checker.report.docx_format", "render_docx_document"),
    "pdf": ("checker.report.html_format", "render_pdf_document"),
    "json": ("", ""),
}
BINARY = {"docx", "xlsx", "pdf"}
SUFFIXES = {".txt": "table", ".json": "json", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx",
            ".xlsx": "xlsx", ".pdf": "pdf", ".csv": "csv", ".xml": "junit", ".sarif": "sarif"}
# verdict kinds a CI gate may fail on; "waived" never fails (that is what a waiver is for)
GATEABLE = tuple(s for s in STATUSES if s not in ("met", "waived"))


@dataclass(frozen=True)
class Gate:
    """Which verdicts fail `chc check` (and show as failures in JUnit and SARIF): by default, a provision not met or
    partly met (a breach within an approved tolerance is still a breach)."""

    fail_on: frozenset[str] = field(default_factory=lambda: frozenset({"not_met", "partially_met"}))

    def fails(self, result: ProvisionResult, verdict: str | None = None) -> bool:
        """Whether the gate fails this result; with `verdict`, as if that were its status (SARIF flags a waived
        provision whose rules' verdict would fail, marked as suppressed)."""
        return (verdict or result.status) in self.fail_on

    def exit_code(self, assessment: Assessment) -> int:
        return int(any(self.fails(r) for r in assessment.results))


@dataclass(frozen=True)
class Context:
    """How a run renders: its time stamp, the gate that decides failures, and how cases are cited."""

    generated_at: dt.datetime
    gate: Gate = field(default_factory=Gate)
    case_refs: str = "count"  # how Appendix 1 shows the cases behind a verdict: none, count or list (--case-refs)


def render(fmt: str, assessment: Assessment, context: Context) -> bytes:
    module, function, _ = FORMATS[fmt]
    out = getattr(importlib.import_module(module), function)(assessment, context)
    if module == APPENDIX:  # a Document, drawn as the reports are
        return render_report(fmt, out, {}, context.generated_at)
    return out if isinstance(out, bytes) else out.encode("utf-8")


def render_report(fmt: str, document: Document | None, data: dict[str, Any], generated_at: dt.datetime) -> bytes:
    """A report in one format; the JSON is the data the documents were built from (checker/load/schemas/report.schema.json)."""
    if fmt == "json":
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    module, function = REPORT_FORMATS[fmt]
    renderer = getattr(importlib.import_module(module), function)
    out = renderer(document, generated_at) if fmt in ("docx", "pdf") else renderer(document)
    return out if isinstance(out, bytes) else out.encode("utf-8")


def format_for(path: Path) -> str | None:
    """The format a file name implies (appendix.docx → docx), or None."""
    return SUFFIXES.get(path.suffix.lower())


def stamp_zip(data: bytes, when: dt.datetime, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite an Office file's zip with every entry dated `when` (and some entries replaced), so reruns are byte-identical."""
    import zipfile

    stamp = max(when.astimezone(dt.timezone.utc).timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = (replace or {}).get(item.filename) or source.read(item.filename)
            target.writestr(zipfile.ZipInfo(item.filename, stamp), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()
