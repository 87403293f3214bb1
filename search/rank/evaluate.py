"""A Whoosh query tree -> the score of every passage it matches, computed on whole posting lists.

In: a query from search/query/parse.py (or feedback.py) and an open Whoosh searcher. Out:
Scores, every matching top-level docnum with its score: the same BM25 formula and the
same floating-point operations, in the same order, as Whoosh's matchers and as the
term-at-a-time evaluator before this one, so rankings and scores do not depend on how
the index is split into segments.

Why not Whoosh's matchers: they score one document at a time through a tree of
matcher objects, a dozen Python calls per posting, and a phrase builds span objects
for every document holding all its words. Here a term's postings come out of the
index codec (indexer/store/codec.py) as numpy arrays, one copy and no per-posting step; a
term is scored in one vectorised expression against a table of BM25 length norms; an
And narrows each child to the documents its rarer children matched; a phrase
compares (document, position) keys of its words' positions, read only for the
documents holding all of them. Node types not handled here run through Whoosh's own
matcher, so every query still works; so do segments written by another codec.
"""
from __future__ import annotations

import math

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from indexer.store.arrays import distinct_sorted
from indexer.store.postings import is_positions
from search.rank import feedback
from search.rank.postings import (EMPTY_IDS, EMPTY_SCORES, NO_MATCHES, POS_SHIFT, ListPart, Postings, Segment,
                                  restrict, select_in)
from search.rank.scores import Scores
from search.rank.stats import LiveStats
from search.rank.tiers import MoreWordsFirst, TypedFirst, score_floor, tf1_floor
from search.rank.whoosh_fixes import AndNot

__all__ = ["Evaluator", "Scores"]


