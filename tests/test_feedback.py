"""Ranking: pseudo-relevance feedback (search/rank/feedback.py) and the BM25 weighting of search/searcher.py.

The relevance model on hand-made texts; then, through `Searcher`, on tiny documents written
in each test: feedback re-ranks natural-language (operator="or") questions, shows in
`explain`, never adds or drops a match, and leaves keyword and short queries alone.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as Q

from conftest import write, make_index
from indexer import build_index
from indexer.store.analysis import STEMMED
from search import Searcher
from search.rank.feedback import Expansion, relevance_model

QUESTION = "what did the walrus colony survey find?"


def stem(word: str) -> str:
    return STEMMED.terms(word)[0]




@pytest.fixture
def walrus_index(tmp_path) -> Path:
    """Two passages on the question's topic (walrus colonies on the ice), one that shares only
    'walrus' with the question but the topic's other words, one that shares only 'walrus'."""
    return make_index(tmp_path, {
        "a_survey.txt": "The walrus colony survey counted animals on the ice floe, along the floe edge "
                        "and on the pack ice, where seal pups lay among the walrus.",
        "b_survey.txt": "Each walrus colony survey also logs the pack ice, the drifting floe and the seal "
                        "pups seen near the colony.",
        "c_topic.txt": "A walrus rested on the drifting floe at the edge of the pack ice, beside two seal "
                       "pups, until the ice broke up in the afternoon sun.",
        "d_other.txt": "A carved walrus stood in the museum shop window.",
        **{f"e_{n}.txt": f"The {n} harbour report lists the boats, the weather and the catch of the day."
           for n in ("north", "south", "east", "west", "upper", "lower")},
    })


def ranked(index_dir: Path, query: str, **searcher_kw) -> list[str]:
    with Searcher(index_dir, **searcher_kw) as s:
        return [f"{h.path}#{h.passage}" for h in s.search(query, limit=100, operator="or")]   # ids below the root


# -- the relevance model ------------------------------------------------------------------------

def test_relevance_model_weighs_terms_by_their_share_and_the_text_score():
    model = relevance_model([("ice floe floe", 2.0), ("ice bakery", 1.0)], terms=2)
    assert [t for t, _ in model] == [stem("floe"), stem("ice")]
    assert sum(w for _, w in model) == pytest.approx(1.0)
    assert model[0][1] > model[1][1]


def test_relevance_model_leaves_out_numbers_one_letter_tokens_and_stop_words():
    model = relevance_model([("In 1994 the treaty of 1994: a, b and x", 1.0)])
    assert model == [(stem("treaty"), 1.0)]


@pytest.mark.parametrize("feedback", [[], [("", 3.0)], [("ice floe", 0.0)]])
def test_relevance_model_of_nothing_is_empty(feedback):
    assert relevance_model(feedback) == []


def test_a_lower_temperature_listens_more_to_the_best_text():
    texts = [("floe floe", 2.0), ("bakery bakery", 1.5)]
    sharp = dict(relevance_model(texts, temperature=0.1))
    flat = dict(relevance_model(texts, temperature=10))
    assert sharp[stem("floe")] > flat[stem("floe")] > flat[stem("bakery")] > sharp[stem("bakery")]


def test_expansion_reranks_the_original_query_and_searches_each_field_with_its_boost():
    original = Q.Term("body", "walrus")
    expansion = Expansion(((stem("floe"), 0.75), (stem("ice"), 0.25)), weight=0.5, documents=2)
    q = expansion.query(original, query_words=1, fields={"body": 1.0, "title": 0.5, "section": 0.0})
    assert isinstance(q, Q.AndMaybe) and q.a == original
    assert {(t.fieldname, t.text, t.boost) for t in q.b.subqueries} == {
        ("body", stem("floe"), 0.75), ("title", stem("floe"), 0.375),
        ("body", stem("ice"), 0.25), ("title", stem("ice"), 0.125)}


@pytest.mark.parametrize("expansion", [Expansion((), 0.5, 0), Expansion((("floe", 1.0),), 1.0, 1)])
def test_expansion_without_terms_or_weight_leaves_the_query_alone(expansion):
    original = Q.Term("body", "walrus")
    assert expansion.query(original, 1) is original


# -- through the Searcher -----------------------------------------------------------------------

def test_feedback_ranks_a_passage_on_the_questions_topic_above_one_that_only_shares_a_word(walrus_index):
    without = ranked(walrus_index, QUESTION, feedback_docs=0)
    with_feedback = ranked(walrus_index, QUESTION)
    # Both share only "walrus" with the question; the shorter one wins on BM25 alone.
    assert without.index("d_other.txt#0") < without.index("c_topic.txt#0")
    assert with_feedback.index("c_topic.txt#0") < with_feedback.index("d_other.txt#0")
    assert set(with_feedback[:2]) == set(without[:2]) == {"a_survey.txt#0", "b_survey.txt#0"}


