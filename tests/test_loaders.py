"""load_document on real files written in tmp_path, and on the bundled seeds."""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import InputError, UnsupportedFileError
from indexer.readers.boilerplate import learn_boilerplate
from indexer.readers.load import is_supported, load_document, split_long
from indexer.clean import reflow
from indexer.clean.reflow import heading_level, is_wrapped, keep_hyphen
from indexer.clean.normalize import normalize
from indexer.store.analysis import EXACT

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
UN_CANDIDATES = [Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")]
UN_TXT = next((p / "corpora/un-general-debates/TXT" for p in UN_CANDIDATES
               if (p / "corpora/un-general-debates/TXT").is_dir()), None)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def load(path: Path, **kwargs):
    return load_document(path, path.parent, **kwargs)


def texts(doc) -> list[tuple[str, int]]:
    return [(b.text, b.level) for b in doc.blocks]


# ---------------------------------------------------------------- encodings and typography

PARAGRAPH = "The “agreed framework” wasn’t signed — it was agreed; café crème."


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16", b""),                 # Python writes a BOM for "utf-16"
    ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"),
    ("cp1252", b""),
])
def test_encodings_decode_to_the_same_clean_text(tmp_path, encoding, prefix):
    path = write(tmp_path, "doc.txt", prefix + PARAGRAPH.encode(encoding))
    doc = load(path)
    assert doc.text == PARAGRAPH                # the document's own quotes, dash and accents


def test_an_installed_charset_detector_does_not_change_the_decoding(tmp_path, monkeypatch):
    """bs4 asks chardet or charset-normalizer, when one is installed, before UTF-8 and cp1252;
    the guess must not decide what a file says (charset-normalizer reads this cp1252 as cp1250)."""
    import bs4.dammit

    monkeypatch.setattr(bs4.dammit, "_chardet_dammit", lambda data: "cp1250")
    for encoding in ("cp1252", "utf-8"):
        path = write(tmp_path, f"doc-{encoding}.txt", PARAGRAPH.encode(encoding))
        assert load(path).text == PARAGRAPH
    page = write(tmp_path, "page.html", '<html><head><meta charset="iso-8859-2"></head><body><p>Łódź i Kraków, '
                 'miasta w Polsce, leżą nad rzekami.</p></body></html>'.encode("iso-8859-2"))
    assert "Łódź i Kraków" in load(page).text


def test_latin1_text_decodes(tmp_path):
    path = write(tmp_path, "doc.txt", "Le café était fermé à Genève.".encode("latin-1"))
    assert load(path).text == "Le café était fermé à Genève."


def test_korean_utf16_text_is_korean(tmp_path):
    path = write(tmp_path, "ko.txt", "북한은 새로운 세기를 맞아 국제적으로 고립되었다.".encode("utf-16"))
    doc = load(path)
    assert doc.text == "북한은 새로운 세기를 맞아 국제적으로 고립되었다."
    assert doc.language == "ko"


def test_mojibake_of_a_closing_quote_is_no_escape_sequence(tmp_path):
    """A closing quote's UTF-8 read as cp1252 and saved again is "â€" and U+009D, the 8-bit form of
    a terminal's OSC; read as one, it took all the text after it (25 UN speeches of 1998 lost most
    of their words, and the fidelity audit, whose normal form is the indexer's, did not see it)."""
    speech = ("Thank you very much, Sir. But I prefer to be called \u00e2\u20ac\u0153Flight-Lieutenant"
              "\u00e2\u20ac\u009d and not \u00e2\u20ac\u0153Mr.\u00e2\u20ac\u009d\nI join preceding "
              "speakers in congratulating the President on his election.\n")
    (tmp_path / "GHA.txt").write_text(speech, encoding="utf-8")
    text = load(tmp_path / "GHA.txt").text
    assert "congratulating the President on his election." in text and "Flight-Lieutenant" in text
    assert normalize("a \x1b[1mbold\x1b[0m word, a \x1b]0;window title\x07title") == "a bold word, a title"


def test_normalize_typography():
    raw = "it\u2019s \u201cquoted\u201d\u00a0here\r\nsoft\u00adhyphen zero\u200bwidth\tTab war\u2014and 1990\u20131995 A \u2013 B bell\x07"
    assert normalize(raw) == 'it\u2019s \u201cquoted\u201d here\nsofthyphen zerowidth Tab war\u2014and 1990\u20131995 A \u2013 B bell'


@pytest.mark.parametrize("text", [
    "Run pip install --upgrade docsearch -- then restart.",       # options and a spaced double hyphen
    "x -- y, a--b, wait\u2026 and \u2015 and \u2212 5 \u2012 7 \u2014\u2014 gone",
])
def test_normalize_keeps_dashes_ellipses_and_minus_signs(text):
    assert normalize(text) == text


