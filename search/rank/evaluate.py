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

from indexer.store.arrays import distinct_sorted, ranges
from indexer.store.codec import COUNTS, FLOAT, Codec, Layout, TermsReader, is_positions

from search.rank import feedback
from search.rank.stats import LiveStats
from search.rank.tiers import MoreWordsFirst, TypedFirst, score_floor, tf1_floor
from search.rank.whoosh_fixes import AndNot

__all__ = ["Evaluator", "Scores"]

_EMPTY_IDS = np.empty(0, np.int64)
_EMPTY_SCORES = np.empty(0, np.float64)
_POS_SHIFT = 32                         # (document rank << 32) | position: one sortable key
_UINT = {1: "<u1", 2: "<u2", 4: "<u4"}


class Scores:
    """Matching top-level docnums (ascending, int64) and their scores (float64)."""

    __slots__ = ("ids", "values")

    def __init__(self, ids: np.ndarray, values: np.ndarray):
        self.ids = ids
        self.values = values

    def __len__(self) -> int:
        return len(self.ids)

    def __bool__(self) -> bool:
        return len(self.ids) > 0

    def add(self, docnums: list[int], bonus: list[float]) -> None:
        """Raise the scores of `docnums` (which must match) by `bonus`."""
        if docnums:
            self.values = self.values.copy()
            self.values[np.searchsorted(self.ids, docnums)] += bonus

    def within(self, lo: int, hi: int) -> "Scores":
        """The matches with lo <= docnum < hi."""
        a, b = np.searchsorted(self.ids, [lo, hi])
        return Scores(self.ids[a:b], self.values[a:b])

    def top_set(self, n: int, tie) -> np.ndarray:
        """The docnums of the `n` best (ascending, in no rank order): what best(n, tie) holds,
        with tie() asked only about the scores equal to the n-th."""
        values = self.values
        if len(values) <= n:
            return self.ids
        cutoff = np.partition(values, len(values) - n)[len(values) - n]
        above = self.ids[values > cutoff]
        equal = self.ids[values == cutoff]
        if len(above) + len(equal) > n:
            equal = np.array(sorted(equal.tolist(), key=tie)[:n - len(above)], np.int64)
        return np.sort(np.concatenate((above, equal)))

    def best(self, n: int, tie) -> list[tuple[int, float]]:
        """The `n` best (docnum, score), best first; equal scores by tie(docnum)."""
        if n <= 0 or not len(self.ids):
            return []
        values = self.values
        if len(values) <= n:
            chosen = np.arange(len(values))
        else:
            cutoff = np.partition(values, len(values) - n)[len(values) - n]
            chosen = np.flatnonzero(values >= cutoff)
        ids, scores = self.ids[chosen], values[chosen]
        order = np.lexsort((ids, -scores))             # best first, equal scores by docnum
        ids, scores = ids[order].tolist(), scores[order].tolist()
        # Runs of equal scores that reach into the first n are ordered by tie() (a document id
        # lookup each), the rest need none.
        out, i = [], 0
        while i < len(ids) and len(out) < n:
            j = i + 1
            while j < len(ids) and scores[j] == scores[i]:
                j += 1
            run = list(zip(ids[i:j], scores[i:j]))
            if j - i > 1:
                run.sort(key=lambda hit: tie(hit[0]))
            out += run
            i = j
        return out[:n]


_NONE = (_EMPTY_IDS, _EMPTY_SCORES)


class _Segment:
    """One segment's reader, its docnum offset and its postings file."""

    def __init__(self, searcher, offset: int):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.doccount = self.reader.doc_count_all()
        terms = getattr(self.reader, "_terms", None)
        self.native = isinstance(self.reader.codec(), Codec) and isinstance(terms, TermsReader)
        if self.native:
            self._terms = terms
            self._postfile = terms._postfile

    def part(self, field: str, btext: bytes) -> _Part | None:
        """The term's postings in this segment as the codec laid them out; None when absent or
        not laid out by the codec (inlined)."""
        extent = self._terms.postings_extent(field, btext)
        if extent is None:
            return None
        offset, length = extent
        head = self._postfile.get(offset, min(length, 4096))
        layout = Layout(head)
        if layout.positions_at > len(head):      # read up to the positions, which are read on demand
            layout = Layout(self._postfile.get(offset, min(length, layout.positions_at)))
        return _Part(layout, self, offset)


