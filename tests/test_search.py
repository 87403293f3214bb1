"""The search library end to end: each query form, ranking, snippets, pages, dates, errors.

Through the public API only (`from search import Searcher`), on the real seeds and on
tiny documents written in each test.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from conftest import COMMUNIQUE, REPORT, SEEDS, write, make_index
from indexer import build_index
from indexer.store.directory import MARKER
from search import (DocsearchError, Hit, IndexNotFoundError, IndexVersionError, NotAnIndexError, PassageNotFoundError,
                    QueryError, Results, Searcher)

C = [f"seeds/{COMMUNIQUE}#{i}" for i in range(12)]    # the communiqué's passages, in order
R = [f"seeds/{REPORT}#{i}" for i in range(8)]         # the report's passages, in order


def found(index_dir: Path, query: str, **kwargs) -> set[str]:
    with Searcher(index_dir) as s:
        return {h.id for h in s.search(query, limit=100, **kwargs)}


def ranked(index_dir: Path, query: str, **kwargs) -> list[str]:
    with Searcher(index_dir) as s:
        return [h.id for h in s.search(query, limit=100, **kwargs)]


def marked(snippet) -> list[str]:
    """The highlighted substrings of a snippet, in order."""
    return [snippet.text[s:e] for s, e in snippet.highlights]




# -- each query form on the seeds -----------------------------------------------------------

@pytest.mark.parametrize("query,expected", [
    # words: all must match; stemmed
    ("missile", {C[6]}),
    ("missiles", {C[6]}),
    ("missile launch", {C[6]}),
    ("missile Nordpolitik", set()),
    ("Kumchang-ri", {C[7]}),
    # exact phrase (curly quotes too), sloppy phrase, phrase across a hyphen
    ('"no hostile intention"', {C[2]}),
    ("\u201cno hostile intention\u201d", {C[2]}),
    ('"intention hostile no"', set()),
    ('"settlement issue"', set()),
    ('"settlement issue"~2', set()),
    ('"settlement issue"~3', {C[6]}),
    ('"Jo Myong-rok"', {C[0], C[9], C[11], R[0]}),       # R[0]: the photo caption (issue 12)
    ('"Jo Myong Rok"', {C[0], C[9], C[11], R[0]}),
    # boolean logic and grouping
    ("missile OR Nordpolitik", {C[6], R[2]}),
    ("missile AND NOT launch", set()),
    ("missile NOT launch", set()),
    ("missile -launch", set()),
    ("Albright -Clinton", set()),
    ("+missile talks", {C[6]}),
    ("(missile OR nuclear) AND relations", {C[6], R[2], R[6]}),
    ("missile -relations", set()),
    ("(missile OR nuclear) -relations", set()),
    ("nuclear -relations", set()),     # the title says "Relations"
    ("missile AND NOT relations", set()),
    ("-relations", {C[3], C[5], C[7], C[8], C[9], C[10], C[11]}),
    ("nuclear -(inspections OR sanctions)", set()),
    ("nuclear -sanctions", {R[2]}),
    # fields
    ("title:communiqué", set(C)),
    ("title:communique", set(C)),
    ('section:"external environment"', set(R[2:])),
    ("section:environment missile", set()),
    ("source:icas", set(C)),
    ('source:"corean-american"', set(C)),
    ("lang:en", set(C + R)),
    ("lang:ko", set()),
    # dates
    ("date:2000", set(C)),
    ("date:2000-10", set(C)),
    ("date:2000-11", set()),
    ("date:2019-11", set(R)),
    ("date:[1993 TO 1995-06]", set()),
    ("date:[2000 TO *]", set(C + R)),
    ("missile date:2019", set()),
    # prefix and fuzzy
    ("denucle*", {C[7]}),
    ("nucle*", {R[2], R[6]}),                    # not "denuclearization"
    ("Albrigt~", {C[0], C[11]}),
    ("Albrigth~", set()),                        # a swap of two letters is 2 edits (README)
    ("Albrigth~2", {C[0], C[11]}),
    ("denuclearisation~", {C[7]}),
    ("denuclearisation~1 missile", set()),
])
def test_query_forms_on_the_seeds(seeds_index, query, expected):
    assert found(seeds_index, query) == expected


def test_fuzzy_highlight_agrees_with_fuzzy_search(seeds_index):
    with Searcher(seeds_index) as s:
        assert s.search("Albrigth~").total == 0              # README: a swap of two letters is 2 edits
        for hit in s.search("Albrigth~ OR Clinton"):
            assert "Albright" not in marked(hit.snippet), hit.id


def test_and_is_the_default_and_or_matches_any_word(seeds_index):
    assert found(seeds_index, "missile Nordpolitik") == set()
    assert found(seeds_index, "missile Nordpolitik", operator="or") == {C[6], R[2]}
    assert found(seeds_index, "missile Nordpolitik", operator="and") == set()


def test_or_ranks_the_passage_with_more_words_first_on_the_seeds(seeds_index):
    order = ranked(seeds_index, "missile launch Nordpolitik", operator="or")
    assert order[0] == C[6]                 # missile and launch
    assert set(order) == {C[6], R[2]}


def test_plus_word_is_required_even_with_or(seeds_index):
    assert found(seeds_index, "+missile relations", operator="or") == {C[6]}
    assert len(found(seeds_index, "missile relations", operator="or")) == 13


def test_or_ranks_passages_matching_more_words_first(tmp_path):
    idx = make_index(tmp_path, {
        "one.txt": "The walrus, the walrus and again the walrus: a walrus colony of walrus mothers.",
        "both.txt": "A walrus was seen near the harbour on the first morning of the spring survey, and much "
                    "later in the afternoon, after the boats had returned and the nets were dried, a pelican "
                    "arrived.",
        **{f"{n}.txt": f"The {n} report mentions a pelican among {i + 3} other {n} birds."
           for i, n in enumerate(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"])},
    })
    order = ranked(idx, "walrus pelican", operator="or")
    assert order[0] == "docs/both.txt#0"
    assert order[1] == "docs/one.txt#0"


def test_words_close_together_rank_above_scattered_words(tmp_path):
    # Same words once each; the scattered passage is shorter and indexed first, so only
    # proximity ranking puts the other one first.
    idx = make_index(tmp_path, {
        "a_scattered.txt": "The framework of the talks was new to everyone in the room. Questions about fishing "
                           "quotas, harbour dues and the weather followed, and in the end the delegations agreed.",
        "b_phrase.txt": "Both sides recalled the agreed framework of 1994 and the obligations it set for the "
                        "reactor and for the supply of heavy fuel oil over the coming years.",
    })
    assert ranked(idx, "agreed framework") == ["docs/b_phrase.txt#0", "docs/a_scattered.txt#0"]
    assert ranked(idx, '"agreed framework"') == ["docs/b_phrase.txt#0"]


def test_words_close_together_in_either_order_rank_above_scattered_words(tmp_path):
    test_words_close_together_rank_above_scattered_words(tmp_path)
    assert ranked(tmp_path / "idx", "framework agreed") == ["docs/b_phrase.txt#0", "docs/a_scattered.txt#0"]


def test_pair_boost_ranks_neighbouring_query_words_together_in_a_long_question(tmp_path):
    # Six query words: no passage holds them all close, so only the pair bonus (on by
    # default, pair_boost=0.25) tells apart two passages of the same words, one with
    # "dielectric constant" together, one with the words apart; the latter is indexed
    # first, so it leads without the bonus.
    idx = make_index(tmp_path, {
        "a_apart.txt": "The dielectric loss was small. The constant was measured for liquids at microwave "
                       "wavelengths.",
        "b_pair.txt": "The dielectric constant was measured for liquids. The loss was small at microwave "
                      "wavelengths.",
    })
    query = "MEASUREMENT OF DIELECTRIC CONSTANT OF LIQUIDS BY MICROWAVE TECHNIQUES"
    assert ranked(idx, query, operator="or")[0] == "docs/b_pair.txt#0"
    with Searcher(idx, pair_boost=0) as s:
        assert [h.id for h in s.search(query, operator="or")][0] == "docs/a_apart.txt#0"
    with Searcher(idx, pair_slop=0) as s:
        assert [h.id for h in s.search(query, operator="or")][0] == "docs/a_apart.txt#0"


def test_title_match_ranks_above_body_match(tmp_path):
    idx = make_index(tmp_path, {
        "body.md": "# Harbour notes\n\nA short remark about the armistice, among many other remarks on "
                   "fishing, weather and the state of the harbour walls this season.\n",
        "title.md": "# The armistice\n\nA short remark about the talks, among many other remarks on "
                    "fishing, weather and the state of the harbour walls this season.\n",
    })
    assert ranked(idx, "armistice") == ["docs/title.md#0", "docs/body.md#0"]


def test_phrases_survive_hyphens_line_wraps_and_curly_quotes(tmp_path):
    idx = make_index(tmp_path, {
        "wrapped.txt": "The delegation confirmed the agreed\nframework once more and went home.\n",
        "hyphen.txt": "Vice marshal Jo Myong-rok visited the Pentagon in October of that year.\n",
        "curly.txt": "Both governments declared \u201cno hostile intention\u201d toward each other.\n",
    })
    with Searcher(idx) as s:
        hit = s.search('"agreed framework"')[0]
        assert (hit.id, marked(hit.snippet)) == ("docs/wrapped.txt#0", ["agreed framework"])
        hit = s.search('"Jo Myong Rok"')[0]
        assert (hit.id, marked(hit.snippet)) == ("docs/hyphen.txt#0", ["Jo Myong-rok"])
        hit = s.search("\u201cno hostile intention\u201d")[0]
        assert (hit.id, marked(hit.snippet)) == ("docs/curly.txt#0", ["no hostile intention"])


def test_author_field_and_filter(tmp_path):
    idx = make_index(tmp_path, {"a.txt": "A memorandum on the reactor from the first desk.\n",
                                "b.txt": "A memorandum on the reactor from the second desk.\n"},
                     meta={"a.txt": {"author": "Yujin Lim"}, "b.txt": {"author": "Anthony Rinna"}})
    assert found(idx, "author:lim") == {"docs/a.txt#0"}
    assert found(idx, 'author:"yujin lim" reactor') == {"docs/a.txt#0"}
    assert found(idx, "reactor", filters={"author": "Rinna"}) == {"docs/b.txt#0"}
    with Searcher(idx) as s:
        assert s.search("author:lim")[0].author == "Yujin Lim"


# -- dates ----------------------------------------------------------------------------------

DATES = {"early": "1992-12-31", "geneva": "1993-06-11", "framework": "1994-10-21", "june": "1995-06-30",
         "july": "1995-07-01", "october": "2000-10-09", "november": "2000-11-01", "later": "2001-01-01"}


@pytest.fixture
def dated_index(tmp_path) -> Path:
    return make_index(tmp_path,
                      {f"{n}.txt": f"The {n} memorandum on the reactor was filed by the desk officer.\n"
                       for n in DATES},
                      meta={f"{n}.txt": {"date": d} for n, d in DATES.items()})


@pytest.mark.parametrize("query,expected", [
    ("reactor date:2000", {"october", "november"}),
    ("reactor date:2000-10", {"october"}),
    ("reactor date:2000-10-09", {"october"}),
    ("reactor date:[1993 TO 1995-06]", {"geneva", "framework", "june"}),
    ("reactor date:[* TO 1993]", {"early", "geneva"}),
    ("reactor date:[2000-11 TO *]", {"november", "later"}),
    ("reactor date:>=2001", {"later"}),
    ("reactor -date:[1993 TO 2000]", {"early", "later"}),
])
def test_date_queries(dated_index, query, expected):
    assert found(dated_index, query) == {f"docs/{n}.txt#0" for n in expected}


@pytest.mark.parametrize("date_from,date_to,expected", [
    ("1993", "1995-06", {"geneva", "framework", "june"}),
    ("1995-07-01", None, {"july", "october", "november", "later"}),
    (None, "1992", {"early"}),
    ("2000-10", "2000-10", {"october"}),
    ("2002", None, set()),
])
def test_date_from_and_date_to(dated_index, date_from, date_to, expected):
    assert found(dated_index, "reactor", date_from=date_from, date_to=date_to) == {f"docs/{n}.txt#0" for n in expected}
    with Searcher(dated_index) as s:
        assert all(date_from is None or h.date >= date_from
                   for h in s.search("reactor", limit=100, date_from=date_from, date_to=date_to))


def test_date_bounds_are_inclusive_on_the_seeds(seeds_index):
    assert found(seeds_index, "missile", date_from="2000-10-09", date_to="2000-10-09") == {C[6]}
    assert found(seeds_index, "missile", date_to="2000-10-08") == set()
    assert found(seeds_index, "relations", date_from="2000", date_to="2000-12") == {C[0], C[1], C[2], C[4], C[6]}


@pytest.mark.parametrize("kwargs", [{"date_from": "2000-13"}, {"date_to": "October 2000"}, {"date_from": "20001"}])
def test_bad_date_bound_is_a_query_error(seeds_index, kwargs):
    with Searcher(seeds_index) as s, pytest.raises(QueryError, match="YYYY"):
        s.search("missile", **kwargs)


def test_source_filter(seeds_index):
    assert found(seeds_index, "relations", filters={"source": "icas"}) == {C[0], C[1], C[2], C[4], C[6]}
    assert found(seeds_index, "relations", filters={"source": "Institute for Corean-American Studies"}) \
        == {C[0], C[1], C[2], C[4], C[6]}
    assert found(seeds_index, "relations", filters={"lang": "ko"}) == set()
    with Searcher(seeds_index) as s, pytest.raises(QueryError, match="unknown filter field 'colour'"):
        s.search("relations", filters={"colour": "red"})


# -- hits ----------------------------------------------------------------------------------

def test_hit_fields_on_the_seeds(seeds_index):
    with Searcher(seeds_index) as s:
        results = s.search('"no hostile intention"')
    assert isinstance(results, Results) and (results.total, results.page, results.suggestion) == (1, 1, None)
    hit = results[0]            # used after the with block: our own object, not Whoosh's
    assert isinstance(hit, Hit)
    assert (hit.rank, hit.id, hit.doc_id, hit.passage, hit.path) == (1, C[2], f"seeds/{COMMUNIQUE}", 2, COMMUNIQUE)
    assert (hit.root, hit.abs_path) == (str(SEEDS.resolve()), str(SEEDS.resolve() / COMMUNIQUE))
    assert (hit.title, hit.date, hit.source, hit.author, hit.section, hit.language) == (
        "DPRK-U.S.A. Joint Communiqué", "2000-10-09", "Institute for Corean-American Studies (ICAS)", None,
        "DPRK-U.S.A. Joint Communiqué", "en")
    assert (hit.start, hit.end) == (1520, 2168)
    assert hit.text.startswith("Considering that improving the bilateral relations is a natural aim")
    assert hit.text.endswith("free from past antagonism in the future.")
    assert isinstance(hit.score, float) and hit.score > 0
    assert hit.snippet.text == (
        "…As the first important step both sides declared that any of the two governments entertains no "
        "hostile intention toward the other and affirmed the commitment to make all efforts to establish new "
        "relations free from past antagonism in the…")
    assert marked(hit.snippet) == ["no hostile intention"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.rank = 2


def test_hit_start_end_are_offsets_of_the_passage_in_the_document(seeds_index):
    with Searcher(seeds_index) as s:
        hits = list(s.search("relations", limit=100))
        whole = s.passage(C[0], context=20).passages
    for hit in hits:
        assert hit.end - hit.start == len(hit.text), hit.id
    assert [(p.start, p.end) for p in whole[:3]] == [(0, 973), (975, 1518), (1520, 2168)]
    assert all(a.end < b.start for a, b in zip(whole, whole[1:]))


def test_snippet_is_cut_to_size_at_word_boundaries(seeds_index):
    with Searcher(seeds_index, snippet_size=80) as s:
        hit = s.search("Kumchang-ri")[0]
    assert hit.snippet.text == "…to the underground facility in Kumchang-ri was useful for clearing the U.S. of…"
    assert len(hit.snippet.text) <= 80
    assert marked(hit.snippet) == ["Kumchang-ri"]


def test_short_passage_snippet_is_the_whole_passage(tmp_path):
    text = "A short note about the walrus colony on the northern shore, observed in 1998."
    idx = make_index(tmp_path, {"note.txt": text + "\n"})
    with Searcher(idx) as s:
        hit = s.search("walrus")[0]
    assert (hit.snippet.text, marked(hit.snippet)) == (text, ["walrus"])


# -- phrase-aware highlighting --------------------------------------------------------------

HIGHLIGHT_DOC = ("The agreed framework was signed in Geneva. Later both sides agreed to meet again, "
                 "and the framework talks went on. Missiles were discussed; one missile launch was postponed.")


@pytest.mark.parametrize("query,expected", [
    ('"agreed framework"', ["agreed framework"]),                  # not the lone "agreed" or "framework"
    ("agreed framework", ["agreed", "framework", "agreed", "framework"]),
    ("missile", ["Missiles", "missile"]),                          # stemmed: both forms
    ("missiles", ["Missiles", "missile"]),
    ('"missile launch"', ["missile launch"]),
    ('"agreed framework" -postponed', []),                          # (no hit: excluded)
    ('"agreed framework" -treaty', ["agreed framework"]),
    ("framework -Geneva", []),                                     # (no hit: excluded)
    ("framewo*", ["framework", "framework"]),
    ("Genva~1", ["Geneva"]),
])
def test_highlights_mark_exactly_what_matched(tmp_path, query, expected):
    idx = make_index(tmp_path, {"doc.txt": HIGHLIGHT_DOC + "\n"})
    with Searcher(idx) as s:
        hits = list(s.search(query))
    if not expected:
        assert hits == []
        return
    assert hits[0].snippet.text == HIGHLIGHT_DOC
    assert marked(hits[0].snippet) == expected


def test_excluded_word_in_a_hit_is_not_marked(tmp_path):
    idx = make_index(tmp_path, {"doc.txt": HIGHLIGHT_DOC + "\n"})
    with Searcher(idx) as s:
        hit = s.search("Geneva OR (framework -signed)")[0]
        assert "signed" in hit.snippet.text and "signed" not in marked(hit.snippet)
        assert marked(hit.snippet) == ["framework", "Geneva", "framework"]
        hit = s.search("missile OR (launch -postponed)")[0]
        assert "postponed" not in marked(hit.snippet)
        assert s.search("Geneva NOT (treaty OR launch)").hits == ()


def test_phrase_query_does_not_mark_a_lone_word_of_it_on_the_seeds(seeds_index):
    with Searcher(seeds_index) as s:
        ctx = s.passage(C[3], context=0, query='"agreed framework"')
        whole = ctx.passages[0].snippet
        assert "Both sides agreed to strive" in whole.text
        assert marked(whole) == ["agreed framework"]
        for hit in s.search('"agreed framework"'):
            assert set(marked(hit.snippet)) == {"agreed framework"}, hit.id
        plain = s.passage(C[3], context=0, query="agreed framework").passages[0].snippet
        assert marked(plain) == ["agreed", "agreed", "framework"]


def test_stemmed_match_is_marked_and_excluded_word_is_not_on_the_seeds(seeds_index):
    with Searcher(seeds_index) as s:
        assert marked(s.search("missiles")[0].snippet) == ["missile", "missile"]
        ctx = s.passage(C[6], context=0, query="missile OR (security -launch)")
        whole = ctx.passages[0].snippet
        assert "launch" in whole.text
        assert "launch" not in marked(whole)
        assert marked(whole) == ["missile", "security", "missile", "missile"]


def test_to_html_escapes_the_document_and_marks_matches(tmp_path):
    idx = make_index(tmp_path, {"evil.txt": 'The walrus said <script>alert("x")</script> & left.\n'})
    with Searcher(idx) as s:
        hit = s.search("walrus")[0]
    assert hit.snippet.to_html() == ("The <mark>walrus</mark> said &lt;script&gt;alert(&quot;x&quot;)"
                                     "&lt;/script&gt; &amp; left.")


def test_to_ansi_marks_matches_and_plain_has_none(seeds_index):
    with Searcher(seeds_index) as s:
        snip = s.search("Kumchang-ri")[0].snippet
    assert "\x1b[1;33mKumchang-ri\x1b[0m" in snip.to_ansi()
    assert "\x1b" not in snip.to_ansi(color=False) and "Kumchang-ri" in snip.to_ansi(color=False)


# -- pages and per-document collapsing ---------------------------------------------------------

def test_pages_continue_ranks_and_cover_every_hit_once(seeds_index):
    with Searcher(seeds_index) as s:
        everything = s.search("relations", limit=100)
        pages = [s.search("relations", limit=5, page=p) for p in (1, 2, 3)]
        past = s.search("relations", limit=5, page=4)
    assert everything.total == 13 and len(everything) == 13
    assert [r.total for r in pages] == [13, 13, 13] and [r.pages for r in pages] == [3, 3, 3]
    assert [[h.rank for h in r] for r in pages] == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13]]
    assert [h.id for r in pages for h in r] == [h.id for h in everything]
    assert (past.total, past.page, len(past), past.hits) == (13, 4, 0, ())


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"page": 0}, {"per_doc": 0}, {"operator": "xor"}])
def test_bad_arguments_are_value_errors(seeds_index, kwargs):
    with Searcher(seeds_index) as s, pytest.raises(ValueError):
        s.search("missile", **kwargs)


def _best_passages(s: Searcher, query: str) -> dict[str, str]:
    """Each document's best passage in the plain (passage) ranking: path -> passage id."""
    best = {}
    for hit in s.search(query, limit=100):
        best.setdefault(hit.path, hit.id)
    return best


