"""PDFs made by real writers (fpdf2 draws them with labels and an outline, pypdf encrypts), read
through the public API, the index and the CLI: text, pages, labels, sections, metadata, skips."""
from __future__ import annotations

import datetime as dt
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

fpdf = pytest.importorskip("fpdf")
pypdf = pytest.importorskip("pypdf")

LOREM = ("The delegation met the minister on the morning of the second day and discussed the "
         "terms of the agreement in detail, including the schedule of inspections, the supply of "
         "heavy fuel oil and the sequence of steps each side would take. ")


def _draw_lines(pdf, lines, x=25.0, y=40.0, step=6.0):
    for i, line in enumerate(lines):
        pdf.text(x, y + i * step, line)


def make_pdf(path: Path, pages: list[dict], *, title=None, author=None, subject=None, labels=None) -> Path:
    """pages: [{"heading": str|None, "body": str, "outline": level|None}]; every page gets a
    running head with its number and a page number at the bottom, like a printed report.
    labels: {page index: (style, start)} where a new page-label range begins ("r", "D")."""
    pdf = fpdf.FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2001, 2, 3, tzinfo=dt.timezone.utc))
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if subject:
        pdf.set_subject(subject)
    for n, page in enumerate(pages, 1):
        pdf.add_page()
        if labels and n - 1 in labels:
            style, start = labels[n - 1]
            pdf.set_page_label(label_style=style, label_start=start)
        pdf.set_font("Helvetica", size=9)
        pdf.text(25, 15, f"Report on the Talks, chapter {1 + n // 3}, page {n}")
        pdf.text(105, 285, str(n))
        y = 30.0
        if page.get("heading"):
            pdf.set_font("Helvetica", style="B", size=14)
            if page.get("outline") is not None:
                pdf.set_y(y - 5)
                pdf.start_section(page["heading"], level=page["outline"])
            pdf.text(25, y, page["heading"])
            y += 12
        pdf.set_font("Helvetica", size=11)
        _draw_lines(pdf, textwrap.wrap(page["body"], 80), y=y)
    pdf.output(str(path))
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
    return make_pdf(docs / "talks.pdf", pages, title="Report on the Talks", author="Jane Analyst",
                    subject="Diplomacy", labels={0: ("r", 1), 1: ("D", 1)})     # i, then 1, 2, 3


def test_pdf_text_pages_labels_sections_and_metadata(report):
    doc = load_document(report, report.parent)
    assert doc.type == "pdf"
    assert doc.title == "Report on the Talks" and doc.author == "Jane Analyst" and doc.date == "2001-02-03"
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


XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" pdf:Keywords="armistice; verification" xmp:CreateDate="1999-06-30T10:00:00Z">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Verification Protocol</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>Ann Drafter</rdf:li><rdf:li>Bo Editor</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>"""


def test_xmp_metadata_where_the_info_dictionary_is_silent(tmp_path):
    path = tmp_path / "xmp.pdf"
    pdf = fpdf.FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(25, 30, "The protocol sets out how the inspections are verified.")
    pdf.set_xmp_metadata(XMP)
    pdf.output(str(path))
    doc = load_document(path, tmp_path)
    assert (doc.title, doc.author) == ("Verification Protocol", "Ann Drafter; Bo Editor")
    assert doc.meta.get("keywords") == "armistice; verification"


def test_two_column_pdf_reads_each_column_in_order(tmp_path):
    path = tmp_path / "columns.pdf"
    pdf = fpdf.FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    left = textwrap.wrap("The left column begins the argument about fuel deliveries and " + LOREM, 40)
    right = textwrap.wrap("The right column continues with the inspection timetable and " + LOREM, 40)
    _draw_lines(pdf, left, x=15)
    _draw_lines(pdf, right, x=110)
    pdf.output(str(path))
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
    reasons = {doc_id.rsplit("/", 1)[-1]: why for doc_id, why in summary.skipped}   # by file name
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


def test_size_limit_is_per_format_unless_given(tmp_path, report):
    """A 21 MB PDF (scans are that big) is read by default; a 21 MB text file is not."""
    big = tmp_path / "big.pdf"
    big.write_bytes(report.read_bytes() + b"\n%" + b"padding " * 2_700_000 + b"\n")
    assert big.stat().st_size > 21_000_000
    assert "Yongbyon" in load_document(big, tmp_path).text
    with pytest.raises(UnsupportedFileError, match="file too large"):
        load_document(big, tmp_path, max_bytes=20_000_000)
    text = tmp_path / "big.txt"
    text.write_bytes(b"word " * 4_300_000)
    with pytest.raises(UnsupportedFileError, match=r"limit 20,000,000"):
        load_document(text, tmp_path)


def test_page_furniture_is_recorded_and_keep_all_puts_it_back_on_its_page(report):
    """Nothing lost without a record (issue 12): the running heads and page numbers the PDF
    reader leaves out are listed with their reasons, and --keep-all puts them back, each on the
    page it stood on."""
    doc = load_document(report, report.parent)
    removed = [(r.text, r.reason) for r in doc.removed]
    heads = [text for text, reason in removed if text.startswith("Report on the Talks, chapter")]
    assert len(heads) == 4 and {reason for text, reason in removed if text in heads} == {"running head"}
    assert {"2", "3", "4"} <= {text for text, reason in removed if reason == "page number"}
    for text, _ in removed:
        assert text not in doc.text
    kept = load_document(report, report.parent, keep_all=True)
    assert not kept.removed
    assert "Report on the Talks, chapter 2, page 4" in kept.text
    head = next(p for p in segment(kept) if "chapter 2, page 4" in p.text)
    assert head.page <= 4 <= head.page_end


def test_progress_advances_inside_one_long_pdf(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    make_pdf(docs / "long.pdf", [{"body": f"Inspection number {n} found the harbour in order. " + LOREM}
                                 for n in range(1, 61)])
    calls = []
    summary = build_index([docs], tmp_path / "idx", progress=lambda *call: calls.append(call))
    assert summary.indexed == 1
    inside = [done for done, total, path in calls if 0 < done < 1]
    # While its pages are read: a report per page here (at most one per thousandth of the file).
    assert len(inside) >= 50 and inside == sorted(inside) and len(set(inside)) == len(inside), calls[:5]
    assert all(path == "docs/long.pdf" for _, _, path in calls) and calls[-1][:2] == (1, 1)
