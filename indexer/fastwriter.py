"""Documents in, finished Whoosh segments out, without Whoosh's per-posting machinery.

Whoosh's SegmentWriter sends every posting through a pickled external sort and,
while writing postings, reads each document's field length back from disk. A
SegmentBuilder inverts documents in memory instead (field -> term -> postings),
packs a term's postings into Whoosh's 128-posting blocks as soon as a block
fills (so buffered postings cost a few bytes each), and when its memory budget
is reached, or at the end, writes one segment with Whoosh's own whoosh3 codec
objects: term index, postings, stored fields, lengths and sortable columns. The
files are those of Whoosh's format, read by unmodified Whoosh; the only
difference from what Whoosh writes is inside a postings block, whose tuple is
pickled with protocol 4 (see DATA_PROTOCOL) and compressed only when it pays.

The postings of our own text fields (schema.WhooshAnalyzer over an
analysis.Analyzer, Positions format) come straight from the analyzer's token
scan, shared by `body` and `exact`; any other field goes through Whoosh's
`field.index()`. A builder only writes segment files: they become part of the
index when `commit_segments` writes the TOC, so an interrupted run leaves the
previous commit as it was, and its files are removed by `discard_files` or by
Whoosh's own clean-up at the next commit.
"""
from __future__ import annotations

import os
import zlib
from array import array
from operator import sub
from pickle import dumps
from struct import Struct

from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3PerDocWriter, W3Segment
from whoosh.fields import ID, UnknownFieldError
from whoosh.util.numeric import byte_to_length, length_to_byte

from . import analysis
from .schema import WhooshAnalyzer

BLOCK = 128                       # postings per block, as W3Codec's blocklimit
COMPRESSION = 3                   # zlib level, as W3Codec
# Whoosh pickles a block with protocol 2, which has no opcode for bytes: each posting's value
# becomes a _codecs.encode(str, "latin1") call, ten times slower to write and to read, twice
# the size. Its reader unpickles whatever protocol it finds, so blocks here use protocol 4.
DATA_PROTOCOL = 4
MIN_COMPRESS = 256                # smaller pickled blocks are stored plainly: zlib would save little and cost much
_pack_int = Struct("!i").pack
_pack_uint = Struct("!I").pack
_pack_ushort = Struct("!H").pack
_TERMINFO = Struct("!BfIBBfIIqi")     # W3TermInfo: flags, weight, df, min/max length byte, max weight,
                                      # first/last id, postings offset and length

# Bytes a buffered posting and a new term cost in memory, measured with tracemalloc.
POSTING_BYTES = 26
MULTI_VALUE_BYTES = 56
TERM_BYTES = 190
BLOCK_OVERHEAD = 120


def _positions_value(poslist: list[int]) -> bytes:
    """Whoosh's Positions encoding (formats.Positions.encode): the count, then the pickled position deltas."""
    if len(poslist) == 1:
        return _pack_uint(1) + dumps(poslist, 2)
    deltas = [poslist[0]]
    deltas += map(sub, poslist[1:], poslist)
    return _pack_uint(len(deltas)) + dumps(deltas, 2)


_ONE_POSITION = [_positions_value([pos]) for pos in range(4096)]   # the value of a term seen once, at pos
_FLOATS = [float(i) for i in range(4097)]                           # a weight: the count of positions


def _grow_tables(ntokens: int) -> None:
    """Make the tables above cover every position and count of a text of `ntokens` tokens."""
    _ONE_POSITION.extend(_positions_value([pos]) for pos in range(len(_ONE_POSITION), ntokens))
    _FLOATS.extend(float(i) for i in range(len(_FLOATS), ntokens + 1))


class _Field:
    """One field's postings in the segment being built."""

    __slots__ = ("name", "fieldobj", "terms", "spilled", "lengths", "fixedsize")

    def __init__(self, name, fieldobj):
        self.name = name
        self.fieldobj = fieldobj
        self.terms: dict = {}          # term -> flat [docnum, weight, value, docnum, ...] not yet in a block
        self.spilled: dict = {}        # term -> _Blocks already encoded
        self.lengths = array("I") if fieldobj.scorable else None   # docnum -> field length
        self.fixedsize = fieldobj.format.fixed_value_size()


