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

    def set_default(self, key: str, value: str | None) -> None:
        """Keep the first value found for a field: earlier evidence is stronger."""
        if value and not self.fields.get(key):
            self.fields[key] = value
