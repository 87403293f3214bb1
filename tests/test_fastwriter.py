"""The fast segment writer: the index it builds reads, through Whoosh, as the one Whoosh's own writer builds.

Equal terms, postings (positions), term statistics, field lengths, stored fields
and sortable columns, hence equal search results and BM25 scores (how postings lie
on disk is the codec's: indexer/store/codec.py, tests/test_codec.py); segments split
by the memory budget; deletions and re-adds across runs; parallel workers; and
an interrupted or killed run that leaves the previous commit as it was.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring

from conftest import REPO, write
from indexer import build_index
from indexer.store import analysis
from indexer.store import schema as S
from indexer.store import writer as W
from indexer.document import Document, make_blocks
from indexer.store.fastwriter import SegmentBuilder, commit_segments
from indexer.segment import segment
from indexer.store.writer import MARKER, document_fields
from search import Searcher

WORDS = ("nuclear missile framework agreed talks delegation peninsula security council nations nation "
         "national sanctions inspection inspections inspected reactor energy envoy summit visit visits "
         "the of and to in a is that for on was with as by it at be this from US it's Korea's").split()
ODD = ["U.S.A.", "D.P.R.K.", "P'yŏngyang", "Jo Myong-rok", "2000년", "남북정상회담", "日本語", "UN", "ROK", "e.g.",
       "Kŭmch’ang-ri", "don't", "O’U.S.", "x's", "__init__", "ﬁne", "1994"]


def _text(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        out.append(rng.choice(ODD) if rng.random() < 0.06 else rng.choice(WORDS))
        if rng.random() < 0.08:
            out[-1] += rng.choice([".", ",", ";", "?"])
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def _documents(n: int, seed: int = 7) -> list[Document]:
    """Varied documents: long and short passages, sections, titles, sources, authors, dates, a manifest column."""
    rng = random.Random(seed)
    docs = []
    for d in range(n):
        parts = []
        for b in range(rng.randint(1, 6)):
            if rng.random() < 0.3:
                parts.append((f"Part {b} on the {rng.choice(WORDS)} question", 2))
            parts.append((_text(rng, rng.choice([4, 12, 60, 140, 220])), 0))
        text, blocks = make_blocks(parts)
        meta = {"country": rng.choice(["Norway", "Republic of Korea", "Peru"])} if d % 3 == 0 else {}
        docs.append(Document(
            doc_id=f"d{d:03}.txt", path=f"d{d:03}.txt", text=text, blocks=blocks,
            title=f"Report {d} on the {rng.choice(WORDS)} talks" if d % 4 else None,
            date=rng.choice([None, "2000-10-09", "1994", "2019-11"]),
            source="Institute for Corean-American Studies (ICAS)" if d % 5 == 0 else None,
            author=rng.choice([None, "Jane Roe", "Jo Myong-rok"]), meta=meta,
            sha256=f"{d:064x}", size=len(text), mtime=1.0, language="en"))
    return docs


def _whoosh_documents(docs: list[Document]) -> list[dict]:
    out = []
    for doc in docs:
        out += document_fields(doc, list(segment(doc)), "/root")[1]
    return out


def _index_with_whoosh(folder: Path, fields: list[dict]) -> None:
    ix = S.create_index(folder)
    with ix.writer() as w:
        for f in fields:
            w.add_document(**f)


def _index_with_builder(folder: Path, fields: list[dict], limit_bytes: int = 1 << 30) -> SegmentBuilder:
    ix = S.create_index(folder)
    w = S.open_writer(ix)
    builder = SegmentBuilder(ix.storage, w.schema, S.INDEX_NAME, limit_bytes=limit_bytes)
    for f in fields:
        builder.add_document(f)
    commit_segments(w, builder.finish())
    return builder


def _postings(reader, field: str, term: bytes) -> list:
    m = reader.postings(field, term)
    fmt = reader.schema[field].format
    out = []
    while m.is_active():
        value = m.value()
        if fmt.__class__.__name__ == "Positions":
            value = fmt.decode_positions(value)
        out.append((m.id(), m.weight(), value))
        m.next()
    return out


def snapshot(folder: Path) -> dict:
    """Everything a searcher can read from an index, through unmodified Whoosh."""
    ix = whoosh_index.open_dir(str(folder), indexname=S.INDEX_NAME)
    with ix.reader() as r:
        out = {"docs": r.doc_count_all(), "stored": [r.stored_fields(d) for d in range(r.doc_count_all())],
               "doc_id column": list(r.column_reader("doc_id")), "fields": {}}
        for field in sorted(r.indexed_field_names()):
            terms = {}
            for term in r.lexicon(field):
                info = r.term_info(field, term)
                stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                         info.max_weight(), info.min_id(), info.max_id())
                terms[term] = (stats, _postings(r, field, term))
            # (None where a segment has no length column for the field: a length of 0 all the same)
            lengths = [r.doc_field_length(d, field) or 0 for d in range(r.doc_count_all())]
            out["fields"][field] = (r.field_length(field), lengths, terms)
    return out


QUERIES = [
    Q.Term("body", "missil"), Q.Term("exact", "the"), Q.Term("title", "report"), Q.Term("source", "icas"),
    Q.And([Q.Term("body", "nuclear"), Q.Term("body", "talk")]),
    Q.Or([Q.Term("body", "inspect"), Q.Term("title", "talk"), Q.Term("section", "question")]),
    Q.Phrase("exact", ["agreed", "framework"]), Q.Phrase("exact", ["of", "the"]),
    Q.Phrase("title", ["talk"]), Q.Phrase("section", ["part", "0"]), Q.Phrase("author", ["jo", "myong", "rok"]),
    Q.Term("exact", "usa"), Q.Term("exact", "US"), Q.Term("exact", "남북"), Q.Term("m_country", "norway"),
    Q.NumericRange("date", 20000000, 20001231), Q.Term("doc_id", "d003.txt"),
]


def scores(folder: Path) -> list:
    ix = whoosh_index.open_dir(str(folder), indexname=S.INDEX_NAME)
    out = []
    with ix.searcher(weighting=scoring.BM25F()) as s:
        for q in QUERIES:
            out.append([(hit.docnum, hit.score) for hit in s.search(q, limit=None)])
    return out


# -- the segment itself ----------------------------------------------------------

def test_indexed_terms_are_the_scan_without_offsets():
    """What the indexer reads (analysis._terms, token by token in position order) is what
    queries and highlights read (analysis._scan)."""
    rng = random.Random(3)
    texts = [_text(rng, 300) for _ in range(30)] + [" ".join(ODD), "", "a.b.c. A.B. 1.2.3. U.S", "K 가 a가b 가a",
                                                    "U.S.\u3000A.B. it’s\x1cthe\tend\u2028of\u00a0x.y. US.A. "]
    texts += [text.replace(" ", "") for text in texts[-3:]]     # _terms reads CJK-free text chunk by chunk
    for text in texts:
        assert analysis._terms(text) == [t for t, _, _ in analysis._scan(text)]


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return _whoosh_documents(_documents(60))


@pytest.fixture(scope="module")
def whoosh_built(corpus, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("whoosh") / "idx"
    _index_with_whoosh(folder, corpus)
    return folder


@pytest.fixture(scope="module")
def whoosh_merged(whoosh_built, tmp_path_factory) -> Path:
    """whoosh_built, rewritten by Whoosh's own merge (as an incremental index's segments are)."""
    folder = tmp_path_factory.mktemp("merged") / "idx"
    shutil.copytree(whoosh_built, folder)
    whoosh_index.open_dir(str(folder), indexname=S.INDEX_NAME).optimize()
    return folder


def totals(snap: dict) -> dict:
    return {field: total for field, (total, *_) in snap["fields"].items()}


def assert_same_as_whoosh(fast: Path, whoosh: Path) -> None:
    """The builder's index equals Whoosh's writer's, but for field totals summed from the
    one-byte document lengths (see test_builder_writes_what_whoosh_writes)."""
    a, b = snapshot(fast), snapshot(whoosh)
    for field, (total, lengths, _) in a["fields"].items():
        assert total == sum(n or 0 for n in lengths), field
    for snap in (a, b):
        snap["fields"] = {f: (None, *rest) for f, (_, *rest) in snap["fields"].items()}
    assert a == b


def test_builder_writes_what_whoosh_writes(corpus, whoosh_built, whoosh_merged, tmp_path):
    """Everything as Whoosh's writer writes it, except the field-length totals, which are
    summed from the one-byte document lengths as Whoosh's merge sums them (its writer adds
    the exact lengths): a fresh segment and a merged one then give the same BM25."""
    _index_with_builder(tmp_path / "fast", corpus)
    fast, whoosh, merged = snapshot(tmp_path / "fast"), snapshot(whoosh_built), snapshot(whoosh_merged)
    assert totals(fast) == totals(merged) != totals(whoosh)
    fast["fields"] = {f: (whoosh["fields"][f][0], *rest) for f, (_, *rest) in fast["fields"].items()}
    assert fast == whoosh


def test_builder_scores_equal_whoosh_bm25(corpus, whoosh_merged, tmp_path):
    _index_with_builder(tmp_path / "fast", corpus)
    expected = scores(whoosh_merged)
    got = scores(tmp_path / "fast")
    assert all(expected), "every query finds something"
    for e, g in zip(expected, got):
        assert [d for d, _ in g] == [d for d, _ in e]
        assert [s for _, s in g] == pytest.approx([s for _, s in e])


def test_inverting_a_bucket_of_terms_at_a_time_changes_nothing(corpus):
    """A field is inverted a bucket of terms at a time to bound the working memory: any bucket
    size gives the same terms, postings and statistics."""
    from indexer.store.inversion import Inverted, TextField, Tokens

    tokens = Tokens()
    fields = {name: TextField(name, ana) for name, ana in (("body", analysis.STEMMED), ("exact", analysis.EXACT))}
    for docnum, f in enumerate(corpus):
        for name, field in fields.items():
            start, length, _ = tokens.add(f[name])
            field.add(docnum, start, length)
    for field in fields.values():
        whole = list(Inverted(field, tokens).rows())
        assert len(whole) > 50
        for bucket in (1, 7, 300):
            assert list(Inverted(field, tokens, bucket=bucket).rows()) == whole


def test_inverted_postings_are_laid_out_as_the_codec_encodes_them():
    """The vectorised layout (gap widths, counts, skips of long lists, padding) is byte for byte
    what codec.encode makes of the same postings."""
    from array import array

    from indexer.store.postings import Layout, encode
    from indexer.store.inversion import Inverted, TextField, Tokens

    rng = random.Random(9)
    tokens = Tokens()
    field = TextField("exact", analysis.EXACT)
    for docnum in range(900):
        text = " ".join(rng.choice(WORDS[:12] + ODD) for _ in range(rng.choice([3, 30, 200])))
        field.add(docnum * 3, *tokens.add(text)[:2])
    long_lists = 0
    for term, chunk, df, *_ in Inverted(field, tokens).rows():
        layout = Layout(chunk)
        counts = layout.counts()
        positions = array("H" if layout.position_width == 2 else "I", layout.positions())
        assert encode(array("I", layout.ids()), counts, positions) == chunk, term
        long_lists += layout.blocks > 0
    assert long_lists >= 5


def test_long_texts_and_repeated_values(tmp_path):
    """Positions and counts beyond the builder's precomputed tables; one title on many passages."""
    rng = random.Random(5)
    long_text = " ".join(["peace"] * 5000 + [_text(rng, 3000)])
    fields = [{"id": f"big#{i}", "doc_id": "big", "ordinal": i, "title": "One Title For All",
               "body": long_text if i == 0 else _text(rng, 50), "exact": long_text if i == 0 else _text(rng, 50)}
              for i in range(5)]
    _index_with_whoosh(tmp_path / "whoosh", fields)
    _index_with_builder(tmp_path / "fast", fields)
    assert_same_as_whoosh(tmp_path / "fast", tmp_path / "whoosh")


