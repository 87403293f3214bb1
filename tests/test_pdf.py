"""PDFs made by real writers (reportlab draws, pypdf adds page labels and encryption), read
through the public API, the index and the CLI: text, pages, labels, sections, metadata, skips."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import build_index
from indexer.errors import UnsupportedFileError
from indexer.readers.load import load_document
from indexer.segment import segment
from search import Searcher
from search.cli import cli

reportlab = pytest.importorskip("reportlab")
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

pypdf = pytest.importorskip("pypdf")

WIDTH, HEIGHT = A4
LOREM = ("The delegation met the minister on the morning of the second day and discussed the "
         "terms of the agreement in detail, including the schedule of inspections, the supply of "
         "heavy fuel oil and the sequence of steps each side would take. ")


def _draw_lines(c, lines, x=72, y=HEIGHT - 110, size=11):
    text = c.beginText(x, y)
    text.setFont("Helvetica", size)
    for line in lines:
        text.textLine(line)
    c.drawText(text)


def make_pdf(path: Path, pages: list[dict], *, title=None, author=None, subject=None) -> Path:
    """pages: [{"heading": str|None, "body": str, "outline": level|None}]; every page gets a
    running head with its number and a page number at the bottom, like a printed report."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    if author:
        c.setAuthor(author)
    if subject:
        c.setSubject(subject)
    for n, page in enumerate(pages, 1):
        c.setFont("Helvetica", 9)
        c.drawString(72, HEIGHT - 50, f"Report on the Talks, chapter {1 + n // 3}, page {n}")
        c.drawString(WIDTH / 2, 40, str(n))
        y = HEIGHT - 90
        if page.get("heading"):
            c.setFont("Helvetica-Bold", 14)
            c.drawString(72, y, page["heading"])
            if page.get("outline") is not None:
                key = f"p{n}"
                c.bookmarkPage(key)
                c.addOutlineEntry(page["heading"], key, level=page["outline"])
            y -= 30
        _draw_lines(c, textwrap.wrap(page["body"], 80), y=y)
        c.showPage()
    c.save()
    return path


def add_labels(path: Path, labels: list[tuple[int, int, str, int]]) -> Path:
    """(first index, last index, style, start) ranges of page labels, as a typeset book has."""
    reader = pypdf.PdfReader(str(path))
    writer = pypdf.PdfWriter(clone_from=reader)
    for first, last, style, start in labels:
        writer.set_page_label(first, last, style=style, start=start)
    with open(path, "wb") as f:
        writer.write(f)
    return path


@pytest.fixture
def report(tmp_path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    pages = [
        {"heading": "Preface", "outline": 0, "body": "This preface explains how the record was kept. " + LOREM},
        {"heading": "Chapter One: The First Round", "outline": 0,
         "body": LOREM * 2 + "The envoy proposed a moratorium on missile launches, "},
        {"body": "which the other side accepted after a long recess. " + LOREM * 2},
        {"heading": "Chapter Two: Verification", "outline": 0,
         "body": "Inspectors would visit the reactor site at Yongbyon every month. " + LOREM},
    ]
    path = make_pdf(docs / "talks.pdf", pages, title="Report on the Talks", author="Jane Analyst",
                    subject="Diplomacy")
    add_labels(path, [(0, 0, "/r", 1), (1, 3, "/D", 1)])     # i, then 1, 2, 3
    return path


def test_pdf_text_pages_labels_sections_and_metadata(report):
    doc = load_document(report, report.parent)
    assert doc.type == "pdf"
    assert doc.title == "Report on the Talks" and doc.author == "Jane Analyst"
    assert doc.meta.get("subject") == "Diplomacy"
    assert doc.page_labels == ("i", "1", "2", "3")
    # The running head (its number changes on every page) and the page numbers are gone.
    assert "Report on the Talks, chapter" not in doc.text
    passages = list(segment(doc))
    by_section = {p.section for p in passages}
    assert {"Preface", "Chapter One: The First Round", "Chapter Two: Verification"} <= by_section
    yongbyon = next(p for p in passages if "Yongbyon" in p.text)
    assert (yongbyon.page, yongbyon.page_end, yongbyon.page_label) == (4, 4, "3")
    assert yongbyon.section == "Chapter Two: Verification"
    # The sentence that runs from page 2 onto page 3 is one passage, and says it spans both.
    moratorium = next(p for p in passages if "moratorium on missile launches" in p.text)
    assert "moratorium on missile launches, which the other side accepted" in moratorium.text
    assert (moratorium.page, moratorium.page_end) == (2, 3)
    preface = next(p for p in passages if "preface explains" in p.text)
    assert (preface.page, preface.page_label) == (1, "i")
    assert doc.text[moratorium.start:moratorium.end] == moratorium.text


def test_pdf_pages_through_search_json_and_show(report, tmp_path):
    idx = tmp_path / "idx"
    summary = build_index([report.parent], idx)
    assert summary.indexed == 1 and not summary.skipped
    with Searcher(idx) as s:
        hit = s.search("Yongbyon")[0]
        assert (hit.type, hit.page, hit.page_end, hit.page_label, hit.pages) == ("pdf", 4, 4, "3", "p. 3")
        assert hit.section == "Chapter Two: Verification"
        assert s.search("Yongbyon type:pdf").total == 1
        assert s.search("Yongbyon type:html").total == 0
        assert s.search("inspectors page:3").total == 1        # the printed label, as cited
        assert s.search("inspectors page:1").total == 0
        assert s.search("moratorium", filters={"type": "pdf"})[0].pages == "pp. 1\u20132"
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "Yongbyon", "--index", str(idx)])
    assert out.exit_code == 0 and "p. 3" in out.output and "Chapter Two: Verification" in out.output
    out = runner.invoke(cli, ["search", "Yongbyon", "--index", str(idx), "--type", "text"])
    assert out.exit_code == 0 and "no results" in out.output
    data = json.loads(runner.invoke(cli, ["search", "moratorium", "--index", str(idx), "--format", "json"]).output)
    first = data["hits"][0]
    assert (first["type"], first["page"], first["page_end"], first["page_label"]) == ("pdf", 2, 3, "1")
    out = runner.invoke(cli, ["show", first["id"], "--index", str(idx), "-C", "0"])
    assert out.exit_code == 0 and "pp. 1\u20132" in out.output
    shown = json.loads(runner.invoke(cli, ["show", first["id"], "--index", str(idx), "--format", "json"]).output)
    assert shown["type"] == "pdf" and shown["passages"][shown["focus"]]["page"] == 2