class Evaluator:
    """Scores queries over one open Whoosh searcher (one committed generation).

    `weighting` is search/rank/bm25.py's BM25: its B and K1; idf is Lucene's, over live passages.
    """

    def __init__(self, searcher, weighting):
        self.searcher = searcher
        self.weighting = weighting
        self.schema = searcher.schema
        self.segments = [Segment(s, offset) for s, offset in searcher.leaf_searchers()]
        self.doccount = searcher.doc_count_all()
        self.stats = LiveStats.of(searcher)
        self._lengths: dict[str, np.ndarray] = {}
        self._norms: dict[str, np.ndarray] = {}
        self._idf: dict[tuple[str, bytes], float] = {}
        self._postings: dict[tuple[str, bytes], Postings | None] = {}
        self._deleted = None
        self._groups = None
        self._columns: dict[tuple[int, str], object] = {}
        self._dense = None                      # _sum's two docnum-wide accumulators
        self.cache: dict = {}                   # other stages' per-generation tables (documents.py)

    # -- public ------------------------------------------------------------------------
    def new_query(self) -> None:
        """Forget the postings the last query read (they serve all the nodes, phrase checks,
        proximity and feedback of one query)."""
        self._postings = {}

    def scores(self, query) -> Scores:
        """Every matching live passage (top-level docnum) -> its score."""
        return Scores(*self._live(*self._eval(query, None)))

    def count(self, query) -> int:
        """How many live passages match `query` (no ranking; postings read stay for the next query)."""
        return len(self._live(*self._eval(query, None))[0])

    def _live(self, ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The matches that are not deleted passages (deletions wait for a merge to leave the postings)."""
        deleted = self.deleted()
        if deleted is not None and len(ids):
            live = ~deleted[ids]
            return ids[live], values[live]
        return ids, values

    def word_positions(self, field: str, term: str, docs: np.ndarray):
        """(docnums, the term's BM25 in `field`, positions, count per docnum) for those of
        `docs` (ascending) that hold it; None when the index lacks the term."""
        postings = self._term_postings(field, term)
        if postings is None:
            return None
        sel, ids, weights = postings.select(docs)
        positions, counts = postings.positions(sel)
        return ids, self._bm25(field, term, ids, weights), positions, counts

    def doc_key(self, docnum: int, field: str = "doc_id"):
        """The stored sortable column value of `field` for a top-level docnum (for ordering ties)."""
        for i, seg in enumerate(self.segments):
            if seg.offset <= docnum < seg.offset + seg.doccount:
                col = self._columns.get((i, field))
                if col is None:
                    col = self._columns[(i, field)] = seg.reader.column_reader(field)
                return col[docnum - seg.offset]
        raise IndexError(docnum)

    def tie(self, docnum: int) -> tuple:
        """Order of equal scores that does not depend on the index's history: by document id, then
        docnum (a document's passages stand together, in order, in one segment)."""
        return self.doc_key(docnum) or "", docnum

    def groups(self) -> np.ndarray:
        """docnum -> the number of its document (passages of one document share it)."""
        if self._groups is None:
            starts = []
            zero = self.schema["ordinal"].to_column_value(0)         # passage 0, as the column stores it
            for seg in self.segments:
                col = seg.reader.column_reader("ordinal", translate=False)
                raw = col._dbfile.get(col._basepos, col._count * col._fixedlen)
                ordinals = np.frombuffer(raw, ">" + col._typecode, col._count)
                first = np.ones(seg.doccount, bool)         # passages past the column: default, not 0
                first[:len(ordinals)] = ordinals == zero
                starts.append(first)
            flags = np.concatenate(starts) if starts else np.zeros(0, bool)
            self._groups = np.cumsum(flags) - 1
        return self._groups

    def deleted(self) -> np.ndarray | None:
        """A mask of deleted docnums, None without deletions."""
        if self._deleted is None:
            mask = None
            for seg in self.segments:
                if seg.reader.has_deletions():
                    if mask is None:
                        mask = np.zeros(self.doccount, bool)
                    gone = np.fromiter(seg.reader.deleted_docs_set, np.int64)
                    mask[gone + seg.offset] = True
            self._deleted = mask if mask is not None else False
        return self._deleted if self._deleted is not False else None

    # -- postings and BM25 ------------------------------------------------------------------
    def _term_postings(self, field: str, text) -> Postings | None:
        fieldobj = self.schema[field] if field in self.schema else None
        if fieldobj is None:
            return None
        try:
            btext = text if isinstance(text, bytes) else fieldobj.to_bytes(text)
        except ValueError:
            return None
        key = (field, btext)
        if key in self._postings:
            return self._postings[key]
        parts = []
        for seg in self.segments:
            if seg.native:
                part = seg.part(field, btext)
            elif (field, btext) in seg.reader:
                m = seg.reader._terms.matcher(field, btext, fieldobj.format)
                part = ListPart(m, seg.offset, seg.doccount, is_positions(fieldobj.format))
            else:
                part = None
            if part is not None:
                parts.append(part)
        found = self._postings[key] = Postings(parts) if parts else None
        return found

    def _lengths_of(self, field: str) -> np.ndarray:
        """The field's length byte for every top-level docnum (Whoosh keeps lengths as one byte)."""
        found = self._lengths.get(field)
        if found is None:
            parts = []
            for seg in self.segments:
                raw = b""
                try:
                    col = seg.reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                    if col is not None:
                        raw = col._dbfile.get(col._basepos, col._count)
                except AttributeError:          # another codec: one call per document
                    from whoosh.util.numeric import length_to_byte
                    raw = bytes(length_to_byte(seg.reader.doc_field_length(d, field, 0) or 0)
                                for d in range(seg.doccount))
                part = np.zeros(seg.doccount, np.uint8)
                part[:len(raw)] = np.frombuffer(raw, np.uint8)[:seg.doccount]
                parts.append(part)
            found = self._lengths[field] = np.concatenate(parts) if parts else np.zeros(0, np.uint8)
        return found

    def _norms_of(self, field: str) -> np.ndarray:
        """K1 * ((1 - B) + B * length / average length) for each length byte, as Whoosh's BM25F."""
        found = self._norms.get(field)
        if found is None:
            w = self.weighting
            B, K1 = w._field_B.get(field, w.B), w.K1
            avgfl = self.stats.avg_field_length(field) or 1
            found = self._norms[field] = np.array(
                [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)], np.float64)
        return found

    def idf(self, field: str, text) -> float:
        """Lucene's idf over live passages: log(1 + (N - n + 0.5) / (n + 0.5))."""
        key = (field, text)
        found = self._idf.get(key)
        if found is None:
            postings = self._term_postings(field, text)
            n = 0
            if postings is not None:
                n = postings.df
                deleted = self.deleted()
                if deleted is not None:
                    n -= int(np.count_nonzero(deleted[postings.all()[0]]))
            total = self.stats.count
            found = self._idf[key] = math.log(1 + (total - n + 0.5) / (n + 0.5))
        return found

    def _term_floor(self, field: str, text, boost: float) -> float | None:
        """tiers.term_floor from this evaluator's statistics (Whoosh's max_field_length walks a
        column per segment)."""
        fieldobj = self.schema[field] if field in self.schema else None
        if fieldobj is None:
            return None
        if self._term_postings(field, text) is None:
            return math.inf
        if not fieldobj.scorable:
            return None
        lengths = self._lengths_of(field)
        longest = byte_to_length(int(lengths.max()) if len(lengths) else 0)
        w = self.weighting
        return tf1_floor(self.idf(field, text), longest, self.stats.avg_field_length(field) or 1,
                         w._field_B.get(field, w.B), w.K1, boost)

    def _bm25(self, field: str, text, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """idf * ((tf * (K1 + 1)) / (tf + norm(length))), per posting."""
        norms = self._norms_of(field)[self._lengths_of(field)[ids]]
        k1p1 = self.weighting.K1 + 1
        return self.idf(field, text) * ((weights * k1p1) / (weights + norms))

    # -- evaluation ----------------------------------------------------------------------
    def _eval(self, q, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of `q`, only for docnums in `within` (ascending) when given."""
        kind = type(q)
        if kind is Q.Term:
            return self._term(q.fieldname, q.text, q.boost, within)
        if kind is Q.Or or kind is Q.And:
            subs = q.subqueries
            if not subs:
                return NO_MATCHES
            if len(subs) == 1:           # Whoosh ignores a one-child compound's boost
                return self._eval(subs[0], within)
            ids, scores = self._or(subs, within) if kind is Q.Or else self._and(subs, within)
            return ids, _boosted(scores, q.boost)
        if kind is Q.AndMaybe:
            ids, scores = self._eval(q.a, within)
            if not len(ids):
                return NO_MATCHES
            opt_ids, opt_scores = self._eval(q.b, ids)
            if len(opt_ids):
                scores = scores.copy()
                scores[np.searchsorted(ids, opt_ids)] += opt_scores
            return ids, scores
        if kind is AndNot or kind is Q.AndNot:      # (upstream's matcher has a bug we need not copy)
            ids, scores = self._eval(q.a, within)
            if len(ids):
                gone = self._eval(q.b, ids)[0]
                if len(gone):
                    keep = np.ones(len(ids), bool)
                    keep[np.searchsorted(ids, gone)] = False
                    ids, scores = ids[keep], scores[keep]
            return ids, scores
        if kind is Q.Phrase:
            return self._phrase(q, within)
        if kind is MoreWordsFirst:
            parts = [self._eval(sub, within) for sub in q.subqueries]
            ids, sums, counts = self._sum(parts)
            return ids, counts + sums / (sums + 1)          # tiers.more_words_score
        if kind is TypedFirst:
            typed_ids, typed = self._eval(q.a, within)
            alias_ids, alias = self._eval(q.b, within)
            floor = score_floor(q.a, self._term_floor)
            if floor is None or floor == math.inf:
                floor = float(typed.min()) if len(typed) else 0.0
            squashed = np.where(alias > 0, floor * alias / (alias + floor), 0.0)   # tiers.squash
            ids, totals, _ = self._sum([(alias_ids, squashed), (typed_ids, typed)])
            return ids, totals
        if kind is Q.ConstantScoreQuery:
            ids = self._eval(q.child, within)[0]
            return ids, np.full(len(ids), q.score, np.float64)
        if kind is feedback.FirstPass:
            return restrict(q.scores.ids, q.scores.values, within)
        if kind is Q.Every and not q.fieldname:
            ids = np.arange(self.doccount, dtype=np.int64) if within is None else within
            return ids, np.full(len(ids), float(q.boost), np.float64)
        if isinstance(q, Q.MultiTerm):
            return self._multiterm(q, within)
        if q is Q.NullQuery or kind is type(Q.NullQuery):
            return NO_MATCHES
        return self._whoosh(q, within)

    def _whoosh(self, q, within) -> tuple[np.ndarray, np.ndarray]:
        """Any other node, through Whoosh's matcher, segment by segment."""
        ids, scores = [], []
        context = self.searcher.context()
        for seg in self.segments:
            m = q.matcher(seg.searcher, context)
            while m.is_active():
                ids.append(m.id() + seg.offset)
                scores.append(m.score())
                m.next()
        return restrict(np.array(ids, np.int64), np.array(scores, np.float64), within)

    def _term(self, field: str, text, boost: float, within) -> tuple[np.ndarray, np.ndarray]:
        postings = self._term_postings(field, text)
        if postings is None:
            return NO_MATCHES
        if within is None:
            ids, weights = postings.all()
        else:
            _, ids, weights = postings.select(within)
        if not len(ids):
            return NO_MATCHES
        fieldobj = self.schema[field]
        if fieldobj.scorable:
            scores = self._bm25(field, text, ids, weights)
        else:
            scores = weights                 # Whoosh's WeightScorer
        return ids, _boosted(scores, boost)

    def _multiterm(self, q, within) -> tuple[np.ndarray, np.ndarray]:
        """A prefix, wildcard, fuzzy term or range: the OR of the index words it stands for (as
        Whoosh's MultiTerm scores them), the words gathered from every segment."""
        words = sorted({w for seg in self.segments for w in q._btexts(seg.reader) if w})
        if not words:
            return NO_MATCHES
        if len(words) == 1:
            return self._term(q.field(), words[0], 1.0, within)
        parts = [self._term(q.field(), w, 1.0, within) for w in words]
        ids, scores, _ = self._sum(parts)
        return ids, _boosted(scores, q.boost)

    def _or(self, subs, within) -> tuple[np.ndarray, np.ndarray]:
        ids, scores, _ = self._sum([self._eval(sub, within) for sub in subs])
        return ids, scores

    def _sum(self, parts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(union of the parts' ids, their scores summed in the parts' order, how many parts hold each)."""
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return EMPTY_IDS, EMPTY_SCORES, EMPTY_SCORES
        if len(parts) == 1:
            ids, scores = parts[0]
            return ids, scores, np.ones(len(ids), np.float64)
        total = sum(len(ids) for ids, _ in parts)
        if total * 2 > self.doccount:           # dense: a slot per docnum (kept, and cleared after)
            if self._dense is None:
                self._dense = np.zeros(self.doccount, np.float64), np.zeros(self.doccount, np.float64)
            acc, hits = self._dense
            for ids, scores in parts:
                acc[ids] += scores
                hits[ids] += 1
            ids = np.flatnonzero(hits)
            found = ids, acc[ids], hits[ids]
            acc[ids] = 0.0
            hits[ids] = 0.0
            return found
        ids = np.concatenate([ids for ids, _ in parts])
        ids.sort()
        ids = distinct_sorted(ids)
        acc = np.zeros(len(ids), np.float64)
        hits = np.zeros(len(ids), np.float64)
        for part_ids, scores in parts:
            at = np.searchsorted(ids, part_ids)
            acc[at] += scores
            hits[at] += 1
        return ids, acc, hits

    def _size(self, q) -> int:
        """About how many passages `q` matches, to evaluate an And's rarest child first: from the
        postings (read anyway, and kept for the query) where it can, else Whoosh's estimate."""
        kind = type(q)
        if kind is Q.Term:
            postings = self._term_postings(q.fieldname, q.text)
            return postings.df if postings is not None else 0
        if kind is Q.Or:
            return sum(self._size(sub) for sub in q.subqueries)
        if kind is Q.And:
            return min((self._size(sub) for sub in q.subqueries), default=0)
        if kind is Q.Phrase:
            return min((self._size(Q.Term(q.fieldname, w)) for w in q.words), default=0)
        try:
            return q.estimate_size(self.searcher.reader())
        except Exception:               # a query Whoosh cannot size: evaluate it last
            return 1 << 62

    def _and(self, subs, within) -> tuple[np.ndarray, np.ndarray]:
        order = sorted(range(len(subs)), key=lambda i: self._size(subs[i]))
        found: list = [None] * len(subs)
        for i in order:
            ids, scores = found[i] = self._eval(subs[i], within)
            if not len(ids):
                return NO_MATCHES
            within = ids
        total = None
        for ids, scores in found:
            part = scores if len(ids) == len(within) else scores[select_in(ids, within)]
            total = part if total is None else total + part
        return within, total

    def _phrase(self, q, within) -> tuple[np.ndarray, np.ndarray]:
        """Documents where the words stand in order, each within `slop` positions of the previous
        one (Whoosh's SpanNear2 with mindist 1); score: the sum of the words' scores, times the boost."""
        words = q.words
        if len(words) == 1 and q.slop >= 1:
            return self._term(q.fieldname, words[0], q.boost, within)
        if len(words) < 2 or q.slop < 1:   # Whoosh: 1 <= distance <= slop, so slop 0 matches nothing
            return NO_MATCHES
        distinct = list(dict.fromkeys(words))
        postings = {}
        for w in distinct:
            p = self._term_postings(q.fieldname, w)
            if p is None:
                return NO_MATCHES
            postings[w] = p
        # The documents holding every word, rarest word first; each word's postings there.
        distinct.sort(key=lambda w: postings[w].df)
        docs = within
        chosen = {}
        for w in distinct:
            if docs is None:
                docs, weights = postings[w].all()
                chosen[w] = (np.arange(len(docs)), docs, weights)
            else:
                chosen[w] = postings[w].select(docs)
                docs = chosen[w][1]
            if not len(docs):
                return NO_MATCHES
        for w, (sel, ids, weights) in chosen.items():     # line each word's postings up with docs
            if len(ids) != len(docs):
                at = np.searchsorted(ids, docs)
                chosen[w] = sel[at], docs, weights[at]
        ranks = self._where_phrase(q, {w: postings[w] for w in distinct}, {w: c[0] for w, c in chosen.items()},
                                   len(docs))
        if not len(ranks):
            return NO_MATCHES
        docs = docs[ranks]
        total = None
        for w in words:
            part = self._bm25(q.fieldname, w, docs, chosen[w][2][ranks])
            total = part if total is None else total + part
        return docs, _boosted(total, q.boost)

    @staticmethod
    def _where_phrase(q, postings: dict, chosen: dict, ndocs: int) -> np.ndarray:
        """The ranks of the documents (of `ndocs`, all holding every word) where the phrase stands.
        chosen: each word's posting indices, one per document in rank order.

        Each word's positions become keys (rank << 32 | position). For an exact phrase, the
        phrase starts at key k when word i has key k + i; rarer words go first, and the
        documents still possible are narrowed before a common word's positions are read.
        """
        words, slop = q.words, q.slop

        def keys(word: str, ranks: np.ndarray, skip: int = 0) -> np.ndarray:
            positions, counts = postings[word].positions(chosen[word][ranks])
            found = (np.repeat(ranks, counts) << POS_SHIFT) | positions
            return found[positions >= skip] if skip else found

        every = np.arange(ndocs, dtype=np.int64)
        if slop == 1:
            by_size = sorted(range(len(words)), key=lambda i: postings[words[i]].df)
            starts = None
            alive = every
            for i in by_size:
                found = keys(words[i], alive, skip=i) - i
                starts = found if starts is None else _common(starts, found)
                if not len(starts):
                    return EMPTY_IDS
                alive = distinct_sorted(starts >> POS_SHIFT)
            return alive
        # Sloppy: word i + 1 stands 1..slop positions after some reachable word i.
        reach = keys(words[0], every)
        for w in words[1:]:
            found = keys(w, every)
            at = np.searchsorted(reach, found - slop)
            ok = at < len(reach)
            ok[ok] = reach[at[ok]] <= found[ok] - 1
            reach = found[ok]
            if not len(reach):
                return EMPTY_IDS
        return distinct_sorted(reach >> POS_SHIFT)


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values of `a` (ascending, unique) that are in `b` (ascending, unique)."""
    return a[select_in(a, b)]


def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
    return scores if boost == 1.0 else scores * boost