def test_per_doc_collapses_and_total_counts_what_is_left(seeds_index):
    with Searcher(seeds_index) as s:
        one = s.search("relations", per_doc=1)
        two = s.search("relations", per_doc=2)
        paged = [s.search("relations", per_doc=1, limit=1, page=p) for p in (1, 2, 3)]
        best = _best_passages(s, "relations")
    # Each document is represented by its best passage (R[0] and R[1] score within 0.001).
    assert [h.id for h in one] == [best[REPORT], best[COMMUNIQUE]]
    assert one.total == 2 and one.pages == 1
    assert [h.path for h in two] == [REPORT, REPORT, COMMUNIQUE, COMMUNIQUE] and two.total == 4
    assert [[(h.rank, h.id) for h in r] for r in paged] == [[(1, best[REPORT])], [(2, best[COMMUNIQUE])], []]
    assert [r.total for r in paged] == [2, 2, 2]


@pytest.mark.parametrize("kwargs", [{"date_from": "1990"}, {"date_to": "2030"}, {"filters": {"lang": "en"}}])
def test_per_doc_with_a_filter(seeds_index, kwargs):
    with Searcher(seeds_index) as s:
        results = s.search("relations", per_doc=1, **kwargs)
        best = _best_passages(s, "relations")
    assert [h.id for h in results] == [best[REPORT], best[COMMUNIQUE]]
    assert results.total == 2


