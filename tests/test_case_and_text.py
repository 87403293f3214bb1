"""Case that never hides a word, and text shown as the document wrote it (issue 12: items 3
and 4; issue 15: queries in capitals), through the library and the CLI on files in tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from indexer import build_index
from indexer.store.analysis import EXACT, STEMMED, either_reading
from search import Searcher
from search.cli import cli

CABLE = ("SECRET\n\n"
         "FROM AMEMBASSY SEOUL TO SECSTATE WASHDC. THE WAR IN KOREA HAS ENTERED A NEW PHASE. US ARMY UNITS "
         "MOVED NORTH OF THE RIVER AND THE ENEMY WITHDREW. IT IS NOT CLEAR WHO GAVE THE ORDER TO US.\n")
MEMO = ("Memo on the talks\n\n"
        "The US delegation told us that the war was over and the army had withdrawn from the border "
        "region. The UN observers agreed with this reading of the situation in the field.\n")
PRONOUN = "A note to the staff\n\nLet us meet again next week to discuss the budget and the schedule.\n"
HEADLINE = ("Weekly digest of the press\n\nTHE WAR IN KOREA\n\n"
            "The fighting near the river went on for another week, and the talks stalled again.\n")
DASHES = ("Upgrade notes\n\n"
          "Run pip install --upgrade docsearch -- then restart the server\u2026 Prices rose 5\u201310% "
          "in 1990\u20131995\u2014a decade\u2015of growth, from \u22125 \u00b0C mornings.\n")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("case")
    for name, text in {"cable.txt": CABLE, "memo.txt": MEMO, "pronoun.txt": PRONOUN,
                       "headline.txt": HEADLINE, "dashes.txt": DASHES}.items():
        write(root / "docs" / name, text)
    build_index([root / "docs"], root / "idx")
    return root / "idx"


def found(index: Path, query: str) -> dict[str, list[str]]:
    """File name -> what its snippet marks."""
    with Searcher(index, use_aliases=False) as s:
        return {Path(h.path).name: [h.snippet.text[a:b] for a, b in h.snippet.highlights] for h in s.search(query)}


@pytest.mark.parametrize("query,expected", [
    # a lower-case query finds capitals, on a line in capitals
    ("war", {"cable.txt": ["WAR"], "memo.txt": ["war"], "headline.txt": ["WAR"]}),
    ("army", {"cable.txt": ["ARMY"], "memo.txt": ["army"]}),
    # a query in capitals finds ordinary text
    ("WAR", {"cable.txt": ["WAR"], "memo.txt": ["war"], "headline.txt": ["WAR"]}),
    ("ARMY", {"cable.txt": ["ARMY"], "memo.txt": ["army"]}),
    ("THE ENEMY WITHDREW", {"cable.txt": ["ENEMY", "WITHDREW"]}),
    # phrases, in either case, across the readings
    ('"the war in korea"', {"cable.txt": ["THE WAR IN KOREA"], "headline.txt": ["THE WAR IN KOREA"]}),
    ('"THE WAR IN KOREA"', {"cable.txt": ["THE WAR IN KOREA"], "headline.txt": ["THE WAR IN KOREA"]}),
    # in mixed-case text the acronym rule holds: US is not "us", UN is an acronym
    ("UN", {"memo.txt": ["UN"]}),
    # in text in capitals US is ambiguous: both readings find it
    ("U.S.", {"cable.txt": ["US", "US"], "memo.txt": ["US"]}),
])
def test_case_never_hides_a_word(index, query, expected):
    assert found(index, query) == expected


def test_us_both_readings_in_capitals_and_only_the_acronym_in_mixed_case(index):
    pronoun = found(index, "us")
    assert set(pronoun) == {"cable.txt", "memo.txt", "pronoun.txt"}
    assert pronoun["pronoun.txt"] == ["us"] and pronoun["cable.txt"] == ["US", "US"]
    assert pronoun["memo.txt"] == ["us"]           # "The US delegation told us": the acronym is not marked
    # this archive uses US as an acronym in mixed-case text, so `US` alone stays the acronym
    assert set(found(index, "US sanctions OR US delegation")) == {"memo.txt"}
    assert set(found(index, "US")) == {"cable.txt", "memo.txt"}


def test_phrase_highlights_follow_the_reading_the_index_holds(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "mixed.txt", "A note on the talks\n\nThe US said no. Then the US delegation left the room early.\n")
    write(docs / "caps.txt", "CABLE\n\nTHE US SAID NO AND THE DELEGATION LEFT THE ROOM EARLY TODAY.\n")
    build_index([docs], tmp_path / "idx")
    assert found(tmp_path / "idx", '"the US said"') == {"mixed.txt": ["The US said"], "caps.txt": ["THE US SAID"]}
    assert found(tmp_path / "idx", '"us said"') == {"caps.txt": ["US SAID"]}      # the pronoun: not mixed-case US


def test_analysis_reads_case_per_line():
    assert EXACT.terms("THE WAR IN KOREA\nThe US said the war was over.") == [
        "The", "War", "In", "korea", "the", "US", "said", "the", "war", "was", "over"]
    assert EXACT.terms("U.S. TROOPS") == ["US", "troops"]             # a dotted acronym is never ambiguous
    assert EXACT.terms("US", lines=False) == ["US"]                   # a query's word: the query decides


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["US", "us", "U.S.", "WAR", "war", "THE", "the", "ARMY", "Army", "UN", "IT", "it",
                                 "Korea", "KOREA", "北韓", "\n", " ", ", ", ". "]), max_size=40).map(" ".join))
def test_lines_in_capitals_change_only_the_case_reading_of_acronyms(text):
    """The index reads a line in capitals; snippets and queries read words on their own. The two
    differ only where an acronym-list word is held under its either-reading term, which the query
    side searches too (so highlights and matches agree)."""
    def same(terms):
        return [either_reading(t) or t for t in terms]

    by_line, by_word = EXACT.terms(text), EXACT.terms(text, lines=False)
    assert same(by_line) == same(by_word)
    assert all(a == b or (either_reading(b) == a and b.isupper()) for a, b in zip(by_line, by_word))
    assert len(STEMMED.terms(text)) >= len(STEMMED.terms(text, lines=False))    # "THE" is never a stop word


def test_a_query_in_capitals_ranks_like_the_same_query_in_lower_case(index):
    with Searcher(index, use_aliases=False) as s:
        for query in ["THE WAR IN KOREA", "ARMY UNITS MOVED NORTH", "THE BORDER REGION OF THE FIELD"]:
            upper = [(h.id, round(h.score, 6)) for h in s.search(query, operator="or")]
            lower = [(h.id, round(h.score, 6)) for h in s.search(query.lower(), operator="or")]
            assert upper == lower and upper


def test_text_keeps_its_dashes_through_passages_snippets_show_and_json(index):
    with Searcher(index) as s:
        hit = s.search('"install --upgrade"')[0]
        assert "pip install --upgrade docsearch -- then restart the server\u2026" in hit.text
        assert "5\u201310% in 1990\u20131995\u2014a decade\u2015of growth, from \u22125 \u00b0C" in hit.text
        assert "install --upgrade" in hit.snippet.text
        assert [hit.snippet.text[a:b] for a, b in hit.snippet.highlights] == ["install --upgrade"]
        assert s.search('"1990 1995"')[0].id == hit.id                 # the en dash still separates words
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "upgrade", "--index", str(index), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert "pip install --upgrade docsearch -- then" in json.loads(out.output)["hits"][0]["text"]
    shown = runner.invoke(cli, ["show", hit.id, "--index", str(index)])
    assert shown.exit_code == 0 and "pip install --upgrade docsearch -- then restart" in shown.output


def test_cli_search_in_capitals_finds_ordinary_text(index):
    out = CliRunner().invoke(cli, ["search", "WAR", "--index", str(index), "--format", "json", "--no-aliases"])
    assert out.exit_code == 0, out.output
    assert {Path(h["path"]).name for h in json.loads(out.output)["hits"]} == {"cable.txt", "memo.txt",
                                                                             "headline.txt"}
