"""A Whoosh query tree -> the score of every passage it matches, read straight from the postings.

In: a query from search/query.py (or feedback.py), and an open Whoosh searcher. Out: a
dict of top-level docnum -> score, the same scores Whoosh's matchers give (the same
BM25 formula and float operations per term; sums may add in another order).

Why not Whoosh's own matchers: they score one document at a time through a tree of
matcher objects, a dozen Python calls per posting, and its phrase matcher builds span
objects for every document that holds all the words. Here a term's postings are read a
block at a time (ids and weights come out of one unpickle) and scored in one
comprehension against a per-segment table of BM25 length norms; an And narrows its
children to the documents its rarest child matched, so a common word costs a set
lookup per posting; a phrase reads positions only for documents holding all its words
and intersects position sets. Node types not handled here run through Whoosh's own
matcher, so every query still works.
"""
from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from itertools import accumulate
from pickle import loads
from typing import Iterable

from whoosh import matching
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length

from . import feedback
from .tiers import MoreWordsFirst, TypedFirst, more_words_score, score_floor, squash
from .whoosh_fixes import AndNot

__all__ = ["Evaluator", "top"]

_INT_SIZE = 4           # Positions values start with the count as a packed uint


class _Segment:
    """One segment's reader, docnum offset, deletions and cached length-norm tables."""

    def __init__(self, searcher, offset: int):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.doccount = self.reader.doc_count_all()
        self.deleted = frozenset(self.reader.deleted_docs_set) if self.reader.has_deletions() else frozenset()
        self._lengths: dict[str, bytes] = {}
        # Blocks decoded by the current query, so proximity re-reads no block it scored.
        self.blocks: dict[tuple, tuple] = {}

    def lengths(self, field: str) -> bytes:
        """The field's length byte for every docnum (Whoosh stores lengths as one byte each)."""
        found = self._lengths.get(field)
        if found is None:
            found = self._lengths[field] = self._read_lengths(field)
        return found

    def _read_lengths(self, field: str) -> bytes:
        try:
            col = self.reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            if col is None:
                return bytes(self.doccount)
            raw = col._dbfile.get(col._basepos, col._count)
            return bytes(raw) + bytes(max(0, self.doccount - len(raw)))
        except AttributeError:        # another codec: one call per document, once per segment
            from whoosh.util.numeric import length_to_byte
            return bytes(length_to_byte(self.reader.doc_field_length(d, field, 0) or 0)
                         for d in range(self.doccount))