def test_footnote_marker_does_not_glue_words():
    """A note mark glued to a word (text from a PDF) is read apart by the analyzer; the text keeps it."""
    assert EXACT.terms("non-aligned nations,1)The term") == ["non", "aligned", "nations", "1", "the", "term"]
    assert EXACT.terms("Korea2)The term") == ["korea", "2", "the", "term"]
    assert EXACT.terms("see (a) and 1) first, B52) and x2)y") == ["see", "a", "and", "1", "first", "b52", "and",
                                                                     "x2", "y"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab1é.!?)\"']( -\n\x00\x07\x0b\x0e\x7f\x80\x85\x9f\xa0", max_size=30))
def test_fast_character_tests_agree_with_their_patterns(text):
    """The byte- and suffix-level tests that stand in for regular expressions on hot paths."""
    from indexer.clean import chrome
    from indexer.clean import normalize as textclean

    assert textclean._count_controls(text, textclean._CONTROL_BYTES) == len(textclean._CONTROL.findall(text))
    assert (textclean._count_controls(text, textclean._BINARY_CONTROL_BYTES)
            == len(textclean._BINARY_CONTROL.findall(text)))
    assert chrome.ends_sentence(text) == bool(chrome._TERMINAL.search(text))
    assert (reflow._SPLIT_WORD_HYPHEN.search(text) is None) <= (reflow._SPLIT_WORD.search(text) is None)


def _normalize_by_patterns(text: str) -> str:
    """normalize as the regular expressions say it (the specification of its faster form)."""
    import unicodedata

    from indexer.clean import normalize as tc

    text = text.replace("\r\n", "\n")
    if not text.isascii():
        text = tc._MAPPED.sub(tc._map_char, unicodedata.normalize("NFC", text))
    else:
        text = tc._MAPPED.sub(tc._map_char, text)
    return tc._CONTROL.sub("", text)


_TYPOGRAPHY = ("ab1 -\n\r\t\x0b\x0c\x01\x1f\x7f\x80\x85\x9f\xa0\xad\u2014\u2015\u2013\u2010\u2019\u201c"
               "\u2026\u2028\u2029\u3000\ufeff\ufffd\ufb01\u212a\u0301e\u00e9\u2000\u02bc\ud800")


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=_TYPOGRAPHY, max_size=40))
def test_normalize_does_what_its_patterns_say(text):
    assert normalize(text) == _normalize_by_patterns(text)


# ---------------------------------------------------------------- refused files

@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file (0 bytes)"),
    ("blank.txt", b"  \n\n\t \n", "empty file (no text after cleaning)"),
    ("blob.txt", b"PK\x03\x04\x00\x00binary\x00data" * 50, "binary file (NUL bytes)"),
    ("ctrl.txt", bytes(range(1, 9)) * 200, "binary file (mostly control characters)"),
    ("bad16.txt", b"\xff\xfe" + b"\x00\xd8" * 20, "undecodable: invalid utf-16 data after its byte-order mark"),
    ("page.html", b"<html><head><script>x=1</script></head><body><nav>Home</nav></body></html>",
     "no readable text in the HTML"),
    ("drawing.xyz", b"\x89XYZ....", "unsupported file type .xyz; expected one of "),
    ("notes", b"text\x00\x01 in no format", "binary file (NUL bytes)"),     # no extension: read by content
    ("bundle", b"PK\x03\x04" + bytes(60), "unsupported file type: a ZIP archive with no extension that is not "
                                          "a Word, OpenDocument or EPUB file (archives are not opened)"),
    ("doc.txt.meta.json", b"{}", "unsupported file type .json; expected one of "),
])
def test_unsupported_files_give_one_line_reason(tmp_path, name, data, reason):
    path = write(tmp_path, name, data)
    with pytest.raises(UnsupportedFileError) as err:
        load(path)
    if reason.endswith("expected one of "):     # the list grows with the readers
        assert str(err.value).startswith(reason) and ".txt" in str(err.value) and ".pdf" in str(err.value)
    else:
        assert str(err.value) == reason


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, "big.txt", "word " * 100)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    with pytest.raises(UnsupportedFileError, match=r"^file too large \(500 bytes; limit 100\)$"):
        load(path, max_bytes=100)


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", "secret words")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(UnsupportedFileError, match=r"^cannot read: Permission denied$"):
        load(path)


