"""Plain-text files that are not saved web pages keep every line (issue 12: when in doubt, keep).

Found by auditing the Debian documentation folder's plain-text files (copyright files, changelogs,
protocol specifications, NOTICE and README files), which the indexer reads since names without a
type and .gz files are read by content: the rules for a saved page's chrome (menus, publisher and
contact lines, a repeated title, page numbers) took their fields, table rows, dates and addresses.
Real files (tests/data/plain-text, sources and licences in SOURCES.md) and a changelog of our own,
through the index; a saved page's chrome still goes
(tests/test_loaders.py::test_text_page_chrome_becomes_fields_or_goes)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import build_index
from search import Searcher
from tests.conftest import write

DATA = Path(__file__).parent / "data" / "plain-text"

CHANGELOG = """harbourlib change history

5/7

The parser no longer drops the last line of a file that does not end in a newline.

8/22

Fixed a crash when the history file is empty, reported by several users on the list.

10

A release with no other change than the version number, made for the distribution.

S/390

Builds on S/390 again, after the configure script learned the name of the machine.

2.93 2017-05-19

A version and its date, as many changelogs head their entries.
"""

AUTHORS = """Harbourlib was written by its contributors, in the order of their first change:

Henry de Walrus
Maria Narwhal
Anders Beluga
Cristian Otter
Benno Seal
Paul Dolphin
Stephane Orca

and many others who sent small fixes to the mailing list over the years.
"""

README = """harbourlib

Harbourlib computes the tides of a harbour from its shape and the phases of the moon, and it prints
them as a table for each day of the year that the user asks for.

http://harbourlib.walrus.example/
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plain")
    docs = tmp / "docs"
    docs.mkdir()
    for name in ("ninja-build-copyright", "lerc-NOTICE", "libxslt-README", "dri2proto-excerpt"):
        shutil.copy(DATA / name, docs / name)
    write(docs / "changelog", CHANGELOG)
    write(docs / "AUTHORS", AUTHORS)
    write(docs / "README", README)
    build_index([docs], tmp / "idx")
    return tmp / "idx"


@pytest.mark.parametrize("name", ["ninja-build-copyright", "lerc-NOTICE", "libxslt-README", "changelog", "AUTHORS",
                                  "README"])
def test_no_line_of_a_plain_document_is_left_out(index, name):
    with Searcher(index) as s:
        assert list(s.removed(f"docs/{name}").lines) == []


def test_a_specification_keeps_its_title_and_tables(index):
    """Only its title block's date is read as a field (recorded, as on a page); the author's
    affiliation under the author's address is the document's text, not a publisher line."""
    with Searcher(index) as s:
        assert [(r.text, r.reason) for r in s.removed("docs/dri2proto-excerpt").lines] == [
            ("2008-09-04", "dateline")]                                         # (the date was a "phone")
        assert s.search('"Red Hat"').total == 1
        title = s.search('"The DRI2 Extension" version', limit=20).hits     # (the title was a "menu")
        assert any(h.text.startswith("The DRI2 Extension\nVersion 2.0") or h.text.startswith("The DRI2 Extension")
                   for h in title)


@pytest.mark.parametrize("query, doc", [
    ('"Gregory Pietsch"', "ninja-build-copyright"),         # a record's lines were a "menu"
    ('"2011-2014 Google"', "ninja-build-copyright"),
    ('"Copyright 2015-2022 Esri"', "lerc-NOTICE"),          # a "menu"
    ('"contracts@esri.com"', "lerc-NOTICE"),                # the address under "contact:" was "contact lines"
    ('"380 New York Street"', "lerc-NOTICE"),
    ('"gitlab.gnome.org"', "libxslt-README"),               # the URL "follow the instructions at:" announces
    ('"CARD32 major version"', "dri2proto-excerpt"),        # a request's table rows were a "menu"
    ('"8/22"', "changelog"),                                # dates were "page numbers"
    ('"2017-05-19"', "changelog"),                          # a version and date was a "phone" number
    ('"Anders Beluga"', "AUTHORS"),                         # a list of names in the middle was a "menu"
    ('"harbourlib.walrus.example"', "README"),              # a lone URL at the end was a "contact line"
])
def test_what_was_taken_for_chrome_is_found(index, query, doc):
    with Searcher(index) as s:
        assert {h.doc_id for h in s.search(query).hits} == {f"docs/{doc}"}


def test_a_paged_text_still_loses_its_page_numbers(tmp_path):
    page = "The speaker said that the talks would go on, and that the delegations would meet again soon.\n"
    write(tmp_path / "docs" / "speech.txt", f"{page}\n2\n\n{page}\n3\n\n{page}\n4\n\n{page}")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert [(r.text, r.reason) for r in s.removed("docs/speech.txt").lines] == [
            ("2", "page number"), ("3", "page number"), ("4", "page number")]


