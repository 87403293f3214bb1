"""Fidelity classes found by trying files nobody on the project had tried (issue 12): a quotation's
attribution in HTML, Markdown's block quotes and hard line breaks, short plain texts read as
hard-wrapped. Each on a small file made here, through the reader and the audit's own count."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.fidelity import Audit, account, visible_text
from indexer.readers.boilerplate import learn_boilerplate
from indexer.readers.load import load_document
from indexer.segment import segment
from tests.conftest import write


def audit(path: Path, root: Path) -> Audit:
    doc = load_document(path, root)
    out = Audit("test")
    account(out, doc, list(segment(doc)), visible_text(path), path.name)
    return out


def passages(path: Path, root: Path) -> str:
    return "\n\n".join(p.text for p in segment(load_document(path, root)))


# ---------------------------------------------------------------- HTML: a footer that is content

QUOTED_PAGE = """<!DOCTYPE html><html><head><title>Logbook</title></head><body>
<main><h1>Logbook</h1>
<p>The harbour office kept a logbook of every ship that berthed at the quay during the war years.</p>
<blockquote><p>Fog all morning; the Mary Rose came in on the tide at noon.</p>
<footer>— Captain Hale, <cite>Harbour log</cite>, 1942</footer></blockquote>
<figure><img src="quay.jpg" alt=""><figcaption>The quay in 1942.</figcaption>
<footer>Photograph: Portsmouth City Archives</footer></figure>
<table><tr><td>Berth 4<footer>refitted 1951</footer></td></tr></table>
</main>
<footer><p>Copyright Harbour Office. All rights reserved.</p></footer>
</body></html>"""


def test_html_footer_of_a_quotation_figure_or_cell_is_its_content_the_pages_footer_goes(tmp_path):
    # A <footer> belongs to its nearest sectioning root (HTML: blockquote, figure, td, details,
    # fieldset): in a block quote it says who is quoted, in a figure whose picture it is.
    path = write(tmp_path / "log.html", QUOTED_PAGE)
    text = passages(path, tmp_path)
    for kept in ("— Captain Hale, Harbour log, 1942", "Photograph: Portsmouth City Archives", "refitted 1951"):
        assert kept in text
    doc = load_document(path, tmp_path)
    assert [(r.text, r.reason) for r in doc.removed] == [("Copyright Harbour Office. All rights reserved.", "footer")]
    assert audit(path, tmp_path).lost == 0


# ---------------------------------------------------------------- plain text: paragraphs marked by blank lines

TELEGRAM = """TELEGRAM

FROM AMEMBASSY SEOUL TO SECSTATE WASHDC PRIORITY

SUBJECT: THE WAR IN KOREA AND US TROOPS

1. THE ARMY REPORTS THAT US TROOPS LANDED AT INCHON STOP IT IS NOT YET CLEAR WHO ORDERED THE ADVANCE STOP

2. AMBASSADOR WILL CALL ON THE PRESIDENT AT NOON STOP

MUCCIO
"""

TODO = """TODO list for the harbour office
* Move the tide tables to the new page, and keep the old page for the ships
  that still link to it from their logbooks

* Provide some how-do-I-use-this-thing notes for the berth clerks

* Check the records of the refit in 1951 against the invoices of the yard
  that did the work

