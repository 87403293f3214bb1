"""Results grouped by document (per_doc) are ranked as documents (search/rank/documents.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write, make_index
from indexer import build_index
from search import Searcher

FILLER = ("The survey crews logged the weather, the state of the tracks and the supplies at each "
          "camp along the route, and the notes were copied into the station ledger every evening. ")




@pytest.fixture
def spread_index(tmp_path) -> Path:
    # spread.txt names both words of the query, in two different passages (paragraphs of
    # over 300 characters each); single.txt names one of them in one short passage; other.txt
    # names the other in a long one, so that both words are as rare.
    return make_index(tmp_path, {
        "spread.txt": f"The glacier advanced in the cold years. {FILLER * 2}\n\n"
                      f"Its moraine was mapped from the air. {FILLER * 2}\n",
        "single.txt": f"The glacier advanced in the cold years. {FILLER}\n",
        "other.txt": f"{FILLER * 2}A moraine is a ridge of rock.\n",
        **{f"camp{i}.txt": f"Camp {i}. {FILLER * 2}\n" for i in range(6)},
    })


def docs(results) -> list[str]:
    return [h.path for h in results]


def test_a_document_on_the_whole_query_outranks_one_passage_on_part_of_it(spread_index):
    with Searcher(spread_index, document_weight=0.0) as s:            # best passage only (MaxP)
        assert docs(s.search("glacier moraine", operator="or", per_doc=1))[0] == "single.txt"
    with Searcher(spread_index) as s:
        assert docs(s.search("glacier moraine", operator="or", per_doc=1))[:2] == ["spread.txt", "single.txt"]
        # Passage results stay passages: the short passage on "glacier" alone still comes first.
        passages = s.search("glacier moraine", operator="or")
        assert passages.hits[0].path == "single.txt"


def test_per_doc_keeps_a_documents_passages_together_best_first_with_the_documents_score(spread_index):
    with Searcher(spread_index) as s:
        got = s.search("glacier moraine", operator="or", per_doc=2)
    assert [h.path for h in got][:3] == ["spread.txt", "spread.txt", "single.txt"]
    assert {h.passage for h in got.hits[:2]} == {0, 1}
    assert got.total == 4
    assert got.hits[0].score == got.hits[1].score > got.hits[2].score


def test_weights_are_checked():
    with pytest.raises(ValueError, match="other_passages_weight"):
        Searcher("nowhere", other_passages_weight=2)
    with pytest.raises(ValueError, match="document_weight"):
        Searcher("nowhere", document_weight=-1)


def test_a_title_only_document_ranks_as_well_as_the_same_words_in_a_body(tmp_path):
    # Half of CACM's documents are a title and nothing else: the title weight and the
    # length normalisation must not push one below a body that says the same words.
    docs_dir = tmp_path / "docs"
    write(docs_dir / "titled.txt", "Sorting with magnetic tape\n")
    (docs_dir / "titled.txt.meta.json").write_text(json.dumps({"title": "Sorting with magnetic tape"}))
    write(docs_dir / "plain.txt", "Sorting with magnetic tape\n")
    write(docs_dir / "other.txt", f"Tape drives. {FILLER}\n")
    build_index([docs_dir], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        for query in ("magnetic tape sorting", "sorting"):
            got = {h.path: h.score for h in s.search(query, operator="or", per_doc=1)}
            assert got["titled.txt"] >= got["plain.txt"] > got.get("other.txt", 0)
