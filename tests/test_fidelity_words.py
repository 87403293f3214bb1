"""Words a reader of the file sees, kept whole (issue 12, the audit's last unaccounted words on
/usr/share/doc): each class of word the readers lost or ran together, on small files of our own,
and the audit's own idea of what a reader sees (rendered Markdown, HTML laid out as a browser does)."""
from __future__ import annotations

from pathlib import Path

from bench.fidelity import Audit, account, visible_text, words
from indexer import build_index
from indexer.readers.load import load_document
from indexer.segment import segment
from search import Searcher
from tests.conftest import make_index, write


def lost(path: Path, root: Path) -> Audit:
    doc = load_document(path, root)
    audit = Audit("test")
    account(audit, doc, list(segment(doc)), visible_text(path), path.name)
    return audit


def passage_words(path: Path, root: Path) -> list[str]:
    return [w for p in segment(load_document(path, root)) for w in words(p.text)]


# ---------------------------------------------------------------- HTML

API_PAGE = """<html><head><title>Buffer</title></head><body><main>
<h1>Buffer</h1>
<h3><a id="eax-aes128"></a>7.4.1.3 <acronym>EAX</acronym>-<acronym>AES</acronym>128 interface</h3>
<h4><code>ERR_CANNOT_TRANSFER_OBJECT</code><span><a class="mark" href="#x">#</a></span></h4>
<h4>Class: <code>FileHandle</code><a class="srclink" href="https://example.org/fs.js">[src]</a></h4>
<p>Many APIs accept plain <code>Uint8Array</code>s wherever <code>Buffer</code>s are supported.</p>
<pre class="with-chars"><code class="language-js mjs">const buf = Buffer.alloc(16);
console.log(buf.length);
// Prints: 16</code><code class="language-js cjs">const { Buffer } = require('node:buffer');
const buf = Buffer.alloc(16);</code><button class="copy-button">copy</button></pre>
<pre class="programlisting">Structure xsltCompilerCtxt<br />struct _xsltCompilerCtxt {
    void * errorCtxt
}</pre>
<table><tr><td><code>TypedArray</code>s and <code>DataView</code>s</td><td>shared memory</td></tr></table>
</main></body></html>"""


def test_html_code_blocks_side_by_side_and_br_in_pre_do_not_run_words_together(tmp_path):
    path = write(tmp_path / "buffer.html", API_PAGE)
    got = passage_words(path, tmp_path)
    for word in ("16", "const", "xsltcompilerctxt", "struct"):
        assert word in got
    for run_together in ("16const", "xsltcompilerctxtstruct"):
        assert run_together not in got
    doc = load_document(path, tmp_path)
    code = next(b.text for b in doc.blocks if b.text.startswith("const buf"))
    assert code.split("\n")[2:4] == ["// Prints: 16", "const { Buffer } = require('node:buffer');"]
    assert [(r.text, r.reason) for r in doc.removed] == [("copy", "form control")]
    assert lost(path, tmp_path).lost == 0


def test_html_headings_and_cells_read_inline_elements_as_one_run_of_text(tmp_path):
    path = write(tmp_path / "buffer.html", API_PAGE)
    doc = load_document(path, tmp_path)
    headings = [b.text for b in doc.blocks if b.heading]
    assert headings == ["Buffer", "7.4.1.3 EAX-AES128 interface", "ERR_CANNOT_TRANSFER_OBJECT",  # (no "#")
                        "Class: FileHandle [src]"]
    assert "TypedArrays and DataViews | shared memory" in [b.text for b in doc.blocks]
    assert "Many APIs accept plain Uint8Arrays wherever Buffers are supported." in [b.text for b in doc.blocks]


def test_html_words_are_found_by_search(tmp_path):
    write(tmp_path / "docs/buffer.html", API_PAGE)
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.search('"EAX-AES128 interface"').hits
        assert s.search('"struct _xsltCompilerCtxt"').hits
        assert s.search('"Prints: 16"').hits


