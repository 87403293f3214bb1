"""Equal scores in an order that does not depend on the index's history.

Whoosh breaks ties by internal document number, which follows the order files were
indexed and segments merged: after an incremental run, two passages with the same
score could swap places (at the edge of the top 10, one replaced the other) relative
to a clean build of the same files. Here ties go by document id, then by position in
the document (a document's passages always sit together, in order, in one segment).
"""
from __future__ import annotations

from heapq import heapify, heappush, heapreplace

from whoosh import collectors


class _Later:
    """A tie key that sorts backwards, so the heap's weakest entry is the later document."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other):
        return self.key > other.key

    def __eq__(self, other):
        return self.key == other.key


class StableTopCollector(collectors.TopCollector):
    """TopCollector (exact count, no block skipping) whose ties go by (doc_id, docnum)."""

    def __init__(self, limit: int):
        super().__init__(limit, usequality=False, replace=0)
        self._doc_ids = None

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        self._doc_ids = reader.column_reader("doc_id") if reader.has_column("doc_id") else None

    def _tie(self, global_docnum: int) -> _Later:
        doc_id = self._doc_ids[global_docnum - self.offset] if self._doc_ids is not None else ""
        return _Later((doc_id, global_docnum))

    def _collect(self, global_docnum, score):
        items = self.items
        self.total += 1
        if len(items) < self.limit:
            heappush(items, (score, self._tie(global_docnum), global_docnum))
            return 0 - score
        if score < items[0][0]:
            return 0
        item = (score, self._tie(global_docnum), global_docnum)
        if item > items[0]:
            heapreplace(items, item)
            self.minscore = items[0][0]
            return 0 - score
        return 0

    def remove(self, global_docnum):
        items = self.items
        for i, item in enumerate(items):
            if item[2] == global_docnum:
                items.pop(i)
                heapify(items)
                self.minscore = items[0][0] if items else 0
                return

    def results(self):
        self.items.sort(reverse=True)
        return self._results([(score, docnum) for score, _, docnum in self.items])
