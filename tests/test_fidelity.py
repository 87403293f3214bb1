"""Nothing lost (issue 12): every word of a file is in a passage or in a removed line recorded
with its reason; removal only where certain; structure kept (headings, lists, titles)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, HealthCheck, strategies as st

from bench.fidelity import Audit, account, visible_text, words
from indexer import build_index
from indexer.readers.load import load_document
from indexer.segment import segment
from search import Searcher
from search.cli import cli
from tests.conftest import COMMUNIQUE, REPORT, SEEDS, SHARED, write

UN_CORPORA = next((p / "corpora" for p in (SHARED, Path("/work/shared")) if (p / "corpora").is_dir()),
                  SHARED / "corpora")
UN_TXT = UN_CORPORA / "un-general-debates/TXT"
needs_un = pytest.mark.skipif(not UN_TXT.is_dir(), reason="needs ../shared/corpora/un-general-debates (CI has it)")


def lost_words(path: Path, root: Path, boilerplate: frozenset = frozenset()) -> Audit:
    doc = load_document(path, root, boilerplate=boilerplate)
    audit = Audit("test")
    account(audit, doc, list(segment(doc)), visible_text(path), path.name)
    return audit


def texts(doc):
    return [(b.text, b.level) for b in doc.blocks]


def passages_of(index_dir: Path) -> dict[str, list[tuple[str, str | None]]]:
    marker = json.loads((index_dir / "docsearch.json").read_text())
    out = {}
    with Searcher(index_dir) as s:
        for doc_id, rec in marker["documents"].items():
            ctx = s.passage(f"{doc_id}#0", context=rec["passages"])
            out[doc_id] = [(p.text, p.section) for p in ctx.passages]
    return out


# ---------------------------------------------------------------- short lines, captions, titles

MEMO = """UNCLASSIFIED

Ref. 2231/7

Witness statement

The witness arrived at the harbour office at nine in the morning and asked to see the harbour master.

She said that the cargo had been unloaded during the night, without the papers that the law requires.
"""


def test_short_lines_at_the_top_of_a_text_file_stay_and_give_the_title(tmp_path):
    doc = load_document(write(tmp_path / "memo.txt", MEMO), tmp_path)
    assert doc.title == "Witness statement"
    assert texts(doc)[:3] == [("UNCLASSIFIED", 0), ("Ref. 2231/7", 0), ("Witness statement", 1)]
    assert doc.removed == ()
    passages = list(segment(doc))
    assert passages[0].text.startswith("UNCLASSIFIED\n\nRef. 2231/7\n\nWitness statement")   # no tiny fragment
    assert all(len(p.text) >= 40 for p in passages)


def test_short_lines_are_found_by_search(tmp_path):
    write(tmp_path / "docs/memo.txt", MEMO)
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert [h.id for h in s.search('"2231/7"')] == ["docs/memo.txt#0"]
        assert [h.id for h in s.search("UNCLASSIFIED")] == ["docs/memo.txt#0"]
        assert s.search('"witness statement"').hits[0].title == "Witness statement"


def test_html_caption_and_short_top_lines_stay_and_chrome_is_recorded(tmp_path):
    page = """<html><head><title>Harbour report</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<main><p>UNCLASSIFIED</p><h1>Harbour report</h1>