class _Part:
    """One term's postings in one segment, as the codec laid them out: docnums, weights and
    positions decoded on demand, and, in a long list with skips, only the blocks that hold the
    documents asked for when they are few (a common word in a rare phrase)."""

    __slots__ = ("layout", "segment", "base", "offset", "doccount", "n", "counts", "_gaps", "_local", "_all",
                 "_starts", "_positions", "_skip_docs", "_skip_before")

    def __init__(self, layout: Layout, segment: _Segment, base: int):
        self.layout, self.segment, self.base = layout, segment, base
        self.offset, self.doccount = segment.offset, segment.doccount
        self.n = layout.n
        self._gaps = np.frombuffer(layout.buf, _UINT[layout.id_width], layout.n, layout.ids_at)
        self.counts = None
        if layout.count_width:
            self.counts = np.frombuffer(layout.buf, _UINT[layout.count_width], layout.n, layout.counts_at)
        self._local = self._all = self._starts = self._positions = None
        self._skip_docs = self._skip_before = None
        if layout.blocks:
            self._skip_docs = np.frombuffer(layout.buf, "<u4", layout.blocks, layout.skips_at).astype(np.int64)
            if layout.position_width:
                self._skip_before = np.frombuffer(layout.buf, "<u4", layout.blocks,
                                                  layout.skip_positions_at).astype(np.int64)

    @property
    def local(self) -> np.ndarray:
        """Every posting's segment docnum."""
        if self._local is None:
            self._local = self._gaps.cumsum(dtype=np.int64)
        return self._local

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums as int64, weights as float64) of every posting."""
        if self._all is None:
            ids = self.local + self.offset if self.offset else self.local
            self._all = ids, self.weights_at(None)
        return self._all

    def _few(self, wanted: int) -> bool:
        """Whether decoding the blocks of `wanted` postings beats decoding the whole list."""
        return self._skip_docs is not None and wanted * 4 < self.layout.blocks

    def _blocks(self, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(posting indices, where each block starts among them, each block's length) of whole
        blocks (ascending, distinct)."""
        shift = self.layout.skip_shift
        starts = blocks << shift
        lengths = np.minimum(1 << shift, self.n - starts)
        return ranges(starts, lengths), np.cumsum(lengths) - lengths, lengths

    def select(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices, segment docnums) of the postings whose segment docnum is in `wanted` (ascending)."""
        if self._local is None and self._few(len(wanted)):
            blocks = np.searchsorted(self._skip_docs, wanted, side="right") - 1
            blocks = distinct_sorted(blocks[blocks >= 0])
            index, heads, lengths = self._blocks(blocks)
            gaps = self._gaps[index].astype(np.int64)
            gaps[heads] = 0
            summed = gaps.cumsum()
            ids = summed + np.repeat(self._skip_docs[blocks] - summed[heads], lengths)
            found = _select(ids, wanted)
            return index[found], ids[found]
        local = self.local
        sel = _select(local, wanted)
        return sel, local[sel]

    def weights_at(self, local: np.ndarray | None) -> np.ndarray:
        layout = self.layout
        if layout.weight_kind == FLOAT:
            w = np.frombuffer(layout.buf, "<f4", layout.n, layout.weights_at)
        elif layout.weight_kind == COUNTS:
            w = self.counts
        else:
            return np.ones(self.n if local is None else len(local), np.float64)
        return (w if local is None else w[local]).astype(np.float64)

    def positions(self, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the postings at indices `local` (ascending), in order; each one's count)."""
        layout = self.layout
        width = layout.position_width
        if not width:
            raise ValueError("this field has no positions")
        if self._starts is None and self._skip_before is not None and self._few(len(local)):
            # Where each chosen posting's positions start: the positions before its block, plus the
            # counts before it in the block.
            blocks = distinct_sorted(local >> layout.skip_shift)
            index, heads, lengths = self._blocks(blocks)
            counts = self.counts[index].astype(np.int64)
            before = counts.cumsum() - counts
            before -= np.repeat(before[heads] - self._skip_before[blocks], lengths)
            begin = before[np.searchsorted(index, local)]
            n = self.counts[local].astype(np.int64)
        else:
            if self._starts is None:
                self._starts = np.zeros(layout.n + 1, np.int64)
                np.cumsum(self.counts, out=self._starts[1:])
            begin = self._starts[local]
            n = self._starts[local + 1] - begin
        dtype = _UINT[width]
        at = self.base + layout.positions_at
        if self._positions is None and len(local) * 2048 < layout.npositions * width:
            # A few postings of a long list (a common word in a rare phrase): read just theirs, when
            # that costs less than copying all (a read costs about what copying 2 KB does).
            get = self.segment._postfile.get
            raw = b"".join([get(at + b * width, c * width) for b, c in zip(begin.tolist(), n.tolist())])
            return np.frombuffer(raw, dtype).astype(np.int64), n
        if self._positions is None:
            raw = self.segment._postfile.get(at, layout.npositions * width)
            self._positions = np.frombuffer(raw, dtype, layout.npositions)
        return self._positions[ranges(begin, n)].astype(np.int64), n


