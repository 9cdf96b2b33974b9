"""PDF (pip install 'chc[pdf]'): Appendix 1 on A4 landscape and the reports on A4 portrait, laid out by WeasyPrint
from the same HTML, looked at page by page as PNGs where the machine has pdftoppm; without WeasyPrint or its
system library, a message that says what to install, and nothing written."""

from __future__ import annotations

import importlib
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.render import pdf
from conftest import EXAMPLE, EXAMPLE_ARGS, STAMP, chc

WAIVED = [*EXAMPLE_ARGS, "--waivers", EXAMPLE / "waivers.yaml", *STAMP]


def _weasyprint_works() -> bool:
    try:
        pdf.weasyprint()
    except pdf.PdfUnavailable:
        return False
    return True


needs_weasyprint = pytest.mark.skipif(not _weasyprint_works(), reason="WeasyPrint (chc[pdf]) or Pango is not installed here")


def _pages(path: Path, folder: Path) -> list:
    """Each page as a PNG (pdftoppm, 30 dpi), opened with Pillow."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(folder / "page")], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("page-*.png"))]


@needs_weasyprint
def test_appendix_and_annual_report_as_pdf(tmp_path):
    appendix, annual = tmp_path / "appendix1.pdf", tmp_path / "annual.pdf"
    out = chc("assess", *WAIVED, "--output", appendix)
    assert out.exit_code == 0, out.output
    out = chc("annual-report", *WAIVED, "--compare", "previous-year", "--output", annual)
    assert out.exit_code == 0, out.output
    for path in (appendix, annual):
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert chc("assess", *WAIVED, "--output", tmp_path / "again.pdf").exit_code == 0
    assert (tmp_path / "again.pdf").read_bytes() == appendix.read_bytes(), "the same run gives the same PDF"
    if not shutil.which("pdftoppm"):
        pytest.skip("no pdftoppm to look at the pages with")
    wide = {}
    for path, least in ((appendix, 15), (annual, 25)):
        folder = tmp_path / path.stem
        folder.mkdir()
        pages = _pages(path, folder)
        assert len(pages) >= least
        wide[path] = [page.width > page.height for page in pages]
        for n, page in enumerate(pages, 1):
            assert page.point(lambda value: 255 if value < 160 else 0).histogram()[255] > 50, f"{path.name} page {n} is blank"
    assert all(wide[appendix]), "the form is on landscape pages"
    # the report on portrait pages, then its Appendix 1 on landscape pages to the end
    assert not wide[annual][0] and wide[annual][-1] and wide[annual] == sorted(wide[annual])
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(appendix), "-"], capture_output=True, text=True, check=True).stdout
        assert "Appendix 1: Complaint Handling Code self-assessment form 2024-25" in " ".join(text.split())
        assert "Sign-off" in text and "Date to be set" not in text and "None" not in text
        assert "Page 1 of " in text


@pytest.mark.parametrize(("failure", "says"), [(ImportError, "pip install 'chc[pdf]'"), (OSError, "apt-get install libpango")])
def test_without_weasyprint_or_pango_the_message_says_what_to_install(tmp_path, monkeypatch, failure, says):
    real = importlib.import_module

    def missing(name: str, *args):
        if name == "weasyprint":
            raise failure("not here")
        return real(name, *args)

    monkeypatch.setattr(pdf.importlib, "import_module", missing)
    out = chc("assess", *WAIVED, "--output", tmp_path / "a.pdf", "--output", tmp_path / "a.html")
    assert out.exit_code == 2
    assert says in out.stderr and "Traceback" not in out.output
    assert list(tmp_path.iterdir()) == [], "nothing is written when one output cannot be"
    report = chc("report", *WAIVED[:6], *STAMP, "--output", tmp_path / "q.pdf")
    assert report.exit_code == 2 and says in report.stderr