def _encode_block(flat: list, field: _Field) -> tuple:
    """One block of (docnum, weight, value) triples, as W3PostingsWriter._write_block writes it.

    Returns (info bytes, data bytes, postings, weight sum, min length, max length, max weight, first id, last id).
    """
    ids = flat[0::3]
    weights = flat[1::3]
    n = len(ids)
    deltas = [ids[0]]
    deltas += map(sub, ids[1:], ids)
    maxweight = max(weights)
    if maxweight == 1.0 and min(weights) == 1.0:
        mini_weights = None
        total = n
    else:
        packed = array("f", weights)
        mini_weights = packed[0] if min(packed) == max(packed) else tuple(packed)
        total = sum(packed)
    fixedsize = field.fixedsize
    if fixedsize is None or fixedsize < 0:
        mini_values = tuple(filter(None, flat[2::3]))
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = b"".join(flat[2::3])
    if field.lengths is not None:
        lengths = list(map(field.lengths.__getitem__, ids))
        minlength, maxlength = min(lengths), max(lengths)
    else:
        minlength, maxlength = None, 0
    data = dumps((tuple(deltas), mini_weights, mini_values), DATA_PROTOCOL)
    comp = COMPRESSION if len(data) >= MIN_COMPRESS else 0
    if comp:
        # A 4 KB window: a block is a few KB, and zlib's default window costs more to set up than to use.
        packer = zlib.compressobj(comp, zlib.DEFLATED, 12, 8)
        data = packer.compress(data) + packer.flush()
    info = dumps((n, ids[-1], maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)), 2)
    return info, data, n, total, minlength, maxlength, maxweight, ids[0], ids[-1]


class _Blocks:
    """Encoded blocks of one term, with the statistics its TermInfo needs."""

    __slots__ = ("blocks", "weight", "df", "minlength", "maxlength", "maxweight", "minid", "maxid")

    def __init__(self):
        self.blocks: list[tuple[bytes, bytes]] = []
        self.weight = 0.0
        self.df = 0
        self.minlength = None
        self.maxlength = 0
        self.maxweight = 0
        self.minid = None
        self.maxid = 0

    def add(self, flat: list, field: _Field) -> int:
        """Encode `flat` as one more block; returns its size in bytes."""
        info, data, n, total, minlength, maxlength, maxweight, first, last = _encode_block(flat, field)
        self.blocks.append((info, data))
        self.weight += total
        self.df += n
        if minlength is not None:
            self.minlength = minlength if self.minlength is None else min(self.minlength, minlength)
        self.maxlength = max(self.maxlength, maxlength)
        self.maxweight = max(self.maxweight, maxweight)
        if self.minid is None:
            self.minid = first
        self.maxid = last
        return len(info) + len(data) + BLOCK_OVERHEAD


def fast_analyzer(fieldobj) -> analysis.Analyzer | None:
    """The analysis.Analyzer whose token scan can feed this field directly, or None.

    Only a plain Positions field (no boost, vector or spelling) analysed by our
    own Analyzer qualifies; any other field is indexed through Whoosh. The fast
    path rebuilds Analyzer.tokens from its parts (the raw scan, stop words, the
    stemmer): tests/test_fastwriter.py compares it with Whoosh's own indexing.
    """
    fmt = fieldobj.format
    ana = getattr(fieldobj, "analyzer", None)
    if (type(fmt) is formats.Positions and fmt.field_boost == 1.0 and not fieldobj.vector
            and type(ana) is WhooshAnalyzer and type(ana.analyzer) is analysis.Analyzer
            and not fieldobj.separate_spelling()):
        return ana.analyzer
    return None


def _plain_id(fieldobj) -> bool:
    """A plain ID field: Existence format, no boost, the whole value as its one term (IDTokenizer),
    so a str value's one posting is (value as UTF-8, 1.0, b"") without Whoosh's token machinery.
    (NUMERIC has the same format and tokenizer but turns a str into a number first.)"""
    fmt = fieldobj.format
    return (type(fieldobj) is ID and fieldobj.indexed and type(fmt) is formats.Existence and fmt.field_boost == 1.0
            and type(getattr(fieldobj, "analyzer", None)) is IDTokenizer and not fieldobj.vector
            and not fieldobj.separate_spelling())


