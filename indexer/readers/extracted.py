"""What a format reader returns: parts plus the metadata fields it found.

The text readers (text, markdown, html) know nothing of files, bytes or sidecars
(load.py does): each turns a normalised string into an Extracted. The binary readers
(pdf, office, epub, email, image) get the file's bytes and ReadOptions, and return
the same structure, so segmenting, metadata and the writer stay one path.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Extracted:
    # (text, 0 body | 1..6 heading) or, for paged formats, (text, level, first page, last page)
    parts: list[tuple] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)         # title, date, ... and extras for meta
    page_labels: tuple[str, ...] = ()    # printed page labels, where the file defines them
    notes: list[str] = field(default_factory=list)   # what the reader could not do (pages needing OCR)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes) of an e-mail
    messages: list["Extracted"] = field(default_factory=list)   # a mailbox: one per message
    # Text left out, with why: (index of the part it stood before, text, reason). load_document
    # records these in the Document (or, with keep_all, puts them back where they stood).
    removed: list[tuple[int, str, str]] = field(default_factory=list)
    read_to: int = 0    # a streamed mailbox's message: bytes of the file read once it was complete

    def remove(self, text: str, reason: str, at: int | None = None) -> None:
        """Record `text` as left out for `reason`, standing before part `at` (default: the next part)."""
        if text.strip():
            self.removed.append((len(self.parts) if at is None else at, text.strip(), reason))

    def set_default(self, key: str, value: str | None) -> None:
        """Keep the first value found for a field: earlier evidence is stronger."""
        if value and not self.fields.get(key):
            self.fields[key] = value


@dataclass(frozen=True)
class ReadOptions:
    """What a binary reader may need beyond the bytes: the OCR mode and cache, the bounds."""

    ocr: str = "auto"                   # auto: pages without a text layer; always; never
    ocr_cache: Path | None = None       # folder of OCR results by content hash (None: no cache)
    max_pages: int = 20_000             # a PDF with more pages is read up to here, and says so
    max_unpacked: int = 200_000_000     # bytes a zip container (docx, odt, epub) may unpack to


_HOOK: list = [None]


def report_part(part: float) -> None:
    """A reader's progress through one long file (a PDF's pages), from 0 to 1: the indexer shows
    it on its progress bar (indexer._Prepare sets the hook; without one this does nothing)."""
    hook = _HOOK[0]
    if hook is not None:
        hook(part)


@contextmanager
def reporting(hook):
    """report_part() calls hook(part) inside the block."""
    previous, _HOOK[0] = _HOOK[0], hook
    try:
        yield
    finally:
        _HOOK[0] = previous