def test_id_values_and_numbers_given_as_text(tmp_path):
    """ID fields take a str value whole, any str; a NUMERIC field given a str still goes through Whoosh."""
    values = ["", " ", "Ünïcode/путь 日本.txt", "a b\tc", "x" * 300, "MiXeD", "mixed"]
    fields = [{"id": v + f"#{i}", "doc_id": v, "path": v, "language": v[:2], "ordinal": str(i), "date": "20001009",
               "body": f"text {i}"} for i, v in enumerate(values)]
    _index_with_whoosh(tmp_path / "whoosh", fields)
    _index_with_builder(tmp_path / "fast", fields)
    assert_same_as_whoosh(tmp_path / "fast", tmp_path / "whoosh")


def test_memory_budget_splits_segments_with_the_same_results(corpus, whoosh_built, whoosh_merged, tmp_path):
    builder = _index_with_builder(tmp_path / "fast", corpus, limit_bytes=200_000)
    assert len(builder.segments) >= 3
    assert_same_as_whoosh(tmp_path / "fast", whoosh_built)
    for e, g in zip(scores(whoosh_merged), scores(tmp_path / "fast")):
        assert [d for d, _ in g] == [d for d, _ in e]
        assert [s for _, s in g] == pytest.approx([s for _, s in e])