Harbour office staff
"""


def test_text_that_marks_paragraphs_with_blank_lines_keeps_them_apart(tmp_path):
    # Lines that end without a full stop ("STOP", a command, an item) made such a file read as
    # hard-wrapped, and a blank line between two of them was taken for a page break mid-sentence.
    telegram = write(tmp_path / "cable.txt", TELEGRAM)
    blocks = [b.text for b in load_document(telegram, tmp_path).blocks]
    assert "FROM AMEMBASSY SEOUL TO SECSTATE WASHDC PRIORITY" in blocks
    assert "SUBJECT: THE WAR IN KOREA AND US TROOPS" in blocks
    assert not any("STOP 2." in b or "STOP MUCCIO" in b for b in blocks)
    todo = write(tmp_path / "TODO.txt", TODO)
    lines = [line for b in load_document(todo, tmp_path).blocks for line in b.text.split("\n")]
    assert "* Move the tide tables to the new page, and keep the old page for the ships that still" \
           " link to it from their logbooks" in lines             # (its wrapped lines still join)
    assert "* Provide some how-do-I-use-this-thing notes for the berth clerks" in lines
    for path in (telegram, todo):
        assert audit(path, tmp_path).lost == 0


# ---------------------------------------------------------------- Markdown: hard line breaks, block quotes

LETTER_MD = "# Letter to the harbour\n\n" \
    "Harbour Office  \n12 Quay Street  \nPortsmouth\n\n" \
    "Roses are red,\\\nthe quay is grey,\\\nthe tide comes in\\\ntwice a day.\n\n" \
    "> The first paragraph of the warden's diary, written in the spring of 1998.\n>\n" \
    "> The second paragraph of the diary, written a week later.\n\n" \
    "A path ends in a backslash: C:\\\n"


def test_markdown_hard_line_breaks_stay_lines_and_quoted_paragraphs_stay_apart(tmp_path):
    # CommonMark renders a line ending in two spaces or a backslash as a line break (<br>): an
    # address's lines or a verse's were run into one line, the backslash kept as if it were text;
    # a block quote's paragraphs (split by a ">" line) were run into one paragraph.
    path = write(tmp_path / "letter.md", LETTER_MD)
    blocks = [b.text for b in load_document(path, tmp_path).blocks]
    assert "Harbour Office\n12 Quay Street\nPortsmouth" in blocks
    assert "Roses are red,\nthe quay is grey,\nthe tide comes in\ntwice a day." in blocks
    assert "The first paragraph of the warden's diary, written in the spring of 1998." in blocks
    assert "The second paragraph of the diary, written a week later." in blocks
    assert "A path ends in a backslash: C:\\" in blocks      # (a paragraph's last backslash is text)
    assert audit(path, tmp_path).lost == 0


# ---------------------------------------------------------------- learned boilerplate: never a line with text after it

MODULE = '''"""The {0} of the harbour office: a module that keeps the records the clerks write every day, and
reads them back for the harbour master when he asks for them."""


def record(entry):
    """Write one entry to the {0} book."""


def lookup(day):
    """Find the entries of a day."""
'''


def test_learned_lines_after_the_last_long_paragraph_stay_when_text_follows_them(tmp_path):
    # pydoc's pages (written here by pydoc itself) share the section title "Functions", which comes
    # after the module's docstring (the page's last long paragraph) and before the functions' short
    # docs: it was removed from every page as learned boilerplate, a heading with text under it.
    for name in ("tides", "berths", "cargo"):
        write(tmp_path / "src" / f"{name}.py", MODULE.format(name))
    out = tmp_path / "docs"
    out.mkdir()
    subprocess.run([sys.executable, "-m", "pydoc", "-w", "tides", "berths", "cargo"], cwd=out, check=True,
                   env={"PYTHONPATH": str(tmp_path / "src")}, capture_output=True)
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 3
    boilerplate = learn_boilerplate(pages)
    assert "functions" in boilerplate                   # (it is on every page: learned)
    doc = load_document(out / "tides.html", out, boilerplate=boilerplate)
    assert "learned boilerplate" not in [r.reason for r in doc.removed]
    text = "\n".join(b.text for b in doc.blocks)
    assert "Functions" in text.split("\n") and "Write one entry to the tides book." in text


# ---------------------------------------------------------------- a manual page rendered as text

# `man -l tide.1` (man-db 2.11, groff 1.22, MANWIDTH=80) of a page written for this test: its
# sections and each option's label stand in the margin over their indented text.
MAN_PAGE = 'TIDE(1)                          User Commands                         TIDE(1)\n\nNAME\n       tide - print the tides of a harbour\n\nSYNOPSIS\n       tide [OPTION]... [HARBOUR]\n\nDESCRIPTION\n       Print  the  times  of high and low water for each day of the year, com‐\n       puted from the shape of the harbour and the phases of the moon.\n\n       -a, --all\n              print every tide of the day, not only the two highest\n\n       -d, --date=DAY\n              print the tides of DAY instead of today\n\n       --metric\n              print heights in metres\n\nAUTHOR\n       Written by the harbour office.\n\nSEE ALSO\n       moon(1)\n\nharbourlib 1.2                    March 2020                           TIDE(1)\n'


def test_a_manual_page_keeps_its_sections_and_one_paragraph_per_option(tmp_path):
    # Its option lines ("-d, --date=DAY") start with a letter in lower case after the dash, and were
    # joined across the blank line to the description above them as a sentence's continuation; its
    # section titles ran into their text ("NAME tide - print ..."), the last ones ("AUTHOR") too.
    path = write(tmp_path / "tide.txt", MAN_PAGE)
    blocks = [(b.text, b.heading) for b in load_document(path, tmp_path).blocks]
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "AUTHOR", "SEE ALSO"):
        assert (heading, True) in blocks
    assert ("tide - print the tides of a harbour", False) in blocks
    assert ("-a, --all print every tide of the day, not only the two highest", False) in blocks
    assert ("-d, --date=DAY print the tides of DAY instead of today", False) in blocks
    assert ("Written by the harbour office.", False) in blocks
    assert audit(path, tmp_path).lost == 0


LICENCE = """                    HARBOUR PUBLIC LICENCE
                       Version 3, 29 June 2007

 Copyright (C) 2007 The Harbour Office <https://harbour.example/>
 Everyone is permitted to copy and distribute verbatim copies
 of this licence document, but changing it is not allowed.

                            Preamble

  The Harbour Public Licence is a free, copyleft licence for tide tables
