"""One term's postings, read the way the codec laid them out: per segment, as numpy
arrays, decoded on demand, with skips to the blocks that hold the documents asked for.

In: an open Whoosh searcher's segments (indexer/store/codec.py's layout). Out: docnums,
weights and positions of a term over the whole index, for evaluate.py to score.
"""
from __future__ import annotations

import numpy as np

from indexer.store.arrays import distinct_sorted, ranges
from indexer.store.codec import Codec, TermsReader
from indexer.store.postings import COUNTS, FLOAT, Layout


EMPTY_IDS = np.empty(0, np.int64)
EMPTY_SCORES = np.empty(0, np.float64)
POS_SHIFT = 32                         # (document rank << 32) | position: one sortable key
_UINT = {1: "<u1", 2: "<u2", 4: "<u4"}

NO_MATCHES = (EMPTY_IDS, EMPTY_SCORES)


class Segment:
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

    def __init__(self, layout: Layout, segment: Segment, base: int):
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
            found = select_in(ids, wanted)
            return index[found], ids[found]
        local = self.local
        sel = select_in(local, wanted)
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


class ListPart:
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
        sel = select_in(self.local, wanted)
        return sel, self.local[sel]

    def weights_at(self, local: np.ndarray | None) -> np.ndarray:
        return self._weights if local is None else self._weights[local]

    def positions(self, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._positions is None:
            raise ValueError("this field has no positions")
        begin = self._starts[local]
        n = self._starts[local + 1] - begin
        return self._positions[ranges(begin, n)], n


class Postings:
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
            sel = select_in(ids, wanted)
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
            return EMPTY_IDS, EMPTY_IDS, EMPTY_SCORES
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
            return EMPTY_IDS, EMPTY_IDS
        if len(outs) == 1:
            return outs[0], counts[0]
        return np.concatenate(outs), np.concatenate(counts)


def select_in(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Indices into `ids` (ascending, unique) of its elements that are in `wanted` (ascending, unique)."""
    if not len(ids) or not len(wanted):
        return EMPTY_IDS
    if len(wanted) <= len(ids):
        at = np.searchsorted(ids, wanted)
        at[at == len(ids)] = 0
        return at[ids[at] == wanted]
    at = np.searchsorted(wanted, ids)
    at[at == len(wanted)] = 0
    return np.flatnonzero(wanted[at] == ids)


def restrict(ids: np.ndarray, scores: np.ndarray, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The matches whose docnum is in `within` (all of them for None)."""
    if within is None:
        return ids, scores
    sel = select_in(ids, within)
    return ids[sel], scores[sel]
