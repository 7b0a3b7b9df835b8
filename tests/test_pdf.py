"""Checks of the book as a PDF (``make pdf``): every part, every figure, nothing unresolved.

The PDF needs Debian's TeX, which ``make test`` does not install, so these tests are skipped
unless ``CALCBOOK_PDF`` names a built PDF: ``make pdf`` sets it after building, and so does
CI's ``pdf`` job (which runs ``make pdf``). Their expectations come from the pages themselves
(``_toc.yml`` and the parsed pages that the PDF was written from), not
from numbers typed in here. They read the PDF with pypdf and poppler's ``pdftotext``, which
``scripts/install-tex.sh`` installs with TeX.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from calcbook.latexpages import figure_interaction
from calcbook.sphinxext import PLOTLY_MIME

ROOT = Path(__file__).resolve().parents[1]
PDF = Path(os.environ["CALCBOOK_PDF"]) if os.environ.get("CALCBOOK_PDF") else None
# The parsed pages the PDF was written from, beside the LaTeX output (make pdf builds apart).
DOCTREES = PDF.parents[1] / ".doctrees" if PDF else None

pytestmark = [
    pytest.mark.pdf,
    pytest.mark.skipif(PDF is None, reason="no PDF named by CALCBOOK_PDF (make pdf sets it)"),
]


@cache
def pdf_text() -> str:
    """The PDF's text (pdftotext), with runs of white space as one space."""
    assert PDF is not None and PDF.is_file(), f"{PDF} does not exist: run make pdf"
    assert shutil.which("pdftotext"), "pdftotext is missing: scripts/install-tex.sh installs it"
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", out)


@cache
def reader():
    import pypdf

    return pypdf.PdfReader(PDF)


@cache
def figure_outputs() -> tuple[int, int]:
    """The figure outputs of the pages the PDF was written from: (all, needing interaction).

    A figure output is a cell output holding a Plotly figure or an image; the second number
    counts the Plotly figures that need a reader's hand online (a slider, buttons, a game).
    """
    from docutils import nodes

    total = interactive = 0
    doctrees = sorted((DOCTREES / "book").rglob("*.doctree"))
    assert doctrees, f"no parsed pages in {DOCTREES}: the PDF was not built from this clone"
    for path in doctrees:
        document = pickle.loads(path.read_bytes())
        for bundle in document.findall(nodes.container):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            types = {child.get("mime_type", "") for child in bundle.children}
            if PLOTLY_MIME in types or any(t.startswith("image/") for t in types):
                total += 1
            if PLOTLY_MIME in types:
                interactive += figure_interaction(bundle) is not None
    return total, interactive


def test_every_part_is_in_the_pdf() -> None:
    """The six parts of _toc.yml, by their titles, in order, and the appendix pages after them."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = [part["caption"] for part in toc["parts"]]
    parts = [c for c in captions if c.startswith("Part ")]
    assert len(parts) == 6, captions
    text = pdf_text()
    positions = [text.find(caption) for caption in captions]
    assert all(p >= 0 for p in positions), dict(zip(captions, positions, strict=True))
    # Found in order (the table of contents lists them first, so search after it too).
    last = [text.rfind(caption) for caption in captions]
    assert last == sorted(last), dict(zip(captions, last, strict=True))


def test_every_figure_is_drawn_in_the_pdf() -> None:
    """As many pictures on the PDF's pages as figure outputs in the book's pages.

    Each figure is included as a PDF (a form XObject) or a bitmap (an image XObject) on the page
    that shows it; the book draws nothing else from external files.
    """
    total, _ = figure_outputs()
    assert total >= 50, f"only {total} figure outputs found in the parsed pages"
    drawn: set[int] = set()
    for page in reader().pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        if not xobjects:
            continue
        for ref in xobjects.get_object().values():
            if ref.get_object().get("/Subtype") in ("/Form", "/Image"):
                drawn.add(ref.idnum)
    assert len(drawn) == total, f"{len(drawn)} pictures in the PDF, {total} figures in the book"


def test_interactive_figures_point_online() -> None:
    """Each figure that needs a reader's hand says so, with a link to it in the online book."""
    _, interactive = figure_outputs()
    base = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"]
    text = pdf_text()
    notes = text.count("Printed here in its first state; in the online book you can")
    assert interactive >= 10, interactive
    assert notes == interactive, f"{notes} notes for {interactive} interactive figures"
    links = {
        annotation.get_object().get("/A", {}).get("/URI")
        for page in reader().pages
        for annotation in (page.get("/Annots") or [])
    }
    online = {link for link in links if link and link.startswith(base)}
    assert len(online) >= interactive * 0.9, sorted(online)[:5]


def test_no_unresolved_reference_or_citation() -> None:
    """No "??" in the text, and LaTeX's log reports no undefined reference or citation."""
    text = pdf_text()
    assert "??" not in text, text[max(0, text.find("??") - 200) : text.find("??") + 50]
    log = PDF.with_suffix(".log").read_text(errors="replace")
    undefined = re.findall(r"(?:Reference|Citation|Hyper reference) `[^']+' on page \d+", log)
    assert not undefined, sorted(set(undefined))[:10]
    assert "There were undefined references" not in log


def test_every_figure_fits_its_page() -> None:
    """No float (a figure with its caption) is taller than the page, where it would run into
    the footer: LaTeX says "Float too large for page" when one is."""
    log = PDF.with_suffix(".log").read_text(errors="replace")
    too_large = re.findall(r"Float\s+too\s+large\s+for\s+page\s+by\s+[\d.]+pt", log)
    assert not too_large, too_large


def test_every_character_has_a_glyph() -> None:
    """No character of the text is missing from the fonts it is set in (it would print blank)."""
    log = PDF.with_suffix(".log").read_text(errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log)))
    assert not missing, missing


def test_every_link_inside_the_pdf_lands() -> None:
    """Every internal link (cross-references, citations, the index) goes to a named place."""
    pdf = reader()
    names = set(pdf.named_destinations)
    assert len(names) > 500, len(names)
    missing: set[str] = set()
    internal = 0
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            dest = annotation.get_object().get("/Dest") or action.get("/D")
            if isinstance(dest, str):
                internal += 1
                if dest not in names:
                    missing.add(dest)
    assert internal > 1000, internal
    assert not missing, sorted(missing)[:10]


def test_the_bibliography_is_in_the_pdf() -> None:
    """The references page lists every entry of references.bib (``:all:``), each a link target."""
    bib = (ROOT / "book" / "references.bib").read_text()
    entries = re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.MULTILINE)
    targets = {d for d in reader().named_destinations if d.startswith("cite.")}
    assert len(entries) >= 20, entries
    assert len(targets) == len(entries), (
        f"{len(targets)} entries in the PDF, {len(entries)} in .bib"
    )
    assert "References" in pdf_text()
