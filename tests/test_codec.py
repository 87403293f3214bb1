"""The postings codec: flat arrays on disk that read, through Whoosh, as Whoosh's own postings.

Round trips of every section kind; Whoosh's writer, its merges and its queries working
through the codec exactly as with Whoosh's whoosh3 codec; segments closed with their
memory map; and the evaluator reading an index whose segments were written by either.
"""
from __future__ import annotations

import json
import random
from array import array
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.formats import Positions

from indexer.store import schema as S
from indexer.store.codec import Codec
from indexer.store.postings import Layout, PostingsMatcher, encode
from indexer.store.directory import FORMAT, MARKER
from search import Searcher
from search.rank.evaluate import Evaluator

from conftest import write
from test_fastwriter import _documents, _index_with_builder, _whoosh_documents


def _decode(data: bytes):
    layout = Layout(data)
    return (list(layout.ids()), layout.counts() and list(layout.counts()), layout.weights(),
            layout.positions() and list(layout.positions()), layout.values())


@pytest.mark.parametrize("wide", [False, True])
def test_positions_round_trip(wide):
    ids = array("I", [0, 3, 70_000, 4_000_000_000])
    code = "I" if wide else "H"
    top = 70_000 if wide else 65_535
    counts = array(code, [1, 3, 2, 1])
    positions = array(code, [5, 0, 9, top, 1, 2, 7])
    got = _decode(encode(ids, counts, positions))
    assert got == (list(ids), list(counts), [1.0, 3.0, 2.0, 1.0], list(positions), None)


@pytest.mark.parametrize("gaps,width", [([1] * 10, 1), ([3] * 200, 1), ([300] * 10, 2), ([300] * 200, 2),
                                        ([70_000, 1, 5], 4), ([70_000] * 100, 4)])
def test_docnums_are_stored_as_gaps_in_the_narrowest_width(gaps, width):
    ids = array("I", [5])
    for g in gaps:
        ids.append(ids[-1] + g)
    data = encode(ids, array("I", [1] * len(ids)))
    layout = Layout(data)
    assert layout.id_width == width and layout.count_width == 1
    assert list(layout.ids()) == list(ids) and list(layout.counts()) == [1] * len(ids)


def test_float_weights_values_and_bare_ids_round_trip():
    ids = array("I", [2, 4, 9])
    weights = array("f", [0.5, 2.25, 1.0])
    values = [b"", b"\x00\x01abc", b"z"]
    assert _decode(encode(ids, weights=weights, values=values)) == ([2, 4, 9], None, [0.5, 2.25, 1.0], None, values)
    assert _decode(encode(ids)) == ([2, 4, 9], None, [1.0, 1.0, 1.0], None, None)
    # Every section starts on a 4-byte boundary, whatever the odd counts before it.
    layout = Layout(encode(array("I", [1, 2, 3]), array("H", [1, 1, 1]), array("H", [0, 0, 0])))
    assert layout.counts_at % 4 == layout.positions_at % 4 == 0


def test_a_buffer_that_is_not_ours_is_refused():
    with pytest.raises(ValueError, match="not docsearch postings"):
        Layout(b"\x00" * 32)


def _schema() -> Schema:
    return Schema(id=ID(stored=True, unique=True), text=TEXT(stored=True, phrase=True),
                  boosted=TEXT(field_boost=2.5), tags=KEYWORD(scorable=True), n=NUMERIC(int, sortable=True))


def _fill(folder: Path, codec, docs: list[dict]) -> None:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), _schema())
    with ix.writer(codec=codec) as w:
        for d in docs:
            w.add_document(**d)


def _docs(n: int = 120, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    words = "alpha beta gamma delta nuclear missile talks peace treaty the of and".split()
    docs = []
    for i in range(n):
        text = " ".join(rng.choice(words) for _ in range(rng.choice([3, 40, 400])))
        if i == 7:
            text = " ".join(["peace"] * 70_000 + ["treaty"])        # positions beyond 16 bits
        docs.append({"id": f"d{i}", "text": text, "boosted": text[:60], "tags": rng.choice(["x y", "y z", "x"]),
                     "n": i % 7})
    return docs


def _everything(folder: Path) -> dict:
    """Each term's postings (id, weight, value decoded) and statistics, read through Whoosh."""
    ix = whoosh_index.open_dir(str(folder))
    out = {}
    with ix.reader() as r:
        for field in sorted(r.indexed_field_names()):
            fmt = r.schema[field].format
            for term in r.lexicon(field):
                m = r.postings(field, term)
                rows = []
                while m.is_active():
                    value = m.value_as("positions") if isinstance(fmt, Positions) else m.value()
                    rows.append((m.id(), m.weight(), value))
                    m.next()
                info = r.term_info(field, term)
                out[field, term] = (rows, info.weight(), info.doc_frequency(), info.max_weight(),
                                    info.min_length(), info.max_length())
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path]:
    """The same documents written by Whoosh's writer with its whoosh3 codec and with ours."""
    root = tmp_path_factory.mktemp("codecs")
    docs = _docs()
    _fill(root / "w3", W3Codec(), docs)
    _fill(root / "ours", Codec(), docs)
    return root / "w3", root / "ours"


