"""Document and Passages -> the Whoosh documents of an index, and the manifest record.

Each passage is one Whoosh document carrying its document's metadata (so a hit is
self-contained); passage 0 also carries the document's record (docinfo) and what its
reader left out (removed). writer.py and the indexing workers call document_fields.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from indexer.document import Document, Passage
from indexer.store import schema as S
from indexer.store.roots import old_location


@dataclass(slots=True)
class DocRecord:
    """What the manifest remembers of one indexed document.

    An index holds one per document, all of them in memory while it is written (a mailbox of
    100,000 messages: 100,000), so without a __dict__ each: slots."""
    doc_id: str
    path: str
    root: str
    sha256: str
    size: int
    mtime: float
    passages: int
    title: str | None = None
    date: str | None = None
    source: str | None = None
    language: str | None = None
    type: str | None = None
    pages: int = 0          # the last page any passage stands on (0: not a paged format)
    container: str | None = None    # the file's id, for a document inside a file (message, attachment)
    ocr_pending: int = 0    # its pages without a text layer that were not read (no Tesseract)
    boilerplate: str = ""       # Document.boilerplate: the learned boilerplate it was read with
    abs_path: str = ""      # where the file is: its root and path (older indexes: "")
    inputs: str = ""        # digest of what else shapes its passages: sidecar, manifest row, options

    def to_json(self) -> dict:
        """The manifest entry (docsearch.json), made one at a time as the marker is written."""
        return {name: getattr(self, name) for name in _RECORD_FIELDS}

    def location(self) -> str:
        """Where the file is (for a record of an index older than abs_path: from its root and path)."""
        return self.abs_path or old_location(self.root, self.path)


_RECORD_FIELDS = tuple(DocRecord.__dataclass_fields__)
# A DocRecord in memory with its strings and its slot in the writer's dicts, measured with
# tracemalloc on a mailbox's messages (571 bytes); counted against --memory-mb (IndexWriter).
RECORD_BYTES = 600


def passage_fields(doc: Document, passage: Passage) -> dict:
    """The Whoosh document for one passage; doc-level metadata repeats on each so a hit is self-contained."""
    fields = {
        "id": passage.id, "doc_id": doc.doc_id, "path": doc.path, "ordinal": passage.ordinal,
        "body": passage.text, "exact": passage.text,
        "start": passage.start, "end": passage.end,
        "language": passage.language or doc.language or "",
    }
    if doc.title:
        fields["title"] = doc.title
    if passage.section:
        fields["section"] = passage.section
    if doc.type:
        fields["type"] = doc.type
    if passage.page:
        fields["page"], fields["page_end"] = passage.page, passage.page_end
        fields["pages"] = " ".join(_page_names(doc.page_labels, passage.page, passage.page_end))
        if passage.page_label:
            fields["page_label"] = passage.page_label
        if 0 < passage.page_end <= len(doc.page_labels) and doc.page_labels[passage.page_end - 1]:
            fields["page_end_label"] = doc.page_labels[passage.page_end - 1]
    if passage.quoted:              # an e-mail's quoted reply: "yes" all of the passage, "part" some of it
        fields["quoted"] = "yes" if passage.all_quoted else "part"
        fields["quoted_spans"] = [list(span) for span in passage.quoted]
    if doc.date:
        fields["date_text"] = doc.date
        number = S.date_number(doc.date)
        if number is not None:
            fields["date"] = number
    for name in ("source", "author", "url"):
        value = getattr(doc, name)
        if value:
            fields[name] = value
    for key, value in doc.meta.items():
        if value not in (None, ""):
            fields[S.META_PREFIX + key] = str(value)
    return fields


def _page_names(labels: Sequence[str], first: int, last: int) -> list[str]:
    """What page:N matches: the printed label where the document defines one (what the output
    shows, what a citation names), else the page number; lower-cased, one token each."""
    names = []
    for page in range(first, last + 1):
        label = labels[page - 1] if page <= len(labels) else ""
        names.append("".join(label.split()).lower() or str(page))
    return names


def document_fields(doc: Document, passages: Sequence[Passage], root: str,
                    abs_path: str = "", inputs: str = "") -> tuple[DocRecord, list[dict]]:
    """A document's manifest record and the Whoosh documents of its passages."""
    record = DocRecord(doc.doc_id, doc.path, root, doc.sha256, doc.size, doc.mtime, len(passages),
                       doc.title, doc.date, doc.source, doc.language, doc.type,
                       max((p.page_end for p in passages), default=0), doc.container,
                       int(doc.meta.get("ocr_pending") or 0) if str(doc.meta.get("ocr_pending", "")).isdigit() else 0,
                       doc.boilerplate, abs_path=abs_path, inputs=inputs)
    docs = []
    for passage in passages:
        fields = passage_fields(doc, passage)
        if passage.ordinal == 0:
            fields["docinfo"] = asdict(record)
            fields.update({"removed": [[r.text, r.reason] for r in doc.removed]} if doc.removed else {})
        docs.append(fields)
    return record, docs
