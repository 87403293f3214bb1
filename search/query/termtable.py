"""One field's terms in an open index: Whoosh's doc_frequency and expand_prefix, without their layers.

In: an open Whoosh reader (one committed generation) and a field name. Out: a
`TermTable` whose `doc_frequency(term)` always equals `reader.doc_frequency(field, term)`
(deleted passages included, as Whoosh counts) and whose `segment_terms(prefix)` yields
what each segment's `expand_prefix(field, prefix)` yields, segment after segment.

Why: the query parser asks the index about a dozen words per query (is "jongil" a
word? is "de" more frequent than "designed"?), most of them not in the index at all.
Through Whoosh each question passes a MultiReader, a SegmentReader, the codec's terms
reader and its hash file per segment, about 40-50 µs on the UN index's four segments.
On Whoosh's own codec (W3 term tables: an on-disk hash file keyed by field number +
term, memory mapped) the same probe, done here with one md5 per key and no layers,
costs about 7 µs. Listing the words of a letter for did-you-mean walks each segment's
sorted records directly instead of through four generators per word (3x faster). Any
other codec, hash function or file access goes through Whoosh.
"""
from __future__ import annotations

import struct
from typing import Iterator

try:                                  # CPython's own md5: half the cost of OpenSSL's for a short key
    from _md5 import md5
except ImportError:                   # pragma: no cover - builds without it
    from functools import partial
    from hashlib import md5 as _openssl_md5
    md5 = partial(_openssl_md5, usedforsecurity=False)

from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.fields import FieldType
from whoosh.filedb.filetables import OrderedHashReader, md5_hash

__all__ = ["TermTable"]

_SLOT = struct.Struct("!Iq")       # a hash table slot: the key's hash, the position of its record
_KEYLEN = struct.Struct("!i")      # a record: key length, value length (int each), key, value
_LENGTHS = struct.Struct("!ii")
_RECORD_HEAD = 8
_UINT = struct.Struct("!I")
_DOC_FREQ_AT = 1 + 4               # W3TermInfo: flags byte, total weight (float), doc frequency (uint)
_FIELD_NUMBER = struct.Struct("!H")


class TermTable:
    """One field's terms over an open reader (see the module docstring)."""

    def __init__(self, reader, field: str):
        self.reader, self.field = reader, field
        # Per segment: (mapped buffer, hash table directory, field-number key prefix, hash file).
        self._tables = _tables(reader, field)

    def segment_terms(self, prefix: str) -> Iterator[bytes]:
        """Each segment's terms that start with `prefix`, in order, segment after segment (a
        term in several segments comes once from each), as expand_prefix yields them."""
        if self._tables is None:
            for leaf, _ in self.reader.leaf_readers():
                yield from leaf.expand_prefix(self.field, prefix)
            return
        for buf, _, fieldkey, index in self._tables:
            key = fieldkey + prefix.encode("utf-8")
            pos = index.closest_key_pos(key)          # Whoosh's binary search of the sorted keys
            if pos is None:
                continue
            start, end, n = len(fieldkey), index.endofdata, len(key)
            while pos < end:                          # records in key order: lengths, key, value
                keylen, datalen = _LENGTHS.unpack_from(buf, pos)
                keypos = pos + _RECORD_HEAD
                if keylen < n or buf[keypos:keypos + n] != key:
                    break
                yield bytes(buf[keypos + start:keypos + keylen])
                pos = keypos + keylen + datalen

    def doc_frequency(self, term: str) -> int:
        tables = self._tables
        if tables is None:
            return self.reader.doc_frequency(self.field, term)
        slot_at, keylen_at, uint_at, size = _SLOT.unpack_from, _KEYLEN.unpack_from, _UINT.unpack_from, _SLOT.size
        text = term.encode("utf-8")
        total, last_prefix, key, keyhash, n = 0, None, b"", 0, 0
        for buf, directory, prefix, _ in tables:
            if prefix is not last_prefix:              # segments usually share the field number
                last_prefix, key = prefix, prefix + text
                keyhash, n = int.from_bytes(md5(key).digest()[-4:], "big"), len(key)
            # As whoosh.filedb.filetables.HashReader.ranges_for_key: open addressing, linear probes.
            start, slots = directory[keyhash & 255]
            if not slots:
                continue
            end = start + slots * size
            slot = start + ((keyhash >> 8) % slots) * size
            for _ in range(slots):
                found, pos = slot_at(buf, slot)
                if not pos:
                    break
                if (found == keyhash and keylen_at(buf, pos)[0] == n
                        and buf[pos + _RECORD_HEAD:pos + _RECORD_HEAD + n] == key):
                    total += uint_at(buf, pos + _RECORD_HEAD + n + _DOC_FREQ_AT)[0]
                    break
                slot += size
                if slot == end:
                    slot = start
        return total


def _tables(reader, field: str) -> list[tuple] | None:
    """Each segment's table, or None when any segment is not one this module can read."""
    fieldtype = reader.schema[field] if field in reader.schema else None
    if fieldtype is None or fieldtype.format is None or type(fieldtype).to_bytes is not FieldType.to_bytes:
        return None                                    # Whoosh raises or encodes otherwise: ask it
    prefixes: dict[int, bytes] = {}
    tables = []
    for leaf, _ in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        index = getattr(terms, "_tindex", None)
        buf = getattr(getattr(index, "dbfile", None), "_buf", None)
        if (not isinstance(terms, W3TermsReader) or not isinstance(index, OrderedHashReader)
                or index.hashfn is not md5_hash or not isinstance(buf, memoryview)):
            return None
        number = terms._fieldmap.get(field, 65535)     # 65535: not in this segment, as Whoosh keys it
        prefix = prefixes.setdefault(number, _FIELD_NUMBER.pack(number))
        tables.append((buf, index.tables, prefix, index))
    return tables
