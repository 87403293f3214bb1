"""Documents in, finished segments out, without Whoosh's per-posting machinery.

Whoosh's SegmentWriter sends every posting through a pickled external sort and,
while writing postings, reads each document's field length back from disk. A
SegmentBuilder buffers documents in memory instead, and when its memory budget is
reached, or at the end, writes one segment: each term's postings as the index codec
lays them out (indexer/store/codec.py), and Whoosh's own whoosh3 objects for the stored
fields, lengths and sortable columns. The segment is read by unmodified Whoosh
through that codec.

Our own text fields (schema.WhooshAnalyzer over an analysis.Analyzer, Positions
format) are kept as runs of raw term ids and inverted with numpy at flush
(indexer/store/inversion.py); any other field goes through Whoosh's `field.index()` into
small arrays per term. A builder only writes segment files: they become part of the
index when `commit_segments` writes the TOC, so an interrupted run leaves the
previous commit as it was, and its files are removed by `discard_files` or by
Whoosh's own clean-up at the next commit.
"""
from __future__ import annotations

import os
from array import array
from functools import lru_cache
from itertools import chain
from struct import Struct

from whoosh import formats
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter
from whoosh.fields import ID, UnknownFieldError
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.store import analysis, inversion
from indexer.store.codec import Codec, FieldWriter, Segment
from indexer.store.postings import encode, is_positions
from indexer.store.schema import WhooshAnalyzer

_pack_ushort = Struct("!H").pack
_TERMINFO = Struct("!BfIBBfIIqi")     # W3TermInfo: flags, weight, df, min/max length byte, max weight,
                                      # first/last id, postings offset and length
_WIDE = 0xFFFF                        # positions and counts beyond this need 4-byte arrays

# Bytes the buffers grow by, measured with tracemalloc (arrays over-allocate by about an eighth):
POSTING_BYTES = 8                     # a docnum (4) and a count (2) per posting
POSITION_BYTES = 3                    # a position (2)
TERM_BYTES = 420                      # a new term: its str, the dict slot, a list of three small arrays

# How a field's postings are buffered and stored (see codec.encode).
POSITIONS, IDS, ANY = "positions", "ids", "any"


def _kind(fieldobj) -> str:
    fmt = fieldobj.format
    if is_positions(fmt):
        return POSITIONS            # [docnums, counts, positions]
    if type(fmt) is formats.Existence and fmt.field_boost == 1.0:
        return IDS                  # docnums
    return ANY                      # [docnums, weights, Whoosh-encoded values]


class _Field:
    """One field's postings in the segment being built."""

    __slots__ = ("name", "fieldobj", "kind", "terms", "lengths")

    def __init__(self, name, fieldobj):
        self.name = name
        self.fieldobj = fieldobj
        self.kind = _kind(fieldobj)
        self.terms: dict = {}          # term -> its buffers (see _kind)
        self.lengths = array("I") if fieldobj.scorable else None   # docnum -> field length


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


class _LengthBounds:
    """The shortest and longest field length (0 excluded) among a term's documents, as
    Whoosh's TermInfo keeps them: None and 0 for a field without lengths."""

    _NUMPY_FROM = 64          # postings; fewer are cheaper one by one

    def __init__(self, lengths: array | None):
        self.lengths = lengths
        self._np = None

    def of(self, ids: array) -> tuple[int | None, int]:
        lengths = self.lengths
        if lengths is None:
            return None, 0
        n = len(lengths)
        if len(ids) < self._NUMPY_FROM:
            found = [lengths[d] for d in ids if d < n]
        else:
            if self._np is None:
                import numpy as np
                self._np = np, np.frombuffer(lengths, dtype=np.uint32)
            np, table = self._np
            docs = np.frombuffer(ids, dtype=np.uint32)
            found = table[docs[docs < n]]
            found = found[found > 0]
            return (int(found.min()), int(found.max())) if len(found) else (None, 0)
        found = [x for x in found if x]
        return (min(found), max(found)) if found else (None, 0)


