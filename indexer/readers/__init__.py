"""File -> Document: one module per format behind one registry.

In: a path. Out: a Document (indexer/document.py) whose blocks carry their text, heading
level and offsets into the document's clean text, with the metadata the file states and
its NAME.meta.json sidecar applied, and the lines it left out with the reason for each
(Document.removed: nothing is dropped without a record); or UnsupportedFileError with a
one-line reason, so an indexing run skips the file and counts it.

- load.py         load_document: checks the file (type, size, readability), decodes it,
                  picks the reader for its suffix (READERS), builds the blocks
- text.py         .txt: paragraphs, headings (underlined ones too), lists, a saved page's chrome
- markdown.py     .md, .markdown: front matter, '#' headings, paragraphs without markup
- html.py         .html, .htm: the article's headings and paragraphs, the page's metadata
- extracted.py    what every reader returns (Extracted): parts, metadata fields, removals
- boilerplate.py  learn_boilerplate: the lines a corpus repeats on every page (left out
                  only around a document's text, never a heading)
"""
from indexer.readers.load import READERS, SUPPORTED_SUFFIXES, is_supported, load_document

__all__ = ["READERS", "SUPPORTED_SUFFIXES", "is_supported", "load_document"]
