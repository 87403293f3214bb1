"""EPUB -> Extracted: the chapters in spine (reading) order, their headings as sections, OPF metadata.

Read with zipfile and lxml rather than ebooklib: an EPUB is a zip with one XML package
file (the OPF) that lists the chapters in order, and each chapter is XHTML, which
readers/html.py already walks (html_blocks: headings, paragraphs, table rows). That is
all we need, with no new dependency, and the zip goes through container.open_zip, which
bounds what it unpacks. The OPF's Dublin Core gives title, creator (author), date,
language, publisher (source), subject and description.
"""
from __future__ import annotations

import posixpath
from urllib.parse import unquote, urldefrag

from indexer.errors import UnsupportedFileError
from indexer.readers.container import open_zip, read_member
from indexer.readers.extracted import Extracted, ReadOptions
from indexer.clean.normalize import decode

_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container",
       "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
_CHAPTER_TYPES = ("application/xhtml+xml", "text/html", "application/x-dtbook+xml")
_FIELDS = (("title", "title"), ("author", "creator"), ("date", "date"), ("language", "language"),
           ("source", "publisher"), ("subject", "subject"), ("description", "description"))


def read_epub(raw: bytes, options: ReadOptions = ReadOptions()) -> Extracted:
    from lxml import etree

    from indexer.readers.html import html_blocks

    z = open_zip(raw, "EPUB", options)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        container = etree.fromstring(read_member(z, "META-INF/container.xml", "EPUB"), parser)
        rootfile = container.find(".//c:rootfile", _NS) if container is not None else None
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        if not opf_path:
            raise UnsupportedFileError("damaged EPUB file (META-INF/container.xml names no package file)")
        opf = etree.fromstring(read_member(z, opf_path, "EPUB"), parser)
        if opf is None:
            raise UnsupportedFileError(f"damaged EPUB file ({opf_path} is not XML)")
        out = Extracted()
        _metadata(opf, out)
        base = posixpath.dirname(opf_path)
        manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", _NS)}
        names = set(z.namelist())
        for ref in opf.iterfind(".//opf:spine/opf:itemref", _NS):
            item = manifest.get(ref.get("idref"))
            if item is None or item.get("media-type") not in _CHAPTER_TYPES:
                continue
            href = unquote(urldefrag(item.get("href") or "")[0])
            name = posixpath.normpath(posixpath.join(base, href)) if href else ""
            if name not in names:
                out.notes.append(f"chapter {href} is missing")
                continue
            markup = decode(read_member(z, name, "EPUB"), html=True)
            out.parts.extend(html_blocks(markup))
    finally:
        z.close()
    return out


def _metadata(opf, out: Extracted) -> None:
    meta = opf.find("opf:metadata", _NS)
    if meta is None:
        return
    for key, name in _FIELDS:
        values = [" ".join("".join(node.itertext()).split()) for node in meta.iterfind(f"dc:{name}", _NS)]
        values = [v for v in values if v]
        if values:
            out.set_default(key, "; ".join(values) if key in ("author", "subject") else values[0])