def test_whoosh_merges_and_deletes_in_built_segments(corpus, whoosh_built, tmp_path):
    """Whoosh's own writer can delete from and merge our segments: it reads them like its own."""
    _index_with_builder(tmp_path / "fast", corpus, limit_bytes=200_000)
    shutil.copytree(whoosh_built, tmp_path / "whoosh")
    for folder in (tmp_path / "fast", tmp_path / "whoosh"):
        ix = whoosh_index.open_dir(str(folder), indexname=S.INDEX_NAME)
        with ix.writer() as w:
            w.delete_by_term("doc_id", "d003.txt")
        ix.writer().commit(optimize=True)
    assert len(whoosh_index.open_dir(str(tmp_path / "fast"), indexname=S.INDEX_NAME)._read_toc().segments) == 1
    assert_same_as_whoosh(tmp_path / "fast", tmp_path / "whoosh")


def test_memory_budget_bounds_the_buffers(tmp_path):
    fields = _whoosh_documents(_documents(120, seed=11))
    ix = S.create_index(tmp_path / "idx")
    w = S.open_writer(ix)
    limit = 400_000
    builder = SegmentBuilder(ix.storage, w.schema, S.INDEX_NAME, limit_bytes=limit)
    builder.add_document(fields[0])
    tracemalloc.start()
    try:
        for f in fields[1:]:
            builder.add_document(f)
            assert builder.buffered_bytes <= limit
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(builder.finish()) >= 3
    assert peak < 4 * limit + 2_000_000      # the buffers, one segment's flush, caches; not the corpus
    commit_segments(w, builder.segments)


