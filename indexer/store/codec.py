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

- postings.py  one term's postings: the layout below, encode, Layout, the matcher and writer
- termdir.py   the term directory (.tdx) and the term index writer
- codec.py     the Codec and Segment Whoosh loads, and zero-copy reads of segment files

Segments also read their files from the segment's memory map without copying them
(Whoosh's BufferFile copies each file it opens into a BytesIO: the whole postings
file of every segment, on every open).
"""
from __future__ import annotations
from __future__ import annotations

import struct
from io import RawIOBase

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter, W3Segment, W3TermsReader
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile

from indexer.store.postings import Layout, PostingsMatcher, PostingsWriter
from indexer.store.termdir import DIRECTORY_EXT, Directory, TermIndexWriter, write_directory


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