# ---------------------------------------------------------------- Markdown

README = """# Collaborators

* **Ana Silva** <<ana.silva@example.org>> (she/her)
* Build with the number of parallel build tasks (`-j<n>`).
* buffer: switch API to return MaybeLocal\\<T> (Trevor Norris)
* Close it with a "Landed in \\<commit hash>" comment.

## `suite([name][, options][, fn])`

See [`Buffer`][]s and [the guide][guide]; `txt `fandamental stays two words.

Linux kernel 4.18 or later.[^1]

[^1]: Older kernel versions may work.

> \\[!TIP]
> Clone with symlinks:
>
> ```powershell
> git clone -c core.symlinks=true <repository_url>
> ```

1. Post the pre-alert:

    ```text
    We will release new versions of <add versions> release lines.
    ```

Within YAML snippets `<!-- something -->` are HTML nodes. <!-- a comment nobody sees -->

```diff
 <!-- YAML
+napiVersion: 10
 -->
```

[`Buffer`]: buffer.md
[guide]: https://example.org/guide
"""


def test_markdown_reader_keeps_what_the_rendered_file_shows(tmp_path):
    path = write(tmp_path / "README.md", README)
    doc = load_document(path, tmp_path)
    text = "\n".join(b.text for b in doc.blocks)
    for shown in ("ana.silva@example.org", "(`-j<n>`)".replace("`", ""), "MaybeLocal<T>", "Landed in <commit hash>",
                  "suite([name][, options][, fn])", "Buffers and the guide", "txt fandamental",
                  "[^1]: Older kernel versions may work.", "git clone -c core.symlinks=true <repository_url>",
                  "We will release new versions of <add versions> release lines.",
                  "`<!-- something -->`".replace("`", ""), "<!-- YAML\n+napiVersion: 10\n -->"):
        assert shown in text, shown
    assert "a comment nobody sees" not in text
    assert "buffer.md" not in text and "https://example.org/guide" not in text     # link targets are not shown
    assert doc.removed == ()
    assert lost(path, tmp_path).lost == 0


def test_markdown_words_are_found_by_search(tmp_path):
    write(tmp_path / "docs/README.md", README)
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.search('"ana.silva@example.org"').hits
        assert s.search('"older kernel versions"').hits
        assert s.search('"repository_url"').hits
        assert s.search('options').hits


# ---------------------------------------------------------------- passages

def test_a_long_list_without_spaces_is_cut_between_lines_not_inside_a_name(tmp_path):
    names = [f"xsltStyleBasicItemNumber{n:04d}Handler" for n in range(120)]       # ~4,000 characters, no space
    path = write(tmp_path / "symbols.html", "<html><body><h1>Symbols</h1><p>" + "<br>".join(names) + "</p></body></html>")
    got = set(passage_words(path, tmp_path))
    assert {n.lower() for n in names} <= got
    assert len(list(segment(load_document(path, tmp_path)))) > 2
    assert lost(path, tmp_path).lost == 0


# ---------------------------------------------------------------- the audit's idea of visible text

def test_visible_text_of_markdown_is_its_rendering(tmp_path):
    path = write(tmp_path / "a.md", "# A\n\n```mjs\nconst a = 1;\n```\n\nSee [`Buffer`][]s.\n\n[`Buffer`]: b.md\n"
                                   "<!-- hidden -->\n")
    assert words(visible_text(path)) == ["a", "const", "a", "1", "see", "buffers"]


def test_visible_text_of_html_runs_inline_elements_together_and_keeps_boxes_apart(tmp_path):
    page = ("<html><head><title>T</title></head><body><p><code>Buffer</code>s and <b>W</b>ord</p>"
            "<pre><code>ok</code><code>const x</code><button>copy</button></pre>"
            "<ul><li>one</li><li>two</li></ul><div hidden>secret</div><script>var s;</script></body></html>")
    path = write(tmp_path / "a.html", page)
    assert words(visible_text(path)) == ["buffers", "and", "word", "ok", "const", "x", "copy", "one", "two"]