def test_whoosh_writer_through_the_codec_reads_as_whoosh3(both):
    w3, ours = both
    assert _everything(ours) == _everything(w3)
    ix = whoosh_index.open_dir(str(ours))
    with ix.reader() as r:
        m = r.postings("text", b"peace")
        assert isinstance(m, PostingsMatcher)
        m.skip_to(7)
        assert m.id() == 7 and m.value_as("frequency") == 70_000 and m.weight() == 70_000.0
        assert m.value_as("positions")[-1] == 69_999
        copy = m.copy()
        m.next()
        assert copy.id() == 7 and m.id() > 7


QUERIES = [Q.Term("text", "missile"), Q.Phrase("text", ["nuclear", "missile"]), Q.Phrase("text", ["peace", "treaty"]),
           Q.Phrase("text", ["alpha", "beta"], slop=3), Q.Term("boosted", "alpha"), Q.Term("tags", "x"),
           Q.And([Q.Term("text", "talks"), Q.Term("tags", "z")]), Q.NumericRange("n", 2, 4), Q.Prefix("text", "pe")]


def _hits(folder: Path) -> list:
    ix = whoosh_index.open_dir(str(folder))
    with ix.searcher() as s:
        return [[(h.docnum, round(h.score, 9)) for h in s.search(q, limit=None)] for q in QUERIES]


def test_whoosh_queries_through_the_codec_match_whoosh3(both):
    w3, ours = both
    expected = _hits(w3)
    assert all(expected)
    assert _hits(ours) == expected


def test_whoosh_merges_through_the_codec(both, tmp_path):
    """Two segments of ours, merged by Whoosh's writer (optimize), read as one whoosh3 segment."""
    w3, _ = both
    docs = _docs()
    folder = tmp_path / "merged"
    _fill(folder, Codec(), docs[:50])
    ix = whoosh_index.open_dir(str(folder))
    with ix.writer(codec=Codec()) as w:
        for d in docs[50:]:
            w.add_document(**d)
    assert len(ix._read_toc().segments) == 2
    ix.writer(codec=Codec()).commit(optimize=True)
    assert len(ix._read_toc().segments) == 1
    assert _everything(folder) == _everything(w3)


def test_closing_a_reader_unmaps_its_segments(tmp_path):
    _index_with_builder(tmp_path / "idx", _whoosh_documents(_documents(10)))
    ix = S.open_index(tmp_path / "idx")
    searcher = ix.searcher()
    storages = [sub.reader()._storage.a for sub, _ in searcher.leaf_searchers()]      # (OverlayStorage)
    assert storages and all(not st._source.closed for st in storages)
    files = [sub.reader()._terms._postfile for sub, _ in searcher.leaf_searchers()]
    assert all(type(f.file).__name__ == "_ViewIO" for f in files)        # no BytesIO copy of the file
    searcher.close()
    assert all(st._source.closed for st in storages)


def test_evaluator_reads_segments_of_either_codec(tmp_path):
    """An index whose segments were written with Whoosh's whoosh3 codec (an older run, a merge
    by plain Whoosh) and with ours searches as one written with whoosh3 alone."""
    fields = _whoosh_documents(_documents(40))
    reference, mixed = tmp_path / "w3", tmp_path / "mixed"
    for folder, parts in ((reference, [(W3Codec(), fields)]),
                          (mixed, [(W3Codec(), fields[:60]), (Codec(), fields[60:])])):
        ix = S.create_index(folder)
        for codec, docs in parts:
            with ix.writer(codec=codec) as w:
                for f in docs:
                    w.add_document(**f)
        (folder / MARKER).write_text(json.dumps({"format": FORMAT, "schema_version": S.SCHEMA_VERSION,
                                                 "generation": S.generation(ix), "documents": {}}))
    codecs = [type(seg.codec()).__name__ for seg in S.open_index(mixed)._read_toc().segments]
    assert codecs == ["W3Codec", "Codec"]
    with Searcher(mixed) as a, Searcher(reference) as b:
        assert isinstance(a._evaluator(a._current()), Evaluator)
        for q in ("missile talks", '"agreed framework"', '"of the"', "nucle*", "inspecton~", "usa",
                  "peninsula -reactor", 'title:report "security council"~3'):
            got = [(h.id, h.score, h.snippet.text) for h in a.search(q, limit=30)]
            want = [(h.id, h.score, h.snippet.text) for h in b.search(q, limit=30)]
            assert got and got == want, q