class SegmentBuilder:
    """Buffers documents in memory and writes them as Whoosh segments into `storage`.

    limit_bytes bounds the buffered postings: when they outgrow it, a segment is
    written and buffering starts afresh. segid_prefix names this builder's
    segment files (MAIN_<prefix>0000.seg, ...) so a cancelled run can find them.
    """

    def __init__(self, storage, schema, indexname: str, *, limit_bytes: int, segid_prefix: str | None = None):
        self.storage = storage
        self.schema = schema
        self.indexname = indexname
        self.codec = W3Codec()
        self.limit_bytes = limit_bytes
        self.segid_prefix = segid_prefix or new_prefix()
        self.segments: list[W3Segment] = []
        self._serial = 0
        self._broken = False
        self._plans: dict[str, tuple] = {}
        self._plain_ids: set[str] = set()                      # fields whose term is the whole value
        self._values: dict[tuple[str, object], tuple] = {}   # repeated (field, value) -> (length, postings)
        self._text = None                                      # the text whose positions are below
        self._positions: dict[str, list[int]] = {}
        self._ntokens = 0
        self._termmaps: dict[int, dict] = {}                   # analyzer -> raw term -> its term, False for a stop word
        self._segment = None
        self._pdw = None
        self._fields: dict[str, _Field] = {}
        self._docnum = 0
        self.buffered_bytes = 0

    # -- documents ------------------------------------------------------------
    def add_document(self, fields: dict) -> None:
        """Add one document: {field name: value}, as Whoosh's add_document(**fields) takes it."""
        if self._broken:
            raise RuntimeError("this SegmentBuilder failed in the middle of a document; discard it")
        names = sorted(name for name in fields if not name.startswith("_"))
        plans = self._plans
        for name in names:
            if name not in plans:
                self._plan(name)             # an unknown field fails here, before anything changed
        if self._pdw is None:
            self._start()
        docnum = self._docnum
        pdw = self._pdw
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                fieldobj, stored, column, ana = plans[name]
                if fieldobj.indexed:
                    self._index(name, fieldobj, ana, value, docnum)
                if stored:
                    pdw.add_field(name, fieldobj, value, 0)      # lengths go in at flush (_write_lengths)
                if column is not None:
                    pdw.add_column_value(name, column, fieldobj.to_column_value(value))
        except BaseException:
            self._broken = True                  # postings of half a document: this segment is unusable
            raise
        pdw.finish_doc()
        self._docnum += 1
        if self.buffered_bytes > self.limit_bytes:
            self.flush()

    def _plan(self, name: str) -> tuple:
        try:
            fieldobj = self.schema[name]
        except KeyError:
            raise UnknownFieldError(f"No field named {name!r} in {self.schema}") from None
        ana = fast_analyzer(fieldobj) if fieldobj.indexed else None
        if _plain_id(fieldobj):
            self._plain_ids.add(name)
        plan = (fieldobj, bool(fieldobj.stored), fieldobj.column_type or None, ana)
        self._plans[name] = plan
        return plan

    def _index(self, name, fieldobj, ana, value, docnum) -> int:
        """Add one field value's postings; returns the field length (0 when not scorable)."""
        field = self._fields.get(name)
        if field is None:
            field = self._fields[name] = _Field(name, fieldobj)
        if ana is not None and type(value) is str:
            if len(value) > 256 or value is self._text:
                return self._add_text(field, ana, value, docnum)
            length, postings = self._repeated(name, value, lambda: self._short_text(ana, value))
        elif type(value) is str and name in self._plain_ids:
            length, postings = 1, ((value.encode("utf-8"), 1.0, b""),)     # the whole value, once
        else:
            length, postings = self._repeated(name, value, lambda: self._whoosh_postings(fieldobj, value))
        if not fieldobj.scorable:
            length = 0
        elif length:
            self._set_length(field, docnum, length)
        terms = field.terms
        new = 0
        for term, weight, vbytes in postings:
            flat = terms.get(term)
            if flat is None:
                terms[term] = [docnum, weight, vbytes]
                new += 1
            else:
                flat += (docnum, weight, vbytes)
                if len(flat) >= 3 * BLOCK:
                    self._spill(field, term, flat)
        self.buffered_bytes += len(postings) * POSTING_BYTES + new * TERM_BYTES
        return length

    @staticmethod
    def _set_length(field: _Field, docnum: int, length: int) -> None:
        lengths = field.lengths
        if len(lengths) < docnum:
            lengths.extend(array("I", [0]) * (docnum - len(lengths)))
        lengths.append(length)

    def _add_text(self, field: _Field, ana: analysis.Analyzer, text: str, docnum: int) -> int:
        """The hot path: one passage's body or exact text, straight from the token scan into the postings."""
        positions, length = self._positions_of(text)
        if ana.stop or ana.stem:
            positions, length = self._derive(ana, positions)
        if length and field.lengths is not None:
            self._set_length(field, docnum, length)
        terms = field.terms
        get = terms.get
        one = _ONE_POSITION              # as long as the text has tokens: no bounds to check
        floats = _FLOATS
        full = 3 * BLOCK
        new = multi = 0
        for term, poslist in positions.items():
            if len(poslist) == 1:
                posting = (docnum, 1.0, one[poslist[0]])
            else:
                posting = (docnum, floats[len(poslist)], _positions_value(poslist))
                multi += 1
            flat = get(term)
            if flat is None:
                terms[term] = [*posting]
                new += 1
            else:
                flat += posting
                if len(flat) >= full:
                    self._spill(field, term, flat)
        self.buffered_bytes += len(positions) * POSTING_BYTES + new * TERM_BYTES + multi * MULTI_VALUE_BYTES
        return length if field.fieldobj.scorable else 0

    def _positions_of(self, text: str) -> tuple[dict[str, list[int]], int]:
        """Raw term -> positions for `text`; remembered, since body and exact analyse the same text in turn."""
        if text is not self._text:
            positions, ntokens = analysis._term_positions(text)
            self._text, self._positions, self._ntokens = text, positions, ntokens
            if ntokens > len(_ONE_POSITION):
                _grow_tables(ntokens)
        return self._positions, self._ntokens

    def _derive(self, ana: analysis.Analyzer, positions: dict) -> tuple[dict[str, list[int]], int]:
        """Raw terms' positions -> this analyzer's: stop words dropped, words with one stem merged."""
        termmap = self._termmaps.get(id(ana))
        if termmap is None or len(termmap) > 200_000:
            termmap = self._termmaps[id(ana)] = {}
        known = termmap.get
        out: dict[str, list[int]] = {}
        setdefault = out.setdefault
        length = 0
        for term, poslist in positions.items():
            final = known(term)
            if final is None:
                final = termmap[term] = (False if ana.stop and term in ana.stop_words
                                         else ana._stem(term) if ana.stem else term)
            if final is False:
                continue
            length += len(poslist)
            prev = setdefault(final, poslist)
            if prev is not poslist:
                out[final] = sorted(prev + poslist)
        return out, length

    def _short_text(self, ana: analysis.Analyzer, text: str):
        """(field length, postings) of a title, section or other short text."""
        positions, length = self._positions_of(text)
        if ana.stop or ana.stem:
            positions, length = self._derive(ana, positions)
        return length, [(term, float(len(poslist)), _positions_value(poslist)) for term, poslist in positions.items()]

    def _repeated(self, name, value, compute):
        """Titles, sources and paths repeat on every passage of a document: analyse each once."""
        try:
            key = (name, value)
            cached = self._values.get(key)
        except TypeError:                  # an unhashable value (a list): no cache
            return compute()
        if cached is None:
            if len(self._values) >= 4096:
                self._values.clear()
            length, postings = compute()
            cached = self._values[key] = (length, tuple(postings))
        return cached

    def _whoosh_postings(self, fieldobj, value):
        """Any other field: Whoosh's own field.index(), term bytes and all."""
        length = 0
        out = []
        for tbytes, freq, weight, vbytes in fieldobj.index(value):
            length += freq
            out.append((tbytes, float(weight), vbytes))
        return length, out

    def _spill(self, field: _Field, term, flat: list) -> None:
        blocks = field.spilled.get(term)
        if blocks is None:
            blocks = field.spilled[term] = _Blocks()
        size = blocks.add(flat[:3 * BLOCK], field)
        del flat[:3 * BLOCK]
        self.buffered_bytes += size - BLOCK * POSTING_BYTES

    # -- segments -------------------------------------------------------------
    def _start(self) -> None:
        segid = f"{self.segid_prefix}{self._serial:04x}"
        self._serial += 1
        self._segment = W3Segment(self.codec, self.indexname, segid=segid)
        self._pdw = W3PerDocWriter(self.codec, self.storage, self._segment)
        self._fields = {}
        self._docnum = 0
        self.buffered_bytes = 0

    def flush(self) -> W3Segment | None:
        """Write the buffered documents as one segment (None when there are none)."""
        if self._broken:
            raise RuntimeError("this SegmentBuilder failed in the middle of a document; discard it")
        if self._pdw is None or not self._docnum:
            return None
        segment, pdw = self._segment, self._pdw
        self._pdw = None
        self._write_lengths(pdw)
        pdw.close()
        fw = W3FieldWriter(self.codec, self.storage, segment)
        for name in sorted(self._fields):
            self._write_field(fw, self._fields[name])
        fw.close()
        self._fields = {}
        segment.set_doc_count(self._docnum)
        segment.create_compound_file(self.storage)
        self.segments.append(segment)
        self.buffered_bytes = 0
        return segment

    def finish(self) -> list[W3Segment]:
        """Write what is buffered; returns every segment this builder wrote."""
        self.flush()
        return self.segments

    def _write_field(self, fw: W3FieldWriter, field: _Field) -> None:
        """One field's terms, in order: postings into the .pst file, TermInfos into the term index."""
        terms = field.terms
        if not terms:
            return
        fw.start_field(field.name, field.fieldobj)
        prefix = _pack_ushort(fw._fieldid)
        postfile = fw._postfile
        add_term = fw._tindex.add
        spilled = field.spilled
        offset = postfile.tell()
        pending: list[bytes] = []
        pending_bytes = 0
        textual = isinstance(next(iter(terms)), str)
        pack_terminfo = _TERMINFO.pack
        for term in sorted(terms):
            flat = terms[term]
            blocks = spilled.pop(term, None) if spilled else None
            if blocks is None:
                # Most terms: one block, straight through.
                info, data, n, total, minlength, maxlength, maxweight, first, last = _encode_block(flat, field)
                chunk = b"".join((WHOOSH3_HEADER_MAGIC, _pack_int(-len(info) - len(data)), info, data))
            else:
                if flat:
                    blocks.add(flat, field)
                parts = [WHOOSH3_HEADER_MAGIC]
                final = len(blocks.blocks) - 1
                for i, (info, data) in enumerate(blocks.blocks):
                    size = len(info) + len(data)
                    parts += (_pack_int(-size if i == final else size), info, data)
                chunk = b"".join(parts)
                n, total, minlength, maxlength = blocks.df, blocks.weight, blocks.minlength, blocks.maxlength
                maxweight, first, last = blocks.maxweight, blocks.minid, blocks.maxid
            pending.append(chunk)
            pending_bytes += len(chunk)
            add_term(prefix + (term.encode("utf-8") if textual else term),
                     pack_terminfo(0, total, n, 0 if minlength is None else length_to_byte(minlength),
                                   length_to_byte(maxlength), maxweight, first, last, offset, len(chunk)))
            offset += len(chunk)
            if pending_bytes > 1 << 20:
                postfile.write(b"".join(pending))
                pending, pending_bytes = [], 0
        postfile.write(b"".join(pending))
        fw.finish_field()
        terms.clear()

    def _write_lengths(self, pdw: W3PerDocWriter) -> None:
        """Every scorable field's length column and total, as W3PerDocWriter.add_field would have added them."""
        for name, field in self._fields.items():
            if field.lengths is None or not field.lengths:
                continue
            column = bytes(map(length_to_byte, field.lengths)).rstrip(b"\0")
            # The total as Whoosh's merges compute it, from the one-byte lengths: a merged
            # segment then has the average field length a fresh build has, and BM25 gives
            # an incrementally built index the scores of a clean build.
            pdw._fieldlengths[name] += sum(map(byte_to_length, column))
            if column:
                lenfield = f"_{name}_len"
                pdw._create_column(lenfield, LENGTHS_COLUMN)
                writer = pdw._colwriters[lenfield]
                writer._dbfile.write(column)
                writer._count = len(column)

    def discard(self) -> None:
        """Remove every file this builder wrote (a cancelled run)."""
        self._pdw = None
        self.segments = []
        discard_files(self.storage, self.indexname, self.segid_prefix)