def test_unknown_field_is_refused_before_anything_changes(tmp_path):
    from whoosh.fields import UnknownFieldError

    ix = S.create_index(tmp_path / "idx")
    w = S.open_writer(ix)
    builder = SegmentBuilder(ix.storage, w.schema, S.INDEX_NAME, limit_bytes=1 << 20)
    with pytest.raises(UnknownFieldError):
        builder.add_document({"id": "x#0", "body": "text", "nonsense": "value"})
    builder.add_document({"id": "x#0", "doc_id": "x", "body": "zebracorn text"})
    commit_segments(w, builder.finish())
    with ix.searcher() as s:
        assert [h["id"] for h in s.search(Q.Term("body", "zebracorn"))] == ["x#0"]


# -- through build_index ---------------------------------------------------------

def _write_corpus(folder: Path, n: int, seed: int = 5) -> Path:
    rng = random.Random(seed)
    for i in range(n):
        write(folder / f"f{i:03}.txt", f"Statement {i} on token{i}\n\n" + "\n\n".join(
            _text(rng, rng.choice([30, 90, 160])) for _ in range(rng.randint(1, 5))))
    return folder


def _results(index_dir: Path) -> dict:
    """Hits (document, passage, score, snippet), every document's passages, and the counts, via the Searcher."""
    marker = json.loads((index_dir / MARKER).read_text())
    out = {}
    with Searcher(index_dir) as s:
        for q in ("missile talks", '"agreed framework"', "token7", "usa", "peninsula -reactor", '"security council"'):
            out[q] = [(h.id, round(h.score, 6), h.snippet.text) for h in s.search(q, limit=50)]
        out["passages"] = {d: [p.text for p in s.passage(f"{d}#0", context=r["passages"]).passages]
                           for d, r in marker["documents"].items()}
        out["stats"] = (s.stats().documents, s.stats().passages)
    return out