# -- did you mean ------------------------------------------------------------------------------

def test_did_you_mean_is_offered_never_applied(seeds_index):
    with Searcher(seeds_index) as s:
        results = s.search("Albrigth")
        assert (results.total, results.hits, results.query) == (0, (), "Albrigth")
        assert results.suggestion.lower() == "albright"
        assert found(s.index_dir, results.suggestion) == {C[0], C[11]}
        assert s.search("Albright").suggestion is None
        assert s.search("misile issue").suggestion == "missile issue"
        assert s.search("zzyzzyvax").suggestion is None           # nothing close: no suggestion


def test_did_you_mean_prefers_the_closest_word(seeds_index):
    with Searcher(seeds_index) as s:
        assert s.search("Madeline Albright").suggestion == "Madeleine Albright"


# -- passage, explain, stats ---------------------------------------------------------------

def test_passage_with_context(seeds_index):
    with Searcher(seeds_index) as s:
        ctx = s.passage(C[6], context=1, query="missile")
        start = s.passage(C[0], context=2)
        end = s.passage(C[11], context=1)
        alone = s.passage(R[3], context=0)
    assert [p.id for p in ctx.passages] == [C[5], C[6], C[7]] and ctx.focus == 1
    assert (ctx.id, ctx.doc_id, ctx.path, ctx.title, ctx.date) == (
        C[6], f"seeds/{COMMUNIQUE}", COMMUNIQUE, "DPRK-U.S.A. Joint Communiqué", "2000-10-09")
    assert marked(ctx.passages[1].snippet) == ["missile", "missile", "missile"]
    assert ctx.passages[1].snippet.text == ctx.passages[1].text     # whole, not cut
    assert marked(ctx.passages[0].snippet) == []
    assert [p.id for p in start.passages] == C[0:3] and start.focus == 0
    assert [p.id for p in end.passages] == [C[10], C[11]] and end.focus == 1
    assert [p.id for p in alone.passages] == [R[3]] and alone.passages[0].section == \
        "Part I. Changes in the External Environment"


