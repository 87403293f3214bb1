"""The index's storage codec: Whoosh's whoosh3 codec with each term's postings as flat arrays.

Whoosh 3 stores a term's postings in blocks of 128: a zlib-compressed pickle of ids,
weights and one pickled position list per posting. A common word ("nations", "the")
then costs thousands of unpickles to read, and a phrase one more per posting. Here a
term's postings are contiguous little-endian arrays (docnums, counts, positions) that
search/rank/evaluate.py turns into numpy arrays without a per-posting step, so it scores
and intersects whole posting lists at C speed. Everything else (term index, stored
fields, field lengths, columns, segments, TOC, deletions) is Whoosh's whoosh3 codec
unchanged, and Whoosh reads these postings through PostingsMatcher and writes them
through PostingsWriter, so every Whoosh query, and Whoosh's merges, still work.

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

Each segment also has a term directory (.tdx): every term's postings extent, sorted by a
CRC-32 of its key, so search/rank/evaluate.py finds a term's postings with two binary searches
in a memory view and one key comparison instead of Whoosh's term-index lookup (an MD5
and a probe sequence in Python, 15 us). A segment without one (written by another
codec) is read through Whoosh's term index. That index (.trm) stays Whoosh's file, written
by TermIndexWriter with less work per term (a segment has hundreds of thousands).

Segments also read their files from the segment's memory map without copying them
(Whoosh's BufferFile copies each file it opens into a BytesIO: the whole postings
file of every segment, on every open).
"""
from __future__ import annotations

import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from io import RawIOBase
from itertools import accumulate
from operator import sub

from whoosh import formats
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter, W3Segment, W3TermsReader
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import LeafMatcher, NullMatcher, ReadTooFar

MAGIC = b"DSP1"
HEADER = struct.Struct("<4sIIBBBBBB2x")
SKIP_SHIFT = 7              # blocks of 128 postings
SKIP_FROM = 512             # postings: shorter lists have no skips
ONES, COUNTS, FLOAT = 0, 1, 2          # weight kinds: all 1.0; the counts; float32 weights
NO_VALUES, BYTES = 0, 1                # values kinds

_LITTLE = sys.byteorder == "little"
if array("I").itemsize != 4 or array("H").itemsize != 2 or array("f").itemsize != 4:
    raise ImportError("indexer.store.codec needs 2-byte 'H', 4-byte 'I' and 'f' arrays")
_CODES = {1: "B", 2: "H", 4: "I"}
_RECORD_LENGTHS = struct.Struct("!ii").pack     # filetables: a record's key and value lengths
_SLOT = struct.Struct("!Iq")                      # filetables: a hash table slot (hash, record position)
try:                                              # CPython's own md5: half OpenSSL's cost for a short key
    from _md5 import md5 as _md5
except ImportError:                               # pragma: no cover - builds without it
    from functools import partial
    from hashlib import md5 as _hashlib_md5
    _md5 = partial(_hashlib_md5, usedforsecurity=False)
_NUMPY_FROM = 64            # postings: longer lists take their gaps with numpy


def _le(arr: array) -> bytes:
    """An array's bytes, little-endian, padded to a multiple of 4."""
    if not _LITTLE:
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
        if not _LITTLE:
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


DIRECTORY_EXT = ".tdx"
_DIR_MAGIC = b"DSD1"
_DIR_HEADER = struct.Struct("<4sI")          # magic, number of terms


def write_directory(dbfile, entries: list[tuple[bytes, int, int]]) -> None:
    """The term directory: (key, postings offset, postings length) per term, key as in
    Whoosh's term index (field number, then the term's bytes)."""
    entries = sorted((zlib.crc32(key), key, offset, length) for key, offset, length in entries)
    hashes = array("I", [h for h, _, _, _ in entries])
    offsets = array("Q", [o for _, _, o, _ in entries])
    lengths = array("I", [n for _, _, _, n in entries])
    starts = array("I", [0])
    total = 0
    for _, key, _, _ in entries:
        total += len(key)
        starts.append(total)
    if not _LITTLE:
        for a in (hashes, offsets, lengths, starts):
            a.byteswap()
    parts = [_DIR_HEADER.pack(_DIR_MAGIC, len(entries)), hashes.tobytes(), lengths.tobytes(), starts.tobytes()]
    used = sum(map(len, parts))
    parts.append(bytes(-used % 8))
    parts.append(offsets.tobytes())
    parts.append(b"".join(key for _, key, _, _ in entries))
    dbfile.write(b"".join(parts))
    dbfile.close()


