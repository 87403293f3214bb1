"""PDF (text layer) -> Extracted: text per page, reflowed, with pages, labels, outline and metadata.

Why PDFium (pypdfium2): it is the engine of Chrome's viewer, bundled in the wheel (no
system package), reads damaged files as far as a viewer does, and is fast. On the PDFs
of this machine (/usr/share/doc) its text matched pdfminer.six's word for word in
reading order, at many times the speed (see the commit that added this reader).

All pages' lines are reflowed together (indexer/clean/reflow.py), so a sentence that
runs over a page break stays one paragraph and running heads and page numbers are seen
repeating and removed; each paragraph keeps the first and last page it stands on. The
outline (bookmarks) names the sections: a paragraph that is an outline title becomes a
heading of the outline's level, and a title not found on its page is set before the
page's first paragraph (the outline is the document's own text too).
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_left

from indexer.errors import UnsupportedFileError
from indexer.readers.extracted import Extracted, ReadOptions, report_part
from indexer.readers.ocr import OcrPage, needs_ocr_reason, ocr_pdf_page, record_confidence, tesseract
from indexer.clean.reflow import furniture_reason, heading_level, is_furniture, located_paragraphs

# PDFium marks a hyphen it found at a line end (a word it joined) with U+FFFE, older
# versions with U+0002: the word is already whole, the mark goes.
_SOFT_HYPHEN_MARKS = str.maketrans("", "", "\ufffe\x02")
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_SPACES = re.compile(r"\s+")
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?!s)")


def read_pdf(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        raise UnsupportedFileError(_open_error(str(e), raw)) from e
    try:
        return _read(pdf, options, raw)
    finally:
        pdf.close()


def _open_error(message: str, raw: bytes) -> str:
    """Why PDFium could not open the file. Its error code is process-wide and may be left
    over from an earlier file, so the bytes decide: an /Encrypt entry, or no page object."""
    if "password" in message.lower() and b"/Encrypt" in raw:
        return "encrypted PDF (it needs a password to open)"
    if not _PAGE_OBJECT.search(raw) and b"/ObjStm" not in raw:
        return "PDF has no pages"
    return "damaged PDF (PDFium cannot open it)"


def _read(pdf, options: ReadOptions, raw: bytes) -> Extracted:
    import pypdfium2 as pdfium

    count = len(pdf)
    if count == 0:
        raise UnsupportedFileError("PDF has no pages")
    out = Extracted()
    pages = min(count, options.max_pages)
    if pages < count:
        out.notes.append(f"read the first {pages:,} of {count:,} pages (the limit)")
    page_texts: list[tuple[int, list[str]]] = []
    textless: list[int] = []
    for index in range(pages):
        report_part(index / pages)      # progress inside a long PDF
        try:
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
        except pdfium.PdfiumError as e:
            out.notes.append(f"page {index + 1} unreadable ({e})")
            continue
        page_lines = text.translate(_SOFT_HYPHEN_MARKS).replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not any(line.strip() for line in page_lines):
            textless.append(index + 1)
        page_texts.append((index + 1, page_lines))
    pending = _ocr_pages(pdf, page_texts, textless, options, out, raw)
    edges = drop_page_edges(page_texts)
    lines: list[str] = []
    line_page: list[int] = []
    for number, page_lines in page_texts:
        lines.extend(page_lines)
        line_page.extend([number] * len(page_lines))
    dropped: list[tuple[int, str, str]] = []
    wrapped, paragraphs = located_paragraphs(lines, dropped)
    by_page: dict[int, list[tuple[str, int, int, int]]] = {}
    for para, first, last in paragraphs:
        level = 0
        if not wrapped and len(para.text) < 120 and para.lines == 1:
            level = heading_level(para.text)
        by_page.setdefault(line_page[first], []).append((para.text, level, line_page[first], line_page[last]))
    before = {page: len(parts) for page, parts in by_page.items()}
    _apply_outline(pdf, by_page)
    out.parts = [part for page in sorted(by_page) for part in by_page[page]]
    _record_removed(out, edges, dropped, [line_page[first] for _, first, _ in paragraphs], by_page, before)
    out.page_labels = _labels(pdf, pages)
    _metadata(pdf, out)
    xmp_metadata(raw, out)
    if pending:
        out.fields["ocr_pending"] = str(pending)
        if not out.parts:
            out.notes.append(needs_ocr_reason(pending))
    elif textless and not out.parts:
        out.notes.append(f"no text layer on any of its {len(textless):,} pages and --ocr never was given"
                         if options.ocr == "never" else
                         f"no text on any of its {len(textless):,} pages, OCR included (blank pages?)")
    return out


def _ocr_pages(pdf, page_texts: list[tuple[int, list[str]]], textless: list[int], options: ReadOptions,
               out: Extracted, raw: bytes) -> int:
    """Replace the lines of the pages that need OCR (auto: those without a text layer; always:
    every page) with Tesseract's; returns how many pages needed it and did not get it."""
    if options.ocr == "never" or (options.ocr == "auto" and not textless):
        return 0
    if tesseract() is None:
        return len(textless)
    wanted = set(textless) if options.ocr == "auto" else {number for number, _ in page_texts}
    key = hashlib.sha256(raw).hexdigest()
    done: list[OcrPage] = []
    for i, (number, _) in enumerate(page_texts):
        if number not in wanted:
            continue
        page = pdf[number - 1]
        try:
            result = ocr_pdf_page(page, options, key=f"{key}-p{number}")
        except UnsupportedFileError as e:
            out.notes.append(f"page {number}: {e}")
            continue
        finally:
            page.close()
        if result.lines or number in textless:
            page_texts[i] = (number, result.lines)
        done.append(result)
    record_confidence(out, done)
    return 0