def test_visible_text_rejoins_line_end_hyphens_in_text_files_only(tmp_path):
    txt = write(tmp_path / "a.txt", "inter-\nKorean talks\n")
    md = write(tmp_path / "a.md", "the `land-on-`\nlabel\n")
    assert words(visible_text(txt)) == ["interkorean", "talks"]
    assert words(visible_text(md)) == ["the", "land", "on", "label"]


# ---------------------------------------------------------------- removal only where certain

PROSE = ("The manual describes every option of the program, with an example for each one of them, "
         "and the reasons behind the defaults that it chose.")


def test_notice_words_inside_the_text_are_kept_and_at_its_edges_still_go(tmp_path):
    page = (f"<html><body><main><h1>API index q-s</h1><p>{PROSE}</p><dl>"
            "<dt>related</dt><dd><a href='a.html'>xsltStylesheet</a></dd>"
            "<dt>search</dt><dd><a href='b.html'>xsltExtElementLookup</a></dd></dl>"
            f"<p>mtime \"Modified Time\": Time when file data last modified. Changed by the mknod(2), utimes(2), "
            f"and write(2) system calls.</p><p>{PROSE}</p><p>Share this</p></main></body></html>")
    path = write(tmp_path / "index.html", page)
    doc = load_document(path, tmp_path)
    kept = [b.text for b in doc.blocks]
    assert "related" in kept and "search" in kept
    assert any(t.startswith("mtime \"Modified Time\": Time when file data last modified.") for t in kept)
    assert [(r.text, r.reason) for r in doc.removed] == [("Share this", "notice")]


def test_a_copyright_line_is_kept_at_the_top_and_goes_at_the_foot(tmp_path):
    manual = (f"bzip2 and libbzip2\n\nCopyright © 1996-2019 Julian Seward\n\n{PROSE}\n\n{PROSE}\n\n"
              "Copyright 2021 Harbor Times. All rights reserved.\n")
    doc = load_document(write(tmp_path / "manual.txt", manual), tmp_path)
    assert "Copyright © 1996-2019 Julian Seward" in [b.text for b in doc.blocks]
    assert [(r.text, r.reason) for r in doc.removed] == [("Copyright 2021 Harbor Times. All rights reserved.",
                                                          "notice")]
    page = (f"<html><body><h1>bzip2</h1><p>Copyright © 1996-2019 Julian Seward</p><p>{PROSE}</p></body></html>")
    assert load_document(write(tmp_path / "manual.html", page), tmp_path).removed == ()


def test_url_lines_of_a_closing_section_are_kept(tmp_path):
    howto = (f"How to test\n===========\n\n{PROSE}\n\nExternal services\n-----------------\n\n"
             "Coverity Scan\n\n    URL: https://scan.coverity.com/projects/example\n\n"
             "OSS-Fuzz\n\n    URL: https://google.github.io/oss-fuzz/\n")
    doc = load_document(write(tmp_path / "howto.txt", howto), tmp_path)
    assert doc.removed == ()
    assert "URL: https://google.github.io/oss-fuzz/" in [b.text for b in doc.blocks]
    with_address = f"Harbor Times Media, Inc.\n\n12 Wharf Street, Portland, ME 04101\n\n{PROSE}\n"
    doc = load_document(write(tmp_path / "page.txt", with_address), tmp_path)
    assert ("12 Wharf Street, Portland, ME 04101", "contact line") in [(r.text, r.reason) for r in doc.removed]


# ---------------------------------------------------------------- the audit's split of removed words

SITE_MENU = "<nav><ul><li><a href='fs.html'>File system</a></li><li><a href='net.html'>Net</a></li></ul></nav>"


