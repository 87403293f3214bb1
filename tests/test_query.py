"""search/query/parse.py: each query form -> its Whoosh query, MatchSpec and explanation; each error -> QueryError."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer.errors import QueryError
from indexer.store.schema import create_index
from search.query.match import MatchSpec, PhraseSpec
from search.rank.whoosh_fixes import AndNot
from search.rank.tiers import MoreWordsFirst
from search.query.parse import (DATE_MAX, MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_CHARS, ParsedQuery, check_expansion,
                                date_range, parse_query)


def word(term: str, title: float = 2.0, section: float = 1.5, also: tuple[str, ...] = ()) -> wq.Query:
    """What a plain default-field word becomes; `also`: the terms a line in capitals may hold it under."""
    return wq.Or([wq.Term(name, t, boost=boost) for name, boost in (("body", 1.0), ("title", title),
                                                                    ("section", section)) for t in (term, *also)])


def exact_either(term: str, boost: float = 1.0) -> wq.Query:
    """A word searched as written, and as its either-reading term (a line in capitals holds "The")."""
    return wq.Or([wq.Term("exact", term), wq.Term("exact", term.capitalize())], boost=boost)


def everything_but(q: wq.Query) -> wq.Query:
    return AndNot(wq.Every(), q)


# --- structure -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("missiles", word("missil")),
    ("Missiles", word("missil")),
    ("missile nuclear", wq.And([word("missil"), word("nuclear")])),
    ("missile OR nuclear", wq.Or([word("missil"), word("nuclear")])),
    ("missile AND nuclear", wq.And([word("missil"), word("nuclear")])),
    # space binds loosest: a b OR c = a AND (b OR c); AND binds tighter than OR
    ("treaty missile OR rocket", wq.And([word("treati"), wq.Or([word("missil"), word("rocket")])])),
    ("treaty AND missile OR rocket", wq.Or([wq.And([word("treati"), word("missil")]), word("rocket")])),
    ("treaty OR missile AND rocket", wq.Or([word("treati"), wq.And([word("missil"), word("rocket")])])),
    ("(treaty OR missile) rocket", wq.And([wq.Or([word("treati"), word("missil")]), word("rocket")])),
    ("((treaty))", word("treati")),
    ("missile -nuclear", AndNot(word("missil"), word("nuclear"))),
    ("missile NOT nuclear", AndNot(word("missil"), word("nuclear"))),
    ("missile AND NOT nuclear", AndNot(word("missil"), word("nuclear"))),
    ("missile -nuclear -test", AndNot(word("missil"), wq.Or([word("nuclear"), word("test")]))),
    ('missile -"agreed framework"', AndNot(word("missil"), wq.Phrase("exact", ["agreed", "framework"]))),
    ("missile -(nuclear test)", AndNot(word("missil"), wq.And([word("nuclear"), word("test")]))),
    ("-missile", everything_but(word("missil"))),
    ("NOT missile", everything_but(word("missil"))),
    ("NOT NOT missile", word("missil")),
    ("missile OR NOT nuclear", wq.Or([word("missil"), everything_but(word("nuclear"))])),
    ("+missile nuclear", wq.And([word("missil"), word("nuclear")])),
    ("=missile", word("missil")),
    ("lower and nuclear", wq.And([word("lower"), word("nuclear")])),      # lower-case and/or/not are words
    ('"agreed framework"', wq.Phrase("exact", ["agreed", "framework"], slop=1)),
    ('"agreed framework"~2', wq.Phrase("exact", ["agreed", "framework"], slop=3)),
    ('"Missiles"', wq.Term("exact", "missiles")),
    # "rok" and "the" are also read as a line in capitals holds them ("JO MYONG ROK": Rok)
    ('"Jo Myong-rok"', wq.Or([wq.Phrase("exact", ["jo", "myong", "rok"]), wq.Phrase("exact", ["jo", "myong", "Rok"])])),
    ("“Jo Myong Rok”", wq.Or([wq.Phrase("exact", ["jo", "myong", "rok"]), wq.Phrase("exact", ["jo", "myong", "Rok"])])),
    ('"the agreed framework"', wq.Or([wq.Phrase("exact", ["the", "agreed", "framework"]),
                                      wq.Phrase("exact", ["The", "agreed", "framework"])])),
    ("Kumchang-ri", wq.Phrase("exact", ["kumchang", "ri"])),
    ("Kŭmch'ang-ri", wq.Phrase("exact", ["kumchang", "ri"])),
    ("북한이해", wq.Phrase("exact", ["북한", "한이", "이해"])),
    ("북한", word("북한")),
    ("U.S.", word("US", also=("Us",))),
    ("Pyŏng*", wq.Prefix("exact", "pyong")),
    ("missil*", wq.Prefix("exact", "missil")),
    ("albright~", wq.FuzzyTerm("exact", "albright", maxdist=1, prefixlength=1)),
    ("Albrigth~2", wq.FuzzyTerm("exact", "albrigth", maxdist=2, prefixlength=1)),
    ("title:missiles", wq.Term("title", "missil")),
    ("section:Missiles", wq.Term("section", "missil")),
    ('title:"agreed framework"', wq.Phrase("title", ["agre", "framework"], slop=1)),
    # the stemmed title drops "of" but keeps its position: the phrase may span it
    ('title:"council of europe"', wq.Phrase("title", ["council", "europ"], slop=2)),
    ("title:(nuclear OR missile)", wq.Or([wq.Term("title", "nuclear"), wq.Term("title", "missil")])),
    ("title:nuc*", wq.Prefix("title", "nuc")),
    ("source:KCNA", wq.Term("source", "kcna")),
    ('source:"Korean Central News"', wq.Phrase("source", ["korean", "central", "news"])),
    ("author:Jo-Myong", wq.Phrase("author", ["jo", "myong"])),
    ("lang:EN", wq.Term("language", "en")),
    ("language:ko", wq.Term("language", "ko")),
    ("path:reports/a.txt", wq.Term("path", "reports/a.txt")),
    ('path:"my docs/a b.txt"', wq.Term("path", "my docs/a b.txt")),
    ("path:reports/*", wq.Prefix("path", "reports/")),
    ("doc:abc123", wq.Term("doc_id", "abc123")),
    ("missile title:framework", wq.And([word("missil"), wq.Term("title", "framework")])),
    ("-title:framework missile", AndNot(word("missil"), wq.Term("title", "framework"))),
    ("http://example.org", wq.Phrase("exact", ["http", "example", "org"])),
    ("foo\\:bar", wq.Phrase("exact", ["foo", "bar"])),
    ('"foo:bar"', wq.Phrase("exact", ["foo", "bar"])),
    ("col\\*r", wq.Phrase("exact", ["col", "r"])),
    ("\\-missile", word("missil")),
    ("\\AND missile", wq.And([word("AND", also=("And",)), word("missil")])),  # an escaped operator is a word (an acronym)
])
def test_structure(text, expected):
    assert parse_query(text).query == expected


@pytest.mark.parametrize("text,expected", [
    ("date:2000", date_range(20000000, 20001231)),
    ("date:2000-10", date_range(20001000, 20001031)),
    ("date:2000-1", date_range(20000100, 20000131)),
    ("date:2000-10-09", date_range(20001009, 20001009)),
    ("date:2000-02-29", date_range(20000229, 20000229)),
    ("date:[1993 TO 1995-06]", date_range(19930000, 19950631)),
    ("date:[1993 to 1995-06-15]", date_range(19930000, 19950615)),
    ("date:[* TO 1995]", date_range(None, 19951231)),
    ("date:[1995-06 TO *]", date_range(19950600, None)),
    ("date:>=2000", date_range(20000000, None)),
    ("date:>2000", date_range(20001232, None)),
    ("date:<1995-06", date_range(None, 19950599)),
    ("date:<=1995-06", date_range(None, 19950631)),
    ('date:"2000-10"', date_range(20001000, 20001031)),
    ("date:(1994 OR 2000)", wq.Or([date_range(19940000, 19941231),
                                   date_range(20000000, 20001231)])),
    ("missile date:2000", wq.And([word("missil"), date_range(20000000, 20001231)])),
])
def test_dates(text, expected):
    assert parse_query(text).query == expected


def test_or_mode_makes_words_optional_and_plus_required():
    # Keywords: more matched words first (search/rank/tiers.py); a question: a plain OR.
    assert parse_query("missile nuclear", operator="or").query == MoreWordsFirst([word("missil"), word("nuclear")])
    assert parse_query("+missile nuclear weapons", operator="OR").query == wq.AndMaybe(
        word("missil"), MoreWordsFirst([word("nuclear"), word("weapon")]))
    assert parse_query("missile nuclear weapons treaty", operator="or").query == wq.Or(
        [word("missil"), word("nuclear"), word("weapon"), word("treati")])
    assert parse_query("missile nuclear -test", operator="or").query == AndNot(
        MoreWordsFirst([word("missil"), word("nuclear")]), word("test"))
    # explicit AND still binds: (a AND b) OR c
    assert parse_query("treaty AND missile rocket", operator="or").query == MoreWordsFirst(
        [wq.And([word("treati"), word("missil")]), word("rocket")])


def test_boosts_are_the_callers():
    got = parse_query("missile", boosts={"title": 3.0, "section": 1.0})
    assert got.query == word("missil", title=3.0, section=1.0)


@pytest.mark.parametrize("kwargs,fragment", [
    ({"operator": "xor"}, "operator must be 'and' or 'or'"),
    ({"boosts": {"abstract": 2.0}}, "boosts take non-negative weights"),
    ({"boosts": {"title": -1}}, "boosts take non-negative weights"),
])
def test_bad_arguments_are_value_errors(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_query("missile", **kwargs)


def test_extra_metadata_fields():
    got = parse_query("country:Japan", extra_fields=["country"])
    assert got.query == wq.Term("m_country", "japan")
    assert parse_query('Country:"South Korea"', extra_fields=["country"]).query == wq.Phrase(
        "m_country", ["south", "korea"])
    with pytest.raises(QueryError, match="unknown field 'country'"):
        parse_query("country:Japan")


# --- stop words ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected,note", [
    ("the missile", word("missil"), "ignored stop words: the"),
    # Excluded, a stop word is searched as written, as it is alone: `-the` removes what `the` finds.
    ("missile -the", AndNot(word("missil"), exact_either("the")), None),
    ("the who", wq.And([exact_either("the"), exact_either("who")]), "every word is a stop word"),
    ("to be or not to be", wq.And([exact_either("to", boost=2.0), exact_either("be", boost=2.0),
                                   exact_either("or"), exact_either("not")]),
     "every word is a stop word"),
    ("the -missile", AndNot(exact_either("the"), word("missil")), "every word is a stop word"),
])
def test_stop_words(text, expected, note):
    got = parse_query(text)
    assert got.query == expected
    assert any(note in n for n in got.notes) if note else not any("stop word" in n for n in got.notes)


def test_stop_word_fallback_is_highlighted_as_exact_terms():
    got = parse_query("the who")
    assert got.match == MatchSpec(exact=frozenset({"the", "who", "The", "Who", "THE", "WHO"}),
                                  in_capitals=frozenset({"THE", "WHO"}))
    assert got.words == ()


# --- MatchSpec and words ---------------------------------------------------------------------

@pytest.mark.parametrize("text,match", [
    ("missiles", MatchSpec(stemmed=frozenset({"missil"}))),
    ('"agreed framework" missile -nuclear',
     MatchSpec(stemmed=frozenset({"missil"}), phrases=(PhraseSpec(("agreed", "framework")),))),
    ('"agreed framework"~3', MatchSpec(phrases=(PhraseSpec(("agreed", "framework"), slop=3),))),
    ('"Missiles"', MatchSpec(exact=frozenset({"missiles"}))),
    ("Kumchang-ri", MatchSpec(phrases=(PhraseSpec(("kumchang", "ri")),))),
    ("Pyŏng* albrigth~2", MatchSpec(prefixes=frozenset({"pyong"}), fuzzy=(("albrigth", 2),))),
    ("missile OR rocket", MatchSpec(stemmed=frozenset({"missil", "rocket"}))),
    ("NOT missile", MatchSpec()),
    ('-"agreed framework" -(rocket OR test)', MatchSpec()),
    ("title:missile source:KCNA date:2000 lang:en treaty", MatchSpec(stemmed=frozenset({"treati"}))),
    ("NOT (NOT missile)", MatchSpec(stemmed=frozenset({"missil"}))),
])
def test_match_spec(text, match):
    assert parse_query(text).match == match


def test_words_are_positive_plain_words_in_query_order():
    got = parse_query('Missiles "agreed framework" -nuclear Pyong* (rocket OR launches) title:test Kumchang-ri')
    assert got.words == ("missil", "rocket", "launch")
    assert got.raw_words == ("Missiles", "rocket", "launches")


# --- explain ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,tree", [
    ('missile "agreed framework" -nuclear',
     'AND(word "missile" -> missil, phrase "agreed framework", NOT word "nuclear")'),
    ("treaty missile OR rocket", 'AND(word "treaty" -> treati, OR(word "missile" -> missil, word "rocket"))'),
    ('"Jo Myong-rok"~1', 'phrase "Jo Myong-rok"~1 -> jo myong rok'),
    ("Kumchang-ri", 'word "Kumchang-ri" -> phrase kumchang ri'),
    ("Pyŏng* albright~2", 'AND(prefix "Pyŏng*" -> pyong*, fuzzy "albright~2")'),
    ("-missile", 'NOT word "missile" -> missil'),
    ("missile -nuclear -test", 'AND(word "missile" -> missil, NOT word "nuclear", NOT word "test")'),
    ("title:missiles date:2000", 'AND(title:word "missiles" -> missil, date:2000 -> 20000000..20001231)'),
    ("=missile", '=word "missile" -> missil'),
])
def test_explain_tree(text, tree):
    assert parse_query(text).explain() == tree


def test_explain_shows_notes_after_the_tree():
    got = parse_query('missile "agreed framework')
    assert got.notes == ("closed the unterminated quote (column 9) at the end",)
    assert got.explain() == ('AND(word "missile" -> missil, phrase "agreed framework")\n'
                             "note: closed the unterminated quote (column 9) at the end")
    assert got.query == wq.And([word("missil"), wq.Phrase("exact", ["agreed", "framework"])])


def test_or_mode_explain_marks_optional_words():
    got = parse_query("+missile nuclear", operator="or")
    assert got.explain() == 'AND(word "missile" -> missil, OPTIONAL(word "nuclear"))'


# --- lenient readings ------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "what similarity laws must be obeyed when constructing aeroelastic models of heated high speed aircraft ?",
    'how do "effective" cross-sections vary, e.g. for U.S. (or foreign) craft?',
    "what methods -dash exact or approximate -dash are presently available for predicting body pressures .",
    "a general formulation of Bradford's distribution: y = a log(x + c) + b, where y is the ratio",
    "is there a (partial) answer to the question (of heat transfer?",
    "effects of heat) on slabs",
    "What is information science? Give definitions where possible.",
    "the time: 10:30, ratio 1:2",
])
def test_natural_language_questions_parse(text):
    assert isinstance(parse_query(text, operator="or"), ParsedQuery)
    assert isinstance(parse_query(text), ParsedQuery)


def test_natural_language_reading():
    got = parse_query('how do "effective" cross-sections vary, e.g. for U.S. (or foreign) craft?')
    assert got.words == ("vari", "eg", "US", "foreign", "craft")
    assert got.match.phrases == (PhraseSpec(("cross", "sections")),)
    assert got.match.exact == frozenset({"effective", "Us"})     # U.S.: also "Us", as a line in capitals holds it


def test_unmatched_parenthesis_without_operators_is_ignored_with_a_note():
    got = parse_query("heat (transfer slabs")
    assert got.query == wq.And([word("heat"), word("transfer"), word("slab")])
    assert got.notes == ("ignored the unmatched '(' at column 6 (parentheses only group with AND, OR, NOT "
                         "or a field)",)


def test_known_field_followed_by_a_space_is_a_word_with_a_note():
    got = parse_query("title: missile")
    assert got.query == wq.And([word("titl"), word("missil")])
    assert "read 'title:' (column 1) as the word 'title'" in got.notes[0]


def test_punctuation_alone_is_ignored():
    assert parse_query("missile ? , . -- + ~").query == word("missil")


def test_control_characters_and_surrogates_do_not_crash():
    got = parse_query("missile\x00nuclear\x1b[31m \ud800test\u200b")
    assert got.query == wq.And([word("missil"), word("nuclear"), word("31m"), word("test")])


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,fragment", [
    ("", "empty query: type one or more words"),
    ("   \t\n", "empty query: type one or more words"),
    ("AND", "empty query: 'AND' has only operators"),
    ("OR OR", "empty query: 'OR OR' has only operators"),
    ("NOT", "empty query: 'NOT' has only operators"),
    ("( )", "empty query: '( )' has only operators and parentheses"),
    ("?", "empty query: nothing searchable in '?'"),
    ('""', "empty query: nothing searchable in '\"\"' (ignored the empty phrase at column 1)"),
    ("title:the", "empty query: nothing searchable in 'title:the' (ignored stop words: title:the"),
    ("a (b OR c", "unbalanced parenthesis at column 3: 'a (b OR c' — close it with ')' or remove it"),
    ("a OR b)", "unbalanced parenthesis at column 7: 'a OR b)' — remove it or open it with '(' before"),
    ("missile -(nuclear test", "unbalanced parenthesis at column 10"),
    ("title:(nuclear", "unbalanced parenthesis at column 7"),
    ('a OR ("b c)', "(the quote at column 7 is never closed)"),
    ("missile AND", "AND has nothing after it at column 9: 'missile AND' — add a word after AND or remove it"),
    ("missile OR", "OR has nothing after it at column 9"),
    ("AND missile", "AND has nothing before it at column 1"),
    ("missile AND OR rocket", "AND has nothing after it at column 9"),
    ("missile NOT", "NOT has nothing after it at column 9"),
    ("(missile AND) rocket", "AND has nothing after it at column 10"),
    ("foo:bar", "unknown field 'foo' at column 1: 'foo:bar' — fields are author, body, date, doc, doc_id, "
                "lang, language, page, path, section, source, title, type; to search the text itself write \"foo:bar\" "
                "or foo\\:bar"),
    ("missile Title2:x", "unknown field 'Title2' at column 9"),
    ("date:2000-13", "bad date '2000-13' (no month 13) at column 6: 'date:2000-13' — write date:YYYY, "
                     "date:YYYY-MM, date:YYYY-MM-DD"),
    ("date:yesterday", "bad date 'yesterday' at column 6"),
    ("date:2001-02-29", "bad date '2001-02-29' (no day 29 in 2001-02)"),
    ("date:20001009", "bad date '20001009'"),
    ("date:>=", "bad date ''"),
    ("date:2000*", "bad date '2000*'"),
    ("date:[1993 1995]", "bad date range [1993 1995]"),
    ("date:[1993 TO 199x]", "bad date '199x'"),
    ("date:[1995 TO 1993]", "date range [1995 TO 1993] ends before it starts"),
    ("date:[1993 TO", "unclosed date range at column 6"),
    ("title:[a TO b]", "ranges work only on date:"),
    ("title:\\", "title: has no value at column 1"),
    ("*", "'*' cannot be a prefix at column 1: '*' — put at least one letter before '*'"),
    ("-*", "'-*' cannot be a prefix"),
    ("Kim-Jong*", "a prefix is one word"),
    ("col*r", "'*' inside a word at column 4: 'col*r' — '*' only ends a word (prefix search); write col\\*r"),
    ("albright~3", "fuzzy distance 3 in 'albright~3' at column 1"),
    ("albright~0", "fuzzy distance 0"),
    ("albright~99999", "fuzzy distance 999"),
    ('"agreed framework"~', "'~' after a phrase needs a number at column 19"),
    ('"agreed framework"~x', "'~' after a phrase needs a number"),
    ('"agreed framework"~101', "phrase slop 101 is too large"),
])
def test_errors(text, fragment):
    with pytest.raises(QueryError) as e:
        parse_query(text)
    assert fragment in str(e.value)


@pytest.mark.parametrize("text,caret", [
    ("a (b OR c", "    ^"),
    ("missile AND", "          ^"),
    ("date:2000-13", "       ^"),
])
def test_positional_errors_show_the_query_and_a_caret(text, caret):
    with pytest.raises(QueryError) as e:
        parse_query(text)
    first, shown, pointer = str(e.value).split("\n")
    assert "column" in first and " — " in first
    assert shown == f"  {text}"
    assert pointer == caret


def test_caret_follows_the_column_in_a_long_query():
    text = "missile " * 40 + "foo:bar " + "rocket " * 40
    with pytest.raises(QueryError) as e:
        parse_query(text)
    first, shown, pointer = str(e.value).split("\n")
    assert "unknown field 'foo' at column 321" in first
    assert shown[len(pointer) - 1:].startswith("foo:bar")


# --- bounds ----------------------------------------------------------------------------------

def _quick(fn) -> None:
    started = time.perf_counter()
    fn()
    assert time.perf_counter() - started < 2.0


def test_longest_query_is_accepted_quickly():
    text = ("nonnuclear " * MAX_QUERY_CHARS)[:MAX_QUERY_CHARS]      # 909 words
    _quick(lambda: parse_query(text))


def test_too_long_query_is_refused():
    with pytest.raises(QueryError, match="query too long: 10,001 characters, the limit is 10,000"):
        parse_query("x" * (MAX_QUERY_CHARS + 1))


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 100, 3000])
def test_nesting_is_bounded(depth):
    text = "(" * depth + "missile" + ")" * depth
    if depth <= MAX_DEPTH:
        _quick(lambda: parse_query(text))
        assert parse_query(text).query == word("missil")
    else:
        with pytest.raises(QueryError, match=f"parentheses nested deeper than {MAX_DEPTH} at column {MAX_DEPTH + 1}"):
            _quick(lambda: parse_query(text))


def test_repeated_clauses_are_searched_once():
    got = parse_query('"bye bye" bye bye -x -x', operator="or")
    # searched once, weighed twice (query-term frequency); a NOT needs no weight
    assert got.query == AndNot(MoreWordsFirst([wq.Phrase("exact", ["bye", "bye"], slop=1),
                                               word("bye").with_boost(2.0)]), word("x"))
    assert got.explain() == ('AND(OR(phrase "bye bye", word "bye"), NOT word "x")\n'
                             'note: searched repeated clauses once: word "bye", word "x"')
    assert parse_query("+treaty treaty", operator="or").query == word("treati")


def test_deep_negation_is_no_recursion():
    parse_query("NOT " * 2000 + "missile")
    with pytest.raises(QueryError):
        parse_query("-(" * 1000 + "missile" + ")" * 1000)


@pytest.mark.parametrize("count,ok", [(MAX_CLAUSES, True), (MAX_CLAUSES + 1, False), (2000, False)])
def test_clause_count_is_bounded(count, ok):
    text = " ".join(["x"] * count)
    if ok:
        _quick(lambda: parse_query(text))
    else:
        with pytest.raises(QueryError, match=f"more than {MAX_CLAUSES} words"):
            _quick(lambda: parse_query(text))


# --- never anything but ParsedQuery or QueryError --------------------------------------------

_FRAGMENTS = st.sampled_from([
    "AND", "OR", "NOT", "and", "(", ")", '"', "“", "”", "-", "+", "=", "*", "~", "~2", "~9", ":", "\\",
    "title:", "date:", "lang:", "path:", "foo:", "http://", "[", "]", " TO ", "2000", "2000-10", "1995-13",
    ">=", "<", "missile", "Missiles", "the", "who", "Kumchang-ri", "북한이해", "U.S.", " ", "  ", "\t",
    "?", ",", "\x00", "\ud800", "\u200b", "’", "'", "^2", "{", "}", "!", "&&", "||",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=80), st.lists(_FRAGMENTS, max_size=25).map("".join)),
       st.sampled_from(["and", "or"]))
def test_any_text_is_a_parsed_query_or_a_query_error(text, operator):
    try:
        got = parse_query(text, operator=operator, extra_fields=["country"])
    except QueryError as e:
        assert str(e).strip()
        return
    assert isinstance(got, ParsedQuery) and isinstance(got.query, wq.Query)
    assert got.explain()
    assert len(got.words) == len(got.raw_words)


# --- against a real index --------------------------------------------------------------------

DOCS = [
    dict(id="d1", title="Agreed Framework", date=19941021, source="KCNA", language="en", m_country="korea",
         body="The United States and the DPRK signed the agreed framework on missiles."),
    dict(id="d2", title="Talks", date=19950615, language="en",
         body="The framework was agreed after long talks about nuclear missile programs."),
    dict(id="d3", title="Visit", date=20001009, language="en", body="Jo Myong-rok visited Washington in 2000."),
    dict(id="d4", title="Reply", date=20000000, language="ko",
         body="P'yŏngyang rejected the proposal. Albright responded."),
    dict(id="d5", title="Hamlet", body="To be or not to be."),
    dict(id="d6", title="Site", date=19990500, body="Inspection at Kŭmch'ang-ri found an empty tunnel."),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ix = create_index(tmp_path_factory.mktemp("query") / "idx")
    with ix.writer() as w:
        for doc in DOCS:
            w.add_document(doc_id=doc["id"], path=f"docs/{doc['id']}.txt", exact=doc["body"], **doc)
        # many distinct words sharing a prefix, for check_expansion
        w.add_document(id="d7", doc_id="d7", path="docs/d7.txt", title="Numbers",
                       body=" ".join(f"zq{n:04d}" for n in range(1100)),
                       exact=" ".join(f"zq{n:04d}" for n in range(1100)))
    return ix


def found(ix, text: str, **kwargs) -> set[str]:
    q = parse_query(text, extra_fields=["country"], **kwargs).query
    with ix.searcher() as s:
        return {hit["id"] for hit in s.search(q, limit=None)}


@pytest.mark.parametrize("text,expected", [
    ("missiles", {"d1", "d2"}),                       # stemming both ways
    ("missile", {"d1", "d2"}),
    ("agreed framework", {"d1", "d2"}),               # scattered words
    ('"agreed framework"', {"d1"}),                   # the phrase only where it stands
    ('"framework agreed"~3', {"d2"}),
    ('"framework was agreed"', {"d2"}),
    ("missile -nuclear", {"d1"}),
    ("missile NOT nuclear", {"d1"}),
    ("nuclear OR tunnel", {"d2", "d6"}),
    ("-missile -zq0001", {"d3", "d4", "d5", "d6"}),
    ('"Jo Myong Rok"', {"d3"}),
    ("“Jo Myong-Rok”", {"d3"}),
    ("Kumchang-ri", {"d6"}),
    ("Pyongyang", {"d4"}),
    ("Pyŏng*", {"d4"}),
    ("Albrigt~", {"d4"}),
    ("Albrigth~2", {"d4"}),
    ("to be or not to be", {"d5"}),
    ("title:framework", {"d1"}),
    ("title:(talks OR visit)", {"d2", "d3"}),
    ("source:KCNA", {"d1"}),
    ("lang:KO", {"d4"}),
    ("country:Korea", {"d1"}),
    ("path:docs/d3.txt", {"d3"}),
    ("date:2000", {"d3", "d4"}),                     # 20000000: year known, month not
    ("date:2000-10", {"d3"}),
    ("date:1994-10-21", {"d1"}),
    ("date:[1994 TO 1995-06]", {"d1", "d2"}),
    ("date:[1995-07 TO *]", {"d3", "d4", "d6"}),
    ("date:<1995", {"d1"}),
    ("date:>1999-04", {"d3", "d4", "d6"}),
    ("framework date:1995", {"d2"}),
    ("date:<=1994", {"d1"}),
    ("date:[* TO *]", {"d1", "d2", "d3", "d4", "d6"}),
])
def test_finds_the_right_passages(index, text, expected):
    assert found(index, text) == expected


def test_or_mode_ranks_passages_with_more_words_first(index):
    q = parse_query("nuclear missile tunnel", operator="or").query
    with index.searcher() as s:
        ids = [hit["id"] for hit in s.search(q)]
    assert ids[0] == "d2" and set(ids) == {"d1", "d2", "d6"}


def test_check_expansion(index):
    with index.searcher() as s:
        reader = s.reader()
        check_expansion(parse_query("zq000*").query, reader)            # 10 words
        check_expansion(parse_query("missile zq* -zq1*").query, reader, limit=1100)
        with pytest.raises(QueryError, match=r"'zq\*' matches more than 1024 words; type more letters"):
            check_expansion(parse_query("missile zq*").query, reader)
        with pytest.raises(QueryError, match=r"'zq00\*' matches more than 50 words"):
            check_expansion(parse_query("NOT zq00*").query, reader, limit=50)
        with pytest.raises(QueryError, match=r"'body:t\*' matches more than 1 words"):
            check_expansion(parse_query("body:t*").query, reader, limit=1)        # talks, tunnel
        with pytest.raises(QueryError, match=r"'zq0000~2' matches more than 5 words"):
            check_expansion(parse_query("zq0000~2").query, reader, limit=5)
        check_expansion(parse_query("country:k*", extra_fields=["country", "missing"]).query, reader)
        check_expansion(parse_query("missing:k*", extra_fields=["missing"]).query, reader)
        with pytest.raises(QueryError, match=r"query too broad: it would search 13 index words, the limit is 12 "
                                             r"\(a word counts once per field: body, title, section\); "
                                             r"type more letters before '\*' \('zq000\*' matches 10\)$"):
            check_expansion(parse_query("zq000* missile zq000*").query, reader, total=12)    # one walk, read once
        with pytest.raises(QueryError, match=r"search 8 index words, the limit is 7 .*; shorten it to the words"):
            check_expansion(parse_query('missile "nuclear talks" -tunnel').query, reader, total=7)


def test_date_range_is_an_exact_term_range():
    """Not NumericRange: its tiered ranges match every dated passage for open or wide spans."""
    assert date_range(19950600, 19950631) == wq.TermRange("date", 19950600, 19950631)
    assert date_range(None, 19950599) == wq.TermRange("date", 0, 19950599)
    assert date_range(20000000, None) == wq.TermRange("date", 20000000, DATE_MAX)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_FRAGMENTS, max_size=20).map("".join), st.sampled_from(["and", "or"]))
def test_any_parsed_query_runs_on_a_real_index(index, text, operator):
    try:
        q = parse_query(text, operator=operator, extra_fields=["country"]).query
    except QueryError:
        return
    with index.searcher() as s:
        check_expansion(q, s.reader())
        s.search(q, limit=5)
