"""Facets: exact counts per value, checked against a brute-force count over every matching passage."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest

from indexer import build_index
from search import FacetValue, QueryError, Searcher
from tests.conftest import write

FILLER = " The report continues with routine notes on weather, harvest figures and transport schedules." * 4


def _text(*paragraphs: str) -> str:
    """Paragraphs long enough to be a passage each."""
    return "\n\n".join(p + FILLER for p in paragraphs)


# Five documents across three years, two sources, an author, a manifest column and one undated.
DOCS = {
    "a.txt": ("2001-03-04", "Rodong Sinmun", "Kim", _text("A missile launch over the sea.",
                                                          "The missile test was condemned.")),
    "b.txt": ("2001-07-01", "KCNA", None, _text("A missile parade.", "No talks this year.")),
    "c.txt": ("1999-12-31", "KCNA", "Lee", _text("Talks on the missile moratorium.", "The missile issue again.",
                                                 "A third missile paragraph.")),
    "d.txt": ("2003", "Rodong Sinmun", None, _text("Nothing about rockets here, only talks.")),
    "e.txt": (None, None, None, _text("An undated missile note.")),
}


def _make(tmp_path, docs=DOCS):
    root = tmp_path / "docs"
    rows = ["path\tregion"]
    for name, (date, source, author, text) in docs.items():
        write(root / name, text + "\n")
        meta = {k: v for k, v in (("date", date), ("source", source), ("author", author)) if v}
        meta["title"] = name
        write(root / (name + ".meta.json"), json.dumps(meta))
        rows.append(f"{name}\t{'north' if name < 'c' else 'south'}")
    manifest = write(tmp_path / "manifest.tsv", "\n".join(rows) + "\n")
    index = tmp_path / "idx"
    build_index([root], index, metadata=manifest)
    return root, index


def _brute(s: Searcher, query, **kw):
    """field -> value -> (passages, documents), counted from every hit's own stored fields."""
    hits = list(s.search(query, limit=1000, **kw)) if query else []
    passages, docs = defaultdict(Counter), defaultdict(lambda: defaultdict(set))
    for h in hits:
        values = {"year": h.date[:4] if h.date else None,
                  "month": h.date[:7] if h.date and len(h.date) >= 7 else None,
                  "source": h.source, "author": h.author, "language": h.language,
                  "region": h.meta.get("region")}
        for name, value in values.items():
            passages[name][value] += 1
            docs[name][value].add(h.doc_id)
    return {name: {v: (passages[name][v], len(docs[name][v])) for v in passages[name]} for name in passages}, hits


FIELDS = ("year", "month", "source", "author", "language", "region")


@pytest.mark.parametrize("query,kw", [
    ("missile", {}),
    ("talks", {}),
    ("missile OR talks", {}),
    ("missile", {"date_from": "2000"}),
    ("missile", {"filters": {"source": "KCNA"}}),
    ("launch OR parade OR moratorium", {"operator": "and"}),
])
def test_facets_equal_brute_force(tmp_path, query, kw):
    _, index = _make(tmp_path)
    with Searcher(index) as s:
        expected, hits = _brute(s, query, **kw)
        facets = s.facets(query, FIELDS, **kw)
    assert facets.passages == len(hits)
    assert facets.documents == len({h.doc_id for h in hits})
    for name in FIELDS:
        got = {v.value: (v.passages, v.documents) for v in facets[name]}
        assert got == expected.get(name, {}), name


def test_facet_values_are_real_and_ordered(tmp_path):
    _, index = _make(tmp_path)
    with Searcher(index) as s:
        f = s.facets("missile", ("year", "source"))
    # Years by date, unknown last; a.txt has 2 missile passages, b 1, c 3, e 1.
    assert [(v.value, v.passages, v.documents) for v in f["year"]] == [
        ("1999", 3, 1), ("2001", 3, 2), (None, 1, 1)]
    # Sources by count, then by name; the undated note has no source.
    assert [(v.value, v.passages, v.documents) for v in f["source"]] == [
        ("KCNA", 4, 2), ("Rodong Sinmun", 2, 1), (None, 1, 1)]
    assert f.counts("year", per_doc=True) == {"1999": 1, "2001": 2, None: 1}


