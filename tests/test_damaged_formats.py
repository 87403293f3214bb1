"""Every binary reader, fed its own good file cut short or with bytes flipped, either reads
what is left or skips the file with a one-line reason: never another exception."""
from __future__ import annotations

import io
import mailbox
import random
from email.message import EmailMessage
from pathlib import Path

import pytest

from indexer.errors import UnsupportedFileError
from indexer.readers.load import load_documents


def _good_files(tmp_path: Path) -> dict[str, bytes]:
    text = "The inspectors sealed the reactor and counted the fuel rods twice. " * 20
    files: dict[str, bytes] = {}
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    import datetime as dt
    pdf.set_creation_date(dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc))    # the same bytes every run
    for n in range(3):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.start_section(f"Part {n + 1}")
        pdf.multi_cell(0, 6, text)
    files["doc.pdf"] = bytes(pdf.output())
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("Report", 1)
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    files["doc.docx"] = buf.getvalue()
    odf = pytest.importorskip("odf.opendocument")
    from odf.text import H, P
    o = odf.OpenDocumentText()
    o.text.addElement(H(outlinelevel=1, text="Report"))
    o.text.addElement(P(text=text))
    buf = io.BytesIO()
    o.save(buf)
    files["doc.odt"] = buf.getvalue()
    epub = pytest.importorskip("ebooklib.epub")
    book = epub.EpubBook()
    book.set_identifier("x")
    book.set_title("Report")
    ch = epub.EpubHtml(title="One", file_name="one.xhtml")
    ch.content = f"<h1>One</h1><p>{text}</p>"
    book.add_item(ch)
    book.spine = [ch]
    book.add_item(epub.EpubNcx())
    path = tmp_path / "book.epub"
    epub.write_epub(str(path), book)
    files["doc.epub"] = path.read_bytes()
    m = EmailMessage()
    m["From"], m["Subject"], m["Date"] = "a@example.org", "Report", "Tue, 10 Oct 2000 08:30:00 +0900"
    m.set_content(text)
    m.add_attachment(files["doc.docx"], maintype="application", subtype="octet-stream", filename="r.docx")
    files["doc.eml"] = m.as_bytes()
    box = mailbox.mbox(str(tmp_path / "box.mbox"))
    box.add(m)
    box.add(m)
    box.close()
    files["doc.mbox"] = (tmp_path / "box.mbox").read_bytes()
    return files


def test_cut_and_flipped_files_are_read_or_skipped_with_a_reason(tmp_path):
    rng = random.Random(14)
    folder = tmp_path / "files"
    folder.mkdir()
    outcomes = {"read": 0, "skipped": 0}
    for name, good in _good_files(tmp_path).items():
        variants = [good[:int(len(good) * f)] for f in (0.05, 0.3, 0.6, 0.9, 0.99)]
        for _ in range(8):
            damaged = bytearray(good)
            for _ in range(rng.randint(1, 40)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            variants.append(bytes(damaged))
        for i, data in enumerate(variants):
            path = folder / f"{i}-{name}"
            path.write_bytes(data)
            try:
                docs = load_documents(path, folder)
                assert docs and all(d.text for d in docs)
                outcomes["read"] += 1
            except UnsupportedFileError as e:
                assert str(e) and "\n" not in str(e), name
                outcomes["skipped"] += 1
    assert outcomes["read"] and outcomes["skipped"]
