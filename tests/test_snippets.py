"""Snippets: what is marked, which window is shown, and how it is rendered."""
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.store.analysis import EXACT, STEMMED
from search.query.match import MatchSpec, PhraseSpec
from search.present.snippets import Snippet, find_matches, make_snippet

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Sentences from seeds/000_50900fcff45a5147.txt (the DPRK-U.S.A. Joint Communiqué).
HOSTILE = ("As the first important step both sides declared that any of the two governments "
           "entertains no hostile intention toward the other and affirmed the commitment to make "
           "all efforts to establish new relations free from past antagonism in the future.")
MISSILE = ("The DPRK side informed the U.S. that it will not launch any long-range missile while "
           "the talks are going on to discuss the missile issue as an effort to build new relations.")
FRAMEWORK = ("For this both sides agreed to make clearer the implementation of the commitments made "
             "in the agreed framework.")
ALBRIGHT = ("It was agreed that Secretary of State Medeleine Albright will visit the DPRK in the near "
            "future in order to directly convey President William Clinton's view to Kim Jong Il.")
# From seeds/001_ac2c5635a7d32ac0.txt.
HANGUL = "Understanding North Korea 2000 [2000년 북한이해]. The original document can be found here."


def marked(snippet: Snippet) -> list[str]:
    return [snippet.text[s:e] for s, e in snippet.highlights]


def words(text: str) -> frozenset[str]:
    """The STEMMED terms of a plain-word query, as the parser puts them in a MatchSpec."""
    return frozenset(STEMMED.terms(text))


def phrase(text: str, slop: int = 0) -> PhraseSpec:
    return PhraseSpec(tuple(EXACT.terms(text)), slop)


# --- what is marked ------------------------------------------------------------------------

def test_phrase_marks_whole_phrase_not_a_lone_word():
    text = HOSTILE + " Neither side doubted the intention of the other."
    snippet = make_snippet(text, MatchSpec(phrases=(phrase("no hostile intention"),)), size=400)
    assert marked(snippet) == ["no hostile intention"]
    assert snippet.highlights == ((91, 111),)


def test_stemmed_word_marks_every_inflected_form():
    text = MISSILE + " Missiles were not discussed."
    assert words("missiles") == {"missil"}
    snippet = make_snippet(text, MatchSpec(stemmed=words("missiles")), size=400)
    assert marked(snippet) == ["missile", "missile", "Missiles"]


def test_stop_word_in_text_is_not_a_stemmed_term():
    # "does" stems to "doe" but is a stop word: not indexed in the stemmed field, not marked.
    spans = find_matches("What does John Doe say?", MatchSpec(stemmed=frozenset({"doe"})))
    assert spans == [(15, 18)]


def test_excluded_word_is_not_marked():
    # 'missile NOT framework' and 'missile -framework': the parser leaves framework out.
    text = MISSILE + " " + FRAMEWORK
    snippet = make_snippet(text, MatchSpec(stemmed=words("missile")), size=400)
    assert marked(snippet) == ["missile", "missile"]
    assert "framework" in snippet.text


@pytest.mark.parametrize("text,expected", [
    ("entertains no hostile-intention toward", "no hostile-intention"),
    ("entertains no hostile\nintention toward", "no hostile intention"),
    ("entertains no\r\n   hostile intention toward", "no hostile intention"),
    ("entertains no “hostile” intention toward", "no “hostile” intention"),
    ("entertains “no hostile intention” toward", "no hostile intention"),
])
def test_phrase_across_hyphen_line_break_and_curly_quote(text, expected):
    snippet = make_snippet(text, MatchSpec(phrases=(phrase("no hostile intention"),)))
    assert marked(snippet) == [expected]


def test_hyphenated_name_matches_spaced_phrase():
    text = ("Vice marshal Jo Myong Rok, first vice-chairman of the National Defense Commission. "
            "Jo Myong-rok, Vice-Chairman of the DPRK’s National Defense Commission")
    snippet = make_snippet(text, MatchSpec(phrases=(phrase("Jo Myong-rok"),)))
    assert marked(snippet) == ["Jo Myong Rok", "Jo Myong-rok"]


