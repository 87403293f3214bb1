"""Fidelity classes found by trying files nobody on the project had tried (issue 12): a quotation's
attribution in HTML, Markdown's block quotes and hard line breaks, short plain texts read as
hard-wrapped. Each on a small file made here, through the reader and the audit's own count."""
from __future__ import annotations

from pathlib import Path

from bench.fidelity import Audit, account, visible_text
from indexer.readers.load import load_document
from indexer.segment import segment
from tests.conftest import write


def audit(path: Path, root: Path) -> Audit:
    doc = load_document(path, root)
    out = Audit("test")
    account(out, doc, list(segment(doc)), visible_text(path), path.name)
    return out


def passages(path: Path, root: Path) -> str:
    return "\n\n".join(p.text for p in segment(load_document(path, root)))


# ---------------------------------------------------------------- HTML: a footer that is content

QUOTED_PAGE = """<!DOCTYPE html><html><head><title>Logbook</title></head><body>
<main><h1>Logbook</h1>
<p>The harbour office kept a logbook of every ship that berthed at the quay during the war years.</p>
<blockquote><p>Fog all morning; the Mary Rose came in on the tide at noon.</p>
<footer>— Captain Hale, <cite>Harbour log</cite>, 1942</footer></blockquote>
<figure><img src="quay.jpg" alt=""><figcaption>The quay in 1942.</figcaption>
<footer>Photograph: Portsmouth City Archives</footer></figure>
<table><tr><td>Berth 4<footer>refitted 1951</footer></td></tr></table>
</main>
<footer><p>Copyright Harbour Office. All rights reserved.</p></footer>
</body></html>"""


def test_html_footer_of_a_quotation_figure_or_cell_is_its_content_the_pages_footer_goes(tmp_path):
    # A <footer> belongs to its nearest sectioning root (HTML: blockquote, figure, td, details,
    # fieldset): in a block quote it says who is quoted, in a figure whose picture it is.
    path = write(tmp_path / "log.html", QUOTED_PAGE)
    text = passages(path, tmp_path)
    for kept in ("— Captain Hale, Harbour log, 1942", "Photograph: Portsmouth City Archives", "refitted 1951"):
        assert kept in text
    doc = load_document(path, tmp_path)
    assert [(r.text, r.reason) for r in doc.removed] == [("Copyright Harbour Office. All rights reserved.", "footer")]
    assert audit(path, tmp_path).lost == 0