def test_audit_splits_removed_words_into_copies_site_furniture_and_the_rest(tmp_path):
    from bench.fidelity import COPY, OTHER, REPEATED, REPEATED_IN, audit_files

    pages = []
    for n in range(REPEATED_IN):
        toc = (f"<details role='navigation' id='toc'><summary>Contents</summary><ul><li><a href='#a'>Class: "
               f"Reader{n}</a></li></ul></details>")
        body = (f"<main><h2>Class: Reader{n}<a class='srclink' href='x'>[src]</a></h2><p>The reader number {n} "
                f"reads the files of the archive one after the other and reports on each of them.</p>"
                f"<pre><code>read({n})</code><button class='copy-button'>copy</button></pre></main>")
        once = "<aside>Sponsored by the harbour office</aside>" if n == 0 else ""
        pages.append(write(tmp_path / f"p{n}.html", f"<html><body>{SITE_MENU}{toc}{body}{once}</body></html>"))
    audit = audit_files("t", tmp_path, pages)
    figures = audit.figures()
    assert figures["lost_pct"] == 0
    split = figures["removed_words_by_reason_and_class"]
    # the TOC's entry "Class: ReaderN" is a copy of the heading (less its "[src]"); its "Contents" and
    # the site menu's "File system", "Net" are on every page
    # (the menu's pages are not in the audit: its entries lead nowhere a search could find)
    assert split["navigation"] == {COPY: 2 * REPEATED_IN, REPEATED: 4 * REPEATED_IN}
    assert split["form control"] == {REPEATED: REPEATED_IN}                                   # "copy"
    assert split["aside"] == {OTHER: 5}
    parts = [figures[k] for k in ("in_removed_copy_of_kept_pct", "in_removed_repeated_pct", "in_removed_other_pct")]
    assert abs(sum(parts) - figures["in_removed_pct"]) < 0.002 and all(parts)
    assert figures["in_removed_link_to_kept_pct"] == 0
    assert abs(figures["in_passages_or_copy_pct"] - figures["in_passages_pct"] - parts[0]) < 0.002
    assert figures["in_passages_or_findable_pct"] == figures["in_passages_or_copy_pct"]
    assert [s["text"] for s in figures["removed_sample_other"]] == ["Sponsored by the harbour office"]


def test_audit_counts_a_menu_entry_as_a_link_to_kept_text_only_where_its_page_keeps_its_words(tmp_path):
    """A menu entry naming another page of the archive is found by a search for it (at the page it
    leads to); one leading out of the archive, to no file, or to a page that does not keep its words
    ("Sockets": net.html says nothing of sockets) is not."""
    from bench.fidelity import LINK, OTHER, REPEATED, REPEATED_IN, audit_files

    (tmp_path / "api").mkdir()
    menu = ("<nav><ul><li><a href='../api/fs.html#top'>File system</a></li>"
            "<li><a href='net.html'>Net</a> | <a href='fs.html'>File system</a></li>"
            "<li><a href='https://example.org/'>Elsewhere</a></li>"
            "<li><a href='net.html'>Sockets</a></li><li><a href='gone.html'>Streams</a></li></ul></nav>")
    pages = [write(tmp_path / "api" / f"{name}.html",
                   f"<html><body>{menu}<main><h1>{title}</h1><p>{PROSE}</p></main></body></html>")
             for name, title in (("fs", "File system"), ("net", "Net"))]
    pages += [write(tmp_path / "api" / f"p{n}.html", f"<html><body>{menu}<main><h1>Page {n}</h1><p>{PROSE}</p>"
                    "</main></body></html>") for n in range(REPEATED_IN)]
    audit = audit_files("t", tmp_path, pages)
    classes, _ = audit.removal_classes()
    on_p0 = {text: cls for (text, _, label), cls in zip(audit.removed, classes) if label == "api/p0.html"}
    assert on_p0 == {"File system": LINK, "Net | File system": LINK, "Elsewhere": REPEATED,
                     "Sockets": REPEATED, "Streams": REPEATED}
    figures = audit.figures()
    assert figures["lost_pct"] == 0 and figures["in_removed_link_to_kept_pct"] > 0
    assert abs(figures["in_passages_or_findable_pct"] - figures["in_passages_or_copy_pct"]
               - figures["in_removed_link_to_kept_pct"]) < 0.002
    assert OTHER not in figures["removed_words_by_reason_and_class"]["navigation"]
    assert list(figures["folders_most_removed"]) == ["api"]


