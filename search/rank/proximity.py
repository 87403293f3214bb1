"""Proximity re-ranking: the best passages by BM25 in, the same with a bonus where the query's words stand close.

In: every matching passage's score (search/rank/evaluate.py), the query's plain words
(STEMMED terms, as they stand in the body field). Out: the scores of the top `window`
passages raised by `boost` times the words' body scores where some stretch of at most
slop × (words − 1) positions holds every word, in any order; and by
pair_boost (0.25 by default) × 2 × the weaker word's body score for each pair of
neighbouring query words that stand within `pair_slop` positions of each other
(stop words keep their positions, so "constant of liquids" is 2 apart). The
all-words rule almost never fires for a question of six words or more; the pairs
do ("dielectric constant", "transistor switches"), as in Metzler and Croft's
sequential dependence model; the weaker word's score, as Büttcher's BM25TP takes the
smaller idf, so a generic word beside a topical one earns little. Measured on the
five judged collections at 0.25 (bench/results/issue15-npl.md): NPL +0.009 and MED
+0.011 nDCG@10, CACM -0.006, CISI -0.006, Cranfield -0.004 in-sample; chosen held out
(bench/tuning.py's grid has it off, at 0.1 and 0.5, and slop 1 and 8) for every one of
the five, which is why it is a default: a collection's stock phrase ("information
retrieval" in CISI) is what it costs. For two words the pair is the all-words stretch,
so its spans are computed once.

Why a window and not a query: Whoosh's way, an AndMaybe with an ordered Phrase(words,
slop), read the positions of every passage holding all the words and gave nothing to
words typed in the other order than the text ("framework agreed"). Like Lucene's
rescoring, only the passages that can reach the first page are looked at; a passage
below the window keeps its BM25 score, which is below the window's.
"""
from __future__ import annotations

import numpy as np

from search.rank.evaluate import Evaluator, Scores

FIELD = "body"


def rescore(ev: Evaluator, scores: Scores, words: tuple[str, ...], *, slop: int,
            boost: float, window: int = 100, tie=None, pair_boost: float = 0.0, pair_slop: int = 3) -> None:
    """Add the proximity bonuses to `scores` (changed in place); `tie` orders equal scores at
    the window's edge (Scores.best)."""
    distinct = tuple(dict.fromkeys(words))
    if (boost <= 0 and pair_boost <= 0) or len(distinct) < 2 or not scores:
        return
    docs = scores.top_set(window, tie or (lambda d: d))
    keys, labels = [], []
    holds = np.ones(len(docs), bool)
    word_scores = {}
    for label, w in enumerate(distinct):
        got = ev.word_positions(FIELD, w, docs)
        if got is None:                     # not in the index: no stretch holds every word
            if pair_boost <= 0:
                return
            empty = np.zeros(0, np.int64)
            got = empty, np.zeros(0), empty, empty
        ids, body_scores, positions, counts = got
        ranks = np.searchsorted(docs, ids)
        has = np.zeros(len(docs), bool)
        has[ranks] = True
        holds &= has
        word_scores[w] = np.zeros(len(docs))
        word_scores[w][ranks] = body_scores
        keys.append((np.repeat(ranks, counts) << _SHIFT) | positions)
        labels.append(np.full(len(positions), label, np.int8))
    bonus = np.zeros(len(docs))
    spans = None            # of all the words; for two words, also the one pair's
    if boost > 0 and holds.any():
        spans = _shortest_spans(np.concatenate(keys), np.concatenate(labels), len(distinct), len(docs))
        close = holds & (spans <= slop * (len(distinct) - 1))
        for w in words:                     # a repeated word counts each time, as in the query
            bonus[close] += boost * word_scores[w][close]
    if pair_boost > 0:
        index = {w: i for i, w in enumerate(distinct)}
        for a, b in zip(words, words[1:]):
            if a == b:
                continue
            if spans is not None and len(distinct) == 2:
                close = spans <= pair_slop
            else:
                ka, kb = keys[index[a]], keys[index[b]]
                labels2 = np.r_[np.zeros(len(ka), np.int8), np.ones(len(kb), np.int8)]
                close = _shortest_spans(np.r_[ka, kb], labels2, 2, len(docs)) <= pair_slop
            bonus[close] += pair_boost * 2 * np.minimum(word_scores[a][close], word_scores[b][close])
    hit = np.flatnonzero(bonus)
    if len(hit):
        scores.add(docs[hit].tolist(), bonus[hit].tolist())


_SHIFT = 32             # keys: (rank of the passage << 32) | position


def _shortest_spans(keys: np.ndarray, labels: np.ndarray, nlabels: int, ndocs: int) -> np.ndarray:
    """Per passage rank, the fewest positions from first to last of a stretch holding every
    label (a huge number where some label is missing).

    keys: (rank << 32) | position of each occurrence; labels: which word it is. A stretch
    ending at an occurrence starts at the latest earlier occurrence of each label in
    the same passage, the earliest of those; the shortest stretch ends somewhere.
    """
    order = np.argsort(keys, kind="stable")
    keys, labels = keys[order], labels[order]
    ranks = keys >> _SHIFT
    start = None
    for label in range(nlabels):
        last = np.maximum.accumulate(np.where(labels == label, keys, -1))
        last = np.where((last >= 0) & ((last >> _SHIFT) == ranks), last, _FAR)
        start = last if start is None else np.minimum(start, last)
    spans = keys - start
    best = np.full(ndocs, _NONE_SPAN, np.int64)
    np.minimum.at(best, ranks, np.where(start == _FAR, _NONE_SPAN, spans))
    return best


_FAR = np.iinfo(np.int64).min // 2          # "no such occurrence": makes any span huge
_NONE_SPAN = 1 << 40