@pytest.mark.parametrize("passage_id,error", [
    ("nope", QueryError), (f"{COMMUNIQUE}#x", QueryError), (f"{COMMUNIQUE}#99", PassageNotFoundError),
    ("docs/missing.txt#0", PassageNotFoundError), ("seeds/missing.txt#0", PassageNotFoundError),
])
def test_passage_errors(seeds_index, passage_id, error):
    with Searcher(seeds_index) as s, pytest.raises(error):
        s.passage(passage_id)


def test_explain_shows_the_reading(seeds_index):
    with Searcher(seeds_index) as s:
        assert s.explain('"agreed framework"') == 'phrase "agreed framework"'
        assert s.explain("missiles -nuclear") == 'AND(word "missiles" -> missil, NOT word "nuclear")'
        assert s.explain("missile launch", operator="or") == 'OR(word "missile" -> missil, word "launch")'
        assert s.explain('"no hostile') == ('phrase "no hostile"\n'
                                            "note: closed the unterminated quote (column 1) at the end")
        assert s.explain("date:[1993 TO 1995-06]") == "date:[1993 TO 1995-06] -> 19930000..19950631"


def test_stats_on_the_seeds(seeds_index):
    with Searcher(seeds_index) as s:
        st = s.stats()
    assert (st.documents, st.passages, st.date_from, st.date_to) == (2, 20, "2000-10-09", "2019-11-04")
    assert st.sources == {"(unknown)": 1, "Institute for Corean-American Studies (ICAS)": 1}
    assert st.languages == {"en": 2}
    assert st.size_bytes > 0 and st.index_dir == str(seeds_index)


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("query,message", [
    ("(missile AND nuclear", "unbalanced parenthesis at column 1"),
    ("missile AND (nuclear OR launch))", "unbalanced parenthesis"),
    ("foo:bar", "unknown field 'foo'"),
    ("date:2000-13", "bad date '2000-13' (no month 13)"),
    ("date:[1995 TO 1993]", "ends before it starts"),
    ("date:October", "bad date"),
    ("", "empty query"),
    ("   ", "empty query"),
    ("AND", "empty query"),
    ("missile AND", "AND"),
    ("col*r", "*"),
    ("word~3", "fuzzy distance 3"),
])
def test_malformed_queries_raise_query_error(seeds_index, query, message):
    with Searcher(seeds_index) as s:
        with pytest.raises(QueryError) as e:
            s.search(query)
        assert message in str(e.value)
        with pytest.raises(QueryError):
            s.explain(query)


