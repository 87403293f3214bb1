"""The dataclasses that flow through the indexer: file -> Document -> Passage.

A Document's `text` is its clean text: the blocks joined by a blank line. Every
offset (Block.start/end, Passage.start/end) indexes into that one string, so a hit
can always be shown in context and `text[start:end] == passage.text` holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Block:
    """A paragraph-level unit of clean text; headings name the section below them."""

    text: str
    start: int
    end: int
    heading: bool = False
    level: int = 0          # 1..6 for headings (h1..h6); 0 for body blocks
    page: int = 0           # 1-based page the block starts on (paged formats: PDF, OCR); 0 unknown
    page_end: int = 0       # the page it ends on (a paragraph running over a page break)
    quoted: bool = False    # text the author quotes from another message (an e-mail's quoted reply)


@dataclass(frozen=True)
class Removed:
    """A line of the file left out of the passages, and why ("navigation", "page number", ...).

    The index keeps these with the document (`docsearch show DOC --removed`), so every word
    of a file is either in a passage or in a removal a person can audit.
    """

    text: str
    reason: str


@dataclass(frozen=True)
class Document:
    doc_id: str             # stable id: the path relative to the indexed root (posix)
    path: str               # relative to the indexed root (posix)
    text: str               # clean text
    blocks: tuple[Block, ...]
    title: str | None = None
    date: str | None = None         # ISO YYYY-MM-DD (or YYYY / YYYY-MM when that is all that is known)
    source: str | None = None       # publisher or site
    author: str | None = None
    url: str | None = None
    language: str | None = None     # ISO 639-1, e.g. "en", "ko"
    meta: Mapping[str, str] = field(default_factory=dict)   # extra filterable fields (manifest columns)
    type: str | None = None         # the format: pdf, docx, odt, epub, email, text, markdown, html, image
    page_labels: tuple[str, ...] = ()   # printed label of page N at [N-1] ("iv", "12"), where the file defines them
    container: str | None = None    # the id of the file this document is inside (a mailbox's message,
                                    # an attachment); None when the document is the file
    sha256: str = ""
    mtime: float = 0.0
    size: int = 0
    removed: tuple[Removed, ...] = ()
    boilerplate: str = ""   # which learned boilerplate lines it holds (a hash): an unchanged file
                            # is re-read when this changes, so incremental equals a clean build
    read_to: int = 0        # a streamed file (a mailbox): bytes of it read when this document was
                            # complete, so progress advances inside one big file; 0: read whole


@dataclass(frozen=True)
class Passage:
    doc_id: str
    ordinal: int            # position in the document, from 0
    text: str
    start: int              # character offset into the document's clean text
    end: int
    section: str | None = None
    language: str | None = None
    page: int = 0           # 1-based first page of the passage; 0 when the format has no pages
    page_end: int = 0       # last page (== page unless the passage crosses a page break)
    page_label: str | None = None   # the printed label of `page`, where the file defines labels
    quoted: tuple[tuple[int, int], ...] = ()    # (start, end) into `text` of quoted text (Block.quoted)

    @property
    def id(self) -> str:
        return f"{self.doc_id}#{self.ordinal}"

    @property
    def all_quoted(self) -> bool:
        """Whether every word of the passage is quoted text (not a passage that also holds new text)."""
        pos, new = 0, []
        for start, end in self.quoted:
            new.append(self.text[pos:start])
            pos = end
        new.append(self.text[pos:])
        return bool(self.quoted) and not "".join(new).strip()


def make_blocks(parts: list[tuple]) -> tuple[str, tuple[Block, ...]]:
    """Join (text, heading_level) or (text, heading_level, page, page_end[, quoted]) parts into
    clean text and offset-carrying blocks.

    A level of 0 is a body block, 1..6 a heading; pages are 1-based (0 or absent: no pages);
    quoted (absent: False) marks text quoted from another message (Block.quoted).
    Empty parts are dropped.
    """
    blocks: list[Block] = []
    pieces: list[str] = []
    pos = 0
    for part in parts:
        text, level = part[0], part[1]
        page = part[2] if len(part) > 2 else 0
        page_end = part[3] if len(part) > 3 else page
        quoted = bool(part[4]) if len(part) > 4 else False
        text = text.strip()
        if not text:
            continue
        if pieces:
            pieces.append(BLOCK_SEPARATOR)
            pos += len(BLOCK_SEPARATOR)
        pieces.append(text)
        blocks.append(Block(text, pos, pos + len(text), heading=level > 0, level=level, page=page,
                            page_end=max(page, page_end), quoted=quoted))
        pos += len(text)
    return "".join(pieces), tuple(blocks)