@pytest.mark.parametrize("weak_hash", [False, True])
def test_term_directory_finds_every_term_and_only_those(tmp_path, monkeypatch, weak_hash):
    """The directory gives each term the extent Whoosh's term index has, absent terms none,
    also when many keys share a hash (a hash of 3 values here)."""
    import indexer.store.termdir as termdir

    if weak_hash:
        monkeypatch.setattr(termdir, "zlib", type("Weak", (), {"crc32": staticmethod(lambda key: len(key) % 3)}))
    _index_with_builder(tmp_path / "idx", _whoosh_documents(_documents(30)))
    ix = S.open_index(tmp_path / "idx")
    with ix.reader() as r:
        for sub, _ in r.leaf_readers():
            terms = sub._terms
            assert terms.directory is not None
            checked = 0
            for (field, btext), info in terms.items():
                offset, length = info.extent()
                length = length[0] if isinstance(length, tuple) else length
                assert terms.postings_extent(field, btext) == (offset, length)
                assert terms.postings_extent(field, btext + b"\x00") is None
                checked += 1
            assert checked > 300
            assert terms.postings_extent("body", b"zebracornx") is None
            assert terms.postings_extent("nofield", b"the") is None


def test_long_lists_have_skips_to_each_block():
    ids = array("I", range(3, 3 + 3 * 1000, 3))
    counts = array("H", [1 + i % 3 for i in range(1000)])
    positions = array("H", [p for c in counts for p in range(c)])
    layout = Layout(encode(ids, counts, positions))
    assert layout.skip_shift == 7 and layout.blocks == 8
    firsts = array("I")
    firsts.frombytes(layout.buf[layout.skips_at:layout.skips_at + 4 * 8])
    before = array("I")
    before.frombytes(layout.buf[layout.skip_positions_at:layout.skip_positions_at + 4 * 8])
    assert list(firsts) == list(ids[::128])
    assert list(before) == [sum(counts[:i]) for i in range(0, 1000, 128)]
    assert list(layout.ids()) == list(ids) and list(layout.positions()) == list(positions)
    assert Layout(encode(ids[:511], counts[:511], array("H", positions[:sum(counts[:511])]))).blocks == 0


def test_phrases_in_long_lists_match_whooshs_own_phrase_search(tmp_path, monkeypatch):
    """Common words in 3,000 passages (lists with skips), rare ones in a few: the evaluator's
    documents, found by decoding only some blocks, are those Whoosh's own phrase matcher
    finds reading every posting through the codec."""
    rng = random.Random(11)
    common = "the of and to in".split()
    rare = "walrus pelican heron".split()
    folder = tmp_path / "docs"
    for i in range(3000):
        words = [rng.choice(common) for _ in range(rng.randint(20, 60))]
        if i % 211 == 0:
            words.insert(rng.randrange(len(words)), f"{rng.choice(rare)} {rng.choice(common)}")
        write(folder / f"d{i:04}.txt", " ".join(words) + ".")
    from indexer import build_index
    from search.rank import postings

    build_index([folder], tmp_path / "idx", procs=1)
    decoded = []
    blocks = postings._Part._blocks
    monkeypatch.setattr(postings._Part, "_blocks", lambda part, b: decoded.append(len(b)) or blocks(part, b))
    ix = S.open_index(tmp_path / "idx")
    phrases = [[r, c] for r in rare for c in common] + [[c, r] for r in rare for c in common] + [["of", "the"]]
    with Searcher(tmp_path / "idx") as s, ix.searcher() as ws:
        parts = [m for sub, _ in ws.leaf_searchers() for m in [sub.reader().postings("exact", b"the")]]
        assert all(isinstance(m, PostingsMatcher) and m._layout.blocks for m in parts)
        found_some = 0
        for words in phrases:
            expected = {h["id"] for h in ws.search(Q.Phrase("exact", words), limit=None)}
            got = {h.id for h in s.search('"' + " ".join(words) + '"', limit=5000)}
            assert got == expected, words
            found_some += bool(got)
        assert found_some >= 10
        assert decoded and max(decoded) < 24             # some lists were read a few blocks at a time


def test_term_index_writer_writes_whooshs_file_byte_for_byte(tmp_path):
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    from indexer.store.termdir import TermIndexWriter

    rng = random.Random(5)
    keys = sorted({bytes(rng.choice(b"abcdefgh\xc3\xa9") for _ in range(rng.randint(1, 12))) for _ in range(5000)})
    storage = FileStorage(str(tmp_path))
    files = {}
    for name, cls in (("whoosh", OrderedHashWriter), ("ours", TermIndexWriter)):
        w = cls(storage.create_file(name))
        w.extras["fieldmap"] = {"body": 0}
        for i, key in enumerate(keys):
            w.add(key, i.to_bytes(4, "big") * (i % 3))
        w.close()
        files[name] = (tmp_path / name).read_bytes()
    assert len(keys) > 2000 and files["ours"] == files["whoosh"]
    r = OrderedHashReader(storage.open_file("ours"), len(files["ours"]))
    assert r[keys[77]] == (77).to_bytes(4, "big") * (77 % 3) and list(r.keys_from(keys[-3])) == keys[-3:]
