"""Word and OpenDocument files made by real writers (python-docx, odfpy), read through the
public API, the index and the CLI: headings as sections, tables as text, properties, skips."""
from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import build_index
from indexer.errors import UnsupportedFileError
from indexer.readers.load import load_document
from indexer.segment import segment
from search import Searcher
from search.cli import cli

docx = pytest.importorskip("docx")

BODY = ("The working group reviewed the supply of heavy fuel oil and agreed that deliveries would "
        "resume once the inspectors had confirmed the freeze at the reactor site. ")


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.core_properties.title = "Memo on Fuel Deliveries"
    d.core_properties.author = "Kim Analyst"
    d.core_properties.subject = "Energy"
    d.core_properties.created = dt.datetime(2001, 3, 14, 9, 30)
    d.add_heading("Memo on Fuel Deliveries", level=0)
    d.add_heading("Background", level=1)
    d.add_paragraph(BODY * 2)
    d.add_heading("Schedule", level=2)
    d.add_paragraph("The table lists the shipments agreed for the first quarter.")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("Month", "Tonnes", "Port"), ("January", "50,000", "Sonbong"),
                             ("February", "45,000", "Nampo")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("Deliveries stop if the freeze is broken. " + BODY)
    d.save(str(path))
    return path


def test_docx_headings_tables_and_properties(tmp_path):
    path = make_docx(tmp_path / "memo.docx")
    doc = load_document(path, tmp_path)
    assert doc.type == "docx"
    assert (doc.title, doc.author, doc.date) == ("Memo on Fuel Deliveries", "Kim Analyst", "2001-03-14")
    assert doc.meta.get("subject") == "Energy"
    headings = [(b.text, b.level) for b in doc.blocks if b.heading]
    assert headings == [("Memo on Fuel Deliveries", 1), ("Background", 1), ("Schedule", 2)]
    assert "January | 50,000 | Sonbong" in doc.text and "February | 45,000 | Nampo" in doc.text
    passages = list(segment(doc))
    sonbong = next(p for p in passages if "Sonbong" in p.text)
    assert sonbong.section == "Schedule" and sonbong.page == 0


def test_docx_and_odt_through_search_and_cli(tmp_path):
    odf = pytest.importorskip("odf")
    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "memo.docx")
    make_odt(docs / "minutes.odt")
    idx = tmp_path / "idx"
    summary = build_index([docs], idx)
    assert summary.indexed == 2 and not summary.skipped
    with Searcher(idx) as s:
        hit = s.search("Sonbong")[0]
        assert (hit.type, hit.section, hit.author) == ("docx", "Schedule", "Kim Analyst")
        assert s.search("Sonbong type:odt").total == 0
        odt_hit = s.search("Wonsan", filters={"type": "odt"})[0]
        assert odt_hit.section == "Second Session" and odt_hit.title == "Minutes of the Talks"
    out = CliRunner().invoke(cli, ["search", "Wonsan", "--type", "odt", "--index", str(idx), "--format", "json"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert data["hits"][0]["type"] == "odt" and data["hits"][0]["page"] is None


def make_odt(path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, Note, NoteBody, NoteCitation, P, S

    d = OpenDocumentText()
    from odf import dc, meta
    d.meta.addElement(dc.Title(text="Minutes of the Talks"))
    d.meta.addElement(dc.Creator(text="Lee Secretary"))
    d.meta.addElement(meta.CreationDate(text="2000-10-10T12:00:00"))
    d.text.addElement(H(outlinelevel=1, text="First Session"))
    d.text.addElement(P(text="The delegations opened the session and read their statements. " + BODY))
    d.text.addElement(H(outlinelevel=1, text="Second Session"))
    p = P(text="The envoy spoke of the port of Wonsan and")
    p.addElement(S(c=3))
    p.addText("of the new ferry route.")
    note = Note(noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="The ferry route was opened in 2002."))
    note.addElement(body)
    p.addElement(note)
    d.text.addElement(p)
    table = Table()
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for row_values in (("Port", "Ships"), ("Wonsan", "4")):
        row = TableRow()
        for value in row_values:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    d.text.addElement(table)
    d.save(str(path))
    return path


def test_odt_headings_spaces_notes_tables_and_metadata(tmp_path):
    pytest.importorskip("odf")
    path = make_odt(tmp_path / "minutes.odt")
    doc = load_document(path, tmp_path)
    assert doc.type == "odt"
    assert (doc.title, doc.author, doc.date) == ("Minutes of the Talks", "Lee Secretary", "2000-10-10")
    assert [b.text for b in doc.blocks if b.heading] == ["First Session", "Second Session"]
    assert "port of Wonsan and of the new ferry route.1" in doc.text          # <text:s c=3/> is spaces
    assert "The ferry route was opened in 2002." in doc.text                  # the footnote is kept
    assert "Wonsan | 4" in doc.text


def test_bad_office_files_are_counted_skips(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(docs / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * 50_000_000)
    with zipfile.ZipFile(docs / "empty.odt", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    summary = build_index([docs], tmp_path / "idx")
    reasons = {doc_id.rsplit("/", 1)[-1]: why for doc_id, why in summary.skipped}   # by file name
    assert summary.indexed == 0
    assert "damaged DOCX" in reasons["broken.docx"]
    assert "zip bomb" in reasons["bomb.docx"]
    assert "no content.xml" in reasons["empty.odt"]


def test_docx_named_doc_is_read_by_its_content(tmp_path):
    path = make_docx(tmp_path / "memo.docx")
    renamed = tmp_path / "memo.odt"
    renamed.write_bytes(path.read_bytes())
    assert load_document(renamed, tmp_path).type == "docx"


def _office_files_here() -> list[Path]:
    """Office files this machine has that we did not write: python-docx's own Word-made
    templates, and any under /usr/share."""
    found = sorted(Path(docx.__file__).parent.glob("templates/*.docx"))
    found += sorted(p for pattern in ("**/*.docx", "**/*.odt") for p in Path("/usr/share").glob(pattern))
    return found[:6]


@pytest.mark.parametrize("path", _office_files_here() or [None])
def test_real_office_files_on_this_machine(path):
    if path is None:
        pytest.skip("no .docx or .odt on this machine")
    try:
        doc = load_document(path, path.parent)
    except UnsupportedFileError as e:           # a template without text is a skip with a reason
        assert str(e)
        return
    assert doc.type in ("docx", "odt") and doc.text
