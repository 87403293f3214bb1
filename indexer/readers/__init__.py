"""File -> Document: one module per format behind one registry.

In: a path. Out: a Document (indexer/document.py) whose blocks carry their text, heading
level and offsets into the document's clean text, with the metadata the file states and
its NAME.meta.json sidecar applied, and the lines it left out with the reason for each
(Document.removed: nothing is dropped without a record); or UnsupportedFileError with a
one-line reason, so an indexing run skips the file and counts it.

A file may hold several documents (a mailbox's messages, an e-mail's attachments):
load_documents gives them all (iter_documents one at a time, as a mailbox is read), named
DOC_ID::N or DOC_ID::NAME, each with `container`.

- load.py         load_document(s): checks the file (type, size, readability), picks the
                  reader for its suffix (a .gz: that of what it holds; none: its first
                  bytes), corrected by its first bytes (READERS: Reader with the
                  format's `type`), builds the blocks (with pages), applies the sidecar
- text.py         .txt: paragraphs, headings (underlined ones too), lists, a saved page's chrome
- markdown.py     .md, .markdown: front matter, '#' headings, paragraphs without markup
- html.py         .html, .htm: the article's headings and paragraphs, the page's metadata;
                  html_blocks for XHTML that is all content (EPUB chapters)
- htmltree.py     facts about a parsed page's tags (taken out, text length, hidden, a
                  <footer> or <aside> that belongs to the text), each in O(1) or one pass
- pdf.py          .pdf (PDFium): text per page reflowed across pages, running heads
                  removed, outline -> sections, page labels, metadata; OCR for scanned pages
- office.py       .docx (python-docx) and .odt (lxml): headings, tables, properties
- epub.py         .epub: chapters in spine order, OPF metadata
- mail.py         .eml and each message of a mailbox: headers as fields, the body with its
                  quoted replies marked, attachments
- mbox.py         .mbox: the messages one at a time from the open file (bounded memory)
- outlook.py      .msg (extract-msg, an optional GPL extra): the item as an e-mail, read by mail.py
- ocr.py          Tesseract: scanned pages and images (.png, .jpg, .tif) with confidence, cached
- filebytes.py    a file's bytes read with bounds (a .gz unpacked a piece at a time), hashed
                  in pieces; what a file with no extension is, by its first bytes
- container.py    zip containers opened with bounds (zip bombs), told apart by content
- extracted.py    what every reader returns (Extracted: parts, fields, removals) and what
                  binary readers get (ReadOptions)
- boilerplate.py  learn_boilerplate: the lines a corpus repeats on every page (left out
                  only around a document's text, never a heading)
"""
from indexer.readers.load import READERS, SUPPORTED_SUFFIXES, is_supported, load_document, load_documents

__all__ = ["READERS", "SUPPORTED_SUFFIXES", "is_supported", "load_document", "load_documents"]