def test_directory_named_like_a_document(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(UnsupportedFileError, match="^not a regular file$"):
        load(tmp_path / "folder.txt")


def test_is_supported():
    assert is_supported(Path("a/b.TXT")) and is_supported(Path("x.htm"))
    assert not is_supported(Path("b.txt.meta.json")) and not is_supported(Path("b.xyz"))
    assert is_supported(Path("b.pdf"))


# ---------------------------------------------------------------- identity fields

def test_ids_hash_size_and_mtime(tmp_path):
    raw = "Hello world, this is a document.\n".encode()
    path = write(tmp_path, "sub dir/deeper/doc.txt", raw)
    doc = load_document(path, tmp_path)
    assert doc.doc_id == doc.path == "sub dir/deeper/doc.txt"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.size == len(raw)
    assert doc.mtime == path.stat().st_mtime
    assert load_document(path, path).doc_id == "doc.txt"


def test_path_outside_root_is_an_input_error(tmp_path):
    path = write(tmp_path, "a/doc.txt", "text")
    (tmp_path / "b").mkdir()
    with pytest.raises(InputError):
        load_document(path, tmp_path / "b")


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">
<title>Agreed Framework Explained | Peace Monitor</title>
<meta property="og:site_name" content="Peace Monitor">
<meta property="article:published_time" content="2019-11-04T09:00:00+00:00">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://example.org/agreed-framework">
<style>.x{color:red}</style><script>var tracking = "script text";</script></head>
<body class="post-template-default single comments-open">
<header class="site-header"><h1>Peace Monitor</h1><nav><ul><li>Home</li><li>About</li></ul></nav></header>
<div id="content">
<article>
<header><h1>Agreed Framework Explained</h1><div class="byline">By Jane Doe</div></header>
<p>The agreed framework of 1994 froze the plutonium programme at Yongbyon.</p>
<h2>Background</h2>
<p>Talks began in 1993&mdash;after the crisis&nbsp;deepened.</p>
<div hidden>secret hidden text</div>
<div style="display: none">invisible text</div>
<span aria-hidden="true">aria hidden text</span>
<noscript>enable javascript</noscript>
<ul><li>First point</li><li>Second point</li></ul>
<table><tr><th>Year</th><th>Event</th></tr><tr><td>1994</td><td>Framework signed</td></tr></table>
<pre>line one
  line two</pre>
<figure><img src="x.png"><figcaption>The Yongbyon reactor.</figcaption></figure>
<form><input value="search box"></form>
<div class="sharedaddy"><h3>Share this:</h3><a>Twitter</a></div>
<footer>Tags: nuclear</footer>
</article>
<div id="comments" class="comments-area"><h2>3 Comments</h2><p>Great post!</p></div>
</div>
<aside class="sidebar"><p>Related reading</p></aside>
<footer class="site-footer"><p>All rights reserved</p></footer>
<!-- a comment --></body></html>"""


def test_html_keeps_the_article_and_drops_chrome(tmp_path):
    doc = load(write(tmp_path, "page.html", PAGE))
    assert texts(doc) == [
        ("Agreed Framework Explained", 1),
        ("The agreed framework of 1994 froze the plutonium programme at Yongbyon.", 0),
        ("Background", 2),
        ("Talks began in 1993\u2014after the crisis deepened.", 0),
        ("First point", 0),
        ("Second point", 0),
        ("Year | Event", 0),
        ("1994 | Framework signed", 0),
        ("line one\n  line two", 0),
        ("The Yongbyon reactor.", 0),
    ]
    assert (doc.title, doc.date, doc.source, doc.author, doc.url, doc.language) == (
        "Agreed Framework Explained", "2019-11-04", "Peace Monitor", "Jane Doe",
        "https://example.org/agreed-framework", "en")


def test_html_without_article_uses_body_and_inline_text(tmp_path):
    page = ("<html><head><title>Plain page</title></head><body><div>Loose text in a div"
            "<p>A paragraph.</p>tail text</div><div><time datetime='2000-10-09'>Oct 9</time></div></body></html>")
    doc = load(write(tmp_path, "p.htm", page))
    assert texts(doc) == [("Loose text in a div", 0), ("A paragraph.", 0), ("tail text", 0), ("Oct 9", 0)]
    assert (doc.title, doc.date) == ("Plain page", "2000-10-09")


def test_html_meta_charset_latin1(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Caf\xe9 cr\xe8me</p></body></html>'
    doc = load(write(tmp_path, "l.html", page.encode("latin-1")))
    assert doc.text == "Café crème"


def test_deeply_nested_html_does_not_crash(tmp_path):
    depth = 50_000
    page = "<html><body>" + "<div>" * depth + "<p>deep text</p>" + "</div>" * depth + "<p>after</p></body></html>"
    doc = load(write(tmp_path, "deep.html", page))
    assert texts(doc) == [("deep text", 0), ("after", 0)]


def test_recursion_error_in_the_parser_falls_back_to_stripped_tags(tmp_path, monkeypatch):
    from indexer.readers import html

    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(html, "BeautifulSoup", too_deep)
    page = "<html><body><script>x()</script><p>First paragraph.</p><p>Second <b>bold</b> one.</p></body></html>"
    doc = load(write(tmp_path, "r.html", page))
    assert texts(doc) == [("First paragraph.", 0), ("Second bold one.", 0)]


# ---------------------------------------------------------------- Markdown

MARKDOWN = """---
title: "Notes on the Framework"
date: October 9, 2000
author: [A. Smith, B. Jones]
lang: en
tags:
  - dprk
  - usa
---
# Heading One

Some *emphasis* and **strong** text with a [link](http://x.org), ![img](a.png)an image
and `code` and snake_case_name.

## Second

- item one
- item two

> quoted words

```python
def f():
    return 1
```
"""


def test_markdown_front_matter_headings_and_markup(tmp_path):
    doc = load(write(tmp_path, "notes.md", MARKDOWN))
    assert texts(doc) == [
        ("Heading One", 1),
        ("Some emphasis and strong text with a link, an image and code and snake_case_name.", 0),
        ("Second", 2),
        ("- item one\n- item two", 0),           # a list stays a list: an item per line
        ("quoted words", 0),
        ("def f():\n    return 1", 0),
    ]
    assert (doc.title, doc.date, doc.author, doc.language) == ("Notes on the Framework", "2000-10-09",
                                                               "A. Smith; B. Jones", "en")
    assert dict(doc.meta) == {"tags": "dprk; usa"}


def test_markdown_title_from_first_heading(tmp_path):
    doc = load(write(tmp_path, "t.md", "Intro line\n\n# The Title\n\nBody text here.\n"))
    assert doc.title == "The Title"


# ---------------------------------------------------------------- sidecars

@pytest.mark.parametrize("sidecar_name", ["report.txt.meta.json", "report.meta.json"])
def test_sidecar_overrides_fields(tmp_path, sidecar_name):
    path = write(tmp_path, "report.txt", "Report Title\n\nBy John Roe\n\nThe body of the report is here, long enough to count as prose.\n")
    write(tmp_path, sidecar_name, json.dumps({
        "title": "Official Title", "date": "9 Oct 2000", "author": "Someone Else",
        "language": "fr-FR", "collection": "archive", "pages": 12,
    }))
    doc = load(path)
    assert (doc.title, doc.date, doc.author, doc.language) == ("Official Title", "2000-10-09", "Someone Else", "fr")
    assert dict(doc.meta) == {"collection": "archive", "pages": "12"}


def test_broken_sidecar_is_reported(tmp_path):
    path = write(tmp_path, "report.txt", "Some text.")
    write(tmp_path, "report.txt.meta.json", "{not json")
    with pytest.raises(UnsupportedFileError, match=r"^bad sidecar report\.txt\.meta\.json: "):
        load(path)


# ---------------------------------------------------------------- plain text: chrome

CHROME_PAGE = """Home
About Us
Contact

Harbor Times Historical Document

City Council Approves New Harbor Plan

Posted by Maria Lopez | March 3, 2021 | 2 Comments

Harbor Times Media, Inc.

12 Wharf Street, Portland, ME 04101

Phone: (207) 555-0100

Photo: a view of the old harbor | Credit: City Archive

The city council voted on Tuesday to approve a twenty-year plan for the old harbor, ending a debate that began in 2015.

Opponents argued that the plan would raise rents for fishing families. Supporters said the new docks would bring jobs.

Next Steps

Construction is expected to begin next spring, once the state grants its permits for the dredging work.

Leave a comment

This site uses Akismet to reduce spam. Learn how your comment data is processed.

Copyright © 2021 Harbor Times. All rights reserved.

Privacy
Terms
Sitemap
"""


def test_text_page_chrome_becomes_fields_or_goes(tmp_path):
    doc = load(write(tmp_path, "harbor.txt", CHROME_PAGE))
    assert texts(doc) == [
        ("City Council Approves New Harbor Plan", 1),
        ("Photo: a view of the old harbor | Credit: City Archive", 0),      # a caption is content
        ("The city council voted on Tuesday to approve a twenty-year plan for the old harbor, "
         "ending a debate that began in 2015.", 0),
        ("Opponents argued that the plan would raise rents for fishing families. "
         "Supporters said the new docks would bring jobs.", 0),
        ("Next Steps", 2),
        ("Construction is expected to begin next spring, once the state grants its permits for the dredging work.", 0),
    ]
    assert (doc.title, doc.date, doc.author, doc.source) == (
        "City Council Approves New Harbor Plan", "2021-03-03", "Maria Lopez", "Harbor Times Media")
    assert [(r.text, r.reason) for r in doc.removed] == [
        ("Home", "menu"), ("About Us", "menu"), ("Contact", "menu"),
        ("Harbor Times Historical Document", "publisher line"),
        ("Posted by Maria Lopez | March 3, 2021 | 2 Comments", "byline"),
        ("Harbor Times Media, Inc.", "publisher line"),
        ("12 Wharf Street, Portland, ME 04101", "contact line"), ("Phone: (207) 555-0100", "contact line"),
        ("Leave a comment", "notice"),
        ("This site uses Akismet to reduce spam. Learn how your comment data is processed.", "notice"),
        ("Copyright © 2021 Harbor Times. All rights reserved.", "notice"),
        ("Privacy", "menu"), ("Terms", "menu"), ("Sitemap", "menu")]


def test_learned_boilerplate_is_dropped(tmp_path):
    menu = "Subscribe to our print edition today and save!\n\n"
    topics = ["harbor dredging", "school budgets", "the new library", "bridge repairs"]
    docs = [write(tmp_path, f"d{i}.txt", f"{menu}This article is about {topic}, and it says something long "
                                          f"enough to be a body paragraph of its own.\n\nRead our weekly digest\n")
            for i, topic in enumerate(topics)]
    boilerplate = learn_boilerplate(docs)
    assert "read our weekly digest" in boilerplate
    assert "subscribe to our print edition today and save" in boilerplate
    assert not any("article" in key for key in boilerplate)
    doc = load_document(docs[0], tmp_path, boilerplate=boilerplate)
    assert texts(doc) == [("This article is about harbor dredging, and it says something long enough to be "
                           "a body paragraph of its own.", 0)]


def test_two_documents_learn_nothing(tmp_path):
    docs = [write(tmp_path, f"d{i}.txt", "Same menu line\n\nSame body line.\n") for i in range(2)]
    assert learn_boilerplate(docs) == frozenset()


@pytest.mark.parametrize("fraction", [0.3, 0.5])
def test_boilerplate_learned_in_processes_is_the_same(tmp_path, monkeypatch, fraction):
    # Lines in 2/3, 1/3 and 1/5 of the files, spread unevenly over the processes' slices.
    import indexer.readers.boilerplate as boilerplate

    monkeypatch.setattr(boilerplate, "PARALLEL_LEARN_FILES", 2)
    docs = []
    for i in range(30):
        lines = [f"Body line {i} says something of its own."]
        lines += ["Share — on *Social* media_now"] if i % 3 else []
        lines += ["Sponsored: the harbor fund"] if i < 10 else []
        lines += ["Weekly digest (5 items)"] if i % 5 == 0 else []
        docs.append(write(tmp_path, f"d{i:02}.txt", "\n\n".join(lines) + "\n"))
    serial = learn_boilerplate(docs, min_fraction=fraction)
    assert serial == {0.3: {"share on social media now", "sponsored the harbor fund"},
                      0.5: {"share on social media now"}}[fraction]
    assert learn_boilerplate(docs, min_fraction=fraction, procs=3) == serial


@pytest.mark.parametrize("line", ["Share — on *Social* media_now", "  a__b  --  c  ", "Ünïcode — ΣΑΣ ΑΣ!", "x\u3000y\u1680z",
                                  "___", "12 / 13", "Tab\tand\u00a0space"])
def test_boilerplate_keys_are_line_keys(tmp_path, line):
    from indexer.clean.chrome import line_key

    docs = [write(tmp_path, f"d{i}.txt", f"{line}\n\nBody text {i}.\n") for i in range(3)]
    key = line_key(normalize(line).strip())
    assert learn_boilerplate(docs) == ({key} if any(c.isalpha() for c in key) else set())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aZ9_ .,'-—ΣσİÉé\u1680*", max_size=120), max_size=8))
def test_short_line_keys_are_the_line_keys_of_the_tidied_short_lines(lines):
    from indexer.clean.chrome import line_key
    from indexer.readers.boilerplate import MAX_BOILERPLATE_LINE, _short_line_keys
    from indexer.clean.normalize import tidy_line

    tidied = [tidy_line(line) for line in lines]
    expected = {line_key(t) for t in tidied if len(t) <= MAX_BOILERPLATE_LINE}
    assert _short_line_keys("\n".join(lines)) - {""} == expected - {""}     # a blank line's key is ""


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["uses akismet", "Uses AKISMET", "all rights reserved", "ALL RIGHTS", "(c)", "(C) ", "©",
                                 "copyright", "Copyright ", "last updated", "Last Modified", "updated:", "REVISED :",
                                 "your email address will not be published", "comment data is processed", "ſ", "\u212a",
                                 "required fields are marked", " ", "x", "1", ":", "Photo: AP", "|", "Source: UN"]),
                max_size=8).map("".join))
def test_chrome_prefilters_never_hide_a_match(line):
    from indexer.clean import chrome

    assert chrome._may_hold(line, chrome._NOTICE_WORDS) or not chrome._NOTICE_ANYWHERE.search(line)
    assert chrome._may_hold(line, chrome._UPDATED_WORDS) or not chrome._UPDATED.search(line)
    assert ":" in line or not chrome._CAPTION.search(line)


# ---------------------------------------------------------------- plain text: PDF-like reflow

WRAPPED = """We congratulate the President on his election by
the Assembly at its fifty-
fifth session. We regard the interna-
tional community as a partner in this
effort, and we will continue our work.
We thank the Secretary-General.
12
A/55/PV.26
General Assembly 26th plenary meeting

Our delegation believes that the reform of the
Security Council must be comprehensive and must
reflect the realities of the present world, and
that it be done soon.
Finally, we support the declaration.
13
General Assembly 26th plenary meeting
"""


def test_wrapped_text_is_reflowed(tmp_path):
    doc = load(write(tmp_path, "speech.txt", WRAPPED))
    assert texts(doc) == [
        ("We congratulate the President on his election by the Assembly at its fifty-fifth session. "
         "We regard the international community as a partner in this effort, and we will continue our work. "
         "We thank the Secretary-General.", 0),
        ("Our delegation believes that the reform of the Security Council must be comprehensive and must "
         "reflect the realities of the present world, and that it be done soon.", 0),
        ("Finally, we support the declaration.", 0),
    ]
    assert "international community" in doc.text


def test_wrapped_heading_and_indent(tmp_path):
    text = ("The first paragraph of the statement runs over\nseveral lines and ends here at last.\n"
            "Conclusion\n"
            "The last paragraph also runs over several lines\nof the page and it ends here too, fully.\n"
            " An indented line starts a new paragraph and it\ngoes on to fill the width of the lines.\n")
    doc = load(write(tmp_path, "c.txt", text))
    assert texts(doc) == [
        ("The first paragraph of the statement runs over several lines and ends here at last.", 0),
        ("Conclusion", 2),
        ("The last paragraph also runs over several lines of the page and it ends here too, fully.", 0),
        ("An indented line starts a new paragraph and it goes on to fill the width of the lines.", 0),
    ]


def test_is_wrapped():
    assert is_wrapped(WRAPPED.split("\n"))
    assert not is_wrapped((SEEDS / "000_50900fcff45a5147.txt").read_text(encoding="utf-8").split("\n"))


@pytest.mark.parametrize("left,right,vocab,keep", [
    ("inter", "national", {}, True),               # no evidence at all: in doubt, keep (inter-agency)
    ("inter", "national", {"international": 1}, False),     # the document's own spelling decides
    ("interna", "tional", {}, False),
    ("Organiza", "tion", {}, False),               # suffix fragment joins even after a capital
    ("inter", "Korean", {}, True),
    ("fifty", "fifth", {}, True),
    ("self", "determination", {}, True),
    ("results", "based", {}, True),
    ("inter", "and", {}, True),                    # "inter- and intra-state"
    ("peace", "keeping", {"peacekeeping": 1}, False),
    ("co", "operation", {"co-operation": 2}, True),
    ("peace", "loving", {"peace": 5, "loving": 1}, True),
    ("con", "cerns", {"concerns": 1}, False),
    ("peace", "keeping", {"peacekeeping": 1, "peace-keeping": 2}, True),    # the more frequent spelling
    ("medium", "sized", {"medium": 1}, True),      # in doubt (one word of the document): keep
    ("develop", "ment", {}, False),                # a suffix
    ("Gen", "eral", {}, False),                    # a fragment after a capital
    ("Sep", "tember", {"september": 1}, False),
    ("l", "life", {}, True),                       # "The l- life in society": a false start
    ("mem", "member", {"member": 3}, True),        # a speaker's false start: "five mem- member states"
    ("sh", "shout", {}, True),
    ("e", "mail", {"email": 1}, True),             # no syllable stands alone before a line-end hyphen
    ("twenty", "first", {}, True),
    ("non", "proliferation", {}, True),
    ("rules", "based", {}, True),
    ("money", "laundering", {"money": 2, "laundering": 1}, True),     # two words of the document
])
def test_keep_hyphen(left, right, vocab, keep):
    assert keep_hyphen(left, right, vocab) is keep


def test_doubt_follows_how_the_text_treats_its_line_ends():
    """A pair the evidence does not decide joins in a text that splits words at its line ends (a
    hyphen ends one line in 30 or more) and keeps its hyphen in a text whose few line-end hyphens
    are compounds; a copied 'heavy- handed' inside a line keeps it in either."""
    typeset = reflow._Vocabulary(["the plasma levels of the treat-", "ment group were heavy-", "handed, and the",
                                  "results were in-", "creased after the injection."])
    prose = reflow._Vocabulary(["This line of the speech runs on and on to the right margin of the page."] * 40 +
                               ["and we condemn the heavy-", "handed measures."])
    assert not keep_hyphen("heavy", "handed", typeset) and not keep_hyphen("in", "creased", typeset)
    assert keep_hyphen("heavy", "handed", prose) and keep_hyphen("in", "creased", prose)
    assert keep_hyphen("heavy", "handed", typeset, copied=True)
    assert not keep_hyphen("interna", "tional", prose, copied=True)          # a suffix joins anywhere


TYPESET = """The Organization has worked for the develop-
ment of every nation and for peace. Our con-
cerns about the international situation and the
economy are well known to all of the delegations
here. We hope that the interna-
tional community will hear them, and we
thank the Secretary-General for his re-
port on the work of the Organiza-
tion over the past year.
"""

TRANSCRIPT = """We face heavy- handed regulations that hamper trade.
The l- life in society is about the development of each person, and five mem- member states decide alone.
We welcome the Secretary- General and the self- determination of peoples, and we thank you.
"""


def test_line_end_hyphens_follow_the_documents_own_evidence(tmp_path):
    """A typeset text (its decided line-end hyphens are syllable splits) joins the undecided ones
    ("con-cerns"); a text whose line-end hyphens are real keeps them ("heavy- handed"), and a false
    start stays as it was said."""
    typeset = load(write(tmp_path, "typeset.txt", TYPESET)).text
    for word in ("development", "concerns", "international community", "report", "Organization over"):
        assert word in typeset
    assert "Secretary-General" in typeset
    said = load(write(tmp_path, "said.txt", TRANSCRIPT)).text
    for kept in ("heavy-handed", "The l-life in", "five mem-member states", "Secretary-General", "self-determination"):
        assert kept in said
    assert "heavyhanded" not in said and "llife" not in said
    abstract = load(write(tmp_path, "abstract.txt", "plasma levels in the pa-\ntients were in-\ncreased after the\n"
                                                    "x-\nirradiation of the glands .\n")).text
    assert "patients were increased" in abstract and "x-irradiation" in abstract


def test_a_capital_after_the_hyphen_joins_only_where_the_document_writes_the_word_so(tmp_path):
    """The document's spelling elsewhere decides as the join would write it: "Southeast Asian
    Nations" is no spelling of "South- East" joined ("SouthEast", a word nobody wrote: UN debates,
    Viet Nam 2021), while "MacArthur" elsewhere joins "Mac-/Arthur"."""
    speech = ("The Association of Southeast Asian Nations works for peace and prosperity in South- East Asia\n"
              "and in the wider region, and General Mac-\nArthur is remembered there, as MacArthur is in\n"
              "the histories of the region that we all have read.\n")
    text = load(write(tmp_path, "speech.txt", speech)).text
    assert "prosperity in South-East Asia" in text and "General MacArthur is" in text
    assert "SouthEast" not in text


def test_one_line_end_hyphen_in_a_short_text_is_no_habit_and_keeps_its_hyphen(tmp_path):
    """A short abstract with a single line-end hyphen the pair leaves in doubt keeps it: one site
    makes a high density in a short text but says nothing of how the text treats its line ends
    (CISI's "machine-/readable form" was read as "machinereadable"); two splits make one."""
    once = ("Excerpts of technical papers have been created entirely by automatic means. The complete\n"
            "text of an article in machine-\nreadable form is scanned by a data processing machine and\n"
            "analyzed in accordance with a standard program.\n")
    assert "machine-readable form" in load(write(tmp_path, "once.txt", once)).text
    twice = once.replace("data processing machine and\n", "data processing machine and mea-\nsured "
                                                               "for its signifi-\ncance, then\n")
    text = load(write(tmp_path, "twice.txt", twice)).text
    assert "measured for its significance" in text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abAB-_1² ΣσςİéÉ'.", max_size=12), max_size=6),
       st.lists(st.text(alphabet="abAB-_1² ΣσςİéÉ'.", max_size=6), max_size=4))
def test_vocabulary_counts_words_as_a_counter_of_the_whole_text_would(texts, probes):
    """The per-word counts of the lazy vocabulary equal a Counter of every word of the lines, less the
    words run together through a line-end hyphen ("ab-" at a line end or "ab- cd"): those are what
    a hyphen decision asks about, not evidence for it."""
    text = "\n".join(texts).lower()
    split = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:-[ \n][^\W\d_]+(?:-[^\W\d_]+)*)+")
    whole = Counter(reflow._WORDS.findall(split.sub(" ", text)))
    vocab = reflow._Vocabulary(texts)
    for word in [*whole, *probes, *(p.lower() for p in probes)]:
        assert vocab.get(word, 0) == whole.get(word, 0), word
    assert dict(vocab) == dict(whole)


