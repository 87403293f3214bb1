"""A term's postings as flat little-endian arrays: the layout, encoding and decoding, and
the Whoosh matcher and writer over them (codec.py plugs them into Whoosh).

One term's postings, at its TermInfo's extent in the segment's .pst file:

    header     <4sIIBBBBBB2x  MAGIC, n postings, p positions, weight kind, count width,
                              position width, values kind, id width, skip shift (20 bytes)
    ids        n uint8|uint16|uint32 (id width 1|2|4): the docnums' gaps, the first one
               from 0 (a common word's gaps fit in a byte)
    counts     n uint8|uint16|uint32, when count width is 1|2|4: positions per posting, or
               the weight when it is a whole number (weight kind COUNTS)
    weights    n float32, weight kind FLOAT only
    skips      when skip shift s > 0, for each block of 2**s postings: the docnum of its first
               posting (uint32), then, with positions, the positions before it (uint32), so
               a reader finds a few documents in a long list by decoding only their blocks
    positions  p uint16|uint32, when position width is 2|4: each posting's, in order
    values     values kind BYTES only: n + 1 uint32 offsets, then the bytes (formats
               other than Positions and Existence keep Whoosh's encoded values)

Every section starts at a multiple of 4 bytes from the header.
"""
from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left
from itertools import accumulate
from operator import sub

from whoosh import formats
from whoosh.codec import base
from whoosh.matching import LeafMatcher, NullMatcher, ReadTooFar


MAGIC = b"DSP1"
HEADER = struct.Struct("<4sIIBBBBBB2x")
SKIP_SHIFT = 7              # blocks of 128 postings
SKIP_FROM = 512             # postings: shorter lists have no skips
ONES, COUNTS, FLOAT = 0, 1, 2          # weight kinds: all 1.0; the counts; float32 weights
NO_VALUES, BYTES = 0, 1                # values kinds

LITTLE = sys.byteorder == "little"
if array("I").itemsize != 4 or array("H").itemsize != 2 or array("f").itemsize != 4:
    raise ImportError("indexer.store.codec needs 2-byte 'H', 4-byte 'I' and 'f' arrays")
_CODES = {1: "B", 2: "H", 4: "I"}
_NUMPY_FROM = 64            # postings: longer lists take their gaps with numpy


def _le(arr: array) -> bytes:
    """An array's bytes, little-endian, padded to a multiple of 4."""
    if not LITTLE:
        arr = array(arr.typecode, arr)
        arr.byteswap()
    data = arr.tobytes()
    pad = -len(data) % 4
    return data + bytes(pad) if pad else data


def _width(arr: array | None) -> int:
    return 0 if arr is None else arr.itemsize


def _gaps(ids: array) -> array:
    """Docnums (ascending) -> their gaps, the first from 0, in the narrowest array that holds them."""
    if len(ids) < _NUMPY_FROM:
        gaps = [ids[0]] if ids else []
        gaps += map(sub, ids[1:], ids)
        return narrow(array("I", gaps))
    import numpy as np

    docs = np.frombuffer(ids, np.uint32) if ids.typecode == "I" else np.array(ids, np.uint32)
    gaps = np.empty(len(docs), np.uint32)
    gaps[0] = docs[0]
    np.subtract(docs[1:], docs[:-1], out=gaps[1:])
    top = int(gaps.max())
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"
    out = array(code)
    out.frombytes(gaps.astype(np.dtype(code).newbyteorder("=")).tobytes())
    return out


def skips(ids, counts, with_positions: bool) -> tuple[int, bytes]:
    """(skip shift, the skips section) for a term's docnums and counts (see the layout)."""
    n = len(ids)
    if n < SKIP_FROM:
        return 0, b""
    block = 1 << SKIP_SHIFT
    firsts = array("I", ids[::block])
    parts = [_le(firsts)]
    if with_positions:
        before = array("I", [0])
        total = 0
        for start in range(0, n - block, block):
            total += sum(counts[start:start + block])
            before.append(total)
        parts.append(_le(before))
    return SKIP_SHIFT, b"".join(parts)


