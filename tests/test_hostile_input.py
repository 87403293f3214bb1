"""Hostile and broken input: queries, files, generated documents and what they make the output say.

Property-based (hypothesis) where the input space is open, fixed cases for the named horrors.
Bounds: a search answers, or raises QueryError, within QUERY_SECONDS; a file is indexed or
skipped within FILE_SECONDS. Counts are reduced unless DOCSEARCH_LONG_TESTS=1 (set by .ci/run), never skipped.
"""
from __future__ import annotations

import html.parser
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, write
from indexer import build_index
from indexer.document import Document, make_blocks
from indexer.errors import UnsupportedFileError
from indexer.readers.load import load_document
from indexer.segment import TINY_CHARS, segment
from search import QueryError, Results, Searcher
from search.query.parse import MAX_FUZZY_TERMS

LONG = os.environ.get("DOCSEARCH_LONG_TESTS") == "1"
EXAMPLES = 250 if LONG else 60
# Bounds in CPU seconds of the process doing the work (time.process_time): a runaway (quadratic
# parsing, unbounded expansion) blows through them, while other work on a shared machine, which
# only stretches wall time, does not count.
QUERY_SECONDS = 2.0         # any query on the test index: answered or refused within this
FILE_SECONDS = 10.0         # any one hostile file: loaded or refused within this
PYTHON_ENV = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def cli(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], capture_output=True,
                          env={**os.environ, **PYTHON_ENV}, timeout=kw.pop("timeout", 300), **kw)


# -- queries ----------------------------------------------------------------------------------

# ~900 words starting "qa" and ~900 starting "qb": "q*" would expand to the whole vocabulary
# (refused: over EXPANSION_LIMIT, 1,024), "qa*" to half of it (allowed).
_rng = random.Random(7)
VOCAB = sorted({f"q{half}{''.join(_rng.choice('bcdfghjklmnprstvz') for _ in range(4))}"
                for half in "ab" for _ in range(900)})
COMMON = "treaty missile framework delegation summit reactor inspection envoy talks".split()


