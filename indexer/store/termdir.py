"""Each segment also has a term directory (.tdx): every term's postings extent, sorted by a
CRC-32 of its key, so search/rank/evaluate.py finds a term's postings with two binary searches
in a memory view and one key comparison instead of Whoosh's term-index lookup (an MD5
and a probe sequence in Python, 15 us). A segment without one (written by another
codec) is read through Whoosh's term index. That index (.trm) stays Whoosh's file, written
by TermIndexWriter with less work per term (a segment has hundreds of thousands).
"""
from __future__ import annotations

import struct
import zlib
from array import array
from bisect import bisect_left

from whoosh.filedb.filetables import OrderedHashWriter

from indexer.store.postings import LITTLE


_RECORD_LENGTHS = struct.Struct("!ii").pack     # filetables: a record's key and value lengths
_SLOT = struct.Struct("!Iq")                      # filetables: a hash table slot (hash, record position)
try:                                              # CPython's own md5: half OpenSSL's cost for a short key
    from _md5 import md5 as _md5
except ImportError:                               # pragma: no cover - builds without it
    from functools import partial
    from hashlib import md5 as _hashlib_md5
    _md5 = partial(_hashlib_md5, usedforsecurity=False)


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
    if not LITTLE:
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
        if LITTLE:
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
