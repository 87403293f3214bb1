"""EPUBs made by a real writer (ebooklib), read through the public API, the index and the CLI:
chapters in spine order, headings as sections, OPF metadata; damaged books are counted skips."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import build_index
from indexer.readers.load import load_document
from indexer.segment import segment
from search import Searcher
from search.cli import cli

epub = pytest.importorskip("ebooklib.epub")

PROSE = ("The negotiators worked through the night in the guest house by the river, drafting and "
         "redrafting the paragraph on verification until both sides could sign it. ")


def make_epub(path: Path) -> Path:
    book = epub.EpubBook()
    book.set_identifier("talks-2000")
    book.set_title("A History of the Talks")
    book.set_language("en")
    book.add_author("Jane Historian")
    book.add_metadata("DC", "date", "2004-05-01")
    book.add_metadata("DC", "publisher", "Harbour Press")
    chapters = []
    # Added to the manifest in one order, read in the spine's (the other) order.
    for n, (title, body) in enumerate([("The Second Round", "At the second round the envoys met in Geneva. "),
                                       ("The First Round", "The first round opened in Kuala Lumpur. ")], 1):
        chapter = epub.EpubHtml(title=title, file_name=f"chap_{n}.xhtml", lang="en")
        chapter.content = (f"<html><body><h1>{title}</h1><p>{body}{PROSE}</p>"
                           f"<h2>Notes on {title.lower()}</h2><p>{PROSE}</p></body></html>")
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = tuple(chapters)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [chapters[1], chapters[0]]
    epub.write_epub(str(path), book)
    return path


def test_epub_chapters_in_spine_order_with_sections_and_metadata(tmp_path):
    path = make_epub(tmp_path / "history.epub")
    doc = load_document(path, tmp_path)
    assert doc.type == "epub"
    assert (doc.title, doc.author, doc.date, doc.source, doc.language) == (
        "A History of the Talks", "Jane Historian", "2004-05-01", "Harbour Press", "en")
    assert doc.text.index("Kuala Lumpur") < doc.text.index("Geneva")      # the spine's order
    headings = [(b.text, b.level) for b in doc.blocks if b.heading]
    assert headings == [("The First Round", 1), ("Notes on the first round", 2),
                        ("The Second Round", 1), ("Notes on the second round", 2)]
    geneva = next(p for p in segment(doc) if "Geneva" in p.text)
    assert geneva.section == "The Second Round" and geneva.page == 0


def test_epub_through_search_and_cli(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    make_epub(docs / "history.epub")
    idx = tmp_path / "idx"
    assert build_index([docs], idx).indexed == 1
    with Searcher(idx) as s:
        assert s.search("Geneva type:epub")[0].section == "The Second Round"
    out = CliRunner().invoke(cli, ["search", "Kuala Lumpur", "--index", str(idx), "--format", "json"])
    hit = json.loads(out.output)["hits"][0]
    assert (hit["type"], hit["section"], hit["author"]) == ("epub", "The First Round", "Jane Historian")


def test_damaged_epubs_are_counted_skips(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    with zipfile.ZipFile(docs / "nocontainer.epub", "w") as z:
        z.writestr("mimetype", "application/epub+zip")
    good = make_epub(tmp_path / "good.epub").read_bytes()
    (docs / "truncated.epub").write_bytes(good[: len(good) // 2])
    summary = build_index([docs], tmp_path / "idx")
    reasons = {doc_id.rsplit("/", 1)[-1]: why for doc_id, why in summary.skipped}   # by file name
    assert summary.indexed == 0
    assert "META-INF/container.xml" in reasons["nocontainer.epub"]
    assert "damaged EPUB" in reasons["truncated.epub"] or "not a EPUB" in reasons["truncated.epub"]