def test_sloppy_phrase_marks_its_words_in_order_within_slop():
    spec = MatchSpec(phrases=(phrase("hostile toward", slop=1),))
    snippet = make_snippet(HOSTILE, spec, size=400)
    assert marked(snippet) == ["hostile", "toward"]
    assert find_matches(HOSTILE, MatchSpec(phrases=(phrase("hostile toward"),))) == []
    assert find_matches(HOSTILE, MatchSpec(phrases=(phrase("toward hostile", slop=5),))) == []
    assert find_matches(HOSTILE, MatchSpec(phrases=(phrase("no toward", slop=1),))) == []


def test_sloppy_phrase_tries_later_occurrences_of_a_word():
    # The first "b" is too far from "c"; the second one is within the slop.
    spec = MatchSpec(phrases=(PhraseSpec(("a", "b", "c"), slop=1),))
    assert find_matches("a b b x c", spec) == [(0, 1), (4, 5), (8, 9)]


def test_prefix_marks_words_that_start_with_it():
    text = ("Considering that improving the bilateral relations is a natural aim, both sides "
            "declared a new orientation in the bilateral relations.")
    snippet = make_snippet(text, MatchSpec(prefixes=frozenset({"bilat"})))
    assert marked(snippet) == ["bilateral", "bilateral"]


def test_fuzzy_marks_words_within_edit_distance():
    spec = MatchSpec(fuzzy=(("albrigth", 2), ("madeleine", 1)))   # a transposition; a substitution
    assert marked(make_snippet(ALBRIGHT, spec)) == ["Medeleine", "Albright"]
    # As Whoosh's fuzzy search counts it (README): a swap of two letters is two edits.
    assert find_matches(ALBRIGHT, MatchSpec(fuzzy=(("albrigth", 1),))) == []
    assert find_matches(ALBRIGHT, MatchSpec(fuzzy=(("albrigth", 0),))) == []
    assert find_matches(ALBRIGHT, MatchSpec(fuzzy=(("elbrigth", 1),))) == []


@pytest.mark.parametrize("spec,expected", [
    (MatchSpec(stemmed=words("북한")), ["북한"]),
    (MatchSpec(stemmed=words("이해")), ["이해"]),
    (MatchSpec(exact=frozenset({"한이"})), ["한이"]),
    (MatchSpec(phrases=(phrase("북한이해"),)), ["북한이해"]),
    (MatchSpec(stemmed=words("북한이")), ["북한이"]),          # overlapping bigrams: one span
    (MatchSpec(prefixes=frozenset({"북"})), ["북"]),
    (MatchSpec(stemmed=words("2000년")), ["2000", "2000년"]),
])
def test_hangul_highlight_covers_exactly_the_matched_characters(spec, expected):
    snippet = make_snippet(HANGUL, spec)
    assert marked(snippet) == expected


def test_english_next_to_hangul_is_marked_as_english():
    assert marked(make_snippet(HANGUL, MatchSpec(stemmed=words("understand")))) == ["Understanding"]


def test_stemmed_matches_agree_with_the_stemmed_analyzer_on_the_seeds():
    # Every STEMMED token of the text (stop words dropped) is marked, and nothing else.
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        tokens = list(STEMMED.tokens(text))
        spans = find_matches(text, MatchSpec(stemmed=frozenset(t.text for t in tokens)))
        merged = []
        for t in tokens:
            if merged and t.start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], t.end))
            else:
                merged.append((t.start, t.end))
        assert spans == merged


# --- the window ----------------------------------------------------------------------------

def test_window_with_both_terms_beats_repeats_of_one():
    text = ("They shared the view that the settlement of the missile issue would make an important "
            "contribution. " + MISSILE + " " + ALBRIGHT + " " + FRAMEWORK +
            " The missile talks will continue.")
    spec = MatchSpec(stemmed=words("missile framework"))
    snippet = make_snippet(text, spec, size=120)
    assert snippet.text == ("…to make clearer the implementation of the commitments made in the agreed "
                            "framework. The missile talks will continue.")
    assert marked(snippet) == ["framework", "missile"]