class Directory:
    """A segment's term directory, read in place from the file's memory view (copied into arrays
    on a big-endian machine, where the little-endian numbers need swapping)."""

    def __init__(self, view: memoryview):
        magic, n = _DIR_HEADER.unpack_from(view)
        if magic != _DIR_MAGIC:
            raise ValueError("not a docsearch term directory")
        at = _DIR_HEADER.size
        self.hashes = self._numbers(view[at:at + 4 * n], "I")
        at += 4 * n
        self.lengths = self._numbers(view[at:at + 4 * n], "I")
        at += 4 * n
        self.starts = self._numbers(view[at:at + 4 * (n + 1)], "I")
        at += 4 * (n + 1)
        at += -at % 8
        self.offsets = self._numbers(view[at:at + 8 * n], "Q")
        at += 8 * n
        self.keys = view[at:]

    @staticmethod
    def _numbers(view: memoryview, code: str):
        if _LITTLE:
            return view.cast(code)
        numbers = array(code)
        numbers.frombytes(view)
        numbers.byteswap()
        view.release()
        return memoryview(numbers)

    def release(self) -> None:
        """Let go of the file's memory, so the segment's map can close."""
        for view in (self.hashes, self.lengths, self.starts, self.offsets, self.keys):
            view.release()

    def extent(self, key: bytes) -> tuple[int, int] | None:
        """(offset, length) of the term's postings, None when the segment lacks it."""
        h = zlib.crc32(key)
        hashes, starts, keys = self.hashes, self.starts, self.keys
        i = bisect_left(hashes, h)
        n = len(hashes)
        while i < n and hashes[i] == h:
            if keys[starts[i]:starts[i + 1]] == key:
                return self.offsets[i], self.lengths[i]
            i += 1
        return None


class TermIndexWriter(OrderedHashWriter):
    """Whoosh's OrderedHashWriter (the .trm term index), the same file written with less work
    per term: records buffered and written in bulk, their positions counted rather than asked
    of the file, the key's hash taken with one md5 digest (filetables.md5_hash's value), and
    each hash table packed in one call. A segment builder adds hundreds of thousands of terms."""

    def __init__(self, dbfile):
        super().__init__(dbfile)                   # writes the header
        self._pos = dbfile.tell()
        self._pending: list[bytes] = []
        self._pending_bytes = 0

    def add(self, key, value):
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        pos = self._pos
        self.index.append(pos)
        record = _RECORD_LENGTHS(len(key), len(value)) + key + value
        self._pending.append(record)
        self._pos = pos + len(record)
        self._pending_bytes += len(record)
        h = int.from_bytes(_md5(key).digest()[-4:], "big")
        self.buckets[h & 255].append((h, pos))
        self.lastkey = key
        if self._pending_bytes > 1 << 20:
            self._flush()

    def _flush(self):
        self.dbfile.write(b"".join(self._pending))
        self._pending, self._pending_bytes = [], 0

    def tell(self):
        return self._pos

    def _write_hashes(self):
        self._flush()
        dbfile = self.dbfile
        pos = dbfile.tell()
        pack = _SLOT.pack
        for entries in self.buckets:
            numslots = 2 * len(entries)
            self.directory.append((pos, numslots))
            hashes, places = [0] * numslots, [0] * numslots
            for hashval, position in entries:       # linear probing, in the order keys came
                slot = (hashval >> 8) % numslots
                while places[slot]:
                    slot = (slot + 1) % numslots
                hashes[slot], places[slot] = hashval, position
            table = b"".join(map(pack, hashes, places))
            dbfile.write(table)
            pos += len(table)


class FieldWriter(W3FieldWriter):
    """W3FieldWriter that also writes the term directory, for the terms Whoosh's writer adds
    (finish_term) and for those segment builders add whole (add_term)."""

    def __init__(self, codec, storage, segment):
        # W3FieldWriter.__init__, with TermIndexWriter for the term index.
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = TermIndexWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False
        self._directory: list[tuple[bytes, int, int]] = []

    def add_term(self, key: bytes, terminfo: bytes, offset: int, length: int) -> None:
        self._tindex.add(key, terminfo)
        self._directory.append((key, offset, length))

    def finish_term(self):
        terminfo = self._postwriter.finish_postings()
        key = struct.pack("!H", self._fieldid) + self._btext
        self._tindex.add(key, terminfo.to_bytes())
        if not terminfo.is_inlined():
            offset, length = terminfo.extent()
            self._directory.append((key, offset, length))

    def close(self):
        write_directory(self._create_file(DIRECTORY_EXT), self._directory)
        super().close()