<figure><img src="a.jpg"><figcaption>The harbour master, Ana Silva, at the pier | Source: City Archive</figcaption></figure>
<p>The harbour office opened an inquiry into the cargo unloaded during the night without papers.</p></main>
<footer>Copyright 2020 Harbour Times</footer>
<div class="share-buttons">Share on Facebook</div>
</body></html>"""
    path = write(tmp_path / "report.html", page)
    doc = load_document(path, tmp_path)
    assert texts(doc) == [("UNCLASSIFIED", 0), ("Harbour report", 1),
                          ("The harbour master, Ana Silva, at the pier | Source: City Archive", 0),
                          ("The harbour office opened an inquiry into the cargo unloaded during the night "
                           "without papers.", 0)]
    assert [(r.text, r.reason) for r in doc.removed] == [
        ("Home News", "navigation"), ("Copyright 2020 Harbour Times", "footer"),
        ("Share on Facebook", "site chrome (share-buttons)")]
    assert lost_words(path, tmp_path).lost == 0


def test_seed_caption_is_searchable(seeds_index):
    with Searcher(seeds_index) as s:
        hits = s.search('"Wikimedia Commons"')
        assert [h.doc_id for h in hits] == [f"seeds/{REPORT}"]
        assert "Jo Myong-rok, Vice-Chairman of the DPRK’s National Defense Commission" in hits.hits[0].text


# ---------------------------------------------------------------- the record: show --removed, --keep-all

def test_show_removed_lists_what_was_left_out_and_why(seeds_index):
    runner = CliRunner()
    result = runner.invoke(cli, ["show", f"seeds/{COMMUNIQUE}", "--removed", "--index", str(seeds_index)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "DPRK-U.S.A. Joint Communiqué: 10 lines left out of the passages"
    assert "  contact line    965 Clover Court, Blue Bell, PA 19422" in lines
    assert "  menu            ICAS Fellow" in lines
    result = runner.invoke(cli, ["show", f"seeds/{REPORT}#3", "--removed", "--format", "json", "--index", str(seeds_index)])
    assert json.loads(result.output)["removed"] == [
        {"text": "By | November 04, 2019 | No Comments", "reason": "byline"},
        {"text": "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
         "reason": "notice"}]
    result = runner.invoke(cli, ["show", "nosuch.txt", "--removed", "--index", str(seeds_index)])
    assert result.exit_code == 2 and "No document 'nosuch.txt'" in result.output


def test_library_lists_removed_lines(seeds_index):
    with Searcher(seeds_index) as s:
        removed = s.removed(f"seeds/{COMMUNIQUE}")
    assert removed.title == "DPRK-U.S.A. Joint Communiqué"
    assert Counter(r.reason for r in removed.lines) == {"publisher line": 2, "contact line": 2, "menu": 3,
                                                        "title repeated": 1, "dateline": 1, "updated notice": 1}


@pytest.mark.parametrize("name", [COMMUNIQUE, REPORT])
def test_seeds_lose_no_word_without_a_recorded_reason(seeds_index, name):
    """Through the index: the words of the seed file are in its passages or its removed lines."""
    with Searcher(seeds_index) as s:
        removed = s.removed(f"seeds/{name}")
        count = json.loads((seeds_index / "docsearch.json").read_text())["documents"][f"seeds/{name}"]["passages"]
        ctx = s.passage(f"seeds/{name}#0", context=count)
    have = Counter(w for p in ctx.passages for w in words(p.text))
    have.update(w for r in removed.lines for w in words(r.text))
    need = Counter(words(visible_text(SEEDS / name)))
    assert not need - have


def test_keep_all_indexes_every_line(tmp_path, seeds_copy):
    result = CliRunner().invoke(cli, ["index", str(seeds_copy), "--index", str(tmp_path / "idx"), "--keep-all"])
    assert result.exit_code == 0, result.output
    with Searcher(tmp_path / "idx") as s:
        assert [h.doc_id for h in s.search('"965 Clover Court"')] == [f"docs/{COMMUNIQUE}"]
        assert [h.doc_id for h in s.search('"ICAS Speakers"')] == [f"docs/{COMMUNIQUE}"]
        assert s.removed(f"docs/{COMMUNIQUE}").lines == ()
    # Without --keep-all again: the same unchanged files are read again, with their removals.
    build_index([seeds_copy], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.search('"965 Clover Court"').total == 0
        assert len(s.removed(f"docs/{COMMUNIQUE}").lines) == 10


# ---------------------------------------------------------------- learned boilerplate

def report(topic: str) -> str:
    return (f"Report on {topic}\n\nThis report looks at {topic} in the region over the last ten years, with "
            f"figures from the ministry.\n\nSummary of findings\n\nThe inspectors found that {topic} improved "
            f"in most districts, though not in the north.\n\nConclusion\n\nMore money is needed for {topic} "
            f"in the coming years, the report says.\n")


def test_shared_headings_are_kept_and_incremental_equals_clean(tmp_path):
    docs = tmp_path / "docs"
    topics = ["roads", "schools", "water supply", "clinics", "ports", "railways"]
    for topic in topics[:4]:
        write(docs / f"{topic}.txt", report(topic))
    build_index([docs], tmp_path / "inc")
    with Searcher(tmp_path / "inc") as s:
        assert s.search('"summary of findings"').total == 4
        hit = s.search('"inspectors found" roads').hits[0]
        assert hit.section == "Summary of findings"
    # Unrelated files and more reports, then an incremental run and a clean build of the same files.
    for topic in topics[4:]:
        write(docs / f"{topic}.txt", report(topic))
    for i in range(5):
        write(docs / f"notes{i}.txt", f"Notes {i}\n\nSubscribe to our newsletter\n\nA note about something "
                                      f"else entirely, number {i}, long enough to be read as a paragraph.\n")
    build_index([docs], tmp_path / "inc")
    build_index([docs], tmp_path / "clean")
    assert passages_of(tmp_path / "inc") == passages_of(tmp_path / "clean")
    with Searcher(tmp_path / "inc") as s:
        assert s.search('"summary of findings"').total == 6


def test_incremental_rereads_a_file_whose_boilerplate_changed(tmp_path):
    """A footer line becomes boilerplate only once enough files carry it: the files indexed
    before must then read as a clean build reads them."""
    docs = tmp_path / "docs"
    body = "This article is about {}, and it says something long enough to be a body paragraph of its own."
    for i, topic in enumerate(["harbours", "bridges", "schools", "roads"]):
        write(docs / f"a{i}.txt", body.format(topic) + ("\n\nRead our weekly digest\n" if i < 2 else "\n"))
    build_index([docs], tmp_path / "inc")
    for i, topic in enumerate(["parks", "libraries"]):
        write(docs / f"b{i}.txt", body.format(topic) + "\n\nRead our weekly digest\n")
    summary = build_index([docs], tmp_path / "inc")
    build_index([docs], tmp_path / "clean")
    assert passages_of(tmp_path / "inc") == passages_of(tmp_path / "clean")
    assert summary.indexed == 4             # the two new files and the two that carry the footer
    with Searcher(tmp_path / "inc") as s:
        assert [(r.text, r.reason) for r in s.removed("docs/a0.txt").lines] == [("Read our weekly digest",
                                                                             "learned boilerplate")]


def test_an_unchanged_run_keeps_what_was_learned_and_a_removal_relearns(tmp_path):
    """Re-running on unchanged files read them again without the learned lines (so the footer came
    back, unlike a clean build); removing a file changes what is learned, as a clean build of the
    remaining files learns it."""
    docs = tmp_path / "docs"
    body = "This article is about {}, and it says something long enough to be a body paragraph of its own."
    for i, topic in enumerate(["harbours", "bridges", "schools", "roads"]):
        write(docs / f"a{i}.txt", body.format(topic) + "\n\nRead our weekly digest\n")
    build_index([docs], tmp_path / "inc")
    again = build_index([docs], tmp_path / "inc")
    assert (again.indexed, again.unchanged) == (0, 4)
    build_index([docs], tmp_path / "clean")
    assert passages_of(tmp_path / "inc") == passages_of(tmp_path / "clean")
    with Searcher(tmp_path / "inc") as s:
        assert s.search('"weekly digest"').total == 0
    (docs / "a3.txt").unlink()
    (docs / "a2.txt").unlink()          # two files left: too few to learn from (min_docs 3)
    gone = build_index([docs], tmp_path / "inc")
    assert gone.removed == 2 and gone.indexed == 2
    build_index([docs], tmp_path / "clean2")
    assert passages_of(tmp_path / "inc") == passages_of(tmp_path / "clean2")
    with Searcher(tmp_path / "inc") as s:
        assert s.search('"weekly digest"').total == 2


# ---------------------------------------------------------------- structure

def test_heading_inside_a_link_keeps_its_section_without_permalink_marks(tmp_path):
    page = """<html><body><main>