def encode(ids: array, counts: array | None = None, positions: array | None = None,
           weights: array | None = None, values: list[bytes] | None = None) -> bytes:
    """One term's postings in the layout above.

    ids: array("I") of docnums, ascending. counts: positions per posting (with
    `positions`, array("H" or "I")) or whole-number weights, any unsigned array; without
    `weights` the weights are the counts, or 1.0 without counts either. weights:
    array("f"). values: Whoosh's encoded value per posting, for other formats.
    """
    n = len(ids)
    kind = FLOAT if weights is not None else COUNTS if counts is not None else ONES
    gaps = _gaps(ids)
    if counts is not None:
        counts = narrow(counts)
    shift, skip = skips(ids, counts, positions is not None)
    parts = [HEADER.pack(MAGIC, n, len(positions) if positions is not None else 0, kind, _width(counts),
                         _width(positions), BYTES if values is not None else NO_VALUES, gaps.itemsize, shift),
             _le(gaps)]
    if counts is not None:
        parts.append(_le(counts))
    if weights is not None:
        parts.append(_le(weights))
    parts.append(skip)
    if positions is not None:
        parts.append(_le(positions))
    if values is not None:
        offsets = array("I", [0])
        total = 0
        for v in values:
            total += len(v)
            offsets.append(total)
        parts.append(_le(offsets))
        parts.append(b"".join(values))
    return b"".join(parts)