def test_a_menu_that_says_what_each_section_holds_is_kept_and_a_menu_of_links_goes(tmp_path):
    texinfo = (f"<html><body><h1>Nettle</h1><p>{PROSE}</p>"
               "<table class='menu'><tr><td>&bull; <a href='#Linking'>Linking</a>:</td><td>&nbsp;&nbsp;</td>"
               "<td>Linking with libnettle and libhogweed.</td></tr>"
               "<tr><td>&bull; <a href='#RSA'>RSA</a>:</td><td>&nbsp;&nbsp;</td><td>The RSA public key algorithm."
               "</td></tr></table>"
               "<table class='menu'><tr><td>&bull; <a href='#AES'>AES</a></td></tr>"
               "<tr><td>&bull; <a href='#DES'>DES</a></td></tr></table>"
               f"<h2>Linking</h2><p>{PROSE}</p><h2>AES</h2><p>{PROSE}</p><h2>DES</h2><p>{PROSE}</p></body></html>")
    path = write(tmp_path / "nettle.html", texinfo)
    doc = load_document(path, tmp_path)
    kept = [b.text for b in doc.blocks]
    assert "• Linking: | Linking with libnettle and libhogweed." in kept
    assert [(r.text, r.reason) for r in doc.removed] == [("• AES", "site chrome (menu)"), ("• DES", "site chrome (menu)")]
    assert lost(path, tmp_path).lost == 0


def test_a_copyright_line_followed_by_text_is_kept(tmp_path):
    notes = (f"Deprecated utilities\n\n{PROSE}\n\n----\n\nWhat:\ttunelp\nWhy:\tparallel port printers are "
             "probably almost extinct devices\n\n----\n\nThe Single UNIX(TM) Specification, Version 2\n"
             "Copyright (C) 1997 The Open Group\n\n  Legacy utilities which are part of the package are:\n\n"
             "\tcol\n\tline\n\tpg\n\n  http://pubs.opengroup.org/onlinepubs/7908799/xcu/intro.html\n")
    doc = load_document(write(tmp_path / "deprecated.txt", notes), tmp_path)
    assert doc.removed == ()
    assert "Copyright (C) 1997 The Open Group" in doc.text


def test_two_phrases_side_by_side_stay_two_and_a_word_in_parts_stays_one(tmp_path):
    page = (f"<html><body><main><h2><code>ERR_HTTP2_FRAME_ERROR</code></h2><div class='api_metadata'>"
            "<span>Added in: v9.0.0</span><span>Removed in: v10.0.0</span></div>"
            f"<p><b>W</b>ord and <span>Hel</span><span>lo</span> stay whole. {PROSE}</p></main></body></html>")
    path = write(tmp_path / "errors.html", page)
    kept = [b.text for b in load_document(path, tmp_path).blocks]
    assert "Added in: v9.0.0 Removed in: v10.0.0" in kept
    assert kept[-1].startswith("Word and Hello stay whole.")
    assert lost(path, tmp_path).lost == 0
    write(tmp_path / "docs/errors.html", page)
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.search('"Removed in: v10.0.0"').hits


