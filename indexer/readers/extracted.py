"""What a format reader returns: (text, heading level) parts plus the metadata fields it found.

The readers (text_reader, markdown_reader, html_reader) know nothing of files, bytes or
sidecars (loaders.py does): each turns a normalised string into an Extracted.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extracted:
    parts: list[tuple[str, int]] = field(default_factory=list)   # (text, 0 body | 1..6 heading)
    fields: dict[str, str] = field(default_factory=dict)         # title, date, ... and extras for meta
    # Text left out, with why: (index of the part it stood before, text, reason). load_document
    # records these in the Document (or, with keep_all, puts them back where they stood).
    removed: list[tuple[int, str, str]] = field(default_factory=list)

    def remove(self, text: str, reason: str, at: int | None = None) -> None:
        """Record `text` as left out for `reason`, standing before part `at` (default: the next part)."""
        if text.strip():
            self.removed.append((len(self.parts) if at is None else at, text.strip(), reason))

    def set_default(self, key: str, value: str | None) -> None:
        """Keep the first value found for a field: earlier evidence is stronger."""
        if value and not self.fields.get(key):
            self.fields[key] = value
