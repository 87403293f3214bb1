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

The same holds across messages: a reply that quotes a message of the archive (its
In-Reply-To is that message's Message-ID) has its quoted passage lowered below the best
passage of new text of the original that holds every query word it holds. So a search for
words of one message finds that message first, not each reply that quotes it.

Why not a fixed weight on quoted passages: scores here are tiered (search/rank/tiers.py:
more words first, typed words before aliases), and a weight would move a quoted passage
into a lower tier than passages of other messages that match fewer of the words.
"""
from __future__ import annotations

import re

import numpy as np

from indexer.store import schema as S
from search.rank.evaluate import Evaluator, Scores

FIELD = "body"
WINDOW = 1000           # quoted passages looked at: those that can reach the first pages
NEAR = 100              # quoted passages looked at for the message they reply to
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BELOW = 1e-9           # how far under the new text a quoted passage is put (relative)


def quoted_mask(ev: Evaluator, value: str = "yes") -> np.ndarray | None:
    """docnum -> whether the passage is all quoted text ("part": partly); None for an index without
    any passage of all quoted text (cached per generation)."""
    key = "quoted" if value == "yes" else f"quoted:{value}"
    if key not in ev.cache:
        postings = ev._term_postings("quoted", value)
        mask = None
        if postings is not None or value != "yes":
            mask = np.zeros(ev.doccount, bool)
            if postings is not None:
                mask[postings.all()[0]] = True
        ev.cache[key] = mask
    return ev.cache[key]


def prefer_new_text(ev: Evaluator, scores: Scores, words, n: int = 0) -> None:
    """Lower, in place, each quoted passage among the best max(WINDOW, n) below the new text of
    its own message that holds the same query words (see the module docstring)."""
    mask, partly = quoted_mask(ev), quoted_mask(ev, "part")
    if (mask is None and not partly.any()) or not len(scores):
        return
    quoted = mask[scores.ids] if mask is not None else np.zeros(len(scores), bool)
    part = partly[scores.ids]
    if not (quoted | part).any() or quoted.all():
        return
    top = np.zeros(len(scores), bool)
    top[np.searchsorted(scores.ids, scores.top_set(max(WINDOW, n), ev.tie))] = True
    docs = ev.groups()[scores.ids]                 # ascending, as the ids are
    _below_own_new_text(ev, scores, words, docs, quoted, top & quoted)
    near = np.zeros(len(scores), bool)      # each needs its stored fields read: the first pages only
    near[np.searchsorted(scores.ids, scores.top_set(max(NEAR, n), ev.tie))] = True
    _below_originals(ev, scores, words, docs, quoted, near & quoted, near & part)


def _below_own_new_text(ev: Evaluator, scores: Scores, words, docs, quoted, looked) -> None:
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


def _below_originals(ev: Evaluator, scores: Scores, words, docs, quoted, looked, partly) -> None:
    """Lower each looked-at quoted passage of a reply below the best matching passage of new text
    of the message it replies to (In-Reply-To = that message's Message-ID), where that passage
    holds every query word the quoted one holds. A passage only partly quoted (a short reply and
    its quote) counts when the query's words are in its quote only."""
    reply_to, by_id = S.META_PREFIX + "in_reply_to", S.META_PREFIX + "message_id"
    if reply_to not in ev.schema or by_id not in ev.schema:
        return
    originals: dict[str, int | None] = {}          # Message-ID -> its document's number, if indexed
    pairs = []                                     # (row of a quoted passage, its original's number)
    for row in np.flatnonzero(looked | partly).tolist():
        stored = ev.searcher.stored_fields(int(scores.ids[row]))
        wanted = _first_id(stored.get(reply_to) or "")
        if wanted and partly[row] and _new_text_holds(ev, stored, words):
            continue
        if wanted and wanted not in originals:
            originals[wanted] = _message_numbered(ev, by_id, wanted)
        if wanted and originals[wanted] is not None and originals[wanted] != docs[row]:
            pairs.append((row, originals[wanted]))
    if not pairs:
        return
    new_rows = np.flatnonzero(~quoted & np.isin(docs, [number for _, number in pairs]))
    if not len(new_rows):
        return
    held_rows = np.concatenate([new_rows, [row for row, _ in pairs]])
    order = np.argsort(scores.ids[held_rows])
    held = dict(zip(held_rows[order].tolist(), _words_held(ev, scores.ids[held_rows[order]], words).tolist()))
    values = scores.values.copy()
    changed = False
    for row, number in pairs:
        best = max((values[u] for u in new_rows[docs[new_rows] == number].tolist()
                    if held[row] & ~held[u] == 0), default=None)
        if best is not None and values[row] >= best:
            values[row] = best - abs(best) * _BELOW - 1e-12
            changed = True
    if changed:
        scores.values = values


def _new_text_holds(ev: Evaluator, stored: dict, words) -> bool:
    """Whether the passage's text outside its quoted spans holds one of the query's words."""
    text, pos, new = stored.get("body") or "", 0, []
    for start, end in stored.get("quoted_spans") or ():
        new.append(text[pos:start])
        pos = end
    new.append(text[pos:])
    found = {token.text for token in ev.schema[FIELD].analyzer(" ".join(new))}
    return any(word in found for word in words)


def _first_id(header: str) -> str:
    """The first <message id> of an In-Reply-To header (some mailers add a comment, or more ids)."""
    found = _MESSAGE_ID.search(header)
    return found.group() if found else header.strip()


def _message_numbered(ev: Evaluator, field: str, message_id: str) -> int | None:
    """The document number (Evaluator.groups) of the message whose Message-ID is `message_id`."""
    fieldobj = ev.schema[field]
    found = None
    for token in {t.text for t in fieldobj.analyzer(message_id)}:
        postings = ev._term_postings(field, token)
        if postings is None:
            return None
        ids, _ = postings.all()
        found = ids if found is None else np.intersect1d(found, ids)
    if found is None:
        return None
    deleted = ev.deleted()
    if deleted is not None:
        found = found[~deleted[found]]
    for docnum in found[:50].tolist():
        if (ev.searcher.stored_fields(docnum).get(field) or "").strip() == message_id:
            return int(ev.groups()[docnum])
    return None


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