@pytest.fixture(scope="module")
def vocab_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("vocab")
    rng = random.Random(8)
    words = list(VOCAB)
    rng.shuffle(words)
    for i in range(80):
        chunk = words[i * len(words) // 80:(i + 1) * len(words) // 80]
        text = f"Document {i}\n\n" + " ".join(rng.choice(COMMON) for _ in range(40)) + ". " + " ".join(chunk) + ".\n"
        write(base / "docs" / f"d{i:02}.txt", text)
    build_index([base / "docs"], base / "idx")
    return base / "idx"


@pytest.fixture(scope="module")
def searcher(vocab_index):
    with Searcher(vocab_index) as s:
        yield s


def answer(s: Searcher, query: str, **kw) -> tuple[str, float]:
    """Results or QueryError within QUERY_SECONDS; anything else propagates and fails the test."""
    started = time.process_time()
    try:
        result = s.search(query, **kw)
        assert isinstance(result, Results)
        outcome = "results"
    except QueryError as e:
        assert str(e).strip(), "a QueryError must say what is wrong"
        outcome = "error"
    seconds = time.process_time() - started
    assert seconds < QUERY_SECONDS, f"{query[:80]!r}... took {seconds:.2f} s"
    return outcome, seconds


HOSTILE_QUERIES = {
    "star alone": "*",
    "field alone": "title:",
    "unknown field alone": "nosuchfield:",
    "date alone": "date:",
    "colon alone": ":",
    "whole-vocabulary wildcard": "q*",
    "half-vocabulary wildcard": "qa*",
    "wildcard in a field": "title:q*",
    "100 nested parentheses": "(" * 100 + "treaty" + ")" * 100,
    "100 nested groups with operators": "(treaty OR " * 100 + "x" + ")" * 100,
    "100 unbalanced parentheses": "(" * 100 + "treaty",
    "10,000-char word": "q" * 10_000,
    "10,000-char query of words": ("treaty " * 1429)[:10_000],
    "10,001 chars": "t" * 10_001,
    "1,000 terms": " ".join(VOCAB[:1000]),
    "2,000 one-letter terms": "x " * 2000,
    "1,000 terms OR": " OR ".join(VOCAB[:1000])[:10_000],
    "1,000 phrases": '"treaty missile" ' * 580,
    "one 3,000-word phrase": '"' + "treaty " * 1400 + '"',
    "1,000 fuzzy terms": "qabcdf~2 " * 1000,
    "1,000 different fuzzy terms": " ".join(w + "~2" for w in VOCAB[:1000])[:10_000],
    "treaty 1,000 times": "treaty " * 1000,
    "900 ANDed words": " AND ".join(VOCAB[:900]),
    "1,000 different prefixes": " ".join(w[:4] + "*" for w in VOCAB[:1000])[:10_000],
    "a wide wildcard in many groups": " ".join(f"(qa* OR {w})" for w in COMMON),
    "1,000 NOTs": "NOT " * 1000 + "treaty",
    "1,000 minus signs": "-" * 1000 + "treaty",
    "only operators": "AND OR NOT AND OR NOT",
    "lone surrogates": "\ud800treaty\udfff \udc80",
    "control characters": "".join(map(chr, range(32))) + "treaty\x7f\x9b\x1b[31m",
    "NULs": "\x00" * 5000,
    "bidi and invisibles": "\u202etreaty\u202c \u2066missile\u2069 \u200b\u00ad\ufeff",
    "emoji and combining": "💥" * 500 + "e\u0301" * 500,
    "huge slop": '"treaty missile"~999999999',
    "huge fuzzy": "treaty~999999999",
    "date range of anything": "date:[* TO *]",
    "reversed date range": "date:[2030 TO 1990]",
    "bad date": "date:99999999999999999999",
    "unterminated everything": '"(title:[date:',
    "backslashes": "\\" * 5000,
    "quotes": '"' * 5000,
}


# Queries that once crashed or took far longer than the bound (RecursionError from a chain of ~1,000
# AND matchers; 580 identical phrase matchers; 1,000 expansions of one fuzzy term; 150 of one prefix)
# run in a child process killed at the bound (plus start-up), so that a regression cannot hold up the suite.
IN_CHILD = {("1,000 terms", "and"), ("treaty 1,000 times", "and"), ("900 ANDed words", "and"),
            ("1,000 phrases", "and"), ("1,000 fuzzy terms", "and"), ("1,000 fuzzy terms", "or")}

CHILD_SEARCH = """
import json, sys, time
from search import QueryError, Searcher
with Searcher(sys.argv[1]) as s:
    query = json.loads(sys.stdin.read())
    started = time.process_time()
    try:
        s.search(query, operator=sys.argv[2])
        outcome = "results"
    except QueryError:
        outcome = "error"
    print(json.dumps([outcome, time.process_time() - started]))
"""


def answer_in_child(index_dir: Path, query: str, operator: str) -> tuple[str, float]:
    """answer(), in a child killed after QUERY_SECONDS + 5 s of start-up allowance."""
    try:
        run = subprocess.run([sys.executable, "-c", CHILD_SEARCH, str(index_dir), operator], capture_output=True,
                             text=True, input=json.dumps(query), env={**os.environ, **PYTHON_ENV},
                             timeout=QUERY_SECONDS + 5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{query[:60]!r}... still running after {QUERY_SECONDS + 5:.0f} s")
    assert run.returncode == 0, run.stderr[-1500:]
    outcome, seconds = json.loads(run.stdout)
    assert seconds < QUERY_SECONDS, f"{query[:60]!r}... took {seconds:.2f} s"
    return outcome, seconds


@pytest.mark.parametrize("name,operator", [
    pytest.param(name, op, id=f"{name}-{op}")
    for name in HOSTILE_QUERIES for op in ("and", "or")])
def test_hostile_query_answers_or_refuses_in_bounded_time(searcher, vocab_index, name, operator):
    if (name, operator) in IN_CHILD:
        answer_in_child(vocab_index, HOSTILE_QUERIES[name], operator)
    else:
        answer(searcher, HOSTILE_QUERIES[name], operator=operator)


def test_whole_vocabulary_wildcard_is_refused_and_half_is_answered(searcher):
    with pytest.raises(QueryError, match="matches more than 1024 words"):
        searcher.search("q*")
    assert searcher.search("qa*", limit=1).total > 0


def test_many_wildcards_are_bounded_together(searcher, vocab_index):
    answer_in_child(vocab_index, " ".join(["qa*"] * 150), "or")       # one prefix, searched once
    with pytest.raises(QueryError, match=r"query too broad: it would search 8,\d{3} index words, the limit is "
                                         r"4,096 .*; type more letters before '\*' \('qa\*' matches \d{3}\)$"):
        searcher.search(" ".join(f"(qa* OR {w})" for w in COMMON))        # nine different groups
    assert searcher.search(" ".join(f"(qa* OR {w})" for w in COMMON[:4]), limit=1).total > 0


def test_fuzzy_terms_are_bounded(searcher):
    assert searcher.search(" ".join(w + "~2" for w in VOCAB[::100][:MAX_FUZZY_TERMS]), operator="or").total > 0
    with pytest.raises(QueryError, match=f"more than {MAX_FUZZY_TERMS} fuzzy terms at column"):
        searcher.search(" ".join(w + "~2" for w in VOCAB[::100][:MAX_FUZZY_TERMS + 1]), operator="or")


def test_a_recursion_error_is_a_query_error(searcher, monkeypatch):
    """The last line behind the bounds: no query within them recurses deeply, but if Whoosh ever does."""
    def recurse(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(Searcher, "_first_pass", recurse)
    with pytest.raises(QueryError, match="query too deeply nested"):
        searcher.search("treaty")


@SETTINGS
@given(st.text(st.characters(blacklist_categories=()), max_size=300))
def test_any_unicode_query(searcher, query):
    answer(searcher, query)


QUERY_PIECES = st.sampled_from([
    "treaty", "missile", "qa", "qb", "*", "~", "~2", "~9", "\"", "(", ")", "[", "]", " TO ", ":", "-", "+", "=",
    "AND", "OR", "NOT", "and", "title:", "section:", "source:", "author:", "lang:", "date:", "path:", "doc:",
    "nosuch:", "http://", "1999", "2000-10", "*", ">=", "\\", " ", "  ", "\t", "\x00", "\u202e", "'", "“",
]) | st.sampled_from(VOCAB[:50]) | st.text(max_size=3)


@SETTINGS
@given(st.lists(QUERY_PIECES, max_size=40).map("".join), st.sampled_from(["and", "or"]))
def test_any_query_made_of_query_syntax(searcher, query, operator):
    answer(searcher, query, operator=operator)


# -- files ------------------------------------------------------------------------------------

PARA = ("The delegation discussed the missile programme and the agreed framework at length, "
        "and both sides noted that further talks would be needed before the end of the year.")


def _deep_html(depth: int, tag: str = "div", attrs: str = "") -> bytes:
    return ("<html><body>" + f"<{tag}{attrs}>" * depth + f"<p>{PARA} deepword</p>" + f"</{tag}>" * depth
            + "</body></html>").encode()


HOSTILE_HTML = {
    "nested 100,000 divs": _deep_html(100_000),
    "nested 100,000 unclosed b": ("<html><body><p>" + "<b>" * 100_000 + PARA + " deepword").encode(),
    "nested 20,000 chrome boxes": _deep_html(20_000, "div", ' class="widget"'),
    "nested 20,000 article headers": ("<html><body><article>" + "<header><h2>Head</h2>" * 20_000 + "</header>" * 20_000
                                      + f"<p>{PARA} deepword</p></article></body></html>").encode(),
    "bomb of 1,500,000 elements": ("<html><body><p>deepword " + "<b>x</b>" * 1_500_000 + "</p></body></html>").encode(),
    "100,000 paragraphs": ("<html><body>" + f"<p>{PARA} deepword</p>" * 100_000 + "</body></html>").encode(),
    "100,000 hidden spans": ("<html><body><p>" + "<span hidden>x</span>" * 100_000 + f"{PARA} deepword</p></body></html>").encode(),
    "100,000 table rows": ("<html><body><table>" + "<tr><td>a</td><td>b</td></tr>" * 100_000
                           + f"</table><p>{PARA} deepword</p></body></html>").encode(),
    "100,000 attributes": ("<html><body><p " + " ".join(f"a{i}=x" for i in range(100_000)) + f">{PARA} deepword</p></body></html>").encode(),
    "unterminated comment": f"<html><body><p>{PARA} deepword</p><!-- ".encode() + b"x" * 1_000_000,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HOSTILE_HTML))
def test_hostile_html_is_indexed_or_refused_in_bounded_time(tmp_path, name):
    path = write(tmp_path / "bomb.html", "")
    path.write_bytes(HOSTILE_HTML[name])
    started = time.process_time()
    try:
        doc = load_document(path, tmp_path)
        assert "deepword" in doc.text or name == "unterminated comment"
        assert all(doc.text[b.start:b.end] == b.text for b in doc.blocks)
    except UnsupportedFileError as e:
        assert "\n" not in str(e)
    seconds = time.process_time() - started
    print(f"\n{name}: {len(HOSTILE_HTML[name]):,} bytes in {seconds:.1f} s")
    assert seconds < FILE_SECONDS


def _assert_loaded_or_refused(path: Path, root: Path) -> None:
    started = time.process_time()
    try:
        doc = load_document(path, root)
    except UnsupportedFileError as e:
        reason = str(e)
        assert reason and "\n" not in reason
    else:
        assert doc.blocks and all(doc.text[b.start:b.end] == b.text for b in doc.blocks)
        assert doc.text == doc.text.strip() and "\x00" not in doc.text
        doc.text.encode("utf-8")                 # no lone surrogates: Whoosh must be able to store it
    assert time.process_time() - started < FILE_SECONDS


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([".txt", ".md", ".html"]))
def test_random_bytes_load_or_are_refused(tmp_path_factory, data, suffix):
    folder = tmp_path_factory.mktemp("bytes", numbered=True)
    path = folder / f"doc{suffix}"
    path.write_bytes(data)
    _assert_loaded_or_refused(path, folder)


@SETTINGS
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000),
       st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig"]),
       st.integers(min_value=0, max_value=3), st.sampled_from([".txt", ".md", ".html"]))