and other kinds of works that the harbour office publishes for the use
of the ships that call at the quay, and for the clerks who keep them.
"""

DOUBLE_SPACED = """Your Excellency Philemon Yang, President of the 79th General

Assembly.

Your Excellency Antonio Guterres, Secretary General of the United

Nations; Excellencies, Heads of Delegations.

As we conclude this debate, unity and cooperation are more needed than ever, and

we must act on the commitments we made together in this hall last

year, for the harbours and the coasts of the small island states.
"""


def test_a_centred_title_block_keeps_its_lines_and_a_double_spaced_copy_its_sentences(tmp_path):
    # A short first line ran into the next as a sentence's opening words ("May I, as Prime"): a
    # centred first line (right of the text's margin) is a title. A copy double-spaced line by line
    # is not a text that marks paragraphs with blank lines: its sentences still run across them.
    licence = write(tmp_path / "LICENCE.txt", LICENCE)
    blocks = [b.text for b in load_document(licence, tmp_path).blocks]
    assert blocks[:2] == ["HARBOUR PUBLIC LICENCE", "Version 3, 29 June 2007"]
    speech = write(tmp_path / "speech.txt", DOUBLE_SPACED)
    text = load_document(speech, tmp_path).text
    assert "President of the 79th General Assembly." in text
    assert "we must act on the commitments we made together in this hall last year, for" in text
    for path in (licence, speech):
        assert audit(path, tmp_path).lost == 0


COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: harbourlib
Source: https://harbour.example/releases/
Files-Excluded: docs/generated
                tides/cache

Files: *
Copyright: 2019-2024 The Harbour Office
License: GPL-2+
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License as published by the Free
 Software Foundation; either version 2 of the License, or (at your option)
 any later version.
"""

SAVED_MAIL = """From: Jane Smith <jane@example.org>
To: Harbour Office <office@example.org>
Date: Tue, 3 Mar 2020 10:00:00 +0000
Subject: Crates for the mill

Dear harbour master,

The forty crates for the mill will arrive on Tuesday. Please keep them in shed 4 until
the carters come on Wednesday morning.
"""


def test_a_records_fields_stay_lines(tmp_path):
    # Field lines ("Upstream-Name: ...", a mail's "To: ...") were joined to the line before them as
    # a wrapped sentence's next line: "From: Jane ... To: Harbour Office ... Subject: ...".
    copyright_file = write(tmp_path / "copyright.txt", COPYRIGHT)
    blocks = [b.text for b in load_document(copyright_file, tmp_path).blocks]
    assert "Upstream-Name: harbourlib" in blocks
    assert "Source: https://harbour.example/releases/" in blocks
    assert "Files-Excluded: docs/generated tides/cache" in blocks      # (its value's lines still join)
    mail = write(tmp_path / "saved-mail.txt", SAVED_MAIL)
    blocks = [b.text for b in load_document(mail, tmp_path).blocks]
    assert "To: Harbour Office <office@example.org>" in blocks
    assert "Subject: Crates for the mill" in blocks
    for path in (copyright_file, mail):
        assert audit(path, tmp_path).lost == 0


# ---------------------------------------------------------------- HTML: an aside inside the article

DOCUTILS = Path(__file__).parent / "data" / "docutils"


