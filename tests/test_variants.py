"""Issue 5: find it however it is written.

Korean (and other CJK) text by overlapping bigrams, McCune-Reischauer romanization and
typography, hyphen/space/joined spellings of names, dotted acronyms and the case rule,
curated aliases, and did-you-mean. Each rule through the library on tiny files made in
the test (results and highlights), then on the seeds.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import COMMUNIQUE, REPORT, write, make_index
from indexer.store.analysis import EXACT
from search import InputError, Searcher
from search.query.aliases import AliasTable, load_aliases
from search.cli import cli

C = [f"seeds/{COMMUNIQUE}#{i}" for i in range(12)]
R = [f"seeds/{REPORT}#{i}" for i in range(8)]




def names(results) -> list[str]:
    """File names of the hits, best first."""
    return [Path(h.path).name for h in results]


def marked(hit) -> list[str]:
    return [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]


def by_name(results) -> dict[str, list[str]]:
    """File name -> what its snippet marks."""
    return {Path(h.path).name: marked(h) for h in results}


# -- Korean and other CJK text ------------------------------------------------------------------

KOREAN = {
    "report.txt": "2000년 북한이해 보고서는 북한의 대외관계를 다룬다. 북한은 비동맹국 회의에 참석했다. "
                  "The Ministry of Unification published the report in Seoul.\n",
    "economy.txt": "남한의 경제 정책과 통일 문제에 관한 긴 글이다. 여기서 북한이라는 말은 한 번 나온다. "
                   "나머지는 모두 경제와 무역 이야기다.\n",
    "book.txt": "그는 서점에서 책 한 권을 샀다.\n",
    "zh.txt": "朝鲜民主主义人民共和国外务省发表声明。\n",
    "ja.txt": "北朝鮮の外務省は声明を発表した。\n",
}


@pytest.fixture(scope="module")
def korean(tmp_path_factory) -> Path:
    return make_index(tmp_path_factory.mktemp("korean"), KOREAN)


def test_hangul_word_is_found_inside_longer_forms_and_only_its_characters_are_marked(korean):
    with Searcher(korean) as s:
        results = s.search("북한")
    assert names(results) == ["report.txt", "economy.txt"]          # three times ranks above once
    assert by_name(results) == {"report.txt": ["북한", "북한", "북한"], "economy.txt": ["북한"]}
    assert results[0].snippet.text.startswith("2000년 북한이해 보고서는 북한의 대외관계를")


def test_hangul_compound_finds_its_passage(korean):
    with Searcher(korean) as s:
        (hit,) = s.search("비동맹국")
        assert (Path(hit.path).name, marked(hit)) == ("report.txt", ["비동맹국"])
        assert names(s.search("동맹")) == ["report.txt"]             # a part of the compound


def test_hangul_phrase_needs_its_words_in_order(korean):
    with Searcher(korean) as s:
        (hit,) = s.search('"북한의 대외관계"')
        assert marked(hit) == ["북한의 대외관계"]
        assert s.search('"대외관계 북한의"').total == 0
        assert names(s.search("북한 무역")) == ["economy.txt"]       # words: both, anywhere


def test_english_in_a_korean_passage_is_analysed_as_english(korean):
    with Searcher(korean) as s:
        (hit,) = s.search("ministries unification")                   # stemmed, like any English text
        assert marked(hit) == ["Ministry", "Unification"]
        assert names(s.search('"Ministry of Unification"')) == ["report.txt"]


def test_single_character_hangul_words_are_findable(korean):
    with Searcher(korean) as s:
        (hit,) = s.search("책")
        assert (Path(hit.path).name, marked(hit)) == ("book.txt", ["책"])
        # As in Lucene's CJK analyzer: a one-character query finds the one-character word, not the
        # character inside a longer word ("한" is in 북한 and 남한, which are not found).
        assert sorted(names(s.search("한"))) == ["book.txt", "economy.txt"]


@pytest.mark.parametrize("query,name,mark", [
    ("人民", "zh.txt", ["人民"]),
    ("外务省", "zh.txt", ["外务省"]),
    ("外務省", "ja.txt", ["外務省"]),
    ("朝鮮", "ja.txt", ["朝鮮"]),
])
def test_chinese_and_japanese_work_the_same_way(korean, query, name, mark):
    with Searcher(korean) as s:
        (hit,) = s.search(query)
    assert (Path(hit.path).name, marked(hit)) == (name, mark)


# -- romanization and typography ----------------------------------------------------------------

NAMES = {
    "mr.txt": "Officials in P'yŏngyang said the visit to the Kŭmch'ang-ri site was useful, "
              "the Chosŏn Central News Agency reported.\n",
    "plain.txt": "Officials in Pyongyang said the Kumchang-ri site was empty.\n",
    "hyphen.txt": "Kim Jong-il received the envoy.\n",
    "capital.txt": "Kim Jong-Il received the letter.\n",
    "spaced.txt": "Kim Jong Il received the delegation.\n",
    "joined.txt": "Kim Jongil received the minister.\n",
    "jo1.txt": "Vice marshal Jo Myong-rok visited Washington.\n",
    "jo2.txt": "Special envoy Jo Myong Rok briefed the press.\n",
    "into.txt": "They walked into the hall.\n",
    "in-to.txt": "They handed the papers in to the clerk.\n",
}
KIMS = ["capital.txt", "hyphen.txt", "joined.txt", "spaced.txt"]


@pytest.fixture(scope="module")
def names_index(tmp_path_factory) -> Path:
    return make_index(tmp_path_factory.mktemp("names"), NAMES)


@pytest.mark.parametrize("query,expected", [
    ("Pyongyang", {"mr.txt": ["P'yŏngyang"], "plain.txt": ["Pyongyang"]}),
    ("P'yŏngyang", {"mr.txt": ["P'yŏngyang"], "plain.txt": ["Pyongyang"]}),
    ("Kumchang-ri", {"mr.txt": ["Kŭmch'ang-ri"], "plain.txt": ["Kumchang-ri"]}),
    ("Kŭmch'ang-ri", {"mr.txt": ["Kŭmch'ang-ri"], "plain.txt": ["Kumchang-ri"]}),
    ("Choson", {"mr.txt": ["Chosŏn"]}),
    ('"Jo Myong-rok"', {"jo1.txt": ["Jo Myong-rok"], "jo2.txt": ["Jo Myong Rok"]}),
    ('"Jo Myong Rok"', {"jo1.txt": ["Jo Myong-rok"], "jo2.txt": ["Jo Myong Rok"]}),
])
def test_romanization_diacritics_apostrophes_and_hyphens_fold(names_index, query, expected):
    with Searcher(names_index) as s:
        assert by_name(s.search(query)) == expected


@pytest.mark.parametrize("query", ['"Kim Jong Il"', '"Kim Jong-il"', '"Kim Jong-Il"', "Kim Jong-il",
                                   "Kim Jong Il", "Kim Jongil", '"Kim Jongil"', "Jongil"])
def test_every_spelling_of_kim_jong_il_finds_every_other(names_index, query):
    """The decision: yes, "Kim Jongil" is "Kim Jong-il". Query-side, from the index's
    vocabulary: a rare word that splits into two words standing together in the index
    also matches them as a phrase; two words (or a hyphenated word) whose joined form is
    in the index also match it. No schema change, and it works both ways."""
    with Searcher(names_index) as s:
        found = by_name(s.search(query))
    written = {"capital.txt": "Kim Jong-Il", "hyphen.txt": "Kim Jong-il", "joined.txt": "Kim Jongil",
               "spaced.txt": "Kim Jong Il"}
    if "Kim" not in query:
        written = {name: text.removeprefix("Kim ") for name, text in written.items()}
    if query.startswith('"'):                     # a phrase is marked as one span
        assert {name: marks for name, marks in found.items()} == {n: [t] for n, t in written.items()}
    else:                                         # words are marked one by one
        def letters(text):
            return text.replace(" ", "").replace("-", "")
        assert {name: letters("".join(marks)) for name, marks in found.items()} == {
            n: letters(t) for n, t in written.items()}


def test_joined_and_split_spellings_show_in_explain_and_literal_turns_them_off(names_index):
    with Searcher(names_index) as s:
        assert s.explain("Kim Jongil") == 'AND(word "Kim" -> kim, OR(word "Jongil" -> jongil, variant phrase "jong il"))'
        assert s.explain('"Kim Jong Il"').splitlines()[0] == (
            'OR(phrase "Kim Jong Il" -> kim jong il, alias phrase "Kim Chong-il" -> kim chong il, '
            'variant phrase "kim jongil")')
        assert s.explain("Jong Il") == 'OR(AND(word "Jong" -> jong, word "Il" -> il), variant word "jongil")'
        assert names(s.search("=Jongil")) == ["joined.txt"]
        assert sorted(names(s.search('="Kim Jong Il"'))) == ["capital.txt", "hyphen.txt", "spaced.txt"]


def test_stop_words_never_join_or_split(names_index):
    with Searcher(names_index) as s:
        assert names(s.search('"in to"')) == ["in-to.txt"]
        assert names(s.search("into")) == ["into.txt"]
        assert "variant" not in s.explain('"in to" into')


# -- acronyms and the case rule ----------------------------------------------------------------

ACRONYMS = {
    "dotted.txt": "The U.S. delegation arrived on Monday.\n",
    "plain.txt": "The US delegation left on Friday.\n",
    "pronoun.txt": "Let us meet again next week.\n",
    "usa-dots.txt": "Goods made in the U.S.A. were shipped.\n",
    "usa.txt": "Goods shipped to the USA were inspected.\n",
    "dprk-dots.txt": "The D.P.R.K. issued a statement.\n",
    "dprk.txt": "The DPRK issued a reply.\n",
    "un.txt": "Kim Jong-un spoke at the UN in New York.\n",
    "rok.txt": "Jo Myong Rok met officials of the ROK.\n",
}


@pytest.fixture(scope="module")
def acronyms(tmp_path_factory) -> Path:
    return make_index(tmp_path_factory.mktemp("acronyms"), ACRONYMS)


@pytest.mark.parametrize("query,expected", [
    ("U.S.", {"dotted.txt": ["U.S."], "plain.txt": ["US"]}),
    ("US", {"dotted.txt": ["U.S."], "plain.txt": ["US"]}),
    ("us", {"pronoun.txt": ["us"]}),
    ("U.S.A.", {"usa-dots.txt": ["U.S.A."], "usa.txt": ["USA"]}),
    ("USA", {"usa-dots.txt": ["U.S.A."], "usa.txt": ["USA"]}),
    ("usa", {"usa-dots.txt": ["U.S.A."], "usa.txt": ["USA"]}),
    ("D.P.R.K.", {"dprk-dots.txt": ["D.P.R.K."], "dprk.txt": ["DPRK"]}),
    ("DPRK", {"dprk-dots.txt": ["D.P.R.K."], "dprk.txt": ["DPRK"]}),
    ("UN", {"un.txt": ["UN"]}),                     # not the "un" of Kim Jong-un
    ("Jong-un", {"un.txt": ["Jong-un"]}),
    ("ROK", {"rok.txt": ["ROK"]}),                  # not the "Rok" of Jo Myong Rok
    ('"Myong Rok"', {"rok.txt": ["Myong Rok"]}),
])
def test_acronyms_with_and_without_dots_are_one_term_and_case_matters(acronyms, query, expected):
    with Searcher(acronyms, use_aliases=False) as s:      # the analysis alone, no alias sets
        assert by_name(s.search(query)) == expected


def test_acronym_tokens():
    assert EXACT.terms("U.S. US us U.S.A. USA D.P.R.K. DPRK UN un ROK Rok") == [
        "US", "US", "us", "usa", "usa", "dprk", "dprk", "UN", "un", "ROK", "rok"]


def test_us_with_aliases_finds_the_united_states_never_the_pronoun(acronyms):
    with Searcher(acronyms) as s:
        found = by_name(s.search("US"))
    assert found == {"dotted.txt": ["U.S."], "plain.txt": ["US"], "usa-dots.txt": ["U.S.A."], "usa.txt": ["USA"]}


# -- aliases ----------------------------------------------------------------------------------

ALIASED = {
    "north.txt": "North Korea rejected the proposal in the talks.\n",
    "dprk.txt": "The DPRK rejected the proposal.\n",
    "official.txt": "The Democratic People's Republic of Korea rejected it outright.\n",
    "south.txt": "South Korea welcomed the talks.\n",
    "states.txt": "The United States proposed talks.\n",
    "framework.txt": "Both sides honoured the 1994 Agreed Framework.\n",
    "framework2.txt": "The agreed framework froze the reactor.\n",
    "pyongyang.txt": "평양에서 회담이 열렸다.\n",
    "pukchoson.txt": "Pukchosŏn is a colloquial name.\n",
}


@pytest.fixture(scope="module")
def aliased(tmp_path_factory) -> Path:
    return make_index(tmp_path_factory.mktemp("aliased"), ALIASED)


@pytest.mark.parametrize("query", ["North Korea", '"North Korea"', "north korea"])
def test_a_multi_word_name_finds_its_aliases_ranked_below_what_was_typed(aliased, query):
    with Searcher(aliased) as s:
        results = s.search(query)
    assert names(results)[0] == "north.txt"
    assert by_name(results) == {"north.txt": ["North Korea"] if query.startswith('"') else ["North", "Korea"],
                                "dprk.txt": ["DPRK"], "official.txt": ["Democratic People's Republic of Korea"]}


def test_a_one_word_name_finds_its_aliases_as_phrases(aliased):
    with Searcher(aliased) as s:
        results = s.search("DPRK")
        assert names(results)[0] == "dprk.txt"
        assert sorted(names(results)) == ["dprk.txt", "north.txt", "official.txt"]
        assert by_name(s.search("US")) == {"states.txt": ["United States"]}


def test_typed_name_outranks_a_rarer_alias_and_counts_in_a_title(tmp_path):
    # Under BM25 alone the rare alias would win: DPRK is in one passage, North Korea in many,
    # and one passage names North Korea only in its document's title.
    files = {f"north{i}.txt": f"North Korea and the talks, round {i}.\n" for i in range(8)}
    files["titled.md"] = "# North Korea\n\nThe delegation met on Tuesday.\n"
    files["dprk.txt"] = "The DPRK said so. The DPRK said it twice, the DPRK.\n"
    with Searcher(make_index(tmp_path, files)) as s:
        results = s.search("North Korea", limit=20)
        assert names(results)[-1] == "dprk.txt" and len(results) == 10
        assert s.search("=North =Korea").total == 9


def test_alias_expansion_shows_in_explain(aliased):
    with Searcher(aliased) as s:
        assert s.explain("North Korea").splitlines() == [
            'OR(AND(word "North" -> north, word "Korea" -> korea), alias word "DPRK" -> dprk, '
            "alias phrase \"Democratic People's Republic of Korea\" -> democratic people republic of korea)",
            'note: also searched the aliases of North Korea, ranked below what you typed; put = before a word, "phrase" '
            "or (group), or use --no-aliases, to search only what you typed"]
        assert s.explain("=DPRK") == '=word "DPRK" -> dprk'
        assert s.explain("talks DPRK").startswith('AND(word "talks" -> talk, OR(word "DPRK" -> dprk, alias ')


def test_literal_and_no_aliases_turn_expansion_off(aliased, tmp_path):
    with Searcher(aliased) as s:
        assert names(s.search("=DPRK")) == ["dprk.txt"]
        assert names(s.search('="North Korea"')) == ["north.txt"]
        assert names(s.search("=(North Korea)")) == ["north.txt"]
    with Searcher(aliased, use_aliases=False) as s:
        assert names(s.search("DPRK")) == ["dprk.txt"]
        assert names(s.search("North Korea")) == ["north.txt"]
        assert s.explain("DPRK") == 'word "DPRK" -> dprk'


def test_show_highlights_the_alias_a_passage_matched_on(aliased):
    with Searcher(aliased) as s:
        hit = s.search("North Korea")[1]
        ctx = s.passage(hit.id, context=0, query="North Korea")
        whole = ctx.passages[0].snippet
        assert [whole.text[a:b] for a, b in whole.highlights] == marked(hit) != []
        assert marked(hit) in (["DPRK"], ["Democratic People's Republic of Korea"])


def test_excluding_a_name_excludes_its_aliases(aliased):
    with Searcher(aliased) as s:
        assert s.search("rejected -DPRK").total == 0
        assert sorted(names(s.search("rejected -=DPRK"))) == ["north.txt", "official.txt"]


def test_a_name_that_contains_what_was_typed_adds_nothing(aliased):
    with Searcher(aliased) as s:
        assert s.explain('"agreed framework"') == 'phrase "agreed framework"'
        assert sorted(names(s.search('"1994 Agreed Framework"'))) == ["framework.txt", "framework2.txt"]
        assert names(s.search('"1994 Agreed Framework"'))[0] == "framework.txt"


def test_a_user_alias_file_adds_sets_and_joins_sets_that_share_a_name(aliased, tmp_path):
    mine = write(tmp_path / "mine.txt", "# my names\nPyongyang | 평양   # the capital\n\nDPRK | Pukchosŏn\n")
    with Searcher(aliased, aliases=mine) as s:
        assert by_name(s.search("Pyongyang")) == {"pyongyang.txt": ["평양"]}
        assert by_name(s.search("North Korea"))["pukchoson.txt"] == ["Pukchosŏn"]
        assert "dprk.txt" in names(s.search("North Korea"))           # the built-in set is still there
    with Searcher(aliased, aliases=mine, builtin_aliases=False) as s:     # replace the built-in table
        assert names(s.search("North Korea")) == ["north.txt"]
        assert sorted(names(s.search("DPRK"))) == ["dprk.txt", "pukchoson.txt"]


@pytest.mark.parametrize("text,message", [
    ("DPRK\n", "line 1: a set needs at least two names"),
    ("US | U.S.\n", "line 1: a set needs at least two names"),
    ("# ok\nDPRK | North Korea\nA | ?!\n", "line 3: the name '?!' has no searchable words"),
])
def test_a_bad_alias_file_is_an_input_error_naming_the_line(tmp_path, text, message):
    bad = write(tmp_path / "bad.txt", text)
    with pytest.raises(InputError, match=re.escape(f"Bad alias file: {bad}, {message}")):
        load_aliases(bad)


def test_a_missing_alias_file_is_an_input_error(aliased, tmp_path):
    with pytest.raises(InputError, match="No alias file"):
        Searcher(aliased, aliases=tmp_path / "nope.txt")


def test_the_builtin_table_holds_the_issues_sets():
    table = AliasTable.builtin()
    def other_names(name):
        return {a.text for a in table.others(EXACT.terms(name))}
    assert other_names("DPRK") == {"North Korea", "Democratic People's Republic of Korea"}
    assert other_names("North Korea") == {"DPRK", "Democratic People's Republic of Korea"}
    assert other_names("U.S.") == {"United States", "USA", "United States of America"}
    assert other_names("us") == set()
    assert {"ROK", "UN", "NPT", "KEDO", "Agreed Framework", "IAEA", "Six-Party Talks"} <= {
        n for s in table.sets() for n in s}
    assert "Treaty on the Non-Proliferation of Nuclear Weapons" in other_names("NPT")
    assert other_names("Korean Peninsula Energy Development Organization") >= {"KEDO"}
    assert other_names("1994 Agreed Framework") >= {"Agreed Framework"}


def test_cli_alias_options(aliased, tmp_path):
    runner = CliRunner()
    base = ["--index", str(aliased)]
    out = runner.invoke(cli, ["search", "DPRK", "--format", "json", *base])
    assert out.exit_code == 0 and json.loads(out.stdout)["total"] == 3
    out = runner.invoke(cli, ["search", "DPRK", "--format", "json", "--no-aliases", *base])
    assert out.exit_code == 0 and json.loads(out.stdout)["total"] == 1
    mine = write(tmp_path / "mine.txt", "Pyongyang | 평양\n")
    out = runner.invoke(cli, ["search", "Pyongyang", "--aliases", str(mine), *base])
    assert out.exit_code == 0 and "평양" in out.stdout
    out = runner.invoke(cli, ["explain", "DPRK", "--aliases", str(mine), "--no-builtin-aliases", *base])
    assert out.stdout == 'word "DPRK" -> dprk\n'
    out = runner.invoke(cli, ["explain", "DPRK", "--no-aliases", *base])
    assert out.stdout == 'word "DPRK" -> dprk\n'
    out = runner.invoke(cli, ["search", "DPRK", "--no-aliases", "--aliases", str(mine), *base])
    assert out.exit_code == 2 and "--no-aliases turns alias expansion off" in out.stderr
    out = runner.invoke(cli, ["search", "DPRK", "--aliases", str(tmp_path / "nope.txt"), *base])
    assert out.exit_code == 2 and out.stderr.startswith("docsearch: error: No alias file")


# -- did you mean -------------------------------------------------------------------------------

TYPOS = {
    "albright.txt": "Secretary of State Madeleine Albright met the envoy in Washington.\n",
    "albright2.txt": "Albright later visited Pyongyang in October 2000.\n",
    "albright3.txt": "Albright and Jo Myong Rok spoke about missile talks.\n",
    "typo.txt": "A newspaper misspelt the name as Albrigt once.\n",
}


@pytest.fixture(scope="module")
def typos(tmp_path_factory) -> Path:
    return make_index(tmp_path_factory.mktemp("typos"), TYPOS)


@pytest.mark.parametrize("query,suggestion", [
    ("Albrigth", "Albright"),                              # a swap of two letters: one edit
    ("albrigth", "albright"),                              # the user's capitalisation is kept
    ("ALBRIGTH", "ALBRIGHT"),
    ('"Albrigth"', '"Albright"'),                          # phrase words too, quotes kept
    ('"Madeline Albrigth" OR missle', '"Madeleine Albright" OR missile'),
    ("Madeline Albright", "Madeleine Albright"),           # the closest word, not Whoosh's first
    ("Albrigt", "Albright"),                               # a word the index barely knows (once)
    ("Albright missle talks", "Albright missile talks"),
    ("missle -Albrigth", "missile -Albrigth"),             # excluded words are left alone
    ("Albright", None),                                    # nothing wrong
    ("title:Albrigth", None),                              # field values are left alone
    ("Albrigth~", None),                                   # fuzzy terms are the user's choice
    ("Albrigth~2 missle", "Albrigth~2 missile"),
    ("zzyzzyvax", None),                                   # nothing close
    ("2001", None),
])
def test_did_you_mean(typos, query, suggestion):
    with Searcher(typos) as s:
        results = s.search(query)
    assert results.suggestion == suggestion
    if suggestion is not None:
        assert results.total < 3 and results.query == query    # offered, never applied


def test_did_you_mean_prefers_a_common_word_over_a_misspelling_in_the_documents(tmp_path):
    files = {f"good{i}.txt": f"A bibliographic record, number {i}.\n" for i in range(25)}
    files["bad.txt"] = "One bibliograhic slip in a catalogue.\n"
    with Searcher(make_index(tmp_path, files)) as s:
        assert s.search("bibliografic").suggestion == "bibliographic"     # two edits, 25 passages
        assert s.search("bibliograhpic").suggestion == "bibliographic"    # a swap: one edit


def test_did_you_mean_keeps_the_date_and_field_limits(typos):
    with Searcher(typos) as s:
        assert s.search("Albrigth").suggestion == "Albright"
        assert s.search("Albrigth", date_from="2030").suggestion is None    # would find nothing either


def test_fuzzy_search_stays(typos):
    with Searcher(typos) as s:
        assert sorted(names(s.search("Albrigth~2"))) == ["albright.txt", "albright2.txt", "albright3.txt",
                                                         "typo.txt"]
        assert names(s.search("Albrigt~1", limit=1)) != []


def test_did_you_mean_in_json_and_text(typos):
    runner = CliRunner()
    out = runner.invoke(cli, ["search", '"Albrigth"', "--format", "json", "--index", str(typos)])
    assert json.loads(out.stdout)["suggestion"] == '"Albright"'
    out = runner.invoke(cli, ["search", "Madeline Albrigth", "--index", str(typos)])
    assert out.stdout == "no results\ndid you mean: Madeleine Albright\n"


# -- the seeds ----------------------------------------------------------------------------------

def ids(index_dir, query, **kwargs) -> list[str]:
    with Searcher(index_dir) as s:
        return [h.id for h in s.search(query, limit=100, **kwargs)]


def test_seeds_hangul(seeds_index):
    with Searcher(seeds_index) as s:
        (hit,) = s.search("북한")
        assert (hit.id, marked(hit)) == (R[1], ["북한"])
        assert "Understanding North Korea 2000 [2000년 북한이해]" in hit.snippet.text
        found = s.search("비동맹국")
        assert sorted(h.id for h in found) == sorted([R[5], R[7]])
        assert all(marked(h) == ["비동맹국"] for h in found)


def test_seeds_kim_jong_il(seeds_index):
    with Searcher(seeds_index) as s:
        found = {h.id: marked(h) for h in s.search('"Kim Jong Il"')}
    assert found == {C[0]: ["Kim Jong Il", "Kim Jong Il"], C[11]: ["Kim Jong Il"],
                     R[5]: ["Kim Jong-il"], R[7]: ["Kim Jong-il"]}
    assert set(ids(seeds_index, "Kim Jongil")) == set(found)


def test_seeds_us(seeds_index):
    with Searcher(seeds_index) as s:
        dotted = s.search("U.S.", limit=100)
        assert [h.id for h in dotted] == [h.id for h in s.search("US", limit=100)]
        with_typed = [h for h in dotted if {"U.S.", "US"} & set(marked(h))]
        assert {h.id for h in with_typed} >= {C[3], C[6], C[9], C[10], R[2], R[4], R[6], R[7]}
        assert all("us" not in marked(h) for h in dotted)
        assert s.search("us").total == 1                  # the pronoun, in the report's quotation


def test_seeds_north_korea_finds_the_dprk_passages(seeds_index):
    with Searcher(seeds_index) as s:
        results = s.search("North Korea", limit=100)
        texts = {h.id: h.text for h in results}
        dprk = {h.id for h in results if "DPRK" in h.text and "North Korea" not in h.text}
        # the communiqué never says "North Korea"; every passage of it that says DPRK is found
        assert dprk == {C[i] for i in range(12) if "DPRK" in passage_text(s, C[i])}
        typed = [h.rank for h in results if "North Korea" in texts[h.id]]
        alias = [h.rank for h in results if h.id in dprk]
        assert max(typed) < min(alias)                   # what was typed ranks first
        assert any("DPRK" in marked(h) for h in results if h.id in dprk)


def says(text: str, name: str) -> bool:
    """Whether `text` holds `name` as the index reads both."""
    terms, want = EXACT.terms(text), EXACT.terms(name, lines=False)      # name: a query word
    return any(terms[i:i + len(want)] == want for i in range(len(terms)))


@pytest.mark.parametrize("query", ["DPRK", "U.S.",
                                   "US", '"North Korea"', "North Korea"])
def test_seeds_what_was_typed_ranks_above_its_aliases(seeds_index, query):
    with Searcher(seeds_index) as s:
        results = s.search(query, limit=100)
    typed = [says(f"{h.title} | {h.text}", query.strip('"')) for h in results]
    assert any(typed) and not all(typed)                # both kinds are found...
    assert typed == sorted(typed, reverse=True)          # ...and every typed match ranks first


def passage_text(s, passage_id: str) -> str:
    return s.passage(passage_id, context=0).passages[0].text
