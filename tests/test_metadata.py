"""Dates, language, manifests, sidecars and overrides."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.document import Document, make_blocks
from indexer.errors import InputError, UnsupportedFileError
from indexer.metadata import (
    apply_overrides, detect_language, find_date, normalize_language, parse_date, read_manifest, read_sidecar,
    search_date, sidecar_for,
)

UN_METADATA = next((p / "corpora/un-general-debates/metadata.tsv"
                    for p in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))
                    if (p / "corpora/un-general-debates/metadata.tsv").is_file()), None)


@pytest.mark.parametrize("text,iso", [
    ("October 9, 2000", "2000-10-09"),
    ("November 04, 2019", "2019-11-04"),
    ("9 Oct 2000", "2000-10-09"),
    ("9 October, 2000", "2000-10-09"),
    ("the 9th of October 2000", "2000-10-09"),
    ("2000-10-09", "2000-10-09"),
    ("2000/10/09", "2000-10-09"),
    ("2019-11-04T09:00:00+00:00", "2019-11-04"),
    ("6/26/2008", "2008-06-26"),
    ("6/7/2008", "2008-06-07"),          # US order when ambiguous
    ("26/6/2008", "2008-06-26"),         # day first when it must be
    ("6/26/08", "2008-06-26"),
    ("9.10.2000", "2000-10-09"),
    ("Oct. 9, 2000", "2000-10-09"),
    ("Sept 9 2000", "2000-09-09"),
    ("Monday, October 9, 2000", "2000-10-09"),
    ("Posted on October 9, 2000 at 10:30 am", "2000-10-09"),
    ("October 2000", "2000-10"),
    ("2000-10", "2000-10"),
    ("2000", "2000"),
    (" 2000 ", "2000"),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", [
    None, "", "garbage", "13/13/2000", "February 30, 2000", "2000-13-01", "12345",
    "October 9, 2000 was the day the talks began",      # prose around a date is not a date
    "Part I. Changes in the External Environment", "Chapter 3.1", "0",
])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


def test_search_date_finds_a_date_inside_a_line():
    assert search_date("By | November 04, 2019 | No Comments") == "2019-11-04"
    assert search_date("This page last updated 6/26/2008 jdb") == "2008-06-26"
    assert search_date("Foreign Relations of North Korea in 2000") is None


def test_find_date_prefers_a_dateline():
    lines = ["ICAS Historical Document", "DPRK-U.S.A. Joint Communiqué", "updated 6/26/2008", "October 9, 2000"]
    assert find_date(lines) == "2000-10-09"
    assert find_date(["Title", "By Jane | March 3, 2021"]) == "2021-03-03"
    assert find_date(["Title", "2000", "No date here"]) is None


@pytest.mark.parametrize("text,lang", [
    ("The agreed framework froze the programme and the talks went on for years.", "en"),
    ("북한은 새로운 세기를 맞아 국제적으로 고립되었다. NPT", "ko"),
    ("これは日本語の文章です。東京で会議が開かれた。", "ja"),
    ("这是一个关于朝鲜半岛和平的中文句子。", "zh"),
    ("Это русский текст о переговорах и мире.", "ru"),
    ("Le président de la République et les ministres sont dans la salle pour une réunion des chefs.", "fr"),
    ("El presidente de los Estados Unidos y el ministro de la república hablaron en la reunión.", "es"),
    ("Der Präsident und die Minister sind nicht in der Stadt, aber sie kommen mit dem Zug.", "de"),
    ("English text that quotes le monde once is still English for the reader of the text.", "en"),
    ("2000 1999 -- 42", "en"),
    ("", "en"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["the", "The", "de", "für", "FÜR", "não", "è", "la", "Le", " ", "-", "—", "é", "1",
                                 "_", ".", "İ", "ſ", "ß", "x", "\u00a0", "des"]), max_size=40).map("".join))
def test_stop_word_counts_are_those_of_the_words(text):
    from collections import Counter

    from indexer import metadata

    expected = Counter(w for w in metadata._WORD.findall(text.lower()) if w in metadata._STOP_LANGS)
    ascii_counts, other_counts = metadata._stop_word_counts(text, text.isascii())
    assert Counter({w.decode("ascii"): n for w, n in ascii_counts.items()}) + other_counts == expected


def test_normalize_language():
    assert normalize_language("en-US") == "en"
    assert normalize_language("EN_gb") == "en"
    assert normalize_language("x") is None


# ---------------------------------------------------------------- manifests

def test_read_manifest_tsv(tmp_path):
    path = tmp_path / "m.tsv"
    path.write_text("path\ttitle\tyear\tcountry\n./a/one.txt\tOne\t2000\tKorea\nb\\two.txt\tTwo\t\tJapan\n\t\t\t\n")
    assert read_manifest(path) == {
        "a/one.txt": {"title": "One", "year": "2000", "country": "Korea"},
        "b/two.txt": {"title": "Two", "country": "Japan"},
    }


def test_read_manifest_csv_needs_a_path_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('path,title,date\none.txt,"Title, with comma",October 9 2000\n', encoding="utf-8-sig")
    assert read_manifest(path) == {"one.txt": {"title": "Title, with comma", "date": "October 9 2000"}}
    path.write_text('file,title,date\none.txt,"Title, with comma",October 9 2000\n', encoding="utf-8-sig")
    with pytest.raises(InputError, match="has no 'path' column .its columns: file, title, date.; name the column"):
        read_manifest(path)


def test_read_manifest_errors(tmp_path):
    with pytest.raises(InputError, match=r"^Cannot read manifest .*missing\.tsv: "):
        read_manifest(tmp_path / "missing.tsv")
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"^Manifest .*empty\.tsv is empty; it needs a header row with a 'path' column$"):
        read_manifest(empty)
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"\xff\xfe\x00\xd8garbage")
    with pytest.raises(InputError, match=r"^Cannot read manifest "):
        read_manifest(binary)


@pytest.mark.skipif(UN_METADATA is None, reason="shared UN corpus not present")
def test_read_real_un_manifest():
    rows = read_manifest(UN_METADATA)
    assert len(rows) == 6366
    row = rows["TXT/Session 55 - 2000/PRK_55_2000.txt"]
    assert row == {"iso3": "PRK", "session": "55", "year": "2000", "country": "North Korea",
                   "speaker": "Li Hyong Chol", "post": "UN Representative",
                   "title": "North Korea — UN General Debate statement, Session 55 (2000)"}
    doc = apply_overrides(_doc(), row)
    assert (doc.title, doc.date) == (row["title"], "2000")
    assert dict(doc.meta) == {"iso3": "PRK", "session": "55", "year": "2000", "country": "North Korea",
                              "speaker": "Li Hyong Chol", "post": "UN Representative"}


# ---------------------------------------------------------------- sidecars and overrides

def _doc(**kwargs) -> Document:
    text, blocks = make_blocks([("Body text.", 0)])
    return Document(doc_id="a.txt", path="a.txt", text=text, blocks=blocks, **kwargs)


def test_read_sidecar_and_lookup(tmp_path):
    doc = tmp_path / "report.txt"
    doc.write_text("x")
    assert sidecar_for(doc) is None
    short = tmp_path / "report.meta.json"
    short.write_text('{"title": "T", "tags": ["a", "b"], "pages": 3, "draft": false, "extra": {"k": 1}, "none": null}')
    assert sidecar_for(doc) == short
    full = tmp_path / "report.txt.meta.json"
    full.write_text("{}")
    assert sidecar_for(doc) == full
    assert read_sidecar(short) == {"title": "T", "tags": "a; b", "pages": "3", "draft": "false", "extra": '{"k": 1}'}


def test_read_sidecar_rejects_non_objects(tmp_path):
    path = tmp_path / "x.meta.json"
    path.write_text("[1, 2]")
    with pytest.raises(UnsupportedFileError, match=r"^bad sidecar x\.meta\.json: expected a JSON object$"):
        read_sidecar(path)


def test_apply_overrides():
    doc = _doc(title="Old", date="2000-10-09", language="en", meta={"kept": "yes"})
    new = apply_overrides(doc, {"Title": "New", "lang": "ko-KR", "Publisher": "ICAS", "url": "http://x",
                                "author": "A", "country": "Korea", "empty": ""})
    assert (new.title, new.date, new.language, new.source, new.url, new.author) == (
        "New", "2000-10-09", "ko", "ICAS", "http://x", "A")
    assert dict(new.meta) == {"kept": "yes", "country": "Korea"}
    assert doc.title == "Old"           # the original is untouched


def test_apply_overrides_dates():
    assert apply_overrides(_doc(), {"date": "Oct. 9, 2000"}).date == "2000-10-09"
    odd = apply_overrides(_doc(date="1999"), {"date": "sometime in spring"})
    assert (odd.date, dict(odd.meta)) == ("1999", {"date": "sometime in spring"})
    assert apply_overrides(_doc(), {"year": "2000"}).date == "2000"
    assert apply_overrides(_doc(date="2000-10-09"), {"year": "2000"}).date == "2000-10-09"
    assert apply_overrides(_doc(date="1999-01-01"), {"year": "2000"}).date == "2000"
    assert apply_overrides(_doc(), {"year": "2000", "date": "2000-10-09"}).date == "2000-10-09"