_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 2             # lines at the top and at the bottom of a page that may be its furniture
_MIN_REPEATS = 3            # a head is a head when at least this many pages (and a third of them) share it


def _record_removed(out: Extracted, edges: list[tuple[int, bool, str]], dropped: list[tuple[int, str, str]],
                    para_pages: list[int], by_page: dict[int, list], before: dict[int, int]) -> None:
    """Record what the page edges and reflow left out, each before the part it stood before.

    Parts are the paragraphs in order, grouped by page, with outline titles inserted at the
    top of their page (_apply_outline): a paragraph's part is found from its page's start."""
    start, at = {}, 0
    for page in sorted(by_page):
        start[page] = at
        at += len(by_page[page])
    first_of_page: dict[int, int] = {}
    for k, page in enumerate(para_pages):
        first_of_page.setdefault(page, k)

    def part_of(k: int) -> int:           # paragraph k -> its index in out.parts
        if k >= len(para_pages):
            return len(out.parts)
        page = para_pages[k]
        return start[page] + len(by_page[page]) - before[page] + k - first_of_page[page]

    def part_at_page(page: int, top: bool) -> int:      # before a page's first part, or after its last
        pages = sorted(by_page)
        i = bisect_left(pages, page if top else page + 1)
        return start[pages[i]] if i < len(pages) else len(out.parts)

    entries = [(part_at_page(page, top), text, furniture_reason(text) if is_furniture(text) else "running head")
               for page, top, text in edges]
    entries += [(part_of(k), text, reason) for k, text, reason in dropped]
    for at, text, reason in sorted(entries, key=lambda e: e[0]):
        out.remove(text, reason, at=at)