@pytest.mark.parametrize("line,level", [
    ("Part I. Changes in the External Environment", 2),
    ("Chapter 3. Foreign Relations", 2),
    ("1. Introduction", 2),
    ("2.1 Scope of the Study", 3),
    ("Conclusion", 2),
    ("CLIMATE CHANGE", 2),
    ("Mr. President", 0),
    ("Ladies and Gentlemen", 0),
    ("Antigua and", 0),
    ("It was agreed that the talks go on.", 0),
    ("the small print", 0),
])
def test_heading_level(line, level):
    assert heading_level(line) == level


def test_long_paragraph_is_split_at_sentence_ends():
    sentence = "This sentence is exactly fifty characters long ok. "
    pieces = split_long(sentence * 100)
    assert [len(p) for p in pieces] == [1223, 1223, 1223, 1427]
    assert all(p.endswith("ok.") for p in pieces)


def test_speech_lines_are_merged(tmp_path):
    lines = [f"Line number {i} of the speech ends here." for i in range(30)]
    doc = load(write(tmp_path, "s.txt", "\n".join(lines)))
    assert [len(b.text) for b in doc.blocks] == [509, 519, 159]
    assert doc.blocks[0].text.startswith("Line number 0 of the speech ends here. Line number 1 of")


# ---------------------------------------------------------------- the real seeds