def new_prefix() -> str:
    """A random segment-id prefix (lower-case letters and digits, as Whoosh's segment ids)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % 36] for b in os.urandom(10))


def discard_files(storage, indexname: str, segid_prefix: str) -> None:
    """Delete the segment files whose ids start with `segid_prefix`."""
    start = f"{indexname}_{segid_prefix}"
    for name in storage.list():
        if name.startswith(start):
            try:
                storage.delete_file(name)
            except OSError:
                pass


PURGE_DELETED = 0.2     # rewrite a segment once this share of its passages is deleted


def merge_policy(writer, segments: list) -> list:
    """Whoosh's MERGE_SMALL, plus Lucene's rule for deletions (TieredMergePolicy's
    deletesPctAllowed): a segment with more than PURGE_DELETED of its passages deleted
    is rewritten without them. MERGE_SMALL alone never touches the first, large segment,
    so an archive re-indexed daily kept every replaced passage: twice the size after 50
    runs, and BM25 statistics that still counted them."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    def heavy(seg) -> bool:
        return seg.deleted_count() > PURGE_DELETED * seg.doc_count_all()

    kept = MERGE_SMALL(writer, [seg for seg in segments if not heavy(seg)])
    for seg in segments:
        if heavy(seg):
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)          # copies the live passages only
            reader.close()
    return kept


def commit_segments(writer, segments: list) -> None:
    """Commit `segments` with a Whoosh SegmentWriter's deletions and merges: the TOC, written last, makes them live."""
    final = writer._merge_segments(merge_policy, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    final.extend(segments)
    writer._commit_toc(final)
    writer._finish()