def test_a_pages_own_copyright_at_its_foot_is_kept_and_found(tmp_path):
    """A bare 'Copyright (c) YEAR by NAME' that closes a page by itself (zlib's how-to) says who
    wrote the page and when: it stays, and a search for the author finds the page; a publisher's
    notice that reserves the rights at the foot of a page is still chrome."""
    page = (f"<html><body><h1>zlib Usage Example</h1><p>{PROSE}</p><pre>int main(void)\n{{\n    return 0;\n}}\n</pre>"
            "<hr>\n<i>Copyright (c) 2004, 2005 by Mark Adler<br>Last modified 11 December 2005</i></body></html>")
    notes = f"Release notes\n\n{PROSE}\n\nCopyright 2019 Jane Roe\n"
    site = f"Harbour news\n\n{PROSE}\n\nCopyright 2021 Harbor Times. All rights reserved.\n"
    idx = make_index(tmp_path, {"zlib_how.html": page, "notes.txt": notes, "site.txt": site})
    docs = tmp_path / "docs"
    zlib = load_document(docs / "zlib_how.html", docs)
    assert zlib.removed == ()
    assert zlib.text.endswith("Copyright (c) 2004, 2005 by Mark Adler\nLast modified 11 December 2005")
    assert load_document(docs / "notes.txt", docs).text.endswith("Copyright 2019 Jane Roe")
    assert [r.reason for r in load_document(docs / "site.txt", docs).removed] == ["notice"]
    with Searcher(idx) as s:
        assert [h.path for h in s.search('"Mark Adler"')] == ["zlib_how.html"]
        assert [h.path for h in s.search('"Jane Roe"')] == ["notes.txt"]
        assert list(s.search('"Harbor Times"')) == []


def test_the_audit_accepts_either_reading_of_a_line_end_hyphen_and_counts_a_copied_join(tmp_path):
    """The audit reads a line-end hyphen as joined ("nuclear-/weapon-free": "nuclearweapon-free");
    a compound of three parts that a speech (one line-end hyphen in 2,500 characters) keeps still
    accounts for it. A real 'heavy- handed' inside a line is
    kept by the reader, so none of its words is lost."""
    speech = "Our delegation has spoken on the questions before the Assembly in this debate. " * 30
    text = (f"{speech}\nThe zone was declared a nuclear-\nweapon-free zone by the treaty of the States.\n"
            "We face heavy- handed regulations that hamper trade, and we say so in this Hall today.\n")
    path = write(tmp_path / "speech.txt", text)
    assert "nuclear-weapon-free zone" in load_document(path, tmp_path).text
    assert lost(path, tmp_path).lost == 0


def test_the_audit_reads_compressed_and_unnamed_files_as_the_indexer_does(tmp_path):
    import gzip

    from bench.fidelity import debian_readable

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md.gz").write_bytes(gzip.compress(b"# Harbour guide\n\nBelugas enter the *harbour* at dawn.\n"))
    (docs / "changelog.gz").write_bytes(gzip.compress(b"pkg (1.0) unstable\n\n  * Fix the narwhal parser.\n"))
    (docs / "copyright").write_text("Files: *\nCopyright: 2001 The walrus team\n")
    (docs / "page").write_text("<!DOCTYPE html><html><body><p>Orcas hunt in <b>pods</b>.</p></body></html>")
    (docs / "notes.txt").write_text("A named file: debian_docs reads it, not debian_readable.\n")
    (docs / "scan").write_bytes(b"%PDF-1.4 not text")
    (docs / "archive.tar.gz").write_bytes(gzip.compress(b"not read"))
    assert [p.name for p in debian_readable(docs)] == ["changelog.gz", "copyright", "guide.md.gz", "page"]
    assert words(visible_text(docs / "guide.md.gz")) == ["harbour", "guide", "belugas", "enter", "the", "harbour",
                                                         "at", "dawn"]
    assert words(visible_text(docs / "page")) == ["orcas", "hunt", "in", "pods"]
    for path in debian_readable(docs):
        audit = lost(path, docs)
        assert audit.source_words and audit.in_passages == audit.source_words, path.name


