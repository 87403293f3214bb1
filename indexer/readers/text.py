"""Plain text (.txt) -> Extracted: paragraphs and headings, with a saved page's chrome removed.

Text saved from a web page has a header (title, dateline, publisher, byline, menus)
and a footer (notices, menus) around the article; the metadata found there becomes
fields. Only lines that are certainly chrome are left out, each recorded with its reason
(Extracted.remove); short lines of the header (a file number, "UNCLASSIFIED") stay. Hard-wrapped (PDF-derived) text gets no header or
footer treatment: its first and last lines are speech, not chrome.
"""
from __future__ import annotations

import re

from indexer.clean import chrome
from indexer.readers.extracted import Extracted
from indexer.metadata import search_date
from indexer.clean.reflow import FIELD, LIST_ITEM, Paragraph, heading_level, runs_on, wrapped_paragraphs

# A pair of bold marks at the edges of words: "2**31/2**32-1" (powers) is not "2<b>31/2</b>32-1".
_BOLD = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
DROP, BODY, HEADING, TITLE = "drop", "body", "heading", "title"
MERGE_TARGET = 500        # speech-style lines are joined into paragraphs of about this size ...
MERGE_LIMIT = 1500        # ... and never past this


def read_plain(text: str, boilerplate: frozenset[str] = frozenset()) -> Extracted:
    """Paragraphs and headings in file order; each line left out is recorded with its reason."""
    lines = text.split("\n")
    if "**" in text:
        lines = [_BOLD.sub(r"\1", line) for line in lines]        # paired **bold** marks only: 2**10 stays
    underlined, lines = _setext_headings(lines)
    furniture: list[tuple[int, str, str]] = []
    wrapped, paras = wrapped_paragraphs(lines, furniture)
    out = Extracted()
    reasons: list[str | None] = [_chrome_reason(p) for p in paras]
    # The text runs from its first body paragraph to its last, or to its end when an underlined
    # heading follows its last (a section of short lines: "External services", then each
    # service's "URL: ..." line, is the text's, not a page's foot).
    body = [i for i, p in enumerate(paras) if reasons[i] is None and _body_like(p.text)]
    if body and any(p.lines == 1 and p.text in underlined for p in paras[body[-1] + 1:]):
        body.append(len(paras))
    for i, p in enumerate(paras):
        if reasons[i]:
            where = "body" if not body else "head" if i < body[0] else "foot" if i > body[-1] else "body"
            if where == "foot" and any(reasons[j] is None and len(q.text.split()) > 3 for j, q in
                                       enumerate(paras[i + 1:], i + 1)):
                where = "body"      # a line of text follows: this is not a page's foot of menus and notices
            reasons[i] = chrome.placed(reasons[i], p.text, where)
    _fields_of_chrome(paras, reasons, out)
    kinds: list[str | None] = [DROP if reason else None for reason in reasons]
    for i, p in enumerate(paras):
        if kinds[i] is None and p.lines == 1 and p.text in underlined:
            kinds[i] = HEADING
    start, end = 0, len(paras)
    title_at = None
    if not wrapped:
        body = [i for i, p in enumerate(paras) if kinds[i] is None and _body_like(p.text)]
        if body:
            start, end = body[0], body[-1] + 1
            if boilerplate:
                _drop_learned(paras, start, end, kinds, reasons, boilerplate)
            title_at = _read_header(paras[:start], kinds, reasons, out)
            _read_footer(paras, end, kinds, reasons, out)
    for i in range(start, end):
        if kinds[i] is None:
            kinds[i] = HEADING if _is_heading(paras, i, kinds) else BODY
    for i in range(len(paras)):
        if kinds[i] is None:
            kinds[i] = BODY
    _introduced(paras, kinds, reasons)
    _lone_contacts(kinds, reasons)
    if title_at is None:
        title_at = next((i for i, p in enumerate(paras) if kinds[i] == HEADING and underlined.get(p.text) == 1), None)
        if title_at is not None and any(kinds[j] == BODY and _body_like(paras[j].text) for j in range(title_at)):
            title_at = None                      # an underlined heading after the text began is a section
    if title_at is not None:
        kinds[title_at] = TITLE
        out.set_default("title", paras[title_at].text)
    kept = [(p, k) for p, k in zip(paras, kinds) if k in (BODY, HEADING)]
    merge = None
    if not wrapped and _one_sentence_per_line(kept):
        joined = sum(not p.blank_before for p, _ in kept[1:])
        merge = 0.3 * len(kept) <= joined < len(kept) - 1      # True: blank lines mark real paragraphs
    _emit(paras, kinds, reasons, furniture, underlined, merge, out)
    return out