def seed(name: str):
    return load_document(SEEDS / name, SEEDS)


CHROME_LINES = ["ICAS Historical Document", "October 9, 2000", "Institute for Corean-American Studies",
                "965 Clover Court", "icas@icasinc.org", "This page last updated", "ICAS Fellow",
                "ICAS Speakers", "Discussants", "By |", "No Comments", "Akismet"]


def test_seed_000_communique():
    doc = seed("000_50900fcff45a5147.txt")
    assert (doc.title, doc.date, doc.source, doc.author, doc.language) == (
        "DPRK-U.S.A. Joint Communiqué", "2000-10-09", "Institute for Corean-American Studies (ICAS)", None, "en")
    assert dict(doc.meta) == {"updated": "2008-06-26"}
    assert texts(doc)[0] == ("DPRK-U.S.A. Joint Communiqué", 1)
    assert len(doc.blocks) == 17 and not any(b.heading for b in doc.blocks[1:])
    assert doc.blocks[1].text.startswith("Vice marshal Jo Myong Rok, first vice-chairman")
    assert doc.blocks[-1].text.endswith("make arrangements for the President's visit.")
    assert "historic inter-Korean summit" in doc.text


def test_seed_001_sino_nk():
    doc = seed("001_ac2c5635a7d32ac0.txt")
    assert (doc.title, doc.date, doc.source, doc.author, doc.language) == (
        "Understanding North Korea: Foreign Relations of North Korea in 2000", "2019-11-04", None, None, "en")
    headings = [(b.text, b.level) for b in doc.blocks if b.heading]
    assert headings == [("Understanding North Korea: Foreign Relations of North Korea in 2000", 1),
                        ("Part I. Changes in the External Environment", 2)]
    assert doc.blocks[1].text == ("Jo Myong-rok, Vice-Chairman of the DPRK’s National Defense Commission meets "
                                  "with the-Secretary of Defense William Cohen at the Pentagon in 2000 | "
                                  "Source: Wikimedia Commons")      # the photo's caption is content
    assert doc.blocks[2].text.startswith("As it approached the new century")
    assert [(r.text, r.reason) for r in doc.removed] == [
        ("By | November 04, 2019 | No Comments", "byline"),
        ("This site uses Akismet to reduce spam. Learn how your comment data is processed.", "notice")]
    assert "non-aligned nations,1)The term used here" in doc.text          # as the document writes it
    assert doc.blocks[-1].text.startswith("1 The term used here is “countries that do not participate in blocs”")
    assert "South Korea’s achievements in Nordpolitik" in doc.text


