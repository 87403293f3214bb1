"""Progress inside one big file, as the writer reports it while it indexes (IndexWriter.add_files).

A file of many documents (a mailbox) or many pages (a PDF) is one file among the run's, so
counting files leaves the progress bar still while it is read. The writer measures how far
in it is, from each document's Document.read_to (a mailbox's messages) or from its reader's
own reports (a PDF's pages, readers/extracted.report_part), and reports at most a thousand
times per file, each a pipe message from a worker process.
"""
from __future__ import annotations

from typing import Callable

from indexer.document import Document

class Reading:
    """Progress inside one big file: step(doc) per document taken from a streamed file (a mailbox),
    or a reader's own report (a PDF's pages, reporter()), gives (fraction of the file read,
    documents taken, doc id) at most once per thousandth of the file, so a file of any size makes
    at most about a thousand reports (each a pipe message from a worker); else None, and always
    for a document of a file read whole (Document.read_to 0)."""

    def __init__(self) -> None:
        self.taken = 0
        self.last = -1

    def step(self, doc: Document) -> tuple[float, int, str] | None:
        self.taken += 1
        if not doc.read_to or not doc.size:
            return None
        return self._part(doc.read_to / doc.size, doc.doc_id)

    def reporter(self, send: Callable[[tuple], None]) -> Callable[[float, str], None]:
        """report(part, doc_id) for a reader going through the file: send()s what is worth showing."""
        def report(part: float, doc_id: str) -> None:
            found = self._part(part, doc_id)
            if found is not None:
                send(found)
        return report

    def _part(self, part: float, doc_id: str) -> tuple[float, int, str] | None:
        permille = max(0, min(1000, int(part * 1000)))
        if permille <= self.last:
            return None
        self.last = permille
        return permille / 1000, self.taken, doc_id