def test_window_prefers_closer_matches_then_earlier():
    text = ("missile " + "x " * 30 + "framework " + "y " * 80 + "missile framework " + "z " * 80 +
            "missile framework")
    snippet = make_snippet(text, MatchSpec(stemmed=words("missile framework")), size=80)
    assert marked(snippet) == ["missile", "framework"]
    start = snippet.text.index("missile framework")
    assert snippet.text[start - 4:start] == "y y "


def test_cut_at_word_boundaries_with_ellipses():
    text = "Considering the bilateral relations of the two states. " + HOSTILE
    snippet = make_snippet(text, MatchSpec(phrases=(phrase("no hostile intention"),)), size=80)
    assert snippet.text == ("…two governments entertains no hostile intention toward the other and "
                            "affirmed…")
    assert len(snippet.text) <= 80
    assert marked(snippet) == ["no hostile intention"]


@pytest.mark.parametrize("size", range(30, 130, 3))
def test_cuts_never_split_a_word_or_a_hyphenated_name(size):
    text = ("Jo Myong-rok, Vice-Chairman of the DPRK’s National Defense Commission meets with the "
            "Secretary of Defense William Cohen at the Pentagon in 2000 | Source: Wikimedia Commons")
    whole_words = {w.strip(",|:") for w in text.split()}
    snippet = make_snippet(text, MatchSpec(stemmed=words("commission")), size=size)
    shown = snippet.text.strip("…").split()
    assert len(snippet.text) <= size
    assert shown[0].strip(",|:") in whole_words and shown[-1].strip(",|:") in whole_words
    assert marked(snippet)[0] == "Commission"


def test_snippet_starts_at_the_sentence_before_the_match():
    text = ("Both sides agreed to continue contacts to discuss the above said issue and other "
            "humanitarian issues. " + MISSILE)
    snippet = make_snippet(text, MatchSpec(stemmed=words("missile")), size=140)
    assert snippet.text == ("…The DPRK side informed the U.S. that it will not launch any long-range "
                            "missile while the talks are going on to discuss the missile issue…")


def test_whole_passage_when_short():
    snippet = make_snippet(FRAMEWORK, MatchSpec(phrases=(phrase("agreed framework"),)))
    assert snippet.text == FRAMEWORK
    assert marked(snippet) == ["agreed framework"]


def test_start_of_passage_when_nothing_matches():
    # A title-only match: nothing to mark in the body.
    snippet = make_snippet(HOSTILE, MatchSpec(stemmed=words("albright")), size=60)
    assert snippet == Snippet("As the first important step both sides declared that any of…", ())
    assert make_snippet(HOSTILE, MatchSpec(), size=60) == snippet


def test_whitespace_is_collapsed_and_offsets_follow():
    text = ("  During the visit\n\nspecial envoy   Jo Myong Rok conveyed\ta personal letter of "
            "Kim Jong Il,\r\n  Chairman of the DPRK NDC.\n")
    spec = MatchSpec(phrases=(phrase("Jo Myong Rok"), phrase("Kim Jong Il")),
                     stemmed=words("chairman"))
    snippet = make_snippet(text, spec)
    assert snippet.text == ("During the visit special envoy Jo Myong Rok conveyed a personal letter "
                            "of Kim Jong Il, Chairman of the DPRK NDC.")
    assert marked(snippet) == ["Jo Myong Rok", "Kim Jong Il", "Chairman"]


def test_whitespace_collapsed_in_a_cut_snippet():
    text = "Opening words here. " * 10 + "no   hostile\n\n\nintention   toward " + "the other " * 20
    snippet = make_snippet(text, MatchSpec(phrases=(phrase("no hostile intention"),)), size=60)
    assert marked(snippet) == ["no hostile intention"]
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert "  " not in snippet.text and len(snippet.text) <= 60