def _emit(paras: list[Paragraph], kinds: list[str], reasons: list[str | None],
          furniture: list[tuple[int, str, str]], underlined: dict[str, int], merge: bool | None,
          out: Extracted) -> None:
    """Parts and removals in file order (removals stand before the part that follows them).

    merge: None keeps a paragraph per paragraph; else speech-style lines are joined (True:
    where no blank line separates them, False: up to about MERGE_TARGET characters)."""
    furniture_at = iter(sorted(furniture, key=lambda f: f[0]))
    pending = next(furniture_at, None)
    last: Paragraph | None = None           # the paragraph the last body part grew from, while merging
    last_item = False                       # the last part is a list
    for i, (p, kind) in enumerate(zip(paras, kinds)):
        while pending is not None and pending[0] <= i:
            out.remove(pending[1], pending[2])
            pending = next(furniture_at, None)
        if kind == DROP:
            out.remove(p.text, reasons[i] or "chrome")
            continue
        if kind != BODY or not _bulleted(p.text):
            last_item = False
        if kind == TITLE:
            out.parts.append((p.text, 1))
            last = None
        elif kind == HEADING:
            out.parts.append((p.text, underlined.get(p.text) or heading_level(p.text) or 2))
            last = None
        elif kind == BODY and _bulleted(p.text):
            # A list stays a list: its items are the lines of one block.
            item = p.text
            if last_item and out.parts and out.parts[-1][1] == 0:
                out.parts[-1] = (f"{out.parts[-1][0]}\n{item}", 0)
            else:
                out.parts.append((item, 0))
            last, last_item = None, True
            continue
        elif merge is not None and last is not None and out.parts[-1][1] == 0 and _joins(last, p, merge):
            text = f"{out.parts[-1][0]} {p.text}"
            out.parts[-1] = (text, 0)
            last = Paragraph(text, last.lines + p.lines, last.blank_before)
        else:
            out.parts.append((p.text, 0))
            last = p
    while pending is not None:
        out.remove(pending[1], pending[2])
        pending = next(furniture_at, None)


