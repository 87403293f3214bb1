"""Site chrome: the lines a web page carries around its text (menus, notices, bylines, addresses).

Each rule reads the shape or the wording of a line, never a particular site's strings;
what one site repeats on every page is learned from the corpus (loaders.learn_boilerplate)
and compared under line_key.
Some chrome carries metadata (a byline's author and date, a publisher's name), so the
classifiers return what they found rather than a bare yes/no where that matters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.metadata import parse_date, search_date

MAX_CHROME_LINE = 300       # longer lines are prose, whatever words they contain
MENU_ITEM_MAX = 40

_TERMINAL = re.compile(r"[.!?][\"'”’»)\]]*$")
_CLOSERS = "\"'”’»)]"
_SENTENCE_END_CHARS = frozenset(".!?")

_NOTICE = re.compile(
    r"^(?:leave an? (?:comment|reply)|no comments?(?: yet)?|\d+ comments?|comments? (?:are )?closed"
    r"|share this(?: (?:article|post|page|story))?|like this|related(?: (?:posts?|articles?|stories))?"
    r"|loading\.\.\.|click to (?:share|print|email)\b.*|share on \w+|tweet|print(?: this(?: page)?)?|email this"
    r"|skip to (?:main )?content|back to top|read more|continue reading|(?:previous|next) (?:post|article|page)"
    r"|search(?: for)?|posted in .*|filed under .*|tagged(?: with)? .*|categor(?:y|ies): .*|tags?: .*"
    r"|subscribe(?: to .*)?|sign up for .*|follow us(?: on .*)?|we use cookies.*|this (?:web)?site uses cookies.*"
    r"|accept(?: all)? cookies|cookie (?:policy|settings|preferences)|(?:proudly )?powered by .*)[.:!]?$",
    re.I,
)
_NOTICE_ANYWHERE = re.compile(
    r"uses akismet|comment data is processed|your email address will not be published"
    r"|required fields are marked|all rights reserved|^(?:©|\(c\)|copyright\b)",
    re.I,
)
_COPYRIGHT = re.compile(r"all rights reserved|^(?:©|\(c\)|copyright\b)", re.I)
_BARE_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)", re.I)         # (matched at the line's start)
_RIGHTS_RESERVED = re.compile(r"all rights reserved", re.I)
# Line-level chrome that is chrome only at the edges of a text, where pages put it (inside it, a
# byline's "Author: Zenju" is a field of a changelog's record).
_AT_THE_EDGES = frozenset(["notice", "contact line", "updated notice", "byline"])
# "This page last updated 6/26/2008 jdb", "Last modified: 2024-01-05", "Updated: 3 May": the phrase
# opens the line (after at most three words) and a short date follows; "Time when file data last
# modified. Changed by the mknod(2), utimes(2) ... calls." is a sentence of the text, not a notice.
_UPDATED = re.compile(r"^(?:[\w'\u2019]+\s+){0,3}?last\s+(?:updated|modified|revised)\b(?:\s+(?:on|at)\b)?\s*:?(?P<rest>.*)$"
                      r"|^(?:updated|modified|revised)\s*:(?P<after>.*)$", re.I)
# Words one of which each match of _NOTICE_ANYWHERE / _UPDATED holds (see _may_hold).
_NOTICE_WORDS = ("akismet", "comment data", "your email", "required fields", "all rights", "(c)", "copyright")
_UPDATED_WORDS = ("updated", "modified", "revised")
_CONTACT = re.compile(r"^(?:e-?mail|tel(?:ephone)?|phone|fax|mobile|cell|web(?:site)?|url|address)\s*[:.]", re.I)
_EMAIL_OR_URL = re.compile(r"^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+)$", re.I)
_PHONE = re.compile(r"^\+?[\d ().-]{7,20}$")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")    # "2008-09-04", "2.93 2017-05-19": a date (and version), not a phone
_STREET = re.compile(
    r"\b\d+\s+(?:[A-Z][\w.'-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Court|Ct|Boulevard|Blvd|Lane|Ln"
    r"|Drive|Dr|Way|Place|Pl|Square|Sq|Plaza|Parkway|Pkwy|Highway|Hwy)\b\.?"
)
# "Portland, ME 04101": a state's two capitals after the city's comma ("(RT 16067)", a ticket in a
# changelog, is no postcode), or a P.O. box.
_POSTCODE = re.compile(r"(?-i:,\s*[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b)|\bP\.?\s?O\.?\s+Box\s+\d+", re.I)
_CAPTION = re.compile(
    r"(?:^|\|\s*)(?:image |photo )?(?:source|photo(?:graph)?|image|picture|credit|courtesy(?: of)?)\s*:\s*[^|]{1,80}$",
    re.I,
)
_BYLINE = re.compile(r"^(?:by|posted by|written by|author)\b\s*:?\s*(?P<rest>.*)$", re.I)
_BYLINE_SPLIT = re.compile(r"\s*[|\u00b7\u2022]\s*|\s+[\u2013\u2014-]\s+|,?\s+on\s+(?=\w+\.?\s+\d|\d)")
_NAME_WORD = re.compile(r"^(?:[A-Z][\w.'\u2019-]*|de|van|von|der|da|di|la|le|bin|al-\w+)$")
_ORG_NOUN = (r"(?:Institute|Institution|University|College|Foundation|Center|Centre|Council|Association|Society"
             r"|Agency|Ministry|Department|Committee|Commission|Organi[sz]ation|Federation|Academy|Library"
             r"|Museum|Press)")
_LEGAL = r"(?:Inc|Ltd|LLC|Corp|Corporation|GmbH|plc|S\.A)"
_ORG = re.compile(
    rf"^(?P<name>(?:The\s+)?(?:{_ORG_NOUN}\s+(?:for|of|on)\s+[A-Z].*?|[A-Z][^.!?]*?\s{_ORG_NOUN}))"
    rf"(?:,?\s+{_LEGAL}\.?)?$"
)
_LEGAL_NAME = re.compile(rf"^(?P<name>[A-Z][^.!?|]*?),?\s+{_LEGAL}\.?$")
_ARCHIVE = re.compile(r"^(?P<name>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})\s+(?:Historical\s+Documents?|Document\s+Archive|Archives?)$")
_KEY_JUNK = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Byline:
    author: str | None
    date: str | None


def line_key(line: str) -> str:
    """The form under which a line is compared across documents: case and punctuation folded.

    Digits are kept: "Report 3 of the committee." and "Report 4 ..." are different prose.
    """
    return _KEY_JUNK.sub(" ", line.lower()).strip()


def ends_sentence(line: str) -> bool:
    """_TERMINAL.search(line) ("$" also matches before a final newline), reading only the line's end:
    the pattern was tried at every position of the line."""
    return (line.rstrip(_CLOSERS)[-1:] in _SENTENCE_END_CHARS
            or (line[-1:] == "\n" and line[:-1].rstrip(_CLOSERS)[-1:] in _SENTENCE_END_CHARS))


def is_notice(line: str) -> bool:
    """Comment-form, sharing, cookie and copyright notices."""
    line = line.strip()
    if not line or len(line) > MAX_CHROME_LINE:
        return False
    return bool(_NOTICE.match(line) or (_may_hold(line, _NOTICE_WORDS) and _NOTICE_ANYWHERE.search(line))
                or is_updated_notice(line))


def placed(reason: str | None, line: str, where: str) -> str | None:
    """`reason` for a line found where it stands ("head": before the first body paragraph, "body":
    between the first and the last, "foot": after the last), or None when that place makes it
    content: a notice, contact or "updated" line or a byline inside the text is a line of the text
    ("search" and "related" in an index of words, a service's "URL: ..." in a how-to, a changelog
    record's "Author: Zenju"); a copyright line is
    chrome only at a page's foot: at the top it is the document's own statement (a manual's title
    page, a NOTICE file), and it says who holds the rights. At the foot too, only a publisher's
    notice that reserves the rights ("© 2021 Harbor Times. All rights reserved.") is chrome; a
    bare "Copyright (c) 2004, 2005 by Mark Adler" closing a page is the page's own colophon (who
    wrote it, and when) and stays. A site that prints it on every page has it removed as learned
    boilerplate."""
    if reason not in _AT_THE_EDGES:
        return reason
    if where == "foot":
        colophon = reason == "notice" and _BARE_COPYRIGHT.match(line) and not _RIGHTS_RESERVED.search(line)
        return None if colophon else reason
    if where == "body" or (reason == "notice" and _may_hold(line, _NOTICE_WORDS) and _COPYRIGHT.search(line)):
        return None
    return reason


def is_updated_notice(line: str) -> bool:
    m = _UPDATED.search(line) if len(line) <= 120 and _may_hold(line, _UPDATED_WORDS) else None
    rest = (m.group("rest") if m.group("rest") is not None else m.group("after")).strip() if m else ""
    return bool(m) and len(rest.split()) <= 5 and (not rest or any(c.isdigit() for c in rest))


def _may_hold(line: str, words: tuple[str, ...]) -> bool:
    """False when an ASCII line holds none of `words` in any case: a pattern made of them cannot
    match, and is not tried at every position of the line. (Outside ASCII, case-insensitive
    matching has more equivalents than lower(): always True.)"""
    if not line.isascii():
        return True
    low = line.lower()
    return any(word in low for word in words)


def is_contact(line: str) -> bool:
    """Address, email, phone and URL lines."""
    line = line.strip()
    if not line or len(line) > 120:
        return False
    if _CONTACT.match(line) or _EMAIL_OR_URL.match(line):
        return True
    if _PHONE.match(line) and sum(c.isdigit() for c in line) >= 7 and not _ISO_DATE.search(line):
        return True
    return not ends_sentence(line) and bool(_POSTCODE.search(line) or _STREET.search(line))


def is_caption(line: str) -> bool:
    """A picture caption with its credit ("... | Source: Wikimedia Commons", "Photo: AP")."""
    return len(line) <= MAX_CHROME_LINE and ":" in line and bool(_CAPTION.search(line.strip()))


def parse_byline(line: str) -> Byline | None:
    """'By Jane Doe | November 04, 2019 | No Comments' -> Byline('Jane Doe', '2019-11-04').

    A line that starts with "By" but reads as prose ("By 2030 the world...") is not a byline.
    """
    line = line.strip()
    m = _BYLINE.match(line)
    if not m or len(line) > 120:
        return None
    date = search_date(line)
    segments = [s.strip(" ,:") for s in _BYLINE_SPLIT.split(m["rest"]) if s.strip(" ,:")]
    author = None
    if segments and looks_like_name(segments[0]) and not search_date(segments[0]) and not is_notice(segments[0]):
        author = segments[0]
    structured = "|" in line or date is not None
    if author is None and not structured:
        return None
    if not structured and len(segments) > 1:
        return None
    return Byline(author, date)


def looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 6 and all(_NAME_WORD.match(w) for w in words) and text[0].isupper()


def organisation(line: str) -> str | None:
    """A publisher line ('Institute for Corean-American Studies, Inc.') -> its name, legal suffix
    dropped. Only a line that is a name: one with a year, a colon or a copyright sign says
    something about the name ("Copyright: 2008, Novell, Inc." in a copyright file) and is text."""
    line = line.strip()
    if not line or len(line) > 90 or _NOT_A_NAME.search(line):
        return None
    m = _ORG.match(line) or _LEGAL_NAME.match(line)
    return m["name"].strip(" ,") if m else None


def archive_name(line: str) -> str | None:
    """'ICAS Historical Document' -> 'ICAS': the collection a saved page says it belongs to."""
    m = _ARCHIVE.match(line.strip())
    return m["name"] if m else None


def acronym(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w[:1].isupper())


def source_name(org: str | None, archive: str | None) -> str | None:
    """Join a publisher and its collection tag: 'Institute for ... Studies (ICAS)' when they agree."""
    if org and archive and acronym(org) == archive:
        return f"{org} ({archive})"
    return org or archive


def is_menu_run(lines: list[str], min_items: int = 2) -> bool:
    """`min_items` or more adjacent short lines with no sentence punctuation: a menu or link list.
    Its items are words (a menu says "About Us", "& Discussants"): a line with a digit or a
    code or field mark ("4 CARD32 count", 'LOCDIR="$DIR"', "Files: *", "LICENSE.md") is a
    table's, a program's or a record's, and the run is text."""
    return len(lines) >= min_items and all(
        0 < len(line) <= MENU_ITEM_MAX and not re.search(r"[.!?:;,]$", line) and not _NOT_A_MENU_ITEM.search(line)
        for line in lines
    )


_NOT_A_MENU_ITEM = re.compile(r"[\d:=#$\"*/<>(){}\[\]@;_.\\]")
_NOT_A_NAME = re.compile(r"\d|:|©|\(c\)|^copyright\b", re.I)


def is_dateline(line: str) -> str | None:
    """A line that is only a full or month-level date -> ISO, else None."""
    iso = parse_date(line)
    return iso if iso and len(iso) > 4 else None