def test_facets_of_everything_and_after_deletion(tmp_path):
    root, index = _make(tmp_path)
    with Searcher(index) as s:
        every = s.facets(None, ("year",))
        assert every.documents == 5
        assert sum(v.passages for v in every["year"]) == every.passages
        (root / "c.txt").unlink()
        (root / "c.txt.meta.json").unlink()
        build_index([root], index)             # c.txt's passages are deleted, not yet merged away
        after = s.facets("missile", ("year",))  # the open Searcher sees the commit
        assert [(v.value, v.passages) for v in after["year"]] == [("2001", 3), (None, 1)]
        assert after.passages == s.search("missile").total


def test_search_with_facets_adds_a_json_key_only_when_asked(tmp_path):
    _, index = _make(tmp_path)
    with Searcher(index) as s:
        plain = s.search("missile").to_dict()
        faceted = s.search("missile", facets=("year", "region"))
    assert "facets" not in plain
    d = faceted.to_dict()
    assert set(d) - set(plain) == {"facets"}
    # c.txt and e.txt (south) hold 4 missile passages, a.txt and b.txt (north) 3: most first.
    assert d["facets"]["region"] == [{"value": "south", "passages": 4, "documents": 2},
                                     {"value": "north", "passages": 3, "documents": 2}]
    assert faceted.facets.passages == faceted.total


def test_default_fields_and_unknown_field(tmp_path):
    _, index = _make(tmp_path)
    with Searcher(index) as s:
        assert set(s.facets("missile").fields) == {"year", "source", "author", "language", "type"}
        assert "region" in s.facet_fields()
        assert "page" not in s.facet_fields()       # where a passage stands is not a facet (nor ?page= on the web)
        with pytest.raises(QueryError, match="unknown facet field 'colour'.*year, month"):
            s.facets("missile", ("colour",))


def test_language_counts_per_passage(tmp_path):
    """A passage's own language is counted, not its document's."""
    root = tmp_path / "docs"
    english = "The delegation met the minister and discussed the agreement on trade with the press. "
    french = "La délégation a rencontré le ministre et les deux parties ont discuté de l'accord avec la presse. "
    write(root / "mixed.txt", (english * 4) + "\n\n" + (french * 4) + "\n\n" + (english * 4) + "\n")
    build_index([root], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        hits = list(s.search("délégation OR delegation", limit=100))
        by_lang = Counter(h.language for h in hits)
        f = s.facets("délégation OR delegation", ("language",))
    assert {v.value: v.passages for v in f["language"]} == dict(by_lang)
    assert all(v.documents == 1 for v in f["language"])


def test_a_new_whole_value_field_is_counted_and_filtered(tmp_path):
    """A stored ID field the indexer writes (a document's `type`) needs no facet code of its own."""
    from indexer.store import schema as S

    _, index = _make(tmp_path)
    ix = S.open_index(index)
    with S.open_writer(ix) as w:                # two passages of a PDF, written straight to the index
        for n, text in enumerate(["A missile in a scanned report.", "Another missile page."]):
            w.add_document(id=f"r.pdf#{n}", doc_id="r.pdf", path="r.pdf", ordinal=n, body=text, exact=text,
                           language="en", type="pdf", start=0, end=len(text))
    with Searcher(index) as s:
        assert "type" in s.facet_fields()
        assert set(s.facets("missile").fields) == {"year", "source", "author", "language", "type"}
        assert [(v.value, v.passages, v.documents) for v in s.facets("missile", ("type",))["type"]] == [
            ("text", 7, 4), ("pdf", 2, 1)]
        assert {h.id for h in s.search("missile", filters={"type": "pdf"})} == {"r.pdf#0", "r.pdf#1"}


def test_facet_limit_keeps_the_most_frequent_values(tmp_path):
    _, index = _make(tmp_path)
    with Searcher(index) as s:
        whole = s.facets("missile", ("source", "year"))
        cut = s.search("missile", facets=("source", "year"), facet_limit=1).facets
        assert cut["source"] == whole["source"][:1] == (FacetValue("KCNA", 4, 2),)
        assert cut["year"] == whole["year"]                 # a timeline is never cut
        assert s.facets("missile", ("source",), limit=2)["source"] == whole["source"][:2]