def test_unbalanced_quote_is_read_leniently_and_noted(seeds_index):
    with Searcher(seeds_index) as s:
        results = s.search('"no hostile intention')
    assert [h.id for h in results] == [C[2]]
    assert results.notes == ("closed the unterminated quote (column 1) at the end",)


def test_no_index_at_a_given_folder(tmp_path):
    nope = tmp_path / "nope"
    with pytest.raises(IndexNotFoundError) as e:
        Searcher(nope)
    assert str(e.value) == f"No index in {nope}; run 'docsearch index DOCS --index {nope}' first"
    assert not nope.exists()                       # a given folder is never built from the seeds


def test_folder_that_is_not_an_index(tmp_path):
    write(tmp_path / "mine" / "notes.txt", "my notes")
    with pytest.raises(NotAnIndexError, match="not a docsearch index"):
        Searcher(tmp_path / "mine")


def test_outdated_index(seeds_copy, tmp_path):
    idx = tmp_path / "idx"
    build_index([seeds_copy], idx)
    marker = json.loads((idx / MARKER).read_text())
    marker["schema_version"] = 0
    (idx / MARKER).write_text(json.dumps(marker))
    with pytest.raises(IndexVersionError, match=r"schema version 0.*--rebuild"):
        Searcher(idx)


def test_searcher_sees_a_commit_made_while_it_is_open(tmp_path):
    idx = make_index(tmp_path, {"a.txt": "The walrus colony on the northern shore was counted in 1998.\n"})
    with Searcher(idx) as s:
        assert found(idx, "pelican") == set()
        write(tmp_path / "docs" / "b.txt", "A pelican landed on the harbour wall during the count.\n")
        build_index([tmp_path / "docs"], idx)
        assert [h.id for h in s.search("pelican")] == ["docs/b.txt#0"]