def drop_page_edges(pages: list[tuple[int, list[str]]]) -> list[tuple[int, bool, str]]:
    """Blank the running heads and feet: lines at a page's top or bottom that recur, with
    only their numbers changed ("Chapter 4: Function reference 16"), on many pages; returns
    (page, at its top, text) of each, for the record of what was left out.

    reflow drops lines that repeat exactly and bare page numbers; a head that carries the
    page number differs on every page, so it is found here, where the page edges are known.
    Only lines at the edges, and only shapes shared by several pages, are removed: a line
    of the text itself does not recur at the same place page after page.
    """
    if len(pages) < _MIN_REPEATS:
        return []
    counts: dict[str, int] = {}
    edges: list[list[tuple[int, str]]] = []
    for _, lines in pages:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        at = sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))
        shapes = [(i, _DIGITS.sub("#", " ".join(lines[i].split())).lower()) for i in at]
        edges.append(shapes)
        for shape in {shape for _, shape in shapes}:
            counts[shape] = counts.get(shape, 0) + 1
    floor = max(_MIN_REPEATS, len(pages) // 3)
    blanked = []
    for (number, lines), shapes in zip(pages, edges):
        middle = len(lines) / 2
        for i, shape in shapes:
            if counts[shape] >= floor and len(shape) <= 120:
                blanked.append((number, i < middle, " ".join(lines[i].split())))
                lines[i] = ""
    return blanked


def _apply_outline(pdf, by_page: dict[int, list[tuple]]) -> None:
    """Outline titles -> headings on their pages (see the module docstring)."""
    try:
        items = [(item.level, item.get_title(), item.get_dest()) for item in pdf.get_toc(max_depth=6)]
    except Exception:           # a broken outline costs the sections, never the text
        return
    for level, title, dest in items:
        title = _SPACES.sub(" ", (title or "").translate(_SOFT_HYPHEN_MARKS)).strip()
        index = dest.get_index() if dest is not None else None
        if not title or index is None or index + 1 not in by_page:
            continue
        parts = by_page[index + 1]
        key = _key(title)
        for i, (text, old_level, first, last) in enumerate(parts):
            if len(text) <= 2 * len(title) + 20 and _key(text) == key:
                parts[i] = (text, min(level + 1, 6), first, last)
                break
        else:
            parts.insert(0, (title, min(level + 1, 6), index + 1, index + 1))


def _key(text: str) -> str:
    """A heading's letters and digits without its section number: the outline often
    leaves out the "2.1" the page prints before the title."""
    return "".join(ch for ch in text.lower() if ch.isalnum()).lstrip("0123456789")


def _labels(pdf, pages: int) -> tuple[str, ...]:
    """The printed page labels, where the PDF defines them (PDFium gives "" where it does not)."""
    labels = []
    for index in range(pages):
        try:
            labels.append(pdf.get_page_label(index) or "")
        except Exception:
            labels.append("")
    return tuple(labels) if any(labels) else ()


def _metadata(pdf, out: Extracted) -> None:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:
        return
    out.set_default("title", _clean(info.get("Title")))
    out.set_default("author", _clean(info.get("Author")))
    out.set_default("subject", _clean(info.get("Subject")))
    out.set_default("keywords", _clean(info.get("Keywords")))
    m = _PDF_DATE.match(info.get("CreationDate") or "")
    if m and 1000 < int(m.group(1)) < 3000:
        out.set_default("date", "-".join(g for g in m.groups() if g))


_XMP = re.compile(rb"<x:xmpmeta\b.*?</x:xmpmeta>", re.S)
_XMP_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
           "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/"}


def xmp_metadata(raw: bytes, out: Extracted) -> None:
    """Fields the Info dictionary left empty, from the XMP packet (dc:title, dc:creator,
    dc:description, pdf:Keywords, xmp:CreateDate). PDFium does not read XMP; writers keep the
    packet uncompressed so that tools can find it in the bytes, which is where we look (the
    last packet: an incremental update appends the newer one)."""
    packets = _XMP.findall(raw)
    if not packets:
        return
    from lxml import etree

    try:
        root = etree.fromstring(packets[-1], etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return
    if root is None:
        return

    def items(path: str) -> list[str]:
        return [" ".join("".join(node.itertext()).split()) for node in root.iterfind(path, _XMP_NS)]

    def simple(prefix: str, name: str) -> list[str]:
        """A simple property, written as an element or as an attribute of rdf:Description."""
        attribute = "{%s}%s" % (_XMP_NS[prefix], name)
        found = items(f".//{prefix}:{name}")
        found += [d.get(attribute) for d in root.iterfind(".//rdf:Description", _XMP_NS) if d.get(attribute)]
        return [v for v in found if v]

    out.set_default("title", next(iter(items(".//dc:title//rdf:li")), None))
    out.set_default("author", "; ".join(v for v in items(".//dc:creator//rdf:li") if v) or None)
    out.set_default("subject", next(iter(items(".//dc:description//rdf:li")), None))
    out.set_default("keywords", next(iter(simple("pdf", "Keywords")), None))
    m = next((_ISO_DATE.match(c) for c in simple("xmp", "CreateDate") if _ISO_DATE.match(c)), None)
    if m:
        out.set_default("date", m.group(0))


_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _clean(value: str | None) -> str | None:
    value = _SPACES.sub(" ", value or "").strip()
    return value or None