def test_docutils_notes_sidebars_topics_and_footnotes_are_the_documents_text(tmp_path):
    # docutils' HTML5 writer puts a note, a warning, a sidebar, a topic and the footnotes in
    # <aside> inside <main>: all were removed as the page's aside (an aside of the article is
    # its text; the page's own aside, outside <main>, stays chrome). Its HTML4 writer's sidebar
    # title (<p class="sidebar-title">) was removed as a "sidebar" while the sidebar's text stayed.
    expected = ["The office is closed on public holidays, when the deputy keeps the logbook.",
                "Never moor at berth 4 at low water.", "Tide tables", "The tide tables are printed every January.",
                "Berthing fees", "Fees are paid at the office before the ship leaves.",
                "Since 1947, when the office was rebuilt after the war."]
    for name in ("harbour-html5.html", "harbour-html4.html"):
        path = DOCUTILS / name
        doc = load_document(path, DOCUTILS)
        blocks = [b.text for b in doc.blocks]
        for text in expected:
            assert text in blocks or f"[1] | {text}" in blocks, (name, text)     # (HTML4: a footnote is a table)
        assert {r.reason for r in doc.removed} <= {"byline"}      # (at most its "Author: Jane Smith" field)
        assert audit(path, DOCUTILS).lost == 0


def test_an_aside_outside_the_article_or_with_a_chrome_class_is_still_chrome(tmp_path):
    page = write(tmp_path / "post.html", "<html><body><main><h1>Tides</h1><p>The tide rises twice a day at the "
                 "harbour, and the office prints a table of the times for every ship.</p>"
                 "<aside class='related-posts'><p>Read also: Moorings</p></aside>"
                 "<aside><p>Pull quote: twice a day</p></aside></main>"
                 "<aside><p>Sponsored by the chandlery</p></aside></body></html>")
    doc = load_document(page, tmp_path)
    assert "Pull quote: twice a day" in [b.text for b in doc.blocks]
    assert [(r.text, r.reason) for r in doc.removed] == [("Read also: Moorings", "site chrome (related-posts)"),
                                                          ("Sponsored by the chandlery", "aside")]


# ---------------------------------------------------------------- legacy encodings other than Western ones

LEGACY = {
    "cp1251": ("Заметки о гавани", "Корабль прибыл на рассвете во вторник с сорока ящиками деталей для мельницы."),
    "shift_jis": ("港のメモ", "船は火曜日の夜明けに工場向けの部品を積んで到着した。"),
    "gb18030": ("港口笔记", "船在星期二黎明时分抵达，载着工厂的零件，港务长在码头签收。"),
    "cp1253": ("Σημειώσεις του λιμανιού", "Το πλοίο έφτασε την αυγή της Τρίτης με σαράντα κιβώτια για τον μύλο."),
}


def test_a_file_in_a_legacy_encoding_is_read_in_it_and_a_western_one_stays_cp1252(tmp_path):
    # Every file that was not UTF-8 was read as cp1252: Cyrillic, Greek, Japanese and Chinese
    # files saved by Windows became accented Latin letters and symbols ("Çàìåòêè î ãàâàíè"), and
    # no word of them could be found. A cp1252 reading that is mostly not ASCII is not Western
    # text: then the encoding is detected (charset-normalizer); Western files never ask.
    for encoding, (title, line) in LEGACY.items():
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(f"{title}\n\n{line}\n".encode(encoding))
        assert [b.text for b in load_document(path, tmp_path).blocks] == [title, line], encoding
    western = tmp_path / "western.txt"
    western.write_bytes("Café notes\n\nLe café sert une crème brûlée – “à volonté” – aux visiteurs de Zürich.\n"
                        .encode("cp1252"))
    assert [b.text for b in load_document(western, tmp_path).blocks] == [
        "Café notes", "Le café sert une crème brûlée – “à volonté” – aux visiteurs de Zürich."]


# ---------------------------------------------------------------- a terminal's marks: overstrikes, escape sequences

# `nroff -man tide.1` (groff 1.22) of the page above, as old archives keep formatted manual pages
# (".cat" files, READMEs made with nroff): bold is a letter struck twice ("N\bN"), underline "_\bO".
NROFF_PAGE = 'TIDE(1)                          User Commands                         TIDE(1)\n\n\n\nN\x08NA\x08AM\x08ME\x08E\n       tide - print the tides of a harbour\n\nS\x08SY\x08YN\x08NO\x08OP\x08PS\x08SI\x08IS\x08S\n       t\x08ti\x08id\x08de\x08e [_\x08O_\x08P_\x08T_\x08I_\x08O_\x08N]... [_\x08H_\x08A_\x08R_\x08B_\x08O_\x08U_\x08R]\n\nD\x08DE\x08ES\x08SC\x08CR\x08RI\x08IP\x08PT\x08TI\x08IO\x08ON\x08N\n       Print  the  times  of high and low water for each day of the year, com‐\n       puted from the shape of the harbour and the phases of the moon.\n\n       -\x08-a\x08a, -\x08--\x08-a\x08al\x08ll\x08l\n              print every tide of the day, not only the two highest\n\n       -\x08-d\x08d, -\x08--\x08-d\x08da\x08at\x08te\x08e=_\x08D_\x08A_\x08Y\n              print the tides of DAY instead of today\n\n       -\x08--\x08-m\x08me\x08et\x08tr\x08ri\x08ic\x08c\n              print heights in metres\n\nA\x08AU\x08UT\x08TH\x08HO\x08OR\x08R\n       Written by the harbour office.\n\nS\x08SE\x08EE\x08E A\x08AL\x08LS\x08SO\x08O\n       moon(1)\n\n\n\nharbourlib 1.2                    March 2020                           TIDE(1)\n'