def test_closed_searcher_refuses_politely(seeds_index):
    s = Searcher(seeds_index)
    s.close()
    with pytest.raises(DocsearchError, match="closed"):
        s.search("missile")


# -- the default index -----------------------------------------------------------------------

def test_default_searcher_builds_from_the_seeds_with_a_notice(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "empty"))
    default = tmp_path / "empty" / "docsearch" / "index"
    with Searcher() as s:
        assert [h.id for h in s.search('"no hostile intention"')] == [C[2]]
    err = capsys.readouterr().err
    assert err == f"docsearch: no index yet; indexing the bundled seeds into {default}\n"
    assert (default / MARKER).exists()
    with Searcher() as s:                          # the second time: no build, no notice
        assert s.stats().documents == 2
    assert capsys.readouterr().err == ""


def test_default_searcher_builds_into_an_existing_empty_folder(capsys, monkeypatch, tmp_path):
    (tmp_path / "docsearch" / "index").mkdir(parents=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    with Searcher() as s:
        assert s.stats().documents == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_docsearch_index_naming_an_empty_or_missing_folder_is_an_error_like_index(monkeypatch, tmp_path):
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "empty", tmp_path / "missing"):
        monkeypatch.setenv("DOCSEARCH_INDEX", str(target))
        with pytest.raises(IndexNotFoundError, match=r"\(from \$DOCSEARCH_INDEX\)"):
            Searcher()
    assert list((tmp_path / "empty").iterdir()) == [] and not (tmp_path / "missing").exists()