class Layout:
    """Where each section of one term's postings lies in `buf` (the bytes `encode` made)."""

    __slots__ = ("buf", "n", "npositions", "weight_kind", "count_width", "position_width", "values_kind",
                 "id_width", "skip_shift", "blocks", "ids_at", "counts_at", "weights_at", "skips_at",
                 "skip_positions_at", "positions_at", "values_at")

    def __init__(self, buf: bytes):
        if len(buf) < HEADER.size or buf[:4] != MAGIC:
            raise ValueError(f"not docsearch postings (magic {bytes(buf[:4])!r})")
        magic, n, p, wkind, cwidth, pwidth, vkind, iwidth, shift = HEADER.unpack_from(buf)
        self.buf = buf
        self.n, self.npositions = n, p
        self.weight_kind, self.count_width, self.position_width, self.values_kind = wkind, cwidth, pwidth, vkind
        self.id_width, self.skip_shift = iwidth, shift
        self.blocks = -(-n >> shift) if shift else 0
        at = self.ids_at = HEADER.size
        at += -(-iwidth * n // 4) * 4
        self.counts_at = at
        at += -(-cwidth * n // 4) * 4
        self.weights_at = at
        if wkind == FLOAT:
            at += 4 * n
        self.skips_at = at
        at += 4 * self.blocks
        self.skip_positions_at = at
        if pwidth:
            at += 4 * self.blocks
        self.positions_at = at
        at += -(-pwidth * p // 4) * 4
        self.values_at = at

    def _array(self, typecode: str, at: int, count: int) -> array:
        out = array(typecode)
        out.frombytes(self.buf[at:at + count * out.itemsize])
        if not LITTLE:
            out.byteswap()
        return out

    def ids(self) -> list[int]:
        return list(accumulate(self._array(_CODES[self.id_width], self.ids_at, self.n)))

    def counts(self) -> array | None:
        w = self.count_width
        return self._array(_CODES[w], self.counts_at, self.n) if w else None

    def weights(self) -> list[float]:
        if self.weight_kind == FLOAT:
            return self._array("f", self.weights_at, self.n).tolist()
        if self.weight_kind == COUNTS:
            return [float(c) for c in self.counts()]
        return [1.0] * self.n

    def positions(self) -> array | None:
        w = self.position_width
        return self._array("H" if w == 2 else "I", self.positions_at, self.npositions) if w else None

    def values(self) -> list[bytes] | None:
        if self.values_kind != BYTES:
            return None
        offsets = self._array("I", self.values_at, self.n + 1)
        start = self.values_at + 4 * (self.n + 1)
        buf = self.buf
        return [buf[start + a:start + b] for a, b in zip(offsets, offsets[1:])]


def is_positions(format_) -> bool:
    """Whether postings of this format are stored as position arrays (Whoosh's plain Positions)."""
    return type(format_) is formats.Positions


class PostingsMatcher(LeafMatcher):
    """Whoosh's Matcher interface over one term's decoded postings.

    Whoosh's own queries, highlighters and merges read the postings through it; values
    come back in Whoosh's encoding of the field's format. The whole list counts as one
    block for Whoosh's block-quality skipping.
    """

    def __init__(self, layout: Layout, format_, term=None, scorer=None, terminfo=None, _state=None):
        self.format = format_
        self.scorer = scorer
        self._term = term
        self._terminfo = terminfo
        self._layout = layout
        if _state is None:
            counts = layout.counts()
            positions = layout.positions()
            starts = None
            if positions is not None:
                starts = array("I", [0])
                starts.extend(accumulate(counts))
            _state = (layout.ids(), layout.weights(), counts, positions, starts, layout.values())
        self._state = _state
        self._ids, self._weights, self._counts, self._positions, self._starts, self._values = _state
        self._no_value = format_.fixed_value_size() == 0        # as Whoosh's own matcher: None, not b""
        self._i = 0

    def is_active(self):
        return self._i < len(self._ids)

    def reset(self):
        self._i = 0

    def copy(self):
        m = PostingsMatcher(self._layout, self.format, self._term, self.scorer, self._terminfo, self._state)
        m._i = self._i
        return m

    def replace(self, minquality=0):
        if not self.is_active():
            return NullMatcher()
        if minquality and self.supports_block_quality() and self.max_quality() <= minquality:
            return NullMatcher()
        return self

    def id(self):
        return self._ids[self._i]

    def next(self):
        if self._i >= len(self._ids):
            raise ReadTooFar
        self._i += 1

    def skip_to(self, id_):
        if not self.is_active():
            raise ReadTooFar
        if id_ > self._ids[self._i]:
            self._i = bisect_left(self._ids, id_, self._i)

    def all_ids(self):
        return iter(self._ids[self._i:])

    def weight(self):
        return self._weights[self._i]

    def _poslist(self, i: int) -> list[int]:
        return self._positions[self._starts[i]:self._starts[i + 1]].tolist()

    def value(self):
        i = self._i
        if self._positions is not None:
            return self.format.encode(self._poslist(i))
        if self._values is not None:
            return self._values[i]
        return None if self._no_value else b""

    def value_as(self, astype):
        if self._positions is not None:
            if astype == "positions":
                return self._poslist(self._i)
            if astype == "frequency":
                return self._counts[self._i]
        return super().value_as(astype)

    def all_items(self):
        for i in range(self._i, len(self._ids)):
            self._i = i
            yield self._ids[i], self.value()

    # The whole list is one block.
    def block_min_id(self):
        return self._ids[0]

    def block_max_id(self):
        return self._ids[-1]

    def block_max_weight(self):
        return max(self._weights)

    def block_min_length(self):
        return self._terminfo.min_length() if self._terminfo is not None else 1

    def block_max_length(self):
        return self._terminfo.max_length() if self._terminfo is not None else 1 << 30

    def block_quality(self):
        return self.scorer.block_quality(self)

    def skip_to_quality(self, minquality):
        if self.block_quality() <= minquality:
            self._i = len(self._ids)
            return 1
        return 0


class PostingsWriter(base.PostingsWriter):
    """Whoosh's postings-writer interface (its merges and SegmentWriter write through it)."""

    def __init__(self, postfile):
        self._postfile = postfile
        self._terminfo = None
        self._written = False

    def written(self):
        return self._written

    def start_postings(self, format_, terminfo):
        if self._terminfo is not None:
            raise RuntimeError("start_postings called inside a term")
        self._format = format_
        self._terminfo = terminfo
        self._ids = array("I")
        self._weights: list[float] = []
        self._values: list[bytes] = []
        self._minlength = None
        self._maxlength = 0

    def add_posting(self, id_, weight, vbytes, length=None):
        if self._ids and id_ <= self._ids[-1]:
            raise ValueError(f"postings out of order: {id_} after {self._ids[-1]}")
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            self._maxlength = max(self._maxlength, length)

    def finish_postings(self):
        fmt, ids, weights = self._format, self._ids, self._weights
        if is_positions(fmt):
            lists = [fmt.decode_positions(v) for v in self._values]
            counts = array("I", map(len, lists))
            positions = array("I")
            for plist in lists:
                positions.extend(plist)
            if positions and max(positions) < 1 << 16:
                positions = array("H", positions)
            as_counts = all(w == c for w, c in zip(weights, counts))
            data = encode(ids, counts, positions, None if as_counts else array("f", weights))
        elif all(w == 1.0 for w in weights) and not any(self._values):
            data = encode(ids)
        else:
            data = encode(ids, weights=array("f", weights), values=self._values)
        offset = self._postfile.tell()
        self._postfile.write(data)
        self._written = True
        ti = self._terminfo
        ti._weight = sum(weights)
        ti._df = len(ids)
        ti._minlength = self._minlength
        ti._maxlength = self._maxlength
        ti._maxweight = max(weights, default=0)
        ti._minid = ids[0] if ids else None
        ti._maxid = ids[-1] if ids else None
        ti.set_extent(offset, len(data))
        self._terminfo = None
        return ti


def narrow(values: array) -> array:
    """An unsigned array in the narrowest of "B", "H", "I" that holds its values."""
    top = max(values, default=0)
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"
    return values if values.typecode == code else array(code, values)