def test_overstruck_and_escaped_text_reads_as_a_terminal_shows_it(tmp_path):
    # Only the backspace was dropped, so "NAME" became "NNAAMMEE", "tide" "ttiiddee" and "OPTION"
    # "_O_P_T_I_O_N": no word of a heading or of a bold or underlined phrase could be found. An
    # escape sequence lost only its ESC: "bell\x1b[1m" became "bell[1m".
    path = tmp_path / "tide.cat.txt"
    path.write_text(NROFF_PAGE)
    blocks = [b.text for b in load_document(path, tmp_path).blocks]
    assert "NAME" in blocks and "SEE ALSO" in blocks
    assert "tide [OPTION]... [HARBOUR]" in blocks
    log = tmp_path / "build-log.txt"
    log.write_text("Build log\n\n\x1b[1mwarning:\x1b[0m the tide table for \x1b]8;;file:///t\x1b\\March\x1b]8;;\x1b\\ "
                   "is empty\x1b(B, so the build used the one for February instead.\n")
    assert "warning: the tide table for March is empty, so the build used the one for February instead." \
        in load_document(log, tmp_path).text


def test_a_table_whose_cells_hold_a_paragraph_each_keeps_its_rows_as_lines(tmp_path):
    # docutils and Sphinx write every cell's text in a <p>: the row was read cell by cell, a block
    # each ("Monday", "06:12"), where a row of plain cells is one line "Monday | 06:12".
    for name in ("harbour-html5.html", "harbour-html4.html"):
        blocks = [b.text for b in load_document(DOCUTILS / name, DOCUTILS).blocks]
        assert "Day | High" in blocks and "Monday | 06:12" in blocks, name
    page = write(tmp_path / "cells.html", "<html><body><table><tr><td><p>Berth 4</p><p>refitted 1951</p></td>"
                 "<td>free</td></tr></table><p>Berths of the harbour and whether they are free this week.</p>"
                 "</body></html>")
    blocks = [b.text for b in load_document(page, tmp_path).blocks]
    assert "Berth 4" in blocks and "refitted 1951" in blocks      # (two paragraphs in a cell stay two)


# Sphinx 9.0.4's markup for a glossary term and a function's signature (from `sphinx-build -b html`).
SPHINX_TERMS = """<html><head><title>Glossary</title></head><body><main>
<h1>Glossary<a class="headerlink" href="#glossary" title="Link to this heading">¶</a></h1>
<dl class="glossary simple">
<dt id="term-Berth">Berth<a class="headerlink" href="#term-Berth" title="Link to this term">¶</a></dt><dd><p>A place
where a ship is moored.</p></dd></dl>
<dl class="py function">
<dt class="sig sig-object py" id="tide">
<span class="sig-name descname"><span class="pre">tide</span></span><span class="sig-paren">(</span><em class="sig-param"><span
class="n"><span class="pre">day</span></span></em><span class="sig-paren">)</span><a class="headerlink" href="#tide"
title="Link to this definition">¶</a></dt>
<dd><p>Print the tides of <em>day</em> for every berth of the harbour, high and low water.</p></dd></dl>
<p>See <a href="#term-Berth">¶ 4</a> of the harbour rules.</p>
</main></body></html>"""


def test_a_permalink_mark_goes_from_a_term_or_signature_as_from_a_heading(tmp_path):
    # Sphinx puts its "¶" permalink after glossary terms and API signatures too: "Berth¶" and
    # "tide(day)¶" were kept as written, the mark glued to the word. A link whose text is more
    # than the mark ("¶ 4") is text.
    page = write(tmp_path / "glossary.html", SPHINX_TERMS)
    blocks = [b.text for b in load_document(page, tmp_path).blocks]
    assert blocks[:3] == ["Glossary", "Berth", "A place where a ship is moored."]
    assert "tide(day)" in blocks
    assert "See ¶ 4 of the harbour rules." in blocks