def test_tokens_can_be_passed_in():
    tokens = list(EXACT.tokens(HOSTILE))
    spec = MatchSpec(phrases=(phrase("no hostile intention"),))
    assert make_snippet(HOSTILE, spec, size=80, tokens=tokens) == make_snippet(HOSTILE, spec, size=80)


def test_size_must_leave_room_for_text():
    with pytest.raises(ValueError, match="size must be at least 3"):
        make_snippet(HOSTILE, MatchSpec(), size=2)


# --- rendering -----------------------------------------------------------------------------

def test_to_html_escapes_the_document_and_marks_matches():
    text = 'Tom & Jerry <script>alert(1)</script> "missile" talks'
    snippet = make_snippet(text, MatchSpec(stemmed=words("missile alert")))
    assert snippet.to_html() == ('Tom &amp; Jerry &lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; '
                                 '&quot;<mark>missile</mark>&quot; talks')


def test_to_ansi_strips_escape_sequences_and_controls_from_the_document():
    text = ("missile \x1b[31mred\x1b[0m \x07bell \x9b2Jclear \x1b]0;pwned\x07title "
            "\x1b]52;c;ZXZpbA==\x1b\\clip \x00nul\x7f end")
    snippet = Snippet(text, ((0, 7),))
    assert snippet.to_ansi(color=False) == "missile red bell clear title clip nul end"
    assert snippet.to_ansi() == "\x1b[1;33mmissile\x1b[0m red bell clear title clip nul end"


def test_to_ansi_strips_controls_inside_a_highlight():
    snippet = Snippet("a mis\x1b[2Jsile b", ((2, 13),))
    assert snippet.to_ansi() == "a \x1b[1;33mmissile\x1b[0m b"
    assert snippet.to_html() == "a <mark>missile</mark> b"


def test_to_dict():
    snippet = make_snippet(FRAMEWORK, MatchSpec(phrases=(phrase("agreed framework"),)))
    assert snippet.to_dict() == {"text": FRAMEWORK, "highlights": [[93, 109]]}


def test_snippet_rejects_bad_highlights():
    with pytest.raises(ValueError, match="sorted, non-overlapping"):
        Snippet("missile", ((3, 2),))
    with pytest.raises(ValueError, match="sorted, non-overlapping"):
        Snippet("missile", ((0, 4), (3, 5)))
    with pytest.raises(ValueError, match="within the text"):
        Snippet("missile", ((0, 8),))


# --- properties ----------------------------------------------------------------------------

VOCAB = ["missile", "missiles", "no", "hostile", "intention", "the", "U.S.", "US", "us",
         "Jo", "Myong-rok", "북한이해", "2000년", "P'yŏngyang", "agreed", "framework", "a", "b"]
PIECES = VOCAB + [" ", "  ", "\n", "\n\n", "\t", "-", "“", "”", ".", ", ", "…", "&", "<b>", "\x1b[1m"]


def _spec_strategy():
    terms = st.sampled_from(VOCAB).map(lambda w: EXACT.terms(w) or ["x"])
    exact_terms = terms.map(lambda ts: ts[0])
    return st.builds(
        MatchSpec,
        stemmed=st.frozensets(st.sampled_from(VOCAB).map(lambda w: (STEMMED.terms(w) or ["x"])[0]),
                              max_size=3),
        exact=st.frozensets(exact_terms, max_size=2),
        phrases=st.lists(st.builds(PhraseSpec,
                                   st.lists(exact_terms, min_size=1, max_size=3).map(tuple),
                                   st.integers(0, 2)), max_size=2).map(tuple),
        prefixes=st.frozensets(exact_terms.map(lambda t: t[:2]), max_size=2),
        fuzzy=st.lists(st.tuples(exact_terms, st.integers(0, 2)), max_size=2).map(tuple),
    )


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.lists(st.sampled_from(PIECES), max_size=120).map("".join), st.text(max_size=300)),
       spec=_spec_strategy(), size=st.integers(3, 200))
