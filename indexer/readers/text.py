"""Plain text (.txt) -> Extracted: paragraphs and headings, with a saved page's chrome removed.

Text saved from a web page has a header (title, dateline, publisher, byline, menus)
and a footer (notices, menus) around the article; the metadata found there becomes
fields and the rest is dropped. Hard-wrapped (PDF-derived) text gets no header or
footer treatment: its first and last lines are speech, not chrome.
"""
from __future__ import annotations

import re

from indexer.clean import chrome
from indexer.readers.extracted import Extracted
from indexer.metadata import search_date
from indexer.clean.reflow import Paragraph, heading_level, wrapped_paragraphs

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_FOOTNOTE = re.compile(r"^\[?\d{1,3}[\].)]?\s+\S.{15,}")
DROP, BODY, HEADING, TITLE = "drop", "body", "heading", "title"
MERGE_TARGET = 500        # speech-style lines are joined into paragraphs of about this size ...
MERGE_LIMIT = 1500        # ... and never past this


def read_plain(text: str, boilerplate: frozenset[str] = frozenset()) -> Extracted:
    lines = text.split("\n")
    if "**" in text:
        lines = [_BOLD.sub(r"\1", line) for line in lines]        # paired **bold** marks only: 2**10 stays
    wrapped, paras = wrapped_paragraphs(lines)
    out = Extracted()
    kinds: list[str | None] = [DROP if _is_chrome(p, boilerplate, out) else None for p in paras]
    start, end = 0, len(paras)
    title = None
    if not wrapped:
        body = [i for i, p in enumerate(paras) if kinds[i] is None and _body_like(p.text)]
        if body:
            start, end = body[0], body[-1] + 1
            title = _read_header(paras[:start], kinds, out)
            _read_footer(paras, end, kinds, out)
    for i in range(start, end):
        if kinds[i] is None:
            kinds[i] = HEADING if _is_heading(paras, i, kinds) else BODY
    if title:
        out.set_default("title", title)
    parts: list[tuple[str, int]] = [(title, 1)] if title else []
    kept = [(p, kind) for p, kind in zip(paras, kinds) if kind in (BODY, HEADING)]
    if not wrapped and _one_sentence_per_line(kept):
        kept = _merge_lines(kept)
    for p, kind in kept:
        if kind == HEADING:
            parts.append((p.text, heading_level(p.text) or 2))
        else:
            parts.append((p.text, 0))
    out.parts = parts
    return out


