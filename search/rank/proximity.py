"""Proximity re-ranking: the best passages by BM25 in, the same with a bonus where the query's words stand close.

In: every matching passage's score (search/rank/evaluate.py), the query's plain words
(STEMMED terms, as they stand in the body field). Out: the scores of the top `window`
passages raised by `boost` times the words' body scores where some stretch of at most
slop × (words − 1) positions holds every word, in any order.

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
            boost: float, window: int = 100, tie=None) -> None:
    """Add the proximity bonus to `scores` (changed in place); `tie` orders equal scores at
    the window's edge (Scores.best)."""
    distinct = tuple(dict.fromkeys(words))
    if boost <= 0 or len(distinct) < 2 or not scores:
        return
    docs = scores.top_set(window, tie or (lambda d: d))
    keys, labels = [], []
    holds = np.ones(len(docs), bool)
    word_scores = {}
    for label, w in enumerate(distinct):
        got = ev.word_positions(FIELD, w, docs)
        if got is None:
            return
        ids, body_scores, positions, counts = got
        ranks = np.searchsorted(docs, ids)
        has = np.zeros(len(docs), bool)
        has[ranks] = True
        holds &= has
        word_scores[w] = np.zeros(len(docs))
        word_scores[w][ranks] = body_scores
        keys.append((np.repeat(ranks, counts) << _SHIFT) | positions)
        labels.append(np.full(len(positions), label, np.int8))
    if not holds.any():
        return
    close = holds & (_shortest_spans(np.concatenate(keys), np.concatenate(labels), len(distinct), len(docs))
                     <= slop * (len(distinct) - 1))
    if not close.any():
        return
    bonus = np.zeros(len(docs))
    for w in words:                         # a repeated word counts each time, as in the query
        bonus += word_scores[w]
    if boost != 1.0:
        bonus = bonus * boost
    scores.add(docs[close].tolist(), bonus[close].tolist())


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
