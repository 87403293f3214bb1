"""BM25 statistics over the live passages only, as a clean build of the same files has them.

Whoosh's passage count, document frequencies and field-length totals still count a
passage that was deleted (replaced by a re-indexed file) until a merge rewrites its
segment (indexer/store/fastwriter.py rewrites one at 20% deleted). Until then an incremental
index would score slightly differently from a clean build and near ties would swap.
Here the deleted passages are subtracted: their lengths once per searcher, and per
query term the number of them that contain it (a skip through the term's postings to
each deleted passage). An index without deletions pays nothing.
"""
from __future__ import annotations

from whoosh.reading import TermNotFound


class LiveStats:
    """Statistics of one open Whoosh searcher (the top-level one), cached for its life."""

    def __init__(self, searcher):
        # The reader, not the searcher: the searcher holds this object, and a cycle would keep
        # its segment files mapped after close() until the garbage collector ran.
        self.reader = searcher.reader()
        self.count = searcher.doc_count()
        self.deleted = []                           # (segment reader, its deleted docnums, sorted)
        if self.count != searcher.doc_count_all():
            for sub, _ in searcher.leaf_searchers():
                reader = sub.reader()
                if reader.has_deletions():
                    self.deleted.append((reader, sorted(reader.deleted_docs_set)))
        self._df: dict = {}
        self._avg: dict = {}

    @classmethod
    def of(cls, searcher) -> "LiveStats":
        stats = getattr(searcher, "_docsearch_live_stats", None)
        if stats is None:
            stats = cls(searcher)
            searcher._docsearch_live_stats = stats
        return stats

    def doc_frequency(self, fieldname: str, text) -> int:
        df = self.reader.doc_frequency(fieldname, text)
        if not self.deleted:
            return df
        key = (fieldname, text)
        if key not in self._df:
            self._df[key] = df - sum(self._deleted_with(reader, docnums, fieldname, text)
                                     for reader, docnums in self.deleted)
        return self._df[key]

    def avg_field_length(self, fieldname: str) -> float:
        if fieldname not in self._avg:
            total = self.reader.field_length(fieldname)
            for reader, docnums in self.deleted:
                total -= sum(reader.doc_field_length(d, fieldname) for d in docnums)
            self._avg[fieldname] = total / (self.count or 1)
        return self._avg[fieldname]

    @staticmethod
    def _deleted_with(reader, docnums: list[int], fieldname: str, text) -> int:
        """How many of the segment's deleted passages hold the term (raw postings, deletions kept)."""
        try:
            btext = reader._text_to_bytes(fieldname, text)
            if (fieldname, btext) not in reader:
                return 0
            postings = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
        except (TermNotFound, KeyError, ValueError):
            return 0
        found = 0
        for d in docnums:
            if not postings.is_active():
                break
            if postings.id() < d:
                postings.skip_to(d)
            if postings.is_active() and postings.id() == d:
                found += 1
        return found
