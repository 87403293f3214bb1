"""The Whoosh schema and storage: the one place on the indexer side that imports Whoosh.

Both sides read it: the indexer writes these fields, `search` queries them. An
index records SCHEMA_VERSION in its marker file; any change to fields or
analysis below must bump it, so an old index asks for --rebuild instead of
answering wrongly.
"""
from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Tokenizer
from whoosh.analysis.acore import Token
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from indexer.store.analysis import EXACT, STEMMED, Analyzer
from indexer.store.codec import Codec

SCHEMA_VERSION = 7         # 3: postings as arrays (indexer/store/codec.py); ordinal sortable
                           # 4: acronyms on lines in capitals as either-reading terms (analysis.py)
                           # 5: type, page, page_end, page_label, page_end_label, pages (issue 14)
                           # 6: removed lines, on passage 0 (issue 12)
                           # 7: C++, C#, .NET and the like are one term each (analysis.py, issue 13)
                           #    quoted, quoted_spans: an e-mail's quoted reply (issue 14; added to an
                           #    index of 7 that lacks them when it is next written: IndexWriter._open)
                           #    line-end hyphens decided anew, no passage boundary inside a word
                           #    (indexer/clean/hyphens.py, segment.py; issue 12)
                           #    files read anew: legacy encodings detected, overstrikes and escape
                           #    sequences (normalize.py), plain text's blank-line paragraphs, fields
                           #    and manual-page labels (reflow.py, text.py), Markdown hard breaks,
                           #    HTML footers and asides of the text (issue 12)
INDEX_NAME = "MAIN"

# Fields a query may name, mapped to the index fields they search.
TEXT_FIELDS = ("title", "section", "body")
FILTER_FIELDS = ("source", "author", "language", "path", "doc_id", "type", "page")
META_PREFIX = "m_"          # extra manifest columns: m_country, m_year, ...


class WhooshAnalyzer(Tokenizer):
    """Adapts analysis.Analyzer to Whoosh's token-stream protocol."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer

    def __eq__(self, other):
        return type(other) is type(self) and other.analyzer.__getstate__() == self.analyzer.__getstate__()

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.pos, t.startchar, t.endchar = start_pos, start_char, start_char + len(value)
            yield t
            return
        for tok in self.analyzer.tokens(value, keep_stops=not removestops):
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[tok.start:tok.end]
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.start
                t.endchar = start_char + tok.end
            yield t


STEMMED_ANALYZER = WhooshAnalyzer(STEMMED)
EXACT_ANALYZER = WhooshAnalyzer(EXACT)


def build_schema() -> Schema:
    schema = Schema(
        id=ID(stored=True, unique=True),            # "DOC_ID#ordinal"
        doc_id=ID(stored=True, sortable=True),     # sortable: per-document collapsing
        path=ID(stored=True),
        ordinal=NUMERIC(int, stored=True, sortable=True),   # sortable: documents' bounds for collapsing
        title=TEXT(analyzer=STEMMED_ANALYZER, stored=True, phrase=True),
        section=TEXT(analyzer=STEMMED_ANALYZER, stored=True, phrase=True),
        body=TEXT(analyzer=STEMMED_ANALYZER, stored=True, phrase=True, vector=False),
        exact=TEXT(analyzer=EXACT_ANALYZER, phrase=True),      # unstemmed, stop words kept: quoted phrases
        date=NUMERIC(int, bits=32, stored=False, sortable=True, signed=False),  # YYYYMMDD, 00 for unknown parts
        date_text=STORED(),                          # the ISO date as the document gave it
        source=TEXT(analyzer=EXACT_ANALYZER, stored=True, phrase=True),
        author=TEXT(analyzer=EXACT_ANALYZER, stored=True, phrase=True),
        language=ID(stored=True),
        url=STORED(),
        start=STORED(),
        end=STORED(),
        docinfo=STORED(),                            # per-document record, on passage 0 only
        type=ID(stored=True),                        # the format: pdf, docx, email, text, ... (type:pdf)
        page=STORED(),                               # 1-based first page of a paged document's passage
        page_end=STORED(),                           # its last page
        page_label=STORED(),                         # the printed label of `page` ("iv", "12")
        page_end_label=STORED(),                     # ... and of `page_end`
        pages=KEYWORD(),                             # every page the passage stands on, for page:12
        removed=STORED(),                            # [[text, reason], ...] left out of the passages; passage 0
        quoted=ID(stored=True),                      # "yes": the passage is quoted text (an e-mail's quoted
                                                     # reply), "part": some of it is; absent: none
        quoted_spans=STORED(),                       # [[start, end], ...] of the quoted text in the passage
    )
    schema.add(META_PREFIX + "*", TEXT(analyzer=EXACT_ANALYZER, stored=True, phrase=True), glob=True)
    return schema


def date_number(iso: str | None) -> int | None:
    """'2000-10-09' -> 20001009, '2000' -> 20000000: sortable, and ranges still work by prefix."""
    if not iso:
        return None
    parts = iso.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 0
        day = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        return None
    return year * 10000 + month * 100 + day


def has_whoosh_index(directory: Path) -> bool:
    return directory.is_dir() and whoosh_index.exists_in(str(directory), indexname=INDEX_NAME)


def create_index(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    return FileStorage(str(directory)).create_index(build_schema(), indexname=INDEX_NAME)


def open_index(directory: Path):
    return FileStorage(str(directory)).open_index(indexname=INDEX_NAME)


def generation(ix) -> int:
    return ix.latest_generation()


LockError = whoosh_index.LockError


def open_writer(ix, *, limitmb: int = 64):
    """Whoosh's writer for one run: it holds Whoosh's lock, applies deletions to
    the committed segments, merges small ones (through the index's codec), and
    writes the TOC that makes the run's new segments (fastwriter.SegmentBuilder) live."""
    return ix.writer(limitmb=limitmb, codec=Codec())