def test_the_audit_lists_the_words_it_finds_nowhere_for_a_person_to_read(tmp_path):
    """A word neither in a passage nor in a recorded removal is counted, and named with its file:
    here the audit is given no passage, standing for a reader that dropped the memo's last line."""
    path = write(tmp_path / "memo.txt", "Witness statement\n\nSigned in Portland.\n")
    doc = load_document(path, tmp_path)
    audit = Audit("test")
    account(audit, doc, [], visible_text(path), "memo.txt")
    figures = audit.figures()
    assert figures["lost_words_by_file"] == {"memo.txt": ["in", "portland", "signed", "statement", "witness"]}
    assert figures["lost_words"] == 5 and figures["most_lost"] == {"memo.txt": 5}


def test_a_line_end_hyphen_kept_is_found_even_where_the_document_also_writes_the_word_joined(tmp_path):
    """The audit reads "peace-/keeping" at a line end as "peacekeeping"; the reader keeps the hyphen,
    as the speech writes "peace-keeping" more often than "peacekeeping". The word is in the passages
    as "peace-keeping", though "peacekeeping" is a word of them too (UN debates, Ireland 1994)."""
    speech = ("The United Nations is now conducting more peace-\nkeeping operations than ever before, and the\n"
              "peace-keeping budget has grown. We support peace-keeping in every region of the world, and\n"
              "the cost of peacekeeping will always be less than the cost of war.\n")
    path = write(tmp_path / "speech.txt", speech)
    assert "more peace-keeping operations" in load_document(path, tmp_path).text
    audit = lost(path, tmp_path)
    assert audit.lost == 0 and audit.in_passages == audit.source_words


def test_a_copied_hyphen_the_reader_joins_is_found_as_the_word_it_makes(tmp_path):
    """"reflect- ing" inside a line (a changelog re-wrapped by hand: freeglut's) is read as
    "reflecting", a suffix joining anywhere; the audit finds both words in that one."""
    log = ("2003-06-10  Steve Baker\n\n\t* src/freeglut_main.c: Touched up several comments, pointing up things\n"
           "\t  that may be worth reflect- ing upon in the future, and a few more of them as well.\n")
    path = write(tmp_path / "ChangeLog", log)
    assert "worth reflecting upon" in load_document(path, tmp_path).text
    audit = lost(path, tmp_path)
    assert audit.lost == 0 and audit.in_passages == audit.source_words


def test_markdown_angle_brackets_that_are_no_html_tag_are_text(tmp_path):
    """Only what CommonMark reads as an HTML tag is markup: "<sys/wait.h>" (polkit's NEWS.md) and
    "<country_code>" (iso-codes' CHANGELOG) are shown as written, so they are the text's; "<code>"
    is a tag, and a reader does not see it."""
    path = write(tmp_path / "NEWS.md", "# Changes\n\n- Add missing #include <sys/wait.h> to the helper.\n"
                                       "- Normalize all subdivision codes to <country_code>-<code> instead of the "
                                       "old form, and <b>bold</b> stays bold.\n")
    text = load_document(path, tmp_path).text
    assert "#include <sys/wait.h> to" in text and "<country_code>- instead" in text and "<b>" not in text
    audit = lost(path, tmp_path)
    assert audit.lost == 0 and audit.in_passages == audit.source_words


def test_the_audit_reports_a_normal_form_that_drops_words(tmp_path, monkeypatch):
    """The audit holds the readers to the text in the indexer's normal form, so a fault of that form
    (an escape-sequence pattern that ran to the end of a file) loses words on both sides and counts
    nothing lost: it also counts the words of the decoded text, and names a file where the normal
    form has fewer."""
    import indexer.clean.normalize as normal_form
    from bench.fidelity import audit_files

    path = write(tmp_path / "speech.txt", "Thank you, Sir. " * 20 + "\n\nWe support the declaration.\n")
    assert audit_files("t", tmp_path, [path]).figures()["normal_form_drops"] == {}
    real = normal_form.normalize
    monkeypatch.setattr(normal_form, "normalize", lambda text: real(text)[:20])
    assert audit_files("t", tmp_path, [path]).figures()["normal_form_drops"] == {"speech.txt": [64, 4]}
