"""The BM25F weighting Whoosh's own matchers use, with Lucene's idf over live passages.

evaluate.py scores with the same formula from whole posting lists; this is what Whoosh needs
for the query nodes evaluate.py hands back to Whoosh's matchers, and what carries B and K1.
"""
from __future__ import annotations

import math

from whoosh import scoring

from search.rank.stats import LiveStats


class BM25Scorer(scoring.BM25FScorer):
    """BM25 for one term with Lucene's idf, log(1 + (N - n + 0.5) / (n + 0.5)).

    Whoosh's own idf, log(N / (n + 1)) + 1, gives a word in half the passages a quarter
    of a rare word's weight, so the generic words of a question ("results", "methods")
    outvote its topic; Lucene's (also Tantivy's and Anserini's) gives it about a tenth.
    The idf is set before setup(), which derives the block-skipping bound from it.
    Statistics count live passages only (search/rank/stats.py).
    """

    def __init__(self, searcher, fieldname, text, B, K1, qf=1):
        stats = LiveStats.of(searcher.get_parent())
        n, total = stats.doc_frequency(fieldname, text), stats.count
        self.idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        self.avgfl = stats.avg_field_length(fieldname) or 1
        self.B, self.K1, self.qf = B, K1, qf
        self.setup(searcher, fieldname, text)


class BM25(scoring.BM25F):
    """Whoosh's BM25F (per-field BM25 summed over fields, per-field B) with BM25Scorer."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return BM25Scorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B), self.K1, qf=qf)