def test_highlights_are_sorted_in_bounds_and_non_empty(text, spec, size):
    snippet = make_snippet(text, spec, size=size)
    assert len(snippet.text) <= size
    last = 0
    for s, e in snippet.highlights:
        assert last <= s < e <= len(snippet.text)
        assert snippet.text[s:e].strip()
        last = e
    spans = find_matches(text, spec)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        last = e
    assert "\x1b" not in snippet.to_ansi(color=False)


ACRONYM_PIECES = PIECES + ["U.S.", "U.S.A.", "D.P.R.K.", "e.g.", "a.", "A.B", "DPRK's", "P'yŏngyang", "Kim's",
                           "'s", "’", "2000년", "北朝鮮", "x.y.z", "Jo Myong-rok", "_", "é", "ŏ"]


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.lists(st.sampled_from(ACRONYM_PIECES), max_size=80).map("".join), st.text(max_size=200)))
def test_snippets_see_the_same_tokens_as_the_analyzer(text):
    """Snippets scan a passage their own, faster way (search/present/snippets.py token_table): the
    terms and character spans must stay those of indexer.store.analysis.EXACT, or highlights would
    drift from what the index matched."""
    from search.present.matching import token_table

    terms, span = token_table(text, None)
    tokens = list(EXACT.tokens(text, lines=False))    # words read on their own; MatchSpec carries both cases
    assert terms == [t.text for t in tokens]
    assert [span(i) for i in range(len(terms))] == [(t.start, t.end) for t in tokens]
    assert [t.pos for t in tokens] == list(range(len(tokens)))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(ACRONYM_PIECES + ["does", "Doe", "doe's", "running", "runs"]),
                     max_size=80).map("".join), spec=_spec_strategy())
def test_the_stem_prefilter_marks_what_the_full_scan_marks(text, spec):
    """Snippets look up only the tokens whose stem or term the spec holds; that must change nothing."""
    import search.present.matching as M

    fast = find_matches(text, spec)
    saved, M.PREFILTER = M.PREFILTER, False
    try:
        assert find_matches(text, spec) == fast
    finally:
        M.PREFILTER = saved


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.lists(st.sampled_from(ACRONYM_PIECES), max_size=80).map("".join), st.text(max_size=200)))
def test_the_spaced_scan_is_the_analyzer_on_single_spaced_text(text):
    """The fast scan (indexer.store.analysis._spaced_scan: chunk by chunk, offsets on demand) must give
    EXACT's terms and spans on the single-spaced, CJK-free text snippets work on."""
    from indexer.store.analysis import _CJK_RUN, _spaced_scan

    text = re.sub(r"\s+", " ", _CJK_RUN.sub("x", text))
    terms, span = _spaced_scan(text)
    tokens = list(EXACT.tokens(text, lines=False))
    assert terms == [t.text for t in tokens]
    assert [span(i) for i in range(len(terms))] == [(t.start, t.end) for t in tokens]


