"""Quoted replies: where a message's new text and its quote hold the same words, the new text first.

In: every matching passage's score (after proximity and feedback), the query's plain words
and the index's `quoted` field (indexer/store/schema.py: "yes" on a passage that is all
quoted text, an e-mail's quoted reply). Out: the same scores, a quoted passage lowered
just below the best passage of new text of its own message that holds every query word it
holds, in the body. So a reply that repeats the question it answers is found, and shown,
by its answer: per-document results pick the new text's passage, and passage results list
it first. A quoted passage that holds words the new text lacks keeps its score (it is the
better match), and one whose message has no matching new text is ranked as any passage:
quoted text stays searchable, nothing is lost.

Why not a fixed weight on quoted passages: scores here are tiered (search/rank/tiers.py:
more words first, typed words before aliases), and a weight would move a quoted passage
into a lower tier than passages of other messages that match fewer of the words.
"""
from __future__ import annotations

import numpy as np

from search.rank.evaluate import Evaluator, Scores

FIELD = "body"
WINDOW = 1000           # quoted passages looked at: those that can reach the first pages
_BELOW = 1e-9           # how far under the new text a quoted passage is put (relative)


def quoted_mask(ev: Evaluator) -> np.ndarray | None:
    """docnum -> whether the passage is all quoted text; None for an index without any (cached
    per generation)."""
    if "quoted" not in ev.cache:
        postings = ev._term_postings("quoted", "yes")
        mask = None
        if postings is not None:
            ids, _ = postings.all()
            mask = np.zeros(ev.doccount, bool)
            mask[ids] = True
        ev.cache["quoted"] = mask
    return ev.cache["quoted"]


def prefer_new_text(ev: Evaluator, scores: Scores, words, n: int = 0) -> None:
    """Lower, in place, each quoted passage among the best max(WINDOW, n) below the new text of
    its own message that holds the same query words (see the module docstring)."""
    mask = quoted_mask(ev)
    if mask is None or not len(scores):
        return
    quoted = mask[scores.ids]
    if not quoted.any() or quoted.all():
        return
    looked = np.zeros(len(scores), bool)
    looked[np.searchsorted(scores.ids, scores.top_set(max(WINDOW, n), ev.tie))] = True
    looked &= quoted
    docs = ev.groups()[scores.ids]                 # ascending, as the ids are
    candidates = np.unique(docs[looked])
    new_docs = docs[~quoted]
    at = np.minimum(np.searchsorted(new_docs, candidates), len(new_docs) - 1)
    messages = candidates[new_docs[at] == candidates]          # with new text that matches too
    if not len(messages):
        return
    starts, ends = np.searchsorted(docs, messages), np.searchsorted(docs, messages, side="right")
    counts = ends - starts
    inside = np.arange(counts.sum()) + np.repeat(starts - np.cumsum(counts) + counts, counts)   # their matches
    held = _words_held(ev, scores.ids[inside], words).tolist()
    owner, is_quoted, is_looked = docs[inside].tolist(), quoted[inside].tolist(), looked[inside].tolist()
    values = scores.values.copy()
    score = values[inside].tolist()
    lowered = {}
    lo = 0
    while lo < len(inside):
        hi = lo + 1
        while hi < len(inside) and owner[hi] == owner[lo]:
            hi += 1
        new = [(held[u], score[u]) for u in range(lo, hi) if not is_quoted[u]]
        for r in range(lo, hi):
            if is_looked[r]:
                # The best passage of new text that holds every word this quoted passage holds.
                best = max((v for words_there, v in new if held[r] & ~words_there == 0), default=None)
                if best is not None and score[r] >= best:
                    lowered[int(inside[r])] = best - abs(best) * _BELOW - 1e-12
        lo = hi
    if lowered:
        values[list(lowered)] = list(lowered.values())
        scores.values = values


def _words_held(ev: Evaluator, ids: np.ndarray, words) -> np.ndarray:
    """A bit per distinct query word (up to 63) that each passage of `ids` (ascending) holds in FIELD."""
    held = np.zeros(len(ids), np.int64)
    for bit, word in enumerate(list(dict.fromkeys(words))[:63]):
        postings = ev._term_postings(FIELD, word)
        if postings is None:
            continue
        _, found, _ = postings.select(ids)
        held[np.searchsorted(ids, found)] |= np.int64(1) << bit
    return held