def test_aliases_rank_on_an_index_where_a_segment_has_no_titles(tmp_path):
    """The typed-first floor needs the longest title of the index; a segment whose passages
    have no title has no title lengths at all (Whoosh's max_field_length raised on it)."""
    from whoosh import query as wq

    from search.rank.tiers import TypedFirst

    docs = tmp_path / "docs"
    write(docs / "a.md", "# The DPRK report\n\nThe DPRK and North Korea met the envoy.\n")
    build_index([docs], tmp_path / "idx")
    write(docs / "b.txt", "north korea talks went on; the DPRK delegation left.\n")
    build_index([docs], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        searcher = s._current()
        assert len(searcher.leaf_searchers()) == 2
        hits = s.search("DPRK")
        assert [Path(h.path).name for h in hits] == ["a.md", "b.txt"]
        q = TypedFirst(wq.Term("title", "dprk"), wq.Term("body", "korea"))
        assert {searcher.stored_fields(h.docnum)["path"] for h in searcher.search(q)} == {"a.md", "b.txt"}


def test_top_set_holds_what_best_ranks_with_ties_at_the_edge():
    """The proximity window takes the best passages as a set; with many equal scores at the
    edge, it must be the set best() ranks, and ask tie() only about the edge."""
    import random

    import numpy as np

    from search.rank.evaluate import Scores

    rng = random.Random(3)
    for _ in range(200):
        size = rng.randint(1, 60)
        ids = np.array(sorted(rng.sample(range(1000), size)), np.int64)
        values = np.array([rng.choice([1.0, 2.0, 2.5, 3.0]) for _ in range(size)])
        scores = Scores(ids, values)
        tie = lambda d: (str(d * 7919 % 1000), d)      # an order unlike the docnums'
        n = rng.randint(1, 70)
        asked = []
        got = scores.top_set(n, lambda d: asked.append(d) or tie(d))
        assert got.tolist() == sorted(d for d, _ in scores.best(n, tie))
        cutoff = sorted(values, reverse=True)[min(n, size) - 1]
        assert all(scores.values[list(ids).index(d)] == cutoff for d in asked)