def test_parallel_workers_equal_one_process(tmp_path):
    docs = _write_corpus(tmp_path / "docs", 40)
    build_index([docs], tmp_path / "one", procs=1)
    build_index([docs], tmp_path / "two", procs=2)
    one = _results(tmp_path / "one")
    assert all(one[q] for q in one if q not in ("passages", "stats")), "every query finds something"
    assert one == _results(tmp_path / "two")
    # Workers take consecutive runs of files, so even the document numbers agree.
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_spawned_workers_build_the_same_index(tmp_path, monkeypatch):
    docs = _write_corpus(tmp_path / "docs", 12)
    build_index([docs], tmp_path / "fork", procs=2)
    monkeypatch.setattr(W, "START_METHOD", "spawn")
    build_index([docs], tmp_path / "spawn", procs=2)
    assert _results(tmp_path / "fork") == _results(tmp_path / "spawn")


@pytest.mark.parametrize("procs", [1, 2])
def test_deletions_and_re_adds_across_runs(tmp_path, procs):
    docs = _write_corpus(tmp_path / "docs", 24)
    idx = tmp_path / "idx"
    build_index([docs], idx, procs=procs)
    rng = random.Random(9)
    for i in range(0, 24, 3):                                  # edit some, re-added
        write(docs / f"f{i:03}.txt", f"Rewritten {i} about a narwhal\n\n" + _text(rng, 80))
    for i in (1, 4, 22):                                       # remove some
        (docs / f"f{i:03}.txt").unlink()
    _write_corpus(tmp_path / "more", 3, seed=8)
    for p in (tmp_path / "more").iterdir():                   # and add new ones
        p.rename(docs / f"new-{p.name}")
    summary = build_index([docs], idx, procs=procs)
    assert (summary.indexed, summary.removed, summary.unchanged) == (8 + 3, 3, 24 - 8 - 3)
    fresh = build_index([docs], tmp_path / "fresh", procs=procs)
    assert fresh.indexed == 24
    got, want = _results(idx), _results(tmp_path / "fresh")
    assert got["stats"] == want["stats"] == (24, want["stats"][1])
    assert got["passages"] == want["passages"]
    for q in ("missile talks", '"agreed framework"', "token7", '"security council"'):
        # Same hits and snippets; scores differ, as Whoosh counts deleted passages in its statistics until a merge.
        assert sorted((i, snippet) for i, _, snippet in got[q]) == sorted((i, snippet) for i, _, snippet in want[q])
    with Searcher(idx) as s:
        assert len({h.doc_id for h in s.search("narwhal", limit=100)}) == 8
        assert not s.search("token4") and not s.search("token22")


def test_memory_budget_in_build_index(tmp_path):
    docs = _write_corpus(tmp_path / "docs", 300)        # about 2 MB of buffered postings
    build_index([docs], tmp_path / "big", procs=2, memory_mb=256)
    build_index([docs], tmp_path / "small", procs=2, memory_mb=1)
    toc = lambda d: whoosh_index.open_dir(str(d), indexname=S.INDEX_NAME)._read_toc()
    assert len(toc(tmp_path / "small").segments) > len(toc(tmp_path / "big").segments) == 2
    assert _results(tmp_path / "small") == _results(tmp_path / "big")


def test_memory_budget_makes_room_for_the_file_a_reader_holds(tmp_path):
    """--memory-mb covers the readers too: before a file is read, the buffered postings are written
    as a segment if they and the file (held as bytes and text: twice its size) would outgrow the budget."""
    docs = _write_corpus(tmp_path / "docs", 20)
    rng = random.Random(7)
    write(docs / "z_big.txt", "\n\n".join(_text(rng, 160) for _ in range(3000)))     # ~3 MB, read last
    assert (docs / "z_big.txt").stat().st_size > 2_500_000
    summary = build_index([docs], tmp_path / "idx", procs=1, memory_mb=6)
    big = json.loads((tmp_path / "idx" / MARKER).read_text())["documents"]["docs/z_big.txt"]["passages"]
    small = summary.passages - big
    segments = whoosh_index.open_dir(str(tmp_path / "idx"), indexname=S.INDEX_NAME)._read_toc().segments
    # The first segment holds the small files' passages and none of the big file's.
    assert segments[0].doc_count_all() == small
    assert _results(tmp_path / "idx") == _results_of_one_segment(docs, tmp_path / "one")