class TermsReader(W3TermsReader):
    """W3TermsReader with the segment's term directory, when it has one."""

    def __init__(self, codec, dbfile, length, postfile, directory: Directory | None):
        super().__init__(codec, dbfile, length, postfile)
        self.directory = directory

    def close(self):
        if self.directory is not None:
            self.directory.release()
        super().close()

    def postings_extent(self, fieldname: str, btext: bytes) -> tuple[int, int] | None:
        """(offset, length) of a term's postings in the postings file, None when absent or inlined."""
        key = self._keycoder(fieldname, btext)
        if self.directory is not None:
            return self.directory.extent(key)
        try:
            info = self._tindex[key]
        except KeyError:
            return None
        if info[0]:                     # inlined in the term index
            return None
        offset, length = struct.unpack_from("!qi", info, 1 + 4 + 4 + 1 + 1 + 4 + 4 + 4)
        return offset, length


class _ViewIO(RawIOBase):
    """A read-only file over a memoryview, for StructFile's seek/read methods, without a copy."""

    def __init__(self, view: memoryview):
        self._view = view
        self._pos = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, pos, whence=0):
        size = len(self._view)
        self._pos = pos if whence == 0 else self._pos + pos if whence == 1 else size + pos
        return self._pos

    def read(self, n=-1):
        start = self._pos
        end = len(self._view) if n is None or n < 0 else min(len(self._view), start + n)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readinto(self, b):
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)


class _ViewFile(BufferFile):
    """Whoosh's BufferFile without its BytesIO copy of the whole buffer."""

    def __init__(self, buf, name=None):
        self._buf = buf
        self._name = name
        self.file = _ViewIO(buf)
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def close(self):
        if not self.is_closed:
            self.is_closed = True
            self._buf.release()


class _CompoundStorage(CompoundStorage):
    """A segment's compound file, its member files served as views of the one memory map.

    The views are released before the map is closed, so closing a reader unmaps its
    segment at once (Whoosh's own leaves that to the garbage collector when a view is alive).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._views: list[memoryview] = []

    def open_file(self, name, *args, **kwargs):
        if not self._source:
            return super().open_file(name, *args, **kwargs)
        if self.is_closed:
            return super().open_file(name, *args, **kwargs)      # raises StorageError
        offset, length = self.range(name)
        whole = memoryview(self._source)
        view = whole[offset:offset + length]
        whole.release()
        self._views.append(view)
        return _ViewFile(view, name=name)

    def close(self):
        for view in self._views:
            view.release()
        self._views = []
        super().close()


class Segment(W3Segment):
    """A whoosh3 segment whose compound file is read through _CompoundStorage."""

    def open_compound_file(self, storage):
        name = self.make_filename(self.COMPOUND_EXT)
        return _CompoundStorage(storage.open_file(name), use_mmap=storage.supports_mmap)


class Codec(W3Codec):
    """W3Codec with PostingsWriter/PostingsMatcher for postings, and Segment for segments."""

    def postings_writer(self, dbfile, byteids=False):
        if byteids:                     # term vectors keep Whoosh's blocks (the schema has none)
            return W3PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=True,
                                    compression=self._compression, inlinelimit=self._inlinelimit)
        return PostingsWriter(dbfile)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        if type(length) is tuple:       # W3TermInfo.from_bytes keeps struct.unpack's tuple
            length = length[0]
        layout = Layout(dbfile.get(offset, length))
        return PostingsMatcher(layout, format_, term=term, scorer=scorer, terminfo=terminfo)

    def field_writer(self, storage, segment):
        return FieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        directory = None
        name = segment.make_filename(DIRECTORY_EXT)
        if storage.file_exists(name):
            f = storage.open_file(name)
            view = getattr(f, "_buf", None)
            directory = Directory(view if isinstance(view, memoryview) else memoryview(f.read()))
        return TermsReader(self, storage.open_file(tiname), storage.file_length(tiname),
                           segment.open_file(storage, self.POSTS_EXT), directory)

    def new_segment(self, storage, indexname):
        return Segment(self, indexname)