class _ListPart:
    """The same for postings read through a Whoosh matcher (another codec's segment, inlined postings)."""

    __slots__ = ("offset", "doccount", "n", "local", "_weights", "_positions", "_starts")

    def __init__(self, m, offset: int, doccount: int, with_positions: bool):
        ids, weights, plists = [], [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            if with_positions:
                plists.append(m.value_as("positions"))
            m.next()
        self.offset, self.doccount, self.n = offset, doccount, len(ids)
        self.local = np.array(ids, np.int64)
        self._weights = np.array(weights, np.float64)
        self._positions = np.array([p for plist in plists for p in plist], np.int64) if with_positions else None
        self._starts = np.zeros(len(ids) + 1, np.int64)
        np.cumsum([len(p) for p in plists], out=self._starts[1:len(plists) + 1])

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        return self.local + self.offset, self._weights

    def select(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sel = _select(self.local, wanted)
        return sel, self.local[sel]

    def weights_at(self, local: np.ndarray | None) -> np.ndarray:
        return self._weights if local is None else self._weights[local]

    def positions(self, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._positions is None:
            raise ValueError("this field has no positions")
        begin = self._starts[local]
        n = self._starts[local + 1] - begin
        return self._positions[ranges(begin, n)], n


class _Postings:
    """One term's postings over the whole index (its parts, segment by segment, in docnum order)."""

    __slots__ = ("parts", "df", "_all", "_firsts")

    def __init__(self, parts: list):
        self.parts = parts
        self.df = sum(p.n for p in parts)             # deleted passages included
        firsts = [0]
        for p in parts:
            firsts.append(firsts[-1] + p.n)
        self._firsts = firsts
        self._all = None

    def all(self) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of every posting."""
        if self._all is None:
            got = [p.all() for p in self.parts]
            self._all = got[0] if len(got) == 1 else (np.concatenate([ids for ids, _ in got]),
                                                       np.concatenate([w for _, w in got]))
        return self._all

    def select(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indices, docnums, weights) of the postings whose docnum is in `wanted` (ascending int64)."""
        if self._all is not None and len(wanted) * 4 > self.df:
            ids, weights = self._all
            sel = _select(ids, wanted)
            return sel, ids[sel], weights[sel]
        sels, ids, weights = [], [], []
        for part, first in zip(self.parts, self._firsts):
            lo, hi = np.searchsorted(wanted, [part.offset, part.offset + part.doccount])
            if lo == hi:
                continue
            local, found = part.select(wanted[lo:hi] - part.offset)
            if len(local):
                sels.append(local + first)
                ids.append(found + part.offset)
                weights.append(part.weights_at(local))
        if not sels:
            return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_SCORES
        if len(sels) == 1:
            return sels[0], ids[0], weights[0]
        return np.concatenate(sels), np.concatenate(ids), np.concatenate(weights)

    def positions(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the positions of postings `sel` (ascending indices) in order, each one's count)."""
        outs, counts = [], []
        for part, first in zip(self.parts, self._firsts):
            lo, hi = np.searchsorted(sel, [first, first + part.n])
            if lo < hi:
                positions, n = part.positions(sel[lo:hi] - first)
                outs.append(positions)
                counts.append(n)
        if not outs:
            return _EMPTY_IDS, _EMPTY_IDS
        if len(outs) == 1:
            return outs[0], counts[0]
        return np.concatenate(outs), np.concatenate(counts)


def _select(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Indices into `ids` (ascending, unique) of its elements that are in `wanted` (ascending, unique)."""
    if not len(ids) or not len(wanted):
        return _EMPTY_IDS
    if len(wanted) <= len(ids):
        at = np.searchsorted(ids, wanted)
        at[at == len(ids)] = 0
        return at[ids[at] == wanted]
    at = np.searchsorted(wanted, ids)
    at[at == len(wanted)] = 0
    return np.flatnonzero(wanted[at] == ids)


def _within(ids: np.ndarray, scores: np.ndarray, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The matches whose docnum is in `within` (all of them for None)."""
    if within is None:
        return ids, scores
    sel = _select(ids, within)
    return ids[sel], scores[sel]


class Evaluator:
    """Scores queries over one open Whoosh searcher (one committed generation).

    `weighting` is search/searcher.py's _BM25: its B and K1; idf is Lucene's, over live passages.
    """

    def __init__(self, searcher, weighting):
        self.searcher = searcher
        self.weighting = weighting
        self.schema = searcher.schema
        self.segments = [_Segment(s, offset) for s, offset in searcher.leaf_searchers()]
        self.doccount = searcher.doc_count_all()
        self.stats = LiveStats.of(searcher)
        self._lengths: dict[str, np.ndarray] = {}
        self._norms: dict[str, np.ndarray] = {}
        self._idf: dict[tuple[str, bytes], float] = {}
        self._postings: dict[tuple[str, bytes], _Postings | None] = {}
        self._deleted = None
        self._groups = None
        self._columns: dict[tuple[int, str], object] = {}
        self._dense = None                      # _sum's two docnum-wide accumulators

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
    def _term_postings(self, field: str, text) -> _Postings | None:
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
                part = _ListPart(m, seg.offset, seg.doccount, is_positions(fieldobj.format))
            else:
                part = None
            if part is not None:
                parts.append(part)
        found = self._postings[key] = _Postings(parts) if parts else None
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
                return _NONE
            if len(subs) == 1:           # Whoosh ignores a one-child compound's boost
                return self._eval(subs[0], within)
            ids, scores = self._or(subs, within) if kind is Q.Or else self._and(subs, within)
            return ids, _boosted(scores, q.boost)
        if kind is Q.AndMaybe:
            ids, scores = self._eval(q.a, within)
            if not len(ids):
                return _NONE
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
            return _within(q.scores.ids, q.scores.values, within)
        if kind is Q.Every and not q.fieldname:
            ids = np.arange(self.doccount, dtype=np.int64) if within is None else within
            return ids, np.full(len(ids), float(q.boost), np.float64)
        if isinstance(q, Q.MultiTerm):
            return self._multiterm(q, within)
        if q is Q.NullQuery or kind is type(Q.NullQuery):
            return _NONE
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
        return _within(np.array(ids, np.int64), np.array(scores, np.float64), within)

    def _term(self, field: str, text, boost: float, within) -> tuple[np.ndarray, np.ndarray]:
        postings = self._term_postings(field, text)
        if postings is None:
            return _NONE
        if within is None:
            ids, weights = postings.all()
        else:
            _, ids, weights = postings.select(within)
        if not len(ids):
            return _NONE
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
            return _NONE
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
            return _EMPTY_IDS, _EMPTY_SCORES, _EMPTY_SCORES
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
                return _NONE
            within = ids
        total = None
        for ids, scores in found:
            part = scores if len(ids) == len(within) else scores[_select(ids, within)]
            total = part if total is None else total + part
        return within, total

    def _phrase(self, q, within) -> tuple[np.ndarray, np.ndarray]:
        """Documents where the words stand in order, each within `slop` positions of the previous
        one (Whoosh's SpanNear2 with mindist 1); score: the sum of the words' scores, times the boost."""
        words = q.words
        if len(words) == 1 and q.slop >= 1:
            return self._term(q.fieldname, words[0], q.boost, within)
        if len(words) < 2 or q.slop < 1:   # Whoosh: 1 <= distance <= slop, so slop 0 matches nothing
            return _NONE
        distinct = list(dict.fromkeys(words))
        postings = {}
        for w in distinct:
            p = self._term_postings(q.fieldname, w)
            if p is None:
                return _NONE
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
                return _NONE
        for w, (sel, ids, weights) in chosen.items():     # line each word's postings up with docs
            if len(ids) != len(docs):
                at = np.searchsorted(ids, docs)
                chosen[w] = sel[at], docs, weights[at]
        ranks = self._where_phrase(q, {w: postings[w] for w in distinct}, {w: c[0] for w, c in chosen.items()},
                                   len(docs))
        if not len(ranks):
            return _NONE
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
            found = (np.repeat(ranks, counts) << _POS_SHIFT) | positions
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
                    return _EMPTY_IDS
                alive = distinct_sorted(starts >> _POS_SHIFT)
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
                return _EMPTY_IDS
        return distinct_sorted(reach >> _POS_SHIFT)


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values of `a` (ascending, unique) that are in `b` (ascending, unique)."""
    return a[_select(a, b)]


def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
    return scores if boost == 1.0 else scores * boost