@pytest.mark.parametrize("name", ["000_50900fcff45a5147.txt", "001_ac2c5635a7d32ac0.txt"])
def test_seeds_have_no_chrome_in_blocks(name):
    doc = seed(name)
    for block in doc.blocks:
        for chrome_line in CHROME_LINES:
            assert chrome_line not in block.text


def test_seed_offsets_index_the_clean_text():
    doc = seed("001_ac2c5635a7d32ac0.txt")
    assert all(doc.text[b.start:b.end] == b.text for b in doc.blocks)


# ---------------------------------------------------------------- the real UN corpus

@pytest.mark.skipif(UN_TXT is None, reason="shared UN corpus not present")
def test_un_speech_reflows_into_paragraphs():
    root = UN_TXT.parent
    doc = load_document(UN_TXT / "Session 55 - 2000" / "PRK_55_2000.txt", root)
    assert doc.doc_id == "TXT/Session 55 - 2000/PRK_55_2000.txt"
    assert doc.blocks[0].text.startswith("On behalf of the delegation of the Democratic People's Republic of Korea, "
                                         "I should like first of all to congratulate Mr. Harri Holkeri")
    assert doc.blocks[0].text.endswith("strengthen the role of the United Nations.")
    lengths = [len(b.text) for b in doc.blocks]
    assert len(lengths) == 23 and max(lengths) < 2000 and min(lengths) > 150
    assert "\n26\n" not in doc.text and " 26 " not in doc.text
    assert "at its fifty-fifth session" in doc.text


@pytest.mark.skipif(UN_TXT is None, reason="shared UN corpus not present")
def test_un_page_furniture_is_removed():
    doc = load_document(UN_TXT / "Session 70 - 2015" / "SRB_70_2015.txt", UN_TXT.parent)
    assert "15-29568" not in doc.text and "A/70/PV.20" not in doc.text
    assert "the United Nations Framework Convention on Climate Change (UNFCCC)" in doc.text


def test_the_walk_finds_what_the_readers_read_and_the_formats_they_count_as_skipped():
    from indexer.files import DOCUMENT_SUFFIXES
    from indexer.readers.load import READERS, SKIPPED_FORMATS

    assert DOCUMENT_SUFFIXES == set(READERS) | set(SKIPPED_FORMATS)


def test_markdown_long_suffix_is_read(tmp_path):
    doc = load(write(tmp_path, "notes.markdown", "# Notes\n\nThe envoy arrived on Monday and met the minister.\n"))
    assert doc.type == "markdown" and doc.blocks[0].heading
