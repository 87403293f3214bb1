"""Proximity re-ranking: the best passages by BM25 in, the same with a bonus where the query's words stand close.

In: every matching passage's score (search/evaluate.py), the query's plain words
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

from .evaluate import Evaluator, top

FIELD = "body"


def rescore(ev: Evaluator, scores: dict[int, float], words: tuple[str, ...], *, slop: int,
            boost: float, window: int = 100, tie=None) -> None:
    """Add the proximity bonus to `scores` (docnum -> score, changed in place); `tie` orders
    equal scores at the window's edge (evaluate.top)."""
    distinct = tuple(dict.fromkeys(words))
    if boost <= 0 or len(distinct) < 2 or not scores:
        return
    docs = [d for d, _ in top(scores, window, tie)]
    found = []                      # per distinct word: docnum -> (body score, positions)
    for w in distinct:
        got = ev.term_positions(FIELD, w, docs)
        if not got:
            return
        found.append(got)
    span = slop * (len(distinct) - 1)
    for d in docs:
        if not all(d in got for got in found):
            continue
        if _shortest_span([got[d][1] for got in found]) <= span:
            by_word = {w: got[d][0] for w, got in zip(distinct, found)}
            bonus = sum(by_word[w] for w in words)
            scores[d] += bonus * boost if boost != 1.0 else bonus
    return


def _shortest_span(positions: list[list[int]]) -> int:
    """The fewest positions from first to last of a stretch holding one of each list."""
    merged = sorted((p, i) for i, plist in enumerate(positions) for p in plist)
    need = len(positions)
    counts = [0] * need
    have = 0
    best = None
    lo = 0
    for p, i in merged:
        if counts[i] == 0:
            have += 1
        counts[i] += 1
        while have == need:
            q, j = merged[lo]
            if best is None or p - q < best:
                best = p - q
            counts[j] -= 1
            if counts[j] == 0:
                have -= 1
            lo += 1
    return best if best is not None else 1 << 30
