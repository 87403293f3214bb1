"""What a search returns: our own frozen dataclasses, usable after the Searcher is closed.

`to_dict()` is the stable JSON shape documented in the README; change it only
by adding keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

from search.collect.facets import Facets
from search.present.snippets import Snippet


def page_fields(stored: dict) -> dict:
    """The page keys of a Hit or ContextPassage from a passage's stored fields (0/None: no pages)."""
    return {"type": stored.get("type"), "page": stored.get("page") or 0, "page_end": stored.get("page_end") or 0,
            "page_label": stored.get("page_label"), "page_end_label": stored.get("page_end_label")}


def quoted_fields(stored: dict) -> dict:
    """The quoted keys of a Hit or ContextPassage from a passage's stored fields (an e-mail's quoted reply)."""
    return {"quoted": stored.get("quoted") == "yes",
            "quoted_spans": tuple((int(s), int(e)) for s, e in stored.get("quoted_spans") or ())}


def cite_pages(page: int, page_end: int, label: str | None = None, end_label: str | None = None) -> str:
    """"p. 12", "pp. 12-13", or the printed labels where the document defines them ("p. iv"); "" without pages."""
    if not page:
        return ""
    first, last = label or str(page), end_label or str(page_end or page)
    return f"p. {first}" if (page_end or page) == page else f"pp. {first}–{last}"


@dataclass(frozen=True)
class Hit:
    rank: int                   # 1-based, across pages
    score: float
    id: str                     # "DOC_ID#passage"
    doc_id: str
    passage: int                # the passage's ordinal in its document
    path: str
    title: str | None
    date: str | None
    source: str | None
    author: str | None
    section: str | None
    language: str | None
    text: str                   # the whole passage
    start: int                  # offsets of the passage in the document's clean text
    end: int
    snippet: Snippet
    url: str | None = None
    meta: dict = field(default_factory=dict)    # extra manifest fields (country, year, ...)
    type: str | None = None     # the document's format: pdf, docx, email, text, ...
    page: int = 0               # 1-based first page of the passage (0: the format has no pages)
    page_end: int = 0           # its last page: > page when the passage runs over a page break
    page_label: str | None = None       # the printed label of `page` ("iv", "12"), where defined
    page_end_label: str | None = None   # ... and of `page_end`
    root: str | None = None     # the indexed folder (resolved) the document's path is below
    abs_path: str | None = None     # the file itself: open this (None for an index older than roots)
    quoted: bool = False        # the passage is quoted text: an e-mail's quoted reply, not its new text
    quoted_spans: tuple[tuple[int, int], ...] = ()  # (start, end) into text of the quoted text it holds

    @property
    def pages(self) -> str:
        """The citation of the passage's pages: "p. 12", "pp. 12-13"; "" without pages."""
        return cite_pages(self.page, self.page_end, self.page_label, self.page_end_label)

    def to_dict(self) -> dict:
        return {
            "rank": self.rank, "score": round(self.score, 6), "id": self.id, "doc_id": self.doc_id,
            "passage": self.passage, "path": self.path, "title": self.title, "date": self.date,
            "source": self.source, "author": self.author, "section": self.section,
            "language": self.language, "text": self.text, "start": self.start, "end": self.end,
            "snippet": self.snippet.text, "highlights": [list(h) for h in self.snippet.highlights],
            "url": self.url, "meta": dict(self.meta),
            "type": self.type, "page": self.page or None, "page_end": self.page_end or None,
            "page_label": self.page_label, "page_end_label": self.page_end_label,
            "root": self.root, "abs_path": self.abs_path,
            "quoted": self.quoted, "quoted_spans": [list(span) for span in self.quoted_spans],
        }


@dataclass(frozen=True)
class Results(Sequence[Hit]):
    query: str
    total: int                  # passages matching (before paging; after per-document collapsing when asked)
    page: int
    limit: int
    hits: tuple[Hit, ...]
    suggestion: str | None = None   # did-you-mean: a whole corrected query, never applied silently
    notes: tuple[str, ...] = ()     # lenient readings of the query (e.g. a closed quote)
    facets: Facets | None = None    # counts per value of the fields asked for (search(facets=...))

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_dict(self) -> dict:
        out = {"query": self.query, "total": self.total, "page": self.page, "suggestion": self.suggestion,
               "hits": [h.to_dict() for h in self.hits]}
        if self.facets is not None:          # only when asked for: the JSON of a plain search is unchanged
            out["facets"] = {name: [v.to_dict() for v in values] for name, values in self.facets.fields.items()}
        return out


@dataclass(frozen=True)
class ContextPassage:
    id: str
    passage: int
    text: str
    start: int
    end: int
    section: str | None
    snippet: Snippet            # the whole passage, highlighted for the query if one was given
    type: str | None = None
    page: int = 0
    page_end: int = 0
    page_label: str | None = None
    page_end_label: str | None = None
    quoted: bool = False        # as Hit.quoted
    quoted_spans: tuple[tuple[int, int], ...] = ()

    @property
    def pages(self) -> str:
        return cite_pages(self.page, self.page_end, self.page_label, self.page_end_label)


@dataclass(frozen=True)
class PassageContext:
    """A passage with its neighbours, for reading a hit in place."""

    id: str
    doc_id: str
    path: str
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    passages: tuple[ContextPassage, ...]
    focus: int                  # index into passages of the one asked for
    type: str | None = None
    author: str | None = None
    root: str | None = None
    abs_path: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "doc_id": self.doc_id, "path": self.path, "title": self.title, "date": self.date,
                "source": self.source, "url": self.url, "focus": self.focus, "type": self.type,
                "author": self.author, "root": self.root, "abs_path": self.abs_path,
                "passages": [{"id": p.id, "passage": p.passage, "text": p.text, "start": p.start, "end": p.end,
                              "section": p.section, "highlights": [list(h) for h in p.snippet.highlights],
                              "page": p.page or None, "page_end": p.page_end or None,
                              "page_label": p.page_label, "page_end_label": p.page_end_label,
                              "quoted": p.quoted, "quoted_spans": [list(span) for span in p.quoted_spans]}
                             for p in self.passages]}


@dataclass(frozen=True)
class DocumentInfo:
    """One document the index holds, as `docsearch list` shows it."""

    doc_id: str
    path: str                   # below its root
    root: str | None
    abs_path: str | None
    title: str | None
    date: str | None
    source: str | None
    language: str | None
    passages: int
    size: int                   # bytes of the file when it was indexed
    exists: bool                # whether the file is still there

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IndexStats:
    index_dir: str
    documents: int
    passages: int
    size_bytes: int
    sources: dict[str, int]
    languages: dict[str, int]
    date_from: str | None
    date_to: str | None
    schema_version: int
    types: dict[str, int] = field(default_factory=dict)     # documents per format (pdf, docx, ...)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RemovedLine:
    """A line of the document left out of its passages, and why ("navigation", "page number", ...)."""

    text: str
    reason: str


@dataclass(frozen=True)
class RemovedLines:
    """What the indexer left out of one document, in document order: the audit of its cleaning."""

    doc_id: str
    path: str
    title: str | None
    lines: tuple[RemovedLine, ...]

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "path": self.path, "title": self.title,
                "removed": [{"text": r.text, "reason": r.reason} for r in self.lines]}