def _results_of_one_segment(docs: Path, index_dir: Path) -> dict:
    build_index([docs], index_dir, procs=1, memory_mb=1024)
    return _results(index_dir)


# -- failures ------------------------------------------------------------------------

def _run_files(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.iterdir()}


def _rewrite(docs: Path) -> None:
    for p in docs.iterdir():
        write(p, f"Rewritten {p.stem} about a narwhal.\n\n" + p.read_text())


def _plant(monkeypatch, doc_id: str, failure) -> None:
    """Segmenting `doc_id` calls `failure` (in a forked worker, which inherits the patch)."""
    import indexer.segment as seg

    real = seg.segment

    def planted(doc, **kw):
        if doc.doc_id == doc_id:
            failure()
        return real(doc, **kw)

    monkeypatch.setattr(seg, "segment", planted)


def test_failing_worker_commits_nothing_and_leaves_no_files(tmp_path, monkeypatch):
    if W.START_METHOD != "fork":
        pytest.skip("the failure is planted in this process, which only forked workers inherit")
    docs = _write_corpus(tmp_path / "docs", 30)
    idx = tmp_path / "idx"
    build_index([docs], idx, procs=2)
    before, files = _results(idx), _run_files(idx)
    _rewrite(docs)

    def fail():
        raise RuntimeError("planted failure")

    _plant(monkeypatch, "docs/f025.txt", fail)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="planted failure"):
        build_index([docs], idx, procs=2)
    assert time.monotonic() - started < 60
    assert _results(idx) == before and _run_files(idx) == files


def test_dead_worker_is_an_index_write_error(tmp_path, monkeypatch):
    if W.START_METHOD != "fork":
        pytest.skip("the failure is planted in this process, which only forked workers inherit")
    from indexer import IndexWriteError

    docs = _write_corpus(tmp_path / "docs", 20)
    idx = tmp_path / "idx"
    build_index([docs], idx, procs=2)
    before = _results(idx)
    _rewrite(docs)
    _plant(monkeypatch, "docs/f015.txt", lambda: os._exit(3))
    with pytest.raises(IndexWriteError, match="worker stopped .exit code 3.; the previous index is unchanged"):
        build_index([docs], idx, procs=2)
    assert _results(idx) == before


KILLER = """
import os, signal, sys
from pathlib import Path
from indexer import build_index

def progress(done, total, path):
    if done == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)

build_index([Path(sys.argv[1])], Path(sys.argv[2]), procs=2, progress=progress)
"""


@pytest.mark.parametrize("at", [1, 25])
def test_killed_run_leaves_the_previous_commit(tmp_path, at):
    docs = _write_corpus(tmp_path / "docs", 30)
    idx = tmp_path / "idx"
    build_index([docs], idx, procs=2)
    before, files = _results(idx), _run_files(idx)
    _rewrite(docs)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", KILLER, str(docs), str(idx), str(at)], env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert _results(idx) == before                     # the previous commit answers, unchanged
    # Orphaned workers stop at their next file; the next run then finishes the job and cleans up.
    deadline = time.monotonic() + 30
    while True:
        try:
            summary = build_index([docs], idx, procs=2)
            break
        except W.IndexLockedError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    assert summary.indexed == 30
    with Searcher(idx) as s:
        assert len({h.doc_id for h in s.search("narwhal", limit=100)}) == 30
    time.sleep(0.5)
    toc = whoosh_index.open_dir(str(idx), indexname=S.INDEX_NAME)._read_toc()
    live = {seg.segment_id() for seg in toc.segments}
    stray = {n for n in _run_files(idx) - files if n.startswith(S.INDEX_NAME + "_") and n.split(".")[0] not in live}
    assert not stray