class SegmentBuilder:
    """Buffers documents in memory and writes them as segments into `storage`.

    limit_bytes bounds the buffers and the working memory of writing them out: when
    they would outgrow it, a segment is written and buffering starts afresh.
    segid_prefix names this builder's segment files (MAIN_<prefix>0000.seg, ...) so a
    cancelled run can find them.
    """

    def __init__(self, storage, schema, indexname: str, *, limit_bytes: int, segid_prefix: str | None = None):
        self.storage = storage
        self.schema = schema
        self.indexname = indexname
        self.codec = Codec()
        self.limit_bytes = limit_bytes
        self.outside = 0        # bytes held elsewhere under the same budget (the writer's records): room()
        self.segid_prefix = segid_prefix or new_prefix()
        self.segments: list[Segment] = []
        self._serial = 0
        self._broken = False
        self._plans: dict[str, tuple] = {}
        self._plain_ids: set[str] = set()                      # fields whose term is the whole value
        self._values: dict[tuple[str, object], tuple] = {}   # repeated (field, value) -> (length, postings)
        self._segment = None
        self._pdw = None
        self._start_buffers()

    def _start_buffers(self) -> None:
        self._fields: dict[str, _Field] = {}                   # fields indexed term by term
        self._texts: dict[str, inversion.TextField] = {}       # our analyzer's fields: token runs
        self._tokens = inversion.Tokens()
        self._text_tokens: dict[str, int] = {}                 # tokens per text field, for flush memory
        self._docnum = 0
        self._resident = 0
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
        self.buffered_bytes = (self._resident + self.limit_bytes // 8        # a bucket's working memory at flush
                               + inversion.FLUSH_BYTES * max(self._text_tokens.values(), default=0))
        if self.buffered_bytes > self.room():
            self.flush()

    def room(self) -> int:   # what the buffers may take: the limit less `outside`, at least a quarter of it
        return max(self.limit_bytes - self.outside, self.limit_bytes // 4)

    def make_room(self, nbytes: int) -> None:
        """Before a reader takes `nbytes` (IndexWriter.add_files): a segment first if both outgrow the limit."""
        if self._docnum and self.buffered_bytes + nbytes > self.room():
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

    def _index(self, name, fieldobj, ana, value, docnum) -> None:
        """Add one field value's postings."""
        if ana is not None and type(value) is str:
            text = self._texts.get(name)
            if text is None:
                text = self._texts[name] = inversion.TextField(name, ana)
            start, length, added = self._tokens.add(value)
            self._resident += added + text.add(docnum, start, length)
            self._text_tokens[name] = self._text_tokens.get(name, 0) + length
            return
        field = self._fields.get(name)
        if field is None:
            field = self._fields[name] = _Field(name, fieldobj)
        if type(value) is str and name in self._plain_ids:
            length, postings = 1, (value.encode("utf-8"),)      # the whole value, once
        else:
            length, postings = self._repeated(name, value, lambda: self._whoosh_postings(field, value))
        if field.lengths is not None and length:
            self._set_length(field, docnum, length)
        self._add_postings(field, docnum, postings)

    def _add_postings(self, field: _Field, docnum: int, postings) -> None:
        """Postings as the field's kind buffers them: (term, positions), term, or (term, weight, value)."""
        terms = field.terms
        new = npositions = 0
        if field.kind == POSITIONS:
            for term, poslist in postings:
                npositions += len(poslist)
                if self._add_positions(terms, term, docnum, poslist):
                    new += 1
        elif field.kind == IDS:
            for term in postings:
                ids = terms.get(term)
                if ids is None:
                    terms[term] = array("I", (docnum,))
                    new += 1
                elif ids[-1] != docnum:
                    ids.append(docnum)
        else:
            for term, weight, vbytes in postings:
                buf = terms.get(term)
                if buf is None:
                    terms[term] = [array("I", (docnum,)), array("f", (weight,)), [vbytes]]
                    new += 1
                else:
                    buf[0].append(docnum)
                    buf[1].append(weight)
                    buf[2].append(vbytes)
        self._resident += len(postings) * POSTING_BYTES + npositions * POSITION_BYTES + new * TERM_BYTES

    @staticmethod
    def _add_positions(terms: dict, term, docnum: int, poslist: list[int]) -> bool:
        """One posting of a positions field, with 4-byte arrays where a value needs them; True for a new term."""
        wide = len(poslist) > _WIDE or poslist[-1] > _WIDE
        buf = terms.get(term)
        if buf is None:
            code = "I" if wide else "H"
            terms[term] = [array("I", (docnum,)), array(code, (len(poslist),)), array(code, poslist)]
            return True
        if wide and buf[2].typecode == "H":
            buf[1] = array("I", buf[1])
            buf[2] = array("I", buf[2])
        buf[0].append(docnum)
        buf[1].append(len(poslist))
        buf[2].extend(poslist)
        return False

    @staticmethod
    def _set_length(field: _Field, docnum: int, length: int) -> None:
        lengths = field.lengths
        if len(lengths) < docnum:
            lengths.extend(array("I", [0]) * (docnum - len(lengths)))
        lengths.append(length)

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

    @staticmethod
    def _whoosh_postings(field: _Field, value):
        """Any other field: Whoosh's own field.index(), term bytes and all, as the field's kind buffers them."""
        fieldobj, kind = field.fieldobj, field.kind
        length = 0
        out = []
        for tbytes, freq, weight, vbytes in fieldobj.index(value):
            length += freq
            if kind == POSITIONS:
                out.append((tbytes, fieldobj.format.decode_positions(vbytes)))
            elif kind == IDS:
                out.append(tbytes)
            else:
                out.append((tbytes, float(weight), vbytes))
        return (length if fieldobj.scorable else 0), out

    # -- segments -------------------------------------------------------------
    def _start(self) -> None:
        segid = f"{self.segid_prefix}{self._serial:04x}"
        self._serial += 1
        self._segment = Segment(self.codec, self.indexname, segid=segid)
        self._pdw = W3PerDocWriter(self.codec, self.storage, self._segment)
        self._start_buffers()

    def flush(self) -> Segment | None:
        """Write the buffered documents as one segment (None when there are none)."""
        if self._broken:
            raise RuntimeError("this SegmentBuilder failed in the middle of a document; discard it")
        if self._pdw is None or not self._docnum:
            return None
        segment, pdw = self._segment, self._pdw
        self._pdw = None
        lengths = {name: field.lengths for name, field in self._fields.items() if field.lengths is not None}
        fw = self.codec.field_writer(self.storage, segment)
        for name in sorted({*self._fields, *self._texts}):
            if name in self._texts:
                inverted = inversion.Inverted(self._texts.pop(name), self._tokens, bucket=self._bucket())
                if self.schema[name].scorable:
                    lengths[name] = inverted.lengths()
                self._write_terms(fw, name, inverted.rows())
                del inverted
            else:
                self._write_terms(fw, name, _field_rows(self._fields[name]))
        fw.close()
        self._write_lengths(pdw, lengths)
        pdw.close()
        segment.set_doc_count(self._docnum)
        segment.create_compound_file(self.storage)
        self.segments.append(segment)
        self._start_buffers()
        return segment

    def _bucket(self) -> int:
        """Tokens to invert at a time: their working arrays (inversion.BUCKET_BYTES a token) take an
        eighth of the budget (see add_document)."""
        return max(1 << 16, self.limit_bytes // (8 * inversion.BUCKET_BYTES))

    def finish(self) -> list[Segment]:
        """Write what is buffered; returns every segment this builder wrote."""
        self.flush()
        return self.segments

    def _write_terms(self, fw: FieldWriter, name: str, rows) -> None:
        """One field's terms, in order: postings into the .pst file, TermInfos into the term index.
        rows: (term, chunk, df, total weight, max weight, min length, max length, first, last)."""
        first_row = next(rows, None)
        if first_row is None:
            return
        fw.start_field(name, self.schema[name])
        prefix = _pack_ushort(fw._fieldid)
        postfile = fw._postfile
        add_term = fw.add_term
        offset = postfile.tell()
        pending: list[bytes] = []
        pending_bytes = 0
        pack_terminfo = _TERMINFO.pack
        for term, chunk, df, total, maxweight, minlength, maxlength, first, last in chain((first_row,), rows):
            pending.append(chunk)
            pending_bytes += len(chunk)
            add_term(prefix + (term.encode("utf-8") if type(term) is str else term),
                     pack_terminfo(0, total, df, 0 if minlength is None else length_to_byte(minlength),
                                   length_to_byte(maxlength), maxweight, first, last, offset, len(chunk)),
                     offset, len(chunk))
            offset += len(chunk)
            if pending_bytes > 1 << 20:
                postfile.write(b"".join(pending))
                pending, pending_bytes = [], 0
        postfile.write(b"".join(pending))
        fw.finish_field()

    def _write_lengths(self, pdw: W3PerDocWriter, lengths: dict) -> None:
        """Every scorable field's length column and total, as W3PerDocWriter.add_field would have added them.
        lengths: field -> docnum -> length, an array or a dict of the docnums that have one."""
        for name, found in lengths.items():
            if isinstance(found, dict):
                column = bytearray(max(found, default=-1) + 1)
                for docnum, length in found.items():
                    column[docnum] = _length_byte(length)
                column = bytes(column)
            else:
                column = bytes(map(_length_byte, found))
            column = column.rstrip(b"\0")
            if not column:
                continue
            # The total as Whoosh's merges compute it, from the one-byte lengths: a merged
            # segment then has the average field length a fresh build has, and BM25 gives
            # an incrementally built index the scores of a clean build.
            pdw._fieldlengths[name] += sum(map(byte_to_length, column))
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


def _field_rows(field: _Field):
    """A term-by-term field's terms as _write_terms rows, encoded here."""
    kind = field.kind
    boost = field.fieldobj.format.field_boost
    bounds = _LengthBounds(field.lengths)
    terms = field.terms
    for term in sorted(terms):
        buf = terms[term]
        if kind == POSITIONS:
            ids, counts, positions = buf
            weights = None
            if boost != 1.0:
                weights = array("f", (c * boost for c in counts))
                total, maxweight = sum(weights), max(weights)
            else:
                total, maxweight = float(sum(counts)), float(max(counts))
            chunk = encode(ids, counts, positions, weights)
        elif kind == IDS:
            ids = buf
            chunk = encode(ids)
            total, maxweight = float(len(ids)), 1.0
        else:
            ids, weights, values = buf
            if not any(values) and all(w == 1.0 for w in weights):
                chunk = encode(ids)
            else:
                chunk = encode(ids, weights=weights, values=values)
            total, maxweight = sum(weights), max(weights)
        minlength, maxlength = bounds.of(ids)
        yield term, chunk, len(ids), total, maxweight, minlength, maxlength, ids[0], ids[-1]


@lru_cache(maxsize=1 << 16)
def _length_byte(length: int) -> int:
    return length_to_byte(length)


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