class _Postings:
    """One term's postings in one segment, read a block at a time."""

    def __init__(self, segment: _Segment, field: str, btext: bytes):
        self.cache = segment.blocks
        self.key = (field, btext)
        m = segment.reader.postings(field, btext)
        while isinstance(m, matching.FilterMatcher):     # deletions: applied by the caller
            m = m.child
        self.m = m
        self.format = segment.reader.schema[field].format

    def blocks(self, wanted: list[int] | None = None):
        """(ids, weights, values()) per block; with `wanted` (sorted docnums), only the
        blocks whose id range holds one of them."""
        m = self.m
        if isinstance(m, W3LeafMatcher):
            low = 0
            while True:
                high = m._maxid
                if wanted is not None:
                    i = bisect_left(wanted, low)
                    hit = i < len(wanted) and wanted[i] <= high
                if wanted is None or hit:
                    key = (self.key, m._dataoffset)
                    block = self.cache.get(key)
                    if block is None:
                        block = self.cache[key] = _block(m)
                    yield block
                if m._lastblock:
                    return
                low = high + 1
                m._goto(m._nextoffset)
        else:                           # inlined postings (a ListMatcher) or another codec
            ids, weights, values = [], [], []
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                values.append(m.value())
                m.next()
            yield ids, weights, (lambda: values)

    def within(self, docnums: set[int] | None):
        """(ids, weights, values()) per block, only the postings in `docnums` (None: all)."""
        if docnums is None:
            yield from self.blocks()
            return
        if not docnums:
            return
        for ids, weights, values in self.blocks(sorted(docnums)):
            keep = [i for i, d in enumerate(ids) if d in docnums]
            if keep:
                yield ([ids[i] for i in keep], [weights[i] for i in keep],
                       lambda values=values, keep=keep: [values()[i] for i in keep])

    def select(self, within) -> dict[int, tuple[float, bytes]]:
        """docnum -> (weight, raw value) for every posting, or those in `within`."""
        got: dict[int, tuple[float, bytes]] = {}
        for ids, weights, values in self.within(within):
            got.update(zip(ids, zip(weights, values())))
        return got

    def positions(self, value) -> list[int]:
        if type(self.format) is Positions:
            return list(accumulate(loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")))
        return self.format.decode_positions(value)


def _block(m: W3LeafMatcher):
    """(ids, weights, values()) of the block the matcher stands on, as W3LeafMatcher's
    _read_ids/_read_weights/_read_values decode them (ids with a C-level running sum)."""
    if m._data is None:
        m._read_data()
    data = m._data
    ids = data[0]
    if not m._byteids:
        ids = list(accumulate(ids))
    m._read_weights()
    fixed, count = m._fixedsize, m._blocklength

    def values():
        vs = data[2]
        if fixed is None or fixed < 0:
            return vs
        if fixed == 0:
            return (None,) * count
        return tuple(vs[i:i + fixed] for i in range(0, len(vs), fixed))
    return ids, m._weights, values


class _TermScorer:
    """BM25 of one term in one field, as search/searcher.py's _BM25Scorer computes it."""

    def __init__(self, idf: float, avgfl: float, B: float, K1: float):
        self.idf = idf
        self.k1p1 = K1 + 1
        norms = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
        self.norms = norms

    def scores(self, lengths: bytes, ids, weights) -> Iterable[tuple[int, float]]:
        idf, k, norms = self.idf, self.k1p1, self.norms
        return ((d, idf * ((w * k) / (w + norms[lengths[d]]))) for d, w in zip(ids, weights))


class Evaluator:
    """Scores queries over one open Whoosh searcher (one committed generation).

    `weighting` is search/searcher.py's _BM25: its B and K1, Lucene's idf.
    """

    def __init__(self, searcher, weighting):
        self.searcher = searcher
        self.weighting = weighting
        self.segments = [_Segment(s, offset) for s, offset in searcher.leaf_searchers()]
        self._scorers: dict[tuple[str, str], _TermScorer] = {}
        self._doc_keys: dict[int, list] = {}

    # -- public ------------------------------------------------------------------------
    def scores(self, query) -> dict[int, float]:
        """Every matching docnum (top-level) -> its score."""
        out: dict[int, float] = {}
        for seg in self.segments:
            seg.blocks = {}
            found = self._eval(seg, query, None)
            if seg.deleted:
                found = {d: s for d, s in found.items() if d not in seg.deleted}
            if seg.offset:
                out.update((d + seg.offset, s) for d, s in found.items())
            else:
                out.update(found)
        return out

    def term_positions(self, field: str, term: str, docnums: Iterable[int]) -> dict[int, tuple[float, list[int]]]:
        """docnum -> (score of `term` in `field`, its positions) for those of `docnums` that hold it."""
        btext = self.searcher.schema[field].to_bytes(term)
        out = {}
        wanted = sorted(docnums)
        for seg in self.segments:
            local = [d - seg.offset for d in wanted if seg.offset <= d < seg.offset + seg.doccount]
            if not local or (field, btext) not in seg.reader:
                continue
            scorer = self._scorer(field, term)
            lengths = seg.lengths(field)
            postings = _Postings(seg, field, btext)
            got = postings.select(set(local))
            docs = list(got)
            scored = scorer.scores(lengths, docs, [got[d][0] for d in docs])
            out.update((d + seg.offset, (s, postings.positions(got[d][1]))) for d, s in scored)
        return out

    def doc_key(self, docnum: int, field: str = "doc_id"):
        """The stored sortable column value of `field` for a top-level docnum (for collapsing)."""
        for seg in self.segments:
            if seg.offset <= docnum < seg.offset + seg.doccount:
                col = self._doc_keys.get(id(seg))
                if col is None:
                    col = self._doc_keys[id(seg)] = list(seg.reader.column_reader(field))
                return col[docnum - seg.offset]
        raise IndexError(docnum)

    def tie(self, docnum: int) -> tuple:
        """Order of equal scores that does not depend on the index's history (see top)."""
        return self.doc_key(docnum) or "", docnum

    # -- evaluation --------------------------------------------------------------------
    def _scorer(self, field: str, text: str) -> _TermScorer:
        key = (field, text)
        scorer = self._scorers.get(key)
        if scorer is None:
            w = self.weighting
            probe = w.scorer(self.searcher, field, text)     # Lucene idf and avgfl, as Whoosh would
            scorer = self._scorers[key] = _TermScorer(probe.idf, probe.avgfl, probe.B, probe.K1)
        return scorer

    def _eval(self, seg: _Segment, q, within: set[int] | None) -> dict[int, float]:
        """Local docnum -> score of `q` in `seg`, only for docnums in `within` when given."""
        kind = type(q)
        if kind is Q.Term:
            return self._term(seg, q, within)
        if kind is Q.Or or kind is Q.And:
            subs = q.subqueries
            if not subs:
                return {}
            if len(subs) == 1:           # Whoosh ignores a one-child compound's boost
                return self._eval(seg, subs[0], within)
            found = self._or(seg, subs, within) if kind is Q.Or else self._and(seg, subs, within)
            return _boosted(found, q.boost)
        if kind is Q.AndMaybe:
            required = self._eval(seg, q.a, within)
            if not required:
                return required
            optional = self._eval(seg, q.b, set(required))
            return {d: s + optional[d] if d in optional else s for d, s in required.items()}
        if kind is AndNot or kind is Q.AndNot:      # (upstream's matcher has a bug we need not copy)
            kept = self._eval(seg, q.a, within)
            if kept:
                excluded = self._eval(seg, q.b, set(kept))
                kept = {d: s for d, s in kept.items() if d not in excluded}
            return kept
        if kind is Q.Phrase:
            return self._phrase(seg, q, within)
        if kind is MoreWordsFirst:
            parts = [self._eval(seg, sub, within) for sub in q.subqueries]
            counts: dict[int, int] = {}
            sums: dict[int, float] = {}
            for part in parts:
                for d, sc in part.items():
                    counts[d] = counts.get(d, 0) + 1
                    sums[d] = sums.get(d, 0.0) + sc
            return {d: more_words_score(counts[d], sums[d]) for d in counts}
        if kind is TypedFirst:
            typed = self._eval(seg, q.a, within)
            alias = self._eval(seg, q.b, within)
            floor = score_floor(q.a, self.searcher)
            if floor is None or floor == math.inf:
                floor = min(typed.values(), default=0.0)
            out = {d: squash(sc, floor) for d, sc in alias.items()}
            for d, sc in typed.items():
                out[d] = sc + out.get(d, 0.0)
            return out
        if kind is Q.ConstantScoreQuery:
            return dict.fromkeys(self._eval(seg, q.child, within), q.score)
        if kind is feedback.FirstPass:
            lo, hi = seg.offset, seg.offset + seg.doccount
            return {d - lo: s for d, s in q.scores.items() if lo <= d < hi and (within is None or d - lo in within)}
        if q is Q.NullQuery or kind is type(Q.NullQuery):
            return {}
        return self._whoosh(seg, q, within)

    def _whoosh(self, seg: _Segment, q, within) -> dict[int, float]:
        """Any other node, through Whoosh's matcher (deletions already applied there)."""
        m = q.matcher(seg.searcher, self.searcher.context())
        out = {}
        while m.is_active():
            d = m.id()
            if within is None or d in within:
                out[d] = m.score()
            m.next()
        return out

    def _term(self, seg: _Segment, q, within) -> dict[int, float]:
        field = seg.reader.schema[q.fieldname] if q.fieldname in seg.reader.schema else None
        if field is None:
            return {}
        if not field.scorable:
            return self._whoosh(seg, q, within)
        try:
            btext = field.to_bytes(q.text)
        except ValueError:
            return {}
        if (q.fieldname, btext) not in seg.reader:
            return {}
        scorer = self._scorer(q.fieldname, q.text)
        lengths = seg.lengths(q.fieldname)
        postings = _Postings(seg, q.fieldname, btext)
        out: dict[int, float] = {}
        for ids, weights, _ in postings.within(within):
            out.update(scorer.scores(lengths, ids, weights))
        return _boosted(out, q.boost)

    def _or(self, seg, subs, within) -> dict[int, float]:
        total: dict[int, float] = {}
        for sub in subs:
            found = self._eval(seg, sub, within)
            if not total:
                total = dict(found)
                continue
            get = total.get
            for d, s in found.items():
                t = get(d)
                total[d] = s if t is None else t + s
        return total

    def _and(self, seg, subs, within) -> dict[int, float]:
        reader = seg.reader
        order = sorted(range(len(subs)), key=lambda i: _size(subs[i], reader))
        found: list[dict[int, float] | None] = [None] * len(subs)
        for i in order:
            part = found[i] = self._eval(seg, subs[i], within)
            if not part:
                return {}
            within = set(part)
        first, *rest = found
        out = {}
        for d in within:
            s = first[d]
            for part in rest:
                s += part[d]
            out[d] = s
        return out

    def _phrase(self, seg: _Segment, q, within) -> dict[int, float]:
        """Documents where the words stand in order, each within `slop` positions of the
        previous one (Whoosh's SpanNear2 with mindist 1); score: the sum of the words'
        scores, times the boost."""
        if len(q.words) == 1 and q.slop >= 1:
            return _boosted(self._term(seg, Q.Term(q.fieldname, q.words[0]), within), q.boost)
        found = self._phrase_candidates(seg, q, within)
        if found is None:
            return {}
        candidates, check = found
        return candidates if check is None else {d: s for d, s in candidates.items() if check(d)}

    def _phrase_candidates(self, seg: _Segment, q, within):
        """(local docnum -> score if the phrase stands there, check(docnum) -> whether it
        does, or None when all of them were checked) over the documents holding all its
        words; None when none do."""
        words = q.words
        if len(words) < 2 or q.slop < 1:   # Whoosh: 1 <= distance <= slop, so slop 0 matches nothing
            return None
        if q.fieldname not in seg.reader.schema:
            return None
        field = seg.reader.schema[q.fieldname]
        btexts = {}
        for w in words:
            try:
                b = btexts[w] = field.to_bytes(w)
            except ValueError:
                return None
            if (q.fieldname, b) not in seg.reader:
                return None
        # Each distinct word's (weight, raw positions) on the documents holding all of them,
        # rarest word first so the others are read only for its documents.
        order = sorted(btexts, key=lambda w: seg.reader.doc_frequency(q.fieldname, btexts[w]))
        postings: dict[str, tuple[_Postings, dict[int, tuple[float, bytes]]]] = {}
        slop = q.slop
        exact = slop == 1
        # An exact phrase starts at p when word i stands at p + i. Before reading a common
        # word ("of", "the"), whose postings fill many blocks, the start positions are
        # narrowed with the words read so far, so that word is read only where the rarer
        # ones already stand together.
        starts: dict[int, set[int]] | None = None
        unapplied: list[str] = []
        for w in order:
            if exact and unapplied and _worth_narrowing(seg.reader.doc_frequency(q.fieldname, btexts[w]),
                                                            len(within), len(unapplied)):
                starts = _narrow(starts, within, words, unapplied, postings)
                if not starts:
                    return None
                within, unapplied = starts.keys(), []
            reader = _Postings(seg, q.fieldname, btexts[w])
            got = reader.select(within)
            if not got:
                return None
            postings[w] = (reader, got)
            unapplied.append(w)
            within = got.keys()
        if exact:
            starts = _narrow(starts, within, words, unapplied, postings)
            if not starts:
                return None
            within = starts.keys()
        docs = list(within)
        lengths = seg.lengths(q.fieldname)
        candidates = dict.fromkeys(docs, 0.0)
        for i, w in enumerate(words):
            got = postings[w][1]
            scored = self._scorer(q.fieldname, w).scores(lengths, docs, [got[d][0] for d in docs])
            if i == 0:
                candidates.update(scored)
            else:
                for d, s in scored:
                    candidates[d] += s
        if q.boost != 1.0:
            candidates = _boosted(candidates, q.boost)
        if exact:
            return candidates, None
        return candidates, lambda d: _near(d, words, postings, slop)

def _narrow(starts, docs, words, new_words, postings) -> dict[int, set[int]]:
    """docnum -> the phrase's possible start positions, from `starts` (None: no word applied
    yet) and the positions of `new_words` (each read into `postings`), for `docs`."""
    offsets = [(postings[w], [i for i, x in enumerate(words) if x == w]) for w in new_words]
    out = {}
    for d in docs:
        s = None if starts is None else starts[d]
        for (reader, got), at in offsets:
            pos = reader.positions(got[d][1])
            for i in at:
                shifted = set(pos) if i == 0 else {p - i for p in pos}
                s = shifted if s is None else s & shifted
                if not s:
                    break
            if not s:
                break
        if s:
            out[d] = s
    return out


def _worth_narrowing(df: int, candidates: int, pending_words: int) -> bool:
    """Whether checking positions now (about 1.5 us per candidate and word) saves reading
    blocks of the next word's postings (about 40 us per block of 128)."""
    blocks = min(df / 128, candidates)
    return blocks * 25 > candidates * pending_words


def _near(d: int, words, postings, slop: int) -> bool:
    """Positions p0 < p1 < ... of the words in order with 1 <= p(i+1) - p(i) <= slop."""
    reader, got = postings[words[0]]
    reach = reader.positions(got[d][1])
    for w in words[1:]:
        reader, got = postings[w]
        reach = [p for p in reader.positions(got[d][1]) if _after_within(reach, p, slop)]
        if not reach:
            return False
    return True


def _after_within(sorted_positions: list[int], p: int, slop: int) -> bool:
    """Some position q in sorted_positions with 1 <= p - q <= slop."""
    i = bisect_left(sorted_positions, p - slop)
    return i < len(sorted_positions) and sorted_positions[i] <= p - 1


def _size(q, reader) -> int:
    try:
        return q.estimate_size(reader)
    except Exception:               # a query Whoosh cannot size: evaluate it last
        return 1 << 62


def _boosted(found: dict[int, float], boost: float) -> dict[int, float]:
    if boost == 1.0:
        return found
    return {d: s * boost for d, s in found.items()}


def top(scores: dict[int, float], n: int, tie=None) -> list[tuple[int, float]]:
    """The `n` best (docnum, score), best first; equal scores by tie(docnum) (default: docnum).

    The Searcher passes (doc_id, docnum) as the tie: internal docnums follow the index's
    history (files indexed, segments merged), and an incremental index must order its equal
    scores as a clean build of the same files does. A document's passages always sit
    together, in order, in one segment, so docnum orders them within a document."""
    if n <= 0 or not scores:
        return []
    key = (lambda kv: (-kv[1], kv[0])) if tie is None else (lambda kv: (-kv[1], tie(kv[0])))
    if len(scores) <= n:
        return sorted(scores.items(), key=key)
    cutoff = scores[heapq.nlargest(n, scores, key=scores.__getitem__)[-1]]
    best = [(d, s) for d, s in scores.items() if s >= cutoff]
    best.sort(key=key)
    return best[:n]