def test_two_column_pdf_reads_each_column_in_order(tmp_path):
    path = tmp_path / "columns.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    left = textwrap.wrap("The left column begins the argument about fuel deliveries and " + LOREM, 38)
    right = textwrap.wrap("The right column continues with the inspection timetable and " + LOREM, 38)
    _draw_lines(c, left, x=50)
    _draw_lines(c, right, x=WIDTH / 2 + 10)
    c.showPage()
    c.save()
    doc = load_document(path, tmp_path)
    assert "The left column begins the argument about fuel deliveries and" in doc.text
    assert "The right column continues with the inspection timetable and" in doc.text
    assert doc.text.index("left column") < doc.text.index("right column")


def test_bad_pdfs_are_counted_skips_with_reasons(tmp_path, report):
    docs = tmp_path / "bad"
    docs.mkdir()
    raw = report.read_bytes()
    (docs / "truncated.pdf").write_bytes(raw[: len(raw) // 3])
    (docs / "notapdf.pdf").write_bytes(b"this is a text file with the wrong name\n")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(str(report)))
    writer.encrypt("secret")
    with open(docs / "locked.pdf", "wb") as f:
        writer.write(f)
    empty = pypdf.PdfWriter()
    with open(docs / "nopages.pdf", "wb") as f:
        empty.write(f)
    (docs / "memo.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    summary = build_index([docs], tmp_path / "idx")
    reasons = dict(summary.skipped)
    assert summary.indexed == 0
    assert "encrypted" in reasons["locked.pdf"]
    assert "damaged" in reasons["truncated.pdf"] or "no text" in reasons["truncated.pdf"]
    assert "not a PDF" in reasons["notapdf.pdf"]
    assert "no pages" in reasons["nopages.pdf"]
    assert "legacy Word .doc" in reasons["memo.doc"]
    with pytest.raises(UnsupportedFileError, match="encrypted"):
        load_document(docs / "locked.pdf", docs)


def test_pdf_named_txt_is_read_as_pdf(tmp_path, report):
    misnamed = tmp_path / "notes.txt"
    misnamed.write_bytes(report.read_bytes())
    doc = load_document(misnamed, tmp_path)
    assert doc.type == "pdf" and "Yongbyon" in doc.text


@pytest.mark.parametrize("path", sorted(Path("/usr/share/doc").glob("**/*.pdf"))[:5] or [None])
def test_real_pdfs_on_this_machine(path, tmp_path):
    if path is None:
        pytest.skip("no PDF under /usr/share/doc on this machine")
    doc = load_document(path, path.parent, max_bytes=200_000_000)
    passages = list(segment(doc))
    assert passages and all(p.page >= 1 and p.page_end >= p.page for p in passages)
    assert all(doc.text[p.start:p.end] == p.text for p in passages)