def test_any_text_in_any_encoding_truncated_loads_or_is_refused(tmp_path_factory, text, encoding, cut, suffix):
    folder = tmp_path_factory.mktemp("text", numbered=True)
    data = text.encode(encoding, "replace")
    path = folder / f"doc{suffix}"
    path.write_bytes(data[:len(data) - cut] if cut else data)     # cut: a truncated multi-byte character
    _assert_loaded_or_refused(path, folder)


def _unprivileged():
    """preexec_fn so that file mode bits bind the child even when it runs as root (see test_reliability)."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for cap in (1, 2):      # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    return drop


@pytest.mark.slow
def test_a_folder_of_hostile_files_indexes_the_good_ones_and_reports_the_rest(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    good = {
        b"good.txt": f"Good plain text. {PARA} wordgood".encode(),
        b"with space.txt": f"{PARA} wordspace".encode(),
        b"caf\xe9 latin1 name.txt": f"{PARA} wordlatin".encode(),              # not UTF-8: id caf\xe9 ...
        b"new\nline.txt": f"{PARA} wordnewline".encode(),
        b"esc\x1b[31mred.md": f"# Title\n\n{PARA} wordescape".encode(),
        b"deep.html": _deep_html(100_000).replace(b"deepword", b"worddeep"),
        b"bomb.html": HOSTILE_HTML["bomb of 1,500,000 elements"].replace(b"deepword", b"wordbomb"),
        b"nested chrome.html": HOSTILE_HTML["nested 20,000 chrome boxes"].replace(b"deepword", b"wordchrome"),
        b"sidecar.txt": f"{PARA} wordsidecar".encode(),
        b"sidecar.txt.meta.json": json.dumps({"title": "Lone \ud800 surrogate \x1b[2J title",
                                              "author": "<b>Eve</b>\u202e"}).encode(),
        b"utf8 truncated.txt": f"{PARA} wordtruncated caf\u00e9".encode() + "\u00e9".encode()[:1],
    }
    bad = {
        b"random.txt": random.Random(1).randbytes(4000),
        b"random.html": random.Random(2).randbytes(4000),
        b"nul.txt": PARA.encode() + b"\x00" + PARA.encode(),
        b"empty.txt": b"",
        b"bad\nname binary.txt": b"\x00\x01\x02" * 100,
        b"only markup.html": b"<html><body><script>var x = 1;</script></body></html>",
        b"locked.txt": f"{PARA} wordlocked".encode(),
    }
    for name, data in {**good, **bad}.items():
        with open(os.path.join(os.fsencode(docs), name), "wb") as f:
            f.write(data)
    os.chmod(os.path.join(os.fsencode(docs), b"locked.txt"), 0)
    with open(docs / "huge.txt", "wb") as f:
        f.truncate(100 * 2**20)                          # sparse: 100 MB over the 20 MB limit, no disk used
    os.symlink("nowhere.txt", docs / "dangling.txt")     # not files: not documents, not reported
    (docs / "folder.txt").mkdir()
    os.mkfifo(docs / "fifo.txt")
    idx = tmp_path / "idx"
    started = time.perf_counter()
    run = cli("index", docs, "--index", idx, preexec_fn=_unprivileged())
    seconds = time.perf_counter() - started
    stderr = run.stderr.decode("utf-8")
    assert run.returncode == 0, stderr[-3000:]
    warnings = stderr.splitlines()
    print(f"\n{len(good) + len(bad) + 4} hostile entries indexed in {seconds:.1f} s:\n" + "\n".join(warnings))
    assert all(w.startswith("docsearch: warning: skipped ") for w in warnings)
    skipped = {w.removeprefix("docsearch: warning: skipped docs/").split(": ", 1)[0] for w in warnings}
    assert skipped == {"random.txt", "random.html", "nul.txt", "empty.txt", "bad\\x0aname binary.txt",
                       "only markup.html", "locked.txt", "huge.txt", "dangling.txt", "fifo.txt"}
    assert "skipped docs/locked.txt: cannot read: Permission denied" in stderr
    assert "skipped docs/huge.txt: file too large (104,857,600 bytes; limit 20,000,000)" in stderr
    assert "skipped docs/fifo.txt: not a regular file" in stderr
    assert "skipped docs/dangling.txt: cannot read: broken symbolic link" in stderr
    assert run.stdout.decode().startswith("indexed 10 files") and run.stdout.decode().endswith(
        "; 10 skipped (4 binary, 2 empty, 2 unreadable, 1 not a regular file, 1 too big)\n")
    with Searcher(idx) as s:
        for word, doc_id in [("wordgood", "good.txt"), ("wordspace", "with space.txt"),
                             ("wordlatin", "caf\\xe9 latin1 name.txt"), ("wordnewline", "new\\x0aline.txt"),
                             ("wordescape", "esc\\x1b[31mred.md"), ("worddeep", "deep.html"), ("wordbomb", "bomb.html"),
                             ("wordchrome", "nested chrome.html"), ("wordsidecar", "sidecar.txt"),
                             ("wordtruncated", "utf8 truncated.txt")]:
            assert [h.doc_id for h in s.search(word)] == [f"docs/{doc_id}"], word
        hit = s.search("wordsidecar")[0]
        # (the escape sequence "\x1b[2J" goes whole, not only its ESC)
        assert (hit.title, hit.author) == ("Lone surrogate title", "<b>Eve</b>\u202e")
    again = cli("index", docs, "--index", idx, "-q", preexec_fn=_unprivileged())
    assert again.returncode == 0 and again.stdout.decode().startswith("indexed 0 files")
    assert seconds < 60


# -- the segmenter ------------------------------------------------------------------------------

WORDS = st.sampled_from(["treaty", "Mr.", "U.S.", "e.g.", "talks.", "Yes!", "why?", "(see", "note)", "“quoted”",
                         "x" * 50, "y" * 700, "Кимъ", "김정일", "—", "3.5", "A.", "end.", "\u00ad", "a-b"])
SPACES = st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u00a0", "\u3000"])


@st.composite
def documents(draw):
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        words = draw(st.lists(WORDS, max_size=draw(st.sampled_from([3, 30, 300]))))
        text = "".join(w + draw(SPACES) for w in words)
        level = draw(st.sampled_from([0, 0, 0, 1, 2, 3]))
        if level:       # headings are short: loaders demote longer ones (MAX_HEADING_CHARS) to body text
            text = text[:draw(st.integers(1, 300))]
        parts.append((text, level))
    text, blocks = make_blocks(parts)
    return Document(doc_id="d.txt", path="d.txt", text=text, blocks=blocks)


@SETTINGS
@given(documents(), st.integers(1, 400), st.integers(0, 1200))
def test_segmenter_invariants(doc, min_chars, extra):
    max_chars = max(min_chars + extra, 300)     # headings (<= 300 chars) must fit in a passage
    passages = list(segment(doc, min_chars=min_chars, max_chars=max_chars))
    text = doc.text
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    pos = 0
    for p in passages:
        assert p.text.strip(), "never empty"
        assert text[p.start:p.end] == p.text
        assert p.start >= pos, "in order, never overlapping"
        assert not text[pos:p.start].strip(), f"uncovered text {text[pos:p.start]!r}"
        if p.end - p.start > max_chars + min(TINY_CHARS, min_chars):     # (a tiny fragment joins a full one)
            assert not any(c.isspace() for c in p.text), f"a {len(p.text)}-char passage that could be split"
        if p.start == pos and pos:
            a, b = text[pos - 1], text[pos]
            assert not (a.isalnum() and b.isalnum() and not ("\u3400" <= a <= "\ud7a3" and "\u3400" <= b <= "\ud7a3")), \
                f"a passage boundary inside a word: {text[pos - 20:pos]!r} | {text[pos:pos + 20]!r}"
        pos = p.end
    assert not text[pos:].strip(), "uncovered text at the end"
    assert bool(passages) == bool(text.strip())
    # No fragment alone (issue 12: no passage under 40 characters unless the document is that
    # short), unless its neighbours are words too long to split.
    for i, p in enumerate(passages):
        if len(p.text) < min(TINY_CHARS, min_chars) and len(passages) > 1:
            around = passages[max(0, i - 1):i] + passages[i + 1:i + 2]
            assert all(len(q.text) > max_chars for q in around), f"a fragment alone: {p.text!r}"


def test_long_heading_is_split_like_body_text():
    text, blocks = make_blocks([("word " * 400, 2), ("Body text. " * 10, 0)])
    doc = Document(doc_id="d.txt", path="d.txt", text=text, blocks=blocks)
    assert all(len(p.text) <= 1200 for p in segment(doc))


def test_loaders_demote_long_headings(tmp_path):
    path = write(tmp_path / "long.md", "# " + "word " * 400 + "\n\nBody text.\n")
    doc = load_document(path, tmp_path)
    assert [b.heading for b in doc.blocks] == [False, False]
    assert all(len(p.text) <= 1200 for p in segment(doc))


# -- output safety ------------------------------------------------------------------------------

ESCAPES = ["\x1b[31m", "\x1b]0;pwned\x07", "\x1b]8;;http://evil.example\x1b\\", "\x9b2J", "\x9d0;x\x9c",
           "\x1bP+q\x1b\\", "\x07", "\x08", "\r", "\x85", "\u202e", "\u2066", "\u2069", "\u2028"]
MARKUP = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '"><svg onload=alert(3)>',
          "</title><h1>x", "&lt;b&gt;", "<!--", "]]>"]
BAD_TERMINAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _hostile_corpus(docs: Path) -> None:
    hostile = "".join(e + m for e, m in zip(ESCAPES, MARKUP * 2))
    html_text = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # An HTML page: escape characters as entities (the parser decodes them after the text was cleaned).
    ent = "".join(f"&#{ord(c)};" for c in "\x1b[31m\x9b2J\u202e") + html_text
    page = (f'<html><head><title>Evil {ent} zebraword title</title><meta property="og:site_name" content="Site {ent}">'
            f'<link rel="canonical" href="javascript:alert(document.cookie)"></head><body><article>'
            f"<h2>Section {ent}</h2><p>zebraword {ent} {PARA}</p></article></body></html>")
    write(docs / "page.html", page)
    # A text file with the raw characters, a name made of them, and a sidecar that sets every field.
    name = os.fsencode(docs) + b"/name \x1b[31m\xe2\x80\xae<b>x<b>.txt"
    with open(name, "wb") as f:
        f.write(f"Heading line\n\nzebraword {hostile} {PARA}\n".encode("utf-8", "surrogatepass"))
    write(docs / "meta.txt", f"zebraword sidecar document. {PARA}\n")
    write(docs / "meta.txt.meta.json", json.dumps({"title": f"T {hostile}", "source": f"S {hostile}",
                                                   "author": f"A {hostile}", "url": "javascript:alert(4)",
                                                   "country": f"C {hostile}"}))


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_documents_cannot_inject_markup_or_terminal_escapes(tmp_path):
    docs, idx = tmp_path / "docs", tmp_path / "idx"
    _hostile_corpus(docs)
    built = cli("index", docs, "--index", idx)
    assert built.returncode == 0 and b"\x1b" not in built.stderr, built.stderr
    # Terminal output: every field (title, date, source, section, id/path, snippet) and `show`.
    text = cli("search", "zebraword", "--index", idx, "-n", 10)
    out = text.stdout.decode("utf-8")
    assert text.returncode == 0 and out.count("zebraword") >= 3
    assert not BAD_TERMINAL.findall(out.replace("\n", "")), sorted(set(BAD_TERMINAL.findall(out)))
    for hit_id in json.loads(cli("search", "zebraword", "--index", idx, "--format", "json").stdout)["hits"]:
        shown = cli("show", hit_id["id"], "--index", idx, "--query", "zebraword")
        assert shown.returncode == 0
        assert not BAD_TERMINAL.findall(shown.stdout.decode("utf-8").replace("\n", ""))
    stats = cli("stats", "--index", idx)
    assert not BAD_TERMINAL.findall(stats.stdout.decode("utf-8").replace("\n", ""))
    # JSON: parses, round-trips the data, and carries no raw ESC or C1 byte a terminal would obey.
    raw = cli("search", "zebraword", "--index", idx, "--format", "json").stdout.decode("utf-8")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", raw)
    assert len(json.loads(raw)["hits"]) == 3
    # HTML: only the page's own tags, no event handlers, links only to http(s) and the indexed files.
    page = cli("search", "zebraword", "--index", idx, "--format", "html").stdout.decode("utf-8")
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "code", "mark",
                    "em", "a"}, tags
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":    # a document's web link, or its own file (file:// below the indexed folder)
                assert value.startswith(("http://", "https://", docs.resolve().as_uri() + "/")), value
    assert page.count("<title>") == 1 and page.count("<script") == 0 and page.count("<img") == 0
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", page)


@pytest.mark.parametrize("token", ["9f3a" * 256, "7" * 1500, "https://example.org/" + "a" * 1300])
def test_a_passage_boundary_never_falls_inside_a_word(token):
    """A 1,024-digit hexadecimal number in a long paragraph (as a manual prints a key) is whole in
    one passage, and so is a word longer than the passage cap: a user who pastes it finds it."""
    text, blocks = make_blocks([("The key is printed below in full for the record. " * 14 + token +
                                 " and the text goes on after it for a while." * 3, 0)])
    doc = Document(doc_id="d.txt", path="d.txt", text=text, blocks=blocks)
    passages = list(segment(doc))
    assert sum(token in p.text for p in passages) == 1
    assert " ".join(p.text for p in passages).split() == text.split()


def test_text_without_spaces_is_still_cut():
    """CJK text has no spaces: it is cut between two characters, not held in one huge passage; a
    path is cut at a slash, not inside a name."""
    for body, most in (("北韓核問題" * 600, 1200), ("/usr/share/doc" * 300, 1200)):
        text, blocks = make_blocks([(body, 0)])
        passages = list(segment(Document(doc_id="d.txt", path="d.txt", text=text, blocks=blocks)))
        assert len(passages) > 1 and all(len(p.text) <= most for p in passages)
        assert "".join(p.text for p in passages) == body.strip()
    assert all(not (a.text[-1].isalnum() and b.text[0].isalnum()) for a, b in zip(passages, passages[1:]))


def test_hard_split_passage_is_not_padded():
    text, blocks = make_blocks([("treaty " * 11 + "y" * 700 + "  " + "y" * 700, 0)])
    doc = Document(doc_id="d.txt", path="d.txt", text=text, blocks=blocks)
    assert all(p.text == p.text.strip() for p in segment(doc))
