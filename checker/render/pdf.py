"""PDF, for the councils that publish their self-assessment and reports as PDFs: the standalone HTML of the same
document, laid out on A4 by WeasyPrint (an optional extra: pip install 'chc[pdf]').

WeasyPrint draws through Pango; where the extra is installed but the system's Pango is missing, the message names
the system package to install. The PDF is dated `generated_at` (its metadata), so reruns can match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from types import ModuleType

INSTALL = "PDF output needs WeasyPrint: pip install 'chc[pdf]'"
SYSTEM = ("WeasyPrint is installed but cannot load Pango, the system library it draws text with: install it "
          "(Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; Fedora: dnf install pango; "
          "macOS: brew install pango), then run chc again")


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs are missing: the message says what to install."""


def weasyprint() -> ModuleType:
    """WeasyPrint, or PdfUnavailable saying what to install: the package, or the Pango it loads when imported."""
    try:
        return importlib.import_module("weasyprint")
    except ImportError:
        raise PdfUnavailable(INSTALL) from None
    except OSError:  # cffi could not open libpango or libgobject
        raise PdfUnavailable(SYSTEM) from None


def html_to_pdf(html: str, generated_at: dt.datetime) -> bytes:
    """The HTML document as a PDF; the HTML holds everything it needs, so nothing is fetched."""
    stamp = generated_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    dated = html.replace("<head>", f'<head>\n<meta name="dcterms.created" content="{escape(stamp)}">'
                                   f'\n<meta name="dcterms.modified" content="{escape(stamp)}">', 1)
    module = weasyprint()
    # only data: URIs (the charts) are read: the HTML is standalone, and a link in it is never followed
    fetcher = module.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    # the PDF's identifier from its source, not chance, so that the same run gives the same bytes
    identifier = hashlib.sha256(dated.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _fonts_dated(generated_at):
        return module.HTML(string=dated, url_fetcher=fetcher).write_pdf(pdf_identifier=identifier)


@contextmanager
def _fonts_dated(when: dt.datetime) -> Iterator[None]:
    """fontTools, which subsets the embedded fonts, stamps each with the clock unless SOURCE_DATE_EPOCH is set."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