def _one_sentence_per_line(kept: list[tuple[Paragraph, str]]) -> bool:
    """Speech-style text: a line per sentence or phrase, so a paragraph per line is far too small."""
    lengths = sorted(len(p.text) for p, kind in kept if kind == BODY)
    return len(lengths) >= 10 and lengths[len(lengths) // 2] < 120


def _merge_lines(kept: list[tuple[Paragraph, str]]) -> list[tuple[Paragraph, str]]:
    """Join short lines into paragraphs: at blank lines where the text has both kinds of
    break, else greedily up to MERGE_TARGET characters, closing at a sentence end."""
    joined = sum(not p.blank_before for p, _ in kept[1:])
    grouped = 0.3 * len(kept) <= joined < len(kept) - 1      # blank lines mark real paragraphs
    out: list[tuple[Paragraph, str]] = []
    for p, kind in kept:
        if out and kind == BODY and out[-1][1] == BODY:
            last = out[-1][0]
            full = len(last.text) >= MERGE_TARGET and chrome.ends_sentence(last.text)
            if (not p.blank_before if grouped else not full) and len(last.text) < MERGE_LIMIT:
                out[-1] = (Paragraph(f"{last.text} {p.text}", last.lines + p.lines, last.blank_before), BODY)
                continue
        out.append((p, kind))
    return out


def _body_like(text: str) -> bool:
    return (len(text) >= 80 and chrome.ends_sentence(text)) or len(text) >= 200


def _is_chrome(p: Paragraph, boilerplate: frozenset[str], out: Extracted) -> bool:
    """Notices, contact lines, captions, bylines and learned boilerplate; bylines give author/date."""
    text = p.text
    if p.lines > 1 or len(text) > chrome.MAX_CHROME_LINE:
        return False
    byline = chrome.parse_byline(text)
    if byline:
        out.set_default("author", byline.author)
        out.set_default("date", byline.date)
        return True
    if chrome.is_updated_notice(text):
        out.set_default("updated", search_date(text))
        return True
    return (chrome.is_notice(text) or chrome.is_contact(text) or chrome.is_caption(text)
            or (bool(boilerplate) and chrome.line_key(text) in boilerplate))


def _read_header(header: list[Paragraph], kinds: list[str | None], out: Extracted) -> str | None:
    """Take date, publisher and title from the lines before the first body paragraph."""
    org = archive = None
    for i, p in enumerate(header):
        if p.lines > 1:
            continue
        date = chrome.is_dateline(p.text)
        name = chrome.archive_name(p.text)
        publisher = chrome.organisation(p.text)
        if date or name or publisher:
            out.set_default("date", date)
            archive = archive or name
            org = org or publisher
            kinds[i] = DROP
    out.set_default("source", chrome.source_name(org, archive))
    _drop_menu_runs(header, range(len(header)), kinds)
    texts = [p.text for i, p in enumerate(header) if kinds[i] is None and _title_like(header, i)]
    repeated = [t for t in texts if texts.count(t) >= 2]
    wordy = [t for t in texts if len(t.split()) >= 3]
    title = (repeated or wordy or texts or [None])[0]
    for i, p in enumerate(header):
        if kinds[i] is not None:
            continue
        if p.text == title or (len(p.text.split()) <= 2 and p.text[-1:].isalnum()):
            kinds[i] = DROP
        else:
            kinds[i] = HEADING if heading_level(p.text) and p.lines == 1 else BODY
    return title


def _title_like(paras: list[Paragraph], i: int) -> bool:
    """A one-line heading-shaped paragraph standing apart: blank line after it (or end of header)."""
    p = paras[i]
    apart = i + 1 >= len(paras) or paras[i + 1].blank_before
    return p.lines == 1 and apart and bool(heading_level(p.text)) and len(p.text.split()) >= 2


def _read_footer(paras: list[Paragraph], end: int, kinds: list[str | None], out: Extracted) -> None:
    """After the last body paragraph: keep footnotes, drop menus and stray short lines."""
    footer = range(end, len(paras))
    _drop_menu_runs(paras, footer, kinds)
    for i in footer:
        text = paras[i].text
        if kinds[i] is not None:
            continue
        if _FOOTNOTE.match(text):
            kinds[i] = BODY
        elif chrome.organisation(text):
            out.set_default("source", chrome.organisation(text))
            kinds[i] = DROP
        elif len(text) <= 60 and not chrome.ends_sentence(text):
            kinds[i] = DROP
        else:
            kinds[i] = BODY


def _drop_menu_runs(paras: list[Paragraph], indexes: range, kinds: list[str | None]) -> None:
    """Mark runs of adjacent (no blank line between) short unpunctuated lines as chrome."""
    run: list[int] = []
    for i in list(indexes) + [None]:
        if i is not None and run and not paras[i].blank_before and paras[i].lines == 1:
            run.append(i)
            continue
        if chrome.is_menu_run([paras[j].text for j in run]):
            for j in run:
                kinds[j] = DROP
        run = [i] if i is not None and paras[i].lines == 1 else []


def _is_heading(paras: list[Paragraph], i: int, kinds: list[str | None]) -> bool:
    """A single short heading-shaped line with text after it (not the document's last line)."""
    p = paras[i]
    if p.lines > 1 or not heading_level(p.text):
        return False
    following = next((j for j in range(i + 1, len(paras)) if kinds[j] != DROP), None)
    return following is not None and (i > 0 or len(paras[following].text) >= 60)
