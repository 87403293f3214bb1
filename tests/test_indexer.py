"""build_index end to end: incremental updates, safety, bad input, and the real seeds."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import COMMUNIQUE, REPORT, SEEDS, write
from indexer import (IndexLockedError, IndexVersionError, InputError, NotAnIndexError, build_index)
from indexer.store.directory import MARKER, WriteLock
from search import Searcher

PARA = ("The delegation discussed the missile programme and the agreed framework at length, "
        "and both sides noted that further talks would be needed before the end of the year. ")


def passages_of(index_dir: Path) -> dict[str, list[str]]:
    """doc_id -> passage texts in order, read back through the public API."""
    marker = json.loads((index_dir / MARKER).read_text())
    out = {}
    with Searcher(index_dir) as s:
        for doc_id, rec in marker["documents"].items():
            ctx = s.passage(f"{doc_id}#0", context=rec["passages"])
            out[rec["path"]] = [p.text for p in ctx.passages]     # keyed by the path below the root
    return out


def ids(index_dir: Path, query: str) -> set[str]:
    with Searcher(index_dir) as s:
        return {h.path for h in s.search(query, limit=1000)}      # paths below the root


# -- the real seeds -----------------------------------------------------------

def test_seeds_metadata(seeds_index):
    marker = json.loads((seeds_index / MARKER).read_text())["documents"]
    marker = {rec["path"]: rec for rec in marker.values()}
    assert marker[COMMUNIQUE]["title"] == "DPRK-U.S.A. Joint Communiqué"
    assert marker[COMMUNIQUE]["date"] == "2000-10-09"
    assert marker[REPORT]["title"] == "Understanding North Korea: Foreign Relations of North Korea in 2000"
    assert marker[REPORT]["date"] == "2019-11-04"


@pytest.mark.parametrize("chrome", [
    "Email: icas@icasinc.org", "965 Clover Court", "This page last updated", "ICAS Fellow",
    "& Discussants", "Akismet", "No Comments",
])
def test_seeds_chrome_is_not_a_passage(seeds_index, chrome):
    for texts in passages_of(seeds_index).values():
        assert not any(chrome in t for t in texts), chrome


def test_seeds_sections_are_the_heading_above(seeds_index):
    with Searcher(seeds_index) as s:
        hit = s.search("Nordpolitik")[0]
        assert hit.doc_id == f"seeds/{REPORT}"
        assert hit.section == "Part I. Changes in the External Environment"
        later = s.search("renegotiation")[0]
        assert later.section == "Part I. Changes in the External Environment"
        intro = s.search("Sino-NK analyst Yujin Lim")[0]
        assert intro.section != "Part I. Changes in the External Environment"


def test_seeds_passages_are_slices_of_clean_text_and_sized(seeds_index):
    for doc_id, texts in passages_of(seeds_index).items():
        assert texts, doc_id
        for t in texts:
            assert t == t.strip() and len(t) <= 1200
        assert sum(len(t) >= 300 for t in texts) >= len(texts) - 2


# -- incremental ----------------------------------------------------------------

def test_second_run_is_unchanged_and_edit_reindexes_one(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    first = build_index([seeds_copy], idx)
    assert (first.indexed, first.unchanged, first.removed) == (2, 0, 0)
    again = build_index([seeds_copy], idx)
    assert (again.indexed, again.unchanged, again.passages) == (0, 2, 0)
    os.utime(seeds_copy / COMMUNIQUE)          # touched, not changed: still unchanged
    assert build_index([seeds_copy], idx).unchanged == 2
    with open(seeds_copy / COMMUNIQUE, "a", encoding="utf-8") as f:
        f.write("\n\nBoth sides agreed to hold a zebracorn symposium in the spring of 2001.\n")
    third = build_index([seeds_copy], idx)
    assert (third.indexed, third.unchanged) == (1, 1)
    assert ids(idx, "zebracorn") == {COMMUNIQUE}


def test_shrinking_file_leaves_no_stale_passages(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    write(docs / "long.txt", "\n\n".join(f"Paragraph {i} mentions plutonium{i} and " + PARA * 3 for i in range(8)))
    build_index([docs], idx)
    before = len(passages_of(idx)["long.txt"])
    assert before >= 6 and ids(idx, "plutonium7") == {"long.txt"}
    write(docs / "long.txt", "Paragraph 0 mentions plutonium0 and " + PARA)
    build_index([docs], idx)
    assert len(passages_of(idx)["long.txt"]) == 1
    assert ids(idx, "plutonium7") == set()
    with Searcher(idx) as s:
        assert s.stats().passages == 1


def test_deleted_file_is_removed(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    (seeds_copy / REPORT).unlink()
    summary = build_index([seeds_copy], idx)
    assert summary.removed == 1
    assert ids(idx, "Nordpolitik") == set()
    assert ids(idx, "communiqué") == {COMMUNIQUE}


def test_other_roots_are_left_alone(tmp_path):
    a, b, idx = tmp_path / "a", tmp_path / "b", tmp_path / "idx"
    write(a / "one.txt", "Alpha archive about the armistice. " + PARA)
    write(b / "two.txt", "Beta archive about the blockade. " + PARA)
    build_index([a], idx)
    build_index([b], idx)
    assert ids(idx, "armistice") == {"one.txt"} and ids(idx, "blockade") == {"two.txt"}


def test_interrupted_run_leaves_previous_index(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    before = passages_of(idx)
    write(seeds_copy / "new.txt", "A brand new quokka document. " + PARA)
    (seeds_copy / COMMUNIQUE).write_text("Replaced entirely by a wombat. " + PARA, encoding="utf-8")

    def interrupt(done, total, path):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index([seeds_copy], idx, progress=interrupt)
    assert passages_of(idx) == before
    assert ids(idx, "quokka") == set() and ids(idx, "wombat") == set()
    build_index([seeds_copy], idx)          # the next run finishes the job
    assert ids(idx, "quokka") == {"new.txt"} and ids(idx, "wombat") == {COMMUNIQUE}


def test_rebuild_replaces_everything(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    summary = build_index([seeds_copy], idx, rebuild=True)
    assert summary.indexed == 2 and summary.unchanged == 0
    assert passages_of(idx) == passages_of(idx)
    with Searcher(idx) as s:
        assert s.stats().documents == 2
        assert s.search("communiqué").total >= 1
    assert not [p for p in tmp_path.iterdir() if "rebuild" in p.name]


# -- safety ---------------------------------------------------------------------

def test_second_writer_is_refused_with_pid(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    with WriteLock(idx):
        with pytest.raises(IndexLockedError, match=rf"locked by another writer \(pid {os.getpid()}\)"):
            build_index([seeds_copy], idx)


def test_folder_that_is_not_an_index_is_refused(tmp_path, seeds_copy):
    precious = write(tmp_path / "mine" / "notes.txt", "my notes")
    with pytest.raises(NotAnIndexError, match="not a docsearch index"):
        build_index([seeds_copy], tmp_path / "mine")
    with pytest.raises(NotAnIndexError):
        build_index([seeds_copy], tmp_path / "mine", rebuild=True)
    assert precious.read_text() == "my notes"


def test_old_schema_version_asks_for_rebuild(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    marker = json.loads((idx / MARKER).read_text())
    marker["schema_version"] = 0
    (idx / MARKER).write_text(json.dumps(marker))
    with pytest.raises(IndexVersionError, match="--rebuild"):
        Searcher(idx)
    with pytest.raises(IndexVersionError, match="--rebuild"):
        build_index([seeds_copy], idx)
    build_index([seeds_copy], idx, rebuild=True)
    with Searcher(idx) as s:
        assert s.search("communiqué").total >= 1


def test_stale_marker_is_recovered_from_the_index(seeds_copy, tmp_path):
    """A crash between the Whoosh commit and the marker write must not confuse the next run."""
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    marker = json.loads((idx / MARKER).read_text())
    marker["generation"] -= 1
    marker["documents"] = {}
    (idx / MARKER).write_text(json.dumps(marker))
    summary = build_index([seeds_copy], idx)
    assert summary.unchanged == 2 and summary.indexed == 0


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="No such file or folder"):
        build_index([tmp_path / "nope"], tmp_path / "idx")


# -- bad files: skipped with a reason, the rest indexed ------------------------------

def test_bad_files_are_skipped_with_reasons(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "good.txt", "A perfectly good document about the armistice. " + PARA)
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 500)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "big.txt").write_bytes(b"word " * 5000)
    write(docs / ".hidden.txt", "hidden armistice " + PARA)
    write(docs / "image.png", "not a document")         # an image type (OCR), but not an image
    write(docs / "drawing.xyz", "not a document")       # no reader: counted as skipped (unsupported type)
    warnings = []
    summary = build_index([docs], tmp_path / "idx", max_bytes=10_000, warn=warnings.append)
    assert summary.indexed == 1
    skipped = dict(summary.skipped)
    assert set(skipped) == {"docs/binary.txt", "docs/empty.txt", "docs/big.txt", "docs/image.png", "docs/drawing.xyz"}
    assert "not a PNG image" in skipped["docs/image.png"]
    assert skipped["docs/drawing.xyz"].startswith("unsupported file type .xyz")
    # A file of an unsupported type is counted, and listed only with verbose.
    assert len(warnings) == 4 and all(w.startswith("skipped ") for w in warnings)
    assert summary.line().endswith("; 5 skipped (" + ", ".join(f"{n} {k}" for k, n in summary.skip_counts().items())
                                   + ")")
    assert summary.skip_counts()["binary"] == summary.skip_counts()["empty"] == summary.skip_counts()["too big"] == 1
    assert ids(tmp_path / "idx", "armistice") == {"good.txt"}


def test_encodings_index_to_the_same_words(tmp_path):
    docs = tmp_path / "docs"
    text = "The “agreed framework” was signed – Kŭmch’ang-ri was inspected. " + PARA
    write(docs / "utf16.txt", text, encoding="utf-16")
    (docs / "bom.txt").write_bytes("\ufeff".encode() + text.encode())
    write(docs / "legacy.txt", text.replace("ŭ", "u"), encoding="cp1252")
    build_index([docs], tmp_path / "idx")
    assert ids(tmp_path / "idx", '"agreed framework"') == {"utf16.txt", "bom.txt", "legacy.txt"}
    assert ids(tmp_path / "idx", "Kumchang-ri") == {"utf16.txt", "bom.txt", "legacy.txt"}


def test_sidecar_and_manifest_override_metadata(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "a.txt", "Some report\n\nOctober 9, 2000\n\n" + PARA)
    write(docs / "a.txt.meta.json", json.dumps({"title": "Sidecar Title", "author": "Jane Roe"}))
    write(docs / "b.txt", "Another report\n\n" + PARA)
    manifest = write(tmp_path / "meta.tsv", "path\ttitle\tyear\tcountry\nb.txt\tManifest Title\t1995\tNorway\n")
    build_index([docs], tmp_path / "idx", metadata=manifest)
    with Searcher(tmp_path / "idx") as s:
        a = s.search("author:roe")[0]
        assert (a.title, a.author, a.date) == ("Sidecar Title", "Jane Roe", "2000-10-09")
        b = s.search("country:norway")[0]
        assert (b.title, b.date, b.meta["country"]) == ("Manifest Title", "1995", "Norway")
        assert [h.path for h in s.search("delegation", filters={"country": "Norway"})] == ["b.txt"]


# -- parallel analysis: same index, and a cancel that neither hangs nor commits ------

def _many_docs(folder: Path, n: int) -> Path:
    for i in range(n):
        write(folder / f"d{i:03}.txt", f"Document {i} on the armistice and token{i}.\n\n" + PARA * (1 + i % 4))
    return folder


def test_parallel_workers_build_the_same_index(tmp_path):
    docs = _many_docs(tmp_path / "docs", 150)
    one = build_index([docs], tmp_path / "one", procs=1)
    two = build_index([docs], tmp_path / "two", procs=2)
    assert (one.indexed, one.passages) == (two.indexed, two.passages) == (150, two.passages)
    assert passages_of(tmp_path / "one") == passages_of(tmp_path / "two")
    for q in ("armistice", "token77", '"agreed framework"'):
        assert ids(tmp_path / "one", q) == ids(tmp_path / "two", q)


def test_parallel_run_interrupted_commits_nothing(tmp_path):
    docs = _many_docs(tmp_path / "docs", 150)
    idx = tmp_path / "idx"
    build_index([docs], idx, procs=1)
    before = passages_of(idx)
    for i in range(150):
        write(docs / f"d{i:03}.txt", f"Rewritten {i} about a narwhal.\n\n" + PARA)

    def interrupt(done, total, path):
        if done == 140:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index([docs], idx, procs=2, progress=interrupt)
    assert passages_of(idx) == before and ids(idx, "narwhal") == set()
    assert build_index([docs], idx, procs=2).indexed == 150
    assert len(ids(idx, "narwhal")) == 150


def test_manifest_paths_relative_to_the_manifest_folder(tmp_path):
    """Like the UN corpus: metadata.tsv beside TXT/, rows keyed 'TXT/...', the TXT folder indexed."""
    corpus = tmp_path / "corpus"
    write(corpus / "TXT" / "Session 55 - 2000" / "PRK_55_2000.txt", "Statement on the peninsula. " + PARA)
    manifest = write(corpus / "metadata.tsv", "path\tcountry\tyear\n"
                     "TXT/Session 55 - 2000/PRK_55_2000.txt\tDemocratic People's Republic of Korea\t2000\n")
    build_index([corpus / "TXT"], tmp_path / "idx", metadata=manifest)
    with Searcher(tmp_path / "idx") as s:
        hit = s.search('country:"people\'s republic"')[0]
        assert hit.doc_id == "TXT/Session 55 - 2000/PRK_55_2000.txt" and hit.date == "2000"


def test_an_index_written_before_the_layout_change_still_opens(monkeypatch):
    """Whoosh pickles schema and segment classes by module path into each index's TOC; indexes
    written before issue 11's layout name indexer.codec, indexer.schema, indexer.analysis."""
    import importlib
    import pickle

    import indexer.store.analysis
    import indexer.store.schema
    from indexer.store.codec import Codec

    monkeypatch.setattr(Codec, "__module__", "indexer.codec")     # pickled as an old index has it
    data = pickle.dumps(Codec())
    monkeypatch.undo()
    assert b"indexer.codec" in data and b"indexer.store" not in data
    assert type(pickle.loads(data)) is Codec
    assert importlib.import_module("indexer.schema") is indexer.store.schema
    assert importlib.import_module("indexer.analysis") is indexer.store.analysis