def test_powers_written_with_two_stars_keep_them_and_bold_marks_go(tmp_path):
    """In a .txt, paired **bold** marks go (the README's list): marks standing at the edges of
    words, not inside them. "2**31/2**32-1" is a pair of powers (e2fsprogs' NEWS), and was stored
    as "231/232-1"; "2**66 - 1 bytes instead of 2**33 - 1" (tar's NEWS) lost its stars too."""
    write(tmp_path / "docs" / "NEWS", "Release notes\n\nAdded two new helper functions to prevent 2**31/2**32-1 "
          "overflow problems in the library. This supports larger files (2**66 - 1 bytes instead of 2**33 - 1 "
          "bytes), and the **new** option is **documented**.\n")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        text = "\n".join(h.text for h in s.search("overflow").hits)
    assert "prevent 2**31/2**32-1 overflow" in text and "(2**66 - 1 bytes instead of 2**33 - 1 bytes)" in text
    assert "the new option is documented." in text


def test_numbers_inside_a_changelog_or_an_example_are_no_page_numbers(tmp_path):
    """Lines that look like page numbers are page numbers only where they mark page breaks as a
    paged text has them, one every 250 lines at least and each break apart from the next: a
    number ending a wrapped item (Linux's changelog: "Dell Inspiron / 7352"), an example's output
    (sed's NEWS), or "I/O" and "Q/QP" lines far apart in a long changelog are the text's."""
    items = [f"    - driver {n}: fix the handling of the device when it is removed while in use" for n in range(600)]
    items[100:100] = ["    - platform/x86: intel-vbtn: Support for tablet mode on Dell Inspiron", "      7352"]
    items[300:300] = ["    - block: rework the request queue for faster", "      I/O"]
    items[500:500] = ["    - s390: add support for the queue pair types", "      Q/QP"]
    write(tmp_path / "docs" / "changelog.Debian", "linux (6.1.76-1) bookworm; urgency=medium\n\n" + "\n".join(items)
          + "\n\n -- Salvatore Bonaccorso <carnil@debian.org>  Fri, 02 Feb 2024 07:41:00 +0100\n")
    write(tmp_path / "docs" / "NEWS", "* Noteworthy changes in release 4.9\n\n  sed now fails when given an address "
          "range it cannot read. Before, it printed the lines in the wrong order:\n    $ seq 6|sed '2,4d'\n    1\n"
          "    yx5\n    6\n  Now, it does not:\n    $ seq 6|sed '2,4d'\n    1\n    5\n    6\n\n"
          "  The manual has a new chapter on regular expressions, with examples for each of them.\n")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.removed("docs/changelog.Debian").lines == () and s.removed("docs/NEWS").lines == ()
        assert s.search('"Dell Inspiron 7352"').total == 1 and s.search('"queue pair types Q/QP"').total == 1


def test_dates_and_authors_of_a_texts_own_records_stay(tmp_path):
    """Found by the full audit of /usr/share/doc: a changelog's dated entries ("2022-01-16:" over
    its items) went as datelines, a record's "Author: Zenju" and a copyright file's "Author: Skip
    Montanaro" as bylines (and made an author of the file), and the date ending "debianized by
    ... on / Wed, 13 Mar 2002 00:07:25 +0900." as a dateline. A saved page's byline and dateline
    still go (tests/test_loaders.py)."""
    write(tmp_path / "docs" / "changelog", "2022-01-16:\n  Install Visual Studio debugger (pdb) files.\n\n"
          "2022-01-10:\n  Fix quiet NANs on MIPS* and PA-RISC architectures.\n  Update version number.\n\n"
          "2021-12-22:\n  Add support of Synopsys ARC64 architecture, and reintroduce the macros that were "
          "removed in the last release when the prefixed names were introduced.\n")
    write(tmp_path / "docs" / "NEWS", "Version 1.11.0 is a feature release with many changes, listed here with "
          "the files they touch and who wrote them.\n\n  ssh-ed25519: Support PKIX + calc pubkey from private\n\n"
          "  Files: openssl.c/h\n  Author: Zenju\n  Notes:\n  Adds support for PKIX key reading by fixing the "
          "key parser for the new format, with tests for each of the key types it reads.\n")
    write(tmp_path / "docs" / "ChangeLog", "RTMPDump\nCopyright 2009-2015 Howard Chu\nhttp://rtmpdump.mplayerhq.hu/\n\n"
          "20 July 2011\n- add NetStream.Authenticate.UsherToken for Justin.tv\n\n11 July 2011, v2.4\n- add RTMPE "
          "type 9 handshake support, with the keys the servers of that year used for their streams.\n")
    write(tmp_path / "docs" / "copyright", "This package was debianized by Akira TAGOH <tagoh@debian.org> on\n"
          "Wed, 13 Mar 2002 00:07:25 +0900.\n\nIt was downloaded from the project's site, and it is free "
          "software under the terms of the licence below, which applies to all of its files.\n")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        for doc in ("changelog", "NEWS", "copyright", "ChangeLog"):
            assert s.removed(f"docs/{doc}").lines == (), doc
        assert s.search('"2022-01-10"').total == 1 and s.search('"Author: Zenju"').total == 1
        assert s.search('"13 Mar 2002"').total == 1
        assert [h.author for h in s.search("Zenju").hits] == [None]       # (no author of the file)