def _refuse_exact_tokens(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the slow path (EXACT.tokens) was taken")
    monkeypatch.setattr(EXACT, "tokens", refuse)


@pytest.mark.parametrize("text", [
    MISSILE, HOSTILE + " " + ALBRIGHT, " leading and trailing spaces ",
    "The U.S.-DPRK talks (1994–2000) agreed: “no hostile intention”; P’yŏngyang’s reply, e.g. N.K.’s.",
])
def test_snippets_take_the_fast_scan_for_text_without_cjk(text, monkeypatch):
    """The fast path must be live, not silently replaced by EXACT.tokens: it once was, when
    indexer.store.analysis renamed what it imported."""
    from search.present.matching import token_table

    spec = MatchSpec(stemmed=words("missile agree"), phrases=(phrase("no hostile"),))
    tokens = [(t.text, t.start, t.end) for t in EXACT.tokens(text)]
    spans = find_matches(text, spec, tokens=list(EXACT.tokens(text)))
    _refuse_exact_tokens(monkeypatch)
    terms, span = token_table(text, None)
    assert [(t, *span(i)) for i, t in enumerate(terms)] == tokens
    assert find_matches(text, spec) == spans


def test_snippets_of_text_with_line_breaks_take_the_fast_scan(monkeypatch):
    """make_snippet collapses whitespace first, so a passage with line breaks and runs of
    spaces is scanned the fast way too, with the same result."""
    text = ("Opening words here.\n\n" * 6 + "The DPRK side informed the U.S.  that it will not\nlaunch any "
            "long-range\tmissile while the talks are going on;\r\nno   hostile\n\nintention.  " * 3)
    spec = MatchSpec(stemmed=words("missile talk"), phrases=(phrase("no hostile intention"),))
    expected = make_snippet(text, spec, size=120, tokens=list(EXACT.tokens(text)))
    _refuse_exact_tokens(monkeypatch)
    snippet = make_snippet(text, spec, size=120)
    assert snippet == expected
    assert marked(snippet) == ["missile", "talks", "no hostile intention"]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab. \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\x00é"), max_size=12))
def test_single_spaced_is_no_whitespace_to_collapse(text):
    from search.present.matching import SPACES, single_spaced

    assert single_spaced(text) == (SPACES.search(text) is None)


PHRASE_WORDS = ["a", "b", "c", "U.S.", "–", "x-a", "a's"]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(PHRASE_WORDS), max_size=40),
       terms=st.lists(st.sampled_from(["a", "b", "c", "x", "US"]), min_size=1, max_size=3))
def test_adjacent_phrases_are_found_where_the_general_search_finds_them(words, terms):
    """Phrases without slop are found by list.index and a slice compare; sloppy ones by
    _phrase_occurrences. With slop 0 both must find the same places."""
    from search.present.matching import _phrase_occurrences, collect, spaced_table

    text = " ".join(words)
    token_terms, span = spaced_table(text)
    phrase_spec = PhraseSpec(tuple(terms), 0)
    occurrences, spans = collect(token_terms, span, MatchSpec(phrases=(phrase_spec,)))
    paths = list(_phrase_occurrences(token_terms, phrase_spec))
    expected = [(span(path[0])[0], span(path[-1])[1]) for path in paths]
    assert [(s, e) for s, e, _ in occurrences] == expected
    assert spans == expected


def _window_by_brute_force(occurrences, budget):
    """Every run of consecutive occurrences that fits, scored as _best_window documents it."""
    best, region = None, (occurrences[0][0], min(occurrences[0][1], occurrences[0][0] + budget))
    for i, (start, _, _) in enumerate(occurrences):
        run = []
        for occ in occurrences[i:]:
            if occ[1] - start > budget:
                break
            run.append(occ)
        if not run:
            continue
        extent_end = max(e for _, e, _ in run)
        score = (len({k for _, _, keys in run for k in keys}), len(run), start - extent_end, -start)
        if best is None or score > best:
            best, region = score, (start, extent_end)
    return region


@settings(max_examples=500, deadline=None)
@given(occurrences=st.lists(st.tuples(st.integers(0, 300), st.integers(1, 40),
                                      st.lists(st.integers(0, 3), min_size=1, max_size=2).map(tuple)),
                            min_size=1, max_size=12),
       budget=st.integers(5, 120))
def test_best_window_is_the_best_run(occurrences, budget):
    from search.present.snippets import _best_window

    occurrences = sorted((s, s + n, keys) for s, n, keys in occurrences)
    occurrences.sort(key=lambda o: (o[0], o[1]))
    assert _best_window(occurrences, budget) == _window_by_brute_force(occurrences, budget)


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "B", "1", ".", "!", "?", " ", "  ", "\n", "”", "’", ")", "]", "“", "(",
                                      "_", "é", "É", "Mr.", "U.S. ", "e.g. The"]), max_size=40).map("".join),
       data=st.data())
