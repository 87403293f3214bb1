"""Word (.docx) and OpenDocument text (.odt) -> Extracted: paragraphs, headings, tables, properties.

.docx through python-docx (the well-kept reader of the format): the body in document
order, paragraphs whose style is "Title" or "Heading N" (or that carry an outline level)
become headings, a table becomes one block per row with its cells joined by " | " so its
words stay searchable and a row stays one line. Core properties give title, author,
subject, keywords and the creation date.

.odt is read straight from its content.xml and meta.xml with lxml (already a
dependency; odfpy adds nothing we need): <text:h> are headings at their outline level,
<text:p> and list items are paragraphs, tables as in .docx; <text:s/>, <text:tab/> and
<text:line-break/> become the spaces and breaks they stand for.

Both containers are opened through container.open_zip, which bounds what they unpack.
Word and OpenDocument have no fixed pages (the layout makes them), so passages carry none.
"""
from __future__ import annotations

import io

from indexer.errors import UnsupportedFileError
from indexer.readers.container import open_zip, read_member
from indexer.readers.extracted import Extracted, ReadOptions

CELL_SEPARATOR = " | "


# ------------------------------------------------------------------ .docx

def read_docx(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    open_zip(raw, "DOCX", options).close()          # bounds before python-docx unpacks anything
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise UnsupportedFileError(f"damaged DOCX file ({e})") from e
    except Exception as e:                          # lxml's XMLSyntaxError and kin: a broken part
        raise UnsupportedFileError(f"damaged DOCX file ({type(e).__name__}: {e})") from e
    out = Extracted()
    # Style id -> name, once: python-docx's paragraph.style looks the styles part up anew for
    # every paragraph (90% of the time of reading a long document).
    names = {}
    for style in document.styles.element.iterchildren(f"{_W}style"):
        name = style.find(f"{_W}name")
        names[style.get(f"{_W}styleId")] = (name.get(_W_VAL) if name is not None else "") or ""
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            out.parts.extend((row, 0) for row in _docx_rows(item))
        else:
            text = _tidy(item.text)
            if text:
                out.parts.append((text, _docx_level(item, names)))
    props = document.core_properties
    out.set_default("title", (props.title or "").strip())
    out.set_default("author", (props.author or "").strip())
    out.set_default("subject", (props.subject or "").strip())
    out.set_default("keywords", (props.keywords or "").strip())
    if props.created and props.created.year > 1900:
        out.set_default("date", props.created.date().isoformat())
    return out


def _docx_level(paragraph, names: dict[str, str]) -> int:
    """1..6 for a heading paragraph (by style name, else by outline level), 0 for body text."""
    name = names.get(paragraph._p.style or "", "").strip().lower()
    if name == "title":
        return 1
    if name.startswith("heading"):
        digits = name[len("heading"):].strip()
        return min(int(digits), 6) if digits.isdigit() and int(digits) > 0 else 1
    ppr = paragraph._p.pPr
    level = ppr.find(_W_OUTLINE) if ppr is not None else None
    if level is not None:
        value = level.get(_W_VAL)
        if value and value.isdigit() and int(value) < 9:
            return min(int(value) + 1, 6)
    return 0


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_OUTLINE, _W_VAL = f"{_W}outlineLvl", f"{_W}val"


def _docx_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):     # a merged cell repeats in each column
                cells.append(text)
        if cells:
            rows.append(CELL_SEPARATOR.join(cells))
    return rows


# ------------------------------------------------------------------ .odt

_NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_TEXT, _TABLE = "{%s}" % _NS["text"], "{%s}" % _NS["table"]


def read_odt(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    from lxml import etree

    z = open_zip(raw, "ODT", options)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        content = etree.fromstring(read_member(z, "content.xml", "ODT"), parser)
        meta = etree.fromstring(read_member(z, "meta.xml", "ODT"), parser) if "meta.xml" in z.namelist() else None
    except etree.XMLSyntaxError as e:
        raise UnsupportedFileError(f"damaged ODT file (content.xml: {e})") from e
    finally:
        z.close()
    out = Extracted()
    body = content.find("office:body/office:text", _NS)
    if body is not None:
        _odt_blocks(body, out.parts)
    if meta is not None:
        for key, path in (("title", "dc:title"), ("author", "dc:creator"), ("author", "meta:initial-creator"),
                          ("subject", "dc:subject"), ("keywords", "meta:keyword")):
            node = meta.find(f".//{path}", _NS)
            if node is not None and node.text:
                out.set_default(key, " ".join(node.text.split()))
        created = meta.find(".//meta:creation-date", _NS)
        if created is not None and created.text and created.text[:4].isdigit():
            out.set_default("date", created.text[:10])
    return out


def _odt_blocks(element, parts: list[tuple]) -> None:
    """Headings, paragraphs and table rows of an ODF element, in document order."""
    for child in element:
        tag = child.tag
        if tag == f"{_TEXT}h":
            level = child.get(f"{_TEXT}outline-level") or "1"
            notes: list[str] = []
            parts.append((_odt_text(child, notes), min(int(level), 6) if level.isdigit() and int(level) > 0 else 1))
            parts.extend((note, 0) for note in notes)
        elif tag == f"{_TEXT}p":
            notes = []
            parts.append((_odt_text(child, notes), 0))
            parts.extend((note, 0) for note in notes)
        elif tag == f"{_TABLE}table-row":
            cells = [" ".join(_odt_text(cell).split()) for cell in child if cell.tag == f"{_TABLE}table-cell"]
            row = CELL_SEPARATOR.join(c for c in cells if c)
            if row:
                parts.append((row, 0))
        elif tag in (f"{_TEXT}tracked-changes", f"{_TEXT}sequence-decls", f"{_TABLE}table-columns"):
            continue                                # deleted text and declarations: not the document's text
        else:
            _odt_blocks(child, parts)               # lists, sections, tables, frames: their blocks inside


def _odt_text(element, notes: list[str] | None = None) -> str:
    """A paragraph's text with ODF's space, tab and line-break elements as characters;
    the text of its footnotes goes to `notes` (read as paragraphs after it, not lost)."""
    pieces: list[str] = []

    def walk(node):
        if node.text:
            pieces.append(node.text)
        for child in node:
            tag = child.tag
            if tag == f"{_TEXT}s":
                pieces.append(" " * int(child.get(f"{_TEXT}c") or 1))
            elif tag == f"{_TEXT}tab":
                pieces.append("\t")
            elif tag == f"{_TEXT}line-break":
                pieces.append("\n")
            elif tag == f"{_TEXT}note":
                citation = child.find("text:note-citation", _NS)
                if citation is not None and citation.text:
                    pieces.append(citation.text)    # the footnote mark, as printed
                body = child.find("text:note-body", _NS)
                if body is not None and notes is not None:
                    notes.extend(" ".join(_odt_text(p).split()) for p in body.iter(f"{_TEXT}p"))
            elif tag == f"{_TEXT}tracked-changes":
                pass                                # deleted text kept for review: not the document's text
            else:
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return _tidy("".join(pieces))


def _tidy(text: str) -> str:
    """Runs of spaces and tabs as one space (as a browser shows them), line breaks kept."""
    return "\n".join(" ".join(line.split()) for line in text.strip().split("\n"))
