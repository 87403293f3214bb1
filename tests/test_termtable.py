"""search/query/termtable.py answers exactly what Whoosh answers, on several segments with deletions."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from indexer import build_index
from search import Searcher
from search.query.termtable import TermTable

FILES = {f"doc{i}.txt": f"Kim Jong-il met envoy number {i} about land mines and the agreed framework.\n\n"
                        f"Paragraph {i} of the talks on missiles, P'yŏngyang and 북한이해.\n" for i in range(12)}


@pytest.fixture(scope="module")
def reader_index(tmp_path_factory) -> Path:
    """Three commits: a first segment, a second, and a rewrite of one file (deleted passages)."""
    root = tmp_path_factory.mktemp("termtable")
    docs, index = root / "docs", root / "idx"
    for name, text in list(FILES.items())[:8]:
        write(docs / name, text)
    build_index([docs], index)
    for name, text in list(FILES.items())[8:]:
        write(docs / name, text.replace("missiles", "rockets and Jongil"))
    build_index([docs], index)
    write(docs / "doc3.txt", "A rewritten file about the framework.\n")
    build_index([docs], index)
    return index


def test_doc_frequency_and_prefixes_equal_whoosh(reader_index):
    with Searcher(reader_index) as s:
        reader = s._current().reader()
        assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
        table = TermTable(reader, "exact")
        assert table._tables is not None                    # the index codec's segments: the direct probe
        terms = [t.decode() for t in reader.lexicon("exact")]
        absent = ["", "zz", "kimjong", "jongi", "missile", "x" * 300, "Kim", "북", "pyŏngyang"]
        for term in terms + absent + [t[:-1] for t in terms] + [t + "s" for t in terms]:
            assert table.doc_frequency(term) == reader.doc_frequency("exact", term), term
        for prefix in ["", "k", "ji", "m", "z", "북", "pyongyang", "pyongyangs"]:
            expected = [t for leaf, _ in reader.leaf_readers() for t in leaf.expand_prefix("exact", prefix)]
            assert list(table.segment_terms(prefix)) == expected, prefix


def test_fields_it_cannot_read_go_through_whoosh(reader_index):
    with Searcher(reader_index) as s:
        reader = s._current().reader()
        dates = TermTable(reader, "date")                  # numeric terms: Whoosh encodes them
        assert dates._tables is None
        assert dates.doc_frequency(20000101) == reader.doc_frequency("date", 20000101)