def _setext_headings(lines: list[str]) -> tuple[dict[str, int], list[str]]:
    """Lines underlined with ===== (level 1) or ----- (level 2), as plain-text documents write
    titles and sections: the line's text -> its level, and the lines with each such heading set
    apart by blank lines (its rule, which has no words, becomes one), so that reflow never
    joins it to the text around it."""
    found: dict[str, int] = {}
    out: list[str] = []
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        rule = lines[i + 1].strip() if i + 1 < len(lines) else ""
        text = line.strip()
        if (len(rule) >= 3 and rule[0] in "=-" and rule == rule[0] * len(rule) and text
                and len(text) <= 100 and abs(len(rule) - len(line.rstrip())) <= max(3, len(text) // 2)
                and not set(text) <= set("=-") and not chrome.ends_sentence(text)):
            found.setdefault(" ".join(text.split()), 1 if rule[0] == "=" else 2)
            out += ["", line, ""]
            skip = True
        else:
            out.append(line)
    return found, out


def _one_sentence_per_line(kept: list[tuple[Paragraph, str]]) -> bool:
    """Speech-style text: a line per sentence or phrase, so a paragraph per line is far too small."""
    lengths = sorted(len(p.text) for p, kind in kept if kind == BODY)
    return len(lengths) >= 10 and lengths[len(lengths) // 2] < 120


def _bulleted(text: str) -> bool:
    """A list item marked with a bullet ("- ", "* ", "• "); numbered lines ("(1) ...") may be an
    enumeration inside a paragraph and are left to the paragraph rules."""
    return text[:1] in "-*+\u2022\u25aa\u25e6\u2023" and bool(LIST_ITEM.match(text))


def _joins(last: Paragraph, p: Paragraph, grouped: bool) -> bool:
    """Speech-style lines join into paragraphs: at blank lines where the text has both kinds of
    break (grouped), else greedily up to MERGE_TARGET characters, closing at a sentence end."""
    full = len(last.text) >= MERGE_TARGET and chrome.ends_sentence(last.text)
    if FIELD.match(p.text) and FIELD.match(last.text):
        return False            # a record's fields ("To: ..." after "From: ...") stay lines
    return (not p.blank_before if grouped else not full) and len(last.text) < MERGE_LIMIT


def _body_like(text: str) -> bool:
    return (len(text) >= 80 and chrome.ends_sentence(text)) or len(text) >= 200


def _chrome_reason(p: Paragraph) -> str | None:
    """Why a one-line paragraph is chrome (a byline, a sharing or comment notice, a contact
    line), or None. Captions are content: they say who is in the picture."""
    text = p.text
    if p.lines > 1 or len(text) > chrome.MAX_CHROME_LINE:
        return None
    if chrome.parse_byline(text):
        return "byline"
    if chrome.is_updated_notice(text):
        return "updated notice"
    if chrome.is_notice(text):
        return "notice"
    if chrome.is_contact(text):
        return "contact line"
    return None


def _fields_of_chrome(paras: list[Paragraph], reasons: list[str | None], out: Extracted) -> None:
    """Author and date from the byline, the update date from the notice, of those that go:
    a line the text keeps ("Author: Zenju" in a changelog's record) says nothing of the file."""
    for p, reason in zip(paras, reasons):
        if reason == "byline":
            byline = chrome.parse_byline(p.text)
            out.set_default("author", byline.author)
            out.set_default("date", byline.date)
        elif reason == "updated notice":
            out.set_default("updated", search_date(p.text))


def _drop_learned(paras: list[Paragraph], start: int, end: int, kinds: list[str | None],
                  reasons: list[str | None], boilerplate: frozenset[str]) -> None:
    """Learned boilerplate goes only around the text (before its first body paragraph or after
    its last and the lines of text after it), and never a heading: the line just before the
    body, or one underlined."""
    # After the text, only what no line of text (more than three words, not learned) follows: the
    # page's foot.
    tail = max((i for i in range(end, len(paras)) if kinds[i] is None and len(paras[i].text.split()) > 3
                and chrome.line_key(paras[i].text) not in boilerplate), default=end - 1)
    for i in [*range(0, start - 1), *range(tail + 1, len(paras))]:
        p = paras[i]
        if kinds[i] is None and p.lines == 1 and chrome.line_key(p.text) in boilerplate:
            kinds[i], reasons[i] = DROP, "learned boilerplate"


def _read_header(header: list[Paragraph], kinds: list[str | None], reasons: list[str | None],
                 out: Extracted) -> int | None:
    """Take date, publisher and title from the lines before the first body paragraph; the
    index of the title line, which stays where it is (earlier copies of it are recorded)."""
    org = archive = None
    affiliations = {i for i in range(1, len(header)) if header[i].lines == 1 and _under_author(header[i - 1])}
    # Dates heading a text's entries ("2021-10-04:" over a changelog's items, one after another)
    # are the text's; a page's dateline stands alone, and does not announce what follows.
    # A date that ends a sentence begun on the line above ("debianized by Akira TAGOH on / Wed, 13
    # Mar 2002 00:07:25 +0900.") is the sentence's; one over a list's first item ("20 July 2011 /
    # - add NetStream.Authenticate...") heads an entry.
    dates = {i: chrome.is_dateline(p.text) for i, p in enumerate(header) if p.lines == 1 and kinds[i] is None}
    dated = [i for i, date in dates.items() if date]
    entries = set(dated) if len(dated) >= 2 else {i for i in dated if header[i].text.endswith(":") or (
        i and not header[i].blank_before and runs_on(header[i - 1].text)) or (
        i + 1 < len(header) and not header[i + 1].blank_before and LIST_ITEM.match(header[i + 1].text))}
    for i, p in enumerate(header):
        if p.lines > 1 or kinds[i] is not None:
            continue
        date = None if i in entries else dates[i]
        name = chrome.archive_name(p.text)
        publisher = chrome.organisation(p.text)
        if publisher and (i in affiliations or (i + 1 < len(header) and _VERSION.match(header[i + 1].text))
                          or not _apart(header, i)):
            continue            # (an author's organisation; "The Xrender Library" over "Version 0.7" is a
                                # title; "Google Inc." between two names is an entry of an AUTHORS list)
        if date or name or publisher:
            out.set_default("date", date)
            archive = archive or name
            org = org or publisher
            kinds[i], reasons[i] = DROP, "dateline" if date else "publisher line"
    out.set_default("source", chrome.source_name(org, archive))
    _drop_menu_runs(header, range(len(header)), kinds, reasons)
    candidates = [i for i, p in enumerate(header) if kinds[i] is None and i not in affiliations
                  and _title_like(header, i)]
    texts = [header[i].text for i in candidates]
    repeated = [i for i in candidates if texts.count(header[i].text) >= 2]
    wordy = [i for i in candidates if len(header[i].text.split()) >= 3 and heading_level(header[i].text)]
    shaped = [i for i in candidates if heading_level(header[i].text)]
    chosen = (repeated or wordy or shaped or candidates or [None])[0]
    if chosen is None:
        title_at = None
    else:
        title = header[chosen].text
        title_at = max(i for i in candidates if header[i].text == title)
        for i in candidates:
            if header[i].text == title and i != title_at:
                kinds[i], reasons[i] = DROP, "title repeated"
    for i, p in enumerate(header):
        if kinds[i] is None and i != title_at:    # above the title: a file number, a marking
            before_title = title_at is not None and i < title_at
            kinds[i] = HEADING if heading_level(p.text) and p.lines == 1 and not before_title else BODY
    return title_at


def _apart(paras: list[Paragraph], i: int) -> bool:
    """A one-line paragraph with a blank line (or the file's edge) above it and below it."""
    return (i == 0 or paras[i].blank_before) and (i + 1 >= len(paras) or paras[i + 1].blank_before)


def _under_author(above: Paragraph) -> bool:
    """Whether the line below `above` is an author's affiliation, in a title block ("Kristian
    Høgsberg / krh@redhat.com / Red Hat, Inc", "Jim Fulton / Network Computing Devices, Inc."):
    not a page's publisher line nor a title, but the document's own text."""
    text = above.text
    if above.lines <= 3 and "@" in text and ":" not in text:        # (not "Email: icas@icasinc.org")
        return True
    return (above.lines == 1 and chrome.looks_like_name(text) and 2 <= len(text.split()) <= 3
            and not chrome.organisation(text) and not chrome.archive_name(text))


def _title_like(paras: list[Paragraph], i: int) -> bool:
    """A one-line paragraph standing apart (blank line after it, or the end of the header) that
    reads as a title: heading-shaped ("Release Notes"), or a short phrase in sentence case
    ("Witness statement") that is mostly letters ("Ref. 2231/7" is a file number)."""
    p = paras[i]
    apart = i + 1 >= len(paras) or paras[i + 1].blank_before
    if (p.lines != 1 or not apart or len(p.text.split()) < 2 or len(p.text) > 150 or _FIELD.match(p.text)
            or chrome.is_notice(p.text)):          # ("Copyright © 1994 X Consortium" is no title)
        return False
    return _mostly_letters(p.text) and (bool(heading_level(p.text)) or _phrase_like(p.text))


def _read_footer(paras: list[Paragraph], end: int, kinds: list[str | None], reasons: list[str | None],
                 out: Extracted) -> None:
    """After the last body paragraph: a publisher line gives the source, menus go; the rest stays,
    a heading in capitals over text that is not in capitals as a heading."""
    footer = range(end, len(paras))
    _drop_menu_runs(paras, footer, kinds, reasons, at_top=False)
    for i in footer:
        text = paras[i].text
        if kinds[i] is not None:
            continue
        if paras[i].lines == 1 and chrome.organisation(text) and _apart(paras, i):
            out.set_default("source", chrome.organisation(text))
            kinds[i], reasons[i] = DROP, "publisher line"
        elif (text.isupper() and i + 1 < len(paras) and not paras[i + 1].text.isupper()
              and _is_heading(paras, i, kinds)):
            kinds[i] = HEADING      # a manual's last sections ("AUTHOR", "SEE ALSO"), not a disclaimer's lines
        else:
            kinds[i] = BODY


def _drop_menu_runs(paras: list[Paragraph], indexes: range, kinds: list[str | None],
                    reasons: list[str | None], at_top: bool = True) -> None:
    """Mark runs of three or more adjacent (no blank line between) short lines of words with no
    punctuation as chrome: a saved page's menu ("Home", "About Us", "Contact"). Two such lines
    are as often a heading and its line ("SYNOPSIS", "Compute the sum") and stay. A page's menu
    stands at its top or its foot: a run that starts (`at_top`) or ends (else) within
    _MENU_EDGE paragraphs of the file's edge; elsewhere such a run is a list (an AUTHORS
    file's names, a record's lines)."""
    run: list[int] = []
    for i in list(indexes) + [None]:
        if i is not None and run and not paras[i].blank_before and paras[i].lines == 1 and kinds[i] is None:
            run.append(i)
            continue
        at_edge = run and (run[0] <= _MENU_EDGE if at_top else run[-1] >= len(paras) - 1 - _MENU_EDGE)
        if at_edge and chrome.is_menu_run([paras[j].text for j in run], min_items=3) \
                and not any(LIST_ITEM.match(paras[j].text) for j in run):
            for j in run:
                kinds[j], reasons[j] = DROP, "menu"
        run = [i] if i is not None and paras[i].lines == 1 and kinds[i] is None else []


def _is_heading(paras: list[Paragraph], i: int, kinds: list[str | None]) -> bool:
    """A single short heading-shaped line with text after it (not the document's last line); or,
    set apart by blank lines between finished sentences and a body paragraph, a short phrase in
    sentence case ("Summary of findings")."""
    p = paras[i]
    if p.lines > 1:
        return False
    following = next((j for j in range(i + 1, len(paras)) if kinds[j] != DROP), None)
    if following is None:
        return False
    if heading_level(p.text):
        return i > 0 or len(paras[following].text) >= 60
    previous = next((j for j in range(i - 1, -1, -1) if kinds[j] != DROP), None)
    return (_phrase_like(p.text) and len(p.text) <= 60 and p.blank_before and paras[following].blank_before
            and _body_like(paras[following].text)
            and (previous is None or chrome.ends_sentence(paras[previous].text)))


def _phrase_like(text: str) -> bool:
    """A short phrase that could head a section or a document: capitalised, unfinished (no
    sentence end, no trailing comma or colon), mostly letters ("Ref. 2231/7" is a file number)."""
    return (text[:1].isupper() and not chrome.ends_sentence(text) and text[-1] not in ",;:-"
            and _mostly_letters(text) and len(text.split()) <= 12 and not LIST_ITEM.match(text)
            and text.rsplit(None, 1)[-1].lower() not in _OPEN_WORDS)


def _mostly_letters(text: str) -> bool:
    return sum(map(str.isalpha, text)) >= 0.7 * len(text.replace(" ", ""))


_MENU_EDGE = 2          # a menu run starts or ends within this many paragraphs of the file's edge
_VERSION = re.compile(r"(?:version|release|revision)\s+\d", re.I)
# A record's field (reflow.FIELD: "License: LGPL-2+", "Files: *") is never a title; its copies
# belong to different records.
_FIELD = FIELD
# Lines a reader may take for chrome that a line ending in ":" introduces ("For additional
# information, contact:", "follow the instructions at:"): then they are what it announces.
_INTRODUCIBLE = frozenset(["contact line", "publisher line", "dateline", "menu", "notice", "updated notice"])
_BLOCK = frozenset(["contact line", "publisher line"])         # the lines of an address block


def _lone_contacts(kinds: list[str | None], reasons: list[str | None]) -> None:
    """A contact line is chrome in an address block (beside a publisher or another contact
    line); one standing alone (a README's last line, the project's URL) is the text's."""
    for i, reason in enumerate(reasons):
        if kinds[i] == DROP and reason == "contact line" and not any(
                0 <= j < len(kinds) and kinds[j] == DROP and reasons[j] in _BLOCK for j in (i - 1, i + 1)):
            kinds[i], reasons[i] = BODY, None


def _introduced(paras: list[Paragraph], kinds: list[str | None], reasons: list[str | None]) -> None:
    """Give back such lines when a line ending in a colon stands just before them or before
    the block of lines (no blank line between) they are part of: an address block under
    "contact:" is the text's, its org name and "Attn:" line included."""
    for i in range(1, len(paras)):
        if kinds[i] != DROP or reasons[i] not in _INTRODUCIBLE:
            continue
        for j in range(i - 1, max(-1, i - 9), -1):
            if kinds[j] != DROP and paras[j].text.rstrip().endswith(":"):
                kinds[i], reasons[i] = BODY, None
                break
            if not (kinds[j] == DROP and reasons[j] in _INTRODUCIBLE) and paras[j + 1].blank_before:
                break               # a line of text, then a blank line: the block began after it


_OPEN_WORDS = frozenset("a an and as at by for from in into of on or the to with that is are was were be".split())