<h1><a class="header" href="#top">Bicycle manual</a></h1>
<h2 id="wheels"><a class="header" href="#wheels">4.2. Wheels</a><a class="headerlink" href="#wheels">¶</a></h2>
<p>Check the spokes of both wheels every month and true a wheel that wobbles from side to side.</p>
</main></body></html>"""
    doc = load_document(write(tmp_path / "manual.html", page), tmp_path)
    assert texts(doc)[:2] == [("Bicycle manual", 1), ("4.2. Wheels", 2)]
    assert [p.section for p in segment(doc)] == ["4.2. Wheels"]


def test_markdown_suffix_is_read_like_md(tmp_path):
    write(tmp_path / "docs/notes.markdown", "# Notes\n\n- first point\n- second point\n\nSome text after.\n")
    summary = build_index([tmp_path / "docs"], tmp_path / "idx")
    assert (summary.indexed, summary.skipped) == (1, [])
    doc = load_document(tmp_path / "docs/notes.markdown", tmp_path / "docs")
    assert texts(doc) == [("Notes", 1), ("- first point\n- second point", 0), ("Some text after.", 0)]


def test_setext_headings_in_text_give_title_and_sections(tmp_path):
    text = ("Release notes\n=============\n\nThis release changes how plain text files are read, and fixes bugs "
            "found by users.\n\nChanges\n-------\n\n- Lists stay lists.\n- Underlined headings are read.\n\n"
            "Thanks to everyone who reported a problem with the previous release of the program.\n")
    doc = load_document(write(tmp_path / "NEWS.txt", text), tmp_path)
    assert doc.title == "Release notes"
    assert [(b.text, b.level) for b in doc.blocks if b.heading] == [("Release notes", 1), ("Changes", 2)]
    assert ("- Lists stay lists.\n- Underlined headings are read.", 0) in texts(doc)


def test_list_in_a_text_file_is_not_run_together(tmp_path):
    text = ("Packing list for the field trip, as agreed at the meeting of the committee last week.\n\n"
            "- a map of the district\n- two litres of water\n- a notebook\n")
    doc = load_document(write(tmp_path / "list.txt", text), tmp_path)
    assert texts(doc)[-1] == ("- a map of the district\n- two litres of water\n- a notebook", 0)


def _page(n: int, body: str, head: str = "General Assembly 22nd plenary meeting") -> str:
    return f"{head}\n{body}\n{n}\n"


def test_a_running_head_goes_but_repeated_lines_of_the_text_stay(tmp_path):
    refrain = ("Because we believe in human dignity, the United\nStates and other nations acted on matter number {n}"
               "\nwith great care and considerable success.\n")
    filler = "The delegation recalled the work of the committee and\nthe reports that it had sent to the Assembly.\n"
    # The refrain opens the second page's text (beside the page edge) and stands mid-page after that.
    speech = _page(1, filler + filler) + _page(2, refrain.format(n=2) + filler) + "".join(
        _page(n, filler + refrain.format(n=n) + filler) for n in range(3, 6))
    doc = load_document(write(tmp_path / "speech.txt", speech), tmp_path)
    removed = {(r.text, r.reason) for r in doc.removed}
    assert ("General Assembly 22nd plenary meeting", "running head") in removed       # at every page's edge
    assert not any("human dignity" in text for text, _ in removed)     # the speaker's refrain is the text
    body = " ".join(b.text for b in doc.blocks)
    assert body.count("Because we believe in human dignity, the United States") == 4
    # A configuration file repeats lines with numbers, and no page edge is near: nothing goes.
    conf = "".join(f"pcm.card{n} {{\n  type hw\n  card {n}\n  device 0\n  exit 0\n}}\n\n" for n in range(6))
    doc = load_document(write(tmp_path / "asound.txt", conf), tmp_path)
    assert not doc.removed
    assert lost_words(tmp_path / "asound.txt", tmp_path).lost == 0
    assert " ".join(b.text for b in doc.blocks).count("device 0") == 6


def test_tiny_fragment_joins_its_neighbour(tmp_path):
    code = "function f() {\n  return g(1,\n    2" + ");\n}"
    md = f"# Code\n\nThe function below calls g with two arguments.\n\n```\n{code}\n```\n\n## Next\n\n" + \
         "A long paragraph that follows the code block and tells the reader what happens next. " * 8
    doc = load_document(write(tmp_path / "code.md", md), tmp_path)
    passages = list(segment(doc))
    assert all(len(p.text) >= 40 for p in passages)
    assert any(p.text.endswith(");\n}") for p in passages)


@pytest.mark.parametrize("page", [
    '<html><head><meta http-equiv="refresh" content="0; url=../new/index.html"></head>'
    '<body><p>Redirecting to <a href="../new/index.html">the new page</a>...</p></body></html>',
    "<html><body><p>Redirecting…</p></body></html>",
])
def test_redirect_stubs_are_skipped_with_a_reason(tmp_path, page):
    write(tmp_path / "docs/old.html", page)
    write(tmp_path / "docs/real.txt", "A real document with enough words in it to be indexed as one.\n")
    summary = build_index([tmp_path / "docs"], tmp_path / "idx")
    assert summary.indexed == 1
    assert [(rel, reason.split(" (")[0]) for rel, reason in summary.skipped] == [("docs/old.html", "a redirect stub")]


# ---------------------------------------------------------------- the invariant, checked

LINE = st.sampled_from([
    "UNCLASSIFIED", "Ref. 2231/7", "Summary of findings", "Home", "About Us", "By Jane Doe | March 3, 2021",
    "Share this", "Copyright 2020 The Times. All rights reserved.", "12 Wharf Street, Portland, ME 04101",
    "Photo: the pier at night | Credit: City Archive", "- a list item", "1. a numbered item", "42",
    "Page 3 of 9", "A/55/PV.10", "The delegation of the Republic raised the question of the fisheries again.",
    "It was agreed that both sides would meet in the spring to continue the talks on trade and ports.",
    "We welcome the report of the Secretary-General on the work of the Organization this year",
    "and the efforts of all Member States to strengthen the role of the United Nations in the world.",
    "Conclusion", "Release notes", "=======", "-------", "Tel: 555 0100", "Leave a comment",
])


@st.composite
def text_files(draw):
    lines = draw(st.lists(LINE, min_size=1, max_size=30))
    seps = draw(st.lists(st.sampled_from(["\n", "\n\n"]), min_size=len(lines), max_size=len(lines)))
    return "".join(line + sep for line, sep in zip(lines, seps))


@st.composite
def html_files(draw):
    blocks = []
    for line in draw(st.lists(LINE, min_size=1, max_size=20)):
        tag = draw(st.sampled_from(["p", "h1", "h2", "li", "nav", "footer", "aside", "div class=\"menu\"",
                                    "figcaption", "header", "td"]))
        name = tag.split()[0]
        blocks.append(f"<{tag}>{line}</{name}>")
    wrap = draw(st.sampled_from(["{}", "<main>{}</main>", "<article>{}</article>"]))
    return f"<html><body>{wrap.format(''.join(blocks))}</body></html>"


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=text_files(), suffix=st.sampled_from([".txt", ".md"]))
def test_invariant_over_generated_text_files(tmp_path, text, suffix):
    path = write(tmp_path / f"gen{suffix}", text)
    try:
        audit = lost_words(path, tmp_path)
    except Exception as e:              # an empty document is refused with a reason, never lost silently
        assert "empty" in str(e) or "no readable text" in str(e)
        return
    assert audit.lost == 0, (text, audit.lost_by_file)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(page=html_files())
def test_invariant_over_generated_html(tmp_path, page):
    path = write(tmp_path / "gen.html", page)
    try:
        audit = lost_words(path, tmp_path)
    except Exception as e:
        assert "no readable text" in str(e) or "redirect" in str(e)
        return
    assert audit.lost == 0, (page, audit.lost_by_file)


@needs_un
def test_invariant_over_a_sample_of_the_un_corpus(tmp_path):
    from bench.fidelity import audit_files
    from bench.corpora import un_files

    audit = audit_files("un", UN_TXT, un_files(UN_CORPORA, 40))
    figures = audit.figures()
    assert figures["documents"] == 40
    assert figures["lost_pct"] < 0.01 and figures["in_passages_pct"] >= 99.5
    assert set(figures["removed_lines_by_reason"]) <= {"page number", "print job number", "document symbol",
                                                       "running head"}


def test_keep_all_puts_html_chrome_back_where_it_stood(tmp_path):
    page = ("<html><body><header><p>Harbour Times</p></header><nav><a href='/'>Home</a></nav><main>"
            "<h1>Harbour report</h1><p>The harbour office opened an inquiry into the cargo unloaded at night.</p>"
            "</main><footer>Keyboard shortcuts</footer></body></html>")
    path = write(tmp_path / "page.html", page)
    doc = load_document(path, tmp_path)
    assert [(r.text, r.reason) for r in doc.removed] == [("Harbour Times", "page header"), ("Home", "navigation"),
                                                         ("Keyboard shortcuts", "footer")]
    everything = load_document(path, tmp_path, keep_all=True)
    assert [b.text for b in everything.blocks] == ["Harbour Times", "Home", "Harbour report",
                                                   "The harbour office opened an inquiry into the cargo unloaded "
                                                   "at night.", "Keyboard shortcuts"]
    assert everything.removed == ()