def test_last_sentence_end_is_the_last_regex_match(text, data):
    from search.present.snippets import _SENTENCE_END, _last_sentence_end

    endpos = data.draw(st.integers(0, len(text)))
    pos = data.draw(st.integers(0, endpos))
    matches = list(_SENTENCE_END.finditer(text, pos, endpos))
    found = _last_sentence_end(text, pos, endpos)
    assert (found.span() if found else None) == (matches[-1].span() if matches else None)


# --- the anchored search: reading only the chunks where a query's word can stand -------------

STEM_BASES = ["", "a", "d", "l", "t", "v", "cr", "fl", "sk", "ski", "sky", "run", "hop", "agre", "nation", "possib",
              "communic", "commun", "organ", "gener", "past", "univers", "emerg", "later", "arsen", "ear", "on", "sing",
              "gent", "id", "ug", "proc", "exc", "succ", "inn", "out", "cann", "herr", "even", "geolog", "relat",
              "effect", "happ", "rational", "condition", "sensit", "digit", "hope", "bl", "iz", "at", "fil", "refug",
              "missil", "agenc", "abl", "notab", "capab", "respons", "mobil", "new", "how", "atl", "bi", "and"]
STEM_SUFFIXES = ["", "s", "es", "ies", "ied", "sses", "ss", "us", "ed", "edly", "ing", "ingly", "eed", "eedly", "y",
                 "ly", "ying", "tional", "ational", "enci", "ency", "anci", "ancy", "abli", "ably", "entli", "ently",
                 "izer", "ization", "ation", "ator", "alism", "aliti", "ality", "alli", "ally", "fulness", "ousli",
                 "ously", "ousness", "iveness", "iviti", "ivity", "biliti", "bility", "bli", "bly", "ogi", "ogy",
                 "ogist", "fulli", "fully", "lessli", "lessly", "li", "alize", "icate", "iciti", "icity", "ical",
                 "ful", "ness", "ative", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment",
                 "ent", "ism", "ate", "iti", "ity", "ous", "ive", "ize", "ion", "sion", "tion", "e", "l", "ll", "le",
                 "bb", "dd", "tt", "at", "iz", "ie"]


def test_a_stem_needle_begins_every_word_with_that_stem():
    """_collect_anchored finds stemmed words by their stem's needle (search/present/snippets.py
    _stem_needle): it must begin every word the stemmer maps to that stem, or a highlight
    would be lost. Checked on Snowball's suffixes and exceptions, combined, and the seeds."""
    from search.present.matching import _stem_needle

    words = {b + s1 + s2 for b in STEM_BASES for s1 in STEM_SUFFIXES for s2 in ("", "s", "ing", "ed", "ly")}
    words |= {"dying", "lying", "tying", "vying", "skies", "skis", "idly", "gently", "ugly", "early", "only",
              "singly", "news", "howe", "atlas", "cosmos", "bias", "andes", "US", "UN", "2000", "1990s", "x_y"}
    words |= set(EXACT.terms(" ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))))
    wrong = [(term, STEMMED._stem(term)) for word in words for term in EXACT.terms(word)
             if not term.lower().startswith(_stem_needle(STEMMED._stem(term)))]
    assert wrong == []


ANCHOR_PIECES = ["missile", "missiles", "Missile", "MISSILE", "refugee", "refugees", "refuge", "human", "Human",
                 "rights", "right", "righted", "hope", "hoping", "dying", "die", "vying", "possibility", "possible",
                 "nation's", "nations", "Nations'", "don't", "dont", "U.S.", "US", "us", "U.S.A.", "e.g.", "UN",
                 "un", "the", "of", "and", "no", "hostile", "intention", "Jo", "Myong-rok", "rok", "2000", "x_y",
                 "-", "--", "(", ")", ",", ".", ";", "'", "'s", "s'", " ", " ", " ", " "]


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(ANCHOR_PIECES), max_size=60).map(" ".join)
       | st.lists(st.sampled_from(ANCHOR_PIECES), max_size=60).map("".join),
       stemmed=st.frozensets(st.sampled_from(["missil", "refuge", "human", "right", "hope", "die", "vie", "possibl",
                                              "nation", "US", "UN", "2000", "dont"]), max_size=3),
       exact=st.frozensets(st.sampled_from(["us", "US", "UN", "un", "the", "rok", "x_y", "dont"]), max_size=2),
       phrases=st.lists(st.lists(st.sampled_from(["human", "rights", "missiles", "no", "hostile", "jo", "myong",
                                                  "rok", "nation", "us", "US", "the", "of", "dont", "refugees"]),
                                 min_size=1, max_size=3).map(tuple), max_size=2))
