"""Passage scores -> documents ranked as documents, for results grouped by document (per_doc).

In: every matching passage's score (search/rank/evaluate.py), the passage -> document
map (Evaluator.groups) and the query's weighted terms. Out: the best documents, each
with its best `per_doc` passages, which stand together and carry the document's score.

Why not the best passage alone (MaxP): a document that treats a topic over several
passages then ranks below one that names part of it in one short passage, and a
one-passage abstract and a ten-passage report are compared on one passage each. A
document's score here is its best passage's score (which holds the title, proximity
and feedback evidence) plus `whole_weight` times document_bm25: the BM25 of the whole
document, term frequencies and lengths summed over its passages, idf over documents,
as an index of whole documents would give it. Summing the other passages' scores
instead (`weight`, 0 by default) was measured and ranked worse on CACM, CISI and MED
(0.1 and 0.3 against 0): it counts the title, stored on every passage, once per passage.
Passage results (per_doc None) are not touched: they stay passages.
"""
from __future__ import annotations

import numpy as np
from whoosh.util.numeric import byte_to_length

from search.rank.scores import Scores


def document_scores(scores: Scores, groups: np.ndarray, weight: float) -> Scores:
    """One entry per matching document: its best passage's docnum and the document's score.

    groups: docnum -> document number (Evaluator.groups()).
    """
    if not len(scores):
        return scores
    docs = groups[scores.ids]
    # Passages of one document are consecutive docnums, so `docs` is ascending with `ids`.
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    values = scores.values
    best = np.maximum.reduceat(values, starts)
    if weight:
        best = best + weight * (np.add.reduceat(values, starts) - best)
    # The best passage of each document: its first passage holding the maximum.
    top_of_doc = np.repeat(np.maximum.reduceat(values, starts), np.diff(np.r_[starts, len(values)]))
    first_best = np.flatnonzero(values == top_of_doc)
    owners = docs[first_best]
    keep = np.r_[True, owners[1:] != owners[:-1]]
    return Scores(scores.ids[first_best[keep]], best)


def top_documents(scores: Scores, groups: np.ndarray, n: int, per_doc: int, weight: float,
                  tie, whole=None, whole_weight: float = 0.0) -> list[tuple[int, float]]:
    """The first `n` (docnum, score) of the documents ranked by document score, each document
    followed by up to `per_doc` - 1 more of its passages (best first); every passage of a
    document carries the document's score, so scores fall with the rank."""
    by_doc = document_scores(scores, groups, weight)
    if whole is not None and whole_weight and len(by_doc):
        doc_ids, doc_scores = whole
        g = groups[by_doc.ids]
        at = np.searchsorted(doc_ids, g)
        at_ok = at < len(doc_ids)
        hit = np.zeros(len(g), bool)
        hit[at_ok] = doc_ids[at[at_ok]] == g[at_ok]
        extra = np.zeros(len(g))
        extra[hit] = doc_scores[at[hit]]
        by_doc = Scores(by_doc.ids, by_doc.values + whole_weight * extra)
    ranked = by_doc.best(n, tie)
    if per_doc == 1:
        return ranked
    out: list[tuple[int, float]] = []
    docs = groups[scores.ids]
    for docnum, score in ranked:
        lo, hi = np.searchsorted(docs, [groups[docnum], groups[docnum] + 1])
        ids, values = scores.ids[lo:hi], scores.values[lo:hi]
        order = np.lexsort((ids, -values))[:per_doc]
        out += [(int(ids[i]), score) for i in order]
        if len(out) >= n:
            break
    return out[:n]


def document_bm25(ev, terms, field: str = "body", b: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """BM25 of whole documents for (term, weight) pairs: (document numbers, scores).

    A document's term frequency is the sum over its passages, its length the sum of its
    passages' lengths, idf counts documents: what an index of whole documents would give,
    computed from the passage postings the first pass read anyway.
    """
    groups = ev.groups()
    ndocs = int(groups[-1]) + 1 if len(groups) else 0
    if not ndocs:
        return np.zeros(0, np.int64), np.zeros(0)
    deleted = ev.deleted()
    B = ev.weighting.B if b is None else b
    cached = ev.cache.get(("document_norms", field, B))
    if cached is None:                  # once per index generation
        live = np.ones(len(groups), bool) if deleted is None else ~deleted
        table = np.array([byte_to_length(b) for b in range(256)], np.float64)
        lengths = np.bincount(groups[live], weights=table[ev._lengths_of(field)][live], minlength=ndocs)
        present = np.bincount(groups[live], minlength=ndocs) > 0
        n = int(present.sum())
        avg = lengths[present].mean() if n else 1.0
        K1 = ev.weighting.K1
        cached = ev.cache[("document_norms", field, B)] = n, K1 * ((1 - B) + B * lengths / (avg or 1.0))
    n, norms = cached
    K1 = ev.weighting.K1
    total = np.zeros(ndocs)
    for w, weight in terms:
        postings = ev._term_postings(field, w)
        if postings is None:
            continue
        ids, weights = postings.all()
        if deleted is not None:
            keep = ~deleted[ids]
            ids, weights = ids[keep], weights[keep]
        tf = np.bincount(groups[ids], weights=weights, minlength=ndocs)
        has = tf > 0
        df = int(has.sum())
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        total[has] += weight * idf * tf[has] * (K1 + 1) / (tf[has] + norms[has])
    found = np.flatnonzero(total)
    return found, total[found]