def test_feedback_only_reranks_what_the_query_matches(walrus_index):
    with Searcher(walrus_index, feedback_docs=0) as s:
        plain = s.search(QUESTION, limit=100, operator="or")
    with Searcher(walrus_index) as s:
        expanded = s.search(QUESTION, limit=100, operator="or")
    assert {h.id for h in expanded} == {h.id for h in plain}
    assert expanded.total == plain.total == 4
    assert all(h.snippet.highlights for h in expanded)


def test_explain_shows_the_feedback_terms(walrus_index):
    with Searcher(walrus_index) as s:
        text = s.explain(QUESTION, operator="or")
    last = text.splitlines()[-1]
    assert last.startswith("feedback (RM3) from the top 4 documents, query weight 0.55: ")
    assert f" {stem('floe')} " in last and f" {stem('walrus')} " in last


@pytest.mark.parametrize("query,operator", [
    (QUESTION, "and"),                  # keyword search: all words required, one search
    ("walrus colony", "or"),            # fewer words than feedback_min_words
])
def test_no_feedback_for_keyword_or_short_queries(walrus_index, query, operator):
    with Searcher(walrus_index) as s:
        assert "feedback" not in s.explain(query, operator=operator)
        hits = [(h.id, h.score) for h in s.search(query, limit=100, operator=operator)]
    with Searcher(walrus_index, feedback_docs=0) as s:
        assert hits == [(h.id, h.score) for h in s.search(query, limit=100, operator=operator)]


def test_feedback_follows_the_filters(tmp_path):
    """The first pass sees only the passages the filter allows, so their words are the ones added."""
    idx = make_index(tmp_path, {
        "1990.md": "---\ndate: 1990-05-01\n---\nThe walrus colony survey noted the floe and the pack ice.\n",
        "2000.md": "---\ndate: 2000-05-01\n---\nThe walrus colony survey noted the tundra and the lichen.\n",
    })
    with Searcher(idx) as s:
        searcher = s._current()
        parsed = s._parse(searcher, QUESTION, "or")
        first = s._first_pass(searcher, parsed, s._filter("2000", None, None))
        _, expansion = s._feedback(searcher, first, parsed, "or")
    terms = {t for t, _ in expansion.terms}
    assert stem("tundra") in terms and stem("floe") not in terms


@pytest.mark.parametrize("kwargs", [{"feedback_docs": -1}, {"feedback_terms": 0}, {"feedback_weight": 0.0},
                                    {"feedback_weight": 1.5}])
def test_bad_feedback_settings_are_value_errors(walrus_index, kwargs):
    with pytest.raises(ValueError, match="feedback"):
        Searcher(walrus_index, **kwargs)


# -- BM25 weighting -----------------------------------------------------------------------------

def test_a_word_in_almost_every_passage_barely_counts(tmp_path):
    """Lucene's idf: 'report' (in all passages but one), repeated in a short passage, does not
    outrank one rare word in a long one. Whoosh's own idf, log(N/(n+1)) + 1, gives 'report'
    so much of a rare word's weight that every 'report' passage ranked above the walrus."""
    idx = make_index(tmp_path, {
        "a_repeats.txt": "Report: report, report and report.",
        "b_rare.txt": "A walrus was seen from the harbour wall by the morning patrol, among many other "
                      "sightings of gulls, terns, boats, kayaks, divers and swimmers along the coast, "
                      "while the ferry crossed twice and the fishing fleet came home with its catch.",
        **{f"c_{n}.txt": f"The {n} report lists the boats." for n in ("north", "south", "east", "west")},
    })
    assert ranked(idx, "report walrus")[0] == "b_rare.txt#0"


def test_the_first_pass_replays_its_scores_across_segments(tmp_path):
    """With the expansion weighted 0 the re-ranked query is the first pass alone: same hits, same
    scores, also when the index has several segments (docnums are offset per segment)."""
    files = {f"{n}.txt": f"The walrus colony survey of the {n} coast counted {n} seals on the floe."
             for n in ("north", "south")}
    idx = make_index(tmp_path, files)
    for n in ("east", "west", "upper"):
        write(tmp_path / "docs" / f"{n}.txt", f"A walrus survey of the {n} colony, and the {n} ice edge.")
        build_index([tmp_path / "docs"], idx)
    results = {}
    for label, kw in (("plain", {"feedback_docs": 0}), ("replayed", {"feedback_weight": 1.0})):
        with Searcher(idx, **kw) as s:
            assert not s._current().reader().is_atomic()
            results[label] = [(h.id, h.score) for h in s.search(QUESTION, limit=100, operator="or")]
    assert len(results["plain"]) == 5
    assert results["replayed"] == results["plain"]