def test_authors_affiliations_in_a_title_block_are_text_and_no_title(tmp_path):
    """An X Consortium standard's title block lists authors with their organisations (found by the
    full audit of /usr/share/doc): "Network Computing Devices, Inc." under "Jim Fulton" went as a
    publisher line, and "X Consortium" under two authors became the title, its first copy removed
    as "title repeated"; then "Copyright © 1994 X Consortium" was taken for the title."""
    write(tmp_path / "docs" / "xc-misc.txt", "XC-MISC Extension\n\nX Consortium Standard\n\nBob Scheifler\n\n"
          "X Consortium\n\nDavid P. Wiggins\n\nX Consortium\n\nJim Fulton\n\nNetwork Computing Devices, Inc.\n\n"
          "Version 1.1\n\nCopyright © 1994 X Consortium\n\nPermission is hereby granted, free of charge, to any "
          "person obtaining a copy of this software and associated documentation files, to deal in the Software "
          "without restriction.\n")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.removed("docs/xc-misc.txt").lines == ()
        hits = s.search('"Network Computing Devices"').hits
        assert [h.title for h in hits] == ["XC-MISC Extension"]


def test_a_ticket_number_is_no_postcode_and_a_versioned_name_no_publisher(tmp_path):
    """The audit's sample of removed lines (/usr/share/doc): a changelog item ending "(RT 16067)"
    went as a contact line (two letters and five digits read as a US state and postcode; a postcode
    follows the city's comma), and "The Xrender Library" over "Version 0.7" as a publisher line."""
    write(tmp_path / "docs" / "Changes", "Revision history for Perl extension Algorithm::Diff.\n\n1.19_02 2006-07-31\n"
          "- Fix typo in @EXPORT_OK (s/LCDidx/LCSidx/) (RT 8576)\n- Use 'printf' in example code, not 'sprintf' nor "
          "'sprint' (RT 16067)\n- DiffOld wasn't passing extra arguments to compare routine (RT 20650)\n")
    write(tmp_path / "docs" / "libXrender.txt", "                         The Xrender Library\n"
          "\t\t\t    Version 0.7\n\t\t\t      2002-11-6\n\t\t\t    Keith Packard\n\t\t\t  keithp@xfree86.org\n\n"
          "1. Introduction\n\nThe Xrender library is designed as a lightweight library interface to the\nRender "
          "extension. This document describes how the library maps to the protocol.\n")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.removed("docs/Changes").lines == ()
        assert "The Xrender Library" not in [r.text for r in s.removed("docs/libXrender.txt").lines]
        assert s.search('"RT 16067"').total == 1 and s.search('"Xrender Library" version').total == 1


def test_an_organisation_in_a_list_of_names_is_an_entry(tmp_path):
    """nghttp2's AUTHORS lists people and companies, one a line: "Google Inc." between "Gitai" and
    "Hajime Fujita" went as a publisher line. A publisher line stands apart, blank lines about it."""
    names = ["Gaël PORTAY", "Geoff Hill", "George Liu", "Gitai", "Google Inc.", "Hajime Fujita", "Jacky Tian"]
    write(tmp_path / "docs" / "AUTHORS", "nghttp2 project was started as a fork of spdylay project. Both projects "
          "were started by Tatsuhiro Tsujikawa, who is still the main author of these projects.\n\n"
          "Here is the list of individuals and organizations who contributed.\n\n--------\n\n" + "\n".join(names)
          + "\n")
    build_index([tmp_path / "docs"], tmp_path / "idx")
    with Searcher(tmp_path / "idx") as s:
        assert s.removed("docs/AUTHORS").lines == ()
        assert s.search('"Google Inc"').total == 1