@example(text="human - - rights, no -- - hostile - nation's rok", stemmed=frozenset({"right"}), exact=frozenset(),
         phrases=[("human", "rights"), ("no", "hostile"), ("nation", "rok")])
@example(text="- human rights -", stemmed=frozenset(), exact=frozenset({"rok"}), phrases=[("human", "rights")])
def test_the_anchored_and_chunk_searches_find_what_every_token_finds(text, stemmed, exact, phrases):
    """Both fast searches (_collect_anchored for ASCII text, _collect_chunks) against every token
    of EXACT.tokens through _Matcher.keys, on single-spaced text."""
    import search.present.matching as M
    import search.present.scan as S

    text = re.sub(r"\s+", " ", text)
    spec = MatchSpec(stemmed=stemmed, exact=exact, phrases=tuple(PhraseSpec(p) for p in phrases))
    matcher = M.matcher_for(spec)
    saved = M.PREFILTER, S._ANCHOR_LIMIT
    M.PREFILTER = False                        # collect: every token through Matcher.keys
    S._ANCHOR_LIMIT = len(text) + 1             # collect_anchored: never too many places to look at
    try:
        expected = M.collect(*M.token_table(text, list(EXACT.tokens(text, lines=False))), spec)
        assert S.collect_anchored(text, spec, matcher) == expected
        assert S.collect_chunks(text, spec, matcher) == expected
    finally:
        M.PREFILTER, S._ANCHOR_LIMIT = saved


@pytest.mark.parametrize("text,spec,expected", [
    ("They don't agree.", MatchSpec(exact=frozenset({"dont"})), ["don't"]),
    ("At one o'clock.", MatchSpec(stemmed=frozenset({"oclock"})), ["o'clock"]),
    ("The U.S. said so.", MatchSpec(exact=frozenset({"US"})), ["U.S."]),
    ("The U.S. said so.", MatchSpec(phrases=(PhraseSpec(("the", "US", "said")),)), ["The U.S. said"]),
    ("Talks, e.g. on missiles.", MatchSpec(phrases=(PhraseSpec(("eg", "on")),)), ["e.g. on"]),
])
def test_words_written_with_an_apostrophe_or_dots_are_found(text, spec, expected):
    """Their lower-cased text does not hold their term, so the anchored search reads their chunks too."""
    assert [text[s:e] for s, e in find_matches(text, spec)] == expected


def test_snippets_of_ascii_text_read_only_the_chunks_that_may_match(monkeypatch):
    """The anchored search must be live for ASCII passages, and the chunk search for others
    without CJK: neither may fall back to the token-by-token scan."""
    import search.present.matching as M
    import search.present.scan as S

    spec = MatchSpec(stemmed=words("missile talks"), phrases=(phrase("no hostile intention"),))
    text = MISSILE + " " + HOSTILE
    latin = text.replace("relations", "relaciónes")
    expected = [make_snippet(t, spec, size=100) for t in (text, latin)]

    def refuse(*args):
        raise AssertionError("a slower search was taken")
    monkeypatch.setattr(M, "collect", refuse)
    monkeypatch.setattr(S, "collect_chunks", refuse)
    assert make_snippet(text, spec, size=100) == expected[0]
    monkeypatch.undo()
    monkeypatch.setattr(M, "collect", refuse)
    monkeypatch.setattr(S, "collect_anchored", refuse)
    assert make_snippet(latin, spec, size=100) == expected[1]
    assert marked(expected[0]) == ["missile", "talks", "missile"]
